"""Staff roles and what each may do. Services check these themselves.

Read rights are as narrow as the work needs (docs/permissions.md is generated from this table and
the CLI): the guide desk reads what the guide desk serves (tickets, appointments, inquiries, the
catalog), a clerk the hall's cases and figures and their own staff figures, a supervisor everything
of the hall. The administrator manages accounts, the catalog and the schema and does nothing in
another role (三员分立): it reads no case, serves no ticket and approves no override.
"""

from __future__ import annotations

GUIDE, CLERK, SUPERVISOR, ADMIN = "guide", "clerk", "supervisor", "admin"
ROLES = (GUIDE, CLERK, SUPERVISOR, ADMIN)
ROLE_NAMES = {GUIDE: "导办员", CLERK: "窗口人员", SUPERVISOR: "带班领导", ADMIN: "系统管理员"}

_HALL_STAFF = frozenset({GUIDE, CLERK, SUPERVISOR})

# The public devices of the web server (clerk-tui serve), each acting as its kind, never as a
# person: no staff member holds these roles and no PIN logs in as them (not in ROLES).
DEVICE_DISPLAY, DEVICE_PAD, DEVICE_KIOSK = "device.display", "device.pad", "device.kiosk"
DEVICE_ROLES = {"display": DEVICE_DISPLAY, "pad": DEVICE_PAD, "kiosk": DEVICE_KIOSK}
DEVICE_KIND_NAMES = {"display": "叫号大屏", "pad": "评价器", "kiosk": "自助取号机"}

# Who may do what. Every service names the permission it needs.
PERMISSIONS: dict[str, frozenset[str]] = {
    # administration (the administrator's PIN)
    "catalog.import": frozenset({ADMIN}),
    "hall.reset": frozenset({ADMIN}),  # init --force over a hall: erase it and build anew
    "calendar.load": frozenset({ADMIN, SUPERVISOR}),
    "db.upgrade": frozenset({ADMIN}),
    "report.rebuild": frozenset({ADMIN}),
    "staff.add": frozenset({ADMIN}),
    "staff.set_pin": frozenset({ADMIN}),
    "staff.unlock": frozenset({ADMIN, SUPERVISOR}),
    "staff.list": frozenset({ADMIN, SUPERVISOR}),
    "staff.own_pin": frozenset(ROLES),  # everyone changes their own PIN
    # the hall's work
    "ticket.issue": _HALL_STAFF,
    "ticket.serve": frozenset({CLERK, SUPERVISOR}),
    "ticket.rejoin": _HALL_STAFF,
    "window.operate": frozenset({CLERK, SUPERVISOR}),
    "appointment.book": _HALL_STAFF,
    "case.handle": frozenset({CLERK, SUPERVISOR}),
    "case.override": frozenset({SUPERVISOR}),
    "print": _HALL_STAFF,
    "print.test": frozenset(ROLES),  # a test page holds no one's data; the administrator sets printers up
    "inquiry": _HALL_STAFF,  # 首问: whoever is asked first
    "db.backup": frozenset({SUPERVISOR, ADMIN}),  # a copy of the hall: the daily one runs on the supervisor's screen
    "db.restore": frozenset({ADMIN}),
    # reading the hall's records
    "calendar.read": frozenset(ROLES),  # the working-day calendar: no personal data
    "window.read": frozenset(ROLES),  # the windows, their queues and who sits there
    "screen.run": frozenset(ROLES),  # starting the hall's display or a rating pad
    "ticket.read": _HALL_STAFF,
    "appointment.read": _HALL_STAFF,
    "inquiry.read": _HALL_STAFF,
    "alert.read": _HALL_STAFF,
    "case.read": frozenset({CLERK, SUPERVISOR}),
    "print.read": _HALL_STAFF,  # previews and the print jobs' list
    "followup.read": frozenset({CLERK, SUPERVISOR}),
    "report.read.hall": frozenset({CLERK, SUPERVISOR}),  # the hall's, a department's, a window's figures
    "report.read.staff": frozenset({SUPERVISOR}),  # every clerk's figures (a clerk: only their own)
    "audit.verify": frozenset({SUPERVISOR, ADMIN}),  # verify the audit chain, anchor its head
    "audit.prune": frozenset({ADMIN}),  # remove events older than the retention setting
    # 领导带班 and 大厅巡查: the administrator keeps the roster, the supervisors do the duty
    "duty.roster": frozenset({ADMIN}),
    "duty.read": frozenset({SUPERVISOR, ADMIN}),  # the roster (today's name alone is on the display)
    "duty.log": frozenset({SUPERVISOR}),  # the duty log and the handover note, written and read
    "patrol.record": frozenset({SUPERVISOR}),
    "patrol.read": frozenset({SUPERVISOR}),
    # the public devices (clerk-tui serve)
    "device.manage": frozenset({SUPERVISOR, ADMIN}),  # register a device (its token shown once), revoke it
    "device.read": frozenset({SUPERVISOR, ADMIN}),  # the devices and their last contact
    "board.read": frozenset({DEVICE_DISPLAY}),  # the hall board as a display shows it: numbers and windows only
    # a window's rating pad: its window's clerk and ticket, the rating of its own window's just-finished visit
    "rating.give": frozenset({DEVICE_PAD}),
    # a self-service kiosk: ordinary tickets (no priority), appointment check-in, and the ticket's
    # one paper on its own printer; nothing else
    "kiosk.issue": frozenset({DEVICE_KIOSK}),
    "assessment.close": frozenset({SUPERVISOR}),  # 窗口考核: close a month, fixing its table and awards
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def allowed_roles_text(permission: str) -> str:
    devices = [DEVICE_KIND_NAMES[k] for k, role in DEVICE_ROLES.items() if role in PERMISSIONS.get(permission, ())]
    return "、".join([*(ROLE_NAMES[r] for r in ROLES if r in PERMISSIONS.get(permission, ())), *devices])
