import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from clerk_tui.store import schema
from clerk_tui.store.engine import DatabaseUrlError, make_engine, normalise_url


def test_migrations_from_empty_to_head(engine):
    assert schema.status(engine).state == "empty"
    st = schema.upgrade(engine)
    assert st.state == "current" and st.current == schema.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {
        "hall",
        "department",
        "queue",
        "window",
        "window_queue",
        "service_item",
        "material",
        "staff",
        "event",
        "calendar_year",
        "calendar_day",
    } <= tables
    schema.upgrade(engine)  # idempotent


def test_models_match_the_migrations(engine):
    schema.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_refuses_a_database_newer_than_itself(engine):
    schema.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    st = schema.status(engine)
    assert st.state == "ahead" and "新" in st.describe()
    with pytest.raises(schema.SchemaError, match="升级 clerk-tui"):
        schema.require_current(engine)
    with pytest.raises(schema.SchemaError):
        schema.upgrade(engine)


@pytest.mark.durable  # conftest turns synchronous off for the rest of the suite
def test_sqlite_pragmas(tmp_path):
    eng = make_engine(str(tmp_path / "x.db"))
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_foreign_keys_are_enforced(engine):
    from sqlalchemy.exc import IntegrityError

    from clerk_tui.store.engine import write_session
    from clerk_tui.store.models import Department

    schema.upgrade(engine)
    with pytest.raises(IntegrityError):
        with write_session(engine) as s:
            s.add(Department(hall_id=12345, name="x"))


def test_urls():
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalise_url("hall.db").startswith("sqlite:////")
    with pytest.raises(DatabaseUrlError):
        normalise_url("mysql://x/y")


def test_fast_revision_reading_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(schema._config())
    assert schema.head_revision() == script.get_current_head()
    assert schema.known_revisions() == {r.revision for r in script.walk_revisions()}
