"""``clerk-tui case …``: intake from a JSON file, the lifecycle, lookup.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.cli.common import (
    Encoding,
    EncodingOption,
    Format,
    FormatOption,
    context,
    emit_json,
    emit_rows,
    fail,
    prompt_pin,
)

app = typer.Typer(help="办件：收件受理、补正、办结、送达、挂起、延期、移交、送后场审批、查询。", no_args_is_help=True)

ReasonOpt = Annotated[str, typer.Option("--reason", help="原因")]
OverrideReason = Annotated[str | None, typer.Option("--override-reason", help="带班领导授权的原因")]
OverrideBy = Annotated[
    str | None,
    typer.Option("--override-by", help="授权的带班领导工号（PIN 用环境变量 CLERK_TUI_OVERRIDE_PIN 或交互输入）"),
]


def _override(reason: str | None, by: str | None):
    """主管授权 from the options: the reason, and the supervisor's number and PIN when given."""
    from clerk_tui.services.cases import Override

    if not reason and not by:
        return None
    if not reason:
        fail("授权需要原因：请加 --override-reason")
    pin = prompt_pin("CLERK_TUI_OVERRIDE_PIN", f"带班领导 {by} 的 PIN", whose="带班领导的") if by else ""
    return Override(reason, by or "", pin)


