"""Fixtures: throwaway databases on SQLite always and on PostgreSQL (CLERK_TUI_TEST_PG_URL, default
the local server). In CI a missing PostgreSQL fails the run instead of skipping it."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

# New PIN hashes at scrypt's lowest allowed cost (production keeps 14): the suite logs in hundreds
# of times. Set in the environment so that the CLI subprocesses the tests start inherit it.
os.environ.setdefault("CLERK_TUI_PIN_COST", "10")

FIXTURES = Path(__file__).parent / "fixtures"
MINI_HALL = FIXTURES / "mini-hall.toml"
ADMIN_PIN = "2468"
PG_URL = os.environ.get("CLERK_TUI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")

_pg_state: dict[str, str | None] = {}


@pytest.fixture(scope="session", autouse=True)
def pin_key_file(tmp_path_factory) -> Path:
    """One PIN key file for the session (never the user's own pin.key), in the environment so that
    the CLI subprocesses the tests start use it too."""
    path = tmp_path_factory.mktemp("key") / "pin.key"
    os.environ["CLERK_TUI_KEY_FILE"] = str(path)
    from clerk_tui.services.pin_key import ensure_key_file

    ensure_key_file()
    return path


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can (checked once)."""
    if "problem" not in _pg_state:
        try:
            import psycopg
            from sqlalchemy.engine import make_url

            from clerk_tui.store.engine import normalise_url

            url = make_url(normalise_url(PG_URL))
            with psycopg.connect(
                host=url.host,
                port=url.port or 5432,
                dbname=url.database,
                user=url.username,
                password=url.password,
                connect_timeout=3,
            ):
                pass
            _pg_state["problem"] = None
        except Exception as exc:
            _pg_state["problem"] = f"PostgreSQL unreachable at {PG_URL}: {exc}"
    return _pg_state["problem"]


def _skip_or_fail_pg() -> None:
    problem = pg_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem + " (CI must run the PostgreSQL tests)")
        pytest.skip(problem)


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    _skip_or_fail_pg()
    import psycopg
    from sqlalchemy.engine import make_url

    from clerk_tui.store.engine import normalise_url

    schema_name = "t_" + uuid.uuid4().hex[:12]
    base = make_url(normalise_url(PG_URL))
    kw = dict(host=base.host, port=base.port or 5432, dbname=base.database, user=base.username, password=base.password)
    with psycopg.connect(**kw, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema_name}")
    url = base.update_query_dict({"options": f"-csearch_path={schema_name}"})
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(**kw, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema_name} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each store and service test runs on both databases."""
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    from clerk_tui.store.engine import make_engine

    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def mini_hall_file(tmp_path_factory) -> Path:
    """The mini hall, migrated and initialised once per test session as an SQLite file: copying it
    (about 0.5 ms) replaces migrating a new database for every test (about 0.1 s). Marked as a
    demo hall: its staff keep short, easy PINs (2468, 1111…) and no forced change; the PIN rules
    themselves are tested on a real hall (tests/test_credentials.py)."""
    from clerk_tui.services.setup import init_database
    from clerk_tui.store.engine import make_engine

    path = tmp_path_factory.mktemp("template") / "mini-hall.db"
    eng = make_engine(str(path))
    init_database(eng, catalog=MINI_HALL, admin_pin=ADMIN_PIN, demo=True)
    eng.dispose()
    import sqlite3

    conn = sqlite3.connect(path)  # fold the WAL into the file, so that copying the file is enough
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def unmark_demo(engine) -> None:
    """Take the demo mark off a mini hall (its easy PINs stay): for a test of what a real hall
    refuses (demo over it, PIN rules). The mark is data: set back to "0", as a hall never marked reads."""
    from clerk_tui.services import marks
    from clerk_tui.services.tx import transaction

    transaction(engine, lambda session: marks.mark(session, marks.DEMO, "0"))


def copy_mini_hall(template: Path, target: Path) -> None:
    """Put a copy of the initialised mini hall at ``target`` (no -wal/-shm left beside it)."""
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)


@pytest.fixture
def hall(engine, db_url, mini_hall_file):
    """An engine on a database initialised with the mini hall and admin (PIN 2468)."""
    if "://" not in db_url:  # SQLite: a copy of the session's template
        engine.dispose()
        copy_mini_hall(mini_hall_file, Path(db_url))
        return engine
    from clerk_tui.services.setup import init_database

    init_database(engine, catalog=MINI_HALL, admin_pin=ADMIN_PIN, demo=True)
    return engine


@pytest.fixture
def admin(hall):
    from clerk_tui.services.staff import login

    return login(hall, "admin", ADMIN_PIN)


@pytest.fixture
def sqlite_hall(tmp_path, mini_hall_file):
    from clerk_tui.store.engine import make_engine

    copy_mini_hall(mini_hall_file, tmp_path / "hall.db")
    eng = make_engine(str(tmp_path / "hall.db"))
    yield eng
    eng.dispose()


@pytest.fixture
def now(monkeypatch):
    """Set the clock (CLERK_TUI_NOW); starts at Thursday 2026-11-26 09:00."""

    def set_now(text):
        monkeypatch.setenv("CLERK_TUI_NOW", text)

    set_now("2026-11-26T09:00:00")
    return set_now
