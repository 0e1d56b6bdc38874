"""The hall's catalog: import (all-or-nothing), listing, the service guide and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui.domain.search import CatalogIndex, SearchEntry, pinyin_forms
from clerk_tui.services import events
from clerk_tui.services.catalog_file import (
    FORM_NAMES,
    KIND_NAMES,
    CatalogData,
    CatalogFileError,
    DepartmentSpec,
    HallSpec,
    ItemSpec,
    MaterialSpec,
    Problem,
    QueueSpec,
    WindowSpec,
    parse_catalog,
    to_csv,
    to_toml,
)
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError, unknown_item
from clerk_tui.services.files import write_atomic
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Department, Hall, Material, Queue, ServiceItem, Window, WindowQueue, id_of

__all__ = [
    "FORM_NAMES",
    "KIND_NAMES",
    "CatalogFileError",
    "ItemGuide",
    "MaterialView",
    "apply_catalog",
    "export_catalog",
    "get_hall",
    "get_item",
    "import_catalog",
    "list_items",
    "list_windows",
    "load_index",
]


def get_hall(session: Session) -> Hall:
    hall = session.exec(select(Hall).where(Hall.parent_id.is_(None)).order_by(Hall.id)).first()
    if hall is None:
        raise ServiceError("数据库中还没有大厅，请先运行 clerk-tui init")
    return hall


def apply_catalog(session: Session, data: CatalogData, *, actor: Actor | None, source: str) -> dict[str, int]:
    """Merge ``data`` into the store inside the caller's transaction. Raises before any write
    when a reference cannot be resolved, so a bad file changes nothing."""
    hall = session.exec(select(Hall).where(Hall.parent_id.is_(None))).first()
    if hall is None:
        if data.hall is None:
            raise ServiceError("数据库中还没有大厅：第一次导入的目录文件必须包含 [hall] 表")
        hall = Hall(**vars(data.hall))
        session.add(hall)
        session.flush()
    elif data.hall is not None:
        if data.hall.code != hall.code:
            raise ServiceError(
                f"目录文件的大厅代码 {data.hall.code} 与本数据库的大厅 {hall.code} 不一致，未导入任何内容"
            )
        for k, v in vars(data.hall).items():
            setattr(hall, k, v)

    # Resolve every reference first: departments, queues and branch halls of the file or the store.
    branch = {b.code: b for b in session.exec(select(Hall).where(Hall.parent_id == hall.id))}
    depts = {d.name: d for d in session.exec(select(Department).where(Department.hall_id == hall.id))}
    queues = {q.prefix: q for q in session.exec(select(Queue).where(Queue.hall_id == hall.id))}
    known_depts = set(depts) | {d.name for d in data.departments}
    known_queues = set(queues) | {q.prefix for q in data.queues}
    problems = list(data.problems)
    for w in data.windows:
        if w.department and w.department not in known_depts:
            problems.append(Problem(source, 0, "department", f"窗口 {w.number} 的部门 {w.department} 不存在"))
        for p in w.queues:
            if p not in known_queues:
                problems.append(Problem(source, 0, "queues", f"窗口 {w.number} 的队列 {p} 不存在"))
    for item in data.items:
        if item.department and item.department not in known_depts:
            problems.append(
                Problem(
                    item.file or source,
                    item.lines.get("department", item.line),
                    "department",
                    f"事项 {item.code} 的部门“{item.department}”不存在，请先在 [[department]] 中定义",
                )
            )
        if item.queue and item.queue not in known_queues:
            problems.append(
                Problem(
                    item.file or source,
                    item.lines.get("queue", item.line),
                    "queue",
                    f"事项 {item.code} 的队列 {item.queue} 不存在，请先在 [[queue]] 中定义",
                )
            )
    if problems:
        raise CatalogFileError(problems)

    for b in data.branch_halls:
        sub_hall = branch.get(b.code) or Hall(code=b.code, name=b.name, parent_id=hall.id)
        sub_hall.name, sub_hall.address, sub_hall.phone = b.name, b.address, b.phone
        session.add(sub_hall)
        branch[b.code] = sub_hall
    session.flush()
    for d in data.departments:
        dept = depts.get(d.name) or Department(hall_id=hall.id, name=d.name)
        dept.phone, dept.back_office = d.phone, d.back_office
        dept.branch_hall_id = branch[d.branch_hall].id if d.branch_hall in branch else None
        session.add(dept)
        depts[d.name] = dept
    for q in data.queues:
        queue = queues.get(q.prefix) or Queue(hall_id=hall.id, prefix=q.prefix, name=q.name)
        queue.name = q.name
        session.add(queue)
        queues[q.prefix] = queue
    session.flush()
    windows = {w.number: w for w in session.exec(select(Window).where(Window.hall_id == hall.id))}
    for w in data.windows:
        window = windows.get(w.number) or Window(hall_id=hall.id, number=w.number)
        window.name = w.name
        window.department_id = depts[w.department].id if w.department else None
        session.add(window)
        session.flush()
        session.exec(delete(WindowQueue).where(WindowQueue.window_id == window.id))
        for pos, prefix in enumerate(w.queues):
            session.add(WindowQueue(window_id=window.id, queue_id=queues[prefix].id, position=pos))
    existing = {i.code: i for i in session.exec(select(ServiceItem).where(ServiceItem.hall_id == hall.id))}
    added = updated = 0
    for spec in data.items:
        row = existing.get(spec.code)
        if row is None:
            row = ServiceItem(
                hall_id=hall.id, code=spec.code, name=spec.name, department_id=0, queue_id=0, kind=spec.kind
            )
            added += 1
        else:
            updated += 1
        pinyin, initials = pinyin_forms(spec.name)
        row.keywords = "、".join(spec.keywords)  # at most KEYWORDS_LIMIT, checked with the file
        row.keyword_index = " ".join(" ".join(pinyin_forms(k)) for k in spec.keywords)
        for k in (
            "name",
            "kind",
            "legal_limit_days",
            "promised_limit_days",
            "fee",
            "legal_basis",
            "conditions",
            "consultation_phone",
            "supervision_phone",
        ):
            setattr(row, k, getattr(spec, k))
        row.department_id, row.queue_id = id_of(depts[spec.department]), id_of(queues[spec.queue])
        row.pinyin, row.initials = pinyin, initials
        session.add(row)
        session.flush()
        session.exec(delete(Material).where(Material.item_id == row.id))
        for pos, m in enumerate(spec.materials):
            session.add(Material(item_id=row.id, position=pos, **vars(m)))
    counts = {
        "items_added": added,
        "items_updated": updated,
        "departments": len(data.departments),
        "queues": len(data.queues),
        "windows": len(data.windows),
        "branch_halls": len(data.branch_halls),
    }
    events.record(session, "catalog.imported", actor=actor, subject=hall.code, source=source, **counts)
    return counts


def import_catalog(engine: Engine, actor: Actor | None, path: str | Path, *, encoding: str = "utf-8") -> dict[str, int]:
    """``catalog import FILE``: validate the whole file, then merge it in one transaction."""
    require(actor, "catalog.import")
    data = parse_catalog(path, strict=False, encoding=encoding)  # the store's checks are added to the file's
    return transaction(engine, lambda session: apply_catalog(session, data, actor=actor, source=str(path)))


@dataclass(frozen=True)
class MaterialView:
    name: str
    required: bool
    form: str
    copies: int
    notes: str

    @property
    def form_name(self) -> str:
        return FORM_NAMES.get(self.form, self.form)


@dataclass(frozen=True)
class ItemGuide:
    """One item with its whole service guide (办事指南), as screens and papers show it."""

    id: int
    code: str
    name: str
    department: str
    department_phone: str
    queue: str
    queue_name: str
    windows: tuple[int, ...]
    kind: str
    legal_limit_days: int
    promised_limit_days: int
    fee: str
    legal_basis: str
    conditions: str
    consultation_phone: str
    supervision_phone: str
    materials: tuple[MaterialView, ...] = field(default_factory=tuple)
    keywords: tuple[str, ...] = ()

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "department": self.department,
            "queue": self.queue,
            "queue_name": self.queue_name,
            "windows": list(self.windows),
            "kind": self.kind,
            "legal_limit_days": self.legal_limit_days,
            "promised_limit_days": self.promised_limit_days,
            "fee": self.fee,
            "legal_basis": self.legal_basis,
            "conditions": self.conditions,
            "consultation_phone": self.consultation_phone,
            "supervision_phone": self.supervision_phone,
            "keywords": list(self.keywords),
            "materials": [m.name for m in self.materials],
            "material_details": [vars(m) for m in self.materials],
        }


def _guides(session: Session, where=None) -> list[ItemGuide]:
    hall = get_hall(session)
    stmt = (
        select(ServiceItem, Department, Queue)
        .join(Department, Department.id == ServiceItem.department_id)
        .join(Queue, Queue.id == ServiceItem.queue_id)
        .where(ServiceItem.hall_id == hall.id)
        .order_by(ServiceItem.code)
    )
    if where is not None:
        stmt = stmt.where(where)
    rows = session.exec(stmt).all()
    ids = [item.id for item, _, _ in rows]
    mats: dict[int | None, list[MaterialView]] = {i: [] for i in ids}
    if ids:
        for m in session.exec(
            select(Material).where(Material.item_id.in_(ids)).order_by(Material.item_id, Material.position)
        ):
            mats[m.item_id].append(MaterialView(m.name, m.required, m.form, m.copies, m.notes))
    windows_by_queue: dict[int, list[int]] = {}
    for wq, win in session.exec(
        select(WindowQueue, Window).join(Window, Window.id == WindowQueue.window_id).order_by(Window.number)
    ):
        windows_by_queue.setdefault(wq.queue_id, []).append(win.number)
    return [
        ItemGuide(
            id=item.id,
            code=item.code,
            name=item.name,
            department=dept.name,
            department_phone=dept.phone,
            queue=queue.prefix,
            queue_name=queue.name,
            windows=tuple(windows_by_queue.get(queue.id, ())),
            kind=item.kind,
            legal_limit_days=item.legal_limit_days,
            promised_limit_days=item.promised_limit_days,
            fee=item.fee,
            legal_basis=item.legal_basis,
            conditions=item.conditions,
            consultation_phone=item.consultation_phone or dept.phone or hall.phone,
            supervision_phone=item.supervision_phone or hall.supervision_phone,
            materials=tuple(mats[item.id]),
            keywords=tuple(k for k in item.keywords.split("、") if k),
        )
        for item, dept, queue in rows
    ]


def list_items(engine: Engine, search: str | None = None) -> list[ItemGuide]:
    """Every item by code, or the items matching ``search`` best first."""
    if not search:
        with read_session(engine) as session:
            return _guides(session)
    index, by_code = load_index(engine)
    return [by_code[e.code] for e in index.search(search)]


def item_by_code(session: Session, code: str | None) -> ServiceItem:
    """The catalog item with this code, or the one refusal for an unknown code (every service that
    takes a typed item code looks it up here; the queue's prepared statement raises the same words)."""
    code = (code or "").strip()
    item = session.exec(select(ServiceItem).where(ServiceItem.code == code)).first() if code else None
    if item is None:
        raise unknown_item(code)
    return item


def get_item(engine: Engine, code: str) -> ItemGuide:
    with read_session(engine) as session:
        item = item_by_code(session, code)
        return _guides(session, ServiceItem.id == item.id)[0]


def load_index(engine: Engine) -> tuple[CatalogIndex, dict[str, ItemGuide]]:
    """The search index (pinyin as stored at import) and every guide by code."""
    with read_session(engine) as session:
        guides = _guides(session)
        stored = {
            i.code: (i.pinyin, i.initials, i.keywords, i.keyword_index) for i in session.exec(select(ServiceItem))
        }
    by_code = {g.code: g for g in guides}
    index = CatalogIndex(SearchEntry(g.id, g.code, g.name, g.department, *stored[g.code]) for g in guides)
    return index, by_code


def export_data(engine: Engine) -> CatalogData:
    with read_session(engine) as session:
        hall = get_hall(session)
        branches = session.exec(select(Hall).where(Hall.parent_id == hall.id).order_by(Hall.id)).all()
        branch_code = {b.id: b.code for b in branches}
        depts = session.exec(select(Department).where(Department.hall_id == hall.id).order_by(Department.id)).all()
        dept_name = {d.id: d.name for d in depts}
        queues = session.exec(select(Queue).where(Queue.hall_id == hall.id).order_by(Queue.prefix)).all()
        qprefix = {q.id: q.prefix for q in queues}
        windows = session.exec(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)).all()
        wq = session.exec(select(WindowQueue).order_by(WindowQueue.window_id, WindowQueue.position)).all()
        guides = _guides(session)
        raw_items = {i.code: i for i in session.exec(select(ServiceItem).where(ServiceItem.hall_id == hall.id))}
    data = CatalogData(
        hall=HallSpec(hall.code, hall.name, hall.address, hall.phone, hall.supervision_phone),
        branch_halls=[HallSpec(b.code, b.name, b.address, b.phone) for b in branches],
        departments=[DepartmentSpec(d.name, d.phone, branch_code.get(d.branch_hall_id), d.back_office) for d in depts],
        queues=[QueueSpec(q.prefix, q.name) for q in queues],
        windows=[
            WindowSpec(
                w.number,
                w.name,
                dept_name.get(w.department_id),
                [qprefix[x.queue_id] for x in wq if x.window_id == w.id],
            )
            for w in windows
        ],
    )
    for g in guides:
        raw = raw_items[g.code]
        data.items.append(
            ItemSpec(
                g.code,
                g.name,
                g.department,
                g.queue,
                g.kind,
                g.legal_limit_days,
                g.promised_limit_days,
                g.fee,
                g.legal_basis,
                g.conditions,
                raw.consultation_phone,
                raw.supervision_phone,
                list(g.keywords),
                [MaterialSpec(m.name, m.required, m.form, m.copies, m.notes) for m in g.materials],
            )
        )
    return data


