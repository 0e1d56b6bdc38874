"""``clerk-tui report daily|monthly|yearly|range``: the hall's statistics, as a table, JSON, CSV or XLSX.

Its ``--format`` has two choices more than the common one (csv, xlsx). Commands import services
lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.cli.common import context, emit_json, print_table

app = typer.Typer(
    help="统计报表：日报、月报、年报、任意期间；按全厅、部门、窗口、人员；表格、JSON、CSV、XLSX；年度工作报告数据（summary）。",
    no_args_is_help=True,
)


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class SummaryFormat(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    pdf = "pdf"


class AssessmentFormat(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class By(str, Enum):
    hall = "hall"
    department = "department"
    window = "window"
    clerk = "clerk"


ByOpt = Annotated[By, typer.Option("--by", help="分组：hall、department、window、clerk")]
ReportFormatOption = Annotated[ReportFormat, typer.Option("--format")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="写入文件（csv、xlsx 默认写到这里）")]
DeptOpt = Annotated[str | None, typer.Option("--department", help="只统计该部门")]
WinOpt = Annotated[int | None, typer.Option("--window", help="只统计该窗口")]
ClerkOpt = Annotated[str | None, typer.Option("--clerk", help="只统计该工号")]


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _emit(
    ctx: typer.Context,
    kind: str,
    value: str | None,
    end: str | None,
    by: By,
    fmt: ReportFormat,
    out: Path | None,
    department: str | None,
    window: int | None,
    clerk: str | None,
) -> None:
    from clerk_tui.services import reports
    from clerk_tui.services.errors import ServiceError

    c = context(ctx)
    start, finish = reports.period(kind, value, end)
    engine = c.engine()
    report = reports.build_report(
        engine, c.actor(), start, finish, by.value, department=department, window=window, clerk=clerk
    )
    if kind == "daily":  # the day's audit-chain head, kept on paper outside the database
        from clerk_tui.services.audit import day_head

        if head := day_head(engine, start):
            report.audit_head = (head.event_id or 0, head.fingerprint)
    if fmt in (ReportFormat.csv, ReportFormat.xlsx) or out is not None:
        if out is None:
            raise ServiceError(f"{fmt.value} 格式请用 --out 指定输出文件")
        data = {ReportFormat.csv: reports.to_csv, ReportFormat.xlsx: reports.to_xlsx}.get(fmt)
        payload = (
            data(report)
            if data
            else (
                json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode()
                if fmt == ReportFormat.json
                else reports.to_csv(report)
            )
        )
        _write_out(out, payload, f"{start} 至 {finish}，{len(report.groups)} 组")
        return
    if fmt == ReportFormat.json:
        emit_json(report.as_json())
        return
    typer.echo(f"统计期间 {start} 至 {finish}，按{reports.DIMENSIONS[by.value]}")
    print_table(
        [
            "分组",
            "取号",
            "办结号",
            "过号",
            "等候均/90%",
            "收件",
            "受理",
            "办结",
            "即办比重",
            "按时办结率",
            "提前办结率",
            "补正",
            "不予受理",
            "超期",
            "满意率",
        ],
        [
            [
                g.name,
                f["tickets_issued"],
                f["tickets_served"],
                f["no_shows"],
                f"{f['wait_avg'] if f['wait_avg'] is not None else '—'}/{f['wait_p90'] if f['wait_p90'] is not None else '—'}",
                f["cases_received"],
                f["cases_accepted"],
                f["cases_completed"],
                _pct(f["immediate_share"]),
                _pct(f["on_time_rate"]),
                _pct(f["early_rate"]),
                f["supplements"],
                f["rejections"],
                f["overdue"],
                _pct(f["satisfaction_rate"]),
            ]
            for g in report.groups
            for f in [g.figures]
        ],
    )
    if report.audit_head:
        typer.echo(
            f"当日审计链头：事件 #{report.audit_head[0]} 指纹 {report.audit_head[1]}（可用 clerk-tui audit verify 核对）"
        )
    if report.hourly:
        peak = max(max(i, s) for _, i, s in report.hourly) or 1
        typer.echo("分时段（█ 取号  ░ 办结）")
        for hour, issued, served in report.hourly:
            typer.echo(
                f"{hour:02d}时 {'█' * round(issued * 30 / peak):<30} {issued:>5}  "
                f"{'░' * round(served * 30 / peak):<30} {served:>5}"
            )


def _write_out(out: Path, payload: bytes, what: str) -> None:
    """A report written to ``out``, all or nothing: no half-written file is left behind."""
    from clerk_tui.services.errors import ServiceError, oserror_words
    from clerk_tui.services.files import write_atomic

    try:
        write_atomic(out, payload)
    except OSError as exc:
        raise ServiceError(f"无法写入 {out}（{oserror_words(exc)}）：请检查目录和权限") from exc
    typer.echo(f"已写入 {out}（{what}）")


@app.command("daily")
def report_daily(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option("--date", help="默认今天")] = None,
    by: ByOpt = By.hall,
    fmt: ReportFormatOption = ReportFormat.table,
    out: OutOpt = None,
    department: DeptOpt = None,
    window: WinOpt = None,
    clerk: ClerkOpt = None,
) -> None:
    """日报。"""
    _emit(ctx, "daily", date, None, by, fmt, out, department, window, clerk)


@app.command("monthly")
def report_monthly(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM，默认本月")] = None,
    by: ByOpt = By.hall,
    fmt: ReportFormatOption = ReportFormat.table,
    out: OutOpt = None,
    department: DeptOpt = None,
    window: WinOpt = None,
    clerk: ClerkOpt = None,
) -> None:
    """月报（--by clerk 即窗口人员月度考核表）。"""
    _emit(ctx, "monthly", month, None, by, fmt, out, department, window, clerk)


@app.command("yearly")
def report_yearly(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="默认今年")] = None,
    by: ByOpt = By.hall,
    fmt: ReportFormatOption = ReportFormat.table,
    out: OutOpt = None,
    department: DeptOpt = None,
    window: WinOpt = None,
    clerk: ClerkOpt = None,
) -> None:
    """年报。"""
    _emit(ctx, "yearly", year, None, by, fmt, out, department, window, clerk)


@app.command("range")
def report_range(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from")],
    end: Annotated[str, typer.Option("--to")],
    by: ByOpt = By.hall,
    fmt: ReportFormatOption = ReportFormat.table,
    out: OutOpt = None,
    department: DeptOpt = None,
    window: WinOpt = None,
    clerk: ClerkOpt = None,
) -> None:
    """任意期间。"""
    _emit(ctx, "range", start, end, by, fmt, out, department, window, clerk)


@app.command("rebuild")
def report_rebuild(ctx: typer.Context) -> None:
    """清除已保存的往日统计（更正历史数据之后），下次出报表时重新计算。需要系统管理员。"""
    from clerk_tui.services.reports import forget_days

    c = context(ctx)
    n = forget_days(c.engine(), c.actor())
    typer.echo(f"已清除 {n} 条往日统计，下次出报表时重新计算。")


def _write(out: Path | None, fmt: str, data: bytes, what: str) -> None:
    """A file export: ``--out`` is needed, the file is written whole or not at all."""
    from clerk_tui.services.errors import ServiceError
    from clerk_tui.services.files import write_atomic

    if out is None:
        raise ServiceError(f"{fmt} 格式请用 --out 指定输出文件")
    write_atomic(out, data)
    typer.echo(f"已写入 {out}（{what}）")


@app.command("summary")
def report_summary(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="默认今年")] = None,
    start: Annotated[str | None, typer.Option("--from", help="与 --to 一起：任意期间")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    fmt: Annotated[
        SummaryFormat, typer.Option("--format", help="table、json、xlsx、pdf（后两种须 --out）")
    ] = SummaryFormat.table,
    out: OutOpt = None,
) -> None:
    """年度工作报告数据：一段文字（受理、办结、即办比重、按时办结率、提前办结率、时限压缩），
    再按部门、按分厅列表，大厅概况，与上期比较。"""
    from clerk_tui.services import summary as sm

    c = context(ctx)
    first, last = sm.summary_period(year, start, end)
    s = sm.annual_summary(c.engine(), c.actor(), first, last)
    if fmt in (SummaryFormat.xlsx, SummaryFormat.pdf):
        if fmt == SummaryFormat.pdf:
            paper = sm.to_pdf(s, c.settings.printing.font)
            _write(out, fmt.value, paper.data, f"年度工作报告数据 {first} 至 {last}")
            for warning in paper.warnings:
                typer.echo(warning, err=True)
        else:
            _write(out, fmt.value, sm.to_xlsx(s), f"年度工作报告数据 {first} 至 {last}")
        return
    if fmt == SummaryFormat.json:
        emit_json(s.as_json())
        return
    typer.echo(s.paragraph())
    typer.echo("")
    for name, rows in sm.tables(s):
        typer.echo(name)
        print_table(sm.TABLE_HEADERS, rows)
    typer.echo(sm.facts_line(s))
    if lines := s.change_lines():
        typer.echo("与上期比较：" + "；".join(lines) + "。")


@app.command("modes")
def report_modes(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help="与 --to 一起；默认最近30天（含今天）")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="table、json、csv（csv 需 --out）")
    ] = ReportFormat.table,
    out: OutOpt = None,
) -> None:
    """便民服务方式与前店后场：按部门统计全程代办、上门服务、延时服务、预约服务的件数，
    窗口决定与送后场审批的比重（授权不到位）和后场用时；另列全程代办人员。"""
    from clerk_tui.services import mode_report as mr
    from clerk_tui.services.errors import ServiceError
    from clerk_tui.services.reports import period

    c = context(ctx)
    if bool(start) != bool(end):
        raise ServiceError("请同时给出 --from 和 --to（都不给则为最近30天）")
    if fmt == ReportFormat.xlsx:
        raise ServiceError("此报表可用 table、json、csv 格式")
    first, last = period("range", start, end) if start else mr.recent_days(30)
    rules = c.case_rules()
    report = mr.mode_report(c.engine(), c.actor(), first, last, (rules.opens, rules.closes))
    if fmt == ReportFormat.csv or out is not None:
        if out is None:
            raise ServiceError("csv 格式请用 --out 指定输出文件")
        payload = (
            mr.to_csv(report)
            if fmt != ReportFormat.json
            else json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode()
        )
        _write_out(out, payload, f"{first} 至 {last}，{len(report.rows)} 个部门")
        return
    if fmt == ReportFormat.json:
        emit_json(report.as_json())
        return
    typer.echo(f"便民服务方式与前店后场  {first} 至 {last}（按收件日期）")
    print_table(mr.HEADERS, mr.table_rows(report))
    if report.agency:
        typer.echo("全程代办人员")
        print_table(
            ["姓名", "工号", "代办件数", "已办结"], [[a.name, a.number, a.cases, a.decided] for a in report.agency]
        )


@app.command("assessment")
def report_assessment(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM，默认本月（至今）")] = None,
    fmt: Annotated[
        AssessmentFormat, typer.Option("--format", help="table（公示用考核表）、json、xlsx（须 --out）")
    ] = AssessmentFormat.table,
    out: OutOpt = None,
    window: Annotated[int | None, typer.Option("--window", help="列出该窗口每一项加减分的原因")] = None,
) -> None:
    """窗口考核：各窗口、各窗口人员的月度得分与每一项加减分的原因，以及评出的流动红旗等奖项。"""
    from clerk_tui.services import assessment as asm
    from clerk_tui.services.errors import unknown_window

    c = context(ctx)
    a = asm.assess(c.engine(), c.actor(), month, **asm.hall_rule(c.settings))
    if fmt == AssessmentFormat.xlsx:
        _write(out, fmt.value, asm.to_xlsx(a), f"{a.month} 窗口考核，{len(a.windows)} 个窗口")
        return
    if fmt == AssessmentFormat.json:
        emit_json(a.as_json())
        return
    typer.echo(asm.title(a))
    if window is not None:
        score = a.window(window)
        if score is None:
            raise unknown_window(window)
        typer.echo(f"{score.name}：基础分 {asm.points_text(score.base)}，得分 {asm.points_text(score.total)}")
        print_table(["分值", "原因"], [[asm.signed(line.points), line.reason] for line in score.lines])
        return

    def shown(rows: list[list]) -> list[list]:  # points as a notice board prints them: 100, 101.5
        return [[*r[:2], *(f"{v:g}" for v in r[2:6]), *r[6:]] for r in rows]

    print_table(asm.SCORE_HEADERS, shown(asm.score_rows(a.windows, a.awards)))
    if a.clerks:
        typer.echo("窗口人员")
        print_table(asm.SCORE_HEADERS, shown(asm.score_rows(a.clerks)))
    for award in a.awards:
        typer.echo(f"{award.name}：{award.window}号窗口（{award.why}）")
    for note in a.notes:
        typer.echo(f"注：{note}")
