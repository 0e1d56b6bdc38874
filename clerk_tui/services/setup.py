"""Creating a hall's database (``init``) and the demo hall (``demo``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock, paths
from clerk_tui.domain.roles import CLERK, GUIDE, SUPERVISOR
from clerk_tui.services import cases as cs
from clerk_tui.services import duty, events, marks, pin_key, printing, ratings
from clerk_tui.services import queue as q
from clerk_tui.services import responsibility as rs
from clerk_tui.services.appointments import add_appointment
from clerk_tui.services.calendar import hall_calendar
from clerk_tui.services.cases import list_cases
from clerk_tui.services.catalog import apply_catalog, list_items
from clerk_tui.services.catalog_file import parse_catalog
from clerk_tui.services.contents import HallContents, database_name, hall_contents
from clerk_tui.services.context import Actor, require
from clerk_tui.services.demo_assessment import demo_last_month
from clerk_tui.services.demo_modes import demo_actor, demo_modes, valid_id, workdays_before
from clerk_tui.services.devices import NewDevice, add_device
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.queue import list_tickets
from clerk_tui.services.staff import check_new_pin, create_staff, ensure_admin, new_pin_hash
from clerk_tui.services.tx import transaction
from clerk_tui.settings import PrintSettings
from clerk_tui.store import schema
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Staff, Ticket, Window


def data_dir() -> Path:
    """The shipped data/ folder (clerk_tui/paths.py), or a refusal that says to reinstall."""
    try:
        return paths.data_dir()
    except paths.DataMissing as exc:
        raise ServiceError(str(exc)) from None


def default_catalog() -> Path:
    return data_dir() / "catalog" / "demo-hall.toml"


@dataclass
class InitResult:
    items: int
    admin_pin: str | None
    erased: HallContents | None = None  # what ``init --force`` removed (None: the database was empty)
    devices: tuple[NewDevice, ...] = ()  # the demo's public devices, with their tokens (shown once)


def init_database(
    engine: Engine,
    *,
    catalog: str | Path | None = None,
    force: bool = False,
    admin_pin: str | None = None,
    actor: Actor | None = None,
    demo: bool = False,
) -> InitResult:
    """Create the schema, load the catalog and create ``admin``. A new (empty) database needs no
    login: its hall has no administrator yet. A database that already holds a hall is refused
    without ``force``; with it, only its administrator (``actor``) may erase and rebuild it.
    Creates the PIN key file if there is none yet. ``demo``: marked as a demo hall (its PINs may be
    short and obvious) before its first PIN is set."""
    data = parse_catalog(catalog or default_catalog())  # validate before touching the database
    if data.hall is None:
        raise ServiceError(f"目录文件 {catalog} 缺少 [hall] 表，无法建立大厅")
    if admin_pin:
        check_new_pin(admin_pin, demo=demo)
    contents = hall_contents(engine)
    if contents is not None and not contents.empty:
        if not force:
            raise ServiceError(
                f"数据库 {database_name(engine)} 已经有大厅（{contents.describe()}）；"
                "如确需清空重建，请由系统管理员登录后加 --force（将删除全部数据）"
            )
        by = require(actor, "hall.reset").number
    else:
        by = actor.number if actor else ""
    return _build(
        engine, data, catalog, admin_pin, drop=force and contents is not None, erased=contents, by=by, demo=demo
    )


def _build(
    engine: Engine,
    data,
    catalog,
    admin_pin: str | None,
    *,
    drop: bool,
    erased: HallContents | None,
    by: str = "",
    demo: bool = False,
) -> InitResult:
    pin_key.ensure_key_file()  # before the schema: a hall is never left without its key
    if drop:
        schema.drop_everything(engine)
    schema.upgrade(engine)
    assert data.hall is not None

    def load(session: Session) -> InitResult:
        if demo:
            marks.mark_demo(session)  # a demo hall: rebuilt by `demo`, its obvious PINs allowed
        counts = apply_catalog(session, data, actor=None, source=str(catalog or default_catalog()))
        _, generated = ensure_admin(session, admin_pin)
        if erased is not None and not erased.empty:  # the new log's first word: what was erased before it
            events.record(
                session,
                "hall.erased",
                subject=erased.code or data.hall.code,
                halls=erased.halls,
                cases=erased.cases,
                events=erased.events,
                tickets=erased.tickets,
                by=by,  # the administrator who confirmed it (their staff row is gone with the rest)
            )
        events.record(session, "hall.initialised", subject=data.hall.code)
        return InitResult(counts["items_added"], generated, erased if erased is not None and not erased.empty else None)

    return transaction(engine, load)


DEMO_PIN = "123456"
# The demo's named staff: (number, name, role, department or None, window).
DEMO_STAFF = [
    ("8001", "林晓燕", GUIDE, None, None),
    ("8002", "周文斌", GUIDE, None, None),
    ("9001", "郑国强", SUPERVISOR, None, None),
    ("9002", "陈静", SUPERVISOR, None, None),  # yesterday's supervisor on duty, who left a handover note
]


def build_demo(engine: Engine) -> InitResult:
    """A fresh demo hall: the county catalog, admin, a guide desk, a clerk per window and a
    supervisor, all with the PIN ``123456``. Later capabilities add their morning to it.

    It writes only to a database it made itself: a new or empty one, or an earlier demo (marked as
    one inside it). Any other database (a hall, or tables of anything else) is refused, untouched."""
    contents = hall_contents(engine)
    if contents is not None and not marks.is_demo(engine):
        what = contents.describe() if not contents.empty else "已有数据表"
        raise ServiceError(
            f"数据库 {database_name(engine)} 不是演示库（{what}），演示不会覆盖它："
            "请换一个数据库（不加 --db 时使用默认的演示库），或删除该文件后重试"
        )
    result = _build(
        engine, parse_catalog(default_catalog()), None, DEMO_PIN, drop=contents is not None, erased=None, demo=True
    )
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    given = ["丽", "强", "敏", "静", "军", "洁", "伟", "芳", "磊", "婷", "涛", "燕", "勇", "霞", "斌"]
    shared_hash = new_pin_hash(DEMO_PIN)  # one scrypt for the whole demo roster

    def staff(session: Session) -> None:
        for number, name, role, dept, _ in DEMO_STAFF:
            create_staff(session, number, name, role, DEMO_PIN, department=dept, pin_hash=shared_hash)
        windows = session.exec(select(Window).order_by(Window.number)).all()
        depts = {d.id: d.name for d in session.exec(select(Department))}
        for w in windows:
            name = surnames[w.number % len(surnames)] + given[w.number % len(given)] + ("华" if w.number % 3 else "")
            create_staff(
                session,
                f"{1000 + w.number}",
                name,
                CLERK,
                DEMO_PIN,
                department=depts.get(w.department_id),
                pin_hash=shared_hash,
            )
        events.record(session, "demo.built", subject="demo", staff=len(session.exec(select(Staff)).all()))

    transaction(engine, staff)
    with clock.frozen_at(_demo_moment(clock.now())):
        demo_last_month(engine)  # first: it opens and closes windows on a day of last month
        demo_morning(engine)
        demo_cases(engine)
        demo_printing(engine)
        demo_responsibility(engine)
        demo_ratings(engine)
        duty.demo_duty(engine, *(demo_actor(engine, n) for n in ("admin", "9001", "9002")))
        demo_modes(engine)  # services/demo_modes.py: the service modes and the back office
    result.devices = demo_devices(engine)
    return result


# The demo's public devices (clerk-tui serve): (kind, name, window).
DEMO_DEVICES: tuple[tuple[str, str, int | None], ...] = (
    ("display", "大厅叫号屏", None),
    ("pad", "3号窗口评价器", 3),  # 1003 works at window 3: the pad shows her badge and asks after F9
    ("kiosk", "大厅自助取号机", None),  # prints on the settings' ticket printer
)


def demo_devices(engine: Engine) -> tuple[NewDevice, ...]:
    """The demo's devices, registered by its supervisor; their tokens go back to the demo command,
    which prints their URLs."""
    supervisor = demo_actor(engine, "9001")
    return tuple(add_device(engine, supervisor, kind, name, window=window) for kind, name, window in DEMO_DEVICES)


def demo_waiting_ticket(engine: Engine):
    """The demo's newest waiting ticket (its status page is the demo's example), or None."""
    waiting = list_tickets(engine, demo_actor(engine, "8001"), status="waiting")
    return waiting[-1] if waiting else None


def _demo_moment(now):
    """The moment the demo's morning ends: now, kept between 02:00 and 23:00 so that the two hours
    it reaches back and the appointment slot it books ahead stay within today (a demo built just
    after midnight otherwise spread its tickets over two business days)."""
    return min(
        max(now, dt.datetime.combine(now.date(), dt.time(2, 0))), dt.datetime.combine(now.date(), dt.time(23, 0))
    )


def demo_morning(engine: Engine, seed: int = 7) -> None:
    """A morning in progress: tickets waiting in several queues, windows serving, one paused,
    a transferred ticket, a no-show and appointments still to come. Backfilled through the
    services with the clock set back, so every row has its event like real work would."""
    rng = random.Random(seed)
    now = clock.now().replace(second=0)
    start = now - dt.timedelta(minutes=100)
    guide = demo_actor(engine, "8001")
    items = [g for g in list_items(engine) if g.windows]
    busy = [g for g in items if g.queue in ("D", "C", "E", "G", "H", "K")] or items
    open_windows = [1, 2, 3, 6, 8, 10, 12, 15, 18, 21, 24, 27]
    clerks = {n: demo_actor(engine, f"{1000 + n}", n) for n in open_windows}
    with clock.frozen_at(start - dt.timedelta(minutes=10)):
        for n, actor in clerks.items():
            q.open_window(engine, actor, n)
    ids = ["11010519491231002X", "440524188001010014"]
    for i in range(80):
        t = start + dt.timedelta(seconds=int(i * 90 * 60 / 80) + rng.randint(0, 50))
        with clock.frozen_at(t):
            g = rng.choice(busy if rng.random() < 0.7 else items)
            priority = rng.choices(["none", "elderly", "disabled", "pregnant", "military"], [85, 8, 3, 2, 2])[0]
            q.issue_ticket(
                engine, guide, item_code=g.code, priority=priority, id_number=ids[i] if i < len(ids) else None
            )
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
    # Window 3's own line: the case walkthrough at window 3 starts with F5, so people wait there
    # whatever the hour. Its items in a queue no other open window serves (工程建设, L), so nobody
    # else calls them; promised and immediate ones, so 受理 and 即办 both have a ticket to start from.
    other_queues = {
        p for w in q.window_states(engine, guide) if w.number in open_windows and w.number != 3 for p in w.queues
    }
    mine = [g for g in items if 3 in g.windows and g.queue not in other_queues] or [g for g in items if 3 in g.windows]
    promised = [g for g in mine if g.kind == "promised" and any(m.required for m in g.materials)] or mine
    immediate = [g for g in mine if g.kind == "immediate"] or mine
    for minutes, g in zip(
        (26, 22, 19, 16, 14),
        (
            promised[0],
            promised[1 % len(promised)],
            immediate[0],
            promised[2 % len(promised)],
            immediate[1 % len(immediate)],
        ),
        strict=False,
    ):
        with clock.frozen_at(now - dt.timedelta(minutes=minutes, seconds=rng.randint(0, 50))):
            q.issue_ticket(engine, guide, item_code=g.code)
    with clock.frozen_at(now - dt.timedelta(minutes=12)):
        # A transfer: a ticket in hand at window 3 goes to the comprehensive queue A.
        panel = q.window_panel(engine, 3)
        if panel.current is None:
            q.call_next(engine, clerks[3], 3)
            panel = q.window_panel(engine, 3)
        if panel.current is not None:
            q.transfer(
                engine, clerks[3], panel.current.number, to_queue="A", reason="需先在综合窗口办理社保参保，再回本窗口"
            )
        # A no-show: called twice more, then marked.
        no_show = q.call_next(engine, clerks[6], 6) if q.window_panel(engine, 6).current is None else None
        if no_show is not None and no_show.ticket is not None:
            q.recall(engine, clerks[6], no_show.ticket.number, 6)
            q.recall(engine, clerks[6], no_show.ticket.number, 6)
            q.mark_no_show(engine, clerks[6], no_show.ticket.number, 6)
    with clock.frozen_at(now - dt.timedelta(minutes=3)):
        for n in open_windows:  # most windows are busy with someone right now
            if n in (3, 6, 12) or q.window_panel(engine, n).current is not None:  # 3: free for the walkthrough
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
        add_appointment(
            engine,
            guide,
            id_number="330102199001011234",
            item_code=busy[0].code,
            day=today,
            start=slot[0],
            end=slot[1],
            name="陈静",
            phone="13905790001",
        )


DEMO_APPLICANTS = [  # (name, the first 17 digits of a resident ID number, phone): made-up people
    ("张建国", "11010519491231002", "13805790101"),
    ("李秀英", "44052418800101001", "13905790102"),
    ("王志强", "33010219900101123", "13705790103"),
    ("刘海燕", "33078219850715002", "13605790104"),
    ("陈晓东", "33078219790312031", "13505790105"),
    ("杨丽华", "33078219921128042", "15805790106"),
]


def demo_cases(engine: Engine, seed: int = 11) -> None:
    """Cases in every state over the last weeks, backfilled through the services: at window 3
    (clerk 1003) one red and one yellow, one waiting for a supplement, one suspended, one
    handed over to 1003 and not yet acknowledged; elsewhere immediate, delivered, rejected and
    withdrawn cases, so the case list and the console's risk line have something true to show."""
    rng = random.Random(seed)
    now = clock.now().replace(second=0, microsecond=0)
    calendar = hall_calendar(engine)

    def workdays_back(n: int) -> dt.datetime:
        day = workdays_before(calendar, now.date(), n)
        return dt.datetime.combine(day, dt.time(9, 30)) + dt.timedelta(minutes=rng.randint(0, 360))

    items = list_items(engine)
    people = [valid_id(f"330782{1950 + i:04d}{1 + i % 12:02d}{10 + i % 18:02d}{100 + i:03d}") for i in range(40)]
    names = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"

    def applicant(i: int) -> cs.Applicant:
        given = ("建华", "秀兰", "志明", "丽萍", "国平", "海燕", "晓东", "春梅", "伟", "静")
        return cs.Applicant(
            "person", names[i % len(names)] + given[i % len(given)], people[i % len(people)], f"139{57900000 + i:08d}"
        )

    def intake(window: int, at: dt.datetime, item, decision: str, i: int, *, who=None, **kw) -> cs.CaseView:
        actor = demo_actor(engine, f"{1000 + window}", window)
        names_all = [m.name for m in item.materials]
        required = [m.name for m in item.materials if m.required]
        received = names_all if decision != "supplement" else [n for n in names_all if n != required[-1]]
        with clock.frozen_at(at):
            return cs.intake(
                engine,
                actor,
                cs.IntakeRequest(
                    item_code=item.code,
                    applicant=who or applicant(i),
                    decision=decision,
                    materials_received=received,
                    **kw,
                ),
            )

    def promised_at(window: int) -> list:
        return [
            g
            for g in items
            if window in g.windows
            and g.kind == "promised"
            and g.promised_limit_days >= 3
            and any(m.required for m in g.materials)
        ]

    def immediate_at(window: int) -> list:
        return [g for g in items if window in g.windows and g.kind == "immediate"]

    def step(window: int, at: dt.datetime, func, number: str, **kw):
        with clock.frozen_at(at):
            return func(engine, demo_actor(engine, f"{1000 + window}", window), number, **kw)

    def demo_person(entry) -> cs.Applicant:
        return cs.Applicant("person", entry[0], valid_id(entry[1]), entry[2])

    # Window 3 (clerk 1003): the walkthrough's cases.
    mine = promised_at(3)
    red_item = mine[0]
    overdue = intake(
        3, workdays_back(red_item.promised_limit_days + 2), red_item, "accept", 0, who=demo_person(DEMO_APPLICANTS[0])
    )
    step(3, workdays_back(red_item.promised_limit_days + 1), cs.start, overdue.number)
    yellow_item = mine[1]
    intake(
        3,
        workdays_back(yellow_item.promised_limit_days - 1),
        yellow_item,
        "accept",
        1,
        who=demo_person(DEMO_APPLICANTS[1]),
    )
    supp_item = mine[2]
    intake(3, workdays_back(1), supp_item, "supplement", 2, who=demo_person(DEMO_APPLICANTS[2]))
    suspended_item = mine[3]
    s = intake(3, workdays_back(4), suspended_item, "accept", 3, who=demo_person(DEMO_APPLICANTS[3]))
    step(3, workdays_back(3), cs.start, s.number)
    step(3, workdays_back(2), cs.suspend, s.number, reason="现场核查（消防、卫生条件）", days=5)
    handed_item = promised_at(2)[0] if promised_at(2) else mine[4]
    h = intake(2, workdays_back(2), handed_item, "accept", 4, who=demo_person(DEMO_APPLICANTS[4]))
    with clock.frozen_at(workdays_back(1)):
        cs.handover(
            engine, demo_actor(engine, "1002", 2), h.number, to="1003", reason="1002号窗口人员轮岗，移交3号窗口继续办理"
        )
    ext_item = mine[5]
    e = intake(
        3, workdays_back(ext_item.promised_limit_days), ext_item, "accept", 5, who=demo_person(DEMO_APPLICANTS[5])
    )
    with clock.frozen_at(workdays_back(1)):
        cs.extend(engine, demo_actor(engine, "9001"), e.number, days=5, reason="需组织专家论证，已告知申请人")
    i = 10
    # The rest of the hall: three weeks of ordinary work at a few windows.
    for window in (1, 2, 3, 10, 15, 18, 21, 24):
        promised, immediate = promised_at(window), immediate_at(window)
        for _k in range(10):
            i += 1
            back = rng.randint(1, 15)
            at = workdays_back(back)
            if immediate and rng.random() < 0.45:
                denied = rng.random() < 0.1
                intake(
                    window,
                    at,
                    rng.choice(immediate),
                    "immediate",
                    i,
                    result="denied" if denied else "approved",
                    reason="不符合办理条件：申请人非本县户籍" if denied else "",
                )
                continue
            if not promised:
                continue
            g = rng.choice(promised)
            roll = rng.random()
            if roll < 0.06:
                intake(
                    window,
                    at,
                    g,
                    "reject",
                    i,
                    reason="申请事项不属于本机关职权范围",
                    competent_department="市行政审批局",
                    competent_phone="0579-82001234",
                )
                continue
            c = intake(window, at, g, "accept", i)
            if back > g.promised_limit_days - 1 or roll > 0.7:  # most old cases are finished in time
                done_at = min(workdays_back(max(0, back - rng.randint(1, max(1, g.promised_limit_days - 1)))), now)
                step(window, done_at, cs.complete, c.number, result="approved")
                if rng.random() < 0.7:
                    method = rng.choice(["collect", "mail"])
                    step(
                        window,
                        done_at,
                        cs.deliver,
                        c.number,
                        method=method,
                        tracking=f"EMS{c.number[2:]}" if method == "mail" else "",
                    )  # no extra draw: same demo
            elif roll < 0.1:
                step(window, at, cs.withdraw, c.number, reason="申请人主动撤回申请")
            elif roll < 0.5:
                step(window, at, cs.start, c.number)


