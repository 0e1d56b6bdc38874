"""Fixtures: throwaway databases on SQLite always and on PostgreSQL (CLERK_TUI_TEST_PG_URL, default
the local server). In CI a missing PostgreSQL fails the run instead of skipping it."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

# New PIN hashes at scrypt's lowest allowed cost (production keeps 14): the suite logs in hundreds
# of times. Set in the environment so that the CLI subprocesses the tests start inherit it.
os.environ.setdefault("CLERK_TUI_PIN_COST", "10")


def _sqlite_without_fsync(dbapi_connection, _record, _proxy) -> None:
    """The suite's SQLite files need no power-failure safety: synchronous=OFF on every checkout,
    after the app's own connect hook set FULL, so that a commit no longer waits for an fsync (5-9 ms
    on this machine; building the demo commits about 500 times). Tests marked ``durable`` (the one
    that checks the app's pragmas) keep what the app set."""
    if not _DURABLE and isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


_DURABLE = False
event.listen(Pool, "checkout", _sqlite_without_fsync)


def pytest_configure(config):
    config.addinivalue_line("markers", "durable: SQLite keeps the app's synchronous=FULL (see conftest)")


@pytest.fixture(autouse=True)
def _durable_when_marked(request):
    global _DURABLE
    _DURABLE = request.node.get_closest_marker("durable") is not None
    yield
    _DURABLE = False


FIXTURES = Path(__file__).parent / "fixtures"
MINI_HALL = FIXTURES / "mini-hall.toml"
ADMIN_PIN = "2468"
PG_URL = os.environ.get("CLERK_TUI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")

_pg_state: dict[str, str | None] = {}


@pytest.fixture(scope="session", autouse=True)
def pin_key_file(tmp_path_factory) -> Path:
    """One PIN key file for the run (never the user's own pin.key), in the environment so that
    the CLI subprocesses the tests start use it too. Shared by every xdist worker, like the demo
    templates (demo_file) whose PINs it hashed: a key per worker made a template built by one
    worker refuse the demo PIN in another."""
    folder = _shared_dir(tmp_path_factory) / "key"
    folder.mkdir(exist_ok=True)
    path = folder / "pin.key"
    os.environ["CLERK_TUI_KEY_FILE"] = str(path)
    from clerk_tui.services.pin_key import ensure_key_file

    with open(folder / "pin.key.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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


def _pg_connect():
    """The server's ``test`` database (its URL parts), and an autocommit connection to it."""
    import psycopg
    from sqlalchemy.engine import make_url

    from clerk_tui.store.engine import normalise_url

    base = make_url(normalise_url(PG_URL))
    kw = dict(host=base.host, port=base.port or 5432, dbname=base.database, user=base.username, password=base.password)
    return base, psycopg.connect(**kw, autocommit=True)


def _pg_schema_url(schema_name: str) -> str:
    # synchronous_commit=off: a commit does not wait for the server's WAL flush (a per-session
    # setting; the data are as visible to other sessions as before, only not crash-safe).
    url = _pg_connect()[0].update_query_dict({"options": f"-csearch_path={schema_name} -csynchronous_commit=off"})
    return url.render_as_string(hide_password=False)


def _pg_new_schema(prefix: str = "t_") -> str:
    name = prefix + uuid.uuid4().hex[:12]
    with _pg_connect()[1] as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return name


def _pg_drop_schema(name: str) -> None:
    with _pg_connect()[1] as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    _skip_or_fail_pg()
    name = _pg_new_schema()
    yield _pg_schema_url(name)
    _pg_drop_schema(name)


class PgHalls:
    """The mini hall on PostgreSQL, for the tests that ask for ``hall``: migrating and loading it
    costs about 0.65 s a test (267 tests run on PostgreSQL), so each worker builds it once in a
    template schema and, before each such test, puts its working schema back to the template's rows
    (TRUNCATE every table, INSERT … SELECT from the template in dependency order, sequences set
    past the copied ids): about 0.05 s. A working schema that cannot be reset (a lock held by a
    test that did not clean up) is left behind for a new one."""

    def __init__(self) -> None:
        from clerk_tui.services.setup import init_database
        from clerk_tui.store.engine import make_engine

        self.template = _pg_new_schema("tpl_")
        eng = make_engine(_pg_schema_url(self.template))
        init_database(eng, catalog=MINI_HALL, admin_pin=ADMIN_PIN, demo=True)
        eng.dispose()
        with _pg_connect()[1] as conn:
            self.tables = [
                t.name
                for t in _sorted_tables()
                if conn.execute(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                    (self.template, t.name),
                ).fetchone()
            ]
            self.serials = conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = %s AND column_default LIKE 'nextval%%'",
                (self.template,),
            ).fetchall()
        self.working: str | None = None
        self.all: list[str] = [self.template]

    def fresh(self) -> str:
        """The URL of a working schema holding exactly the template's hall."""
        if self.working is not None:
            try:
                self._reset(self.working)
                return _pg_schema_url(self.working)
            except Exception:  # a lock left behind: start a new working schema
                self.working = None
        from clerk_tui.services.setup import init_database
        from clerk_tui.store.engine import make_engine

        name = _pg_new_schema("w_")
        self.all.append(name)
        eng = make_engine(_pg_schema_url(name))  # the real migrations: the same tables, keys and sequences
        init_database(eng, catalog=MINI_HALL, admin_pin=ADMIN_PIN, demo=True)
        eng.dispose()
        self._reset(name)  # the template's rows exactly (its hashes, ids and times)
        self.working = name
        return _pg_schema_url(name)

    def _reset(self, name: str) -> None:
        with _pg_connect()[1] as conn, conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '3s'")
            conn.execute(f"TRUNCATE {', '.join(f'{name}.{t}' for t in self.tables)}")
            for table in self.tables:
                conn.execute(f"INSERT INTO {name}.{table} SELECT * FROM {self.template}.{table}")
            for table, column in self.serials:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}.{table}', '{column}'),"
                    f" COALESCE(MAX({column}), 0) + 1, false) FROM {name}.{table}"
                )

    def drop(self) -> None:
        for name in self.all:
            _pg_drop_schema(name)


