"""``clerk-tui serve``: the web server of the hall's public devices (display, rating pad, kiosk).

It needs no staff PIN: it shows nothing to a browser that does not bring a registered device's
token (``clerk-tui device add``), and each device acts only as its kind.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clerk_tui.cli.common import context, fail

app = typer.Typer()  # added to the root without a name: `serve` is a top-level command


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="监听地址（默认 127.0.0.1；局域网用 0.0.0.0）")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口（默认 8765，或配置 serve.port）")] = None,
) -> None:
    """启动公共设备网页服务（叫号大屏、评价器、自助取号机）：页面须凭 clerk-tui device add 给出的网址访问。"""
    c = context(ctx)
    settings = c.settings
    host = host or settings.serve.host
    port = port if port is not None else settings.serve.port
    if not 0 < port < 65536:
        fail(f"端口 {port} 无效：请用 1–65535 之间的端口")
    engine = c.engine()
    from clerk_tui.services.ticket_status import configure as configure_links
    from clerk_tui.settings import ServeSettings
    from clerk_tui.web.server import make_server

    # The address given here is the one links use (a ticket's QR code printed by a kiosk) unless
    # the settings name a public one.
    settings.serve = ServeSettings(host, port, settings.serve.public_url)
    configure_links(settings)

    server = make_server(settings, engine, host, port)
    typer.echo(f"公共设备网页服务：http://{host}:{port}（按 Ctrl+C 停止）；设备网址用 clerk-tui device add 生成。")
    try:
        server.run()
    except SystemExit:  # uvicorn's own exit when it cannot bind (it logged why)
        pass
    if not server.started:
        fail(f"网页服务未能启动：{host}:{port} 可能已被占用或地址无效，请换一个 --port 或 --host")
