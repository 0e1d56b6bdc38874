"""Schema versions: upgrade with Alembic, and refuse a database newer than this program."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(RuntimeError):
    pass


def _config(connection=None):
    from alembic.config import Config  # start-up: Alembic loads only to check or migrate the schema

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> set[str]:
    """Revision ids, read from the file names (``NNNN_slug.py`` with ``revision = "NNNN"``).

    Reading names instead of loading Alembic keeps every command's start-up fast; a test checks
    that this agrees with Alembic's own view of the scripts.
    """
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")}


def head_revision() -> str:
    return max(known_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str
    state: str  # "empty" | "behind" | "current" | "ahead"

    def describe(self) -> str:
        return {
            "empty": "数据库尚未初始化，请先运行 clerk-tui init",
            "behind": f"数据库版本 {self.current} 低于程序版本 {self.head}，请运行 clerk-tui db upgrade",
            "current": f"数据库版本 {self.current}，与程序一致",
            "ahead": f"数据库版本 {self.current} 比本程序新（程序支持到 {self.head}），请升级 clerk-tui 后再使用",
        }[self.state]


def status(engine: Engine) -> SchemaStatus:
    current, head = current_revision(engine), head_revision()
    if current is None:
        state = "empty"
    elif current == head:
        state = "current"
    elif current in known_revisions():
        state = "behind"
    else:
        state = "ahead"
    return SchemaStatus(current, head, state)


def upgrade(engine: Engine) -> SchemaStatus:
    """Migrate to head. Refuses a database newer than this program."""
    before = status(engine)
    if before.state == "ahead":
        raise SchemaError(before.describe())
    if before.state != "current":
        from alembic import command  # start-up: as in _config

        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a migration may rewrite a big table: no statement timeout
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            command.upgrade(_config(conn), "head")
    return status(engine)


def require_current(engine: Engine) -> None:
    """Raise SchemaError with the message a person needs unless the schema is at head."""
    st = status(engine)
    if st.state != "current":
        raise SchemaError(st.describe())


def drop_everything(engine: Engine) -> None:
    """Used by ``init --force`` only: remove every table of this database."""
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        meta.drop_all(conn)
