"""Transactions that retry lock conflicts inside the service, never showing them to a clerk."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from clerk_tui.store.engine import write_session

T = TypeVar("T")
RETRIES = 30


def _is_conflict(exc: Exception) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    text = str(orig or exc).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def transaction(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one writing transaction; a lock conflict rolls back and runs it again."""
    for attempt in range(RETRIES):
        try:
            with write_session(engine) as session:
                return work(session)
        except (OperationalError, DBAPIError) as exc:
            if not _is_conflict(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(min(0.2, 0.005 * (2 ** min(attempt, 6))) * (0.5 + random.random()))
    raise AssertionError("unreachable")