def _out(view, fmt: Format) -> None:
    if fmt == Format.json:
        emit_json(view.as_json(full=True))
        return
    rows = [
        ("办件编号", view.number),
        ("状态", view.status_name),
        ("事项", f"{view.item_name}（{view.item_code}）"),
        ("申请人", f"{view.applicant_name}  {view.applicant_id_masked}  {view.applicant_phone}".rstrip()),
    ]
    if view.agent_name:
        rows.append(("代办人", view.agent_name))
    if view.mode_names:
        rows.append(("服务方式", "、".join(view.mode_names)))
    if view.agency_staff:
        rows.append(("全程代办", view.agency_staff))
    if view.visit_at:
        rows.append(("上门服务", f"{view.visit_at:%Y-%m-%d %H:%M}  {view.visit_address}"))
    rows.append(("收件日期", str(view.received_on)))
    if view.accepted_on:
        rows.append(("受理日期", str(view.accepted_on)))
    if view.due_date:
        due = (
            f"{view.due_date}（承诺{view.promised_days}个工作日"
            + (f"，延期{view.extension_days}日" if view.extension_days else "")
            + "）"
        )
        if view.provisional:
            due += "  暂定：所涉年度放假安排尚未公布"
        rows.append(("承诺办结日期", due))
    if view.remaining_workdays is not None:
        rows.append(("剩余工作日", f"{view.remaining_workdays}  {view.warning_name}"))
    if view.suspended_reason:
        rows.append(("挂起原因", view.suspended_reason))
    if view.back_office_text:
        rows.append(("后场审批", view.back_office_text))
    if view.result:
        rows.append(("办理结果", {"approved": "准予许可", "denied": "不予许可"}[view.result]))
    if view.reason:
        rows.append(("理由", view.reason))
    if view.competent_department:
        rows.append(("有权机关", f"{view.competent_department} {view.competent_phone}".strip()))
    missing = [m.name for m in view.missing if m.required]
    if missing and view.status == "supplement_pending":
        rows.append(("需补正材料", "、".join(missing)))
    rows.append(("首办人", f"{view.owner_name}（{view.owner_number}）"))
    if view.handover_to:
        rows.append(("待接收", f"{view.handover_to}  原因：{view.handover_reason}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        typer.echo(f"{key}{'　' * (width - len(key))}  {value}")


@app.command("intake")
def case_intake(
    ctx: typer.Context,
    json_file: Annotated[Path, typer.Option("--json", help="收件内容（JSON 文件，- 为标准输入）")],
    encoding: EncodingOption = Encoding.utf8,
    fmt: FormatOption = Format.table,
    mode: Annotated[
        str | None, typer.Option("--mode", help="服务方式：agency（全程代办）、visit（上门服务）；窗口办理不填")
    ] = None,
    agency_staff: Annotated[str | None, typer.Option("--agency-staff", help="全程代办人员的工号")] = None,
    visit_address: Annotated[str | None, typer.Option("--visit-address", help="上门服务的地址")] = None,
    visit_at: Annotated[str | None, typer.Option("--visit-at", help="上门服务的时间，如 2026-12-01 15:30")] = None,
    after_hours: Annotated[
        bool, typer.Option("--after-hours", help="延时服务（在大厅上下班时间之外办理的会自动记为延时服务）")
    ] = False,
) -> None:
    """收件并作出决定（immediate 即办、accept 受理、supplement 补正、reject 不予受理）；
    服务方式可在文件中写，也可用 --mode 等选项给出（选项优先）。"""
    import dataclasses

    from clerk_tui.services.cases import intake

    c = context(ctx)
    request = _intake_request(json_file, encoding.value)
    given = {"mode": mode, "agency_staff": agency_staff, "visit_address": visit_address, "visit_at": visit_at}
    request = dataclasses.replace(
        request,
        **{k: v for k, v in given.items() if v is not None},
        after_hours=request.after_hours or after_hours,
    )
    _out(intake(c.engine(), c.actor(), request, c.case_rules()), fmt)


def _intake_request(path: Path, encoding: str):
    """The request file through the service's strict schema; an override's PIN asked for here."""
    import dataclasses

    from clerk_tui.services.cases.request_file import parse_intake_request

    request = parse_intake_request(path, encoding=encoding)
    o = request.id_override
    if o is not None and o.by:
        pin = prompt_pin("CLERK_TUI_OVERRIDE_PIN", f"带班领导 {o.by} 的 PIN", whose="带班领导的")
        request = dataclasses.replace(request, id_override=dataclasses.replace(o, pin=pin))
    return request


@app.command("show")
def case_show(ctx: typer.Context, number: str, fmt: FormatOption = Format.table) -> None:
    """查看一件办件：状态、承诺日期、剩余工作日与预警、首办人。"""
    from clerk_tui.services.cases import get_case

    c = context(ctx)
    _out(get_case(c.engine(), c.actor(), number, c.case_rules()), fmt)


@app.command("list")
def case_list(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="supplement_pending、accepted、in_progress、back_office、suspended、completed、delivered、rejected、withdrawn",
        ),
    ] = None,
    warning: Annotated[str | None, typer.Option("--warning", help="none、yellow、red")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="首办人工号")] = None,
    find: Annotated[str | None, typer.Option("--find", help="按办件编号、身份证号/信用代码、电话或姓名查找")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出几件")] = 200,
    fmt: FormatOption = Format.table,
) -> None:
    """列出办件（新的在前；按预警筛选时按承诺日期排序）。"""
    from clerk_tui.services.cases import list_cases

    c = context(ctx)
    views = list_cases(
        c.engine(),
        c.actor(),
        status=status,
        warning=warning,
        owner=owner,
        query=find or "",
        limit=max(1, limit),
        case_rules=c.case_rules(),
    )
    emit_rows(
        fmt,
        views,
        ["办件编号", "状态", "事项", "申请人", "承诺日期", "剩余", "预警", "首办人"],
        lambda v: [
            v.number,
            v.status_name,
            v.item_name,
            v.applicant_name,
            f"{v.due_date}{'（暂定）' if v.provisional else ''}" if v.due_date else "",
            "" if v.remaining_workdays is None else v.remaining_workdays,
            v.warning_name if v.warning != "none" else "",
            v.owner_name,
        ],
    )


@app.command("supplement")
def case_supplement(
    ctx: typer.Context,
    number: str,
    received: Annotated[list[str], typer.Option("--received", help="补交的材料名称（可多次）")],
    override_reason: OverrideReason = None,
    override_by: OverrideBy = None,
    fmt: FormatOption = Format.table,
) -> None:
    """申请人补交材料：齐全即当日受理；仍不齐需带班领导授权才可再次告知（一次性告知制）。"""
    from clerk_tui.services.cases import supplement

    c = context(ctx)
    _out(
        supplement(
            c.engine(),
            c.actor(),
            number,
            received,
            override=_override(override_reason, override_by),
            case_rules=c.case_rules(),
        ),
        fmt,
    )


def _simple(name: str, doc: str, func_name: str) -> None:
    def command(ctx: typer.Context, number: str, fmt: FormatOption = Format.table) -> None:
        from clerk_tui.services import cases

        c = context(ctx)
        _out(getattr(cases, func_name)(c.engine(), c.actor(), number, case_rules=c.case_rules()), fmt)

    command.__doc__ = doc
    app.command(name)(command)


_simple("start", "开始办理。", "start")
_simple("resume", "恢复办理（挂起的天数不计入期限）。", "resume")
_simple("acknowledge", "接收移交给我的办件，成为首办人。", "acknowledge")


