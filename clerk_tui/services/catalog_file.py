"""Reading and validating catalog files (TOML and CSV), with errors that name file, line and field.

Parsing is all-or-nothing: ``parse_catalog`` returns a ``CatalogData`` only when the whole file is
valid; otherwise it raises ``CatalogFileError`` listing every problem found. Format: data/catalog/FORMAT.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clerk_tui.domain.catalog import FORM_NAMES as FORM_NAMES
from clerk_tui.domain.catalog import FORMS, KINDS
from clerk_tui.domain.catalog import KIND_NAMES as KIND_NAMES
from clerk_tui.domain.text import TextRefused, clean
from clerk_tui.domain.words import toml_loads, toml_words
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.files import read_text

CSV_COLUMNS = (
    "code",
    "name",
    "department",
    "queue",
    "kind",
    "legal_limit_days",
    "promised_limit_days",
    "fee",
    "legal_basis",
    "conditions",
    "consultation_phone",
    "supervision_phone",
    "keywords",
    "materials",
)


@dataclass
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CatalogFileError(ServiceError):
    def __init__(self, problems: list[Problem]) -> None:
        problems = sorted(problems, key=lambda p: (p.file, p.line))
        self.problems = problems
        head = (
            f"目录文件有{len(problems)}处错误，未导入任何内容："
            if len(problems) > 1
            else "目录文件有错误，未导入任何内容："
        )
        super().__init__(
            head
            + "\n"
            + "\n".join(f"  {p}" for p in problems[:50])
            + (f"\n  ……另有{len(problems) - 50}处" if len(problems) > 50 else "")
        )


@dataclass
class HallSpec:
    code: str
    name: str
    address: str = ""
    phone: str = ""
    supervision_phone: str = ""


@dataclass
class DepartmentSpec:
    name: str
    phone: str = ""
    branch_hall: str | None = None
    back_office: bool = False  # 前店后场: decides in its back office, the window only takes the papers


@dataclass
class QueueSpec:
    prefix: str
    name: str


@dataclass
class WindowSpec:
    number: int
    name: str
    department: str | None
    queues: list[str]


@dataclass
class MaterialSpec:
    name: str
    required: bool = True
    form: str = "original"
    copies: int = 1
    notes: str = ""


@dataclass
class ItemSpec:
    code: str
    name: str
    department: str
    queue: str
    kind: str
    legal_limit_days: int
    promised_limit_days: int
    fee: str = ""
    legal_basis: str = ""
    conditions: str = ""
    consultation_phone: str = ""
    supervision_phone: str = ""
    keywords: list[str] = field(default_factory=list)
    materials: list[MaterialSpec] = field(default_factory=list)
    line: int = 0  # where it stands in its file, for messages found at import time
    file: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # field -> line, for those messages


@dataclass
class CatalogData:
    hall: HallSpec | None = None
    branch_halls: list[HallSpec] = field(default_factory=list)
    departments: list[DepartmentSpec] = field(default_factory=list)
    queues: list[QueueSpec] = field(default_factory=list)
    windows: list[WindowSpec] = field(default_factory=list)
    items: list[ItemSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # what parsing found (strict=False)


class _Lines:
    """Finds the line of a table or a key in a TOML text (tomllib gives no positions)."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z_.]+)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []  # (line number, table name)
        for no, line in enumerate(self.lines, start=1):
            if m := self._HEADER.match(line):
                self.headers.append((no, m.group(1)))

    def table(self, name: str, index: int, within: tuple[int, int] | None = None) -> tuple[int, int]:
        """(first, last) line of the index-th ``[[name]]`` (inside ``within`` if given)."""
        lo, hi = within or (1, len(self.lines))
        starts = [no for no, n in self.headers if n == name and lo <= no <= hi]
        if index >= len(starts):
            return (lo, hi)
        start = starts[index]
        later = [no for no, n in self.headers if no > start and not n.startswith(name + ".")]
        end = min([hi] + [no - 1 for no in later])
        return (start, end)

    def key(self, key: str, span: tuple[int, int]) -> int:
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for no in range(span[0], span[1] + 1):
            if no > span[0] and self._HEADER.match(self.lines[no - 1]):
                break  # only this table's own keys
            if pattern.match(self.lines[no - 1]):
                return no
        return span[0]


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, field_name, message))


