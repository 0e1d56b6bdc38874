"""Prepared statements for the hot path: a Core statement compiled once per database dialect and
run straight on the DBAPI cursor of the session's connection.

Calling and finishing a ticket run a dozen small statements at every window all day. Through
``Session.execute`` each costs several times the SQL itself (the ORM's execute path, the engine's
per-statement context and result machinery); with 45 windows on one SQLite file that bookkeeping
happens while the writer lock is held and is what limits the hall. A prepared statement keeps what
matters of SQLAlchemy — the SQL is still generated from the same Core statement for SQLite or
PostgreSQL, values are converted by the columns' own types both ways — and drops the rest.

Pending ORM changes in the session are flushed before each statement, so writes keep their order
when ORM and prepared statements are mixed in one transaction.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import Insert, Update
from sqlmodel import Session


def _row_class(keys: Sequence[str]):
    base = namedtuple("Row", [str(k) for k in keys], rename=True)  # an unnamed column (count(*)) becomes _0

    class Row(base):  # attribute access like SQLAlchemy's Row, and ``_mapping`` for a dict of it
        __slots__ = ()

        @property
        def _mapping(self) -> dict:
            return self._asdict()

    return Row


class _Compiled:
    __slots__ = ("binds", "defaults", "names", "results", "returns_rows", "row", "sql")

    def __init__(self, stmt: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None)
        if compiled.post_compile_params:  # an "expanding" IN: its SQL depends on the values
            raise ValueError("a prepared statement cannot hold an expanding IN; list the values as literal()s")
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup) if compiled.positional else None
        self.defaults = dict(compiled.params)
        self.binds = {}
        for name, bind in compiled.binds.items():
            proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                self.binds[name] = proc
        columns = list(getattr(stmt, "selected_columns", None) or [])
        returning = getattr(stmt, "_returning", None)
        if returning:
            columns = list(returning)
        self.returns_rows = bool(columns)
        self.row = _row_class([c.key for c in columns]) if columns else None
        self.results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)

    def parameters(self, params: dict[str, Any]):
        values = self.defaults | params if self.defaults else params
        for name, proc in self.binds.items():
            if name in values and values[name] is not None:
                values[name] = proc(values[name])
        if self.names is None:
            return values
        return tuple(values[n] for n in self.names)

    def make_row(self, raw: Sequence[Any]):
        return self.row._make(v if p is None or v is None else p(v) for p, v in zip(self.results, raw, strict=True))


class Result:
    __slots__ = ("_compiled", "_cursor", "rowcount")

    def __init__(self, cursor, compiled: _Compiled) -> None:
        self._cursor, self._compiled = cursor, compiled
        self.rowcount = cursor.rowcount

    def first(self):
        raw = self._cursor.fetchone()
        self._cursor.close()
        return None if raw is None else self._compiled.make_row(raw)

    def all(self) -> list:
        rows = [self._compiled.make_row(r) for r in self._cursor.fetchall()]
        self._cursor.close()
        return rows

    def scalar_one(self):
        rows = self._cursor.fetchall()
        self._cursor.close()
        if len(rows) != 1:
            raise ValueError(f"expected one row, got {len(rows)}")
        return self._compiled.make_row(rows[0])[0]


class Prepared:
    """``Prepared(stmt).run(session, {...})`` executes ``stmt`` with those values in the session's
    transaction. An INSERT or UPDATE sets the columns its values name, as ``Session.execute`` would
    (compiled once per set of names)."""

    __slots__ = ("_cache", "_dml", "stmt")

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._dml = isinstance(stmt, (Insert, Update))
        self._cache: dict[tuple, _Compiled] = {}

    def compiled(self, dialect: Dialect, keys: tuple[str, ...] = ()) -> _Compiled:
        key = (dialect.name, keys)
        c = self._cache.get(key)
        if c is None:
            c = self._cache[key] = _Compiled(self.stmt, dialect, keys if self._dml else None)
        return c

    def run(self, session: Session, params: dict[str, Any] | None = None) -> Result:
        params = dict(params or {})
        session.flush()
        conn = session.connection()
        compiled = self.compiled(conn.dialect, tuple(sorted(params)) if self._dml else ())
        cursor = conn.connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
        except Exception as exc:
            cursor.close()
            # Raised as SQLAlchemy would, so callers (and the retry on lock conflicts) see the same errors.
            error = conn.dialect.loaded_dbapi.Error
            if isinstance(exc, error):
                raise DBAPIError.instance(compiled.sql, None, exc, error, dialect=conn.dialect) from exc
            raise
        return Result(cursor, compiled)
