"""``clerk-tui inquiry …`` (首问登记) and ``clerk-tui alerts …``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from clerk_tui.cli import Format, _ctx, emit_json, print_table

inquiry_app = typer.Typer(help="首问登记：登记、答复、引导、转交、告知有权部门、预约。", no_args_is_help=True)
alerts_app = typer.Typer(help="提醒：首问、转交、推诿、办件预警。", no_args_is_help=True)
FmtOpt = Annotated[Format, typer.Option("--format")]


def _out(view, fmt: Format) -> None:
    if fmt == Format.json:
        emit_json(view.as_json())
        return
    line = f"首问 #{view.id}  {view.status_name}  {view.matter}  首问人 {view.responder_name}（{view.responder}）"
    if view.outcome:
        line += f"  {view.outcome_name}：{view.detail}"
    typer.echo(line)


@inquiry_app.command("open")
def inquiry_open(ctx: typer.Context, matter: Annotated[str, typer.Option("--matter", help="当事人要办什么")],
                 item: Annotated[Optional[str], typer.Option("--item", help="事项编码")] = None,
                 name: Annotated[str, typer.Option("--name")] = "", phone: Annotated[str, typer.Option("--phone")] = "",
                 window: Annotated[Optional[int], typer.Option("--window")] = None, fmt: FmtOpt = Format.table) -> None:
    """首问登记（登记人即首问责任人）。"""
    from clerk_tui.services.responsibility import open_inquiry

    c = _ctx(ctx)
    _out(open_inquiry(c.engine(), c.actor(), matter=matter, item=item, name=name, phone=phone, window=window), fmt)


@inquiry_app.command("answer")
def inquiry_answer(ctx: typer.Context, inquiry: int, note: Annotated[str, typer.Option("--note", help="答复内容")],
                   fmt: FmtOpt = Format.table) -> None:
    """当场答复。"""
    from clerk_tui.services.responsibility import answer

    c = _ctx(ctx)
    _out(answer(c.engine(), c.actor(), inquiry, note=note), fmt)


@inquiry_app.command("refer")
def inquiry_refer(ctx: typer.Context, inquiry: int,
                  to_window: Annotated[Optional[int], typer.Option("--to-window")] = None,
                  to_queue: Annotated[Optional[str], typer.Option("--to-queue")] = None,
                  ticket: Annotated[Optional[str], typer.Option("--ticket", help="当事人已有的号（转过去，不重新排队）")] = None,
                  fmt: FmtOpt = Format.table) -> None:
    """引导到本厅的窗口或队列：转介优先号，接收窗口叫号即视为接收。"""
    from clerk_tui.services.responsibility import refer

    c = _ctx(ctx)
    _out(refer(c.engine(), c.actor(), inquiry, to_window=to_window, to_queue=to_queue, ticket=ticket,
               policy=c.settings.queue), fmt)


@inquiry_app.command("absent")
def inquiry_absent(ctx: typer.Context, inquiry: int, department: Annotated[str, typer.Option("--department")],
                   contact: Annotated[str, typer.Option("--contact")], phone: Annotated[str, typer.Option("--phone")],
                   fmt: FmtOpt = Format.table) -> None:
    """经办人不在：登记单位、联系人、电话，转交该部门。"""
    from clerk_tui.services.responsibility import absent

    c = _ctx(ctx)
    _out(absent(c.engine(), c.actor(), inquiry, department=department, contact=contact, phone=phone), fmt)


@inquiry_app.command("external")
def inquiry_external(ctx: typer.Context, inquiry: int, department: Annotated[str, typer.Option("--department")],
                     phone: Annotated[str, typer.Option("--phone")], fmt: FmtOpt = Format.table) -> None:
    """不属本厅：告知有权部门名称和电话。"""
    from clerk_tui.services.responsibility import external

    c = _ctx(ctx)
    _out(external(c.engine(), c.actor(), inquiry, department=department, phone=phone), fmt)


@inquiry_app.command("appointment")
def inquiry_appointment(ctx: typer.Context, inquiry: int,
                        at: Annotated[str, typer.Option("--at", help="预约时间，如 2026-12-01T09:30")],
                        fmt: FmtOpt = Format.table) -> None:
    """预约办理。"""
    from clerk_tui.services.responsibility import appointment

    c = _ctx(ctx)
    _out(appointment(c.engine(), c.actor(), inquiry, at=at), fmt)


@inquiry_app.command("acknowledge")
def inquiry_acknowledge(ctx: typer.Context, inquiry: int, fmt: FmtOpt = Format.table) -> None:
    """接收转交给本部门的首问事项。"""
    from clerk_tui.services.responsibility import acknowledge

    c = _ctx(ctx)
    _out(acknowledge(c.engine(), c.actor(), inquiry), fmt)


@inquiry_app.command("close")
def inquiry_close(ctx: typer.Context, inquiry: int, fmt: FmtOpt = Format.table) -> None:
    """关闭：没有处理结果的首问不能关闭。"""
    from clerk_tui.services.responsibility import close

    c = _ctx(ctx)
    _out(close(c.engine(), c.actor(), inquiry), fmt)


@inquiry_app.command("list")
def inquiry_list(ctx: typer.Context, open_only: Annotated[bool, typer.Option("--open", help="只列未办结的")] = False,
                 staff: Annotated[Optional[str], typer.Option("--staff", help="首问人工号")] = None,
                 fmt: FmtOpt = Format.table) -> None:
    """列出首问登记。"""
    from clerk_tui.services.responsibility import list_inquiries

    views = list_inquiries(_ctx(ctx).engine(), open_only=open_only, staff=staff)
    if fmt == Format.json:
        emit_json([v.as_json() for v in views])
        return
    print_table(["编号", "时间", "首问人", "事项", "状态", "处理"],
                [[v.id, f"{v.opened_at:%m-%d %H:%M}", v.responder_name, v.matter, v.status_name,
                  f"{v.outcome_name} {v.detail}".strip() if v.outcome else ""] for v in views])


@alerts_app.command("list")
def alerts_list(ctx: typer.Context, staff: Annotated[Optional[str], typer.Option("--staff", help="责任人工号")] = None,
                fmt: FmtOpt = Format.table) -> None:
    """列出当前的提醒（谁负责、何时到期、为什么）。"""
    from clerk_tui.cli_cases import case_rules
    from clerk_tui.services.responsibility import list_alerts

    c = _ctx(ctx)
    alerts = list_alerts(c.engine(), staff=staff, rules_=c.settings.responsibility, case_rules=case_rules(c))
    if fmt == Format.json:
        emit_json([a.as_json() for a in alerts])
        return
    print_table(["编号", "类型", "责任人", "对象", "到期", "说明"],
                [[a.key, a.kind_name, a.responsible, a.subject, f"{a.due:%m-%d %H:%M}", a.why] for a in alerts])


@alerts_app.command("dismiss")
def alerts_dismiss(ctx: typer.Context, key: Annotated[str, typer.Argument(metavar="ID")],
                   reason: Annotated[str, typer.Option("--reason")]) -> None:
    """消除一条提醒（需原因，记录在案；责任人或带班领导）。"""
    from clerk_tui.services.responsibility import dismiss_alert

    c = _ctx(ctx)
    dismiss_alert(c.engine(), c.actor(), key, reason=reason, rules_=c.settings.responsibility)
    typer.echo(f"提醒 {key} 已消除（原因已记录）。")


followup_app = typer.Typer(help="差评整改：列出、办结（整改、解释说明、申诉）。", no_args_is_help=True)


@followup_app.command("list")
def followup_list(ctx: typer.Context, open_only: Annotated[bool, typer.Option("--open")] = False,
                  fmt: FmtOpt = Format.table) -> None:
    """列出差评整改。"""
    from clerk_tui.services.ratings import list_followups

    items = list_followups(_ctx(ctx).engine(), open_only=open_only)
    if fmt == Format.json:
        emit_json([f.as_json() for f in items])
        return
    print_table(["编号", "号票", "窗口", "评价", "原因", "负责人", "期限", "状态"],
                [[f.id, f.ticket, f.window, f.level, f"{f.reasons} {f.text}".strip(), f.owner_name, str(f.due_date),
                  f.status_name + ("（逾期）" if f.overdue else "")] for f in items])


@followup_app.command("close")
def followup_close(ctx: typer.Context, followup: int,
                   outcome: Annotated[str, typer.Option("--outcome", help="整改、解释 或 申诉（也可写 rectified、explained、appealed）")],
                   note: Annotated[str, typer.Option("--note", help="整改内容、解释或申诉理由")]) -> None:
    """办结一条差评整改。"""
    from clerk_tui.services.ratings import close_followup

    c = _ctx(ctx)
    f = close_followup(c.engine(), c.actor(), followup, outcome=outcome, note=note)
    typer.echo(f"差评整改 {f.id}：{f.status_name}")
