"""Identity numbers: 居民身份证号 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015).

Pure functions. Each check returns an ``IdCheck`` whose ``reason`` is a Chinese sentence that says
what is wrong and what to do, so the UI and the CLI can show it as it is.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Province-level codes (GB/T 2260) and 83 for residence permits of Taiwan residents; 9x for
# foreigners' permanent residence cards (2023). County codes are not checked: a number whose county
# was abolished stays valid for life.
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
        "98",
    ]
)
# 登记管理部门码 (GB 32100-2015 table 1): 1-9, A (中央军委改革和编制办公室), N (农业), Y (其他).
USCC_AUTHORITIES = frozenset("123456789ANY")

_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x"}


@dataclass(frozen=True)
class IdCheck:
    """The outcome of a check: the normalised value, and a reason when it is invalid."""

    value: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _strip(raw: str) -> str:
    return "".join(raw.split())


def _fullwidth_reason(text: str) -> str | None:
    bad = [c for c in text if c in _FULLWIDTH or "\uff01" <= c <= "\uff5e"]
    if bad:
        return f"含有全角字符“{bad[0]}”，请切换到半角（英文）输入法重新输入"
    return None


def id_check_char(first17: str) -> str:
    """The check character of a resident ID number's first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_resident_id(raw: str, today: _dt.date | None = None) -> IdCheck:
    """Validate a 居民身份证号 (also the 2023 foreigners' permanent residence card, starting with 9).

    Spaces are stripped and a lowercase x is accepted. The county code is not checked: numbers
    whose county was abolished stay valid for life.
    """
    text = _strip(raw or "")
    if not text:
        return IdCheck(text, "身份证号为空，请输入18位身份证号")
    if reason := _fullwidth_reason(text):
        return IdCheck(text, "身份证号" + reason)
    value = text.upper()
    if len(value) != 18:
        return IdCheck(value, f"身份证号应为18位，现在是{len(value)}位，请核对")
    for pos, ch in enumerate(value[:17], start=1):
        if not ch.isascii() or not ch.isdigit():
            return IdCheck(value, f"身份证号第{pos}位“{ch}”不是数字，前17位必须是数字")
    if not (value[17].isascii() and (value[17].isdigit() or value[17] == "X")):
        return IdCheck(value, f"身份证号第18位“{value[17]}”无效，只能是数字或X")
    if value[:2] not in PROVINCE_CODES:
        return IdCheck(value, f"身份证号前两位“{value[:2]}”不是有效的省级行政区划代码，请核对")
    birth = value[6:14]
    try:
        born = _dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return IdCheck(value, f"身份证号中的出生日期{birth}不是有效日期，请核对第7至14位")
    if born.year < 1800:
        return IdCheck(value, f"身份证号中的出生日期{birth}早于1800年，请核对第7至14位")
    if born > (today or _dt.date.today()):
        return IdCheck(value, f"身份证号中的出生日期{birth}晚于今天，请核对第7至14位")
    expected = id_check_char(value[:17])
    if value[17] != expected:
        return IdCheck(value, f"身份证号校验位错误：第18位应为“{expected}”而不是“{value[17]}”，请核对号码是否抄错")
    return IdCheck(value)


def uscc_check_char(first17: str) -> str:
    """The check character of a USCC's first 17 characters (GB 32100-2015, MOD 31)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(raw: str) -> IdCheck:
    """Validate a 统一社会信用代码. Lowercase letters are accepted and upper-cased."""
    text = _strip(raw or "")
    if not text:
        return IdCheck(text, "统一社会信用代码为空，请输入18位代码")
    if reason := _fullwidth_reason(text):
        return IdCheck(text, "统一社会信用代码" + reason)
    value = text.upper()
    if len(value) != 18:
        return IdCheck(value, f"统一社会信用代码应为18位，现在是{len(value)}位，请核对")
    for pos, ch in enumerate(value, start=1):
        if ch not in USCC_ALPHABET:
            hint = "（代码不使用字母I、O、Z、S、V）" if ch in "IOZSV" else ""
            return IdCheck(value, f"统一社会信用代码第{pos}位“{ch}”不是有效字符{hint}")
    if value[0] not in USCC_AUTHORITIES:
        return IdCheck(value, f"统一社会信用代码第1位（登记管理部门码）“{value[0]}”无效，请核对")
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        return IdCheck(
            value, f"统一社会信用代码校验位错误：第18位应为“{expected}”而不是“{value[17]}”，请核对代码是否抄错"
        )
    return IdCheck(value)


def mask_id(value: str) -> str:
    """Mask an ID number for lists, boards and papers: keep the first 6 and last 4 characters."""
    value = value or ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def is_male(resident_id: str) -> bool:
    """The 17th digit is odd for a man."""
    return int(resident_id[16]) % 2 == 1
