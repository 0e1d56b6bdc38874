"""窗口考核: the monthly assessment of windows and clerks, and the awards made from it (流动红旗窗口,
微笑服务示范窗口), as the hall's 《窗口及窗口工作人员管理考核办法》 sets them.

Pure: the hall's rule (a TOML document, data/assessment.toml) is checked here, and the month's
facts (served tickets, cases completed on time or late, bad ratings not rectified, patrol findings,
buck-passing flags, late openings) are turned into scores with the reason behind every point.
Everything in points is a ``Decimal`` so that 0.1 × 3 is 0.3, as a notice board prints it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# What earns points and what costs them: the rule file's keys, with the words a notice board uses.
POINTS = {
    "served_ticket": "办结号票",
    "case_on_time": "承诺件按时办结",
}
DEDUCTIONS = {
    "bad_rating": "差评未整改",
    "overdue_case": "办件超期",
    "buck_passing": "疑似推诿",
    "late_open": "迟开窗",
    "patrol_absent": "巡查：脱岗",
    "patrol_badge": "巡查：未佩戴工作牌",
    "patrol_discipline": "巡查：违反工作纪律",
    "patrol_tidiness": "巡查：窗口不整洁",
    "patrol_manner": "巡查：服务态度",
}
PATROL_ITEMS = ("absent", "badge", "discipline", "tidiness", "manner")
AWARD_BASES = {"score": "考核得分", "satisfaction": "满意率"}
MAX_POINTS = Decimal(1000)


class RuleError(ValueError):
    """A rule file that cannot be used: the message names the key and says what it should be."""


@dataclass(frozen=True)
class AwardRule:
    """One award the rule names: the best ``top`` windows by ``basis`` that meet its floors."""

    code: str
    name: str
    basis: str = "score"  # score | satisfaction
    top: int = 1
    min_score: Decimal = Decimal(0)  # score: at least this total
    min_served: int = 0  # score: at least this many tickets served (an idle window wins nothing)
    min_ratings: int = 0  # satisfaction: at least this many ratings
    min_rate: Decimal = Decimal(0)  # satisfaction: at least this share of 满意 and 非常满意 (0–1)
    no_bad_ratings: bool = True  # satisfaction: no 差评 in the month


@dataclass(frozen=True)
class Rule:
    """The hall's assessment rule: a base, points per unit (with a cap), deductions per occurrence,
    the hall's opening time for lateness (None: lateness is left out) and the awards."""

    name: str
    base: Decimal
    points: Mapping[str, Decimal]
    caps: Mapping[str, Decimal]  # the most points one kind can add in a month (0: no cap)
    deductions: Mapping[str, Decimal]
    opens_at: dt.time | None
    grace_minutes: int
    awards: tuple[AwardRule, ...]


def _number(value: object, key: str, *, low: Decimal = Decimal(0), high: Decimal = MAX_POINTS) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"{key} 应为数字（收到 {value!r}）")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:  # inf, nan
        raise RuleError(f"{key} 应为数字（收到 {value!r}）") from exc
    if not number.is_finite() or not low <= number <= high:
        raise RuleError(f"{key} 应在 {low} 到 {high} 之间（收到 {value!r}）")
    return number


