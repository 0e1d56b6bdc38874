"""Staff roles and what each may do. Services check these themselves."""

from __future__ import annotations

GUIDE, CLERK, SUPERVISOR, ADMIN = "guide", "clerk", "supervisor", "admin"
ROLES = (GUIDE, CLERK, SUPERVISOR, ADMIN)
ROLE_NAMES = {GUIDE: "导办员", CLERK: "窗口人员", SUPERVISOR: "带班领导", ADMIN: "系统管理员"}

# Who may do what. Every service names the permission it needs.
PERMISSIONS: dict[str, frozenset[str]] = {
    "catalog.import": frozenset({ADMIN}),
    "calendar.load": frozenset({ADMIN, SUPERVISOR}),
    "staff.add": frozenset({ADMIN}),
    "staff.set_pin": frozenset({ADMIN}),
    "staff.unlock": frozenset({ADMIN, SUPERVISOR}),
    "staff.list": frozenset({ADMIN, SUPERVISOR}),
    "ticket.issue": frozenset({GUIDE, CLERK, SUPERVISOR, ADMIN}),
    "ticket.serve": frozenset({CLERK, SUPERVISOR}),
    "ticket.rejoin": frozenset({GUIDE, CLERK, SUPERVISOR}),
    "window.operate": frozenset({CLERK, SUPERVISOR}),
    "window.override": frozenset({SUPERVISOR, ADMIN}),
    "appointment.book": frozenset({GUIDE, CLERK, SUPERVISOR, ADMIN}),
    "case.view": frozenset({GUIDE, CLERK, SUPERVISOR, ADMIN}),
    "case.handle": frozenset({CLERK, SUPERVISOR}),
    "case.override": frozenset({SUPERVISOR}),
    "print": frozenset({GUIDE, CLERK, SUPERVISOR, ADMIN}),
    "audit.verify": frozenset({SUPERVISOR, ADMIN}),  # verify the audit chain, anchor its head
    "audit.prune": frozenset({ADMIN}),  # remove events older than the retention setting
    "inquiry": frozenset(
        {GUIDE, CLERK, SUPERVISOR, ADMIN}
    ),  # 首问: whoever is asked first  # 主管授权: ID override, second notice, extension
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def allowed_roles_text(permission: str) -> str:
    return "、".join(ROLE_NAMES[r] for r in ROLES if r in PERMISSIONS.get(permission, ()))
