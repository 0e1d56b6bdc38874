"""The token of a ticket's status link (the QR code on the ticket): ``<id>-<yyyymmdd>-<mac>``.

The MAC is HMAC-SHA256 over the ticket's id, business day and issue time with a key of its own,
derived from the hall's secret key (the PIN key file, never used raw here), cut to 128 bits. A token
names one ticket of one day: another ticket's token, a changed digit or a made-up one fails the MAC
(compared in constant time), and so does an old link once a rebuilt hall gives its id to another
ticket (the issue time differs). The day in the token lets an old link be told "expired" before any
lookup.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re

PURPOSE = b"clerk-tui ticket status link v1"  # the label of the derived key: never the raw key
MAC_BYTES = 16
_SHAPE = re.compile(r"([1-9][0-9]{0,11})-([0-9]{8})-([A-Za-z0-9_-]{22})")


class BadToken(ValueError):
    """Not a token of this hall: malformed, or its MAC does not match."""


def status_key(secret: bytes) -> bytes:
    """The status links' own key, derived from the hall's secret (a leaked link reveals nothing of it)."""
    return hmac.new(secret, PURPOSE, hashlib.sha256).digest()


def _mac(key: bytes, ticket_id: int, day: dt.date, issued_at: dt.datetime) -> str:
    message = f"{ticket_id}|{day:%Y%m%d}|{issued_at.isoformat(timespec='seconds')}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(key: bytes, ticket_id: int, day: dt.date, issued_at: dt.datetime) -> str:
    return f"{ticket_id}-{day:%Y%m%d}-{_mac(key, ticket_id, day, issued_at)}"


def parse_token(token: str | None) -> tuple[int, dt.date, str]:
    """(ticket id, business day, MAC) of a well-formed token, not yet checked; BadToken otherwise."""
    m = _SHAPE.fullmatch(token or "")
    if m is None:
        raise BadToken("malformed")
    try:
        day = dt.datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        raise BadToken("malformed") from None
    return int(m.group(1)), day, m.group(3)


def genuine(key: bytes, ticket_id: int, day: dt.date, issued_at: dt.datetime, mac: str) -> bool:
    """Whether ``mac`` is this ticket's (constant-time comparison)."""
    return hmac.compare_digest(_mac(key, ticket_id, day, issued_at), mac)
