"""Credentials on a real (not demo) hall: PIN rules, PIN hashes keyed with a key file outside the
database, and a PIN set by someone else changed by its owner before anything else."""

import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlmodel import select

from clerk_tui.domain.pins import hash_pin, pin_problem, verify_pin
from clerk_tui.services import pin_key
from clerk_tui.services import staff as st
from clerk_tui.services.errors import AuthError, PermissionDenied, ServiceError
from clerk_tui.services.marks import is_demo
from clerk_tui.services.pin_key import KeyFileMissing
from clerk_tui.settings import SettingsError, load_settings
from clerk_tui.store.engine import make_engine, read_session, write_session
from clerk_tui.store.models import Event, Staff
from tests.conftest import MINI_HALL

ADMIN_PIN = "80537291"


@pytest.fixture
def real(engine):
    """A hall made by init (no demo mark), admin's PIN chosen by the installer."""
    from clerk_tui.services.setup import init_database

    init_database(engine, catalog=MINI_HALL, admin_pin=ADMIN_PIN)
    assert not is_demo(engine)
    return engine


@pytest.fixture
def boss(real):
    return st.login(real, "admin", ADMIN_PIN)


def _staff(engine, number: str) -> Staff:
    with read_session(engine) as s:
        return s.exec(select(Staff).where(Staff.number == number)).one()


# ---------------------------------------------------------------- PIN rules


@pytest.mark.parametrize("pin", ["111111", "123456", "654321", "890123", "3210987", "123123", "5201314", "00000000"])
def test_obvious_pins_are_refused_outside_the_demo_and_say_what_to_choose(pin):
    problem = pin_problem(pin)
    assert problem and "容易被猜中" in problem and "无规律" in problem
    assert pin_problem(pin, demo=True) is None


@pytest.mark.parametrize("pin", ["1357", "24680", "9517538426513"])
def test_a_real_halls_pins_have_six_to_twelve_digits(pin):
    assert "6到12位" in pin_problem(pin)


def test_the_demo_keeps_four_digits_and_a_good_pin_passes():
    assert pin_problem("1357", demo=True) is None and pin_problem("135", demo=True)
    assert pin_problem("805372") is None and pin_problem("80537291") is None


