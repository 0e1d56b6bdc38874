"""The annual report's figures (年度工作报告数据): the paragraph a hall writes about its year, then the
same figures by department and by branch hall (分厅), the compression of promised limits from the
catalog, the hall's own facts and the change against the previous period.

Every figure comes from the counts the report states, so the paragraph can never contradict itself:
办结 = 即办件 + 限时办结件 (+ any other kind, named), and each rate is its two stated counts divided.
The counts are the statistics' own (services/reports.py, by department), so the summary and the
monthly reports always agree; only 限时办结件接件 (promised cases accepted) is counted here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.reports import build_report, check_span
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Hall, ServiceCase, ServiceItem, Staff, Window

COUNTS = (
    "accepted",  # 受理
    "completed",  # 办结
    "immediate",  # 即办件 (completed)
    "promised_accepted",  # 限时办结件接件
    "promised_completed",  # 限时办结件办结
    "on_time",  # 承诺时限内办结
    "early",  # 提前办结
)


def rate(num: int, den: int) -> float | None:
    """A rate from two stated counts, to the tenth of a percent as printed; None without a denominator."""
    return None if not den else round(num * 100 / den, 1)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@dataclass
class Figures:
    """The counts of one row (the hall, a department, a branch hall) and the rates made from them."""

    name: str
    accepted: int = 0
    completed: int = 0
    immediate: int = 0
    promised_accepted: int = 0
    promised_completed: int = 0
    on_time: int = 0
    early: int = 0

    @property
    def other(self) -> int:
        """Completed cases that are neither immediate nor promised (none today; named if ever)."""
        return self.completed - self.immediate - self.promised_completed

    @property
    def immediate_share(self) -> float | None:
        return rate(self.immediate, self.completed)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.promised_completed)

    @property
    def early_rate(self) -> float | None:
        return rate(self.early, self.promised_completed)

    def add(self, other: Figures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict:
        return {
            "name": self.name,
            **{name: getattr(self, name) for name in COUNTS},
            "other_completed": self.other,
            "immediate_share": self.immediate_share,
            "on_time_rate": self.on_time_rate,
            "early_rate": self.early_rate,
        }


@dataclass
class Compression:
    """承诺时限 against 法定时限, summed over the catalog's promised items with a legal limit."""

    items: int
    legal_days: int
    promised_days: int

    @property
    def saved_days(self) -> int:
        return self.legal_days - self.promised_days

    @property
    def saved_share(self) -> float | None:
        return rate(self.saved_days, self.legal_days)

    def as_json(self) -> dict:
        return {
            "items": self.items,
            "legal_days": self.legal_days,
            "promised_days": self.promised_days,
            "saved_days": self.saved_days,
            "saved_share": self.saved_share,
        }


@dataclass
class Summary:
    start: dt.date
    end: dt.date
    hall_name: str
    has_branches: bool
    total: Figures
    departments: list[Figures]
    branches: list[Figures]
    compression: Compression
    facts: dict[str, int]
    previous: Figures | None = None
    previous_span: tuple[dt.date, dt.date] | None = None
    notes: list[str] = field(default_factory=list)

    def period_words(self) -> str:
        if self.start.month == 1 and self.start.day == 1 and self.end == dt.date(self.start.year, 12, 31):
            return f"{self.start.year}年"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    def paragraph(self) -> str:
        """The year as the hall reports it, every number one of the stated counts."""
        t = self.total
        where = f"{self.hall_name}（包括分厅）" if self.has_branches else self.hall_name
        other = f"；其他办件{t.other}件" if t.other else ""
        text = (
            f"{self.period_words()}，{where}共受理审批事项{t.accepted:,}件，办结{t.completed:,}件。"
            f"其中：即办件{t.immediate:,}件，即办比重{pct(t.immediate_share)}；"
            f"限时办结件接件{t.promised_accepted:,}件，办结{t.promised_completed:,}件，"
            f"承诺时限内办结{t.on_time:,}件，按时办结率{pct(t.on_time_rate)}，"
            f"提前办结{t.early:,}件，提前办结率{pct(t.early_rate)}{other}。"
        )
        c = self.compression
        if c.legal_days:
            text += (
                f"承诺件法定时限累计{c.legal_days:,}个工作日，承诺时限累计{c.promised_days:,}个工作日，"
                f"缩短{c.saved_days:,}个工作日，缩短比例{pct(c.saved_share)}。"
            )
        return text

    def change_lines(self) -> list[str]:
        """Against the previous period of the same length: the counts' change."""
        if self.previous is None or self.previous_span is None:
            return []
        p, t = self.previous, self.total
        words = {"accepted": "受理", "completed": "办结", "immediate": "即办件", "promised_completed": "限时办结件办结"}
        out = []
        for name, word in words.items():
            before, now = getattr(p, name), getattr(t, name)
            change = "持平" if now == before else f"{'增加' if now > before else '减少'}{abs(now - before):,}件"
            share = f"（{pct(rate(abs(now - before), before))}）" if before and now != before else ""
            out.append(f"{word}{now:,}件，比上期{before:,}件{change}{share}")
        return out

    def as_json(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "hall": self.hall_name,
            "paragraph": self.paragraph(),
            "total": self.total.as_json(),
            "departments": [d.as_json() for d in self.departments],
            "branch_halls": [b.as_json() for b in self.branches],
            "compression": self.compression.as_json(),
            "facts": self.facts,
            "previous": None
            if self.previous is None or self.previous_span is None
            else {
                "from": self.previous_span[0].isoformat(),
                "to": self.previous_span[1].isoformat(),
                **self.previous.as_json(),
            },
        }


