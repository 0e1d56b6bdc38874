"""The administrator's login for ``db upgrade``: on a schema this program has not upgraded yet,
where the models (and their newer columns) cannot be used. Reads and writes only the staff columns
every schema has had since 0001; a wrong PIN counts and the fifth locks, as at any login."""

from __future__ import annotations

from sqlalchemy import column, inspect, select, table, update
from sqlalchemy.engine import Engine

from clerk_tui.domain.pins import needs_key, verify_pin
from clerk_tui.services import pin_key
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import AuthError, ServiceError
from clerk_tui.services.staff import MAX_FAILED

_STAFF = table(
    "staff",
    column("id"),
    column("number"),
    column("name"),
    column("department_id"),
    column("role"),
    column("pin_hash"),
    column("failed_attempts"),
    column("locked"),
    column("active"),
)


def login_before_upgrade(engine: Engine, number: str, pin: str, permission: str = "db.upgrade") -> Actor:
    """The acting staff member, checked against the staff table as it is, with ``permission``."""
    number = (number or "").strip()
    if not number:
        raise AuthError("请输入工号")
    if "staff" not in inspect(engine).get_table_names():
        raise ServiceError("数据库尚未初始化（没有人员表），请先运行 clerk-tui init")
    with engine.connect() as conn:
        row = conn.execute(select(_STAFF).where(_STAFF.c.number == number)).first()
    if row is None or not row.active:
        raise AuthError("工号或 PIN 不正确")
    if row.locked:
        raise AuthError(f"工号 {number} 已被锁定（连续{MAX_FAILED}次 PIN 错误），请联系带班领导或管理员解锁")
    key = pin_key.load_key() if needs_key(row.pin_hash) else None  # a missing key file is said, not counted
    ok = verify_pin(pin or "", row.pin_hash, key)  # scrypt outside the write transaction
    failed = 0 if ok else row.failed_attempts + 1
    with engine.begin() as conn:
        conn.execute(
            update(_STAFF).where(_STAFF.c.id == row.id).values(failed_attempts=failed, locked=failed >= MAX_FAILED)
        )
    if not ok:
        if failed >= MAX_FAILED:
            raise AuthError(f"PIN 连续{MAX_FAILED}次错误，工号 {number} 已锁定，请联系带班领导或管理员解锁")
        raise AuthError(f"工号或 PIN 不正确，再错{MAX_FAILED - failed}次将锁定")
    return require(Actor(row.id, row.number, row.name, row.role, row.department_id), permission)


def record_upgrade(engine: Engine, actor: Actor, before: str | None, after: str | None) -> None:
    """The upgrade in the event log (written once the schema is the new one)."""
    from clerk_tui.services.events import record
    from clerk_tui.services.tx import transaction

    transaction(engine, lambda s: record(s, "db.upgraded", actor=actor, before=before or "", after=after or ""))
