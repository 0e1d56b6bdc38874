"""Creating a hall's database (``init``) and the demo hall (``demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Engine
from sqlmodel import select

from clerk_tui.domain.pins import hash_pin
from clerk_tui.domain.roles import CLERK, GUIDE, SUPERVISOR
from clerk_tui.services import events
from clerk_tui.services.catalog import apply_catalog
from clerk_tui.services.catalog_file import parse_catalog
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.staff import create_staff, ensure_admin
from clerk_tui.store import schema
from clerk_tui.store.engine import write_session
from clerk_tui.store.models import Department, Staff, Window


def data_dir() -> Path:
    """The shipped data/ folder: inside the wheel, or beside the package in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / "catalog").is_dir():
            return candidate
    raise ServiceError("找不到 clerk-tui 自带的数据目录 data/，请重新安装")


def default_catalog() -> Path:
    return data_dir() / "catalog" / "demo-hall.toml"


def drop_everything(engine: Engine) -> None:
    """Used by ``init --force`` only: remove every table of this database."""
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        meta.drop_all(conn)


@dataclass
class InitResult:
    items: int
    admin_pin: str | None


def init_database(engine: Engine, *, catalog: str | Path | None = None, force: bool = False,
                  admin_pin: str | None = None) -> InitResult:
    """Create the schema, load the catalog and create ``admin``. Refuses to overwrite a hall."""
    data = parse_catalog(catalog or default_catalog())  # validate before touching the database
    if data.hall is None:
        raise ServiceError(f"目录文件 {catalog} 缺少 [hall] 表，无法建立大厅")
    if inspect(engine).has_table("hall"):
        if not force:
            raise ServiceError("该数据库已经初始化过；如确需清空重建，请加 --force（将删除全部数据）")
        drop_everything(engine)
    elif force and inspect(engine).get_table_names():
        drop_everything(engine)
    schema.upgrade(engine)
    with write_session(engine) as session:
        counts = apply_catalog(session, data, actor=None, source=str(catalog or default_catalog()))
        _, generated = ensure_admin(session, admin_pin)
        events.record(session, "hall.initialised", subject=data.hall.code)
    return InitResult(counts["items_added"], generated)


DEMO_PIN = "123456"
# The demo's named staff: (number, name, role, department or None, window).
DEMO_STAFF = [
    ("8001", "林晓燕", GUIDE, None, None),
    ("8002", "周文斌", GUIDE, None, None),
    ("9001", "郑国强", SUPERVISOR, None, None),
]


def build_demo(engine: Engine) -> InitResult:
    """A fresh demo hall: the county catalog, admin, a guide desk, a clerk per window and a
    supervisor, all with the PIN ``123456``. Later capabilities add their morning to it."""
    result = init_database(engine, force=True, admin_pin=DEMO_PIN)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    given = ["丽", "强", "敏", "静", "军", "洁", "伟", "芳", "磊", "婷", "涛", "燕", "勇", "霞", "斌"]
    shared_hash = hash_pin(DEMO_PIN)  # one scrypt for the whole demo roster
    with write_session(engine) as session:
        for number, name, role, dept, _ in DEMO_STAFF:
            create_staff(session, number, name, role, DEMO_PIN, department=dept, pin_hash=shared_hash)
        windows = session.exec(select(Window).order_by(Window.number)).all()
        depts = {d.id: d.name for d in session.exec(select(Department))}
        for w in windows:
            name = surnames[w.number % len(surnames)] + given[w.number % len(given)] + ("华" if w.number % 3 else "")
            create_staff(session, f"{1000 + w.number}", name, CLERK, DEMO_PIN, department=depts.get(w.department_id),
                         pin_hash=shared_hash)
        events.record(session, "demo.built", subject="demo", staff=len(session.exec(select(Staff)).all()))
    demo_morning(engine)
    return result


def _demo_actor(engine: Engine, number: str, window: int | None = None):
    from clerk_tui.services.context import Actor
    from clerk_tui.store.engine import read_session

    with read_session(engine) as session:
        s = session.exec(select(Staff).where(Staff.number == number)).one()
        return Actor(s.id, s.number, s.name, s.role, s.department_id, window)


