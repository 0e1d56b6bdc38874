"""自助取号机: what a self-service kiosk (a device actor, ``kiosk.issue``) may do, and nothing more.

The applicant picks a department or a common item, or finds the rest by pinyin initials (the
guide desk's search, domain/search.py through services/catalog.py), sees what to bring, may type
an ID number (checked by domain/ids.py; the per-ID limit of issuing.py), and gets an ordinary
ticket printed on the kiosk's printer; an appointment checks in by ID number. Priority tickets
stay with the guide desk (issuing.issue_ticket refuses them for a device). The ticket is committed
before the printer is touched: a failed print leaves the ticket valid and says why, so the page
shows the number large to note down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from clerk_tui import clock
from clerk_tui.domain.queueing import QueuePolicy
from clerk_tui.services import printing
from clerk_tui.services.appointments import check_in
from clerk_tui.services.catalog import ItemGuide, get_hall, get_item, list_items
from clerk_tui.services.context import Actor, require
from clerk_tui.services.errors import ServiceError
from clerk_tui.services.queue import TicketView, issue_ticket
from clerk_tui.settings import PrintSettings
from clerk_tui.store.engine import read_session
from clerk_tui.store.models import ServiceItem, Ticket

COMMON = 8  # common items on the first screen
COMMON_DAYS = 30  # "common": the most tickets in these many days
SEARCH_LIMIT = 12


@dataclass(frozen=True)
class Menu:
    hall: str
    departments: tuple[tuple[str, tuple[ItemGuide, ...]], ...]  # (department, its items) by name
    common: tuple[ItemGuide, ...]


@dataclass(frozen=True)
class KioskTicket:
    """A ticket the kiosk issued, and what its printer did."""

    ticket: TicketView
    printed: bool
    print_message: str  # why it did not print ("" when printed)
    message: str = ""  # a check-in's words (on time / late)


def menu(engine: Engine, actor: Actor | None) -> Menu:
    """The departments with their items, and the items most taken in the last days (the catalog's
    first ones while the hall has no history)."""
    require(actor, "kiosk.issue")
    items = list_items(engine)
    since = clock.today() - dt.timedelta(days=COMMON_DAYS)
    with read_session(engine) as session:
        hall = get_hall(session).name
        counts = dict(
            session.exec(
                select(ServiceItem.code, func.count(Ticket.id))
                .join(Ticket, Ticket.item_id == ServiceItem.id)
                .where(Ticket.business_date >= since)
                .group_by(ServiceItem.code)
            ).all()
        )
    ranked = sorted(items, key=lambda g: (-counts.get(g.code, 0), g.code))
    departments: dict[str, list[ItemGuide]] = {}
    for guide in items:
        departments.setdefault(guide.department, []).append(guide)
    return Menu(hall, tuple((d, tuple(departments[d])) for d in sorted(departments)), tuple(ranked[:COMMON]))


def search(engine: Engine, actor: Actor | None, query: str) -> list[ItemGuide]:
    """The items matching ``query`` (name, pinyin initials, keywords), best first."""
    require(actor, "kiosk.issue")
    query = (query or "").strip()[:40]
    return list_items(engine, query)[:SEARCH_LIMIT] if query else []


def item(engine: Engine, actor: Actor | None, code: str) -> ItemGuide:
    """One item's guide: its queue, windows and the materials to bring."""
    require(actor, "kiosk.issue")
    return get_item(engine, code)


def take_ticket(
    engine: Engine,
    actor: Actor | None,
    item_code: str,
    *,
    id_number: str | None = None,
    policy: QueuePolicy = QueuePolicy(),
    cfg: PrintSettings = PrintSettings(),
) -> KioskTicket:
    """An ordinary ticket for the item, printed on the kiosk's printer."""
    require(actor, "kiosk.issue")
    if not (item_code or "").strip():
        raise ServiceError("请先选择要办理的事项")
    ticket = issue_ticket(engine, actor, item_code=item_code, id_number=id_number or None, policy=policy)
    return _printed(engine, actor, ticket, cfg)


def appointment_check_in(
    engine: Engine,
    actor: Actor | None,
    id_number: str,
    *,
    policy: QueuePolicy = QueuePolicy(),
    cfg: PrintSettings = PrintSettings(),
) -> KioskTicket:
    """签到 by ID number (appointments.check_in), the ticket printed on the kiosk's printer."""
    require(actor, "kiosk.issue")
    done = check_in(engine, actor, id_number, policy)
    return _printed(engine, actor, done.ticket, cfg, done.message)


def _printed(
    engine: Engine, actor: Actor | None, ticket: TicketView, cfg: PrintSettings, message: str = ""
) -> KioskTicket:
    """Print the ticket once; its real outcome (a failure never undoes the ticket)."""
    try:
        job = printing.print_paper(engine, actor, "ticket", ticket.number, cfg=cfg, day=ticket.business_date)
    except ServiceError as exc:  # no printer set, or one the settings do not name
        return KioskTicket(ticket, False, exc.message, message)
    if job.status == "printed":
        return KioskTicket(ticket, True, "", message)
    return KioskTicket(ticket, False, job.error or "打印机没有确认已打印", message)
