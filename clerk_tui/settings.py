"""Settings: a TOML file found with platformdirs, then environment variables, then CLI options.

The file (``settings.toml`` in the user config directory, or ``--config`` / ``CLERK_TUI_CONFIG``):

    database = "/var/lib/clerk-tui/hall.db"   # or "postgresql+psycopg://user@host/db"
    pg_connect_timeout = 5                    # PostgreSQL: seconds to wait for the server to answer
    pg_statement_timeout = 30                 # PostgreSQL: seconds one statement may run
    backup_dir = ""                           # daily backups; "backups" beside the database if empty
    backup_keep = 14                          # daily backups kept (0: no automatic backup)
    backup_at = "18:00"                       # the day's close: the backup is made after it

    [calendar]
    count_from_same_day = false              # day 1 of a period is the next day (民法典 art. 201)

    [cases]
    yellow_days = 2                          # yellow warning at ≤ 2 working days left
    opens = "08:30"                          # the hall's hours: a case taken in outside them
    closes = "17:30"                         # (or on a day off) counts as 延时服务

    [printing]
    ticket = "tcp://192.168.1.50:9100"       # tickets; receipt = … for case papers
    papers = "/srv/clerk-tui/papers"         # the only folder file:// and pdf:// printers write in
    width = 80                               # 58, 80 or 42 (Epson-class)

    [audit]
    keep_days = 180                          # events kept at least this long (floor 180, 网络安全法 art. 21)

    [terminal]
    window = 3                               # remembered by the login screen

    [keys]                                   # remap any key binding by its id
    "guide.focus_search" = "slash,ctrl+f"

    [serve]                                  # clerk-tui serve: the public devices' web server
    host = "127.0.0.1"                       # where it listens (0.0.0.0: every interface of the LAN)
    port = 8765
    public_url = "http://192.168.1.10:8765"  # the address devices and QR codes use; host:port if empty

    [display]
    voice = true                             # the TUI display speaks; the web display plays audio
    voice_clips = "/srv/clerk-tui/clips"     # recorded clips (请.wav, A.wav, 1.wav …) instead of espeak-ng

    [assessment]
    rule = "/etc/clerk-tui/assessment.toml"  # the hall's monthly assessment rule (default: data/assessment.toml)

    [security]
    key_file = "/etc/clerk-tui/pin.key"      # the PIN key (default: pin.key beside this file)
    pin_min_length = 6                       # digits of a new PIN, never below 6
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clerk_tui.domain.queueing import INTERLEAVE, PRIORITY_FIRST, QueuePolicy
from clerk_tui.domain.responsibility import Rules as ResponsibilityRules
from clerk_tui.domain.words import read_failed_words, toml_loads, toml_words
from clerk_tui.paths import TooLarge, read_bounded

APP_NAME = "clerk-tui"
ENV_CONFIG = "CLERK_TUI_CONFIG"
ENV_DB = "CLERK_TUI_DB"
# The scrypt cost of new PIN hashes (log2 n). Production keeps the default; the test suite lowers it.
ENV_PIN_COST = "CLERK_TUI_PIN_COST"
ENV_PG_CONNECT_TIMEOUT = "CLERK_TUI_PG_CONNECT_TIMEOUT"
ENV_PG_STATEMENT_TIMEOUT = "CLERK_TUI_PG_STATEMENT_TIMEOUT"
# The PIN key file (services/pin_key.py) and the shortest new PIN, over the settings file's [security].
ENV_KEY_FILE = "CLERK_TUI_KEY_FILE"
ENV_PIN_MIN_LENGTH = "CLERK_TUI_PIN_MIN_LENGTH"
KEY_FILE_NAME = "pin.key"
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


def demo_key_file(database: str) -> Path:
    """The demo's PIN key: beside the demo database, never the hall's."""
    return Path(database).expanduser().resolve().with_suffix(".key")


@dataclass(frozen=True)
class PrinterEntry:
    """A printer the administrator adds (``[[printing.printers]]``): any role may print to it, and
    ``status = false`` marks one that cannot answer a status query (its papers are 未确认)."""

    url: str
    name: str = ""
    status: bool = True


@dataclass
class PrintSettings:
    """[printing]: this terminal's printers by URL, the paper width, the font, the templates, the
    folder that file:// and pdf:// printers write in, and the printers' status check."""

    ticket: str = ""  # tickets (guide desk), e.g. "tcp://192.168.1.50:9100"
    receipt: str = ""  # case papers (window), e.g. "usb:///dev/usb/lp0" or "pdf:///srv/papers"
    width: int = 80  # 58 (32 columns), 80 (48) or 42 (Epson-class 80 mm)
    font: str = ""  # a CJK font file for PDF and rare characters; found in system folders if empty
    templates: str = ""  # the hall's papers.toml; the shipped one if empty
    qr: str = "native"  # native (GS ( k) or image, per printer model
    papers: str = ""  # the only folder file:// and pdf:// printers write in; empty: <data dir>/papers
    status_timeout: float = 3.0  # seconds a network or USB printer has to answer DLE EOT
    status: bool = True  # the ticket and receipt printers answer DLE EOT (false: papers are 未确认)
    printers: tuple[PrinterEntry, ...] = ()  # more printers any role may choose ([[printing.printers]])

    def papers_folder(self) -> str:
        return str(Path(self.papers).expanduser()) if self.papers else str(default_data_dir() / "papers")

    def configured(self) -> list[str]:
        """The printers the settings name, the terminal's own first."""
        urls = [self.ticket, self.receipt, *(p.url for p in self.printers)]
        return list(dict.fromkeys(u for u in urls if u))

    def reports_status(self, url: str) -> bool:
        for entry in self.printers:
            if entry.url == url:
                return entry.status
        return self.status


