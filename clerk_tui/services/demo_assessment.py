"""The demo hall's last month (窗口考核): build_demo calls it first, so that last month is closed and
its 流动红旗 windows show on the display and the supervisor's screen this month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.domain.assessment import previous_month
from clerk_tui.services import assessment
from clerk_tui.services import queue as q
from clerk_tui.services.calendar import hall_calendar
from clerk_tui.services.demo_modes import demo_actor


def demo_last_month(engine: Engine) -> None:
    """窗口考核 in the demo: a working day of last month at three windows (6 opened on time and served
    eight people, 12 served six after opening late, 21 served five), then last month closed by the
    supervisor, so the display and the supervisor's screen show this month's 流动红旗 windows; this
    month's deductions (a 差评 not yet rectified, a 推诿 flag, late cases) come from the morning."""
    now = clock.now().replace(second=0, microsecond=0)
    calendar = hall_calendar(engine)
    day = previous_month(now.date()) + dt.timedelta(days=14)
    while not calendar.workday(day)[0]:
        day += dt.timedelta(days=1)
    guide = demo_actor(engine, "8001")
    states = {w.number: w for w in q.window_states(engine, guide)}
    for window, opened, served in ((6, "08:50", 8), (12, "09:25", 6), (21, "08:55", 5)):
        clerk = demo_actor(engine, f"{1000 + window}", window)
        at = dt.datetime.combine(day, dt.time.fromisoformat(opened))
        with clock.frozen_at(at):
            q.open_window(engine, clerk, window)
        for _ in range(served):
            at += dt.timedelta(minutes=12)
            with clock.frozen_at(at):
                t = q.issue_ticket(engine, guide, queue=states[window].queues[0])
            with clock.frozen_at(at + dt.timedelta(minutes=2)):
                q.call_specific(engine, clerk, t.number, window)
                q.start_service(engine, clerk, t.number, window)
            with clock.frozen_at(at + dt.timedelta(minutes=9)):
                q.finish_service(engine, clerk, t.number, window)
        with clock.frozen_at(dt.datetime.combine(day, dt.time(17, 30))):
            q.close_window(engine, clerk, window, reason="下班")
    assessment.close_month(engine, demo_actor(engine, "9001"), f"{day:%Y-%m}")
