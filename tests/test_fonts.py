"""The CJK font search (configured, fontconfig, known paths, the packaged Noto Sans CJK) and PDFs
that never drop a character: one the font lacks comes from a fallback font or prints as □ with
the thermal printer's warning. Except where a test says so, nothing here depends on the machine's
own fonts: the search is narrowed to the font that installs with clerk-tui."""

from pathlib import Path

import pytest

from clerk_tui.printing import fonts
from clerk_tui.printing.layout import Document, Field, Text
from clerk_tui.printing.pdf import render_pdf
from clerk_tui.services import cases as cs
from clerk_tui.services import printing as pr
from clerk_tui.services.staff import add_staff, login
from clerk_tui.settings import PrintSettings

RARE = "𠮷"  # U+20BB7, CJK extension B: four bytes in GB18030, in no thermal printer's font
NOWHERE = "\U0003134a"  # CJK extension G: in neither Noto Sans CJK nor any common font
FOOD = "000112002000"
FOOD_ALL = ["食品经营许可申请书", "营业执照复印件"]
ID1 = "11010519491231002X"


def packaged() -> str:
    found = fonts.packaged_fonts()
    assert found, "noto-cjk-sans-otc is a dependency: `make venv` installs it"
    return found[0]


@pytest.fixture
def only_packaged(monkeypatch):
    """The font search sees the packaged font only: no fontconfig, no system paths."""
    monkeypatch.delenv("CLERK_TUI_FONT", raising=False)
    monkeypatch.setattr(fonts, "SOURCES", [fonts.packaged_fonts])
    monkeypatch.setattr(fonts, "_fc_list", lambda *args: pytest.fail(f"fontconfig asked: {args}"))
    return packaged()


PAPER_TEXT = "中申请人事项：野家吉祥食品经营许可生僻字受理通知书□—"


