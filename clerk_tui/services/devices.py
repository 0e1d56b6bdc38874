"""The public devices of the web server (clerk-tui serve): registered by a supervisor or the
administrator, admitted by a long random token, revoked when lost.

A device's token is made here, shown once (in the device's URL) and stored only as its SHA-256:
a copy of the database lets no one in as a device. ``authenticate`` is the one check every web page
goes through (web/auth.py); it returns the device as an ``Actor`` of its kind (roles.DEVICE_ROLES),
so services check a device's rights as they check a person's.

A device's last contact (``last_seen_at``) is written at most once a minute per device and without
an event row: it is a heartbeat, not a change of the hall's state, and an event per minute per
device would flood the log (and wake every terminal that polls it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clerk_tui import clock
from clerk_tui.domain.roles import DEVICE_KIND_NAMES, DEVICE_ROLES
from clerk_tui.services import events
from clerk_tui.services.context import Actor, DeviceIdentity, require
from clerk_tui.services.errors import AuthError, NotFound, ServiceError, typed_text
from clerk_tui.services.queue import HallBoard, hall_board
from clerk_tui.services.tx import transaction
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import Device, Staff, Window, id_of

KINDS = tuple(DEVICE_ROLES)  # display, pad, kiosk
TOUCH_EVERY = 60.0  # seconds: a device's last contact is written at most this often
DARK_AFTER = dt.timedelta(minutes=2)  # a device silent this long has gone dark (the supervisor sees it)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DeviceView:
    id: int
    kind: str
    name: str
    window: int | None
    printer: str
    created_by: str  # the staff number
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None

    @property
    def kind_name(self) -> str:
        return DEVICE_KIND_NAMES.get(self.kind, self.kind)

    def dark(self, now: dt.datetime) -> bool:
        """Not heard from in DARK_AFTER (or never): a display that went dark stands out."""
        return self.revoked_at is None and (self.last_seen_at is None or now - self.last_seen_at > DARK_AFTER)


@dataclass(frozen=True)
class NewDevice:
    """A device just registered, with its token: the only time the token exists outside the device."""

    device: DeviceView
    token: str


def _view(device: Device, staff_number: str) -> DeviceView:
    return DeviceView(
        id_of(device),
        device.kind,
        device.name,
        device.window_number,
        device.printer,
        staff_number,
        device.created_at,
        device.revoked_at,
        device.last_seen_at,
    )


def add_device(
    engine: Engine,
    actor: Actor | None,
    kind: str,
    name: str,
    *,
    window: int | None = None,
    printer: str = "",
) -> NewDevice:
    """Register a device (supervisor or administrator). A rating pad needs its window."""
    require(actor, "device.manage")
    assert actor is not None
    if kind not in KINDS:
        raise ServiceError(
            f"设备类型 {kind!r} 无效，可用：" + "、".join(f"{k}（{DEVICE_KIND_NAMES[k]}）" for k in KINDS)
        )
    name = typed_text(name, 40, "设备名称（如 大厅东屏、3号窗口评价器）", required=True)
    printer = typed_text(printer, 200, "打印机")
    if kind == "pad" and window is None:
        raise ServiceError("评价器须绑定一个窗口：请加 --window 窗口号")
    token = secrets.token_urlsafe(32)

    def work(session: Session) -> DeviceView:
        if window is not None and session.exec(select(Window).where(Window.number == window)).first() is None:
            raise NotFound(f"没有 {window} 号窗口：请先用 clerk-tui window list 查看已有窗口")
        clash = session.exec(
            select(Device).where(Device.name == name, Device.revoked_at == None)  # noqa: E711
        ).first()
        if clash is not None:
            raise ServiceError(
                f"已有名为 {name} 的设备：请换一个名字，或先吊销旧的（clerk-tui device revoke {clash.id}）"
            )
        device = Device(
            kind=kind,
            name=name,
            window_number=window,
            printer=printer,
            token_hash=token_hash(token),
            created_by=actor.staff_id,
            created_at=clock.now(),
        )
        session.add(device)
        session.flush()
        events.record(
            session, "device.added", actor=actor, subject=str(device.id), device_kind=kind, name=name, window=window
        )
        return _view(device, actor.number)

    return NewDevice(transaction(engine, work), token)


def list_devices(engine: Engine, actor: Actor | None, *, revoked: bool = False) -> list[DeviceView]:
    """The devices (the revoked ones too when asked), with their last contact."""
    require(actor, "device.read")
    with read_session(engine) as session:
        stmt = select(Device, Staff.number).join(Staff, Staff.id == Device.created_by).order_by(Device.id)
        if not revoked:
            stmt = stmt.where(Device.revoked_at == None)  # noqa: E711
        return [_view(d, number) for d, number in session.exec(stmt)]


def revoke_device(engine: Engine, actor: Actor | None, device_id: int) -> DeviceView:
    """Revoke a device: its token stops working at its next request (an open page is cut off
    within a minute)."""
    require(actor, "device.manage")

    def work(session: Session) -> DeviceView:
        row = session.exec(
            select(Device, Staff.number).join(Staff, Staff.id == Device.created_by).where(Device.id == device_id)
        ).first()
        if row is None:
            raise NotFound(f"没有编号为 {device_id} 的设备：请用 clerk-tui device list 查看")
        device, number = row
        if device.revoked_at is not None:
            raise ServiceError(f"设备 {device.name}（编号 {device_id}）已于 {device.revoked_at:%Y-%m-%d %H:%M} 吊销")
        device.revoked_at = clock.now()
        session.add(device)
        events.record(
            session, "device.revoked", actor=actor, subject=str(device_id), device_kind=device.kind, name=device.name
        )
        return _view(device, number)

    return transaction(engine, work)


def authenticate(engine: Engine, token: str | None, kind: str | None = None) -> Actor:
    """The device a token belongs to, as an Actor of its kind; AuthError when the token is missing,
    unknown or revoked, or the device is not of ``kind``. The message names nothing of the hall."""
    if not token or not _TOKEN_SHAPE.fullmatch(token):
        raise AuthError("需要有效的设备令牌：请使用 clerk-tui device add 给出的完整网址")
    with read_session(engine) as session:
        device = session.exec(select(Device).where(Device.token_hash == token_hash(token))).first()
    if device is None or device.revoked_at is not None:
        raise AuthError("设备令牌无效或已吊销：请向带班领导索取新的网址（clerk-tui device add）")
    if kind is not None and device.kind != kind:
        raise AuthError(f"此网址属于{DEVICE_KIND_NAMES.get(device.kind, device.kind)}，不能打开这个页面")
    return device_actor(device)


def device_actor(device: Device) -> Actor:
    return Actor(
        staff_id=0,
        number=f"device-{device.id}",
        name=device.name,
        role=DEVICE_ROLES[device.kind],
        window=device.window_number,
        device=DeviceIdentity(id_of(device), device.kind, device.name, device.printer),
    )


class ContactClock:
    """When each device was last written as seen, in this process: ``touch`` writes at most once
    every TOUCH_EVERY seconds per device, however many requests it makes."""

    def __init__(self, every: float = TOUCH_EVERY) -> None:
        self.every = every
        self._last: dict[int, float] = {}
        self._lock = threading.Lock()

    def due(self, device_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(device_id)
            if last is not None and now - last < self.every:
                return False
            self._last[device_id] = now
            return True


def touch(engine: Engine, actor: Actor, contacts: ContactClock) -> bool:
    """Record that a device was heard from now (rate-limited by ``contacts``). True if written."""
    if actor.device is None or not contacts.due(actor.device.device_id):
        return False
    device_id = actor.device.device_id
    transaction(
        engine,
        lambda session: session.exec(update(Device).where(Device.id == device_id).values(last_seen_at=clock.now())),
    )
    return True


@dataclass(frozen=True)
class DisplayBoard:
    """What a hall display shows: the board (numbers, windows, counts), the name of today's
    supervisor on duty (领导带班, public as on the TUI display) and this month's awards in one line
    (流动红旗窗口：3号 …), both empty when there are none."""

    board: HallBoard
    on_duty: str
    awards: str


def display_board(engine: Engine, actor: Actor | None, limit: int = 8) -> DisplayBoard:
    """The hall board as a display device shows it: calls (numbers and windows), waiting counts,
    the hall's name, the supervisor on duty and the month's awards; nothing of any applicant."""
    from clerk_tui.services.assessment import awards_for, awards_line  # the display's extras, read per change
    from clerk_tui.services.duty import on_duty

    require(actor, "board.read")
    today = clock.today()
    duty = on_duty(engine, today)
    return DisplayBoard(hall_board(engine, limit), duty.name if duty else "", awards_line(awards_for(engine, today)))
