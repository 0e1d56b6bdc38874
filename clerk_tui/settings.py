"""Settings: a TOML file found with platformdirs, then environment variables, then CLI options.

The file (``settings.toml`` in the user config directory, or ``--config`` / ``CLERK_TUI_CONFIG``):

    database = "/var/lib/clerk-tui/hall.db"   # or "postgresql+psycopg://user@host/db"

    [calendar]
    count_from_same_day = false              # day 1 of a period is the next day (民法典 art. 201)

    [cases]
    yellow_days = 2                          # yellow warning at ≤ 2 working days left

    [printing]
    ticket = "tcp://192.168.1.50:9100"       # tickets; receipt = … for case papers
    width = 80                               # 58, 80 or 42 (Epson-class)

    [audit]
    keep_days = 180                          # events kept at least this long (floor 180, 网络安全法 art. 21)

    [terminal]
    window = 3                               # remembered by the login screen

    [keys]                                   # remap any key binding by its id
    "guide.focus_search" = "slash,ctrl+f"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clerk_tui.domain.queueing import INTERLEAVE, PRIORITY_FIRST, QueuePolicy
from clerk_tui.domain.responsibility import Rules as ResponsibilityRules
from clerk_tui.domain.words import read_failed_words, toml_words

APP_NAME = "clerk-tui"
ENV_CONFIG = "CLERK_TUI_CONFIG"
ENV_DB = "CLERK_TUI_DB"
# The scrypt cost of new PIN hashes (log2 n). Production keeps the default; the test suite lowers it.
ENV_PIN_COST = "CLERK_TUI_PIN_COST"
ENV_AUDIT_KEEP_DAYS = "CLERK_TUI_AUDIT_KEEP_DAYS"
AUDIT_KEEP_FLOOR = 180  # days: the event log is kept at least six months (网络安全法 art. 21)


class SettingsError(ValueError):
    pass


def _dirs():
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def default_config_path() -> Path:
    return Path(_dirs().user_config_dir) / "settings.toml"


def default_data_dir() -> Path:
    return Path(_dirs().user_data_dir)


def default_state_dir() -> Path:
    return Path(_dirs().user_state_dir)


def default_database() -> str:
    return str(default_data_dir() / "hall.db")


def demo_database() -> str:
    return str(default_data_dir() / "demo.db")


@dataclass
class PrintSettings:
    """[printing]: this terminal's printers by URL, the paper width, the font and the templates."""

    ticket: str = ""  # tickets (guide desk), e.g. "tcp://192.168.1.50:9100"
    receipt: str = ""  # case papers (window), e.g. "usb:///dev/usb/lp0" or "pdf:///srv/papers"
    width: int = 80  # 58 (32 columns), 80 (48) or 42 (Epson-class 80 mm)
    font: str = ""  # a CJK font file for PDF and rare characters; found in system folders if empty
    templates: str = ""  # the hall's papers.toml; the shipped one if empty
    qr: str = "native"  # native (GS ( k) or image, per printer model


@dataclass
class Settings:
    database: str = field(default_factory=default_database)
    config_path: Path | None = None
    count_from_same_day: bool = False
    window: int | None = None
    keys: dict[str, str] = field(default_factory=dict)
    queue: QueuePolicy = field(default_factory=QueuePolicy)
    voice: bool = True
    yellow_days: int = 2  # [cases] yellow warning at this many working days left or fewer
    printing: PrintSettings = field(default_factory=PrintSettings)
    responsibility: ResponsibilityRules = field(default_factory=ResponsibilityRules)
    followup_days: int = 3  # [ratings] working days to end a bad rating's follow-up
    rating_timeout: int = 60  # [ratings] seconds the pad waits before 未评价
    audit_keep_days: int = AUDIT_KEEP_FLOOR  # [audit] keep_days: `audit prune` refuses younger events
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def state_dir(self) -> Path:
        return default_state_dir()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"配置文件 {path} 格式错误，{toml_words(exc)}：请修正后重试") from exc
    except OSError as exc:
        raise SettingsError(read_failed_words("配置文件", path, exc)) from exc


