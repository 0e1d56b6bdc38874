"""PIN rules and hashing. A PIN is never stored or logged in clear.

A hall's hashes are keyed: ``scrypt-k`` is scrypt over HMAC-SHA256(key, PIN), the key a secret file
kept outside the database (services/pin_key.py), so that a copied database alone cannot be
cracked. Unkeyed ``scrypt`` hashes (made before the key) keep verifying and are rehashed keyed at
their owner's next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets

# 16 MiB of memory per hash (128 * r * n); about 50 ms on this class of machine. The cost is
# log2(n): DEFAULT_COST in production; the test suite lowers it (settings.pin_cost) so that hundreds
# of logins do not spend minutes in scrypt. A stored hash carries its own n, so hashes made at any
# cost keep verifying.
DEFAULT_COST, MIN_COST, MAX_COST = 14, 10, 20
_R, _P = 8, 1
# A real hall's PINs have at least MIN_LEN digits (the setting pin_min_length may ask more); only
# the demo hall (and the test suite's mini hall, marked as one) keeps DEMO_MIN_LEN-digit PINs.
MIN_LEN, DEMO_MIN_LEN, MAX_LEN = 6, 4, 12
PLAIN, KEYED = "scrypt", "scrypt-k"
KEY_BYTES = 32

# Besides one digit repeated and runs (123456, 654321, 890123), the commonest PINs people choose.
COMMON = frozenset(
    {
        "112233",
        "121212",
        "123123",
        "123321",
        "111222",
        "147258",
        "147369",
        "159357",
        "159753",
        "258369",
        "520520",
        "521521",
        "520131",
        "131420",
        "5201314",
        "100200",
        "101010",
        "110110",
        "123654",
        "123789",
        "12345678",
        "88888888",
        "11223344",
    }
)


def _obvious(pin: str) -> bool:
    if len(set(pin)) == 1 or pin in COMMON:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})  # every digit one up (or down) from the last, 0 following 9


def pin_problem(pin: str, *, min_length: int = MIN_LEN, demo: bool = False) -> str | None:
    """Why a new PIN is not acceptable, or None. ``min_length`` is the hall's setting (never below
    MIN_LEN); in the demo hall (``demo``) DEMO_MIN_LEN digits do and obvious PINs are allowed."""
    low = DEMO_MIN_LEN if demo else max(min_length, MIN_LEN)
    if not pin or not pin.isascii() or not pin.isdigit() or not low <= len(pin) <= MAX_LEN:
        now = f"，现在是{len(pin)}位" if pin and pin.isascii() and pin.isdigit() else ""
        return f"PIN 必须是{low}到{MAX_LEN}位数字{now}"
    if not demo and _obvious(pin):
        return (
            "PIN 太容易被猜中（同一数字重复、123456/654321 这样的连续数字或常见组合）："
            f"请换一组无规律的{low}位以上数字，不要用生日、电话或工号"
        )
    return None


def _keyed(pin: str, key: bytes) -> bytes:
    return hmac.new(key, pin.encode(), hashlib.sha256).digest()


def hash_pin(pin: str, *, cost: int = DEFAULT_COST, key: bytes | None = None) -> str:
    """The scrypt hash of ``pin`` at ``cost`` (log2 of scrypt's n, MIN_COST..MAX_COST): keyed
    (``scrypt-k``) with ``key``, else the old unkeyed form (``scrypt``)."""
    if not MIN_COST <= cost <= MAX_COST:
        raise ValueError(f"scrypt cost {cost} outside {MIN_COST}..{MAX_COST}")
    if key is not None and len(key) != KEY_BYTES:
        raise ValueError(f"PIN key must be {KEY_BYTES} bytes")
    n = 2**cost
    salt = secrets.token_bytes(16)
    secret = pin.encode() if key is None else _keyed(pin, key)
    digest = hashlib.scrypt(secret, salt=salt, n=n, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"{PLAIN if key is None else KEYED}${n}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def needs_key(stored: str) -> bool:
    """Whether verifying ``stored`` needs the hall's key."""
    return stored.startswith(KEYED + "$")


def verify_pin(pin: str, stored: str, key: bytes | None = None) -> bool:
    """Whether ``pin`` matches ``stored``. A keyed hash never matches without its key: the caller
    says what to do when the key is missing (services/pin_key.py) before it asks."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme == KEYED:
            if key is None:
                return False
            secret = _keyed(pin, key)
        elif scheme == PLAIN:
            secret = pin.encode()
        else:
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(secret, salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def generate_pin(length: int = 8) -> str:
    """A random PIN that passes the rules."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(length))
        if pin_problem(pin, min_length=min(length, MAX_LEN)) is None:
            return pin
