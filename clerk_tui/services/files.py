"""Writing files a person asked for: all or nothing, never a half-written file left behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from clerk_tui.services.errors import ServiceError, oserror_words


def write_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ServiceError(f"无法写入 {path}：目录 {directory} 不存在")
    fd, tmp = None, None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fd = None
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ServiceError(f"无法写入 {path}（{oserror_words(exc)}）：请检查目录、权限和磁盘空间后重试") from exc
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
