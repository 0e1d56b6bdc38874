"""The one text policy (domain/text.py): what is refused, how it is named, and how stored text is
shown safely."""

import pytest

from clerk_tui.domain.text import TextRefused, clean, visible

HOSTILE = [
    ("\x1b[31mred", "U+001B", "ESC"),
    ("\x1b]0;PWNED\x07代办", "U+001B", "ESC"),
    ("张三\x00", "U+0000", "NUL"),
    ("abc\u202edcba", "U+202E", "从右到左覆盖"),
    ("王\u200b敏", "U+200B", "零宽空格"),
    ("李\u2066四\u2069", "U+2066", "隔离"),
    ("x\x85y", "U+0085", "C1"),
    ("x\x7fy", "U+007F", "DEL"),
    ("bad\udc80", "U+DC80", "代理"),
    ("tag\U000e0041", "U+E0041", "格式字符"),
]


@pytest.mark.parametrize("text, code, words", HOSTILE)
def test_hostile_text_is_refused_naming_the_character_and_where(text, code, words):
    with pytest.raises(TextRefused) as err:
        clean(text, field="申请人姓名", limit=100)
    message = str(err.value)
    assert code in message and words in message and "申请人姓名" in message
    assert "第" in message and "个字符" in message


def test_line_breaks_and_tabs_only_where_the_field_allows():
    with pytest.raises(TextRefused, match="换行"):
        clean("一\n二", field="理由", limit=50)
    assert clean("一\r\n二", field="备注", limit=50, multiline=True) == "一\n二"
    with pytest.raises(TextRefused, match="U\\+0009|制表符"):
        clean("a\tb", field="理由", limit=50)
    assert clean("a\tb", field="备注", limit=50, tab=True) == "a\tb"


def test_nfc_trim_required_and_a_stated_limit_never_cut():
    assert clean("  e\u0301  ", field="名称", limit=5) == "\u00e9"  # NFC: one character
    with pytest.raises(TextRefused, match="请填写理由"):
        clean("   ", field="理由", limit=5, required=True)
    with pytest.raises(TextRefused, match="最多40个字，现在有60个字"):
        clean("长" * 60, field="代理人姓名", limit=40)
    assert clean("长" * 40, field="代理人姓名", limit=40) == "长" * 40
    assert clean(None, field="备注", limit=5) == ""
    with pytest.raises(TextRefused, match="应为文字"):
        clean(5, field="备注", limit=5)  # type: ignore[arg-type]


def test_ordinary_chinese_text_and_punctuation_pass_unchanged():
    text = "云溪县市场监督管理局（食品经营许可）——“一次告知”；𠮷野家·No.3"
    assert clean(text, field="名称", limit=100) == text


def test_visible_shows_every_refused_character_and_keeps_the_rest():
    assert visible("\x1b[31mred") == "\u241b[31mred"
    assert visible("a\u202eb\u200bc\x00") == "a<U+202E>b<U+200B>c\u2400"
    assert visible("x\x7f\x9by") == "x\u2421<U+009B>y"
    assert visible("一\n二") == "一\u240a二" and visible("一\n二", multiline=True) == "一\n二"
    assert visible("王敏") == "王敏" and visible(None) == ""
    for text, _, _ in HOSTILE:
        shown = visible(text)
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in shown)
        assert "\u202e" not in shown and "\u200b" not in shown
