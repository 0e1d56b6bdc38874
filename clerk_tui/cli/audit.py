"""``clerk-tui audit verify|anchor|prune``: the tamper-evident event log (带班领导、系统管理员).

``verify`` exits 0 when the chain and the state agree with the events, 1 (naming the first problem)
when they do not. Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.cli.common import Format as Fmt
from clerk_tui.cli.common import FormatOption, context, emit_json, fail, parse_day

app = typer.Typer(help="审计链：校验事件日志未被改动、锚定链头、清理超过保留期的事件。", no_args_is_help=True)


@app.command("verify")
def audit_verify(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--from", help="只校验此日期（YYYY-MM-DD）起的事件")] = None,
    anchor_file: Annotated[
        Path | None, typer.Option("--anchor", help="与 audit anchor 写出的锚定文件比对（发现被截断的链尾）")
    ] = None,
    fmt: FormatOption = Fmt.table,
) -> None:
    """校验审计链：报告第一条被改动、删除或插入的事件，并核对办件、号票状态与其事件一致；不一致时退出码 1。"""
    from clerk_tui.services import audit

    c = context(ctx)
    start = parse_day(since, "--from")
    anchored = None
    if anchor_file is not None:
        from clerk_tui.services.files import read_text

        anchored = audit.parse_anchor(read_text(anchor_file, "锚定文件", max_bytes=4096))  # one line
    engine = c.engine()
    report = audit.verify(engine, c.actor(), since=start, anchored=anchored)
    if fmt == Fmt.json:
        emit_json(report.as_json())
    else:
        head = report.head
        typer.echo(
            f"已校验 {report.checked} 条事件；链头 #{head.event_id or 0} 指纹 {head.fingerprint}" if head else ""
        )
        for p in report.problems:
            typer.echo(f"不一致：{p.message}", err=True)
        if report.ok:
            typer.echo("审计链完整，办件与号票状态与事件一致")
    if not report.ok:
        raise typer.Exit(1)


@app.command("anchor")
def audit_anchor(
    ctx: typer.Context,
    to: Annotated[Path | None, typer.Option("--to", help="写入此文件（仅本人可读写）；不写则显示")] = None,
) -> None:
    """锚定链头：日期、事件编号和指纹写到库外（文件或打印），日后 audit verify --anchor 可发现被截断的链尾。"""
    from clerk_tui.services import audit

    c = context(ctx)
    head = audit.anchor(c.engine(), c.actor())
    line = head.line()
    if to is None:
        typer.echo(line)
        return
    try:
        fd = os.open(to, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # owner only, whatever the umask or an older file's mode
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError as exc:
        fail(f"无法写入 {to}（{exc.strerror}）：请检查目录和权限")
    typer.echo(f"已写入 {to}：{line}")


@app.command("prune")
def audit_prune(
    ctx: typer.Context,
    before: Annotated[str, typer.Option("--before", help="清理此日期（YYYY-MM-DD）以前的事件")],
) -> None:
    """清理超过保留期（设置 audit.keep_days，至少 180 天）的事件；链的起点随之移动，校验仍可通过。"""
    from clerk_tui.services import audit

    c = context(ctx)
    day = parse_day(before, "--before")
    assert day is not None
    removed = audit.prune(c.engine(), c.actor(), day, c.settings.audit_keep_days)
    typer.echo(f"已清理 {day.isoformat()} 以前的事件 {removed} 条（保留期 {c.settings.audit_keep_days} 天）")
