"""A ticket's status on its holder's phone (扫码查看排队进度): the link on the ticket's QR code and
what the page behind it shows.

The link is ``<base>/status?t=<token>`` (domain/status_token.py): the base is the hall's public
address (``[serve] public_url``, else the serve address, set for this process by ``configure``),
the token names one ticket of one day and is its holder's only right: whoever has the paper may
see how far their number is. What they see is the number, its queue, how many are ahead and, once
called, the window — never an ID number, an item or a name — and only on the ticket's day: later
the link says it expired (``LinkExpired``, HTTP 410 on the web).

The token needs the hall's secret key (the PIN key file): without it a terminal prints tickets
without the QR code and ``status_url`` is None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from clerk_tui import clock
from clerk_tui.domain.queueing import CALLED, DONE, NO_SHOW, SERVING, STATUS_NAMES, WAITING
from clerk_tui.domain.status_token import BadToken, genuine, make_token, parse_token, status_key
from clerk_tui.services import pin_key
from clerk_tui.services.errors import AuthError, ServiceError
from clerk_tui.settings import ServeSettings, Settings

_configured: dict[str, str] = {}
STATUS_PATH = "/status"


class LinkExpired(ServiceError):
    """A genuine-looking link of an earlier day: the ticket is no longer in any queue."""


def configure(settings: Settings) -> None:
    """The public base URL status links use in this process (the CLI, the TUI, serve)."""
    _configured["base"] = settings.serve.base_url()


def base_url() -> str:
    return _configured.get("base") or ServeSettings().base_url()


def _key() -> bytes | None:
    secret = pin_key.key_or_none()
    return status_key(secret) if secret is not None else None


def link_token(ticket_id: int, day: dt.date, issued_at: dt.datetime) -> str | None:
    """The ticket's status token, or None where the hall's key file is missing."""
    key = _key()
    return make_token(key, ticket_id, day, issued_at) if key is not None else None


def status_url(ticket: Any, base: str | None = None) -> str | None:
    """The address of ``ticket``'s status page (a TicketView or a Ticket row), or None without a key."""
    token = link_token(ticket.id, ticket.business_date, ticket.issued_at)
    if token is None:
        return None
    return f"{(base or base_url()).rstrip('/')}{STATUS_PATH}?t={token}"


_INVALID = "此链接无效：请扫描号票上的二维码，或在导办台询问"


def verify(engine: Engine, token: str | None) -> int:
    """The id of the ticket ``token`` names if it is genuine and of today; AuthError if not, and
    LinkExpired if it is of an earlier day (checked before any lookup)."""
    try:
        ticket_id, day, mac = parse_token(token)
    except BadToken:
        raise AuthError(_INVALID) from None
    today = clock.today()
    if day < today:
        raise LinkExpired(f"这是 {day.month}月{day.day}日 的号票：排队进度只在取号当天可查，号票已过期")
    key = _key()
    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Ticket

    with read_session(engine) as session:
        row = session.get(Ticket, ticket_id)
        issued_at = row.issued_at if row is not None else dt.datetime.min
    # The MAC is computed and compared whether or not the ticket exists: the answer takes as long.
    ok = key is not None and genuine(key, ticket_id, day, issued_at, mac)
    if not ok or row is None or day != today or row.business_date != day:
        raise AuthError(_INVALID)
    return ticket_id


@dataclass(frozen=True)
class TicketStatus:
    """What the status page shows: numbers, the queue, windows and a sentence; nothing of a person."""

    hall: str
    number: str
    queue: str
    queue_name: str
    business_date: dt.date
    status: str  # waiting, called, serving, done, no_show
    ahead: int | None  # waiting tickets a window calls before this one (None when not waiting)
    window: int | None  # the window it is called to, served or was served at
    target_window: int | None  # transferred to one window
    transferred: bool
    recalls: int
    headline: str  # the one sentence in large type
    detail: str  # what to do

    def as_json(self) -> dict[str, Any]:
        return {
            "hall": self.hall,
            "number": self.number,
            "queue": self.queue,
            "queue_name": self.queue_name,
            "business_date": self.business_date.isoformat(),
            "status": self.status,
            "status_name": STATUS_NAMES.get(self.status, self.status),
            "ahead": self.ahead,
            "window": self.window,
            "target_window": self.target_window,
            "transferred": self.transferred,
            "recalls": self.recalls,
            "headline": self.headline,
            "detail": self.detail,
        }


def _words(status: str, ahead: int | None, window: int | None, target: int | None, queue: str, moved: bool):
    """(headline, detail) for a ticket's state, in the plain words of a hall's staff."""
    if status == WAITING:
        where = f"已转到{target}号窗口" if moved and target else f"已转到{queue}" if moved else "排队中"
        if not ahead:
            return f"{where}：下一位就是您", "请留意叫号屏和语音，叫到时请到窗口办理"
        return f"{where}：前面还有 {ahead} 人", "本页会自动更新，叫到您时会显示窗口号"
    if status == CALLED:
        return f"请到 {window} 号窗口办理", "已叫到您的号，请尽快前往；过号后请到导办台"
    if status == SERVING:
        return f"正在 {window} 号窗口办理", "如需补充材料，请按窗口工作人员的告知办理"
    if status == DONE:
        return "已办结", f"已在 {window} 号窗口办结，感谢您的耐心等候" if window else "感谢您的耐心等候"
    if status == NO_SHOW:
        return "已过号", "叫号时未到窗口：请到导办台说明，按规定重新排队"
    return STATUS_NAMES.get(status, status), ""


def ticket_status(engine: Engine, ticket_id: int) -> TicketStatus:
    """The status of a ticket whose link was verified (``verify``)."""
    from clerk_tui.services.catalog import get_hall
    from clerk_tui.services.queue.rows import ahead_of
    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Queue, Ticket

    with read_session(engine) as session:
        t = session.get(Ticket, ticket_id)
        if t is None:
            raise AuthError(_INVALID)
        queue = session.get(Queue, t.queue_id)
        ahead = ahead_of(session, t) if t.status == WAITING else None
        hall = get_hall(session).name
        assert queue is not None
        headline, detail = _words(
            t.status, ahead, t.window_number, t.target_window, f"{queue.prefix} {queue.name}", t.transfers > 0
        )
        return TicketStatus(
            hall,
            t.number,
            queue.prefix,
            queue.name,
            t.business_date,
            t.status,
            ahead,
            t.window_number if t.status != WAITING else None,
            t.target_window,
            t.transfers > 0,
            t.recalls,
            headline,
            detail,
        )


def status_by_token(engine: Engine, token: str | None) -> TicketStatus:
    return ticket_status(engine, verify(engine, token))
