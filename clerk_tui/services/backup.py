"""Backup and restore of a hall.

SQLite: SQLite's online backup API copies the hall in one step while every terminal keeps working
(under WAL a reader holds a consistent snapshot and never blocks a writer). The copy is written
under a ``.partial`` name created owner-only (0600, whatever the umask), checked (``PRAGMA
integrity_check``, the schema version, and the audit hash chain once ``services.audit`` has one),
and only then renamed to its name. PostgreSQL: the exact ``pg_dump`` / ``pg_restore`` command for
the configured database is given instead (no password in it).

The daily backup is made by the first supervisor's screen that sees the day's close has passed
(``backup_at``) without one; the store mark ``backup_claim`` lets only one terminal make it, and
``last_backup`` says when the last one was made.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from clerk_tui import clock
from clerk_tui.services import events
from clerk_tui.services.contents import HallContents
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.marks import mark
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import make_engine, read_session
from clerk_tui.store.models import StoreMark
from clerk_tui.store.schema import head_revision, known_revisions

LAST_BACKUP = "last_backup"  # store mark: "<ISO time>|<file>" of the last backup made
BACKUP_CLAIM = "backup_claim"  # store mark: when a terminal started the daily backup
CLAIM_STALE = dt.timedelta(hours=1)  # a claim older than this (its terminal died) is taken over
DAILY_PREFIX = "daily-"  # the automatic backups, rotated; a manual backup is "hall-…" and kept
SQLITE_HEADER = b"SQLite format 3\x00"


class ReplaceRefused(ServiceError):
    """A restore over a hall in use, without the confirmation naming it."""

    def __init__(self, message: str, contents: HallContents) -> None:
        super().__init__(message)
        self.contents = contents


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    contents: HallContents


# ---------------------------------------------------------------- where the files go


def sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file behind ``engine``, or None for PostgreSQL (or an in-memory database)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(str(engine.url.database))


def backup_folder(database: Path, setting: str = "") -> Path:
    """The ``backup_dir`` setting, else ``backups`` beside the database."""
    return Path(setting).expanduser() if setting else database.parent / "backups"


def backup_name(prefix: str = "hall-") -> str:
    return f"{prefix}{clock.now():%Y%m%d-%H%M%S}.db"


# ---------------------------------------------------------------- checking a copy


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=15)
    conn.execute("PRAGMA busy_timeout=15000")
    return conn


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def read_contents(conn: sqlite3.Connection) -> HallContents | None:
    """What an SQLite hall holds, or None when the database is empty (no schema, or no hall)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"hall", "service_case", "event", "ticket"} <= tables:
        return None if not tables - {"alembic_version"} else HallContents(0, 0, 0, 0, 0, "", name="（未知）")
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    hall = conn.execute("SELECT name, code FROM hall WHERE parent_id IS NULL ORDER BY id LIMIT 1").fetchone()
    found = HallContents(
        halls=_count(conn, "hall"),
        cases=_count(conn, "service_case"),
        events=_count(conn, "event"),
        tickets=_count(conn, "ticket"),
        staff=_count(conn, "staff") if "staff" in tables else 0,
        code=hall[1] if hall else "",
        name=hall[0] if hall else "（未命名）",
        revision=revision,
    )
    if hall is None and not (found.cases or found.events or found.tickets):
        return None
    return found


