"""``clerk-tui window …``: the windows, listed, opened, paused, resumed, closed.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_rows

app = typer.Typer(help="窗口。", no_args_is_help=True)


@app.command("list")
def window_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """列出窗口及其服务的队列（按顺序）。"""
    from clerk_tui.services.catalog import list_windows
    from clerk_tui.services.queue import window_states

    c = context(ctx)
    engine = c.engine()
    states = {w.number: w for w in window_states(engine, c.actor())}
    windows = list_windows(engine)
    emit_rows(
        fmt,
        windows,
        ["窗口", "名称", "部门", "队列", "状态", "人员"],
        lambda w: [
            w.number,
            w.name,
            w.department or "综合",
            " ".join(w.queues),
            states[w.number].status_name
            + (f"（{states[w.number].pause_reason}）" if states[w.number].pause_reason else ""),
            states[w.number].clerk or "",
        ],
        as_json=lambda w: {
            "number": w.number,
            "name": w.name,
            "department": w.department,
            "queues": list(w.queues),
            "status": states[w.number].status,
            "pause_reason": states[w.number].pause_reason,
            "clerk": states[w.number].clerk,
        },
    )


def _window_action(name: str, doc: str, func_name: str, done: str, *, reason: bool = False):
    def command(
        ctx: typer.Context,
        number: int,
        reason_text: Annotated[str | None, typer.Option("--reason", help="原因")] = None,
    ) -> None:
        from clerk_tui.services import queue as q

        c = context(ctx)
        args = (reason_text or "",) if reason else ()
        getattr(q, func_name)(c.engine(), c.actor(), number, *args)
        typer.echo(f"{number}号窗口{done}。")

    command.__doc__ = doc
    app.command(name)(command)


_window_action("open", "开窗。", "open_window", "已开窗")
_window_action("pause", "暂停服务（需 --reason）。", "pause_window", "已暂停服务", reason=True)
_window_action("resume", "恢复服务。", "resume_window", "已恢复服务")
_window_action("close", "关窗。", "close_window", "已关窗", reason=True)
