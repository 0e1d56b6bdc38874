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


# ---------------------------------------------------------------- every service door, both databases

ESC = "\x1b[2J"


def _people(hall, admin):
    from clerk_tui.services import queue as q
    from clerk_tui.services.staff import add_staff, login

    add_staff(hall, admin, "1001", "李强", "clerk", "135792", department="县市场监督管理局")
    add_staff(hall, admin, "8001", "林导", "guide", "246813")
    clerk, guide = login(hall, "1001", "135792", window=3), login(hall, "8001", "246813")
    q.open_window(hall, clerk, 3)
    return clerk, guide


def test_every_typed_field_is_refused_not_cut_nor_stored_raw(hall, admin, now):
    """What used to be cut without a word ([:100], [:200], [:400]) or stored raw is refused with the
    field's name and limit, and nothing changes."""
    from clerk_tui.services import queue as q
    from clerk_tui.services import ratings as rt
    from clerk_tui.services.errors import ServiceError
    from clerk_tui.services.staff import add_staff

    clerk, guide = _people(hall, admin)
    for bad, words in ((ESC, "U\\+001B"), ("长" * 101, "最多100个字")):
        with pytest.raises(ServiceError, match=words):
            q.pause_window(hall, clerk, 3, bad)
    assert q.window_panel(hall, 3).status == "open"
    for bad, words in ((ESC + "备注", "U\\+001B"), ("注" * 201, "最多200个字")):
        with pytest.raises(ServiceError, match=words):
            q.issue_ticket(hall, guide, queue="D", note=bad)
    assert not q.list_tickets(hall, guide)
    ticket = q.issue_ticket(hall, guide, queue="D")
    q.call_specific(hall, clerk, ticket.number, 3)
    for bad, words in (("\u202e转办", "U\\+202E"), ("因" * 201, "最多200个字")):
        with pytest.raises(ServiceError, match=words):
            q.transfer(hall, clerk, ticket.number, reason=bad, to_queue="A", from_window=3)
    q.finish_service(hall, clerk, ticket.number, 3)
    with pytest.raises(ServiceError, match="最多400个字"):
        rt.rate(hall, None, 3, ticket.number, 1, text="差" * 401)
    with pytest.raises(ServiceError, match="U\\+0000"):
        rt.rate(hall, None, 3, ticket.number, 1, text="差\x00")
    with pytest.raises(ServiceError, match="姓名"):
        add_staff(hall, admin, "1009", "\x1b[31m红", "clerk", "135792")
    with pytest.raises(ServiceError, match="最多40个字"):
        add_staff(hall, admin, "1009", "名" * 30_000, "clerk", "135792")  # SQLite kept 30,000 before
    with pytest.raises(ServiceError, match="工号"):
        add_staff(hall, admin, "10\x0009", "王敏", "clerk", "135792")


def test_a_catalog_file_with_control_characters_or_long_keywords_is_refused_whole(hall, admin, tmp_path):
    from clerk_tui.services.catalog import import_catalog
    from clerk_tui.services.catalog_file import CatalogFileError

    from .conftest import MINI_HALL

    text = MINI_HALL.read_text(encoding="utf-8")
    first_name = text.index('name = "', text.index("[[item]]"))
    hostile = (
        text[:first_name]
        + 'name = "婚姻\\u001b[31m登记"\nkeywords = ["'
        + "词" * 201
        + '"]\n'
        + text[text.index("\n", first_name) + 1 :]
    )
    path = tmp_path / "hostile.toml"
    path.write_text(hostile, encoding="utf-8")
    with pytest.raises(CatalogFileError) as err:
        import_catalog(hall, admin, path)
    message = str(err.value)
    assert "U+001B" in message and "keywords" in message


async def test_stored_control_characters_never_reach_the_terminal_from_any_widget():
    """Textual writes a segment's text as it is: a name stored as ESC [2J would clear the clerk's
    screen. Importing clerk_tui.ui makes every strip terminal-safe (Static, Label, DataTable)."""
    from rich.console import Console
    from rich.text import Text
    from textual.app import App
    from textual.widgets import DataTable, Label, Static

    import clerk_tui.ui  # noqa: F401  (installs the terminal edge)

    class Probe(App):
        def compose(self):
            yield Static(Text("S:a\x1b[2Jb\u202ec"))
            yield Label(Text("L:x\x07y\x9b"))
            yield DataTable()

        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_column("c")
            table.add_row(Text("T:p\x1b]0;PWN\x07q"))
            table.add_row("R:m\x1bn\u200b")

    app = Probe()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        console = Console(color_system="truecolor", force_terminal=True)
        written = "".join(strip.render(console) for strip in app.screen._compositor.render_strips())
    for shown in ("S:a[2Jbc", "L:xy", "T:p]0;PWNq", "R:mn"):  # the text stays, its controls do not
        assert shown in written, shown
    # no ESC but the ones that open Textual's own style sequences (ESC [ … m), no BEL, no bidi
    import re

    assert not re.search("\x1b(?!\\[[0-9;]*m)", written)
    assert not any(ch in written for ch in "\x07\x9b\u202e\u200b")


@pytest.mark.parametrize("body, words", [("a = " + "[" * 100_000, "嵌套太深"), ("year = " + "9" * 5000, "位数太多")])
def test_a_hostile_toml_file_is_one_line_wherever_it_is_read(tmp_path, body, words):
    """Python's TOML parser recurses (a deep nesting overflowed its stack) and converts integers of
    any length (a 5,000-digit one raised ValueError): both are TOML errors now, in every reader."""
    from clerk_tui.services.calendar import parse_calendar_file
    from clerk_tui.services.catalog_file import parse_catalog
    from clerk_tui.services.errors import ServiceError
    from clerk_tui.settings import SettingsError, load_settings

    for name, read, error in (
        ("catalog.toml", parse_catalog, ServiceError),
        ("calendar.toml", parse_calendar_file, ServiceError),
        ("settings.toml", load_settings, SettingsError),
    ):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        with pytest.raises(error, match=words):
            read(path)
