"""Staff and login (登录): PINs hashed with scrypt keyed by the hall's key file, five wrong PINs lock
the account, a PIN set by someone else must be changed by its owner before anything else."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.pins import generate_pin, hash_pin, needs_key, pin_problem, verify_pin
from clerk_tui.domain.roles import ADMIN, CLERK, ROLE_NAMES, ROLES
from clerk_tui.domain.text import visible
from clerk_tui.services import events, pin_key
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import (
    AuthError,
    PermissionDenied,
    ServiceError,
    typed_text,
    unknown_department,
    unknown_staff,
)
from clerk_tui.services.marks import is_demo, session_is_demo
from clerk_tui.services.tx import transaction
from clerk_tui.settings import pin_cost
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Staff, Window

MAX_FAILED = 5


def new_pin_hash(pin: str) -> str:
    """The stored hash of a new PIN, at the configured scrypt cost, keyed with the hall's key file
    (refused, naming the file, when it is missing)."""
    return hash_pin(pin, cost=pin_cost(), key=pin_key.load_key())


def check_new_pin(pin: str, *, demo: bool) -> None:
    """Refuse a new PIN that breaks the rules (length from the settings; the demo hall's are looser)."""
    if problem := pin_problem(pin, min_length=pin_key.min_length(), demo=demo):
        raise ServiceError(problem)


def _actor(staff: Staff, window: int | None = None) -> Actor:
    return Actor(
        staff.id,
        staff.number,
        staff.name,
        staff.role,
        staff.department_id,
        window,
        must_change_pin=staff.must_change_pin,
    )


def login(engine: Engine, number: str, pin: str, *, window: int | None = None, terminal: bool = False) -> Actor:
    """Check a PIN. A wrong PIN counts; the fifth locks the account until it is unlocked.

    The failure count is committed even though the login fails, so it survives the process.
    At a terminal (``terminal=True``) a window clerk must say which window they sit at.
    """
    number = (number or "").strip()
    if not number:
        raise AuthError("请输入工号")
    matched = _verify_outside(engine, number, pin)
    # An old unkeyed hash that matched is replaced by a keyed one (scrypt here, outside the
    # transaction); without the key file it stays as it is until the file is back.
    key = pin_key.key_or_none() if matched is not None and not needs_key(matched) else None
    rekeyed = hash_pin(pin, cost=pin_cost(), key=key) if key is not None else None

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
        extra = {}
        if rekeyed is not None and staff.pin_hash == matched:
            staff.pin_hash = rekeyed
            extra["rekeyed"] = True
        session.add(staff)
        actor = _actor(staff, window)
        if actor.must_change_pin:
            extra["must_change_pin"] = True
        events.record(session, "staff.login", actor=actor, subject=number, window=window, **extra)
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
    if stored is None:
        return None
    key = pin_key.load_key() if needs_key(stored) else None  # a missing key file is said, not counted
    return stored if verify_pin(pin or "", stored, key) else None


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
        if problem is None and staff.must_change_pin:  # as at login: nothing before the change
            return None, f"请先修改 PIN：工号 {number} 的 PIN 由他人设置，须先登录修改后才能授权"
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
    must_change_pin: bool = True,
) -> Staff:
    """Add one staff member inside the caller's transaction (used by ``add_staff`` and set-up)."""
    number, name = number.strip(), typed_text(name, 40, "姓名", required=True)
    if not number or len(number) > 20 or not number.isascii() or not number.isalnum():
        raise ServiceError(f"工号“{visible(number)}”无效：工号是1–20位字母或数字，不能含空格或符号")
    if role not in ROLES:
        raise ServiceError(f"角色 {role!r} 无效，可用：" + "、".join(f"{r}（{ROLE_NAMES[r]}）" for r in ROLES))
    demo = session_is_demo(session)
    check_new_pin(pin, demo=demo)
    if session.exec(select(Staff).where(Staff.number == number)).first() is not None:
        raise ServiceError(f"工号 {number} 已存在")
    staff = Staff(
        number=number,
        name=name,
        role=role,
        pin_hash=pin_hash or new_pin_hash(pin),
        department_id=_department_id(session, department),
        created_at=clock.now(),
        # Chosen by someone else (an admin, or generated): its owner changes it first.
        must_change_pin=must_change_pin and not demo,
    )
    session.add(staff)
    session.flush()
    events.record(session, "staff.added", actor=actor, subject=number, name=name, role=role, department=department)
    return staff


