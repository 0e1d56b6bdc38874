"""Read models of the hall for the home screens: a window's set-up and the hall overview."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from clerk_tui.services.catalog import get_hall
from clerk_tui.services.errors import unknown_window
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Hall, Queue, ServiceItem, Staff, Window, WindowQueue


@dataclass(frozen=True)
class WindowInfo:
    number: int
    name: str
    department: str | None
    queues: tuple[tuple[str, str], ...]  # (prefix, name) in the order the window serves them


def window_info(engine: Engine, number: int) -> WindowInfo:
    with read_session(engine) as session:
        win = session.exec(select(Window).where(Window.number == number)).first()
        if win is None:
            raise unknown_window(number)
        dept = session.get(Department, win.department_id) if win.department_id else None
        rows = session.exec(
            select(Queue)
            .join(WindowQueue, WindowQueue.queue_id == Queue.id)
            .where(WindowQueue.window_id == win.id)
            .order_by(WindowQueue.position)
        ).all()
        return WindowInfo(win.number, win.name, dept.name if dept else None, tuple((q.prefix, q.name) for q in rows))


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    phone: str
    items: int
    promised_items: int
    windows: tuple[int, ...]
    branch_hall: str | None


@dataclass(frozen=True)
class HallOverview:
    code: str
    name: str
    phone: str
    supervision_phone: str
    branch_halls: tuple[str, ...]
    departments: tuple[DepartmentRow, ...]
    windows: int
    items: int
    immediate_items: int
    staff: int
    locked_staff: tuple[str, ...]


def hall_overview(engine: Engine) -> HallOverview:
    with read_session(engine) as session:
        hall = get_hall(session)
        branches = session.exec(select(Hall).where(Hall.parent_id == hall.id).order_by(Hall.id)).all()
        branch_name = {b.id: b.name for b in branches}
        counts = {
            (dept_id, kind): n
            for dept_id, kind, n in session.exec(
                select(ServiceItem.department_id, ServiceItem.kind, func.count()).group_by(
                    ServiceItem.department_id, ServiceItem.kind
                )
            )
        }
        windows = session.exec(select(Window).order_by(Window.number)).all()
        depts = session.exec(select(Department).where(Department.hall_id == hall.id).order_by(Department.id)).all()
        staff = session.exec(select(Staff).where(Staff.active)).all()
        rows = tuple(
            DepartmentRow(
                d.name,
                d.phone,
                counts.get((d.id, "immediate"), 0) + counts.get((d.id, "promised"), 0),
                counts.get((d.id, "promised"), 0),
                tuple(w.number for w in windows if w.department_id == d.id),
                branch_name.get(d.branch_hall_id),
            )
            for d in depts
        )
        return HallOverview(
            hall.code,
            hall.name,
            hall.phone,
            hall.supervision_phone,
            tuple(b.name for b in branches),
            rows,
            len(windows),
            sum(counts.values()),
            sum(n for (_, k), n in counts.items() if k == "immediate"),
            len(staff),
            tuple(f"{s.number} {s.name}" for s in staff if s.locked),
        )