@dataclass
class ServeSettings:
    """[serve]: the public devices' web server (clerk-tui serve)."""

    host: str = "127.0.0.1"
    port: int = 8765
    public_url: str = ""  # the base of device URLs and QR codes; http://host:port if empty

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"


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
    pg_connect_timeout: int = 5  # seconds a PostgreSQL server has to answer a connection
    pg_statement_timeout: int = 30  # seconds one PostgreSQL statement may run
    backup_dir: str = ""  # the daily backups' folder; "backups" beside the database if empty
    backup_keep: int = 14  # daily backups kept; 0 turns the automatic backup off
    backup_at: str = "18:00"  # the day's close (HH:MM): the daily backup is made after it
    key_file: Path | None = None  # [security] the PIN key file; None: pin.key beside the settings file
    pin_min_length: int = 6  # [security] digits of a new PIN (never below 6 outside the demo)
    audit_keep_days: int = AUDIT_KEEP_FLOOR  # [audit] keep_days: `audit prune` refuses younger events
    serve: ServeSettings = field(default_factory=ServeSettings)
    voice_clips: str = ""  # [display] a folder of recorded clips the web display's voice is joined from
    assessment_rule: str = ""  # [assessment] rule: the hall's assessment rule file; the shipped one if empty
    raw: dict[str, Any] = field(default_factory=dict)
    opens: dt.time = dt.time(8, 30)  # [cases] the hall opens: earlier is 延时服务
    closes: dt.time = dt.time(17, 30)  # [cases] the hall closes: from then on is 延时服务

    @property
    def state_dir(self) -> Path:
        return default_state_dir()

    @property
    def pg_timeouts(self) -> tuple[int, int]:
        """(connect, statement) timeouts in seconds, for store.engine.make_engine."""
        return self.pg_connect_timeout, self.pg_statement_timeout


SETTINGS_MAX_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return toml_loads(read_bounded(path, SETTINGS_MAX_BYTES).decode("utf-8-sig"))
    except TooLarge:
        raise SettingsError(f"配置文件 {path} 太大（超过 1 MB），不像是 clerk-tui 的配置文件：请检查路径") from None
    except UnicodeDecodeError as exc:
        raise SettingsError(read_failed_words("配置文件", path, exc)) from exc
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
        *_OWN_KEYS,
        "security",
        "audit",
        "serve",
        "assessment",
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
        clips = display.get("voice_clips", "")
        if not isinstance(clips, str):
            raise SettingsError(f"配置文件 {path} 中 display.voice_clips 应为录音文件夹的路径（字符串）")
        settings.voice_clips = clips
    settings.serve = _serve(data.get("serve", {}), path)
    cases = data.get("cases", {})
    if not isinstance(cases, dict) or set(cases) - {"yellow_days", "opens", "closes"}:
        raise SettingsError(
            f"配置文件 {path} 的 [cases] 只能有 yellow_days（剩余几个工作日起黄色预警）、opens、closes（大厅上下班时间）"
        )
    settings.opens, settings.closes = _hall_hours(cases, path)
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
    _timeouts_and_backup(settings, data, path)
    settings.audit_keep_days = _audit_keep_days(data.get("audit", {}), path)
    assessment = data.get("assessment", {})
    if (
        not isinstance(assessment, dict)
        or set(assessment) - {"rule"}
        or not isinstance(assessment.get("rule", ""), str)
    ):
        raise SettingsError(f"配置文件 {path} 的 [assessment] 只能有 rule（考核办法文件的路径）")
    settings.assessment_rule = assessment.get("rule", "")
    if os.environ.get(ENV_DB):
        settings.database = os.environ[ENV_DB]
    if database:
        settings.database = database
    _security(settings, data.get("security", {}), path)
    return settings


