"""窗口考核: each window's and each clerk's score for a month under the hall's rule (data/assessment.toml
or the settings' ``[assessment] rule``), with the reason behind every point, and the awards made
from it (流动红旗窗口, 微笑服务示范窗口 …) for the next month.

A month is live until a supervisor closes it (``assessment close``): the table as it stood then
and the awards are stored, and from then on the month reads from what was stored, so a later
correction never changes a notice already posted. ``awards_for`` is public: the display shows the
month's red-flag windows to everyone in the hall.

What counts, from the records (the facts of domain/assessment.py):
- served_ticket: tickets served (done) in the month, to the window and the clerk who served them;
- case_on_time / overdue_case: promised cases completed in the month on or before their promised
  date / after it, and open cases whose date passed in the month (to the window that received the
  case and its owner, 首办人);
- bad_rating: 差评 of the month whose follow-up has not ended, or ended after its due date;
- buck_passing: tickets of the month transferred at least the hall's 推诿 threshold times
  (settings [responsibility]), to every window and clerk that transferred it;
- late_open: the first opening of a window on a day after the hall's opening time plus grace
  (only when the rule names an opening time);
- patrol_*: 大厅巡查 findings (services/patrol.py).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from clerk_tui import clock, paths
from clerk_tui.domain import assessment as da
from clerk_tui.domain.roles import allowed
from clerk_tui.domain.words import toml_loads, toml_words
from clerk_tui.services import events
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.files import read_text
from clerk_tui.services.patrol import patrol_findings
from clerk_tui.services.ratings import BAD, LEVELS
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import (
    AssessmentAward,
    AssessmentMonth,
    Event,
    FollowUp,
    Rating,
    ServiceCase,
    Staff,
    Ticket,
    Window,
)

RULE_FILE = "assessment.toml"
OPEN_CASE = ("accepted", "in_progress")


def default_rule_path() -> Path:
    """The shipped rule (data/assessment.toml), or a refusal that says to reinstall."""
    try:
        return paths.data_dir() / RULE_FILE
    except paths.DataMissing as exc:
        raise ServiceError(str(exc)) from None


def load_rule(path: str | Path | None = None) -> da.Rule:
    """The hall's rule from ``path`` (the shipped data/assessment.toml when empty); a file that
    cannot be used is refused with the key that is wrong and what to write."""
    path = Path(path).expanduser() if path else default_rule_path()
    try:
        doc = toml_loads(read_text(path, "考核办法文件", max_bytes=256 * 1024))
    except tomllib.TOMLDecodeError as exc:
        raise ServiceError(f"考核办法文件 {path} 格式错误，{toml_words(exc)}：请修正后重试") from exc
    try:
        return da.parse_rule(doc)
    except da.RuleError as exc:
        raise ServiceError(f"考核办法文件 {path} 有误：{exc}，请修正后重试") from exc


def hall_rule(settings) -> dict:
    """What the hall's settings say about scoring (the keyword arguments of ``assess`` and
    ``close_month``): its rule file (``[assessment] rule``) and its 推诿 threshold ([responsibility])."""
    return {
        "rule": load_rule(settings.assessment_rule or None),
        "buck_passing_transfers": settings.responsibility.buck_passing_transfers,
    }


def parse_month(month: str | None) -> str:
    """``YYYY-MM`` as typed (this month when empty), checked."""
    if not month:
        return f"{clock.today():%Y-%m}"
    try:
        first, _ = da.month_span(month)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    return f"{first:%Y-%m}"


@dataclass
class Assessment:
    month: str
    rule: str
    windows: list[da.Score]
    clerks: list[da.Score]
    awards: list[da.Award]
    notes: list[str] = field(default_factory=list)
    closed_at: dt.datetime | None = None
    closed_by: str = ""

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def window(self, number: int) -> da.Score | None:
        return next((s for s in self.windows if s.key == str(number)), None)

    def stored(self) -> dict:
        """What a close stores: the tables with their reasons and the notes."""
        return {
            "windows": [s.as_json() for s in self.windows],
            "clerks": [s.as_json() for s in self.clerks],
            "notes": self.notes,
        }

    def as_json(self) -> dict:
        return {
            "month": self.month,
            "rule": self.rule,
            "closed": self.closed,
            "closed_at": self.closed_at.isoformat(timespec="seconds") if self.closed_at else None,
            "closed_by": self.closed_by or None,
            **self.stored(),
            "awards": [a.as_json() for a in self.awards],
        }


def _score_from(data: dict) -> da.Score:
    return da.Score(
        data["key"],
        data["name"],
        Decimal(str(data["base"])),
        [da.Line(Decimal(str(line["points"])), line["reason"]) for line in data["lines"]],
        data.get("served", 0),
    )


# ---------------------------------------------------------------- the month's facts


def _facts(
    engine: Engine, rule: da.Rule, start: dt.date, end: dt.date, buck_passing_transfers: int
) -> tuple[list[da.Fact], dict[int, da.RatingStats]]:
    since = dt.datetime.combine(start, dt.time())
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    today = clock.today()
    facts: list[da.Fact] = []
    stats: dict[int, da.RatingStats] = {}
    with read_session(engine) as session:
        t = Ticket.__table__
        for window, staff, n in session.execute(
            select(t.c.window_number, t.c.staff_id, func.count())
            .where(t.c.status == "done", t.c.finished_at >= since, t.c.finished_at < until)
            .group_by(t.c.window_number, t.c.staff_id)
        ):
            facts.append(da.Fact("served_ticket", window, staff, count=n))
        c = ServiceCase.__table__
        for number, window, owner, due, completed in session.execute(
            select(c.c.number, c.c.window_number, c.c.owner_id, c.c.due_date, c.c.completed_at).where(
                c.c.kind == "promised", c.c.completed_at >= since, c.c.completed_at < until, c.c.due_date.is_not(None)
            )
        ):
            if completed.date() <= due:
                facts.append(da.Fact("case_on_time", window, owner, number))
            else:
                facts.append(
                    da.Fact("overdue_case", window, owner, f"{number}（承诺{due:%m-%d}，{completed:%m-%d}办结）")
                )
        last_due = min(end, today - dt.timedelta(days=1))
        for number, window, owner, due in session.execute(
            select(c.c.number, c.c.window_number, c.c.owner_id, c.c.due_date).where(
                c.c.status.in_(OPEN_CASE), c.c.due_date >= start, c.c.due_date <= last_due
            )
        ):
            facts.append(da.Fact("overdue_case", window, owner, f"{number}（承诺{due:%m-%d}办结，尚未办结）"))
        r, f = Rating.__table__, FollowUp.__table__
        for window, staff, level, reasons, at, number, status, due, closed in session.execute(
            select(r.c.window_number, r.c.staff_id, r.c.level, r.c.reasons, r.c.at, t.c.number)
            .add_columns(f.c.status, f.c.due_date, f.c.closed_at)
            .join(t, t.c.id == r.c.ticket_id)
            .outerjoin(f, f.c.rating_id == r.c.id)
            .where(r.c.at >= since, r.c.at < until, r.c.level.is_not(None), r.c.level <= BAD)
        ):
            if status is None or status == "open":
                state = "整改未结束"
            elif closed is not None and closed.date() > due:
                state = f"整改逾期（期限{due:%m-%d}，{closed:%m-%d}结束）"
            else:
                continue
            why = f"，{reasons}" if reasons else ""
            facts.append(da.Fact("bad_rating", window, staff, f"{number} {at:%m-%d} {LEVELS[level]}{why}，{state}"))
        counts: dict[int, dict[str, int]] = defaultdict(lambda: {"rated": 0, "good": 0, "bad": 0})
        for window, level, n in session.execute(
            select(r.c.window_number, r.c.level, func.count())
            .where(r.c.at >= since, r.c.at < until, r.c.level.is_not(None))
            .group_by(r.c.window_number, r.c.level)
        ):
            counts[window]["rated"] += n
            if level >= 4:
                counts[window]["good"] += n
            elif level <= BAD:
                counts[window]["bad"] += n
        stats = {w: da.RatingStats(**v) for w, v in counts.items()}
        transfers: dict[tuple[dt.date, str], list[tuple[int | None, int | None]]] = defaultdict(list)
        opened: dict[tuple[int, dt.date], tuple[dt.datetime, int | None]] = {}
        for kind, at, subject, window, staff in session.execute(
            select(Event.kind, Event.at, Event.subject, Event.window_number, Event.staff_id)
            .where(Event.kind.in_(("ticket.transferred", "window.opened")), Event.at >= since, Event.at < until)
            .order_by(Event.id)
        ):
            if kind == "ticket.transferred":
                transfers[(at.date(), subject)].append((window, staff))
            elif window is not None and (window, at.date()) not in opened:
                opened[(window, at.date())] = (at, staff)
    for (day, number), by in transfers.items():
        if len(by) >= buck_passing_transfers:
            for window, staff in dict.fromkeys(by):
                facts.append(da.Fact("buck_passing", window, staff, f"{number}（{day:%m-%d} 转办{len(by)}次）"))
    if rule.opens_at is not None:
        for (window, day), (at, staff) in opened.items():
            limit = dt.datetime.combine(day, rule.opens_at) + dt.timedelta(minutes=rule.grace_minutes)
            if at > limit:
                facts.append(
                    da.Fact("late_open", window, staff, f"{day:%m-%d} {at:%H:%M}开窗（应{rule.opens_at:%H:%M}）")
                )
    for finding in patrol_findings(engine, start, end):
        note = f" {finding.note}" if finding.note else ""
        facts.append(
            da.Fact(
                f"patrol_{finding.item}", finding.window_number, finding.staff_id, f"{finding.at:%m-%d %H:%M}{note}"
            )
        )
    return facts, stats


def compute(engine: Engine, rule: da.Rule, month: str, *, buck_passing_transfers: int = 2) -> Assessment:
    """The month's assessment from the records as they stand (no right checked: callers do)."""
    start, end = da.month_span(month)
    facts, stats = _facts(engine, rule, start, end, buck_passing_transfers)
    with read_session(engine) as session:
        windows = {w.number: f"{w.number}号窗口 {w.name}".strip() for w in session.scalars(select(Window))}
        who = {f.clerk for f in facts if f.clerk is not None}
        staff = [
            s
            for s in session.scalars(select(Staff).order_by(Staff.number))
            if s.id in who or (s.role == "clerk" and s.active)
        ]
    clerks = {s.id: (s.number, f"{s.name}（{s.number}）") for s in staff}
    window_scores = da.score_all(rule, facts, {n: (str(n), name) for n, name in windows.items()}, by="window")
    clerk_scores = da.score_all(rule, facts, clerks, by="clerk")
    notes = []
    if rule.opens_at is None:
        notes.append("考核办法未设大厅开门时间（[lateness] opens_at），迟开窗未计入考核")
    return Assessment(
        month, rule.name, window_scores, clerk_scores, da.choose_awards(rule, window_scores, stats), notes
    )


