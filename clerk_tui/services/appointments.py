"""预约: booking, import from the online platform's CSV, and check-in (签到) for priority."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.ids import check_resident_id, mask_id
from clerk_tui.domain.queueing import APPOINTMENT, NONE, QueuePolicy
from clerk_tui.services import events
from clerk_tui.services.catalog import get_hall, item_by_code
from clerk_tui.services.context import Actor, require, require_staff_or_device
from clerk_tui.services.errors import NotFound, ServiceError, person_phone, typed_text
from clerk_tui.services.files import read_text
from clerk_tui.services.queue import TicketView, issue_in, ticket_view
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Appointment, ServiceItem, Ticket

CSV_COLUMNS = ("id_number", "name", "phone", "item", "date", "start", "end", "ref")


@dataclass(frozen=True)
class AppointmentView:
    id: int
    item_code: str
    item_name: str
    id_number_masked: str
    name: str
    day: dt.date
    slot_start: dt.time
    slot_end: dt.time
    status: str
    source: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "item": self.item_code,
            "item_name": self.item_name,
            "id_number": self.id_number_masked,
            "name": self.name,
            "date": self.day.isoformat(),
            "start": self.slot_start.strftime("%H:%M"),
            "end": self.slot_end.strftime("%H:%M"),
            "status": self.status,
            "source": self.source,
        }


def _parse_slot(day: str, start: str, end: str) -> tuple[dt.date, dt.time, dt.time]:
    try:
        d = dt.date.fromisoformat(day.strip())
        s, e = dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
    except ValueError as exc:
        raise ServiceError(f"预约时段无效：日期写成 YYYY-MM-DD，时间写成 HH:MM（收到 {day} {start}-{end}）") from exc
    if e <= s:
        raise ServiceError(f"预约时段 {start}-{end} 无效：结束时间应晚于开始时间")
    return d, s, e


def _book(
    session: Session,
    actor: Actor | None,
    *,
    id_number: str,
    item_code: str,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    name: str = "",
    phone: str = "",
    source: str = "desk",
    ref: str = "",
) -> Appointment:
    check = check_resident_id(id_number, clock.today())
    if not check.ok:
        raise ServiceError(check.reason)
    item = item_by_code(session, item_code)
    if source == "desk":  # typed at the guide desk: a phone as a person writes one
        name, phone = typed_text(name, 40, "姓名"), person_phone(phone)
    else:  # the platform's file: the same text policy, its phone as the platform wrote it
        name, phone = typed_text(name, 40, "姓名"), typed_text(phone, 20, "电话")
    appt = Appointment(
        hall_id=get_hall(session).id,
        item_id=item.id,
        id_number=check.value,
        name=name,
        phone=phone,
        day=day,
        slot_start=start,
        slot_end=end,
        source=source,
        external_ref=typed_text(ref, 64, "预约平台编号"),
        created_at=clock.now(),
    )
    session.add(appt)
    session.flush()
    events.record(
        session,
        "appointment.booked",
        actor=actor,
        subject=str(appt.id),
        item=item.code,
        day=day,
        start=start.strftime("%H:%M"),
        source=source,
    )
    return appt


def _view(session: Session, a: Appointment) -> AppointmentView:
    item = session.get(ServiceItem, a.item_id)
    return AppointmentView(
        a.id, item.code, item.name, mask_id(a.id_number), a.name, a.day, a.slot_start, a.slot_end, a.status, a.source
    )


def add_appointment(
    engine: Engine,
    actor: Actor | None,
    *,
    id_number: str,
    item_code: str,
    day: str,
    start: str,
    end: str,
    name: str = "",
    phone: str = "",
    source: str = "desk",
) -> AppointmentView:
    require(actor, "appointment.book")
    d, s, e = _parse_slot(day, start, end)
    return transaction(
        engine,
        lambda session: _view(
            session,
            _book(
                session,
                actor,
                id_number=id_number,
                item_code=item_code,
                day=d,
                start=s,
                end=e,
                name=name,
                phone=phone,
                source=source,
            ),
        ),
    )


def import_appointments(engine: Engine, actor: Actor | None, path: str | Path, *, encoding: str = "utf-8") -> int:
    """The platform's CSV (columns: id_number,name,phone,item,date,start,end,ref); all or nothing."""
    require(actor, "appointment.book")
    path = Path(path)
    text = read_text(path, "预约文件", encoding=encoding)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS[:-1] if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceError(f"{path}:1: 缺少列 {','.join(missing)}，表头应为：{','.join(CSV_COLUMNS)}")
    rows = list(reader)

    def work(session: Session) -> int:
        for row in rows:
            try:
                d, s, e = _parse_slot(row["date"] or "", row["start"] or "", row["end"] or "")
                ref = (row.get("ref") or "").strip()
                if ref and session.exec(select(Appointment).where(Appointment.external_ref == ref)).first():
                    continue  # already imported: importing the same export twice changes nothing
                _book(
                    session,
                    actor,
                    id_number=row["id_number"] or "",
                    item_code=row["item"] or "",
                    day=d,
                    start=s,
                    end=e,
                    name=row.get("name") or "",
                    phone=row.get("phone") or "",
                    source="import",
                    ref=ref,
                )
            except ServiceError as exc:
                raise ServiceError(f"{path}:{rows.index(row) + 2}: {exc.message}（未导入任何预约）") from exc
        return len(rows)

    return transaction(engine, work)


