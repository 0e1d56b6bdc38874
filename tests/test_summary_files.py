"""The annual report's figures as files (issue 17, point 6): ``report summary --format xlsx|pdf``
carry the same figures as ``--format json``, read back with openpyxl and pypdf."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from clerk_tui.services import summary as sm
from tests.conftest import run_cli
from tests.test_reports import month  # noqa: F401  (the constructed November)

SPAN = ["--from", "2026-11-01", "--to", "2026-11-30"]
ENV = {"CLERK_TUI_STAFF": "9001", "CLERK_TUI_PIN": "9999"}


def _summary(hall, monkeypatch, capsys, *more: str) -> tuple[int, str, str]:
    """``report summary`` of November as the supervisor, with ``more`` options."""
    return run_cli(monkeypatch, capsys, ["report", "summary", *SPAN, *more], {**ENV, "CLERK_TUI_DB": hall.url.database})


def _json(hall, monkeypatch, capsys) -> dict:
    code, out, err = _summary(hall, monkeypatch, capsys, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def _row(figures: dict) -> list:
    """A json row as the tables print it: counts, and rates as the paragraph prints them."""
    return [
        figures["name"],
        figures["accepted"],
        figures["completed"],
        figures["immediate"],
        sm.pct(figures["immediate_share"]),
        figures["promised_accepted"],
        figures["promised_completed"],
        figures["on_time"],
        sm.pct(figures["on_time_rate"]),
        figures["early"],
        sm.pct(figures["early_rate"]),
    ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_xlsx_holds_the_json_figures(hall, month, now, monkeypatch, capsys, tmp_path):  # noqa: F811
    now("2026-12-01T09:00:00")
    data = _json(hall, monkeypatch, capsys)
    out = tmp_path / "summary.xlsx"
    code, said, err = _summary(hall, monkeypatch, capsys, "--format", "xlsx", "--out", str(out))
    assert code == 0 and "已写入" in said, err
    book = load_workbook(io.BytesIO(out.read_bytes()))
    rows = list(book["按部门"].iter_rows(values_only=True))
    assert rows[0][0] == data["paragraph"]
    assert list(rows[1]) == [None, *sm.TABLE_HEADERS[1:]]
    expected = [_row(d) for d in data["departments"]] + [_row(data["total"])]
    assert [list(r) for r in rows[2:]] == expected
    assert data["total"]["completed"] > 0  # real figures, not an empty table
    c = data["compression"]
    last = list(book["时限压缩与概况"].iter_rows(values_only=True))[-1]
    assert list(last) == [c["items"], c["legal_days"], c["promised_days"], c["saved_days"], sm.pct(c["saved_share"])]
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        ["report", "summary", *SPAN, "--format", "xlsx"],
        {**ENV, "CLERK_TUI_DB": hall.url.database},
    )
    assert code == 1 and "--out" in err


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_pdf_holds_the_json_figures(hall, month, now, monkeypatch, capsys, tmp_path):  # noqa: F811
    now("2026-12-01T09:00:00")
    data = _json(hall, monkeypatch, capsys)
    out = tmp_path / "summary.pdf"
    code, said, err = _summary(hall, monkeypatch, capsys, "--format", "pdf", "--out", str(out))
    assert code == 0 and "已写入" in said, err
    # the embedded CJK font comes back as two bytes a character: the NULs are not part of the text
    text = "".join("".join(page.extract_text().replace("\x00", "").split()) for page in PdfReader(out).pages)
    assert "".join(data["paragraph"].split()) in text  # the paragraph, every figure of it
    for d in [*data["departments"], data["total"]]:
        cells = [str(v) for v in _row(d)]
        assert "".join(cells) in text, cells  # each table row, cell after cell