def _text(rec: dict, key: str, where, col: _Collector, *, required: bool = False, max_len: int = 200) -> str:
    value = rec.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        col.add(where(key), key, f"应为文本，实际是 {type(value).__name__}")
        return ""
    # The one text policy (domain/text.py); a line break only in the long texts (paragraphs).
    if required and not value.strip():
        col.add(where(key), key, "不能为空")
        return ""
    try:
        return clean(value, field=key, limit=max_len, multiline=key in MULTILINE)
    except TextRefused as exc:
        col.add(where(key), key, str(exc))
        return value.strip()


MULTILINE = frozenset({"conditions", "legal_basis", "notes"})
KEYWORDS_LIMIT = 200  # characters of all an item's keywords together (their pinyin index fits its column)


def _queue_prefix(rec: dict, where, col: _Collector) -> str:
    value = rec.get("queue", "")
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]", value.strip()):
        col.add(where("queue"), "queue", f"队列应为一个字母（A-Z），实际是 {value!r}")
        return ""
    return value.strip().upper()


def _int(
    rec: dict, key: str, where, col: _Collector, *, default: int | None = None, lo: int = 0, hi: int = 10000
) -> int:
    value = rec.get(key, default)
    if value is None:
        col.add(where(key), key, "缺少此字段")
        return 0
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        col.add(where(key), key, f"应为整数，实际是 {value!r}")
        return 0
    if not lo <= value <= hi:
        col.add(where(key), key, f"应在{lo}到{hi}之间，实际是{value}")
    return value


def _bool(rec: dict, key: str, where, col: _Collector, default: bool) -> bool:
    value = rec.get(key, default)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("required", "true", "yes", "是", "必需", "必要", "1"):
            return True
        if lowered in ("optional", "false", "no", "否", "非必需", "可选", "0", ""):
            return False
    if not isinstance(value, bool):
        col.add(where(key), key, f"应为 true 或 false，实际是 {value!r}")
        return default
    return value


def _keywords(value: Any, where, col: _Collector) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[、,，;；]", value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        col.add(where("keywords"), "keywords", '应为文本列表，例如 ["社保", "养老保险"]')
        return []
    words = []
    for v in value:
        try:
            if word := clean(v, field="keywords", limit=KEYWORDS_LIMIT):
                words.append(word)
        except TextRefused as exc:
            col.add(where("keywords"), "keywords", str(exc))
    if len("、".join(words)) > KEYWORDS_LIMIT:
        col.add(where("keywords"), "keywords", f"关键词合计太长（{len('、'.join(words))}字），最多{KEYWORDS_LIMIT}字")
    return words


def _check_item(item: ItemSpec, where, col: _Collector) -> None:
    if item.kind not in KINDS:
        col.add(where("kind"), "kind", f"应为 immediate（即办件）或 promised（承诺件），实际是 {item.kind!r}")
    elif item.kind == "immediate":
        if item.legal_limit_days or item.promised_limit_days:
            col.add(where("legal_limit_days"), "legal_limit_days", "即办件的法定时限和承诺时限都应为0")
    else:
        if item.promised_limit_days < 1:
            col.add(where("promised_limit_days"), "promised_limit_days", "承诺件的承诺时限至少为1个工作日")
        if item.promised_limit_days > item.legal_limit_days:
            col.add(
                where("promised_limit_days"),
                "promised_limit_days",
                f"承诺时限（{item.promised_limit_days}）不能超过法定时限（{item.legal_limit_days}）",
            )
    if not item.materials:
        col.add(where("material"), "material", "每个事项至少要有一项申请材料")
    if not item.fee:
        col.add(where("fee"), "fee", "请写明收费标准；不收费请写“不收费”")