def demo_morning(engine: Engine, seed: int = 7) -> None:
    """A morning in progress: tickets waiting in several queues, windows serving, one paused,
    a transferred ticket, a no-show and appointments still to come. Backfilled through the
    services with the clock set back, so every row has its event like real work would."""
    import datetime as dt
    import random

    from clerk_tui import clock
    from clerk_tui.services import queue as q
    from clerk_tui.services.appointments import add_appointment
    from clerk_tui.services.catalog import list_items

    rng = random.Random(seed)
    now = clock.now().replace(second=0)
    start = now - dt.timedelta(minutes=100)
    guide = _demo_actor(engine, "8001")
    items = [g for g in list_items(engine) if g.windows]
    busy = [g for g in items if g.queue in ("D", "C", "E", "G", "H", "K")] or items
    open_windows = [1, 2, 3, 6, 8, 10, 12, 15, 18, 21, 24, 27]
    clerks = {n: _demo_actor(engine, f"{1000 + n}", n) for n in open_windows}
    with clock.frozen_at(start - dt.timedelta(minutes=10)):
        for n, actor in clerks.items():
            q.open_window(engine, actor, n)
    ids = ["11010519491231002X", "440524188001010014"]
    for i in range(80):
        t = start + dt.timedelta(seconds=int(i * 90 * 60 / 80) + rng.randint(0, 50))
        with clock.frozen_at(t):
            g = rng.choice(busy if rng.random() < 0.7 else items)
            priority = rng.choices(["none", "elderly", "disabled", "pregnant", "military"], [85, 8, 3, 2, 2])[0]
            q.issue_ticket(engine, guide, item_code=g.code, priority=priority,
                           id_number=ids[i] if i < len(ids) else None)
            # Windows call as the morning goes on; the last half hour's tickets mostly wait.
            for _ in range(2 if t < now - dt.timedelta(minutes=30) else 0):
                n = rng.choice(open_windows)
                actor = clerks[n]
                panel = q.window_panel(engine, n)
                if panel.current is not None:
                    q.finish_service(engine, actor, panel.current.number, n)
                result = q.call_next(engine, actor, n)
                if result.ticket is not None and rng.random() < 0.8:
                    q.start_service(engine, actor, result.ticket.number, n)
    with clock.frozen_at(now - dt.timedelta(minutes=12)):
        # A transfer: a ticket in hand at window 3 goes to the comprehensive queue A.
        panel = q.window_panel(engine, 3)
        if panel.current is None:
            q.call_next(engine, clerks[3], 3)
            panel = q.window_panel(engine, 3)
        if panel.current is not None:
            q.transfer(engine, clerks[3], panel.current.number, to_queue="A", reason="需先在综合窗口办理社保参保，再回本窗口")
        # A no-show: called twice more, then marked.
        result = q.call_next(engine, clerks[6], 6) if q.window_panel(engine, 6).current is None else None
        if result is not None and result.ticket is not None:
            q.recall(engine, clerks[6], result.ticket.number, 6)
            q.recall(engine, clerks[6], result.ticket.number, 6)
            q.mark_no_show(engine, clerks[6], result.ticket.number, 6)
    with clock.frozen_at(now - dt.timedelta(minutes=3)):
        for n in open_windows:  # most windows are busy with someone right now
            if n in (6, 12) or q.window_panel(engine, n).current is not None:
                continue
            result = q.call_next(engine, clerks[n], n)
            if result.ticket is not None and n % 2 == 0:
                q.start_service(engine, clerks[n], result.ticket.number, n)
    with clock.frozen_at(now - dt.timedelta(minutes=5)):
        panel = q.window_panel(engine, 12)
        if panel.current is not None:
            q.finish_service(engine, clerks[12], panel.current.number, 12)
        q.pause_window(engine, clerks[12], 12, "参加业务培训会议")
    # Appointments still to come this afternoon (and one for the checking-in demo).
    today = now.date().isoformat()
    slot = (now + dt.timedelta(minutes=5)).strftime("%H:%M"), (now + dt.timedelta(minutes=35)).strftime("%H:%M")
    if slot[0] < slot[1]:
        add_appointment(engine, guide, id_number="330102199001011234", item_code=busy[0].code, day=today,
                        start=slot[0], end=slot[1], name="陈静", phone="13905790001")
