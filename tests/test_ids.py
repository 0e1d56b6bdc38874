import pytest

from clerk_tui.domain.ids import check_resident_id, check_uscc, id_check_char, is_male, mask_id, uscc_check_char


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014"])
def test_standard_resident_ids_are_valid(value):
    assert check_resident_id(value).ok


@pytest.mark.parametrize(
    "raw, normalised",
    [("11010519491231002x", "11010519491231002X"), (" 110105 19491231 002X ", "11010519491231002X")],
)
def test_resident_id_normalisation(raw, normalised):
    result = check_resident_id(raw)
    assert result.ok and result.value == normalised


@pytest.mark.parametrize(
    "value, words",
    [
        ("", "为空"),
        ("1101051949123100", "应为18位"),
        ("1101051949123100211", "应为18位"),
        ("110105194912310021", "校验位错误"),
        ("11010519491231002Y", "第18位"),
        ("1101051949A231002X", "第11位"),
        ("110105194902300021", "出生日期"),
        ("110105194913310021", "出生日期"),
        ("１１0105194912310021", "全角"),
        ("11010517001231002X", "1800"),
    ],
)
def test_wrong_resident_ids_say_what_is_wrong(value, words):
    result = check_resident_id(value)
    assert not result.ok
    assert words in result.reason


def test_check_character_examples():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"
    assert is_male("440524188001010014") and not is_male("11010519491231002X")


def test_foreign_permanent_residence_card_uses_same_check():
    first = "93" + "0000" + "19900101" + "123"
    value = first + id_check_char(first)
    assert check_resident_id(value).ok


def test_abolished_county_code_is_not_rejected():
    first = "429999" + "19800101" + "001"  # Hubei, a county code that does not exist (any more)
    assert check_resident_id(first + id_check_char(first)).ok


@pytest.mark.parametrize("value", ["91350100M000100Y43", "91110000600037341L", "91350100m000100y43"])
def test_standard_usccs_are_valid(value):
    assert check_uscc(value).ok


@pytest.mark.parametrize(
    "value, words",
    [
        ("", "为空"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100M000100Y44", "校验位错误"),
        ("91350100M00010OY43", "第15位"),
        ("9135010IM000100Y43", "I、O、Z、S、V"),
        ("91350100M000100Y4３", "全角"),
    ],
)
def test_wrong_usccs_say_what_is_wrong(value, words):
    result = check_uscc(value)
    assert not result.ok and words in result.reason


def test_uscc_check_char_and_letter_first():
    assert uscc_check_char("91350100M000100Y4") == "3"
    first = "Y1110000600037341"
    assert check_uscc(first + uscc_check_char(first)).ok


def test_mask_keeps_only_ends():
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("123") == "***"


@pytest.mark.parametrize(
    "value, words",
    [("000000198001010013", "前两位"), ("999999198001010011", "前两位")],
)
def test_impossible_province_codes_are_refused(value, words):
    assert words in check_resident_id(value).reason


def test_a_birth_date_after_today_is_refused():
    import datetime as dt

    first = "11010520300101001"
    value = first + id_check_char(first)
    assert "晚于今天" in check_resident_id(value, dt.date(2026, 11, 26)).reason
    assert check_resident_id(value, dt.date(2031, 1, 1)).ok


def test_uscc_registration_authority_is_checked():
    assert "登记管理部门码" in check_uscc("000000000000000000").reason
