"""Reads of personal data leave a trace: a lookup of a person (by ID number, phone or name) and the
opening of a case are audit events, saying who, when, at which terminal and what was searched (an
ID number masked, a phone number partly masked: the event log never holds a whole one)."""

from __future__ import annotations

import functools
import os
import re
import socket

from sqlalchemy.engine import Engine

from clerk_tui.domain.ids import mask_id
from clerk_tui.services.context import Actor
from clerk_tui.services.events import record
from clerk_tui.services.tx import transaction

LOOKUP = "access.lookup"  # a search for a person: payload what (cases, …), query (masked), terminal
OPEN_CASE = "access.case"  # a case opened (case show, the case screen): subject is the case number

_ID_LIKE = re.compile(r"[0-9A-Za-z]{15,18}")
_PHONE_LIKE = re.compile(r"(?<![0-9A-Za-z])\d[\d -]{5,}\d(?![0-9A-Za-z])")


@functools.cache
def _host() -> str:
    try:
        return socket.gethostname() or "?"
    except OSError:
        return "?"


def terminal() -> str:
    """Which terminal acts: the host, the terminal device when there is one, and the process."""
    try:
        tty = os.ttyname(0)
    except OSError:  # no terminal on stdin (a script, the tests, a service)
        tty = ""
    return " ".join(part for part in (_host(), tty, f"pid {os.getpid()}") if part)


def masked_query(query: str) -> str:
    """What was searched, fit for the event log: ID numbers and credit codes masked (first 6, last
    4), phone numbers with their middle hidden; names and case numbers as typed."""

    def id_mask(m: re.Match) -> str:
        value = m.group(0)
        return mask_id(value) if any(ch.isdigit() for ch in value) else value

    def phone_mask(m: re.Match) -> str:
        value = m.group(0)
        return value[:3] + "*" * (len(value) - 7) + value[-4:]

    query = query.strip()
    upper = query.upper()
    if len(upper) >= 12 and upper[:2].isalpha() and upper[2:].isdigit():  # a case number
        return upper
    return _PHONE_LIKE.sub(phone_mask, _ID_LIKE.sub(id_mask, query))


def record_lookup(engine: Engine, actor: Actor, what: str, query: str) -> None:
    """A search for a person (``what``: cases, …) by ``query``, in a short transaction of its own."""
    if not query.strip():
        return
    shown = masked_query(query)
    transaction(engine, lambda s: record(s, LOOKUP, actor=actor, what=what, query=shown, terminal=terminal()))


def record_open_case(engine: Engine, actor: Actor, number: str) -> None:
    """A case opened to read, in a short transaction of its own."""
    transaction(engine, lambda s: record(s, OPEN_CASE, actor=actor, subject=number, terminal=terminal()))