_OWN_KEYS = ("pg_connect_timeout", "pg_statement_timeout", "backup_dir", "backup_keep", "backup_at")


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _timeouts_and_backup(settings: Settings, data: dict[str, Any], path: Path) -> None:
    """The PostgreSQL timeouts (file, then CLERK_TUI_PG_*_TIMEOUT) and the daily backup's settings."""
    for key, env, high in (
        ("pg_connect_timeout", ENV_PG_CONNECT_TIMEOUT, 300),
        ("pg_statement_timeout", ENV_PG_STATEMENT_TIMEOUT, 3600),
    ):
        value = data.get(key, getattr(settings, key))
        if not _whole(value, 1, high):
            raise SettingsError(f"配置文件 {path} 中 {key} 应为 1–{high} 的整数秒数（收到 {value!r}）")
        raw = os.environ.get(env, "").strip()
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= high:
                raise SettingsError(f"环境变量 {env} 应为 1–{high} 的整数秒数（收到 {raw!r}）")
            value = int(raw)
        setattr(settings, key, value)
    keep = data.get("backup_keep", settings.backup_keep)
    if not _whole(keep, 0, 365):
        raise SettingsError(f"配置文件 {path} 中 backup_keep 应为 0–365 的整数（保留几份每日备份，0 为不自动备份）")
    folder = data.get("backup_dir", settings.backup_dir)
    if not isinstance(folder, str):
        raise SettingsError(f"配置文件 {path} 中 backup_dir 应为文件夹路径（字符串）")
    at = data.get("backup_at", settings.backup_at)
    hh, _, mm = at.partition(":") if isinstance(at, str) else ("", "", "")
    if not (hh.isdigit() and mm.isdigit() and len(mm) == 2 and int(hh) < 24 and int(mm) < 60):
        raise SettingsError(f'配置文件 {path} 中 backup_at 应为下班时间，如 "18:00"（收到 {at!r}）')
    settings.backup_keep, settings.backup_dir, settings.backup_at = keep, folder, f"{int(hh):02d}:{mm}"


def _serve(section: Any, path: Path) -> ServeSettings:
    """[serve]: host, port, public_url."""
    if not isinstance(section, dict) or set(section) - {"host", "port", "public_url"}:
        raise SettingsError(f"配置文件 {path} 的 [serve] 只能有 host、port、public_url")
    out = ServeSettings()
    host = section.get("host", out.host)
    if not isinstance(host, str) or not host.strip():
        raise SettingsError(f'配置文件 {path} 中 serve.host 应为地址，如 "127.0.0.1" 或 "0.0.0.0"')
    port = section.get("port", out.port)
    if not _whole(port, 1, 65535):
        raise SettingsError(f"配置文件 {path} 中 serve.port 应为 1–65535 的整数（收到 {port!r}）")
    url = section.get("public_url", "")
    if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
        raise SettingsError(
            f'配置文件 {path} 中 serve.public_url 应以 http:// 或 https:// 开头，如 "http://192.168.1.10:8765"'
        )
    return ServeSettings(host.strip(), port, url.strip())