def _decision(name: str, doc: str, func_name: str, what: str) -> None:
    """A command that records a decision: 办结 at the window, or the back office's on its return."""

    def command(
        ctx: typer.Context,
        number: str,
        result: str,  # its option and help are set below, where ``what`` is known
        reason: Annotated[str, typer.Option("--reason")] = "",
        fmt: FormatOption = Format.table,
    ) -> None:
        from clerk_tui.services import cases

        c = context(ctx)
        decide = getattr(cases, func_name)
        _out(decide(c.engine(), c.actor(), number, result=result, reason=reason, case_rules=c.case_rules()), fmt)

    command.__doc__ = doc
    # an object, not a string: the module's postponed annotations are evaluated where ``what`` is unknown
    command.__annotations__["result"] = Annotated[
        str, typer.Option("--result", help=f"{what}：approved（准予）或 denied（不予，需 --reason）")
    ]
    app.command(name)(command)


_decision("complete", "办结。", "complete", "办理结果")
_decision("returned", "后场审批返回窗口：登记审批结果（办结），再由窗口送达。", "returned", "后场审批结果")


@app.command("send-back")
def case_send_back(
    ctx: typer.Context,
    number: str,
    note: Annotated[str, typer.Option("--note", help="送审说明（如 送县住建局审批科）")] = "",
    fmt: FormatOption = Format.table,
) -> None:
    """前店后场：把办件送部门后场审批（首办人和承诺日期不变，窗口可看到它在后场多久）。"""
    from clerk_tui.services.cases import send_back

    c = context(ctx)
    _out(send_back(c.engine(), c.actor(), number, note=note, case_rules=c.case_rules()), fmt)


@app.command("deliver")
def case_deliver(
    ctx: typer.Context,
    number: str,
    method: Annotated[str, typer.Option("--method", help="collect（领取）或 mail（邮寄）")],
    tracking: Annotated[str, typer.Option("--tracking", help="邮寄单号（mail 时必填）")] = "",
    fmt: FormatOption = Format.table,
) -> None:
    """送达办理结果。"""
    from clerk_tui.services.cases import deliver

    c = context(ctx)
    _out(deliver(c.engine(), c.actor(), number, method=method, tracking=tracking, case_rules=c.case_rules()), fmt)


@app.command("suspend")
def case_suspend(
    ctx: typer.Context,
    number: str,
    reason: ReasonOpt,
    days: Annotated[int, typer.Option("--days", help="预计需要的工作日（告知申请人）")],
    fmt: FormatOption = Format.table,
) -> None:
    """挂起（行政许可法第四十五条：听证、检验检测、专家评审等时间不计入期限）。"""
    from clerk_tui.services.cases import suspend

    c = context(ctx)
    _out(suspend(c.engine(), c.actor(), number, reason=reason, days=days, case_rules=c.case_rules()), fmt)


@app.command("extend")
def case_extend(
    ctx: typer.Context,
    number: str,
    days: Annotated[int, typer.Option("--days")],
    reason: ReasonOpt,
    override_by: OverrideBy = None,
    fmt: FormatOption = Format.table,
) -> None:
    """延期（第四十二条）：需带班领导批准，理由告知申请人。"""
    from clerk_tui.services.cases import extend

    c = context(ctx)
    _out(
        extend(
            c.engine(),
            c.actor(),
            number,
            days=days,
            reason=reason,
            override=_override(reason, override_by) if override_by else None,
            case_rules=c.case_rules(),
        ),
        fmt,
    )


@app.command("withdraw")
def case_withdraw(ctx: typer.Context, number: str, reason: ReasonOpt, fmt: FormatOption = Format.table) -> None:
    """申请人撤回申请。"""
    from clerk_tui.services.cases import withdraw

    c = context(ctx)
    _out(withdraw(c.engine(), c.actor(), number, reason=reason, case_rules=c.case_rules()), fmt)


@app.command("handover")
def case_handover(
    ctx: typer.Context,
    number: str,
    to: Annotated[str, typer.Option("--to", help="接收人工号")],
    reason: ReasonOpt,
    fmt: FormatOption = Format.table,
) -> None:
    """把办件移交给另一位窗口人员（对方确认接收后才成为首办人）。"""
    from clerk_tui.services.cases import handover

    c = context(ctx)
    _out(handover(c.engine(), c.actor(), number, to=to, reason=reason, case_rules=c.case_rules()), fmt)