def test_the_shortest_pin_is_a_setting_never_below_six(tmp_path, monkeypatch):
    monkeypatch.delenv("CLERK_TUI_PIN_MIN_LENGTH", raising=False)
    monkeypatch.delenv("CLERK_TUI_KEY_FILE", raising=False)
    config = tmp_path / "settings.toml"
    config.write_text("[security]\npin_min_length = 8\n", encoding="utf-8")
    settings = load_settings(config)
    assert settings.pin_min_length == 8 and settings.key_file == tmp_path / "pin.key"
    assert "8到12位" in pin_problem("8053729", min_length=settings.pin_min_length)
    config.write_text("[security]\npin_min_length = 4\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="6–12"):
        load_settings(config)
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("CLERK_TUI_PIN_MIN_LENGTH", "5")
    with pytest.raises(SettingsError, match="CLERK_TUI_PIN_MIN_LENGTH"):
        load_settings(config)
    monkeypatch.setenv("CLERK_TUI_PIN_MIN_LENGTH", "7")
    assert pin_key.min_length() == 7


def test_an_obvious_or_short_pin_is_refused_and_changes_nothing(real, boss, monkeypatch):
    for pin, words in (("1357", "6到12位"), ("123456", "容易被猜中"), ("777777", "容易被猜中")):
        with pytest.raises(ServiceError, match=words):
            st.add_staff(real, boss, "1003", "王敏", "clerk", pin)
    assert "1003" not in {s.number for s in st.list_staff(real, boss)}
    monkeypatch.setenv("CLERK_TUI_PIN_MIN_LENGTH", "8")
    with pytest.raises(ServiceError, match="8到12位"):
        st.add_staff(real, boss, "1003", "王敏", "clerk", "8053729")
    st.add_staff(real, boss, "1003", "王敏", "clerk", "80537291")


# ---------------------------------------------------------------- keyed hashes


def test_hashes_are_keyed_and_need_the_key_to_verify(real, boss):
    st.add_staff(real, boss, "1003", "王敏", "clerk", "805372")
    stored = _staff(real, "1003").pin_hash
    assert stored.startswith("scrypt-k$")
    key = pin_key.load_key()
    assert verify_pin("805372", stored, key)
    assert not verify_pin("805372", stored)  # the database alone
    assert not verify_pin("805372", stored, bytes(32))  # another key


def test_a_copied_database_without_the_key_file_cannot_verify_a_pin(real, boss, db_url, tmp_path, monkeypatch):
    st.add_staff(real, boss, "1003", "王敏", "clerk", "805372")
    if "://" not in db_url:  # SQLite: the file taken to another machine
        real.dispose()
        copy = tmp_path / "stolen.db"
        shutil.copyfile(db_url, copy)
        target = make_engine(str(copy))
    else:
        target = real
    missing = tmp_path / "elsewhere" / "pin.key"
    monkeypatch.setenv("CLERK_TUI_KEY_FILE", str(missing))
    with pytest.raises(KeyFileMissing, match=f"找不到 PIN 密钥文件 {missing}.*README") as refused:
        st.login(target, "admin", ADMIN_PIN)
    assert "复制同一个密钥文件" in str(refused.value)
    assert _staff(target, "admin").failed_attempts == 0  # not a wrong PIN: nothing counted
    missing.parent.mkdir()
    missing.write_bytes(os.urandom(32))  # a key, but not the hall's
    with pytest.raises(AuthError, match="不正确"):
        st.login(target, "1003", "805372")
    missing.write_bytes(b"short")
    with pytest.raises(KeyFileMissing, match="已损坏"):
        st.login(target, "1003", "805372")
    monkeypatch.undo()
    assert st.login(target, "1003", "805372").number == "1003"
    target.dispose()


def test_an_old_unkeyed_hash_verifies_and_is_rekeyed_at_login(real):
    with write_session(real) as s:
        admin = s.exec(select(Staff).where(Staff.number == "admin")).one()
        admin.pin_hash = hash_pin(ADMIN_PIN, cost=10)  # as made before the key file
        s.add(admin)
    assert _staff(real, "admin").pin_hash.startswith("scrypt$")
    st.login(real, "admin", ADMIN_PIN)
    assert _staff(real, "admin").pin_hash.startswith("scrypt-k$")
    assert st.login(real, "admin", ADMIN_PIN).number == "admin"
    with read_session(real) as s:
        logins = [e.payload for e in s.exec(select(Event).where(Event.kind == "staff.login"))]
    assert sum('"rekeyed": true' in p for p in logins) == 1


def test_the_key_file_is_owner_only_whatever_the_umask_and_never_replaced(tmp_path, monkeypatch):
    path = tmp_path / "etc" / "pin.key"
    monkeypatch.setenv("CLERK_TUI_KEY_FILE", str(path))
    old = os.umask(0)
    try:
        assert pin_key.ensure_key_file()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes()) == 32
    key = path.read_bytes()
    assert not pin_key.ensure_key_file() and path.read_bytes() == key


