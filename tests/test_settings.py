import datetime as dt
import subprocess
import sys

import pytest

from clerk_tui import clock
from clerk_tui.settings import SettingsError, load_settings


def test_file_then_environment_then_option(tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    cfg.write_text(
        'database = "/from/file.db"\n[calendar]\ncount_from_same_day = true\n[terminal]\nwindow = 7\n'
        '[keys]\n"guide.focus_search" = "f4"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("CLERK_TUI_DB", raising=False)
    monkeypatch.setenv("CLERK_TUI_CONFIG", str(cfg))
    s = load_settings()
    assert (s.database, s.count_from_same_day, s.window, s.keys) == (
        "/from/file.db",
        True,
        7,
        {"guide.focus_search": "f4"},
    )
    monkeypatch.setenv("CLERK_TUI_DB", "postgresql://h/db")
    assert load_settings().database == "postgresql://h/db"
    assert load_settings(database="/opt.db").database == "/opt.db"


def test_missing_or_broken_config_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="找不到配置文件"):
        load_settings(config=tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("database = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="格式错误"):
        load_settings(config=bad)


def test_default_database_is_in_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("CLERK_TUI_DB", raising=False)
    monkeypatch.setenv("CLERK_TUI_CONFIG", "")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert load_settings().database.endswith("clerk-tui/hall.db")


def test_clock_override(monkeypatch):
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-12-31T09:30:00")
    assert clock.now() == dt.datetime(2026, 12, 31, 9, 30)
    assert clock.today() == dt.date(2026, 12, 31)
    monkeypatch.setenv("CLERK_TUI_NOW", "2026-12-31")
    assert clock.now() == dt.datetime(2026, 12, 31)
    monkeypatch.setenv("CLERK_TUI_NOW", "yesterday")
    with pytest.raises(clock.ClockError, match="CLERK_TUI_NOW"):
        clock.now()


def test_events_carry_the_overridden_time(sqlite_hall, monkeypatch):
    from sqlmodel import select

    from clerk_tui.services.staff import login
    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Event

    monkeypatch.setenv("CLERK_TUI_NOW", "2027-03-01T08:00:00")
    login(sqlite_hall, "admin", "2468")
    with read_session(sqlite_hall) as s:
        last = s.exec(select(Event).order_by(Event.id.desc())).first()
    assert last.kind == "staff.login" and last.at == dt.datetime(2027, 3, 1, 8, 0)


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "clerk_tui", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("clerk-tui ")


@pytest.mark.parametrize(
    "argv, options",
    [
        (["run"], {}),
        (["--db", "x.db", "run"], {"db": "x.db"}),
        (["--db=x.db", "--config", "c.toml", "run"], {"db": "x.db", "config": "c.toml"}),
        (["run", "--help"], None),
        (["--staff", "1", "run"], None),
        (["catalog", "list"], None),
        (["--db"], None),
        (["run", "run"], None),
    ],
)
def test_only_plain_run_takes_the_short_way(argv, options):
    from clerk_tui.entry import _fast_run_options

    assert _fast_run_options(argv) == options


def test_short_way_refuses_a_missing_database(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "clerk_tui", "--db", str(tmp_path / "no.db"), "run"], capture_output=True, text=True
    )
    assert result.returncode == 1 and "不存在" in result.stderr and not (tmp_path / "no.db").exists()
