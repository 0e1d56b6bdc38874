"""Marks the store keeps about itself (table ``store_mark``): above all, that a database was built
by ``clerk-tui demo``. A demo hall may keep short, obvious PINs and may be rebuilt by ``demo``; a
real hall may not."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from clerk_tui.store.engine import read_session
from clerk_tui.store.models import StoreMark

DEMO = "demo"


def mark(session: Session, key: str, value: str) -> None:
    """Set a mark in the caller's transaction (the caller records the event that explains it)."""
    row = session.get(StoreMark, key)
    if row is None:
        session.add(StoreMark(key=key, value=value))
    else:
        row.value = value


def mark_demo(session: Session) -> None:
    mark(session, DEMO, "1")


def session_is_demo(session: Session) -> bool:
    row = session.get(StoreMark, DEMO)
    return row is not None and row.value == "1"


def is_demo(engine: Engine) -> bool:
    """Whether this database was built as a demo (False for a database with no schema yet)."""
    if not inspect(engine).has_table("store_mark"):
        return False
    with read_session(engine) as session:
        return session_is_demo(session)


def require_real_clock(engine: Engine) -> None:
    """``CLERK_TUI_NOW`` stands the clock still for tests, demos and backfilling. On a real hall it
    would let anyone date a ticket, a case or an event as they please: only a demo hall takes it."""
    from clerk_tui import clock
    from clerk_tui.services.errors import ServiceError

    if clock.overridden() and not is_demo(engine):
        raise ServiceError(f"{clock.ENV} 只能用于演示大厅：正式大厅的时间以本机时钟为准，请取消该环境变量后重试")
