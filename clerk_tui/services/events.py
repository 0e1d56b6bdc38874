"""The event log: one row per state change, written in the same transaction as the change.

Each row joins the audit chain as it is written (store/audit_chain): the transaction's first event
locks the chain's head until the commit.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from clerk_tui import clock
from clerk_tui.services.context import Actor
from clerk_tui.store import audit_chain


def record(
    session: Session,
    kind: str,
    *,
    actor: Actor | None = None,
    subject: str = "",
    window: int | None = None,
    **payload: Any,
) -> None:
    if actor is not None and actor.device is not None:  # a public device acts: no staff member, its id
        payload = {"device_id": actor.device.device_id, "device": actor.device.name, **payload}
    values = dict(
        at=clock.now(),
        staff_id=actor.staff_id if actor and actor.device is None else None,
        window_number=window if window is not None else (actor.window if actor else None),
        kind=kind,
        subject=subject,
        payload=json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True),
    )
    # A prepared Core insert at the end of the chain: the log is append-only and needs none of the
    # ORM's bookkeeping (pending ORM changes are flushed first, keeping order).
    audit_chain.append(session, values)
