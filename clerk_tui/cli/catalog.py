"""``clerk-tui catalog …``: the items a hall handles (事项目录), listed, shown, imported, exported.

Commands import services lazily: start-up of every command pays only for what it uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clerk_tui.cli.common import Encoding, EncodingOption, Format, FormatOption, context, emit_json, print_table

app = typer.Typer(help="事项目录：查询、导入、导出。", no_args_is_help=True)


@app.command("list")
def catalog_list(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option("--search", help="名称、拼音、拼音首字母或编码")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """列出事项（可按名称、拼音首字母、编码检索）。"""
    from clerk_tui.services.catalog import list_items

    items = list_items(context(ctx).engine(), search)
    if fmt == Format.json:
        emit_json([{k: v for k, v in g.as_json().items() if k != "material_details"} for g in items])
        return
    if not items:
        typer.echo("没有找到匹配的事项。" if search else "目录为空：请用 clerk-tui catalog import 导入事项目录。")
        return
    print_table(
        ["编码", "事项名称", "部门", "队列", "类型", "法定", "承诺"],
        [
            [
                g.code,
                g.name,
                g.department,
                g.queue,
                g.kind_name,
                g.legal_limit_days if g.kind == "promised" else "—",
                g.promised_limit_days if g.kind == "promised" else "—",
            ]
            for g in items
        ],
    )


@app.command("show")
def catalog_show(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """显示一个事项的完整办事指南。"""
    from clerk_tui.services.catalog import get_item
    from clerk_tui.services.guide import guide_lines

    g = get_item(context(ctx).engine(), code)
    if fmt == Format.json:
        emit_json(g.as_json())
    else:
        typer.echo("\n".join(guide_lines(g)))


@app.command("import")
def catalog_import(ctx: typer.Context, file: Path, encoding: EncodingOption = Encoding.utf8) -> None:
    """导入事项目录（TOML 或 CSV）。文件有任何错误则不导入任何内容。需要管理员。"""
    from clerk_tui.services.catalog import import_catalog

    c = context(ctx)
    counts = import_catalog(c.engine(), c.actor(), file, encoding=encoding.value)
    typer.echo(f"已导入 {file}：新增事项 {counts['items_added']} 项，更新 {counts['items_updated']} 项。")


@app.command("export")
def catalog_export(ctx: typer.Context, file: Path) -> None:
    """导出事项目录到 .toml 或 .csv 文件（可再导入）。"""
    from clerk_tui.services.catalog import export_catalog

    n = export_catalog(context(ctx).engine(), file)
    typer.echo(f"已导出 {n} 个事项到 {file}。")