def _visible(actor: Actor, a: Assessment) -> Assessment:
    """Every clerk's score is for those who read every clerk's figures; a clerk sees their own."""
    if not allowed(actor.role, "report.read.staff"):
        a.clerks = [s for s in a.clerks if s.key == actor.number]
    return a


def assess(
    engine: Engine,
    actor: Actor | None,
    month: str | None = None,
    *,
    rule: da.Rule | None = None,
    buck_passing_transfers: int = 2,
) -> Assessment:
    """The month's table: as closed, or live (this month to date, or a past month not yet closed)."""
    actor = require(actor, "report.read.hall")
    month = parse_month(month)
    first, _ = da.month_span(month)
    if first > clock.today():
        raise ServiceError(f"{month} 还没有到，请选择本月或以前的月份")
    closed = _closed(engine, month)
    if closed is not None:
        return _visible(actor, closed)
    return _visible(actor, compute(engine, rule or load_rule(), month, buck_passing_transfers=buck_passing_transfers))


def _closed(engine: Engine, month: str) -> Assessment | None:
    with read_session(engine) as session:
        row = session.get(AssessmentMonth, month)
        if row is None:
            return None
        who = session.get(Staff, row.closed_by)
        awards = session.scalars(
            select(AssessmentAward).where(AssessmentAward.month == month).order_by(AssessmentAward.id)
        ).all()
        data = json.loads(row.scores)
        return Assessment(
            month,
            row.rule,
            [_score_from(s) for s in data["windows"]],
            [_score_from(s) for s in data["clerks"]],
            [da.Award(a.code, a.name, a.window_number, a.rank, a.why) for a in awards],
            list(data.get("notes", [])),
            row.closed_at,
            f"{who.name}（{who.number}）" if who is not None else "",
        )


