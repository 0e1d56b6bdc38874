"""An intake request given as a JSON file (``clerk-tui case intake --json``), read against a strict
schema: every field has one type (a string where a boolean belongs is refused, never guessed), no
field is unknown, and each problem is one line naming the file and the field's path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clerk_tui.services.cases.model import Agent, Applicant, IntakeRequest, MaterialEntry, Override
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.files import load_json, read_text

# A field's type: str, bool, int, a list of one type ([str]), or an object (a dict of its fields).
# A name ending in "!" is required.
MATERIAL = {"name!": str, "received": bool, "form": str, "copies": int, "pages": int, "note": str}
SCHEMA: dict[str, Any] = {
    "item!": str,
    "applicant!": {
        "kind": str,
        "name": str,
        "id_number": str,
        "uscc": str,
        "phone": str,
        "representative": str,
        "contact": str,
    },
    "decision!": str,
    "ticket": str,
    "agent": {"name": str, "id_number": str},
    "materials_received": [str],
    "materials": [MATERIAL],
    "result": str,
    "reason": str,
    "competent_department": str,
    "competent_phone": str,
    "override": {"reason!": str, "by": str},
    "mode": str,
    "agency_staff": str,
    "visit_address": str,
    "visit_at": str,
    "after_hours": bool,
}
TYPE_WORDS = {str: "文字（加英文双引号）", bool: "true 或 false（不加引号）", int: "整数（不加引号）"}


def _check(value: Any, spec: Any, where: str, path: object) -> Any:
    def refuse(words: str) -> ServiceError:
        return ServiceError(f"{path}: {words}" if where == "内容" else f"{path}: {where} {words}")

    if isinstance(spec, dict):
        if not isinstance(value, dict):
            if where == "内容":
                raise refuse("内容应为一个 JSON 对象（含 item、applicant、decision 等字段）")
            raise refuse("应为对象（{…}）")
        fields = {name.rstrip("!"): sub for name, sub in spec.items()}
        if unknown := sorted(set(value) - set(fields)):
            raise refuse(f"有未知字段 {'、'.join(unknown)}（可用：{'、'.join(fields)}）")
        for name in spec:
            if name.endswith("!") and value.get(name[:-1]) is None:
                raise refuse(f"缺少字段 {name[:-1]}")
        return {
            k: _check(v, fields[k], f"{where}.{k}" if where != "内容" else k, path)
            for k, v in value.items()
            if v is not None
        }
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise refuse("应为列表（[…]）")
        return [_check(v, spec[0], f"{where}[{i}]", path) for i, v in enumerate(value)]
    # bool is an int to Python: a true/false where a number belongs (and the reverse) is refused too
    if type(value) is not spec:
        raise refuse(f"应为{TYPE_WORDS[spec]}，实际是 {type(value).__name__}：{str(value)[:40]}")
    return value


def parse_intake_request(path: str | Path, *, encoding: str = "utf-8", stdin=None) -> IntakeRequest:
    """The request in the file ``path`` (``-`` for standard input), or one line saying what is wrong.
    An override's supervisor PIN is never in the file: the caller asks for it."""
    data = _check(
        load_json(read_text(path, "收件内容文件", encoding=encoding, stdin=stdin), "收件内容", path),
        SCHEMA,
        "内容",
        path,
    )
    a = data["applicant"]
    kind = a.get("kind", "person")
    materials = None
    if "materials" in data:
        materials = [
            MaterialEntry(
                name=m["name"],
                received=m.get("received", True),
                form=m.get("form", "original"),
                copies=m.get("copies", 1),
                pages=m.get("pages", 0),
                note=m.get("note", ""),
            )
            for m in data["materials"]
        ]
    received = data.get("materials_received")
    if materials is None and received is None:
        received = []
    agent = data.get("agent")
    override = data.get("override")
    return IntakeRequest(
        item_code=data["item"],
        applicant=Applicant(
            kind=kind,
            name=a.get("name", ""),
            id_number=a.get("uscc" if kind == "organisation" else "id_number", "") or a.get("id_number", ""),
            phone=a.get("phone", ""),
            representative=a.get("representative", ""),
            contact=a.get("contact", ""),
        ),
        decision=data["decision"],
        materials=materials,
        materials_received=received,
        agent=Agent(agent.get("name", ""), agent.get("id_number", "")) if agent else None,
        ticket=data.get("ticket") or None,
        result=data.get("result", ""),
        reason=data.get("reason", ""),
        competent_department=data.get("competent_department", ""),
        competent_phone=data.get("competent_phone", ""),
        id_override=Override(override["reason"], override.get("by", "")) if override else None,
        mode=data.get("mode", ""),
        agency_staff=data.get("agency_staff", ""),
        visit_address=data.get("visit_address", ""),
        visit_at=data.get("visit_at", ""),
        after_hours=data.get("after_hours", False),
    )
