"""The demo hall's 便民服务措施 and 前店后场 (build_demo calls it, after the morning and the cases)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import select

from clerk_tui import clock
from clerk_tui.domain.ids import id_check_char
from clerk_tui.services import cases as cs
from clerk_tui.services.calendar import hall_calendar
from clerk_tui.services.catalog import list_items
from clerk_tui.services.context import Actor
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Staff, Window


def demo_actor(engine: Engine, number: str, window: int | None = None) -> Actor:
    """The demo's staff member ``number`` as an actor (at ``window``), without a PIN."""
    with read_session(engine) as session:
        s = session.exec(select(Staff).where(Staff.number == number)).one()
        return Actor(s.id, s.number, s.name, s.role, s.department_id, window)


def valid_id(first17: str) -> str:
    """A made-up person's resident ID number: 17 digits and their check character."""
    return first17 + id_check_char(first17)


def workdays_before(calendar, day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``day`` (``day`` itself for 0)."""
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= calendar.workday(day)[0]
    return day


def demo_modes(engine: Engine) -> None:
    """便民服务措施 and 前店后场: a 全程代办 case the guide 周文斌 (8002) carries for an elderly
    applicant, a 上门服务 case done at a disabled applicant's home, one taken in after hours; and at
    the 住建局 window (a department that decides in its back office) a case in the back office for
    some days and one that came back and was delivered, so ``report modes`` and the case screen
    have something true to show."""
    now = clock.now().replace(second=0, microsecond=0)
    calendar = hall_calendar(engine)
    items = list_items(engine)

    def day_at(n: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(workdays_before(calendar, now.date(), n), dt.time(hour, minute))

    def first(department: str, kind: str):
        return next(g for g in items if g.department == department and g.kind == kind and g.windows)

    def run(at: dt.datetime, func, *args, window: int | None = None, number: str = "", **kw):
        with clock.frozen_at(min(at, now)):
            return func(engine, demo_actor(engine, number or f"{1000 + (window or 0)}", window), *args, **kw)

    def own_window(department: str) -> int:
        """The department's own window (not a comprehensive one that also serves its items)."""
        with read_session(engine) as session:
            return session.exec(
                select(Window.number)
                .join(Department, Department.id == Window.department_id)
                .where(Department.name == department)
                .order_by(Window.number)
            ).all()[0]

    def intake(at, item, who, decision="accept", **kw) -> cs.CaseView:
        window = own_window(item.department)
        request = cs.IntakeRequest(
            item_code=item.code,
            applicant=cs.Applicant("person", who[0], valid_id(who[1]), who[2]),
            decision=decision,
            materials_received=[m.name for m in item.materials],
            **kw,
        )
        return run(at, cs.intake, request, window=window)

    civil = first("县民政局", "promised")
    intake(day_at(2, 10, 20), civil, ("赵桂兰", "33078219380406002", "13805790201"), mode="agency", agency_staff="8002")
    disabled = first("县残疾人联合会", "immediate")
    intake(
        day_at(1, 16, 30),
        disabled,
        ("钱德明", "33078219560918001", "13805790202"),
        "immediate",
        result="approved",
        mode="visit",
        visit_address="云溪县城关镇幸福村3组12号",
        visit_at=f"{day_at(1, 15, 0):%Y-%m-%d %H:%M}",
    )
    intake(
        day_at(1, 17, 50),
        first("县民政局", "immediate"),
        ("孙丽娟", "33078219880223004", "13805790203"),
        "immediate",
        result="approved",
    )
    housing = first("县住房和城乡建设局", "promised")
    window = own_window(housing.department)
    waiting = intake(day_at(4, 9, 40), housing, ("周建平", "33078219751103001", "13805790204"))
    run(day_at(4, 15, 10), cs.send_back, waiting.number, window=window, note="送县住建局行政审批科")
    back = intake(day_at(9, 10, 5), housing, ("吴海涛", "33078219830517003", "13805790205"))
    run(day_at(9, 14, 0), cs.send_back, back.number, window=window, note="送县住建局行政审批科")
    run(day_at(3, 11, 30), cs.returned, back.number, window=window, result="approved")
    run(day_at(2, 9, 15), cs.deliver, back.number, window=window, method="collect")
