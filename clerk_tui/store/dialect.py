"""The few SQL expressions that SQLite and PostgreSQL spell differently, in one place.

Services build portable statements and call these for the rest; each takes the dialect's name
(``session.get_bind().dialect.name``) and returns a SQLAlchemy expression.
"""

from __future__ import annotations

from sqlalchemy import Date, Integer, and_, cast, func
from sqlalchemy.sql.elements import ColumnElement


def name_of(session) -> str:
    """The dialect name of the session's connection: ``sqlite`` or ``postgresql``."""
    return session.get_bind().dialect.name


def minutes_between(dialect: str, start, end) -> ColumnElement:
    """``end - start`` in minutes, as a float."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def whole_minutes_up(dialect: str, minutes) -> ColumnElement:
    """Whole minutes rounded up (a 90th percentile never understates). The 0.001 keeps an exact 6.0
    (PostgreSQL) and a 5.99999 (SQLite's julianday) in the same minute; SQLite's CAST truncates,
    PostgreSQL's rounds, hence floor there."""
    if dialect == "postgresql":
        return cast(func.floor(minutes - 0.001), Integer) + 1
    return cast(minutes - 0.001, Integer) + 1


def day_of(dialect: str, col) -> ColumnElement:
    """The calendar date of a timestamp column."""
    if dialect == "postgresql":
        return cast(col, Date)
    return func.date(col)


def hour_of(dialect: str, col) -> ColumnElement:
    """The hour (0–23) of a timestamp column, as an integer."""
    if dialect == "postgresql":
        return cast(func.extract("hour", col), Integer)
    return cast(func.strftime("%H", col), Integer)


def minute_of_day(dialect: str, col) -> ColumnElement:
    """Minutes since midnight (0–1439) of a timestamp column, as an integer."""
    if dialect == "postgresql":
        return cast(func.extract("hour", col) * 60 + func.extract("minute", col), Integer)
    return cast(func.strftime("%H", col), Integer) * 60 + cast(func.strftime("%M", col), Integer)


def starts_with(dialect: str, col, prefix: str) -> ColumnElement:
    """``col`` begins with ``prefix`` (no wildcards). On SQLite, whose LIKE is case-insensitive and
    cannot use a binary-collated index, the same test is also written as a range so that the index
    on ``col`` is sought instead of scanned."""
    match = col.startswith(prefix, autoescape=True)
    if dialect == "sqlite":
        return and_(col >= prefix, col < prefix + "\U0010ffff", match)
    return match


def insert_on_conflict(dialect: str, table):
    """``INSERT`` with ``ON CONFLICT … DO UPDATE`` (``on_conflict_do_update``): PostgreSQL's or
    SQLite's construct, the only dialect branch the per-day counters need. The dialect module is
    imported on first use, so a hall loads only the one it runs on."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def locked(dialect: str, stmt):
    """``stmt`` (a SELECT) locking the rows it reads until the transaction ends: ``FOR UPDATE`` on
    PostgreSQL. SQLite needs nothing: every writing transaction there already holds the database's
    one write lock (BEGIN IMMEDIATE, see store/engine)."""
    if dialect == "postgresql":
        return stmt.with_for_update()
    return stmt
