"""What a database holds, counted before ``init --force`` erases it or ``demo`` refuses it, and the
database named as a person names it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Hall, ServiceCase, Staff, Ticket


@dataclass(frozen=True)
class HallContents:
    """What a database holds: counted before ``init --force`` erases it, and read from a backup
    file (services/backup.py) before a restore brings it or replaces a hall with it."""

    halls: int
    cases: int
    events: int
    tickets: int
    staff: int
    code: str  # the hall's code (typed to confirm an erase), "" when there is no hall
    name: str = ""  # the main hall's name (typed to confirm a restore over it)
    revision: str | None = None  # the schema version, where read (a backup file)

    @property
    def empty(self) -> bool:
        return not (self.halls or self.cases or self.events or self.tickets or self.staff)

    def describe(self) -> str:
        return (
            f"大厅 {self.halls} 个（{self.code or '无代码'}）、办件 {self.cases} 件、"
            f"事件记录 {self.events} 条、号票 {self.tickets} 张、工作人员 {self.staff} 名"
        )

    def named(self) -> str:
        """The hall by its name, as a backup or a restore speaks of it."""
        return f"大厅“{self.name}”：办件 {self.cases} 件、取号 {self.tickets} 个、事件 {self.events} 条"


def database_name(engine: Engine) -> str:
    """The database as a person names it: the file's path, or the URL without its password."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def hall_contents(engine: Engine) -> HallContents | None:
    """The counts ``init --force`` would erase, or None for a database with no tables at all."""
    tables = set(inspect(engine).get_table_names())
    if not tables:
        return None

    def count(session: Session, model) -> int:
        if model.__tablename__ not in tables:
            return 0
        return session.exec(select(func.count()).select_from(model)).one()

    with read_session(engine) as session:
        code = ""
        if "hall" in tables:
            code = session.exec(select(Hall.code).order_by(Hall.id)).first() or ""
        return HallContents(
            halls=count(session, Hall),
            cases=count(session, ServiceCase),
            events=count(session, Event),
            tickets=count(session, Ticket),
            staff=count(session, Staff),
            code=code,
        )