def test_init_creates_the_key_file_before_the_hall(tmp_path, monkeypatch):
    from clerk_tui.services.setup import init_database

    path = tmp_path / "conf" / "pin.key"
    monkeypatch.setenv("CLERK_TUI_KEY_FILE", str(path))
    engine = make_engine(str(tmp_path / "new.db"))
    with pytest.raises(ServiceError, match="6到12位"):  # refused before anything is written
        init_database(engine, catalog=MINI_HALL, admin_pin="2468")
    assert not path.exists() and not Path(tmp_path / "new.db").exists()
    init_database(engine, catalog=MINI_HALL, admin_pin=ADMIN_PIN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert st.login(engine, "admin", ADMIN_PIN).number == "admin"
    engine.dispose()


def test_the_demo_key_lies_beside_the_demo_database(tmp_path, monkeypatch):
    from clerk_tui import settings as settings_module

    monkeypatch.delenv("CLERK_TUI_KEY_FILE", raising=False)
    monkeypatch.delenv("CLERK_TUI_DB", raising=False)
    monkeypatch.setattr(settings_module, "demo_database", lambda: str(tmp_path / "demo.db"))
    config = tmp_path / "settings.toml"
    config.write_text("", encoding="utf-8")
    assert load_settings(config, str(tmp_path / "demo.db")).key_file == tmp_path / "demo.key"
    assert load_settings(config, str(tmp_path / "hall.db")).key_file == tmp_path / "pin.key"
    monkeypatch.setenv("CLERK_TUI_KEY_FILE", str(tmp_path / "k"))
    assert load_settings(config).key_file == tmp_path / "k"


# ---------------------------------------------------------------- forced change


def test_a_pin_set_by_someone_else_must_be_changed_before_anything_else(real, boss):
    st.add_staff(real, boss, "9001", "郑国强", "supervisor", "805372")
    sup = st.login(real, "9001", "805372")
    assert sup.must_change_pin
    with pytest.raises(PermissionDenied, match="请先修改 PIN"):
        st.list_staff(real, sup)
    with pytest.raises(PermissionDenied, match="请先修改 PIN"):
        st.unlock(real, sup, "admin")
    with pytest.raises(ServiceError, match="不能与原 PIN 相同"):
        st.change_own_pin(real, sup, "805372")
    with pytest.raises(ServiceError, match="容易被猜中"):
        st.change_own_pin(real, sup, "999999")
    freed = st.change_own_pin(real, sup, "61829437")
    assert not freed.must_change_pin and st.list_staff(real, freed)
    again = st.login(real, "9001", "61829437")
    assert not again.must_change_pin
    with pytest.raises(AuthError):
        st.login(real, "9001", "805372")  # the old PIN is gone
    # A reset by the administrator forces a change again; setting one's own does not.
    st.set_pin(real, boss, "9001", "40719263")
    reset = st.login(real, "9001", "40719263")
    assert reset.must_change_pin
    with pytest.raises(PermissionDenied, match="请先修改 PIN"):
        st.list_staff(real, reset)
    st.set_pin(real, reset, "9001", "73920615")
    assert not st.login(real, "9001", "73920615").must_change_pin
    with read_session(real) as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.subject == "9001").order_by(Event.id))]
    assert kinds.count("staff.pin_changed") == 2 and "staff.pin_set" in kinds
    assert [v.must_change_pin for v in st.list_staff(real, boss) if v.number == "9001"] == [False]


def test_a_generated_admin_pin_must_be_changed(engine):
    from clerk_tui.services.setup import init_database

    generated = init_database(engine, catalog=MINI_HALL).admin_pin
    assert generated and len(generated) == 8 and pin_problem(generated) is None
    admin = st.login(engine, "admin", generated)
    assert admin.must_change_pin
    with pytest.raises(PermissionDenied, match="请先修改 PIN"):
        st.add_staff(engine, admin, "1003", "王敏", "clerk", "805372")
    admin = st.change_own_pin(engine, admin, ADMIN_PIN)
    st.add_staff(engine, admin, "1003", "王敏", "clerk", "805372")


def test_the_demo_hall_forces_no_change(hall, admin):
    assert is_demo(hall)
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357")
    assert not st.login(hall, "1003", "1357").must_change_pin


def test_a_hall_made_before_keys_gets_its_key_from_the_administrator(real, boss, tmp_path, monkeypatch):
    with write_session(real) as s:
        admin = s.exec(select(Staff).where(Staff.number == "admin")).one()
        admin.pin_hash = hash_pin(ADMIN_PIN, cost=10)  # as made before the key file
        s.add(admin)
    path = tmp_path / "new" / "pin.key"
    monkeypatch.setenv("CLERK_TUI_KEY_FILE", str(path))
    old = st.login(real, "admin", ADMIN_PIN)  # no key yet: verifies, stays unkeyed
    assert _staff(real, "admin").pin_hash.startswith("scrypt$")
    with pytest.raises(KeyFileMissing):
        st.add_staff(real, old, "1003", "王敏", "clerk", "805372")  # a new hash needs the key
    with pytest.raises(PermissionDenied):
        st.create_key_file(real, None)
    assert st.create_key_file(real, old) == str(path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_bytes()
    st.create_key_file(real, old)
    assert path.read_bytes() == key  # never replaced
    st.login(real, "admin", ADMIN_PIN)
    assert _staff(real, "admin").pin_hash.startswith("scrypt-k$")


def test_a_supervisor_whose_pin_was_reset_cannot_authorise_until_changed(real, boss):
    st.add_staff(real, boss, "9001", "郑国强", "supervisor", "805372")
    with pytest.raises(PermissionDenied, match="请先修改 PIN"):
        st.check_override_pin(real, "9001", "805372", "主管授权")
    st.change_own_pin(real, st.login(real, "9001", "805372"), "61829437")
    assert st.check_override_pin(real, "9001", "61829437", "主管授权")
