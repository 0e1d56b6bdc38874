"""大厅巡查 findings, as the monthly assessment reads them: ``patrol_findings(engine, start, end)``.

The patrol itself (recording a round window by window) is another capability's; this module is the
interface the assessment keeps to: every ``patrol.finding`` event of the period, whose payload names
the window, the clerk (staff id, if one sat there), the item (absent, badge, discipline, tidiness,
manner) and a note."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event

ITEMS = ("absent", "badge", "discipline", "tidiness", "manner")


@dataclass(frozen=True)
class Finding:
    window_number: int
    staff_id: int | None
    item: str  # absent | badge | discipline | tidiness | manner
    note: str
    at: dt.datetime


def patrol_findings(engine: Engine, start: dt.date, end: dt.date) -> list[Finding]:
    """The findings recorded from ``start`` to ``end`` (whole days), oldest first; [] when none."""
    since = dt.datetime.combine(start, dt.time())
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    out = []
    with read_session(engine) as session:
        rows = session.execute(
            select(Event.at, Event.window_number, Event.payload)
            .where(Event.kind == "patrol.finding", Event.at >= since, Event.at < until)
            .order_by(Event.id)
        ).all()
    for at, window, payload in rows:
        data = json.loads(payload or "{}")
        number = data.get("window_number", window)
        item = data.get("item")
        if not isinstance(number, int) or item not in ITEMS:
            continue  # a finding without a window or item counts for no one
        staff = data.get("staff_id")
        when = data.get("at")
        out.append(
            Finding(
                number,
                staff if isinstance(staff, int) else None,
                item,
                str(data.get("note", "")),
                dt.datetime.fromisoformat(when) if isinstance(when, str) else at,
            )
        )
    return out
