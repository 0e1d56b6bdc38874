"""``clerk-tui device …``: the public devices the web server admits (add, list, revoke)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from clerk_tui.cli.common import Format, FormatOption, context, emit_json, emit_rows

app = typer.Typer(help="公共设备（叫号大屏、评价器、自助取号机）的网址与令牌。", no_args_is_help=True)


class Kind(str, Enum):
    display = "display"
    pad = "pad"
    kiosk = "kiosk"


def device_url(base: str, kind: str, token: str) -> str:
    return f"{base}/{kind}?t={token}"


@app.command("add")
def device_add(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="display（叫号大屏）、pad（评价器）或 kiosk（自助取号机）")],
    name: Annotated[str, typer.Option("--name", help="设备名称，如 大厅东屏")],
    window: Annotated[int | None, typer.Option("--window", help="绑定的窗口号（评价器必填）")] = None,
    printer: Annotated[str, typer.Option("--printer", help="取号机的打印机（名称或地址）")] = "",
    fmt: FormatOption = Format.table,
) -> None:
    """登记一台设备并显示其网址（含令牌，只显示这一次）：在设备的浏览器中打开该网址。"""
    from clerk_tui.services.devices import add_device

    c = context(ctx)
    new = add_device(c.engine(), c.actor(), kind.value, name, window=window, printer=printer)
    url = device_url(c.settings.serve.base_url(), new.device.kind, new.token)
    if fmt is Format.json:
        emit_json({"id": new.device.id, "kind": new.device.kind, "name": new.device.name, "url": url})
        return
    typer.echo(
        f"已登记{new.device.kind_name} {new.device.name}（编号 {new.device.id}）。网址（只显示这一次，请妥善保管）："
    )
    typer.echo(url)


@app.command("list")
def device_list(
    ctx: typer.Context,
    revoked: Annotated[bool, typer.Option("--revoked", help="也列出已吊销的设备")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """列出设备及其最近联系时间（超过 2 分钟未联系的标为“失联”）。"""
    from clerk_tui import clock
    from clerk_tui.services.devices import list_devices

    c = context(ctx)
    now = clock.now()
    rows = list_devices(c.engine(), c.actor(), revoked=revoked)

    def contact(d) -> str:
        if d.revoked_at is not None:
            return f"已吊销 {d.revoked_at:%m-%d %H:%M}"
        seen = f"{d.last_seen_at:%m-%d %H:%M:%S}" if d.last_seen_at else "从未联系"
        return seen + ("（失联）" if d.dark(now) else "")

    emit_rows(
        fmt,
        rows,
        ["编号", "类型", "名称", "窗口", "打印机", "最近联系", "登记人", "登记时间"],
        lambda d: [
            d.id,
            d.kind_name,
            d.name,
            d.window or "",
            d.printer,
            contact(d),
            d.created_by,
            f"{d.created_at:%Y-%m-%d %H:%M}",
        ],
        as_json=lambda d: {
            "id": d.id,
            "kind": d.kind,
            "name": d.name,
            "window": d.window,
            "printer": d.printer,
            "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
            "dark": d.dark(now),
            "created_by": d.created_by,
            "created_at": d.created_at.isoformat(),
            "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
        },
    )


@app.command("revoke")
def device_revoke(
    ctx: typer.Context, device_id: Annotated[int, typer.Argument(help="设备编号（见 device list）")]
) -> None:
    """吊销设备：其网址立即失效，已打开的页面在一分钟内断开。"""
    from clerk_tui.services.devices import revoke_device

    c = context(ctx)
    d = revoke_device(c.engine(), c.actor(), device_id)
    typer.echo(f"已吊销{d.kind_name} {d.name}（编号 {d.id}）。")
