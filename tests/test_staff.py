import pytest
from sqlmodel import select

from clerk_tui.domain.pins import hash_pin, pin_problem, verify_pin
from clerk_tui.services import staff as st
from clerk_tui.services.errors import AuthError, PermissionDenied, ServiceError
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Event, Staff


def test_pin_hash_is_scrypt_and_verifies():
    stored = hash_pin("123456")
    assert stored.startswith("scrypt$") and "123456" not in stored
    assert verify_pin("123456", stored) and not verify_pin("654321", stored)
    assert not verify_pin("123456", "garbage")


def test_pin_cost_is_production_strength_unless_lowered(monkeypatch):
    from clerk_tui.settings import SettingsError, pin_cost

    monkeypatch.delenv("CLERK_TUI_PIN_COST", raising=False)
    assert pin_cost() == 14 and st.new_pin_hash("123456").startswith("scrypt-k$16384$")
    monkeypatch.setenv("CLERK_TUI_PIN_COST", "10")
    low = st.new_pin_hash("123456")
    assert low.startswith("scrypt-k$1024$") and not verify_pin("123456", low)  # not without the key
    for bad in ("9", "21", "abc"):
        monkeypatch.setenv("CLERK_TUI_PIN_COST", bad)
        with pytest.raises(SettingsError, match="CLERK_TUI_PIN_COST"):
            pin_cost()


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", "１２３４"])
def test_bad_pins_are_refused(pin):
    assert pin_problem(pin)


def test_five_wrong_pins_lock_until_unlocked(hall, admin):
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357")
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthError, match=f"再错{left}次"):
            st.login(hall, "1003", "0000")
    with pytest.raises(AuthError, match="已锁定"):
        st.login(hall, "1003", "0000")
    with pytest.raises(AuthError, match="已被锁定"):
        st.login(hall, "1003", "1357")  # even the right PIN
    st.unlock(hall, admin, "1003")
    assert st.login(hall, "1003", "1357").role == "clerk"
    with read_session(hall) as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.subject == "1003"))]
    assert "staff.locked" in kinds and "staff.unlocked" in kinds


def test_supervisor_may_unlock_but_not_add(hall, admin):
    st.add_staff(hall, admin, "9001", "郑国强", "supervisor", "2222")
    sup = st.login(hall, "9001", "2222")
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357")
    st.unlock(hall, sup, "1003")
    with pytest.raises(PermissionDenied, match="无权"):
        st.add_staff(hall, sup, "1004", "李强", "clerk", "1357")


def test_clerk_cannot_unlock_or_list_but_can_set_own_pin(hall, admin):
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357")
    clerk = st.login(hall, "1003", "1357")
    with pytest.raises(PermissionDenied):
        st.unlock(hall, clerk, "admin")
    with pytest.raises(PermissionDenied):
        st.list_staff(hall, clerk)
    with pytest.raises(PermissionDenied):
        st.set_pin(hall, clerk, "admin", "9999")
    st.set_pin(hall, clerk, "1003", "8642")
    assert st.login(hall, "1003", "8642")


def test_pin_never_stored_or_logged_in_clear(hall, admin):
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "97531")
    with pytest.raises(AuthError):
        st.login(hall, "1003", "86420")
    with read_session(hall) as s:
        blobs = [e.payload for e in s.exec(select(Event))] + [x.pin_hash for x in s.exec(select(Staff))]
    assert not any("97531" in b or "86420" in b or "2468" in b for b in blobs)


def test_add_staff_checks_its_input(hall, admin):
    with pytest.raises(ServiceError, match="角色"):
        st.add_staff(hall, admin, "1003", "王敏", "boss", "1357")
    with pytest.raises(ServiceError, match="部门"):
        st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357", department="县不存在局")
    with pytest.raises(ServiceError, match="PIN"):
        st.add_staff(hall, admin, "1003", "王敏", "clerk", "12")
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357", department="县民政局")
    with pytest.raises(ServiceError, match="已存在"):
        st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357")
    assert [s.department for s in st.list_staff(hall, admin) if s.number == "1003"] == ["县民政局"]


def test_terminal_login_of_a_clerk_needs_a_real_window(hall, admin):
    st.add_staff(hall, admin, "1003", "王敏", "clerk", "1357")
    with pytest.raises(AuthError, match="窗口号"):
        st.login(hall, "1003", "1357", terminal=True)
    with pytest.raises(AuthError, match="没有9号窗口"):
        st.login(hall, "1003", "1357", window=9, terminal=True)
    assert st.login(hall, "1003", "1357", window=3, terminal=True).window == 3


def test_unknown_staff_gets_the_same_answer_as_a_wrong_pin(hall):
    with pytest.raises(AuthError, match="工号或 PIN 不正确"):
        st.login(hall, "nobody", "1234")
