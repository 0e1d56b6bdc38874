"""Where the files clerk-tui ships live. A bottom module (it imports nothing of clerk_tui), so
that every layer, printing included, can find them without reaching up into services."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class DataMissing(RuntimeError):
    """The shipped data/ folder is not where the package expects it (a broken install)."""


def data_dir() -> Path:
    """The shipped data/ folder: inside the wheel, or beside the package in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / "catalog").is_dir():
            return candidate
    raise DataMissing("找不到 clerk-tui 自带的数据目录 data/，请重新安装")


# ---------------------------------------------------------------- files only their owner may read
#
# The hall's files hold personal data (the database, papers, exported reports, audit anchors): they
# are created readable by their owner only, whatever the umask (which can only take bits away, so
# each one is also chmod-ed to the exact mode once made).

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: str | Path) -> Path:
    """The folder, made with any missing parents as owner-only (0700). A folder that exists
    already is left as it is: it may be a person's own, chosen in the settings."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by another process: not ours to change
            continue
        os.chmod(d, PRIVATE_DIR)
    return path


def create_private(path: str | Path) -> bool:
    """Create an empty owner-only (0600) file unless one exists. True when it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def write_private(path: str | Path, data: bytes) -> None:
    """Write a whole file, owner-only (0600), all or nothing: the data goes to a temporary file
    beside it that replaces the old one only once it is on disk. Raises OSError."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = ""
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def append_private(path: str | Path, data: bytes) -> None:
    """Append to a file, creating it owner-only (0600) when it does not exist yet."""
    create_private(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    with os.fdopen(fd, "ab") as fh:
        fh.write(data)
        fh.flush()


def readable_by_others(path: str | Path) -> int | None:
    """The file's permission bits when someone other than its owner may read or write it, else
    None (also when it does not exist)."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return None
    return mode if mode & 0o077 else None


class TooLarge(OSError):
    """A file a setting or a person named is larger than what it can be (``/dev/zero`` as a key)."""


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path``, refusing (TooLarge) a file of more than ``limit`` bytes without ever
    holding more than that: a device or a huge file named by mistake or on purpose."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{path} 超过 {limit} 字节")
    return data