def subset_packaged(text: str, out: Path, variable: bool = False) -> str:
    """The packaged SC face cut down to ``text`` (fast to load), optionally marked variable."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, newTable
    from fontTools.ttLib.tables._f_v_a_r import Axis

    path = packaged()
    font = TTCollection(path).fonts[fonts.face_index(path)]
    options = subset.Options()
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    if variable:
        fvar, axis = newTable("fvar"), Axis()
        axis.axisTag, axis.minValue, axis.defaultValue, axis.maxValue, axis.axisNameID = "wght", 100, 400, 900, 256
        fvar.axes, fvar.instances = [axis], []
        font["fvar"] = fvar
    font.save(str(out))
    return str(out)


@pytest.fixture(scope="module")
def without_rare(tmp_path_factory):
    """A CJK font with the glyphs of the test papers but not 𠮷: the packaged SC face, subset."""
    out = subset_packaged(PAPER_TEXT, tmp_path_factory.mktemp("font") / "no-rare.otf")
    assert not fonts.has_glyphs(out, RARE) and fonts.has_glyphs(out, "申请人")
    return out


def pdf_text(data: bytes | str) -> str:
    """The text pypdf reads. fpdf2 encodes a CID-keyed CFF font (Noto Sans CJK) through an embedded
    CMap, which pypdf reads as one NUL more per character (poppler reads it right): NULs dropped."""
    import io

    from pypdf import PdfReader

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    return "".join(page.extract_text() for page in PdfReader(source).pages).replace("\x00", "")


def embedded_fonts(data: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.append(str(font.get_object()["/BaseFont"]))
    return names


# ---------------------------------------------------------------- the search


def test_packaged_font_is_installed_with_simplified_chinese_face_and_rare_glyphs():
    path = packaged()
    assert Path(path).name == "NotoSansCJK-Regular.ttc"
    fonts.check_font(path)
    from fontTools.ttLib import TTCollection

    face = TTCollection(path, lazy=True).fonts[fonts.face_index(path)]
    assert face["name"].getDebugName(1) == "Noto Sans CJK SC"  # not face 0, the Japanese one
    assert fonts.has_glyphs(path, "受理通知书" + RARE + "□")


def test_search_order_is_fontconfig_then_known_paths_then_packaged(monkeypatch, tmp_path):
    real = packaged()
    monkeypatch.delenv("CLERK_TUI_FONT", raising=False)
    links = {}
    for name in ("fontconfig.ttc", "zz-other.ttc", "known.ttc"):
        links[name] = tmp_path / name
        links[name].symlink_to(real)
    not_chinese = tmp_path / "DejaVuSans.ttf"  # fc-match answers with some font even when none is Chinese
    not_chinese.write_bytes(b"\x00\x01\x00\x00 not really a font")
    asked = []
    fc = {"fc-match": [str(not_chinese)], "fc-list": [str(links["zz-other.ttc"]), str(links["fontconfig.ttc"])]}

    def fake_fc(*args):
        asked.append(args)
        return list(fc.get(args[0], []))

    monkeypatch.setattr(fonts, "_fc_list", fake_fc)
    monkeypatch.setattr(fonts, "CANDIDATES", [str(tmp_path / "absent.ttc"), str(links["known.ttc"])])

    assert fonts.find_font() == str(links["fontconfig.ttc"])  # fc-match's non-CJK answer skipped; fc-list sorted
    assert ("fc-match", "-f", "%{file}\n", ":lang=zh-cn") in asked
    assert ("fc-list", "-f", "%{file}\n", ":lang=zh-cn") in asked
    fc.clear()  # no fontconfig, or it knows no Chinese font
    assert fonts.find_font() == str(links["known.ttc"])
    monkeypatch.setattr(fonts, "CANDIDATES", [str(tmp_path / "absent.ttc")])
    assert fonts.find_font() == real  # a machine without any system font
    monkeypatch.setattr(fonts, "PACKAGED", ("noto_cjk_sans_otc", "gone.ttc"))
    with pytest.raises(fonts.FontError, match="找不到中文字体.*fonts-wqy-microhei"):
        fonts.find_font()
    monkeypatch.setattr(fonts, "PACKAGED", ("no_such_module_here", "x.ttc"))
    assert fonts.packaged_fonts() == []


def test_configured_font_comes_before_the_search(monkeypatch, tmp_path, only_packaged):
    mine = tmp_path / "mine.ttc"
    mine.symlink_to(only_packaged)
    assert fonts.find_font(str(mine)) == str(mine)
    monkeypatch.setenv("CLERK_TUI_FONT", str(mine))
    assert fonts.find_font() == str(mine)
    with pytest.raises(fonts.FontError, match="不存在"):
        fonts.find_font(str(tmp_path / "nope.ttf"))


def test_fontconfig_is_not_needed(monkeypatch):
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    assert fonts.fontconfig_fonts() == []


def test_variable_font_is_skipped_by_the_search_and_refused_when_configured(monkeypatch, tmp_path, without_rare):
    """fpdf2 embeds a variable font (Fedora's NotoSansCJK-VF.ttc) as an invalid file: never chosen."""
    variable = subset_packaged(PAPER_TEXT + RARE, tmp_path / "NotoSansCJK-VF.otf", variable=True)
    assert fonts.has_glyphs(variable, "申请人" + RARE) and fonts.is_variable(variable)
    monkeypatch.delenv("CLERK_TUI_FONT", raising=False)
    monkeypatch.setattr(
        fonts, "_fc_list", lambda *args: [] if args[0] == "fc-list" and ":lang" in args[-1] else [variable]
    )  # fontconfig's best font, and the one it has with 𠮷
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    assert fonts.find_font() == packaged()
    with pytest.raises(fonts.FontError, match="可变字体"):
        fonts.find_font(variable)
    assert fonts.fallback_fonts(without_rare, RARE) == ([packaged()], [])  # not the variable one


def test_face_index_of_a_single_font_is_zero(without_rare):
    assert fonts.face_index(without_rare) == 0


# ---------------------------------------------------------------- PDFs never drop a character


def test_rare_character_comes_from_a_fallback_font(only_packaged, without_rare):
    doc = Document("receipt", "受理通知书", "X").add(Field("申请人", RARE + "野家"), Text("生僻字：" + RARE))
    paper = render_pdf(doc, without_rare)
    assert paper.fallbacks == [only_packaged] and paper.warnings == []
    text = pdf_text(paper.data)
    assert "申请人：" in text and RARE + "野家" in text and "□" not in text
    assert len(embedded_fonts(paper.data)) == 2  # the chosen font and the fallback that drew 𠮷


def test_fallback_found_through_fontconfig_by_character(monkeypatch, tmp_path, without_rare):
    other = tmp_path / "HanaMinB.ttc"
    other.symlink_to(packaged())
    asked = []

    def fake_fc(*args):
        asked.append(args)
        return [str(other)] if args[-1] == ":charset=20bb7" else []

    monkeypatch.setattr(fonts, "_fc_list", fake_fc)
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    chosen, unfound = fonts.fallback_fonts(without_rare, "申请人：" + RARE + "野家")
    assert chosen == [str(other)] and unfound == []
    assert ("fc-list", "-f", "%{file}\n", ":charset=20bb7") in asked


def test_character_no_font_has_prints_as_marker_with_the_warning(only_packaged, without_rare):
    doc = Document("receipt", "受理通知书", "X").add(Field("申请人", NOWHERE + RARE + "野家"))
    paper = render_pdf(doc, without_rare)
    text = pdf_text(paper.data)
    assert "□" + RARE + "野家" in text and NOWHERE not in text
    assert paper.warnings == [f"PDF 字体没有“{NOWHERE}”，已印为□，请在纸上手写补正"]


def test_marker_warning_says_what_the_thermal_printer_says():
    from clerk_tui.printing import escpos
    from clerk_tui.printing.layout import lay_out
    from clerk_tui.printing.pdf import marker_warning

    thermal = escpos.encode(lay_out(Document("ticket", "t", "x").add(Text(RARE)), 32), 32, font_path=None).warnings[0]
    assert thermal.endswith(marker_warning(RARE).split("没有", 1)[1])  # “𠮷”，已印为□，请在纸上手写补正


# ---------------------------------------------------------------- through the service and the CLI


@pytest.fixture
def clerk(hall, admin, now):
    add_staff(hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    return login(hall, "1001", "1111")


def _case(hall, clerk, name):
    return cs.intake(
        hall,
        clerk,
        cs.IntakeRequest(FOOD, cs.Applicant("person", name, ID1, "13800138000"), "accept", materials_received=FOOD_ALL),
    )


def test_pdf_receipt_with_packaged_font_shows_rare_name(hall, clerk, tmp_path, only_packaged):
    case = _case(hall, clerk, RARE + "野家")
    job = pr.print_paper(
        hall, clerk, "receipt", case.number, cfg=PrintSettings(receipt=f"pdf://{tmp_path}/papers", papers=str(tmp_path))
    )
    assert job.status == "printed" and job.warnings == ()
    text = pdf_text(job.output)
    assert RARE + "野家" in text and case.number in text


def test_pdf_receipt_name_no_font_has_is_marker_and_warned(hall, clerk, tmp_path, only_packaged):
    case = _case(hall, clerk, NOWHERE + "野家")
    job = pr.print_paper(
        hall, clerk, "receipt", case.number, cfg=PrintSettings(receipt=f"pdf://{tmp_path}/papers", papers=str(tmp_path))
    )
    assert job.status == "printed"
    assert job.warnings == (f"PDF 字体没有“{NOWHERE}”，已印为□，请在纸上手写补正",)
    assert "□野家" in pdf_text(job.output)


def test_cli_says_the_warning(sqlite_hall, tmp_path, monkeypatch, capsys, only_packaged):
    from tests.conftest import ADMIN_PIN, run_cli

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    add_staff(sqlite_hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    case = _case(sqlite_hall, login(sqlite_hall, "1001", "1111"), NOWHERE + "野家")
    sqlite_hall.dispose()
    for key, value in {
        "CLERK_TUI_DB": str(tmp_path / "hall.db"),
        "CLERK_TUI_STAFF": "1001",
        "CLERK_TUI_PIN": "1111",
    }.items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "settings.toml"  # the window's receipt printer: PDFs in the papers folder
    config.write_text(f'[printing]\nreceipt = "pdf://{tmp_path}/out"\npapers = "{tmp_path}"\n', encoding="utf-8")
    monkeypatch.setenv("CLERK_TUI_CONFIG", str(config))
    code, out, err = run_cli(monkeypatch, capsys, ["print", "receipt", case.number], keep_env=True)
    assert code == 0, err
    assert "已打印" in out and f"注意：PDF 字体没有“{NOWHERE}”，已印为□，请在纸上手写补正" in err


def test_thermal_image_line_uses_the_simplified_chinese_face(monkeypatch, only_packaged):
    """A rare-character line printed as an image: 骨 as taught in China, not the Japanese face's."""
    from PIL import ImageFont

    from clerk_tui.printing import escpos

    real = ImageFont.truetype
    opened = []

    def recording(path, size, index=0, **kw):
        opened.append(index)
        return real(path, size, index=index, **kw)

    monkeypatch.setattr(ImageFont, "truetype", recording)
    assert escpos._text_image("骨" + RARE, 32, 1, only_packaged) is not None
    assert opened == [fonts.face_index(only_packaged)] == [2]
    sc, jp = (real(only_packaged, 44, index=i).getmask("骨") for i in (2, 0))
    assert bytes(sc) != bytes(jp)  # the faces really differ for this character


async def test_screen_says_the_warning(sqlite_hall, tmp_path, monkeypatch, only_packaged):
    """At the window, a notice whose name no font has prints, and the clerk is told on screen."""
    from textual.widgets import Input

    from clerk_tui.settings import PrintSettings, Settings
    from clerk_tui.ui.app import make_app
    from tests.conftest import ADMIN_PIN

    monkeypatch.setenv("CLERK_TUI_NOW", "2026-11-26T09:30:00")
    monkeypatch.setattr(Settings, "state_dir", property(lambda self: tmp_path / "state"))
    admin = login(sqlite_hall, "admin", ADMIN_PIN)
    add_staff(sqlite_hall, admin, "1001", "李强", "clerk", "1111", department="县市场监督管理局")
    case = _case(sqlite_hall, login(sqlite_hall, "1001", "1111"), NOWHERE + "野家")
    papers = tmp_path / "papers"
    settings = Settings(
        database=str(sqlite_hall.url.database), printing=PrintSettings(receipt=f"pdf://{papers}", papers=str(papers))
    )
    app = make_app(settings, sqlite_hall)
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.query_one("#number", Input).value = "1001"
        app.screen.query_one("#pin", Input).value = "1111"
        app.screen.query_one("#window", Input).value = "3"
        app.screen.query_one("#pin", Input).focus()
        await pilot.press("enter")
        await _settle(pilot)
        app.print_paper("receipt", case.number, asked=True)  # what T on the case does
        await _settle(pilot)  # the PDF renders in a worker thread
        said = [str(n.message) for n in app._notifications]
    assert f"受理通知书 {case.number} 已打印" in said
    assert f"PDF 字体没有“{NOWHERE}”，已印为□，请在纸上手写补正" in said
    assert "□野家" in pdf_text(next(papers.glob("*.pdf")).read_bytes())


async def _settle(pilot, rounds=20):
    """Wait for the service calls started (a login, a paper printed), and for what their results do."""
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if not w.is_finished]
        if not busy:
            return
        await pilot.app.workers.wait_for_complete(busy)
