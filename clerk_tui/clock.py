"""The one clock. Every "now" in clerk-tui comes from here; ``CLERK_TUI_NOW`` overrides it.

The override is an ISO timestamp (``2026-11-26T09:30`` or a date); the clock then stands still at
that moment, which is what tests, demos and backfilling need. Times are the hall's local time,
naive, as the hall's papers print them.
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "CLERK_TUI_NOW"


class ClockError(ValueError):
    pass


def parse_now(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ClockError(f"{ENV}={text!r} 不是有效的时间，请写成 2026-11-26T09:30:00 的形式") from exc
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value


def overridden() -> bool:
    """Whether ``CLERK_TUI_NOW`` stands the clock still (tests, demos, backfilling)."""
    return bool(os.environ.get(ENV))


def now() -> dt.datetime:
    override = os.environ.get(ENV)
    if override:
        return parse_now(override)
    return dt.datetime.now().replace(microsecond=0)


def today() -> dt.date:
    return now().date()


class frozen_at:
    """Run a block as if it were ``moment`` (used to backfill the demo's morning)."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment
        self.saved: str | None = None

    def __enter__(self) -> dt.datetime:
        self.saved = os.environ.get(ENV)
        os.environ[ENV] = self.moment.isoformat(timespec="seconds")
        return self.moment

    def __exit__(self, *exc) -> None:
        if self.saved is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self.saved
