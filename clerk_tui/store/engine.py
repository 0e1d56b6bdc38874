"""Engines and sessions for SQLite (the default) and PostgreSQL, through the same code.

SQLite runs in WAL mode with foreign keys on, ``synchronous=FULL`` (a saved case survives a power
cut) and a busy timeout. Python's sqlite3 driver would issue a deferred BEGIN, and a deferred
transaction that later writes fails at once with SQLITE_BUSY under WAL; so the driver's own
transaction handling is switched off and every writing transaction starts with BEGIN IMMEDIATE
(SQLAlchemy's documented recipe). Read-only sessions start a deferred transaction instead.

PostgreSQL gets a connect timeout and a statement timeout: a server that accepts a connection and
never answers, or a statement stuck behind a lock, ends in an error within seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

from clerk_tui.paths import create_private, private_dir, readable_by_others

try:
    import fcntl  # POSIX only: the writer lock between processes
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone applies
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 15000
PG_CONNECT_TIMEOUT = 5  # seconds (settings: pg_connect_timeout)
PG_STATEMENT_TIMEOUT = 30  # seconds (settings: pg_statement_timeout)


class DatabaseUrlError(ValueError):
    pass


def normalise_url(database: str) -> str:
    """A file path or an SQLAlchemy URL; ``postgresql://`` gets the psycopg 3 driver."""
    database = database.strip()
    if "://" not in database:
        if database == ":memory:":
            return "sqlite://"
        return f"sqlite:///{Path(database).expanduser().resolve()}"
    try:
        url = make_url(database)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"数据库地址 {database!r} 无法识别，请写文件路径或 postgresql+psycopg://… 形式") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(f"不支持的数据库类型 {url.get_backend_name()}，只支持 SQLite 和 PostgreSQL")
    return url.render_as_string(hide_password=False)


def missing_sqlite_file(database: str) -> str | None:
    """The path of an SQLite database file that does not exist yet, else None."""
    url = make_url(normalise_url(database))
    sqlite_file = url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:"
    if sqlite_file and not Path(url.database).exists():
        return url.database
    return None


def exposed_files(database: str) -> list[tuple[str, int]]:
    """The SQLite database's files (the database, its -wal, -shm and .lock) that others than their
    owner may read or write, with their modes; none for PostgreSQL."""
    url = make_url(normalise_url(database))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return []
    found = []
    for path in (url.database, *(url.database + s for s in ("-wal", "-shm", ".lock"))):
        mode = readable_by_others(path)
        if mode is not None:
            found.append((path, mode))
    return found


class _WriterLock:
    """Serialises writing transactions across the processes that share one SQLite file.

    SQLite's own busy handler sleeps in growing steps (up to 100 ms) while another process holds
    the write lock, so under many writers the file sits idle while everybody sleeps. An advisory
    lock on a file beside the database wakes the next writer as soon as the lock is released.
    A thread lock covers the threads of one process (flock is per open file). Where flock does not
    exist, SQLite's busy timeout alone applies.
    """

    def __init__(self, db_path: str) -> None:
        self.path = db_path + ".lock"
        self.thread_lock = threading.Lock()
        self.fd: int | None = None

    def acquire(self) -> None:
        self.thread_lock.acquire()
        if fcntl is None:  # pragma: no cover - Windows: rely on the busy timeout
            return
        if self.fd is None:
            create_private(self.path)  # owner-only, like the database beside it
            self.fd = os.open(self.path, os.O_RDWR)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        try:
            if fcntl is not None and self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    path = engine.url.database
    if path not in (None, "", ":memory:"):
        _WRITERS[engine] = _WriterLock(path)

        @event.listens_for(engine, "do_connect")
        def _before_connect(_dialect, _record, _cargs, _cparams):
            # SQLite would make a new file 0644 (less the umask) and gives its -wal and -shm the main
            # file's mode: an empty file made owner-only first (a valid empty database) keeps all
            # three private, whatever the umask.
            try:
                create_private(path)
            except OSError:  # a folder it may not write in: SQLite's own error says so, in its words
                pass

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("clerk_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


_WRITERS: weakref.WeakKeyDictionary[Engine, _WriterLock] = weakref.WeakKeyDictionary()


def _env_timeouts() -> tuple[int, int]:
    """The timeouts for an engine made without the settings (scripts, tests): the environment's
    ``CLERK_TUI_PG_CONNECT_TIMEOUT`` / ``CLERK_TUI_PG_STATEMENT_TIMEOUT`` when whole numbers, else
    the defaults (the settings check and explain them for the CLI and the TUI)."""
    out = []
    for name, default in (
        ("CLERK_TUI_PG_CONNECT_TIMEOUT", PG_CONNECT_TIMEOUT),
        ("CLERK_TUI_PG_STATEMENT_TIMEOUT", PG_STATEMENT_TIMEOUT),
    ):
        raw = os.environ.get(name, "").strip()
        out.append(int(raw) if raw.isdigit() and int(raw) > 0 else default)
    return out[0], out[1]


def pg_connect_args(url: str, connect_timeout: int, statement_timeout: int) -> dict[str, object]:
    """psycopg's ``connect_timeout`` and a server-side ``statement_timeout``. The URL's own
    ``options`` (the tests' ``-csearch_path=…``, a hall's own settings) are kept, after ours, so a
    ``statement_timeout`` written in the URL still wins."""
    own = make_url(url).query.get("options") or ""
    if not isinstance(own, str):  # the option given twice in the URL: keep all of them
        own = " ".join(own)
    options = f"-c statement_timeout={int(statement_timeout) * 1000}"
    return {"connect_timeout": int(connect_timeout), "options": f"{options} {own}".strip()}


def make_engine(database: str, *, pg_timeouts: tuple[int, int] | None = None, **kwargs) -> Engine:
    """An engine for a file path or URL. ``pg_timeouts`` is (connect, statement) in seconds, from
    the settings (``Settings.pg_timeouts``); the defaults are 5 and 30."""
    url = normalise_url(database)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            private_dir(Path(path).parent)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **kwargs
        )
        _setup_sqlite(engine)
        return engine
    connect, statement = pg_timeouts or _env_timeouts()
    connect_args = pg_connect_args(url, connect, statement) | kwargs.pop("connect_args", {})
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


@contextlib.contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One writing transaction: commit on success, roll back on any error. On SQLite the
    writer lock is held from before BEGIN until the commit has really happened, and no longer
    (the session is made before and closed after)."""
    writer = _WRITERS.get(engine)
    with Session(engine, expire_on_commit=False) as session:
        if writer is not None:
            writer.acquire()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            if writer is not None:
                writer.release()


@contextlib.contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only session (a deferred transaction on SQLite, so it never takes the write lock)."""
    ro = engine.execution_options(clerk_readonly=True)
    with Session(ro, expire_on_commit=False) as session:
        yield session  # closing ends the transaction and keeps loaded objects readable
