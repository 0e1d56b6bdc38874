"""Writing files a person asked for: all or nothing, never a half-written file left behind, and
readable by their owner only (clerk_tui/paths.py: exports and papers hold personal data)."""

from __future__ import annotations

from pathlib import Path

from clerk_tui.paths import TooLarge, read_bounded, write_private
from clerk_tui.services.errors import ServiceError, oserror_words, read_failed


def write_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ServiceError(f"无法写入 {path}：目录 {directory} 不存在")
    try:
        write_private(path, data)
    except OSError as exc:
        raise ServiceError(f"无法写入 {path}（{oserror_words(exc)}）：请检查目录、权限和磁盘空间后重试") from exc


# ---------------------------------------------------------------- reading the files a person gives

MAX_INPUT_BYTES = 20 * 1024 * 1024  # a catalog, an appointment export, an intake request
MAX_DEPTH = 8  # nesting of a JSON request (an intake request is three levels deep)
MAX_NUMBER_DIGITS = 12
ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


def read_text(
    path: str | Path, what: str, *, encoding: str = "utf-8", stdin=None, max_bytes: int = MAX_INPUT_BYTES
) -> str:
    """The text of a file a person named (``-`` is standard input): at most MAX_INPUT_BYTES, decoded
    as ``encoding`` (UTF-8 by default; GB18030, which covers GBK, for what a hall's Excel exports). A
    file in another encoding is refused with a line that says which encoding it seems to be in and
    what to do."""
    import sys

    if encoding not in ENCODINGS:
        raise ServiceError(f"编码 {encoding} 不支持：可用 {'、'.join(ENCODINGS)}")
    too_large = ServiceError(f"{what} {path} 太大（超过 {max_bytes:,} 字节）：请检查文件，或拆分后分批导入")
    try:
        if str(path) == "-":
            raw = (stdin or sys.stdin.buffer).read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise too_large
        else:
            raw = read_bounded(path, max_bytes)
    except TooLarge:
        raise too_large from None
    except OSError as exc:
        raise read_failed(what, path, exc) from exc
    try:
        return raw.decode(ENCODINGS[encoding])
    except UnicodeDecodeError:
        pass
    if encoding == "utf-8":
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            raise ServiceError(
                f"{what} {path} 不是 UTF-8 编码，看起来是 GB18030/GBK（Excel 常这样导出）："
                "请另存为 UTF-8，或在命令中加 --encoding gb18030"
            )
    raise ServiceError(f"{what} {path} 不是 {encoding.upper()} 编码的文本：请用 UTF-8 另存后重试")


def load_json(text: str, what: str, path: object) -> object:
    """A JSON document with sane limits: no number longer than MAX_NUMBER_DIGITS digits, no NaN or
    Infinity, nesting at most MAX_DEPTH deep. Every problem is one line naming the file."""
    import json

    def number(literal: str):
        digits = sum(ch.isdigit() for ch in literal)
        if digits > MAX_NUMBER_DIGITS:
            raise ValueError(f"数字 {literal[:20]}… 太长（最多 {MAX_NUMBER_DIGITS} 位）")
        return float(literal) if any(ch in literal for ch in ".eE") else int(literal)

    def constant(name: str):
        raise ValueError(f"不允许 {name}")

    depth = level = 0
    in_string = escaped = False
    for ch in text:  # the depth before parsing: json's own parser recurses and would overflow first
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            level += 1
            depth = max(depth, level)
            if depth > MAX_DEPTH:
                raise ServiceError(f"{what} {path}：嵌套太深（超过 {MAX_DEPTH} 层），请检查文件内容")
        elif ch in "]}":
            level -= 1
    try:
        return json.loads(text, parse_int=number, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise ServiceError(
            f"{path}:{exc.lineno}:{exc.colno}: {what}的 JSON 格式错误（第{exc.lineno}行第{exc.colno}列附近），请修正后重试"
        ) from None
    except ValueError as exc:
        raise ServiceError(f"{what} {path}：{exc}") from None