def close_month(
    engine: Engine,
    actor: Actor | None,
    month: str,
    *,
    rule: da.Rule | None = None,
    buck_passing_transfers: int = 2,
) -> Assessment:
    """``assessment close --month M``: store the month's table and its awards for the next month.
    Only a month that has ended, and only once."""
    actor = require(actor, "assessment.close")
    month = parse_month(month)
    first, _ = da.month_span(month)
    if da.next_month(first) > clock.today():
        raise ServiceError(f"{month} 还没有结束，月末之后才能结束考核（可先用 clerk-tui report assessment 查看）")
    result = compute(engine, rule or load_rule(), month, buck_passing_transfers=buck_passing_transfers)
    shown_in = f"{da.next_month(first):%Y-%m}"
    already = ServiceError(f"{month} 的考核已经结束，结果不再改变（clerk-tui report assessment --month {month} 查看）")

    def work(session) -> None:
        if session.get(AssessmentMonth, month) is not None:
            raise already
        session.add(
            AssessmentMonth(
                month=month,
                rule=result.rule[:200],
                scores=json.dumps(result.stored(), ensure_ascii=False),
                closed_by=actor.staff_id,
                closed_at=clock.now(),
            )
        )
        session.flush()
        for a in result.awards:
            session.add(
                AssessmentAward(
                    month=month,
                    shown_in=shown_in,
                    code=a.code,
                    name=a.name,
                    window_number=a.window,
                    rank=a.rank,
                    why=a.why[:200],
                )
            )
        events.record(
            session,
            "assessment.closed",
            actor=actor,
            subject=month,
            rule=result.rule,
            shown_in=shown_in,
            awards=[a.as_json() for a in result.awards],
            windows={s.key: float(s.total) for s in result.windows},
        )

    try:
        transaction(engine, work)
    except IntegrityError:  # another supervisor closed it at the same moment
        raise already from None
    closed = _closed(engine, month)
    assert closed is not None
    return closed