def _material(rec: Any, where, col: _Collector) -> MaterialSpec | None:
    if not isinstance(rec, dict):
        col.add(where(""), "material", "应为表（[[item.material]]）")
        return None
    form = _text(rec, "form", where, col) or "original"
    if form not in FORMS:
        col.add(where("form"), "form", f"应为 original、copy 或 original_and_copy，实际是 {form!r}")
    return MaterialSpec(
        name=_text(rec, "name", where, col, required=True),
        required=_bool(rec, "required", where, col, True),
        form=form,
        copies=_int(rec, "copies", where, col, default=1, lo=0, hi=99),
        notes=_text(rec, "notes", where, col, max_len=400),
    )


def parse_toml(text: str, file: str, strict: bool = True) -> CatalogData:
    col = _Collector(file)
    try:
        doc = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise CatalogFileError(
            [
                Problem(
                    file,
                    int(m.group(1)) if m else 0,
                    "",
                    f"TOML 语法错误，{toml_words(exc)}：请按 FORMAT.md 修正后重试",
                )
            ]
        ) from exc
    lines = _Lines(text)
    data = CatalogData()
    known = {"hall", "branch_hall", "department", "queue", "window", "item"}
    for key in doc:
        if key not in known:
            col.add(lines.key(key, (1, len(lines.lines))), key, f"未知的表或字段，可用的有：{'、'.join(sorted(known))}")

    def records(name: str) -> list[tuple[dict, Any]]:
        value = doc.get(name, [])
        if not isinstance(value, list):
            col.add(lines.key(name, (1, len(lines.lines))), name, f"应写成 [[{name}]] 表数组")
            return []
        out = []
        for i, rec in enumerate(value):
            span = lines.table(name, i)
            out.append(
                (rec if isinstance(rec, dict) else {}, (lambda s: lambda k: lines.key(k, s) if k else s[0])(span))
            )
        return out

    if "hall" in doc:
        rec = doc["hall"] if isinstance(doc["hall"], dict) else {}
        span = lines.table("hall", 0)
        w = lambda k: lines.key(k, span)  # noqa: E731  (a one-line accessor, used right below)
        code = _text(rec, "code", w, col, required=True, max_len=8)
        if code and not re.fullmatch(r"[A-Za-z0-9]{2,8}", code):
            col.add(w("code"), "code", "大厅代码只能是2到8位字母或数字")
        data.hall = HallSpec(
            code,
            _text(rec, "name", w, col, required=True, max_len=100),
            _text(rec, "address", w, col),
            _text(rec, "phone", w, col, max_len=40),
            _text(rec, "supervision_phone", w, col, max_len=40),
        )
    seen: dict[str, set] = {k: set() for k in known}
    for rec, w in records("branch_hall"):
        bh = HallSpec(
            _text(rec, "code", w, col, required=True, max_len=8),
            _text(rec, "name", w, col, required=True, max_len=100),
            _text(rec, "address", w, col),
            _text(rec, "phone", w, col, max_len=40),
        )
        if bh.code in seen["branch_hall"]:
            col.add(w("code"), "code", f"分厅代码 {bh.code} 重复")
        seen["branch_hall"].add(bh.code)
        data.branch_halls.append(bh)
    for rec, w in records("department"):
        dep = DepartmentSpec(
            _text(rec, "name", w, col, required=True, max_len=100),
            _text(rec, "phone", w, col, max_len=40),
            _text(rec, "branch_hall", w, col) or None,
            _bool(rec, "back_office", w, col, False),
        )
        if dep.name in seen["department"]:
            col.add(w("name"), "name", f"部门 {dep.name} 重复")
        if dep.branch_hall and dep.branch_hall not in seen["branch_hall"]:
            col.add(w("branch_hall"), "branch_hall", f"分厅 {dep.branch_hall} 未在 [[branch_hall]] 中定义")
        seen["department"].add(dep.name)
        data.departments.append(dep)
    for rec, w in records("queue"):
        q = QueueSpec(
            _text(rec, "prefix", w, col, required=True, max_len=1).upper(),
            _text(rec, "name", w, col, required=True, max_len=60),
        )
        if q.prefix and not re.fullmatch(r"[A-Z]", q.prefix):
            col.add(w("prefix"), "prefix", f"队列字母应为一个大写字母A-Z，实际是 {q.prefix!r}")
        if q.prefix in seen["queue"]:
            col.add(w("prefix"), "prefix", f"队列 {q.prefix} 重复")
        seen["queue"].add(q.prefix)
        data.queues.append(q)
    for rec, w in records("window"):
        queues = rec.get("queues", [])
        if not isinstance(queues, list) or not queues or not all(isinstance(q, str) for q in queues):
            col.add(w("queues"), "queues", '应为至少一个队列字母的列表，例如 ["A", "B"]')
            queues = []
        win = WindowSpec(
            _int(rec, "number", w, col, lo=1, hi=999),
            _text(rec, "name", w, col, max_len=60),
            _text(rec, "department", w, col) or None,
            [q.strip().upper() for q in queues],
        )
        if win.number in seen["window"]:
            col.add(w("number"), "number", f"窗口号 {win.number} 重复")
        seen["window"].add(win.number)
        data.windows.append(win)
    for i, (rec, w) in enumerate(records("item")):
        span = lines.table("item", i)
        mats_raw = rec.get("material", [])
        if not isinstance(mats_raw, list):
            col.add(w("material"), "material", "应写成 [[item.material]] 表数组")
            mats_raw = []
        materials = []
        for j, mrec in enumerate(mats_raw):
            mspan = lines.table("item.material", j, within=span)
            spec = _material(mrec, (lambda s: lambda k: lines.key(k, s) if k else s[0])(mspan), col)
            if spec:
                materials.append(spec)
        item = ItemSpec(
            code=_text(rec, "code", w, col, required=True, max_len=64),
            name=_text(rec, "name", w, col, required=True),
            department=_text(rec, "department", w, col, required=True, max_len=100),
            queue=_queue_prefix(rec, w, col),
            kind=_text(rec, "kind", w, col, required=True, max_len=16),
            legal_limit_days=_int(rec, "legal_limit_days", w, col, lo=0, hi=3650),
            promised_limit_days=_int(rec, "promised_limit_days", w, col, lo=0, hi=3650),
            fee=_text(rec, "fee", w, col),
            legal_basis=_text(rec, "legal_basis", w, col, max_len=2000),
            conditions=_text(rec, "conditions", w, col, max_len=4000),
            consultation_phone=_text(rec, "consultation_phone", w, col, max_len=40),
            supervision_phone=_text(rec, "supervision_phone", w, col, max_len=40),
            keywords=_keywords(rec.get("keywords"), w, col),
            materials=materials,
            line=span[0],
            file=file,
            lines={k: w(k) for k in ("department", "queue", "code")},
        )
        _check_item(item, w, col)
        if item.code in seen["item"]:
            col.add(w("code"), "code", f"事项编码 {item.code} 重复")
        seen["item"].add(item.code)
        data.items.append(item)
    if not doc.get("item"):  # FORMAT.md: every table is optional except [[item]]
        col.add(1, "item", "文件中没有任何事项：目录文件至少要有一个 [[item]] 表，写法见 data/catalog/FORMAT.md")
    data.problems = col.problems
    if col.problems and strict:
        raise CatalogFileError(col.problems)
    return data


