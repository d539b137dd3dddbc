"""Session ids and bearer tokens: generation, storage form (hashed), parsing and checks.

Both are 256-bit random secrets from :mod:`secrets` (OWASP ASVS 3.2.2: at least 64 bits of
entropy). The database stores only their SHA-256 digest, so a copy of the database does not
let anyone log in; a high-entropy secret needs no slow hash. Comparisons are constant-time.

A bearer token reads ``cct_<id>_<secret>``: the id finds the row, the secret is checked against
the stored digest. A token is limited to a list of scopes (permissions, a subset of its owner's)
and stops working when revoked, when it expires or when its owner is disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN_PREFIX = "cct"
_TOKEN_RE = re.compile(rf"^{TOKEN_PREFIX}_([A-Za-z0-9]{{12}})_([A-Za-z0-9_-]{{43}})$")


def digest(secret: str) -> str:
    """The stored form of a session id or token secret (hex SHA-256)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_session_id() -> str:
    """A fresh session id (256 bits, URL-safe). Issued anew at every login (no fixation)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class NewToken:
    """A freshly issued bearer token: ``plaintext`` is shown once, ``key`` and ``hash`` stored."""

    key: str
    plaintext: str
    hash: str


def new_token() -> NewToken:
    key = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
                  for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return NewToken(key=key, plaintext=f"{TOKEN_PREFIX}_{key}_{secret}", hash=digest(secret))


def parse_token(text: str) -> tuple[str, str] | None:
    """``(key, secret)`` of a well-formed token, else None (never raises on user input)."""
    m = _TOKEN_RE.match(text.strip()) if isinstance(text, str) else None
    return (m.group(1), m.group(2)) if m else None


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header value, else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@dataclass(frozen=True)
class TokenState:
    """What the service knows about a stored token when checking it."""

    hash: str
    scopes: tuple[str, ...]
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    owner_active: bool = True


def token_valid(state: TokenState, secret: str, now: dt.datetime) -> bool:
    """The secret matches and the token is neither revoked, expired nor orphaned."""
    if not same(digest(secret), state.hash):
        return False
    if state.revoked_at is not None and state.revoked_at <= now:
        return False
    if state.expires_at is not None and now >= state.expires_at:
        return False
    return state.owner_active


def effective_permissions(owner: Iterable[str], scopes: Iterable[str]) -> frozenset[str]:
    """A token can do what both its scopes and its owner's roles allow (never more).

    ``"*"`` in the owner's permissions (administrator) admits every scope the token names;
    ``"*"`` in the scopes means "everything the owner may do".
    """
    owner = frozenset(owner)
    scopes = frozenset(scopes)
    if "*" in scopes:
        return owner
    if "*" in owner:
        return scopes
    return owner & scopes
