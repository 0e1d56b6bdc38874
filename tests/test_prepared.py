"""Prepared statements (store/prepared.py) behave as Session.execute would, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlalchemy import bindparam, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from clerk_tui.store.engine import read_session, write_session
from clerk_tui.store.models import Event, Hall, Window
from clerk_tui.store.prepared import Prepared

_E = Event.__table__
INSERT_EVENT = Prepared(insert(_E).returning(_E.c.id))
EVENT_BY_ID = Prepared(
    select(_E.c.id, _E.c.at, _E.c.kind, _E.c.subject, _E.c.window_number).where(_E.c.id == bindparam("eid"))
)
COUNT_KINDS = Prepared(select(func.count()).select_from(_E).where(_E.c.kind.in_([literal("a.x"), literal("a.y")])))
SET_EVENT = Prepared(_E.update().where(_E.c.id == bindparam("eid")))
GUARDED = Prepared(_E.update().where(_E.c.id == bindparam("eid"), _E.c.kind == "a.x").values(kind="a.z"))


def _event(session: Session, kind: str, at: dt.datetime) -> int:
    return INSERT_EVENT.run(
        session, {"at": at, "kind": kind, "subject": "甲", "payload": "{}", "staff_id": None, "window_number": None}
    ).scalar_one()


def test_values_convert_both_ways_and_rows_read_like_sqlalchemy_rows(hall):
    at = dt.datetime(2026, 11, 26, 9, 30, 15, 123456)
    with write_session(hall) as s:
        eid = _event(s, "a.x", at)
        _event(s, "a.y", at)
        _event(s, "a.q", at)
    with read_session(hall) as s:
        row = EVENT_BY_ID.run(s, {"eid": eid}).first()
        assert row.at == at and isinstance(row.at, dt.datetime)
        assert (row.kind, row.subject, row.window_number) == ("a.x", "甲", None)
        assert row._mapping["kind"] == "a.x"
        assert COUNT_KINDS.run(s, {}).scalar_one() == 2
        assert EVENT_BY_ID.run(s, {"eid": -1}).first() is None


def test_an_update_sets_the_columns_its_values_name(hall):
    at = dt.datetime(2026, 11, 26, 9, 0)
    with write_session(hall) as s:
        eid = _event(s, "a.x", at)
        assert SET_EVENT.run(s, {"eid": eid, "subject": "乙"}).rowcount == 1
        assert SET_EVENT.run(s, {"eid": eid, "window_number": 3, "payload": '{"k": 1}'}).rowcount == 1
        assert GUARDED.run(s, {"eid": eid}).rowcount == 1
        assert GUARDED.run(s, {"eid": eid}).rowcount == 0  # the guard: no longer a.x
    with read_session(hall) as s:
        e = s.get(Event, eid)
        assert (e.subject, e.window_number, e.payload, e.kind) == ("乙", 3, '{"k": 1}', "a.z")


def test_pending_orm_changes_are_written_first(hall):
    count = Prepared(select(func.count()).select_from(Window.__table__).where(Window.__table__.c.number >= 77))
    with write_session(hall) as s:
        hall_id = s.exec(select(Hall.id)).first()[0]
        s.add(Window(hall_id=hall_id, number=77, name="七十七"))  # pending, not flushed: the count must still see it
        assert count.run(s, {}).scalar_one() == 1
        s.add(Window(hall_id=hall_id, number=78, name="七十八"))
        assert count.run(s, {}).scalar_one() == 2


def test_database_errors_are_sqlalchemy_errors_and_roll_back(hall):
    with pytest.raises(IntegrityError):
        with write_session(hall) as s:
            _event(s, "a.x", dt.datetime(2026, 11, 26, 9, 0))
            INSERT_EVENT.run(
                s, {"at": None, "kind": "a.y", "subject": "", "payload": "{}", "staff_id": None, "window_number": None}
            )  # at is NOT NULL
    with read_session(hall) as s:
        assert COUNT_KINDS.run(s, {}).scalar_one() == 0  # the whole transaction rolled back


def test_an_expanding_in_is_refused():
    from sqlalchemy import create_engine

    stmt = Prepared(select(_E.c.id).where(_E.c.kind.in_(["a", "b"])))
    with pytest.raises(ValueError, match="expanding IN"):
        stmt.compiled(create_engine("sqlite://").dialect)
