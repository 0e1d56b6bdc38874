"""Staff and login (登录): PINs hashed with scrypt, five wrong PINs lock the account."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.pins import generate_pin, hash_pin, pin_problem, verify_pin
from clerk_tui.domain.roles import ADMIN, CLERK, ROLE_NAMES, ROLES
from clerk_tui.domain.text import visible
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    AuthError,
    PermissionDenied,
    ServiceError,
    typed_text,
    unknown_department,
    unknown_staff,
)
from clerk_tui.services.tx import transaction
from clerk_tui.settings import pin_cost
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Staff, Window

MAX_FAILED = 5


def new_pin_hash(pin: str) -> str:
    """The stored hash of a new PIN, at the configured scrypt cost."""
    return hash_pin(pin, cost=pin_cost())


def _actor(staff: Staff, window: int | None = None) -> Actor:
    return Actor(staff.id, staff.number, staff.name, staff.role, staff.department_id, window)


def login(engine: Engine, number: str, pin: str, *, window: int | None = None, terminal: bool = False) -> Actor:
    """Check a PIN. A wrong PIN counts; the fifth locks the account until it is unlocked.

    The failure count is committed even though the login fails, so it survives the process.
    At a terminal (``terminal=True``) a window clerk must say which window they sit at.
    """
    number = (number or "").strip()
    if not number:
        raise AuthError("请输入工号")
    matched = _verify_outside(engine, number, pin)

    def work(session: Session) -> Actor | AuthError:
        # A refusal is returned, not raised, so that the counted failure is committed.
        staff, problem = _check_pin(session, number, matched, "staff.login_failed")
        if problem:
            return AuthError(problem)
        if window is not None and session.exec(select(Window).where(Window.number == window)).first() is None:
            return AuthError(f"没有{window}号窗口，请输入本厅的窗口号")
        if terminal and window is None and staff.role == CLERK:
            return AuthError("窗口人员请填写窗口号后再登录")
        staff.failed_attempts = 0
        session.add(staff)
        actor = _actor(staff, window)
        events.record(session, "staff.login", actor=actor, subject=number, window=window)
        return actor

    result = transaction(engine, work)
    if isinstance(result, AuthError):
        raise result
    return result


def _verify_outside(engine: Engine, number: str, pin: str) -> str | None:
    """The stored hash that ``pin`` matches for staff ``number``, or None. Runs scrypt (about 50 ms
    at production cost) in a read session, outside any write transaction: on SQLite a write
    transaction holds the hall's writer lock, and a login must not stall every window's call."""
    with read_session(engine) as session:
        staff = session.exec(select(Staff).where(Staff.number == number)).first()
        stored = staff.pin_hash if staff is not None and staff.active and not staff.locked else None
    return stored if stored is not None and verify_pin(pin or "", stored) else None


def _check_pin(session: Session, number: str, matched: str | None, failed: str) -> tuple[Staff | None, str | None]:
    """(the staff member, None) when the PIN was verified (``matched``, the hash it matched, is still
    theirs); else (…, what to tell the person), with the failure recorded as a ``failed`` event. A
    wrong PIN counts (at login or in a supervisor's override) and the fifth in a row locks the
    account; the count is committed even though the step is refused. The account's state is read
    again here, inside the write transaction, so a lock or a PIN change made meanwhile holds."""
    staff = session.exec(select(Staff).where(Staff.number == number)).first()
    if staff is None or not staff.active:
        events.record(session, failed, subject=number, reason="unknown")
        return staff, "工号或 PIN 不正确"
    if staff.locked:
        events.record(session, failed, subject=number, reason="locked")
        return staff, f"工号 {number} 已被锁定（连续{MAX_FAILED}次 PIN 错误），请联系带班领导或管理员解锁"
    if matched is not None and hmac.compare_digest(matched, staff.pin_hash):
        return staff, None
    staff.failed_attempts += 1
    left = MAX_FAILED - staff.failed_attempts
    session.add(staff)
    if left <= 0:
        staff.locked = True
        events.record(session, "staff.locked", subject=number, attempts=staff.failed_attempts)
        return staff, f"PIN 连续{MAX_FAILED}次错误，工号 {number} 已锁定，请联系带班领导或管理员解锁"
    events.record(session, failed, subject=number, reason="pin", attempts=staff.failed_attempts)
    return staff, f"工号或 PIN 不正确，再错{left}次将锁定"


def check_override_pin(engine: Engine, number: str, pin: str, what: str) -> str:
    """A supervisor's number and PIN typed at someone else's terminal (主管授权). Checked before the
    step it authorises (scrypt outside any write transaction, then a short transaction of its own),
    so that a wrong PIN is counted (and the fifth locks the account, as at login) even though the
    step is refused. Returns the stored hash the PIN matched: the step's own transaction compares it
    with the supervisor's current hash instead of running scrypt a second time."""
    number = (number or "").strip()
    matched = _verify_outside(engine, number, pin)

    def work(session: Session) -> tuple[str | None, str | None]:
        staff, problem = _check_pin(session, number, matched, "staff.override_failed")
        if problem is None and staff.failed_attempts:
            staff.failed_attempts = 0
            session.add(staff)
        return (None, problem) if problem else (staff.pin_hash, None)

    stored, problem = transaction(engine, work)
    if problem or stored is None:
        raise PermissionDenied(f"{what}未通过：{problem}")
    return stored


def _department_id(session: Session, department: str | None) -> int | None:
    if not department:
        return None
    dept = session.exec(select(Department).where(Department.name == department)).first()
    if dept is None:
        raise unknown_department(department)
    return dept.id


def create_staff(
    session: Session,
    number: str,
    name: str,
    role: str,
    pin: str,
    *,
    department: str | None = None,
    actor: Actor | None = None,
    pin_hash: str | None = None,
) -> Staff:
    """Add one staff member inside the caller's transaction (used by ``add_staff`` and set-up)."""
    number, name = number.strip(), typed_text(name, 40, "姓名", required=True)
    if not number or len(number) > 20 or not number.isascii() or not number.isalnum():
        raise ServiceError(f"工号“{visible(number)}”无效：工号是1–20位字母或数字，不能含空格或符号")
    if role not in ROLES:
        raise ServiceError(f"角色 {role!r} 无效，可用：" + "、".join(f"{r}（{ROLE_NAMES[r]}）" for r in ROLES))
    if problem := pin_problem(pin):
        raise ServiceError(problem)
    if session.exec(select(Staff).where(Staff.number == number)).first() is not None:
        raise ServiceError(f"工号 {number} 已存在")
    staff = Staff(
        number=number,
        name=name,
        role=role,
        pin_hash=pin_hash or new_pin_hash(pin),
        department_id=_department_id(session, department),
        created_at=clock.now(),
    )
    session.add(staff)
    session.flush()
    events.record(session, "staff.added", actor=actor, subject=number, name=name, role=role, department=department)
    return staff


def add_staff(
    engine: Engine, actor: Actor | None, number: str, name: str, role: str, pin: str, department: str | None = None
) -> Staff:
    require(actor, "staff.add")
    if problem := pin_problem(pin):
        raise ServiceError(problem)
    pin_hash = new_pin_hash(pin)  # scrypt before the transaction, not under the writer lock
    return transaction(
        engine,
        lambda session: create_staff(
            session, number, name, role, pin, department=department, actor=actor, pin_hash=pin_hash
        ),
    )


def _get(session: Session, number: str) -> Staff:
    staff = session.exec(select(Staff).where(Staff.number == number.strip())).first()
    if staff is None:
        raise unknown_staff(number)
    return staff


def set_pin(engine: Engine, actor: Actor | None, number: str, pin: str) -> None:
    """An admin sets anyone's PIN; anyone may set their own."""
    if actor is None or actor.number != number.strip():
        require(actor, "staff.set_pin")
    if problem := pin_problem(pin):
        raise ServiceError(problem)
    pin_hash = new_pin_hash(pin)  # scrypt before the transaction, not under the writer lock

    def work(session: Session) -> None:
        staff = _get(session, number)
        staff.pin_hash = pin_hash
        staff.failed_attempts = 0
        session.add(staff)
        events.record(session, "staff.pin_set", actor=actor, subject=staff.number)

    transaction(engine, work)


def unlock(engine: Engine, actor: Actor | None, number: str) -> None:
    require(actor, "staff.unlock")

    def work(session: Session) -> None:
        staff = _get(session, number)
        was_locked = staff.locked
        staff.locked, staff.failed_attempts = False, 0
        session.add(staff)
        events.record(session, "staff.unlocked", actor=actor, subject=staff.number, was_locked=was_locked)

    transaction(engine, work)


@dataclass(frozen=True)
class StaffView:
    number: str
    name: str
    role: str
    department: str | None
    locked: bool
    failed_attempts: int

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


def list_staff(engine: Engine, actor: Actor | None) -> list[StaffView]:
    require(actor, "staff.list")
    with read_session(engine) as session:
        depts = {d.id: d.name for d in session.exec(select(Department))}
        return [
            StaffView(s.number, s.name, s.role, depts.get(s.department_id), s.locked, s.failed_attempts)
            for s in session.exec(select(Staff).order_by(Staff.number))
        ]


def ensure_admin(session: Session, pin: str | None) -> tuple[Staff, str | None]:
    """Create the staff member ``admin`` if missing. Returns it and the generated PIN, if any."""
    existing = session.exec(select(Staff).where(Staff.number == "admin")).first()
    if existing is not None:
        return existing, None
    generated = None
    if not pin:
        pin = generated = generate_pin(8)
    return create_staff(session, "admin", "系统管理员", ADMIN, pin), generated