def load_settings(config: str | Path | None = None, database: str | None = None) -> Settings:
    """Build the settings: file < environment < explicit arguments."""
    explicit = config or os.environ.get(ENV_CONFIG)
    path = Path(explicit).expanduser() if explicit else default_config_path()
    data: dict[str, Any] = {}
    if path.exists():
        data = _read_toml(path)
    elif explicit:
        raise SettingsError(f"找不到配置文件 {path}，请检查 --config 或 {ENV_CONFIG}")
    known = {
        "database",
        "calendar",
        "terminal",
        "keys",
        "queue",
        "display",
        "cases",
        "printing",
        "responsibility",
        "ratings",
        "audit",
    }
    if unknown := sorted(set(data) - known):
        raise SettingsError(f"配置文件 {path} 中有未知设置：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
    settings = Settings(config_path=path if path.exists() else None, raw=data)
    if isinstance(data.get("database"), str):
        settings.database = data["database"]
    cal = data.get("calendar", {})
    if isinstance(cal, dict):
        settings.count_from_same_day = bool(cal.get("count_from_same_day", False))
    term = data.get("terminal", {})
    if isinstance(term, dict) and isinstance(term.get("window"), int):
        settings.window = term["window"]
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        settings.keys = {str(k): str(v) for k, v in keys.items()}
    settings.queue = _queue_policy(data.get("queue", {}), path)
    display = data.get("display", {})
    if isinstance(display, dict):
        settings.voice = bool(display.get("voice", True))
    cases = data.get("cases", {})
    if not isinstance(cases, dict) or set(cases) - {"yellow_days"}:
        raise SettingsError(f"配置文件 {path} 的 [cases] 只能有 yellow_days（剩余几个工作日起黄色预警）")
    yellow = cases.get("yellow_days", 2)
    if not isinstance(yellow, int) or isinstance(yellow, bool) or not 0 <= yellow <= 30:
        raise SettingsError(f"配置文件 {path} 中 cases.yellow_days 应为 0–30 的整数（收到 {yellow!r}）")
    settings.yellow_days = yellow
    settings.printing = _printing(data.get("printing", {}), path)
    settings.responsibility = _responsibility(data.get("responsibility", {}), path)
    ratings = data.get("ratings", {})
    if not isinstance(ratings, dict) or set(ratings) - {"followup_days", "timeout_seconds"}:
        raise SettingsError(f"配置文件 {path} 的 [ratings] 只能有 followup_days、timeout_seconds")
    for key in ("followup_days", "timeout_seconds"):
        value = ratings.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise SettingsError(f"配置文件 {path} 中 ratings.{key} 应为正整数（收到 {value!r}）")
    settings.followup_days = ratings.get("followup_days", 3)
    settings.rating_timeout = ratings.get("timeout_seconds", 60)
    settings.audit_keep_days = _audit_keep_days(data.get("audit", {}), path)
    if os.environ.get(ENV_DB):
        settings.database = os.environ[ENV_DB]
    if database:
        settings.database = database
    return settings


def _audit_keep_days(section: Any, path: Path) -> int:
    """[audit] keep_days, or CLERK_TUI_AUDIT_KEEP_DAYS over it: whole days, never below the floor."""
    if not isinstance(section, dict) or set(section) - {"keep_days"}:
        raise SettingsError(f"配置文件 {path} 的 [audit] 只能有 keep_days（事件日志至少保留的天数）")
    value: Any = section.get("keep_days", AUDIT_KEEP_FLOOR)
    where = f"配置文件 {path} 中 audit.keep_days"
    raw = os.environ.get(ENV_AUDIT_KEEP_DAYS, "").strip()
    if raw:
        value, where = (int(raw) if raw.isdigit() else raw), f"环境变量 {ENV_AUDIT_KEEP_DAYS}"
    if not isinstance(value, int) or isinstance(value, bool) or value < AUDIT_KEEP_FLOOR:
        raise SettingsError(
            f"{where} 应为不少于 {AUDIT_KEEP_FLOOR} 的整数天（收到 {value!r}）："
            f"网络安全法第二十一条要求网络日志留存不少于六个月"
        )
    return value


def pin_cost() -> int:
    """The scrypt cost for new PIN hashes: ``CLERK_TUI_PIN_COST`` if set (10–20), else the default 14."""
    from clerk_tui.domain.pins import DEFAULT_COST, MAX_COST, MIN_COST

    raw = os.environ.get(ENV_PIN_COST, "").strip()
    if not raw:
        return DEFAULT_COST
    if not raw.isdigit() or not MIN_COST <= int(raw) <= MAX_COST:
        raise SettingsError(
            f"环境变量 {ENV_PIN_COST} 应为 {MIN_COST}–{MAX_COST} 的整数（收到 {raw!r}），不设则为 {DEFAULT_COST}"
        )
    return int(raw)


def _responsibility(section: Any, path: Path) -> ResponsibilityRules:
    """[responsibility]: the first-responsibility thresholds, each a whole number ≥ 1."""
    if not isinstance(section, dict):
        raise SettingsError(f"配置文件 {path} 的 [responsibility] 应为表")
    names = set(ResponsibilityRules.__dataclass_fields__)
    if unknown := sorted(set(section) - names):
        raise SettingsError(
            f"配置文件 {path} 的 [responsibility] 中有未知设置：{'、'.join(unknown)}（可用：{'、'.join(sorted(names))}）"
        )
    for key, value in section.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SettingsError(f"配置文件 {path} 中 responsibility.{key} 应为正整数（收到 {value!r}）")
    return ResponsibilityRules(**section)


def _printing(section: Any, path: Path) -> PrintSettings:
    if not isinstance(section, dict):
        raise SettingsError(f"配置文件 {path} 的 [printing] 应为表")
    names = set(PrintSettings.__dataclass_fields__)
    if unknown := sorted(set(section) - names):
        raise SettingsError(
            f"配置文件 {path} 的 [printing] 中有未知设置：{'、'.join(unknown)}（可用：{'、'.join(sorted(names))}）"
        )
    out = PrintSettings(**{k: v for k, v in section.items()})
    if out.width not in (58, 80, 42):
        raise SettingsError(f"配置文件 {path} 中 printing.width 应为 58、80 或 42（收到 {out.width!r}）")
    if out.qr not in ("native", "image"):
        raise SettingsError(f"配置文件 {path} 中 printing.qr 应为 native 或 image")
    for key in ("ticket", "receipt", "font", "templates"):
        if not isinstance(getattr(out, key), str):
            raise SettingsError(f"配置文件 {path} 中 printing.{key} 应为字符串")
    return out


def _queue_policy(section: Any, path: Path) -> QueuePolicy:
    """[queue] of the settings file, checked field by field."""
    if not isinstance(section, dict):
        raise SettingsError(f"配置文件 {path} 的 [queue] 应为表")
    defaults = QueuePolicy()
    values: dict[str, Any] = {}
    for name, default in vars(defaults).items():
        if name not in section:
            continue
        value = section[name]
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else:
            ok = isinstance(value, str)
        if not ok:
            raise SettingsError(f"配置文件 {path} 中 queue.{name} 的值 {value!r} 无效（应与默认值 {default!r} 同类型）")
        values[name] = value
    unknown = set(section) - set(vars(defaults))
    if unknown:
        raise SettingsError(f"配置文件 {path} 的 [queue] 中有未知设置：{'、'.join(sorted(unknown))}")
    if values.get("priority_mode", PRIORITY_FIRST) not in (PRIORITY_FIRST, INTERLEAVE):
        raise SettingsError(f"配置文件 {path} 中 queue.priority_mode 应为 {PRIORITY_FIRST} 或 {INTERLEAVE}")
    return QueuePolicy(**values)