def export_catalog(engine: Engine, path: str | Path) -> int:
    """Write the catalog to ``path`` (.toml or .csv) atomically; returns the number of items."""
    path = Path(path)
    data = export_data(engine)
    if path.suffix.lower() == ".csv":
        text = to_csv(data)
    elif path.suffix.lower() == ".toml":
        text = to_toml(data)
    else:
        raise ServiceError(f"无法识别导出格式 {path.suffix or '（无扩展名）'}：请使用 .toml 或 .csv 文件名")
    # A BOM so that spreadsheet programs read the Chinese right; the importer accepts it.
    write_atomic(path, text.encode("utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8"))
    return len(data.items)


@dataclass(frozen=True)
class WindowView:
    number: int
    name: str
    department: str | None
    queues: tuple[str, ...]


def list_windows(engine: Engine) -> list[WindowView]:
    with read_session(engine) as session:
        hall = get_hall(session)
        depts = {d.id: d.name for d in session.exec(select(Department))}
        qprefix = {q.id: q.prefix for q in session.exec(select(Queue))}
        wq = session.exec(select(WindowQueue).order_by(WindowQueue.window_id, WindowQueue.position)).all()
        windows = session.exec(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)).all()
        return [
            WindowView(
                w.number,
                w.name,
                depts.get(w.department_id),
                tuple(qprefix[x.queue_id] for x in wq if x.window_id == w.id),
            )
            for w in windows
        ]