def _whole(value: object, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(f"{key} 应为 {low}–{high} 的整数（收到 {value!r}）")
    return value


def _table(doc: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise RuleError(f"[{key}] 应为一个表（[{key}] 下写 键 = 值）")
    return value


def _known(table: Mapping[str, object], allowed: Iterable[str], where: str) -> None:
    allowed = list(allowed)
    if unknown := sorted(set(table) - set(allowed)):
        raise RuleError(f"{where} 中有未知的键 {'、'.join(unknown)}（可用：{'、'.join(allowed)}）")


def parse_rule(doc: Mapping[str, object]) -> Rule:
    """The rule from a parsed TOML document; a RuleError names the key that is wrong."""
    _known(doc, ("name", "base", "points", "caps", "deductions", "lateness", "awards"), "考核办法")
    name = doc.get("name", "")
    if not isinstance(name, str) or not name.strip():
        raise RuleError('name 应为考核办法的名称（例如 name = "窗口及窗口工作人员月度考核"）')
    base = _number(doc.get("base", 100), "base")
    points_t, caps_t, deductions_t = _table(doc, "points"), _table(doc, "caps"), _table(doc, "deductions")
    _known(points_t, POINTS, "[points]")
    _known(caps_t, POINTS, "[caps]")
    _known(deductions_t, DEDUCTIONS, "[deductions]")
    points = {k: _number(points_t.get(k, 0), f"points.{k}") for k in POINTS}
    caps = {k: _number(caps_t.get(k, 0), f"caps.{k}") for k in POINTS}
    deductions = {k: _number(deductions_t.get(k, 0), f"deductions.{k}") for k in DEDUCTIONS}
    lateness = _table(doc, "lateness")
    _known(lateness, ("opens_at", "grace_minutes"), "[lateness]")
    opens_raw = lateness.get("opens_at", "")
    opens_at: dt.time | None = None
    if isinstance(opens_raw, dt.time):
        opens_at = opens_raw
    elif isinstance(opens_raw, str) and opens_raw.strip():
        try:
            opens_at = dt.time.fromisoformat(opens_raw.strip())
        except ValueError as exc:
            raise RuleError(f'lateness.opens_at 应为大厅开门时间，如 "09:00"（收到 {opens_raw!r}）') from exc
    elif not isinstance(opens_raw, str):
        raise RuleError(f'lateness.opens_at 应为大厅开门时间，如 "09:00"（收到 {opens_raw!r}）')
    grace = _whole(lateness.get("grace_minutes", 0), "lateness.grace_minutes", 0, 120)
    awards_raw = doc.get("awards", [])
    if not isinstance(awards_raw, list):
        raise RuleError("awards 应写成 [[awards]] 表，每个奖项一个")
    awards = tuple(_award(entry, i) for i, entry in enumerate(awards_raw, start=1))
    codes = [a.code for a in awards]
    if len(set(codes)) != len(codes):
        raise RuleError(f"[[awards]] 中的 code 重复：{'、'.join(sorted({c for c in codes if codes.count(c) > 1}))}")
    return Rule(name.strip(), base, points, caps, deductions, opens_at, grace, awards)


def _award(entry: object, i: int) -> AwardRule:
    where = f"第{i}个 [[awards]]"
    if not isinstance(entry, dict):
        raise RuleError(f"{where} 应为一个表")
    _known(
        entry,
        ("code", "name", "basis", "top", "min_score", "min_served", "min_ratings", "min_rate", "no_bad_ratings"),
        where,
    )
    code, name = entry.get("code", ""), entry.get("name", "")
    if not isinstance(code, str) or not code.strip().isidentifier() or len(code) > 20:
        raise RuleError(f'{where} 的 code 应为英文代号（字母、数字、下划线，例如 code = "red_flag"）')
    if not isinstance(name, str) or not name.strip() or len(name) > 30:
        raise RuleError(f'{where} 的 name 应为奖项名称（例如 name = "流动红旗窗口"），不超过 30 字')
    basis = entry.get("basis", "score")
    if basis not in AWARD_BASES:
        raise RuleError(f"{where} 的 basis 应为 {'、'.join(AWARD_BASES)} 之一（收到 {basis!r}）")
    no_bad = entry.get("no_bad_ratings", True)
    if not isinstance(no_bad, bool):
        raise RuleError(f"{where} 的 no_bad_ratings 应为 true 或 false")
    return AwardRule(
        code.strip(),
        name.strip(),
        str(basis),
        _whole(entry.get("top", 1), f"{where} 的 top", 1, 50),
        _number(entry.get("min_score", 0), f"{where} 的 min_score"),
        _whole(entry.get("min_served", 0), f"{where} 的 min_served", 0, 100000),
        _whole(entry.get("min_ratings", 0), f"{where} 的 min_ratings", 0, 100000),
        _number(entry.get("min_rate", 0), f"{where} 的 min_rate", high=Decimal(1)),
        no_bad,
    )


# ---------------------------------------------------------------- the month's facts and the scores


@dataclass(frozen=True)
class Fact:
    """One thing that happened in the month and counts: ``kind`` is a key of POINTS or DEDUCTIONS,
    ``window`` the window it is counted to, ``clerk`` the clerk (staff id), ``subject`` what it was
    (a ticket, a case number, a finding) for the reason line; None where unknown."""

    kind: str
    window: int | None
    clerk: int | None
    subject: str = ""
    count: int = 1  # a point fact may stand for many (tickets served, counted in the database)


@dataclass(frozen=True)
class Line:
    """One reason: its points (negative for a deduction) and the words behind them."""

    points: Decimal
    reason: str

    def as_json(self) -> dict:
        return {"points": float(self.points), "reason": self.reason}


@dataclass
class Score:
    key: str  # the window number, or the clerk's staff number
    name: str
    base: Decimal
    lines: list[Line] = field(default_factory=list)
    served: int = 0  # tickets served: an award's floor, and the tie-break after the score

    @property
    def total(self) -> Decimal:
        return self.base + sum((line.points for line in self.lines), Decimal(0))

    @property
    def added(self) -> Decimal:
        return sum((line.points for line in self.lines if line.points > 0), Decimal(0))

    @property
    def deducted(self) -> Decimal:
        return -sum((line.points for line in self.lines if line.points < 0), Decimal(0))

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "base": float(self.base),
            "added": float(self.added),
            "deducted": float(self.deducted),
            "total": float(self.total),
            "served": self.served,
            "lines": [line.as_json() for line in self.lines],
        }


def points_text(value: Decimal) -> str:
    """A score as a notice board prints it: 100, 103.5, −2 (no trailing zeros, a real minus)."""
    text = format(value.normalize(), "f") if value != 0 else "0"
    return text.replace("-", "−")


def score_all(
    rule: Rule,
    facts: Iterable[Fact],
    keys: Mapping[object, tuple[str, str]],
    *,
    by: str,
) -> list[Score]:
    """Scores for every key (window numbers or clerk ids) in ``keys`` (the key shown, for a clerk
    the staff number, and the name), by ``by``
    ("window" or "clerk"), sorted best first (total, then tickets served, then the key). Facts of a
    key not in ``keys`` are ignored; points are one line a kind (with the cap said), deductions one
    line a fact, so that every point has its reason."""
    counted: dict[object, dict[str, int]] = {k: {} for k in keys}
    deductions: dict[object, list[Fact]] = {k: [] for k in keys}
    for fact in facts:
        key = fact.window if by == "window" else fact.clerk
        if key not in counted:
            continue
        if fact.kind in POINTS:
            counted[key][fact.kind] = counted[key].get(fact.kind, 0) + fact.count
        elif fact.kind in DEDUCTIONS:
            deductions[key].append(fact)
    out = []
    for each_key, (shown, name) in keys.items():
        score = Score(shown, name, rule.base, served=counted[each_key].get("served_ticket", 0))
        for kind, words in POINTS.items():
            n, each = counted[each_key].get(kind, 0), rule.points[kind]
            if not n or not each:
                continue
            raw, cap = each * n, rule.caps[kind]
            if cap and raw > cap:
                score.lines.append(Line(cap, f"{words}{n}件 × {points_text(each)}分，封顶{points_text(cap)}分"))
            else:
                score.lines.append(Line(raw, f"{words}{n}件 × {points_text(each)}分"))
        for fact in sorted(deductions[each_key], key=lambda f: (list(DEDUCTIONS).index(f.kind), f.subject)):
            each = rule.deductions[fact.kind]
            if each:
                subject = f"：{fact.subject}" if fact.subject else ""
                score.lines.append(Line(-each, f"{DEDUCTIONS[fact.kind]}{subject}"))
        out.append(score)
    # A window (or clerk) with nothing scored (it served nobody and lost nothing) keeps its base but
    # ranks after every one that worked: on the notice board an idle window never stands above one
    # that served people and lost a point (a new user's trial found 33 idle windows ranked first).
    return sorted(out, key=lambda s: (not s.lines, -s.total, -s.served, _order(s.key)))


def _order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)