def add_staff(
    engine: Engine, actor: Actor | None, number: str, name: str, role: str, pin: str, department: str | None = None
) -> Staff:
    require(actor, "staff.add")
    check_new_pin(pin, demo=is_demo(engine))
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
    """An admin sets (resets) anyone's PIN, which its owner must then change at their next login;
    anyone may set their own (as ``change_own_pin``)."""
    if actor is not None and actor.number == number.strip():
        change_own_pin(engine, actor, pin)
        return
    require(actor, "staff.set_pin")
    demo = is_demo(engine)
    check_new_pin(pin, demo=demo)
    pin_hash = new_pin_hash(pin)  # scrypt before the transaction, not under the writer lock

    def work(session: Session) -> None:
        staff = _get(session, number)
        staff.pin_hash = pin_hash
        staff.failed_attempts = 0
        staff.must_change_pin = not demo
        session.add(staff)
        events.record(session, "staff.pin_set", actor=actor, subject=staff.number, must_change_pin=not demo)

    transaction(engine, work)


def change_own_pin(engine: Engine, actor: Actor | None, pin: str) -> Actor:
    """The logged-in staff member chooses their own new PIN (the only thing an actor whose PIN was
    set by someone else may do). Returns them as an actor free to work."""
    if actor is None:
        raise AuthError("请先登录，再修改自己的 PIN")
    check_new_pin(pin, demo=is_demo(engine))
    with read_session(engine) as session:
        old = session.exec(select(Staff.pin_hash).where(Staff.id == actor.staff_id)).first()
    if old is not None and verify_pin(pin, old, pin_key.load_key() if needs_key(old) else None):
        raise ServiceError("新 PIN 不能与原 PIN 相同：请换一组只有您本人知道的数字")
    pin_hash = new_pin_hash(pin)  # scrypt before the transaction, not under the writer lock

    def work(session: Session) -> Actor:
        staff = _get(session, actor.number)
        if staff.id != actor.staff_id or not staff.active or staff.locked:
            raise AuthError(f"工号 {actor.number} 现在不能修改 PIN（已停用或已锁定），请联系管理员")
        was_forced = staff.must_change_pin
        staff.pin_hash, staff.failed_attempts, staff.must_change_pin = pin_hash, 0, False
        session.add(staff)
        events.record(session, "staff.pin_changed", actor=actor, subject=staff.number, was_forced=was_forced)
        return _actor(staff, actor.window)

    return transaction(engine, work)


def create_key_file(engine: Engine, actor: Actor | None) -> str:
    """For a hall made before PIN keys: the administrator creates the key file (``init`` does it for
    a new hall); PINs are rekeyed at each owner's next login. An existing key is never replaced.
    Returns the key file's path."""
    require(actor, "staff.set_pin")
    created = pin_key.ensure_key_file()
    path = str(pin_key.key_file_path())
    if created:
        transaction(engine, lambda session: events.record(session, "staff.key_created", actor=actor, subject=path))
    return path


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
    must_change_pin: bool = False

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


def list_staff(engine: Engine, actor: Actor | None) -> list[StaffView]:
    require(actor, "staff.list")
    with read_session(engine) as session:
        depts = {d.id: d.name for d in session.exec(select(Department))}
        return [
            StaffView(
                s.number, s.name, s.role, depts.get(s.department_id), s.locked, s.failed_attempts, s.must_change_pin
            )
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
    # A generated PIN was shown on a screen: its owner changes it at the first login. One the
    # installer chose (CLERK_TUI_NEW_PIN) is theirs already.
    return create_staff(session, "admin", "系统管理员", ADMIN, pin, must_change_pin=generated is not None), generated