@dataclass(frozen=True)
class AwardView:
    code: str
    name: str
    window: int
    rank: int
    month: str  # the month assessed
    why: str


def awards_for(engine: Engine, month: str | dt.date | None = None) -> list[AwardView]:
    """The awards shown in ``month`` (this month when None): those of the month before, once it was
    closed. Public, like the notice board: the display shows them to everyone in the hall."""
    shown = f"{month:%Y-%m}" if isinstance(month, dt.date) else parse_month(month)
    with read_session(engine) as session:
        rows = session.scalars(
            select(AssessmentAward)
            .where(AssessmentAward.shown_in == shown)
            .order_by(AssessmentAward.code, AssessmentAward.rank)
        ).all()
        return [AwardView(a.code, a.name, a.window_number, a.rank, a.month, a.why) for a in rows]


def awards_line(awards: list[AwardView]) -> str:
    """The awards in one line for a screen: 流动红旗窗口：3号、8号 · 微笑服务示范窗口：12号."""
    names: dict[str, list[str]] = {}
    for a in awards:
        names.setdefault(a.name, []).append(f"{a.window}号")
    return " · ".join(f"{name}：{'、'.join(windows)}" for name, windows in names.items())


# ---------------------------------------------------------------- the notice board's table

points_text = da.points_text
SCORE_HEADERS = ["名次", "窗口 / 人员", "基础分", "加分", "扣分", "得分", "办结号票", "奖项"]


def signed(points: Decimal) -> str:
    return ("+" if points > 0 else "") + da.points_text(points)


def title(a: Assessment) -> str:
    state = f"已于 {a.closed_at:%Y-%m-%d %H:%M} 由 {a.closed_by} 结束" if a.closed_at else "未结束（数字随记录变化）"
    return f"{a.month} 窗口考核 · {a.rule} · {state}"


def score_rows(scores: list[da.Score], awards: list[da.Award] | None = None) -> list[list]:
    """One row a window or clerk, best first, with the awards a window won."""
    won: dict[str, list[str]] = {}
    for award in awards or []:
        won.setdefault(str(award.window), []).append(award.name)
    return [
        [
            rank,
            s.name,
            float(s.base),
            float(s.added),
            float(s.deducted),
            float(s.total),
            s.served,
            "、".join(won.get(s.key, [])),
        ]
        for rank, s in enumerate(scores, start=1)
    ]


def to_xlsx(a: Assessment) -> bytes:
    """The notice board's workbook: the windows' table, the clerks' table, and every reason."""
    from clerk_tui.services.reports import Sheet, workbook

    def reasons(scores: list[da.Score]) -> list[list]:
        return [[s.name, float(line.points), line.reason] for s in scores for line in s.lines]

    heading = [title(a)] + [f"{w.name}：{w.window}号窗口（{w.why}）" for w in a.awards] + [f"注：{n}" for n in a.notes]
    sheets = [Sheet("窗口考核", heading, SCORE_HEADERS, score_rows(a.windows, a.awards))]
    sheets.append(Sheet("窗口加减分明细", [], ["窗口", "分值", "原因"], reasons(a.windows)))
    if a.clerks:
        sheets.append(Sheet("人员考核", [], SCORE_HEADERS, score_rows(a.clerks)))
        sheets.append(Sheet("人员加减分明细", [], ["人员", "分值", "原因"], reasons(a.clerks)))
    return workbook(sheets)
