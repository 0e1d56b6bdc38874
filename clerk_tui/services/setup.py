"""Creating a hall's database (``init``) and the demo hall (``demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Engine
from sqlmodel import select

from clerk_tui.domain.pins import hash_pin
from clerk_tui.domain.roles import CLERK, GUIDE, SUPERVISOR
from clerk_tui.services import events
from clerk_tui.services.catalog import apply_catalog
from clerk_tui.services.catalog_file import parse_catalog
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.staff import create_staff, ensure_admin
from clerk_tui.store import schema
from clerk_tui.store.engine import write_session
from clerk_tui.store.models import Department, Staff, Window


def data_dir() -> Path:
    """The shipped data/ folder: inside the wheel, or beside the package in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / "catalog").is_dir():
            return candidate
    raise ServiceError("找不到 clerk-tui 自带的数据目录 data/，请重新安装")


def default_catalog() -> Path:
    return data_dir() / "catalog" / "demo-hall.toml"


def drop_everything(engine: Engine) -> None:
    """Used by ``init --force`` only: remove every table of this database."""
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        meta.drop_all(conn)


@dataclass
class InitResult:
    items: int
    admin_pin: str | None


def init_database(engine: Engine, *, catalog: str | Path | None = None, force: bool = False,
                  admin_pin: str | None = None) -> InitResult:
    """Create the schema, load the catalog and create ``admin``. Refuses to overwrite a hall."""
    data = parse_catalog(catalog or default_catalog())  # validate before touching the database
    if data.hall is None:
        raise ServiceError(f"目录文件 {catalog} 缺少 [hall] 表，无法建立大厅")
    if inspect(engine).has_table("hall"):
        if not force:
            raise ServiceError("该数据库已经初始化过；如确需清空重建，请加 --force（将删除全部数据）")
        drop_everything(engine)
    elif force and inspect(engine).get_table_names():
        drop_everything(engine)
    schema.upgrade(engine)
    with write_session(engine) as session:
        counts = apply_catalog(session, data, actor=None, source=str(catalog or default_catalog()))
        _, generated = ensure_admin(session, admin_pin)
        events.record(session, "hall.initialised", subject=data.hall.code)
    return InitResult(counts["items_added"], generated)


DEMO_PIN = "123456"
# The demo's named staff: (number, name, role, department or None, window).
DEMO_STAFF = [
    ("8001", "林晓燕", GUIDE, None, None),
    ("8002", "周文斌", GUIDE, None, None),
    ("9001", "郑国强", SUPERVISOR, None, None),
]


def build_demo(engine: Engine) -> InitResult:
    """A fresh demo hall: the county catalog, admin, a guide desk, a clerk per window and a
    supervisor, all with the PIN ``123456``. Later capabilities add their morning to it."""
    result = init_database(engine, force=True, admin_pin=DEMO_PIN)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    given = ["丽", "强", "敏", "静", "军", "洁", "伟", "芳", "磊", "婷", "涛", "燕", "勇", "霞", "斌"]
    shared_hash = hash_pin(DEMO_PIN)  # one scrypt for the whole demo roster
    with write_session(engine) as session:
        for number, name, role, dept, _ in DEMO_STAFF:
            create_staff(session, number, name, role, DEMO_PIN, department=dept, pin_hash=shared_hash)
        windows = session.exec(select(Window).order_by(Window.number)).all()
        depts = {d.id: d.name for d in session.exec(select(Department))}
        for w in windows:
            name = surnames[w.number % len(surnames)] + given[w.number % len(given)] + ("华" if w.number % 3 else "")
            create_staff(session, f"{1000 + w.number}", name, CLERK, DEMO_PIN, department=depts.get(w.department_id),
                         pin_hash=shared_hash)
        events.record(session, "demo.built", subject="demo", staff=len(session.exec(select(Staff)).all()))
    return result
