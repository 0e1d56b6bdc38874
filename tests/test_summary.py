"""The annual report's figures (issue 17, point 6): the paragraph never contradicts itself, its
counts are the statistics' own, and the tables add up to it. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clerk_tui.services import reports as rp
from clerk_tui.services import summary as sm
from clerk_tui.services.errors import ServiceError
from tests.test_reports import month, supervisor  # noqa: F401  (fixtures and the reader)

NUMBER = r"([\d,]+)"
RATE = r"([\d.]+%|—)"


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _check(paragraph: str) -> dict[str, int]:
    """Read the paragraph back and hold every rate to the two counts it states."""
    m = re.search(
        rf"共受理审批事项{NUMBER}件，办结{NUMBER}件。其中：即办件{NUMBER}件，即办比重{RATE}；"
        rf"限时办结件接件{NUMBER}件，办结{NUMBER}件，承诺时限内办结{NUMBER}件，按时办结率{RATE}，"
        rf"提前办结{NUMBER}件，提前办结率{RATE}(?:；其他办件{NUMBER}件)?。",
        paragraph,
    )
    assert m, paragraph
    accepted, completed, immediate = _count(m[1]), _count(m[2]), _count(m[3])
    p_accepted, p_completed, on_time, early = _count(m[5]), _count(m[6]), _count(m[7]), _count(m[9])
    other = _count(m[11]) if m[11] else 0
    assert completed == immediate + p_completed + other  # the total is its parts, any other kind named
    assert on_time <= p_completed and early <= on_time
    for shown, num, den in ((m[4], immediate, completed), (m[8], on_time, p_completed), (m[10], early, p_completed)):
        assert shown == sm.pct(sm.rate(num, den))  # each rate from the two counts it stands beside
    return {
        "accepted": accepted,
        "completed": completed,
        "immediate": immediate,
        "promised_accepted": p_accepted,
        "promised_completed": p_completed,
        "on_time": on_time,
        "early": early,
    }


def test_the_paragraph_adds_up_and_agrees_with_the_statistics(hall, month, now):  # noqa: F811
    now("2026-12-01T09:00:00")
    sup = supervisor(hall)
    s = sm.annual_summary(hall, sup, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    said = _check(s.paragraph())
    [g] = rp.build_report(hall, sup, dt.date(2026, 11, 1), dt.date(2026, 11, 30)).groups
    f = g.figures
    assert (said["accepted"], said["completed"], said["immediate"]) == (
        f["cases_accepted"],
        f["cases_completed"],
        f["immediate_cases"],
    )
    assert (said["promised_completed"], said["on_time"], said["early"]) == (
        f["promised_completed"],
        f["promised_on_time"],
        f["promised_early"],
    )
    assert said["completed"] > 0 and said["immediate"] > 0 and said["promised_completed"] > 0  # real data
    # the tables add up to the paragraph
    for table in (s.departments, s.branches):
        for name in sm.COUNTS:
            assert sum(getattr(row, name) for row in table) == said[name], name
    data = s.as_json()
    assert data["total"]["completed"] == said["completed"] and data["paragraph"] == s.paragraph()
    assert data["compression"]["saved_days"] == data["compression"]["legal_days"] - data["compression"]["promised_days"]
    assert data["previous"]["from"] == "2026-10-02" and data["previous"]["completed"] == 0


@pytest.mark.parametrize(
    "counts",
    [
        dict(completed=893236, immediate=883439, promised_completed=9797, on_time=9797, early=8034),
        dict(completed=10, immediate=3, promised_completed=5, on_time=4, early=1),  # 2 of another kind
        dict(completed=0, immediate=0, promised_completed=0, on_time=0, early=0),
    ],
)
def test_the_paragraph_can_never_contradict_itself(counts):
    """Whatever the counts, the paragraph states the total as its parts (naming any other kind) and
    each rate as its two counts divided: the source's 883,439 + 17,685 ≠ 893,236 cannot happen."""
    total = sm.Figures("全厅", accepted=counts["completed"], promised_accepted=counts["promised_completed"], **counts)
    s = sm.Summary(
        dt.date(2014, 1, 1), dt.date(2014, 12, 31), "县政务大厅", True, total, [], [], sm.Compression(0, 0, 0), {}
    )
    text = s.paragraph()
    assert text.startswith("2014年，县政务大厅（包括分厅）")
    said = _check(text)
    assert said["completed"] == counts["completed"]


def test_a_summary_period_is_a_year_or_a_bounded_range():
    assert sm.summary_period("2014") == (dt.date(2014, 1, 1), dt.date(2014, 12, 31))
    assert sm.summary_period(None, "2026-01-01", "2026-06-30") == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    with pytest.raises(ServiceError, match="--from 和 --to"):
        sm.summary_period(None, "2026-01-01", None)
    with pytest.raises(ServiceError, match="超过 5 年"):
        sm.summary_period(None, "1900-01-01", "2026-01-01")
    with pytest.raises(ServiceError, match="年份"):
        sm.summary_period("二〇一四")


def test_the_county_2014_profile_reads_like_the_source(demo_at):
    """scripts/generate_year.py --profile county-2014 (a small run): the summary of 2014 shows the
    source's rates (即办比重 about 98.9 %, 按时办结率 100 %, 提前办结率 about 82 %) with figures that
    add up, and the generated history is on the audit chain."""
    import sys

    from clerk_tui.services.audit import verify_chain
    from clerk_tui.services.staff import login
    from tests.conftest import FIXTURES

    sys.path.insert(0, str(FIXTURES.parents[1] / "scripts"))
    try:
        import generate_year
    finally:
        sys.path.pop(0)
    engine = demo_at("2015-03-02T10:00:00")  # the demo's own weeks of cases stay out of 2014
    generate_year.generate(engine, 6000, 300, quiet=True, profile="county-2014")
    s = sm.annual_summary(engine, login(engine, "9001", "123456"), dt.date(2014, 1, 1), dt.date(2014, 12, 31))
    said = _check(s.paragraph())
    assert s.paragraph().startswith("2014年，云溪县政务服务中心（包括分厅）")
    t = s.total
    assert said["completed"] > 5000 and abs(t.immediate_share - 98.9) < 0.8
    assert t.on_time_rate == 100.0 and abs(t.early_rate - 82) < 8
    assert verify_chain(engine).ok