def check_file(path: Path) -> HallContents:
    """Check a backup (or a copy being made): an SQLite file, intact, a known schema version, a
    whole audit chain. Raises ServiceError saying what is wrong; changes nothing."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ServiceError(f"无法读取备份文件 {path}（{exc.strerror or exc}）：请检查路径和权限") from None
    if header != SQLITE_HEADER:
        raise ServiceError(f"{path} 不是 clerk-tui 的 SQLite 备份文件：请选择 clerk-tui db backup 做出的文件")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise ServiceError(f"备份文件 {path} 已损坏（{'；'.join(result[:3])}）：请换一份备份")
        contents = read_contents(conn)
    except sqlite3.DatabaseError as exc:
        raise ServiceError(f"备份文件 {path} 无法读取（{exc}）：请换一份备份") from None
    finally:
        conn.close()
    if contents is None or contents.revision is None:
        raise ServiceError(f"{path} 中没有大厅数据：请选择 clerk-tui db backup 做出的文件")
    if contents.revision not in known_revisions():
        raise ServiceError(
            f"备份文件 {path} 的数据库版本 {contents.revision} 比本程序新（程序支持到 {head_revision()}）："
            "请先升级 clerk-tui"
        )
    if problem := audit_chain_problem(path):
        raise ServiceError(f"备份文件 {path} 的审计日志链校验未通过（{problem}）：请换一份备份并联系管理员")
    return contents


def audit_chain_problem(path: Path) -> str | None:
    """Why the copy's audit chain does not verify (services/audit.py), or None when it does."""
    from clerk_tui.services.audit import verify_chain  # the backup's check: loaded only for it

    engine = make_engine(str(path))
    try:
        report = verify_chain(engine)
    finally:
        engine.dispose()
    if report.ok:
        return None
    return "；".join(p.message for p in report.problems[:3])


# ---------------------------------------------------------------- copying