def _csv_materials(cell: str, line: int, col: _Collector) -> list[MaterialSpec]:
    out = []
    for part in re.split(r"[;\n]", cell or ""):
        part = part.strip()
        if not part:
            continue
        bits = [b.strip() for b in part.split("|")] + [""] * 4
        rec = {
            "name": bits[0],
            "required": bits[1] or "required",
            "form": bits[2] or "original",
            "copies": bits[3] or "1",
            "notes": bits[4],
        }
        m = _material(rec, lambda k: line, col)
        if m:
            out.append(m)
    return out


def parse_csv(text: str, file: str, strict: bool = True) -> CatalogData:
    col = _Collector(file)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        c for c in ("code", "name", "department", "queue", "kind", "materials") if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise CatalogFileError([Problem(file, 1, ",".join(missing), f"缺少列，表头应为：{','.join(CSV_COLUMNS)}")])
    data = CatalogData()
    seen = set()
    line = 1
    for rec in reader:
        line = reader.line_num if reader.line_num else line + 1
        w = lambda k, _l=line: _l  # noqa: E731  (a one-line accessor, used right below)
        rec = {k: v for k, v in rec.items() if k is not None}
        for key in ("legal_limit_days", "promised_limit_days"):
            rec[key] = (rec.get(key) or "0").strip()
        item = ItemSpec(
            code=_text(rec, "code", w, col, required=True, max_len=64),
            name=_text(rec, "name", w, col, required=True),
            department=_text(rec, "department", w, col, required=True, max_len=100),
            queue=_queue_prefix(rec, w, col),
            kind=_text(rec, "kind", w, col, required=True, max_len=16),
            legal_limit_days=_int(rec, "legal_limit_days", w, col, lo=0, hi=3650),
            promised_limit_days=_int(rec, "promised_limit_days", w, col, lo=0, hi=3650),
            fee=_text(rec, "fee", w, col),
            legal_basis=_text(rec, "legal_basis", w, col, max_len=2000),
            conditions=_text(rec, "conditions", w, col, max_len=4000),
            consultation_phone=_text(rec, "consultation_phone", w, col, max_len=40),
            supervision_phone=_text(rec, "supervision_phone", w, col, max_len=40),
            keywords=_keywords(rec.get("keywords"), w, col),
            materials=_csv_materials(rec.get("materials") or "", line, col),
            line=line,
            file=file,
            lines={"department": line, "queue": line, "code": line},
        )
        _check_item(item, w, col)
        if item.code in seen:
            col.add(line, "code", f"事项编码 {item.code} 重复")
        seen.add(item.code)
        data.items.append(item)
    if not data.items and not col.problems:
        col.add(1, "item", "文件中没有任何事项：表头之后至少要有一行事项，写法见 data/catalog/FORMAT.md")
    data.problems = col.problems
    if col.problems and strict:
        raise CatalogFileError(col.problems)
    return data


