"""Where the files clerk-tui ships live. A bottom module (it imports nothing of clerk_tui), so
that every layer, printing included, can find them without reaching up into services."""

from __future__ import annotations

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
