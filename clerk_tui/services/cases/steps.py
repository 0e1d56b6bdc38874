"""The steps every case use case shares: the hall's calendar, finding (and locking) a case by its
number, who may handle it, a supervisor's authorisation, recording the step, the deadline and the
materials checklist."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain import cases as rules
from clerk_tui.domain.calendar import WorkdayCalendar
from clerk_tui.domain.ids import check_resident_id, check_uscc
from clerk_tui.domain.roles import SUPERVISOR, allowed
from clerk_tui.services import events
from clerk_tui.services.cases.model import FORMS, ORGANISATION, CaseRules, IntakeRequest, MaterialEntry, Override
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    NotFound,
    OverrideRequired,
    PermissionDenied,
    ServiceError,
    typed_text,
)
from clerk_tui.services.staff import check_override_pin
from clerk_tui.services.workdays import session_schedules
from clerk_tui.store.models import (
    CaseMaterial,
    CaseSuspension,
    Material,
    ServiceCase,
    ServiceItem,
    Staff,
)

# ---------------------------------------------------------------- helpers


def case_calendar(session: Session, case_rules: CaseRules) -> WorkdayCalendar:
    return WorkdayCalendar(session_schedules(session), count_from_same_day=case_rules.count_from_same_day)


def authorize_override(session: Session, actor: Actor, override: Override | None, what: str) -> Staff:
    """The supervisor who authorises ``what``: the actor when they are one, else ``override.by``."""
    if override is None:
        raise OverrideRequired(f"{what}需要带班领导授权（填写授权原因，并由带班领导输入工号和 PIN）")
    if not (override.reason or "").strip():
        raise ServiceError(f"{what}需要填写授权原因")
    if not override.by:
        if allowed(actor.role, "case.override"):
            return session.get_one(Staff, actor.staff_id)
        raise OverrideRequired(f"{what}需要带班领导授权：请带班领导输入工号和 PIN")
    staff = session.exec(select(Staff).where(Staff.number == (override.by or "").strip())).first()
    verified = override.verified_hash
    if (
        staff is None
        or not staff.active
        or staff.locked
        or verified is None
        or not hmac.compare_digest(verified, staff.pin_hash)
    ):
        raise PermissionDenied(f"{what}的授权未通过：带班领导工号或 PIN 不正确")
    if staff.role != SUPERVISOR:
        raise PermissionDenied(f"{what}只能由带班领导授权，{staff.name}不是带班领导")
    return staff


def check_override(engine: Engine, override: Override | None) -> Override | None:
    """A supervisor's number and PIN typed at this terminal are checked first, on their own, so a
    wrong PIN counts towards the supervisor's lockout even though the step is then refused. Returns
    the override marked with the hash its PIN matched, for ``authorize_override`` in the step's transaction."""
    if override is not None and (override.by or "").strip():
        matched = check_override_pin(engine, override.by, override.pin, "带班领导授权")
        return replace(override, verified_hash=matched)
    return override


def check_identity(kind: str, raw: str, who: str) -> tuple[str, str | None]:
    """(normalised value, problem or None). A person's ID number or an organisation's USCC."""
    if not (raw or "").strip():
        return "", f"请填写{who}的{'统一社会信用代码' if kind == ORGANISATION else '身份证号'}"
    check = check_uscc(raw) if kind == ORGANISATION else check_resident_id(raw, clock.today())
    return (check.value if check.ok else (raw or "").strip().upper()[:18]), (
        None if check.ok else f"{who}：{check.reason}"
    )


def case_by_number(session: Session, number: str, *, lock: bool = False) -> ServiceCase:
    number = (number or "").strip().upper()
    stmt = select(ServiceCase).where(ServiceCase.number == number)
    if lock:
        stmt = stmt.with_for_update()
    case = session.exec(stmt).first()
    if case is None:
        raise NotFound(f"没有编号为 {number} 的办件，请核对办件编号（如 YX202611260007）")
    return case


def may_handle(session: Session, actor: Actor, case: ServiceCase) -> None:
    """The case owner works the case; a supervisor may step in. Others are told who owns it."""
    require(actor, "case.handle")
    if case.owner_id != actor.staff_id and actor.role != SUPERVISOR:
        if case.handover_to_id == actor.staff_id:
            raise PermissionDenied(f"办件 {case.number} 已移交给您，请先确认接收（a 接收 / case acknowledge），再办理")
        owner = session.get(Staff, case.owner_id)
        raise PermissionDenied(
            f"办件 {case.number} 的首办人是{owner.name}（{owner.number}），请由首办人办理，或由首办人移交给您"
        )


def record_step(session: Session, actor: Actor, case: ServiceCase, kind: str, **payload) -> None:
    case.updated_at = clock.now()
    session.add(case)
    session.flush()
    # The case's status and owner after the step: `audit verify` holds the case row to its last event.
    payload.update(state=case.status, owner_id=case.owner_id)
    events.record(session, f"case.{kind}", actor=actor, subject=case.number, **payload)


def set_due(session: Session, case: ServiceCase, calendar: WorkdayCalendar) -> None:
    spans = [
        rules.Suspension(s.start, s.end)
        for s in session.exec(select(CaseSuspension).where(CaseSuspension.case_id == case.id))
    ]
    deadline = rules.due_date(
        calendar,
        case.accepted_on,
        case.promised_days,
        extension_days=case.extension_days,
        suspensions=spans,
        today=clock.today(),
    )
    case.due_date, case.due_provisional = deadline.date, deadline.provisional


def material_checklist(session: Session, item: ServiceItem, request: IntakeRequest) -> list[CaseMaterial]:
    """The item's materials, each received or missing as the clerk said. Names not in the catalog
    are refused: a typo must not turn a received paper into a missing one."""
    catalog = list(session.exec(select(Material).where(Material.item_id == item.id).order_by(Material.position)))
    names = {m.name for m in catalog}
    given: dict[str, MaterialEntry] = {}
    if request.materials is not None:
        given = {e.name.strip(): e for e in request.materials}
    elif request.materials_received is not None:  # names only: as the catalog asks (form, copies)
        forms = {m.name: m for m in catalog}
        given = {
            n.strip(): MaterialEntry(n.strip(), True, forms[n.strip()].form, forms[n.strip()].copies)
            if n.strip() in forms
            else MaterialEntry(n.strip(), True)
            for n in request.materials_received
        }
    if unknown := [n for n in given if n not in names]:
        raise ServiceError(f"“{item.name}”没有这些材料：{'、'.join(unknown)}；材料名称应为：{'、'.join(names)}")
    lines = []
    for m in catalog:
        e = given.get(m.name, MaterialEntry(m.name, False))
        if e.form not in FORMS:
            raise ServiceError(
                f"材料“{m.name}”的形式 {e.form!r} 无效，可用：" + "、".join(f"{k}（{v}）" for k, v in FORMS.items())
            )
        if not (0 <= e.copies <= 99 and 0 <= e.pages <= 9999):
            raise ServiceError(f"材料“{m.name}”的份数应为 0–99、页数应为 0–9999")
        lines.append(
            CaseMaterial(
                case_id=0,  # the case's id, set once the case is flushed (intake) or known (supplement)
                position=m.position,
                name=m.name,
                required=m.required,
                received=e.received,
                form=e.form if e.received else m.form,
                copies=e.copies if e.received else m.copies,
                pages=e.pages,
                note=typed_text(e.note, 200, f"材料“{m.name}”的备注"),
            )
        )
    return lines


def missing_required(lines: Sequence[CaseMaterial]) -> list[str]:
    return [m.name for m in lines if m.required and not m.received]