def parse_catalog(path: str | Path, strict: bool = True, *, encoding: str = "utf-8") -> CatalogData:
    """Read and validate a catalog file (.toml or .csv). With ``strict=False`` the problems found
    come back in ``data.problems`` so that the importer can add what only the store can check."""
    path = Path(path)
    text = read_text(path, "目录文件", encoding=encoding)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(text, str(path), strict)
    if suffix == ".toml":
        return parse_toml(text, str(path), strict)
    raise ServiceError(f"目录文件 {path} 的格式无法识别：请使用 .toml 或 .csv 文件")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def to_toml(data: CatalogData) -> str:
    """Serialise a catalog in the format ``parse_toml`` reads (for ``catalog export``)."""
    out: list[str] = ["# clerk-tui catalog export (format: data/catalog/FORMAT.md)", ""]

    def table(header: str, pairs: list[tuple[str, Any]]) -> None:
        out.append(header)
        out.extend(f"{k} = {_toml_value(v)}" for k, v in pairs if v is not None)
        out.append("")

    def fields(record: Any, *keys: str) -> list[tuple[str, Any]]:
        return [(k, getattr(record, k)) for k in keys]

    if data.hall:
        table("[hall]", fields(data.hall, "code", "name", "address", "phone", "supervision_phone"))
    for b in data.branch_halls:
        table("[[branch_hall]]", fields(b, "code", "name", "address", "phone"))
    for d in data.departments:  # back_office written only when true
        table("[[department]]", [*fields(d, "name", "phone", "branch_hall"), ("back_office", d.back_office or None)])
    for q in data.queues:
        table("[[queue]]", fields(q, "prefix", "name"))
    for w in data.windows:
        table("[[window]]", fields(w, "number", "name", "department", "queues"))
    for i in data.items:
        table("[[item]]", fields(i, *(k for k in CSV_COLUMNS[:-1] if k != "keywords"), "keywords"))
        for m in i.materials:
            table("[[item.material]]", fields(m, "name", "required", "form", "copies", "notes"))
    return "\n".join(out)


def to_csv(data: CatalogData) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in data.items:
        mats = "\n".join(
            f"{m.name}|{'required' if m.required else 'optional'}|{m.form}|{m.copies}|{m.notes}" for m in i.materials
        )
        writer.writerow(
            [("、".join(i.keywords) if k == "keywords" else getattr(i, k)) for k in CSV_COLUMNS[:-1]] + [mats]
        )
    return buf.getvalue()