def _sorted_tables():
    """The tables in the order their foreign keys allow rows to be inserted."""
    from sqlmodel import SQLModel

    import clerk_tui.store.models  # noqa: F401  (registers the tables)

    return SQLModel.metadata.sorted_tables


@pytest.fixture(scope="session")
def pg_halls():
    _skip_or_fail_pg()
    halls = PgHalls()
    yield halls
    halls.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each store and service test runs on both databases. On PostgreSQL a test that asks for
    ``hall`` gets the worker's working schema put back to the mini hall (PgHalls); any other, a
    fresh empty schema."""
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    if "hall" in request.fixturenames:
        return request.getfixturevalue("pg_halls").fresh()
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
    fold_wal(path)
    return path


def fold_wal(path: Path) -> None:
    """Fold an SQLite file's WAL into the file, so that copying the file is enough."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def ready_staff(engine, admin, number: str, name: str, role: str, pin: str, *, window=None, **kw):
    """A staff member as they are once they have started: added by the administrator (a PIN set by
    someone else), then changed at their first login to ``pin``, their own. Returns them logged in."""
    from clerk_tui.services.staff import add_staff, change_own_pin, login

    first = "9" + pin[::-1] if pin[::-1] != pin else "97" + pin  # the administrator's, to be changed
    add_staff(engine, admin, number, name, role, first, **kw)
    change_own_pin(engine, login(engine, number, first), pin)
    return login(engine, number, pin, window=window)


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
    return engine  # PostgreSQL: db_url gave a schema already holding the mini hall (PgHalls)


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


def _shared_dir(tmp_path_factory) -> Path:
    """A directory every xdist worker of this run sees (the run's base temp directory); without
    xdist, this process's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    """``demo_file(at)``: the path of the demo hall as build_demo makes it with the clock at ``at``
    (CLERK_TUI_NOW), built once per test run, whichever worker asks first (the others wait on a
    lock), and only read afterwards: copy it with copy_mini_hall. A build costs about 3 s of CPU;
    the demo tests ask for the same few hours again and again."""
    cache = _shared_dir(tmp_path_factory) / "demo-templates"
    cache.mkdir(exist_ok=True)

    def get(at: str) -> Path:
        from clerk_tui.services.setup import build_demo
        from clerk_tui.store.engine import make_engine

        path = cache / (at.replace(":", "") + ".db")
        with open(cache / (path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                building = cache / ("building-" + path.name)
                for suffix in ("", "-wal", "-shm"):
                    Path(str(building) + suffix).unlink(missing_ok=True)
                saved = os.environ.get("CLERK_TUI_NOW")
                os.environ["CLERK_TUI_NOW"] = at
                try:
                    eng = make_engine(str(building))
                    build_demo(eng)
                    eng.dispose()
                finally:
                    if saved is None:
                        os.environ.pop("CLERK_TUI_NOW", None)
                    else:
                        os.environ["CLERK_TUI_NOW"] = saved
                fold_wal(building)
                building.rename(path)
        return path

    return get


@pytest.fixture
def demo_at(demo_file, tmp_path, monkeypatch):
    """``demo_at(at)``: an engine on a private copy of the demo built at ``at``, with the clock
    (CLERK_TUI_NOW) left at ``at`` for the rest of the test, as if the test had built it itself."""
    from clerk_tui.store.engine import make_engine

    engines = []

    def make(at: str, name: str = "demo.db"):
        target = tmp_path / name
        copy_mini_hall(demo_file(at), target)
        monkeypatch.setenv("CLERK_TUI_NOW", at)
        engines.append(make_engine(str(target)))
        return engines[-1]

    yield make
    for eng in engines:
        eng.dispose()


# ---------------------------------------------------------------- the CLI, in-process

CLI_IDENTITY = ("CLERK_TUI_STAFF", "CLERK_TUI_PIN", "CLERK_TUI_NEW_PIN", "CLERK_TUI_CONFIG", "CLERK_TUI_OVERRIDE_PIN")


def run_cli(monkeypatch, capsys, args, env=None, *, typed: str | None = None, keep_env: bool = False):
    """Run ``clerk-tui ARGS`` in this process through its real entry point; (exit code, stdout,
    stderr). The acting staff member and settings come from ``env`` alone (unless ``keep_env``);
    ``typed`` is what a person types at a terminal, else standard input is a script's (no terminal)."""
    import io
    import sys

    from clerk_tui import cli

    if not keep_env:
        for key in CLI_IDENTITY:
            monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    if typed is None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    else:

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        monkeypatch.setattr(sys, "stdin", Terminal(typed + "\n"))
    monkeypatch.setattr(sys, "argv", ["clerk-tui", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


# The web tests' fixtures (web_hall, web_client, live_server, chromium, browser_page): one place,
# shared by every page's tests.
from tests.web_fixtures import browser_page, chromium, live_server, web_client, web_hall  # noqa: E402, F401
