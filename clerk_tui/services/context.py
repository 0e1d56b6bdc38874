"""Who is acting: every service that changes data takes an ``Actor`` and checks its role."""

from __future__ import annotations

from dataclasses import dataclass

from clerk_tui.domain.roles import DEVICE_KIND_NAMES, ROLE_NAMES, allowed, allowed_roles_text
from clerk_tui.services.errors import PermissionDenied


@dataclass(frozen=True)
class DeviceIdentity:
    """Which registered device acts (web/auth.py makes it from the device's token)."""

    device_id: int
    kind: str
    name: str
    printer: str = ""


@dataclass(frozen=True)
class Actor:
    staff_id: int
    number: str
    name: str
    role: str
    department_id: int | None = None
    window: int | None = None
    # Their PIN was set or reset by someone else: until they choose their own (staff.change_own_pin)
    # every service refuses them.
    must_change_pin: bool = False
    # A public device (clerk-tui serve) acting as itself: its kind (display | pad | kiosk), its id
    # and name, its printer. ``staff_id`` is 0 and ``role`` is the device's role (roles.DEVICE_ROLES).
    device: DeviceIdentity | None = None

    @property
    def role_name(self) -> str:
        if self.device is not None:
            return DEVICE_KIND_NAMES.get(self.device.kind, self.role)
        return ROLE_NAMES.get(self.role, self.role)

    @property
    def staff_ref(self) -> int | None:
        """The staff id a row records as its author (issued_by, a print job's staff): none for a device."""
        return None if self.device is not None else self.staff_id


def require_staff_or_device(actor: Actor | None, permission: str, device_permission: str) -> Actor:
    """A service both staff and a public device use: staff need ``permission``, a device
    ``device_permission`` (a kiosk's narrower right, never the staff's)."""
    return require(actor, device_permission if actor is not None and actor.device is not None else permission)


def require(actor: Actor | None, permission: str) -> Actor:
    """Raise PermissionDenied unless ``actor`` may do ``permission``."""
    if actor is None:
        raise PermissionDenied(
            f"此操作需要登录，请用 --staff 或 CLERK_TUI_STAFF/CLERK_TUI_PIN 指定操作人员（{allowed_roles_text(permission)}）"
        )
    if actor.must_change_pin:
        raise PermissionDenied(
            f"请先修改 PIN：{actor.name}（工号 {actor.number}）的 PIN 由他人设置，须先换成只有本人知道的新 PIN"
            "（界面登录时按提示修改，或运行 clerk-tui staff change-pin）"
        )
    if not allowed(actor.role, permission):
        raise PermissionDenied(
            f"{actor.name}（{actor.role_name}）无权执行此操作，需要：{allowed_roles_text(permission)}"
        )
    return actor