def demo_printing(engine: Engine) -> None:
    """Print jobs of the morning: papers that came out, and the guide desk's ticket printer that
    was unplugged, leaving two tickets pending (Ctrl+R shows them, R retries)."""
    guide = demo_actor(engine, "8001")
    clerk = demo_actor(engine, "1003", 3)
    for case in list_cases(engine, clerk, owner="1003", limit=3):
        paper = "receipt" if case.accepted_on else "supplement-notice" if case.status == "supplement_pending" else None
        if paper:
            printing.print_paper(engine, clerk, paper, case.number, printer="dummy:")
    for ticket in list_tickets(engine, guide, status="waiting")[-2:]:
        unplugged = PrintSettings(ticket="usb:///dev/usb/lp9")  # the guide desk's printer, as its settings name it
        printing.print_paper(engine, guide, "ticket", ticket.number, cfg=unplugged)


def demo_responsibility(engine: Engine) -> None:
    """首问负责制 in the demo: an open inquiry at the guide desk, a referral from window 3 that window
    15 has not called for 25 minutes, and a ticket transferred twice (a buck-passing flag)."""
    now = clock.now().replace(second=0, microsecond=0)
    guide, clerk3 = demo_actor(engine, "8001"), demo_actor(engine, "1003", 3)
    with clock.frozen_at(now - dt.timedelta(minutes=8)):
        rs.open_inquiry(
            engine,
            guide,
            matter="咨询：老人行动不便，能否由子女代办养老保险待遇领取",
            name="孙女士",
            phone="13905790188",
        )
    with clock.frozen_at(now - dt.timedelta(minutes=25)):
        i = rs.open_inquiry(engine, clerk3, matter="在3号窗口问不动产抵押登记", name="周先生", phone="13905790266")
        rs.refer(engine, clerk3, i.id, to_window=15)
    states = {w.number: w for w in q.window_states(engine, guide)}
    first, second = (n for n in (8, 10) if states[n].status == "open")
    queue_of = {n: states[n].queues[0] for n in (first, second)}
    with clock.frozen_at(now - dt.timedelta(minutes=40)):
        t = q.issue_ticket(engine, guide, queue=queue_of[first])
    with clock.frozen_at(now - dt.timedelta(minutes=30)):
        q.transfer(
            engine,
            demo_actor(engine, f"{1000 + first}", first),
            t.number,
            to_queue=queue_of[second],
            reason="材料涉及另一部门，请到该窗口办理",
        )
    with clock.frozen_at(now - dt.timedelta(minutes=20)):
        q.transfer(
            engine,
            demo_actor(engine, f"{1000 + second}", second),
            t.number,
            to_queue=queue_of[first],
            reason="应先在原窗口办理前置手续",
        )


def demo_ratings(engine: Engine) -> None:
    """好差评 of the morning: most visits rated well, one 差评 with its follow-up still open, one
    follow-up from last week overdue, and a few 未评价."""
    with read_session(engine) as session:
        done = list(
            session.exec(
                select(Ticket)
                .where(Ticket.business_date == clock.today(), Ticket.status == "done")
                .order_by(Ticket.finished_at)
            )
        )
    levels = [5, 5, 4, 5, None, 4, 5, 3, 5, 2, 5, 4, None, 5]
    for t, level in zip(done, levels, strict=False):
        with clock.frozen_at(t.finished_at + dt.timedelta(minutes=1)):
            ratings.rate(
                engine,
                None,
                t.window_number,
                t.number,
                level,
                reasons=["等候时间长"] if level == 2 else [],
                text="排队一个多小时，窗口太少" if level == 2 else "",
            )
    if len(done) > len(levels):  # an older bad rating whose follow-up is overdue
        t = done[len(levels)]
        with clock.frozen_at(t.finished_at + dt.timedelta(minutes=1)):
            ratings.rate(
                engine,
                None,
                t.window_number,
                t.number,
                1,
                reasons=["服务态度差"],
                text="工作人员不耐烦",
                followup_days=0,
            )
