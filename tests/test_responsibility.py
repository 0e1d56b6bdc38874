"""首问负责制: the rules engine table-tested, and the inquiry services on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from clerk_tui.domain import responsibility as r
from clerk_tui.services import queue as q
from clerk_tui.services import responsibility as rs
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.staff import add_staff, login

T0 = dt.datetime(2026, 11, 26, 9, 0)
RULES = r.Rules(
    handover_ack_minutes=15, buck_passing_transfers=2, escalate_after_minutes=30, case_handover_ack_minutes=60
)


def at(minutes):
    return T0 + dt.timedelta(minutes=minutes)


# ---------------------------------------------------------------- the rules engine, as a table

CASES = [
    # (description, now (minutes after T0), inquiries, tickets, cases, expected (kind, responsible) list)
    ("open inquiry, not yet due", 29, [r.InquiryFact(1, "1001", T0, "咨询")], [], [], []),
    (
        "open inquiry escalates at 30 min",
        30,
        [r.InquiryFact(1, "1001", T0, "咨询")],
        [],
        [],
        [("inquiry_escalation", "1001")],
    ),
    ("answered inquiry: nothing", 90, [r.InquiryFact(1, "1001", T0, "咨询", "answered")], [], [], []),
    (
        "referral within 15 min: nothing",
        14,
        [r.InquiryFact(1, "1001", T0, "咨询", "referred", handed_over_at=T0, to="5号窗口", ticket="A001")],
        [],
        [],
        [],
    ),
    (
        "referral not called after 15 min",
        15,
        [r.InquiryFact(1, "1001", T0, "咨询", "referred", handed_over_at=T0, to="5号窗口", ticket="A001")],
        [],
        [],
        [("referral_unacknowledged", "1001")],
    ),
    (
        "referral called: ended",
        60,
        [r.InquiryFact(1, "1001", T0, "咨询", "referred", handed_over_at=T0, acknowledged_at=at(20), to="5号窗口")],
        [],
        [],
        [],
    ),
    (
        "absent handover goes to the department's clerks",
        20,
        [
            r.InquiryFact(
                2, "8001", T0, "咨询", "absent", handed_over_at=T0, to="县民政局", department_staff=("1002", "1004")
            )
        ],
        [],
        [],
        [("handover_unacknowledged", "1002"), ("handover_unacknowledged", "1004")],
    ),
    ("one transfer: nothing", 0, [], [r.TicketFact("A001", T0.date(), 1, "1003")], [], []),
    (
        "two transfers flag buck-passing",
        0,
        [],
        [r.TicketFact("A001", T0.date(), 2, "1003")],
        [],
        [("buck_passing", "1003")],
    ),
    (
        "yellow and red cases remind the owner",
        0,
        [],
        [],
        [
            r.CaseFact("YX1", "1003", "yellow", T0.date()),
            r.CaseFact("YX2", "1004", "red", T0.date()),
            r.CaseFact("YX3", "1005", "none", T0.date()),
        ],
        [("case_red", "1004"), ("case_yellow", "1003")],
    ),
    (
        "case handover not acknowledged in time: the receiver",
        61,
        [],
        [],
        [r.CaseFact("YX4", "1003", "none", None, handover_to="1002", handover_at=T0)],
        [("case_handover_unacknowledged", "1002")],
    ),
    (
        "case handover still in time",
        59,
        [],
        [],
        [r.CaseFact("YX4", "1003", "none", None, handover_to="1002", handover_at=T0)],
        [],
    ),
]


@pytest.mark.parametrize("name,now,inquiries,tickets,cases,expected", CASES, ids=[c[0] for c in CASES])
def test_rules_engine(name, now, inquiries, tickets, cases, expected):
    alerts = r.evaluate(at(now), RULES, inquiries, tickets, cases)
    assert sorted((a.kind, a.responsible) for a in alerts) == sorted(expected)
    for a in alerts:
        assert a.why and a.subject and a.key


def test_dismissed_alert_is_gone_and_keys_are_stable():
    facts = [r.InquiryFact(1, "1001", T0, "咨询")]
    first = r.evaluate(at(40), RULES, facts)
    again = r.evaluate(at(50), RULES, facts)
    assert [a.key for a in first] == [a.key for a in again] == ["inquiry:1:open"]
    assert r.evaluate(at(50), RULES, facts, dismissed=frozenset({"inquiry:1:open"})) == []


@pytest.mark.parametrize(
    "outcome,fields,ok",
    [
        ("answered", {"note": "已告知所需材料"}, True),
        ("answered", {"note": " "}, False),
        ("referred", {"to": "5号窗口"}, True),
        ("referred", {}, False),
        ("absent", {"department": "县民政局", "contact": "王科长", "phone": "0579-1"}, True),
        ("absent", {"department": "县民政局", "contact": "王科长"}, False),
        ("external", {"department": "市公积金中心", "phone": "12329"}, True),
        ("external", {"department": "x"}, False),
        ("appointment", {"at": "2026-12-01T09:30"}, True),
        ("appointment", {}, False),
        ("not_mine", {}, False),
    ],
)
def test_outcomes_need_their_fields(outcome, fields, ok):
    if ok:
        r.check_outcome(outcome, fields)
    else:
        with pytest.raises(r.OutcomeError):
            r.check_outcome(outcome, fields)


# ---------------------------------------------------------------- services


@pytest.fixture
def people(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县民政局")
    add_staff(hall, admin, "1002", "赵六", "clerk", "2222", department="县市场监督管理局")
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    p = {
        "c1": login(hall, "1001", "1111", window=1),
        "c2": login(hall, "1002", "2222", window=3),
        "guide": login(hall, "8001", "8888"),
        "sup": login(hall, "9001", "9999"),
    }
    q.open_window(hall, p["c1"], 1)
    q.open_window(hall, p["c2"], 3)
    return p


def test_every_outcome(hall, people, now):
    c1 = people["c1"]
    a = rs.open_inquiry(hall, c1, matter="问结婚登记要带什么", name="张三", phone="13800138000")
    assert a.status == "open" and a.responder == "1001" and a.window == 1
    assert rs.answer(hall, c1, a.id, note="双方身份证、户口簿、照片").status == "closed"
    b = rs.external(
        hall, c1, rs.open_inquiry(hall, c1, matter="公积金提取").id, department="市住房公积金中心", phone="12329"
    )
    assert b.outcome == "external" and "12329" in b.detail
    c = rs.appointment(hall, c1, rs.open_inquiry(hall, c1, matter="不动产").id, at="2026-11-30T09:30")
    assert c.outcome == "appointment" and c.status == "closed"
    d = rs.absent(
        hall,
        c1,
        rs.open_inquiry(hall, c1, matter="食品许可").id,
        department="县市场监督管理局",
        contact="王科长",
        phone="0579-80001234",
    )
    assert d.status == "handed_over"
    assert rs.acknowledge(hall, people["c2"], d.id).status == "closed"
    with pytest.raises(ServiceError, match="已有处理结果"):
        rs.answer(hall, c1, a.id, note="再答一次")
    with pytest.raises(ServiceError, match="需要填写"):
        rs.answer(hall, c1, rs.open_inquiry(hall, c1, matter="x").id, note=" ")
    with pytest.raises(ServiceError, match="7–12 位数字"):  # a person's phone, as at intake
        rs.open_inquiry(hall, c1, matter="问事", phone="abcphone")
    with pytest.raises(NotFound, match="外星局"):
        rs.absent(hall, c1, rs.open_inquiry(hall, c1, matter="y").id, department="外星局", contact="a", phone="1")
    with pytest.raises(ServiceError, match="已过"):
        rs.appointment(hall, c1, rs.open_inquiry(hall, c1, matter="z").id, at="2026-01-01T09:00")


def test_bare_close_refused_and_only_the_responder_acts(hall, people):
    i = rs.open_inquiry(hall, people["c1"], matter="问社保")
    with pytest.raises(ServiceError, match="不能直接关闭"):
        rs.close(hall, people["c1"], i.id)
    with pytest.raises(PermissionDenied, match="首问责任人是李强"):
        rs.answer(hall, people["c2"], i.id, note="不归我管")
    assert rs.answer(hall, people["sup"], i.id, note="带班领导答复").status == "closed"
    assert rs.close(hall, people["c1"], i.id).status == "closed"
    with pytest.raises(ServiceError, match="咨询事项"):
        rs.open_inquiry(hall, people["c1"], matter=" ")


def test_referral_acknowledged_when_the_receiving_window_calls(hall, people, now):
    c1, c2 = people["c1"], people["c2"]
    i = rs.open_inquiry(hall, c1, matter="办食品经营许可")
    ref = rs.refer(hall, c1, i.id, to_window=3)
    t = q.get_ticket(hall, ref.ticket)
    assert (t.priority, t.target_window) == ("referral", 3)
    assert ref.status == "handed_over" and not ref.acknowledged
    now("2026-11-26T09:14:00")
    assert rs.list_alerts(hall, people["sup"]) == []
    now("2026-11-26T09:16:00")  # 15 minutes and nobody called it
    alerts = rs.list_alerts(hall, people["sup"])
    assert [(a.kind, a.responsible) for a in alerts] == [("referral_unacknowledged", "1001")]
    assert (
        rs.list_alerts(hall, people["sup"], staff="1001") == alerts
        and rs.list_alerts(hall, people["sup"], staff="1002") == []
    )
    called = q.call_next(hall, c2, 3)
    assert called.ticket.number == ref.ticket and called.ticket.priority == "referral"
    assert rs.list_alerts(hall, people["sup"]) == []
    [view] = rs.list_inquiries(hall, people["sup"], staff="1001")
    assert view.acknowledged and view.status == "closed"
    assert rs.list_inquiries(hall, people["sup"], open_only=True) == []


def test_referral_of_the_persons_own_ticket_keeps_its_number(hall, people):
    t = q.issue_ticket(hall, people["guide"], queue="A")
    i = rs.open_inquiry(hall, people["guide"], matter="走错队列")
    ref = rs.refer(hall, people["guide"], i.id, to_queue="D", ticket=t.number)
    moved = q.get_ticket(hall, t.number)
    assert ref.ticket == t.number and moved.queue == "D" and moved.priority == "referral"
    with pytest.raises(ServiceError, match="二者选一"):
        rs.refer(hall, people["guide"], rs.open_inquiry(hall, people["guide"], matter="m").id)


def test_buck_passing_flag_and_dismissal(hall, people):
    t = q.issue_ticket(hall, people["guide"], queue="A")
    q.call_next(hall, people["c1"], 1)
    q.transfer(hall, people["c1"], t.number, to_queue="D", reason="不是这里")
    assert rs.list_alerts(hall, people["sup"]) == []
    q.call_next(hall, people["c2"], 3)
    q.transfer(hall, people["c2"], t.number, to_queue="A", reason="也不是这里")
    [flag] = rs.list_alerts(hall, people["sup"])
    assert (flag.kind, flag.responsible, flag.escalated) == ("buck_passing", "1002", True)
    with pytest.raises(PermissionDenied, match="责任人"):
        rs.dismiss_alert(hall, people["c1"], flag.key, reason="与我无关")
    with pytest.raises(ServiceError, match="原因"):
        rs.dismiss_alert(hall, people["sup"], flag.key, reason="")
    rs.dismiss_alert(hall, people["sup"], flag.key, reason="已当面协调，申请人材料需两部门联办")
    assert rs.list_alerts(hall, people["sup"]) == []
    with pytest.raises(NotFound):
        rs.dismiss_alert(hall, people["sup"], flag.key, reason="again")


def test_escalation_of_an_unresolved_inquiry(hall, people, now):
    i = rs.open_inquiry(hall, people["guide"], matter="复杂咨询")
    now("2026-11-26T09:31:00")
    [alert] = rs.list_alerts(hall, people["sup"])
    assert alert.kind == "inquiry_escalation" and alert.responsible == "8001" and alert.escalated
    rs.refer(hall, people["guide"], i.id, to_queue="A")
    assert rs.list_alerts(hall, people["sup"]) == []


def test_outcomes_refuse_what_the_rules_rule_out(hall, people, now):
    c1 = people["c1"]
    with pytest.raises(ServiceError, match="本厅的进驻部门"):
        rs.external(hall, c1, rs.open_inquiry(hall, c1, matter="a").id, department="县民政局", phone="0579-1234")
    with pytest.raises(ServiceError, match="联系电话"):
        rs.external(hall, c1, rs.open_inquiry(hall, c1, matter="b").id, department="市公积金中心", phone="abc")
    with pytest.raises(ServiceError, match="不是工作日"):
        rs.appointment(hall, c1, rs.open_inquiry(hall, c1, matter="c").id, at="2026-11-28T10:00")
    with pytest.raises(ServiceError, match="办公时间"):
        rs.appointment(hall, c1, rs.open_inquiry(hall, c1, matter="d").id, at="2026-11-30T23:00")
    with pytest.raises(ServiceError, match="就是本窗口"):
        rs.refer(hall, c1, rs.open_inquiry(hall, c1, matter="e").id, to_window=1)