def _security(settings: Settings, section: Any, path: Path) -> None:
    """[security] and its environment variables: the PIN key file and the shortest new PIN."""
    if not isinstance(section, dict) or set(section) - {"key_file", "pin_min_length"}:
        raise SettingsError(f"配置文件 {path} 的 [security] 只能有 key_file、pin_min_length")
    key_file = os.environ.get(ENV_KEY_FILE) or section.get("key_file")
    if key_file is not None and (not isinstance(key_file, str) or not key_file.strip()):
        raise SettingsError(f"配置文件 {path} 中 security.key_file 应为文件路径")
    if key_file:
        settings.key_file = Path(key_file).expanduser()
    elif os.path.abspath(os.path.expanduser(settings.database)) == os.path.abspath(demo_database()):
        settings.key_file = demo_key_file(settings.database)
    else:
        settings.key_file = path.parent / KEY_FILE_NAME  # beside the settings file, read or not
    length = section.get("pin_min_length", 6)
    if not isinstance(length, int) or isinstance(length, bool) or not 6 <= length <= 12:
        raise SettingsError(f"配置文件 {path} 中 security.pin_min_length 应为 6–12 的整数（收到 {length!r}）")
    settings.pin_min_length = pin_min_length(length)


def pin_min_length(configured: int = 6) -> int:
    """The fewest digits of a new PIN: ``CLERK_TUI_PIN_MIN_LENGTH`` if set, else ``configured``;
    6–12, never below 6 (only the demo hall's own rule allows shorter PINs)."""
    raw = os.environ.get(ENV_PIN_MIN_LENGTH, "").strip()
    if not raw:
        return configured
    if not raw.isdigit() or not 6 <= int(raw) <= 12:
        raise SettingsError(f"环境变量 {ENV_PIN_MIN_LENGTH} 应为 6–12 的整数（收到 {raw!r}），不设则为 6")
    return int(raw)


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
    values = dict(section)
    values["printers"] = _printer_entries(values.get("printers", []), path)
    timeout = values.get("status_timeout", 3.0)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 60:
        raise SettingsError(f"配置文件 {path} 中 printing.status_timeout 应为 0 到 60 之间的秒数（收到 {timeout!r}）")
    if not isinstance(values.get("status", True), bool):
        raise SettingsError(f"配置文件 {path} 中 printing.status 应为 true 或 false")
    out = PrintSettings(**values)
    if out.width not in (58, 80, 42):
        raise SettingsError(f"配置文件 {path} 中 printing.width 应为 58、80 或 42（收到 {out.width!r}）")
    if out.qr not in ("native", "image"):
        raise SettingsError(f"配置文件 {path} 中 printing.qr 应为 native 或 image")
    for key in ("ticket", "receipt", "font", "templates", "papers"):
        if not isinstance(getattr(out, key), str):
            raise SettingsError(f"配置文件 {path} 中 printing.{key} 应为字符串")
    return out


def _printer_entries(entries: Any, path: Path) -> tuple[PrinterEntry, ...]:
    """[[printing.printers]]: url (required), name, status."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SettingsError(f"配置文件 {path} 中 printing.printers 应写成 [[printing.printers]] 表")
    out = []
    for n, entry in enumerate(entries, 1):
        where = f"配置文件 {path} 中第 {n} 个 [[printing.printers]]"
        if unknown := sorted(set(entry) - {"url", "name", "status"}):
            raise SettingsError(f"{where} 有未知设置：{'、'.join(unknown)}（可用：url、name、status）")
        if not isinstance(entry.get("url"), str) or not entry["url"].strip():
            raise SettingsError(f"{where} 缺少 url（打印机地址，如 tcp://192.168.1.51:9100）")
        if not isinstance(entry.get("name", ""), str) or not isinstance(entry.get("status", True), bool):
            raise SettingsError(f"{where} 的 name 应为字符串、status 应为 true 或 false")
        out.append(PrinterEntry(entry["url"].strip(), entry.get("name", ""), entry.get("status", True)))
    return tuple(out)


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


def _hall_hours(cases: dict, path: Path) -> tuple[dt.time, dt.time]:
    """[cases] opens/closes ("HH:MM"): the hall's hours, opening before closing."""
    opens = _clock_time(cases, "opens", "08:30", path)
    closes = _clock_time(cases, "closes", "17:30", path)
    if not opens < closes:
        raise SettingsError(f"配置文件 {path} 中 cases.opens（{opens:%H:%M}）应早于 cases.closes（{closes:%H:%M}）")
    return opens, closes


def _clock_time(table: dict, key: str, default: str, path: Path) -> dt.time:
    value = table.get(key, default)
    if isinstance(value, str) and len(value) == 5:
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise SettingsError(f"配置文件 {path} 中 cases.{key} 应为 HH:MM 形式的时间，如 {default}（收到 {value!r}）")