@dataclass(frozen=True)
class RatingStats:
    """A window's ratings in the month: rated (levels 1–5), good (4–5) and bad (1–2, 差评)."""

    rated: int = 0
    good: int = 0
    bad: int = 0

    @property
    def rate(self) -> Decimal | None:
        return None if not self.rated else Decimal(self.good) / Decimal(self.rated)


@dataclass(frozen=True)
class Award:
    code: str
    name: str
    window: int
    rank: int
    why: str

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "window": self.window, "rank": self.rank, "why": self.why}


def choose_awards(rule: Rule, windows: list[Score], ratings: Mapping[int, RatingStats]) -> list[Award]:
    """The awards the rule names, from the month's window scores (best first) and ratings."""
    out: list[Award] = []
    for award in rule.awards:
        if award.basis == "score":
            eligible = [s for s in windows if s.total >= award.min_score and s.served >= award.min_served]
            for rank, s in enumerate(eligible[: award.top], start=1):
                why = f"考核得分{points_text(s.total)}分，第{rank}名（办结号票{s.served}个）"
                out.append(Award(award.code, award.name, int(s.key), rank, why))
        else:
            candidates = []
            for s in windows:
                stats = ratings.get(int(s.key), RatingStats())
                rate = stats.rate
                if rate is None or stats.rated < max(1, award.min_ratings) or rate < award.min_rate:
                    continue
                if award.no_bad_ratings and stats.bad:
                    continue
                candidates.append((rate, stats, s))
            candidates.sort(key=lambda c: (-c[0], -c[1].rated, _order(c[2].key)))
            for rank, (rate, stats, s) in enumerate(candidates[: award.top], start=1):
                shown = (rate * 100).quantize(Decimal("0.1"))
                bad = "无差评" if not stats.bad else f"差评{stats.bad}次"
                out.append(
                    Award(award.code, award.name, int(s.key), rank, f"满意率{shown}%（评价{stats.rated}次，{bad}）")
                )
    return out


def month_span(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY-MM``; ValueError with the words to say otherwise."""
    try:
        first = dt.datetime.strptime(month.strip(), "%Y-%m").date()
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"月份 {month!r} 无效，请写成 YYYY-MM，例如 2026-11") from exc
    following = next_month(first)
    return first, following - dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s."""
    return dt.date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
