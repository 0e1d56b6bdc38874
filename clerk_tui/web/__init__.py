"""The public devices' web server (clerk-tui serve): a door like cli/ and ui/.

- ``app.py``: ``make_web_app(settings, engine)``, the security headers, the bounded request
  bodies, and the registry of pages per device kind (``PAGE_MODULES``: each module has ``routes()``).
- ``auth.py``: the one place a device's token becomes an ``Actor`` (401 without a token, 403 with
  a wrong one, nothing of the hall in either).
- ``feed.py``: one background task per process that notices the store's changes (the highest event
  id, every 200 ms) and wakes every connected page's server-sent event stream.
- ``display.py``: the hall display (叫号大屏) for a 1920x1080 TV.
- ``server.py``: running the app with uvicorn (tokens kept out of the access log).

Adding a page for a device kind (pad, kiosk) or another door (a ticket's status page):

1. ``clerk_tui/web/<name>.py`` with ``routes()``: paths under ``/<kind>``; each endpoint starts with
   ``access = await device_access(request, KIND)`` (auth.py) and hands ``access.actor`` to the
   services, which check its role (roles.DEVICE_ROLES; add the permission the kind needs to
   roles.PERMISSIONS). The page's first load calls ``remember_device`` (the cookie for its path).
2. Its name in ``app.PAGE_MODULES``.
3. A template extending ``base.html`` and scripts in ``static/`` (ES5, no inline script: the CSP
   forbids it; ``live.js``'s ``ClerkLive.follow`` gives live data with a fallback poll, and
   ``feed.event_stream`` the server side of it, ``feed.memo`` one query per change for all).
4. Tests with the fixtures of tests/web_fixtures.py (web_hall, web_client, live_server,
   browser_page), and a ``Shot`` in scripts/web_screenshots.py (a ``DEMO_DEVICES`` line in
   services/setup.py gives the demo its URL).

Importing this package never imports textual.
"""
