"""The public devices' web server (clerk-tui serve): a door like cli/ and ui/.

- ``app.py``: ``make_web_app(settings, engine)``, the security headers, the bounded request
  bodies, and the registry of pages per device kind (``PAGE_MODULES``: each module has ``routes()``).
- ``auth.py``: the one place a device's token becomes an ``Actor`` (401 without a token, 403 with
  a wrong one, nothing of the hall in either).
- ``feed.py``: one background task per process that notices the store's changes (the highest event
  id, every 200 ms) and wakes every connected page's server-sent event stream.
- ``display.py``: the hall display (叫号大屏) for a 1920x1080 TV.
- ``pad.py``: a window's rating pad (评价器) for a 1280x800 tablet.
- ``kiosk.py``: the self-service kiosk (自助取号机) for a 1080x1920 touch screen.
- ``forms.py``: the pages' JSON bodies and refusals.
- ``server.py``: running the app with uvicorn (tokens kept out of the access log).

Importing this package never imports textual.
"""
