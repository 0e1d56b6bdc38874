"""Running the web app: uvicorn on one process (the feed is per process), tokens kept out of logs."""

from __future__ import annotations

import logging
import re

from sqlalchemy.engine import Engine

from clerk_tui.settings import Settings

_TOKEN_IN_QUERY = re.compile(r"([?&]t=)[^&\s\"]*")


def redact(text: str) -> str:
    """A request line without its device token (``?t=…`` becomes ``?t=…``)."""
    return _TOKEN_IN_QUERY.sub(r"\1…", text)


class RedactTokens(logging.Filter):
    """uvicorn's access log names the full path with its query: drop the token from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(str(record.msg))
        return True


def make_server(settings: Settings, engine: Engine, host: str, port: int, *, log_level: str = "info"):
    """A uvicorn Server for the app (``.run()`` blocks; tests run it in a thread)."""
    import uvicorn

    from clerk_tui.web.app import make_web_app

    config = uvicorn.Config(
        make_web_app(settings, engine),
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=3,  # open event streams never end by themselves
        h11_max_incomplete_event_size=16 * 1024,
    )
    server = uvicorn.Server(config)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())
    return server
