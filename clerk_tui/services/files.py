"""Writing files a person asked for: all or nothing, never a half-written file left behind, and
readable by their owner only (clerk_tui/paths.py: exports and papers hold personal data)."""

from __future__ import annotations

from pathlib import Path

from clerk_tui.paths import write_private
from clerk_tui.services.errors import ServiceError, oserror_words


def write_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ServiceError(f"无法写入 {path}：目录 {directory} 不存在")
    try:
        write_private(path, data)
    except OSError as exc:
        raise ServiceError(f"无法写入 {path}（{oserror_words(exc)}）：请检查目录、权限和磁盘空间后重试") from exc
