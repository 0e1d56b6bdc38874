"""PIN hashing with scrypt (memory-hard). A PIN is never stored or logged in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# 16 MiB of memory per hash (128 * r * n); about 50 ms on this class of machine. The cost is
# log2(n): DEFAULT_COST in production; the test suite lowers it (settings.pin_cost) so that hundreds
# of logins do not spend minutes in scrypt. A stored hash carries its own n, so hashes made at any
# cost keep verifying.
DEFAULT_COST, MIN_COST, MAX_COST = 14, 10, 20
_R, _P = 8, 1
MIN_LEN, MAX_LEN = 4, 12


def pin_problem(pin: str) -> str | None:
    """Why a new PIN is not acceptable, or None."""
    if not pin or not pin.isascii() or not pin.isdigit():
        return f"PIN 必须是{MIN_LEN}到{MAX_LEN}位数字"
    if not MIN_LEN <= len(pin) <= MAX_LEN:
        return f"PIN 必须是{MIN_LEN}到{MAX_LEN}位数字，现在是{len(pin)}位"
    return None


def hash_pin(pin: str, *, cost: int = DEFAULT_COST) -> str:
    """The scrypt hash of ``pin`` at ``cost`` (log2 of scrypt's n, MIN_COST..MAX_COST)."""
    if not MIN_COST <= cost <= MAX_COST:
        raise ValueError(f"scrypt cost {cost} outside {MIN_COST}..{MAX_COST}")
    n = 2**cost
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"scrypt${n}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def generate_pin(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))
