"""Case services (办件) on SQLite and PostgreSQL: intake decisions, the lifecycle, deadlines, the
one-time rule, overrides, the owner and handover, lookup."""

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from clerk_tui.services import cases as cs
from clerk_tui.services import queue as q
from clerk_tui.services.calendar import load_calendar
from clerk_tui.services.errors import NotFound, PermissionDenied, ServiceError
from clerk_tui.services.staff import add_staff, login
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, ServiceCase

ID1, ID2 = "11010519491231002X", "440524188001010014"
BAD_ID = "110105194912310021"  # wrong check digit
USCC = "91350100M000100Y43"
COMPANY = "000112001000"  # 有限责任公司设立登记: promised 3 days, legal 15
COMPANY_REQUIRED = ["公司登记（备案）申请书", "公司章程", "股东的主体资格文件或自然人身份证件复印件"]
FOOD = "000112002000"  # 食品经营许可: promised 5, legal 20
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]
MARRIAGE = "000105002000"  # immediate
MARRIAGE_ALL = ["本人有效的居民身份证", "本人常住户口簿", "近期半身免冠合影照片"]
CAL_2027 = Path(__file__).parent / "fixtures" / "calendar-2027-test.toml"


@pytest.fixture
def staff(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    add_staff(hall, admin, "1003", "王敏", "clerk", "3333", department="县市场监督管理局")
    add_staff(hall, admin, "8001", "导办员", "guide", "8888")
    add_staff(hall, admin, "9001", "带班", "supervisor", "9999")
    return {
        "c1": login(hall, "1001", "1111", window=3),
        "c3": login(hall, "1003", "3333"),
        "guide": login(hall, "8001", "8888"),
        "sup": login(hall, "9001", "9999"),
    }


def person(id_number=ID1, name="张三", phone="13800138000"):
    return cs.Applicant("person", name, id_number, phone)


def req(decision, item=FOOD, received=FOOD_ALL, **kw):
    applicant = kw.pop("applicant", person())
    return cs.IntakeRequest(item_code=item, applicant=applicant, decision=decision, materials_received=received, **kw)


def events_of(engine, number):
    with read_session(engine) as s:
        return [e.kind for e in s.exec(select(Event).where(Event.subject == number).order_by(Event.id))]


# ---------------------------------------------------------------- intake decisions


def test_accept_gives_number_due_date_owner_and_event(hall, staff):
    view = cs.intake(hall, staff["c1"], req("accept"))
    assert view.number == "TS202611260001"
    assert view.status == "accepted" and view.kind == "promised"
    assert view.accepted_on == dt.date(2026, 11, 26)
    assert view.due_date == dt.date(2026, 12, 3)  # 5 working days from Thu 26 Nov, day 1 = Fri
    assert view.remaining_workdays == 5 and view.warning == "none" and not view.provisional
    assert view.owner_number == "1001"
    assert [m.received for m in view.materials] == [True, True]
    assert events_of(hall, view.number) == ["case.intake"]
    second = cs.intake(hall, staff["c1"], req("accept"))
    assert second.number == "TS202611260002"


def test_accept_with_required_material_missing_is_refused(hall, staff):
    with pytest.raises(ServiceError, match="营业执照复印件.*补正"):
        cs.intake(hall, staff["c1"], req("accept", received=["食品经营许可申请书"]))
    with read_session(hall) as s:
        assert s.exec(select(ServiceCase)).first() is None


def test_optional_material_missing_does_not_stop_acceptance(hall, staff):
    view = cs.intake(hall, staff["c1"], req("accept", item=COMPANY, received=COMPANY_REQUIRED))
    assert view.status == "accepted"
    assert [m.name for m in view.missing] == ["住所使用证明"]


def test_unknown_material_name_is_refused(hall, staff):
    with pytest.raises(ServiceError, match="没有这些材料：营业执照$|没有这些材料：营业执照；"):
        cs.intake(hall, staff["c1"], req("accept", received=["食品经营许可申请书", "营业执照"]))


def test_immediate_approved_and_denied(hall, staff):
    view = cs.intake(hall, staff["c1"], req("immediate", item=MARRIAGE, received=MARRIAGE_ALL, result="approved"))
    assert view.status == "completed" and view.kind == "immediate" and view.result == "approved"
    assert view.accepted_on == dt.date(2026, 11, 26) and view.due_date is None
    with pytest.raises(ServiceError, match="理由"):
        cs.intake(hall, staff["c1"], req("immediate", item=MARRIAGE, received=MARRIAGE_ALL, result="denied"))
    denied = cs.intake(
        hall,
        staff["c1"],
        req("immediate", item=MARRIAGE, received=MARRIAGE_ALL, result="denied", reason="一方未达法定婚龄"),
    )
    assert denied.result == "denied" and denied.reason == "一方未达法定婚龄"
    with pytest.raises(ServiceError, match="approved"):
        cs.intake(hall, staff["c1"], req("immediate", item=MARRIAGE, received=MARRIAGE_ALL))


def test_accept_of_an_immediate_item_is_sent_to_immediate(hall, staff):
    with pytest.raises(ServiceError, match="即办事项"):
        cs.intake(hall, staff["c1"], req("accept", item=MARRIAGE, received=MARRIAGE_ALL))


def test_reject_needs_a_reason_and_keeps_the_competent_department(hall, staff):
    with pytest.raises(ServiceError, match="理由"):
        cs.intake(hall, staff["c1"], req("reject"))
    view = cs.intake(
        hall,
        staff["c1"],
        req(
            "reject",
            reason="不属于本机关职权范围",
            competent_department="市市场监管局",
            competent_phone="0571-12345678",
        ),
    )
    assert view.status == "rejected" and view.competent_department == "市市场监管局"
    assert view.competent_phone == "0571-12345678"  # kept as typed, separators and all


def test_supplement_names_every_missing_required_material(hall, staff):
    view = cs.intake(hall, staff["c1"], req("supplement", item=COMPANY, received=["公司章程"]))
    assert view.status == "supplement_pending" and view.supplement_notices == 1
    assert {m.name for m in view.missing if m.required} == {
        "公司登记（备案）申请书",
        "股东的主体资格文件或自然人身份证件复印件",
    }
    assert view.accepted_on is None and view.due_date is None
    with pytest.raises(ServiceError, match="无需补正"):
        cs.intake(hall, staff["c1"], req("supplement"))


def test_supplement_complete_accepts_that_day_and_counts_from_then(hall, staff, now):
    view = cs.intake(hall, staff["c1"], req("supplement", received=["食品经营许可申请书"]))
    now("2026-11-30T10:00:00")  # Monday
    done = cs.supplement(hall, staff["c1"], view.number, ["营业执照复印件"])
    assert done.status == "accepted" and done.accepted_on == dt.date(2026, 11, 30)
    assert done.received_on == dt.date(2026, 11, 26)
    assert done.due_date == dt.date(2026, 12, 7)  # 5 working days from Mon 30 Nov
    assert events_of(hall, view.number) == ["case.intake", "case.accept"]


def test_one_time_rule_second_notice_needs_override(hall, staff, now):
    view = cs.intake(hall, staff["c1"], req("supplement", item=COMPANY, received=["公司章程"]))
    with pytest.raises(PermissionDenied, match="一次性告知"):
        cs.supplement(hall, staff["c1"], view.number, ["公司登记（备案）申请书"])
    unchanged = cs.get_case(hall, staff["sup"], view.number)
    assert unchanged.supplement_notices == 1
    assert not next(m for m in unchanged.materials if m.name == "公司登记（备案）申请书").received
    with pytest.raises(PermissionDenied, match="不正确"):
        cs.supplement(
            hall,
            staff["c1"],
            view.number,
            ["公司登记（备案）申请书"],
            override=cs.Override("申请人材料作废需重新提交", by="9001", pin="0000"),
        )
    with pytest.raises(PermissionDenied, match="不是带班领导"):
        cs.supplement(
            hall,
            staff["c1"],
            view.number,
            ["公司登记（备案）申请书"],
            override=cs.Override("申请人材料作废需重新提交", by="1003", pin="3333"),
        )
    second = cs.supplement(
        hall,
        staff["c1"],
        view.number,
        ["公司登记（备案）申请书"],
        override=cs.Override("申请人材料作废需重新提交", by="9001", pin="9999"),
    )
    assert second.status == "supplement_pending" and second.supplement_notices == 2
    assert events_of(hall, view.number)[-1] == "case.supplement_notice"
    accepted = cs.supplement(hall, staff["c1"], view.number, ["股东的主体资格文件或自然人身份证件复印件"])
    assert accepted.status == "accepted"


def test_invalid_id_refused_without_override_and_recorded_with_one(hall, staff):
    with pytest.raises(PermissionDenied, match="校验位"):
        cs.intake(hall, staff["c1"], req("accept", applicant=person(BAD_ID)))
    org = cs.Applicant("organisation", "云溪县某某有限公司", "91350100M000100Y44", "13800138000", representative="王五")
    with pytest.raises(PermissionDenied, match="统一社会信用代码|校验"):
        cs.intake(hall, staff["c1"], req("accept", applicant=org))
    view = cs.intake(
        hall,
        staff["c1"],
        req(
            "accept", applicant=person(BAD_ID), id_override=cs.Override("老证件号码，公安已核实", by="9001", pin="9999")
        ),
    )
    assert view.status == "accepted" and view.id_override == "老证件号码，公安已核实"
    with read_session(hall) as s:
        e = s.exec(select(Event).where(Event.subject == view.number)).one()
        assert '"override_by": "9001"' in e.payload
    # a supervisor accepting the case authorises it themselves, with the reason
    sup = cs.intake(hall, staff["sup"], req("accept", applicant=org, id_override=cs.Override("营业执照已核验")))
    assert sup.status == "accepted"


def test_organisation_with_agent(hall, staff):
    org = cs.Applicant("organisation", "云溪县某某有限公司", USCC, "13800138000", representative="王五", contact="赵六")
    view = cs.intake(hall, staff["c1"], req("accept", applicant=org, agent=cs.Agent("钱七", ID2)))
    assert view.applicant_kind == "organisation" and view.agent_name == "钱七"
    assert view.applicant_id_masked != USCC
    with pytest.raises(ServiceError, match="法定代表人"):
        cs.intake(hall, staff["c1"], req("accept", applicant=cs.Applicant("organisation", "某公司", USCC)))
    with pytest.raises(PermissionDenied, match="代办人"):
        cs.intake(hall, staff["c1"], req("accept", agent=cs.Agent("钱七", BAD_ID)))


def test_bad_input_changes_nothing(hall, staff):
    for bad in [
        req("maybe"),
        req("accept", item="nope"),
        req("accept", applicant=person(phone="12ab")),
        req("accept", applicant=person(name=" ")),
        req("accept", applicant=cs.Applicant("robot", "x", ID1)),
    ]:
        with pytest.raises(ServiceError):
            cs.intake(hall, staff["c1"], bad)
    with pytest.raises(PermissionDenied):
        cs.intake(hall, staff["guide"], req("accept"))
    with read_session(hall) as s:
        assert s.exec(select(ServiceCase)).first() is None


def test_intake_from_called_ticket(hall, staff):
    q.open_window(hall, staff["c1"], 3)
    t = q.issue_ticket(hall, staff["c1"], item_code=FOOD)
    q.call_next(hall, staff["c1"], 3)
    view = cs.intake(hall, staff["c1"], req("accept", ticket=t.number.lower()))
    assert view.ticket == t.number


# ---------------------------------------------------------------- the lifecycle


def test_full_lifecycle_and_illegal_transitions(hall, staff, now):
    n = cs.intake(hall, staff["c1"], req("accept")).number
    c1 = staff["c1"]
    with pytest.raises(ServiceError, match="不能送达"):
        cs.deliver(hall, c1, n, method="collect")
    with pytest.raises(ServiceError, match="不能恢复办理"):
        cs.resume(hall, c1, n)
    assert cs.start(hall, c1, n).status == "in_progress"
    with pytest.raises(ServiceError, match="不能开始办理"):
        cs.start(hall, c1, n)
    with pytest.raises(ServiceError, match="理由"):
        cs.complete(hall, c1, n, result="denied")
    done = cs.complete(hall, c1, n, result="approved")
    assert done.status == "completed" and done.warning == "none" and done.remaining_workdays is None
    with pytest.raises(ServiceError, match="不能撤回"):
        cs.withdraw(hall, c1, n, reason="不办了")
    with pytest.raises(ServiceError, match="collect"):
        cs.deliver(hall, c1, n, method="fax")
    with pytest.raises(ServiceError, match="请填写邮寄单号"):
        cs.deliver(hall, c1, n, method="mail")
    mailed = cs.deliver(hall, c1, n, method="mail", tracking="EMS1234567890123")
    assert mailed.status == "delivered" and any("邮寄单号：EMS1234567890123" in what for _, what, _ in mailed.history)
    assert events_of(hall, n) == ["case.intake", "case.start", "case.complete", "case.deliver"]
    with pytest.raises(ServiceError, match="已送达"):
        cs.suspend(hall, c1, n, reason="专家评审", days=3)


def test_suspension_days_do_not_count(hall, staff, now):
    n = cs.intake(hall, staff["c1"], req("accept")).number  # due Thu 3 Dec
    now("2026-11-30T09:00:00")  # Mon
    with pytest.raises(ServiceError, match="原因"):
        cs.suspend(hall, staff["c1"], n, reason="", days=3)
    s = cs.suspend(hall, staff["c1"], n, reason="现场核查", days=3)
    assert s.status == "suspended" and s.warning == "none" and s.suspended_reason == "现场核查"
    now("2026-12-03T09:00:00")  # Thu: Tue, Wed, Thu spent suspended
    r = cs.resume(hall, staff["c1"], n)
    assert r.status == "in_progress"
    assert r.due_date == dt.date(2026, 12, 8)  # 3 Dec + 3 working days (Fri 4, Mon 7, Tue 8)
    assert cs.complete(hall, staff["c1"], n, result="approved").status == "completed"


def test_extension_needs_supervisor_and_adds_working_days(hall, staff):
    n = cs.intake(hall, staff["c1"], req("accept")).number  # due Thu 3 Dec
    with pytest.raises(PermissionDenied, match="带班领导"):
        cs.extend(hall, staff["c1"], n, days=10, reason="需专家论证")
    e = cs.extend(
        hall, staff["c1"], n, days=10, reason="需专家论证", override=cs.Override("同意延期", by="9001", pin="9999")
    )
    assert e.extension_days == 10 and e.due_date == dt.date(2026, 12, 17)
    assert any("批准人：9001" in what and "批准意见：同意延期" in what for _, what, _ in e.history)
    with pytest.raises(ServiceError, match="第四十二条"):
        cs.extend(hall, staff["sup"], n, days=1, reason="再延")
    assert "case.extend" in events_of(hall, n)


def test_wrong_override_pins_count_and_the_fifth_locks_the_supervisor(hall, staff):
    from clerk_tui.services.errors import AuthError
    from clerk_tui.services.staff import login

    n = cs.intake(hall, staff["c1"], req("accept")).number
    wrong = cs.Override("同意延期", by="9001", pin="0000")
    for left in (4, 3, 2, 1):
        with pytest.raises(PermissionDenied, match=f"再错{left}次将锁定"):
            cs.extend(hall, staff["c1"], n, days=2, reason="需专家论证", override=wrong)
    with pytest.raises(PermissionDenied, match="已锁定"):
        cs.extend(hall, staff["c1"], n, days=2, reason="需专家论证", override=wrong)
    with pytest.raises(PermissionDenied, match="已被锁定"):  # the right PIN no longer helps
        cs.extend(
            hall, staff["c1"], n, days=2, reason="需专家论证", override=cs.Override("同意", by="9001", pin="9999")
        )
    with pytest.raises(AuthError, match="锁定"):
        login(hall, "9001", "9999")
    assert cs.get_case(hall, staff["sup"], n).extension_days == 0
    kinds = events_of(hall, "9001")
    assert kinds.count("staff.override_failed") == 5 and kinds.count("staff.locked") == 1  # 4 wrong, 1 while locked


def test_a_right_override_pin_clears_earlier_misses(hall, staff):
    n = cs.intake(hall, staff["c1"], req("accept")).number
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            cs.extend(
                hall, staff["c1"], n, days=2, reason="需专家论证", override=cs.Override("同意", by="9001", pin="0")
            )
    cs.extend(hall, staff["c1"], n, days=2, reason="需专家论证", override=cs.Override("同意", by="9001", pin="9999"))
    for _ in range(4):  # four more misses do not lock: the count started again
        with pytest.raises(PermissionDenied, match="再错"):
            cs.extend(hall, staff["c1"], n, days=1, reason="再延", override=cs.Override("同意", by="9001", pin="0"))


def test_withdraw_from_supplement_and_suspended(hall, staff):
    a = cs.intake(hall, staff["c1"], req("supplement", received=[])).number
    assert cs.withdraw(hall, staff["c1"], a, reason="申请人不再申请").status == "withdrawn"
    b = cs.intake(hall, staff["c1"], req("accept")).number
    cs.suspend(hall, staff["c1"], b, reason="检验检测", days=5)
    assert cs.withdraw(hall, staff["c1"], b, reason="申请人撤回").status == "withdrawn"
    with pytest.raises(ServiceError, match="原因"):
        cs.withdraw(hall, staff["c1"], cs.intake(hall, staff["c1"], req("accept")).number, reason=" ")


def test_unknown_case_number(hall, staff):
    with pytest.raises(NotFound, match="TS209901010001"):
        cs.start(hall, staff["c1"], "ts209901010001")


# ---------------------------------------------------------------- deadlines and the watch


@pytest.mark.parametrize(
    "accepted,same_day,expected",
    [
        # 国庆 10-1..10-7 off: next-day counting 10-8 is day 1, 10-9 day 2, 10-10 (Sat, make-up) day 3;
        # same-day counting 9-30 is day 1, 10-8 day 2, 10-9 day 3
        ("2026-09-30", False, dt.date(2026, 10, 10)),
        ("2026-09-30", True, dt.date(2026, 10, 9)),
        # 春节 2-15..2-23 off, 2-14 (Sat) a make-up day: next-day 2-14, 2-24, 2-25; same-day 2-13, 2-14, 2-24
        ("2026-02-13", False, dt.date(2026, 2, 25)),
        ("2026-02-13", True, dt.date(2026, 2, 24)),
    ],
)
def test_promised_date_across_2026_holidays_and_make_up_days(hall, staff, now, accepted, same_day, expected):
    now(f"{accepted}T09:00:00")
    view = cs.intake(
        hall,
        staff["c1"],
        req("accept", item=COMPANY, received=COMPANY_REQUIRED),
        case_rules=cs.CaseRules(count_from_same_day=same_day),
    )
    assert view.due_date == expected and view.promised_days == 3


def test_yellow_and_red(hall, staff, now):
    n = cs.intake(hall, staff["c1"], req("accept")).number  # due Thu 3 Dec
    assert cs.get_case(hall, staff["sup"], n).warning == "none"
    now("2026-12-01T09:00:00")
    v = cs.get_case(hall, staff["sup"], n)
    assert (v.remaining_workdays, v.warning) == (2, "yellow")
    assert [c.number for c in cs.list_cases(hall, staff["sup"], warning="yellow")] == [n]
    assert cs.list_cases(hall, staff["sup"], warning="red") == []
    now("2026-12-03T09:00:00")
    assert cs.get_case(hall, staff["sup"], n).warning == "red"
    now("2026-12-07T09:00:00")
    v = cs.get_case(hall, staff["sup"], n)
    assert (v.remaining_workdays, v.warning) == (-2, "red")
    assert [c.number for c in cs.list_cases(hall, staff["c1"], filter="red")] == [n]
    risks = cs.my_risks(hall, staff["c1"])
    assert risks.red == 1 and risks.yellow == 0 and risks.cases[0].number == n
    assert cs.get_case(hall, staff["sup"], n, cs.CaseRules(yellow_days=0)).warning == "red"


def test_deadline_into_2027_is_provisional_until_loaded(hall, staff, now):
    now("2026-12-29T09:00:00")
    view = cs.intake(hall, staff["c1"], req("accept"))
    # Without 2027's notice: 12-30, 12-31, (1-1 statutory holiday), 1-4, 1-5, 1-6
    assert view.due_date == dt.date(2027, 1, 6) and view.provisional
    load_calendar(hall, staff["sup"], CAL_2027)
    after = cs.get_case(hall, staff["sup"], view.number)
    assert not after.provisional
    assert "case.recomputed" in events_of(hall, view.number)


# ---------------------------------------------------------------- the owner and handover


def test_only_owner_or_supervisor_works_a_case(hall, staff):
    n = cs.intake(hall, staff["c1"], req("accept")).number
    with pytest.raises(PermissionDenied, match="首办人是李强"):
        cs.start(hall, staff["c3"], n)
    assert cs.start(hall, staff["sup"], n).status == "in_progress"


def test_handover_is_acknowledged_by_the_receiver(hall, staff):
    n = cs.intake(hall, staff["c1"], req("accept")).number
    with pytest.raises(ServiceError, match="原因"):
        cs.handover(hall, staff["c1"], n, to="1003", reason="")
    with pytest.raises(NotFound):
        cs.handover(hall, staff["c1"], n, to="7777", reason="调岗")
    with pytest.raises(ServiceError, match="不能接收"):
        cs.handover(hall, staff["c1"], n, to="8001", reason="调岗")
    h = cs.handover(hall, staff["c1"], n, to="1003", reason="调岗")
    assert h.owner_number == "1001" and h.handover_to == "王敏（1003）"
    assert [c.number for c in cs.list_cases(hall, staff["c3"], filter="handover")] == [n]
    with pytest.raises(PermissionDenied, match="只有接收人"):
        cs.acknowledge(hall, staff["c1"], n)
    a = cs.acknowledge(hall, staff["c3"], n)
    assert a.owner_number == "1003" and a.handover_to == ""
    with pytest.raises(ServiceError, match="没有待接收"):
        cs.acknowledge(hall, staff["c3"], n)
    with pytest.raises(PermissionDenied, match="首办人是王敏"):
        cs.start(hall, staff["c1"], n)
    assert events_of(hall, n)[-2:] == ["case.handover", "case.acknowledge"]


# ---------------------------------------------------------------- lookup


def test_lookup_by_number_id_phone_and_name(hall, staff):
    a = cs.intake(hall, staff["c1"], req("accept")).number
    b = cs.intake(hall, staff["c1"], req("accept", applicant=person(ID2, "李四", "13900139000"))).number
    assert [c.number for c in cs.list_cases(hall, staff["sup"], query=a.lower())] == [a]
    assert [c.number for c in cs.list_cases(hall, staff["sup"], query=ID2)] == [b]
    assert [c.number for c in cs.list_cases(hall, staff["sup"], query="139 0013 9000")] == [b]
    assert [c.number for c in cs.list_cases(hall, staff["sup"], query="张")] == [a]
    assert cs.list_cases(hall, staff["sup"], query="13700000000") == []
    assert [c.number for c in cs.list_cases(hall, staff["c1"], filter="mine")] == [b, a]
    assert [c.number for c in cs.list_cases(hall, staff["c3"], filter="department")] == [b, a]
    assert cs.list_cases(hall, staff["c3"], filter="mine") == []
    listed = cs.list_cases(hall, staff["sup"], status="accepted")[0]
    assert listed.applicant_id_masked.count("*") >= 8
    with pytest.raises(ServiceError, match="状态"):
        cs.list_cases(hall, staff["sup"], status="lost")
    with pytest.raises(NotFound):
        cs.list_cases(hall, staff["sup"], owner="5555")


def test_received_materials_take_the_catalogs_form_and_copies(hall, staff):
    view = cs.intake(hall, staff["c1"], req("accept"))
    copy = next(m for m in view.materials if m.name == "营业执照复印件")
    assert copy.form == "copy"


def test_an_overdue_case_cannot_be_extended(hall, staff, now):
    n = cs.intake(hall, staff["c1"], req("accept")).number  # due Thu 3 Dec
    now("2026-12-04T09:00:00")
    with pytest.raises(ServiceError, match="已超过承诺办结日期"):
        cs.extend(hall, staff["sup"], n, days=3, reason="补救")


def test_history_says_what_each_step_said(hall, staff):
    n = cs.intake(hall, staff["c1"], req("supplement", received=["食品经营许可申请书"])).number
    view = cs.supplement(hall, staff["c1"], n, ["营业执照复印件"])
    whats = [what for _, what, _ in view.history]
    assert "一次性告知缺：营业执照复印件" in whats[0] and "补交：营业执照复印件" in whats[1]


def test_a_handed_over_case_tells_the_receiver_to_acknowledge(hall, staff):
    n = cs.intake(hall, staff["c1"], req("accept")).number
    cs.handover(hall, staff["c1"], n, to="1003", reason="调岗")
    with pytest.raises(PermissionDenied, match="请先确认接收"):
        cs.start(hall, staff["c3"], n)


def test_pins_are_hashed_once_and_never_under_the_writer_lock(hall, staff, monkeypatch):
    """scrypt (about 50 ms at production cost) must not run while a write transaction holds the
    hall's writer lock: on SQLite that would stall every window's call. An override is hashed once."""
    import sqlite3

    from clerk_tui.services import staff as staff_service

    url = hall.url
    calls: list[bool] = []  # per scrypt call: was the writer lock held?
    real = staff_service.verify_pin

    def probing_verify(pin, stored, *key):
        held = False
        if url.get_backend_name() == "sqlite":
            probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:
                held = True
            finally:
                probe.close()
        calls.append(held)
        return real(pin, stored, *key)

    monkeypatch.setattr(staff_service, "verify_pin", probing_verify)
    login(hall, "1001", "1111", window=3)
    assert calls == [False]
    calls.clear()
    view = cs.intake(
        hall,
        staff["c1"],
        req(
            "accept", applicant=person(BAD_ID), id_override=cs.Override("老证件号码，公安已核实", by="9001", pin="9999")
        ),
    )
    assert view.status == "accepted" and calls == [False]
    calls.clear()
    with pytest.raises(PermissionDenied, match="不正确"):
        cs.intake(
            hall,
            staff["c1"],
            req("accept", applicant=person(BAD_ID), id_override=cs.Override("老证件号码", by="9001", pin="0000")),
        )
    assert calls == [False]