def summary_period(
    year: str | None = None, start: str | None = None, end: str | None = None
) -> tuple[dt.date, dt.date]:
    """``--year Y`` (default this year) or ``--from/--to``."""
    from clerk_tui.services.workdays import parse_date

    if start or end:
        if not (start and end):
            raise ServiceError("请同时给出 --from 和 --to（或只给 --year）")
        first, last = parse_date(start), parse_date(end)
    else:
        try:
            y = int(year) if year else clock.today().year
            first, last = dt.date(y, 1, 1), dt.date(y, 12, 31)
        except ValueError as exc:
            raise ServiceError(f"年份 {year!r} 无效，请写成四位数字，例如 2026") from exc
    check_span(first, last)
    return first, last


def _figures(engine: Engine, actor: Actor, start: dt.date, end: dt.date) -> tuple[dict[int, Figures], Figures]:
    """By department id (from the statistics) and the hall's total."""
    report = build_report(engine, actor, start, end, "department")
    with read_session(engine) as session:
        c = ServiceCase.__table__
        promised = dict(
            session.execute(
                select(c.c.department_id, func.count())
                .where(c.c.kind == "promised", c.c.accepted_on >= start, c.c.accepted_on <= end)
                .group_by(c.c.department_id)
            ).all()
        )
    rows: dict[int, Figures] = {}
    total = Figures("全厅")
    for g in report.groups:
        f = g.figures
        dept = int(g.key) if g.key.isdigit() else 0
        row = Figures(
            g.name,
            accepted=f["cases_accepted"],
            completed=f["cases_completed"],
            immediate=f["immediate_cases"],
            promised_accepted=int(promised.get(dept, 0)),
            promised_completed=f["promised_completed"],
            on_time=f["promised_on_time"],
            early=f["promised_early"],
        )
        rows[dept] = row
        total.add(row)
    return rows, total


def annual_summary(engine: Engine, actor: Actor | None, start: dt.date, end: dt.date) -> Summary:
    """The year's (or the period's) figures, the paragraph, the tables and the comparison."""
    actor = require(actor, "report.read.hall")
    check_span(start, end)
    by_dept, total = _figures(engine, actor, start, end)
    length = end - start
    prev_end = start - dt.timedelta(days=1)
    prev_start = prev_end - length
    _, previous = _figures(engine, actor, prev_start, prev_end)
    with read_session(engine) as session:
        halls = {h.id: h for h in session.scalars(select(Hall))}
        main = next((h for h in halls.values() if h.parent_id is None), None)
        depts = list(session.scalars(select(Department).order_by(Department.id)))
        i = ServiceItem.__table__
        items, legal, promised_days = session.execute(
            select(func.count(), func.sum(i.c.legal_limit_days), func.sum(i.c.promised_limit_days)).where(
                i.c.kind == "promised", i.c.legal_limit_days > 0
            )
        ).one()
        facts = {
            "windows": session.execute(select(func.count()).select_from(Window)).scalar_one(),
            "departments": len(depts),
            "branch_halls": sum(1 for h in halls.values() if h.parent_id is not None),
            "staff_at_windows": session.execute(
                select(func.count()).select_from(Staff).where(Staff.role == "clerk", Staff.active)
            ).scalar_one(),
            "items": session.execute(select(func.count()).select_from(ServiceItem)).scalar_one(),
        }
    departments = [by_dept[d.id] for d in depts if d.id in by_dept]
    branches: dict[str, Figures] = {}
    for d in depts:
        if d.id in by_dept:
            home = halls.get(d.branch_hall_id) if d.branch_hall_id else main
            name = home.name if home is not None else "大厅"
            branches.setdefault(name, Figures(name)).add(by_dept[d.id])
    return Summary(
        start,
        end,
        main.name if main is not None else "政务服务中心",
        facts["branch_halls"] > 0,
        total,
        departments,
        list(branches.values()),
        Compression(int(items or 0), int(legal or 0), int(promised_days or 0)),
        facts,
        previous,
        (prev_start, prev_end),
    )