def _owner_only(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner alone (whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup from ``source`` into ``target`` in one step: a consistent snapshot
    while writers go on; the copy is a single file (journal mode DELETE, no -wal beside it)."""
    src, dst = _connect(source), sqlite3.connect(str(target))
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.commit()
    finally:
        dst.close()
        src.close()


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _made_copy(source: Path, target: Path) -> HallContents:
    """Copy ``source`` to ``target`` (which must not exist) through a checked owner-only
    ``.partial`` file; nothing is left behind on failure."""
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial.unlink(missing_ok=True)
        _owner_only(partial)
        _copy(source, partial)
        contents = check_file(partial)
        if target.exists():
            raise ServiceError(f"文件 {target} 已存在：请换一个文件名，备份不会覆盖已有文件")
        os.replace(partial, target)
    except OSError as exc:
        raise ServiceError(f"无法写入 {target}（{exc.strerror or exc}）：请检查文件夹、权限和磁盘空间") from None
    finally:
        partial.unlink(missing_ok=True)
    _sync_dir(target.parent)
    return contents


def backup(engine: Engine, actor: Actor | None, target: str | Path | None = None, *, folder: str = "") -> BackupResult:
    """``db backup``: copy the hall to ``target`` (default: a dated file in the backups folder)."""
    actor = require(actor, "db.backup")
    source = sqlite_file(engine)
    if source is None:
        raise ServiceError("PostgreSQL 的大厅请用 pg_dump 备份：运行 clerk-tui db backup 可显示完整命令")
    return _backup_to(engine, actor, source, _target(source, target, folder, "hall-"), automatic=False)


def _target(source: Path, target: str | Path | None, folder: str, prefix: str) -> Path:
    path = Path(target).expanduser() if target else backup_folder(source, folder) / backup_name(prefix)
    if path.exists():
        raise ServiceError(f"文件 {path} 已存在：请换一个文件名，备份不会覆盖已有文件")
    if path.resolve() == source.resolve():
        raise ServiceError("备份文件不能是数据库本身：请另选文件名")
    return path


def _backup_to(engine: Engine, actor: Actor, source: Path, path: Path, *, automatic: bool) -> BackupResult:
    contents = _made_copy(source, path)
    size = path.stat().st_size
    at = clock.now()

    def work(session) -> None:
        mark(session, LAST_BACKUP, f"{at.isoformat(timespec='seconds')}|{path}")
        events.record(
            session, "db.backup", actor=actor, subject=path.name, file=str(path), size=size, automatic=automatic
        )

    transaction(engine, work)
    return BackupResult(path, size, contents)


# ---------------------------------------------------------------- PostgreSQL


def _pg_args(engine: Engine) -> list[str]:
    url = make_url(engine.url.render_as_string(hide_password=False))
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    args += ["-d", url.database or ""]
    return args


def _pg_schema(engine: Engine) -> list[str]:
    options = engine.url.query.get("options") or ""
    text = options if isinstance(options, str) else " ".join(options)
    for part in text.replace("-c ", "-c").split():
        if part.startswith("-csearch_path="):
            return ["-n", part.split("=", 1)[1].split(",")[0]]
    return []


def pg_dump_command(engine: Engine, actor: Actor | None, target: str | None = None) -> str:
    """The exact ``pg_dump`` for the configured PostgreSQL hall (the password is not in it: give it
    through ~/.pgpass or PGPASSWORD)."""
    require(actor, "db.backup")
    name = target or backup_name("hall-").replace(".db", ".dump")
    return shlex.join(["pg_dump", *_pg_args(engine), *_pg_schema(engine), "-Fc", "-f", name])


def pg_restore_command(url: str, source: str) -> str:
    """The exact ``pg_restore`` into an empty PostgreSQL database (``--to`` or the configured one)."""
    engine = make_engine(url)
    try:
        return shlex.join(["pg_restore", *_pg_args(engine), "--no-owner", "--exit-on-error", source])
    finally:
        engine.dispose()


# ---------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    restored: HallContents
    replaced: HallContents | None
    safety_copy: Path | None  # the replaced hall, saved first


def restore(
    source: str | Path,
    target: str | Path,
    who: Callable[[Engine], Actor],
    *,
    confirm: str | None = None,
    folder: str = "",
) -> RestoreResult:
    """``db restore``: put the backup ``source`` at the SQLite file ``target``.

    A new file or an empty database: the copy is made and checked, then the administrator is
    logged in on it (``who``: an administrator of the hall the backup holds). A hall in use: the
    administrator is logged in on it, and ``confirm`` must be that hall's name (the refusal says
    what would be replaced); the hall is first saved to the backups folder, then replaced."""
    src, dest = Path(source).expanduser(), Path(target).expanduser()
    restored = check_file(src)
    if dest.exists() and dest.resolve() == src.resolve():
        raise ServiceError("备份文件就是目标数据库：请指定另一个备份文件或用 --to 指定新文件")
    current = _contents_of(dest)
    if current is None:
        return _restore_new(src, dest, restored, who)
    engine = make_engine(str(dest))
    try:
        actor = require(who(engine), "db.restore")
        if (confirm or "").strip() != current.name:
            raise ReplaceRefused(
                f"{dest} 正在使用，恢复将替换其中的{current.named()}。"
                f"确认替换请加 --replace “{current.name}”（将先自动备份现有数据）；或用 --to 新文件 恢复到新文件",
                current,
            )
        saved = _backup_to(engine, actor, dest, _target(dest, None, folder, "before-restore-"), automatic=True)
        engine.dispose()
        _copy_into_live(src, dest)

        def work(session) -> None:
            events.record(
                session,
                "db.restore",
                subject=src.name,
                file=str(src),
                by=actor.number,
                replaced=current.named(),
                saved_to=str(saved.path),
            )

        if restored.revision == head_revision():  # an older schema is upgraded first (db upgrade)
            transaction(engine, work)
    finally:
        engine.dispose()
    return RestoreResult(dest, restored, current, saved.path)


def _contents_of(path: Path) -> HallContents | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return read_contents(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ServiceError(f"{path} 不是可识别的数据库（{exc}）：请用 --to 指定新文件") from None


def _restore_new(src: Path, dest: Path, restored: HallContents, who: Callable[[Engine], Actor]) -> RestoreResult:
    partial = dest.with_name(dest.name + ".restoring")
    empty_file = dest.exists()
    try:
        partial.unlink(missing_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        _owner_only(partial)
        _copy(src, partial)
        engine = make_engine(str(partial))
        try:
            actor = require(who(engine), "db.restore")
            if restored.revision == head_revision():  # an older schema is upgraded first (db upgrade)
                transaction(
                    engine,
                    lambda s: events.record(
                        s, "db.restore", actor=actor, subject=src.name, file=str(src), to=str(dest)
                    ),
                )
        finally:
            engine.dispose()
        if dest.exists() and not empty_file:
            raise ServiceError(f"文件 {dest} 已存在：恢复不会覆盖它")
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        os.replace(partial, dest)
    except OSError as exc:
        raise ServiceError(f"无法写入 {dest}（{exc.strerror or exc}）：请检查文件夹、权限和磁盘空间") from None
    finally:
        for leftover in (partial, *(Path(str(partial) + s) for s in ("-wal", "-shm", ".lock"))):
            leftover.unlink(missing_ok=True)
    _sync_dir(dest.parent)
    return RestoreResult(dest, restored, None, None)


def _copy_into_live(src: Path, dest: Path) -> None:
    """Replace a hall's content with the backup's, through SQLite (the other terminals' connections
    see the restored hall at their next transaction; no file is swapped under them)."""
    source, target = sqlite3.connect(f"file:{src}?mode=ro", uri=True), _connect(dest)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


# ---------------------------------------------------------------- the daily backup


def _parse_mark(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.split("|", 1)[0]) if value else None
    except ValueError:
        return None


def due_since(now: dt.datetime, backup_at: str) -> dt.datetime:
    """The last close (``backup_at`` today if it has passed, else yesterday's): a backup made
    before it is not today's backup."""
    hh, mm = (int(x) for x in backup_at.split(":"))
    close = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
    return close if now >= close else close - dt.timedelta(days=1)


def last_backup(engine: Engine) -> tuple[dt.datetime | None, str]:
    """When the last backup was made and its file (None, "" if never)."""
    with read_session(engine) as session:
        row = session.get(StoreMark, LAST_BACKUP)
        value = row.value if row is not None else None
    return _parse_mark(value), (value.split("|", 1)[1] if value and "|" in value else "")


def daily_backup(engine: Engine, actor: Actor, *, folder: str = "", keep: int = 14, backup_at: str = "18:00") -> str:
    """Make the day's backup if the close has passed without one and no other terminal is making
    it; keep the newest ``keep`` daily copies. Returns the line the supervisor's screen shows."""
    source = sqlite_file(engine)
    if source is None:
        return "备份：PostgreSQL 请用 pg_dump"
    if keep > 0 and _claim(engine, actor, due_since(clock.now(), backup_at)):
        made = _backup_to(engine, actor, source, _target(source, None, folder, DAILY_PREFIX), automatic=True)
        rotate(made.path.parent, keep)
    at, _ = last_backup(engine)
    return f"上次备份 {at:%m-%d %H:%M}" if at else "尚未备份"


def _claim(engine: Engine, actor: Actor, since: dt.datetime) -> bool:
    """Take the day's backup for this terminal, or say another has it or it is made."""
    require(actor, "db.backup")
    now = clock.now()

    def work(session) -> bool:
        done = session.get(StoreMark, LAST_BACKUP, with_for_update=True)
        claim = session.get(StoreMark, BACKUP_CLAIM, with_for_update=True)
        made = _parse_mark(done.value if done else None)
        claimed = _parse_mark(claim.value if claim else None)
        if made is not None and made >= since:
            return False
        if claimed is not None and claimed >= since and now - claimed < CLAIM_STALE:
            return False
        mark(session, BACKUP_CLAIM, now.isoformat(timespec="seconds"))
        events.record(session, "db.backup_started", actor=actor, subject="daily")
        return True

    return transaction(engine, work)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest daily backups beyond ``keep``; manual backups are never removed."""
    daily = sorted(folder.glob(f"{DAILY_PREFIX}*.db"))
    gone = daily[: max(0, len(daily) - keep)]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