@dataclass(frozen=True)
class CheckIn:
    ticket: TicketView
    on_time: bool
    message: str


def check_in(engine: Engine, actor: Actor | None, id_number: str, policy: QueuePolicy = QueuePolicy()) -> CheckIn:
    """签到: within the slot (minus/plus the configured minutes) → an appointment-priority ticket;
    late → a normal ticket and the reason; too early → refused with the time to come back.
    Staff at the guide desk, or a self-service kiosk."""
    require_staff_or_device(actor, "ticket.issue", "kiosk.issue")
    check = check_resident_id(id_number, clock.today())
    if not check.ok:
        raise ServiceError(check.reason)
    now = clock.now()

    def work(session: Session) -> CheckIn:
        appt = session.exec(
            select(Appointment)
            .where(Appointment.id_number == check.value, Appointment.day == now.date(), Appointment.status == "booked")
            .order_by(Appointment.slot_start)
            .with_for_update()
        ).first()
        if appt is None:
            raise NotFound("该身份证号今天没有待签到的预约，请按普通方式取号")
        start = dt.datetime.combine(appt.day, appt.slot_start)
        end = dt.datetime.combine(appt.day, appt.slot_end)
        early = start - dt.timedelta(minutes=policy.appointment_early_minutes)
        late = end + dt.timedelta(minutes=policy.appointment_late_minutes)
        slot = f"{appt.slot_start:%H:%M}-{appt.slot_end:%H:%M}"
        if now < early:
            raise ServiceError(f"预约时段为{slot}，请于{early:%H:%M}后再签到")
        on_time = now <= late
        message = (
            f"预约签到成功（时段{slot}），按预约优先排队"
            if on_time
            else f"已超过预约时段{slot}（最晚{late:%H:%M}签到），按普通号排队"
        )
        item_code = session.get(ServiceItem, appt.item_id).code
        tid = issue_in(
            session,
            actor,
            item_code=item_code,
            queue=None,
            priority=APPOINTMENT if on_time else NONE,
            id_number=check.value,
            policy=policy,
            note="预约签到" if on_time else "预约迟到",
            appointment_id=appt.id,
        )
        t = session.get(Ticket, tid)
        appt.status, appt.ticket_id = "checked_in", tid
        session.add(appt)
        events.record(
            session, "appointment.checked_in", actor=actor, subject=str(appt.id), ticket=t.number, on_time=on_time
        )
        return CheckIn(ticket_view(session, t), on_time, message)

    return transaction(engine, work)


def list_appointments(engine: Engine, actor: Actor | None, day: dt.date | None = None) -> list[AppointmentView]:
    require(actor, "appointment.read")
    day = day or clock.today()
    with read_session(engine) as session:
        return [
            _view(session, a)
            for a in session.exec(
                select(Appointment).where(Appointment.day == day).order_by(Appointment.slot_start, Appointment.id)
            )
        ]