# -------------------------------------------------------------- the same figures as a table, XLSX and PDF

TABLE_HEADERS = [
    "",
    "受理",
    "办结",
    "即办件",
    "即办比重",
    "限时接件",
    "限时办结",
    "按时办结",
    "按时办结率",
    "提前办结",
    "提前办结率",
]


def table_row(f: Figures) -> list:
    """One row of the tables: the counts as numbers, the rates as printed (from those counts)."""
    return [
        f.name,
        f.accepted,
        f.completed,
        f.immediate,
        pct(f.immediate_share),
        f.promised_accepted,
        f.promised_completed,
        f.on_time,
        pct(f.on_time_rate),
        f.early,
        pct(f.early_rate),
    ]


def facts_line(s: Summary) -> str:
    f = s.facts
    return (
        f"大厅概况：窗口 {f['windows']} 个，进驻部门 {f['departments']} 个，分厅 {f['branch_halls']} 个，"
        f"窗口工作人员 {f['staff_at_windows']} 名，事项 {f['items']} 项。"
    )


def tables(s: Summary) -> list[tuple[str, list[list]]]:
    """The tables the summary prints: by department (with the hall's total), then by branch hall."""
    out = [("按部门", [table_row(d) for d in s.departments] + [table_row(s.total)])]
    if len(s.branches) > 1:
        out.append(("按大厅与分厅", [table_row(b) for b in s.branches]))
    return out


def to_xlsx(s: Summary) -> bytes:
    """The summary as a workbook: the paragraph above the table by department, the branch halls,
    the hall's facts and the comparison (the same figures as ``--format json``)."""
    from clerk_tui.services.reports import Sheet, workbook

    tables_ = tables(s)
    c = s.compression
    sheets = [
        Sheet(name[:31], [s.paragraph()] if i == 0 else [], TABLE_HEADERS, rows)
        for i, (name, rows) in enumerate(tables_)
    ]
    sheets.append(
        Sheet(
            "时限压缩与概况",
            [facts_line(s)] + (["与上期比较：" + "；".join(s.change_lines()) + "。"] if s.change_lines() else []),
            ["承诺件事项", "法定时限累计", "承诺时限累计", "缩短工作日", "缩短比例"],
            [[c.items, c.legal_days, c.promised_days, c.saved_days, pct(c.saved_share)]],
        )
    )
    return workbook(sheets)


def to_document(s: Summary):
    """The summary as an A4 document (printing/layout), for the PDF."""
    from clerk_tui.printing.layout import Document, Table, Text

    doc = Document("summary", f"{s.hall_name}年度工作报告数据", f"{s.start:%Y%m%d}-{s.end:%Y%m%d}")
    doc.add(Text(f"{s.hall_name}年度工作报告数据（{s.period_words()}）", align="center", size=2), Text(s.paragraph()))
    for name, rows in tables(s):
        doc.add(Text(name, bold=True), Table(tuple(TABLE_HEADERS), tuple(tuple(str(v) for v in r) for r in rows)))
    doc.add(Text(facts_line(s)))
    if lines := s.change_lines():
        doc.add(Text("与上期比较：" + "；".join(lines) + "。"))
    return doc


def to_pdf(s: Summary, font: str | None = None):
    """The summary as a PDF with an embedded CJK font (printing/pdf.py); a PdfPaper."""
    from clerk_tui.printing.fonts import FontError, find_font
    from clerk_tui.printing.pdf import render_pdf

    try:
        path = find_font(font or None)
    except FontError as exc:
        raise ServiceError(str(exc)) from exc
    return render_pdf(to_document(s), path)
