"""Session ids and bearer tokens: generation, storage form (hashed), parsing and checks.

Both are 256-bit random secrets from :mod:`secrets` (OWASP ASVS 3.2.2: at least 64 bits of
entropy). The database stores only their SHA-256 digest, so a copy of the database does not
let anyone log in; a high-entropy secret needs no slow hash. Comparisons are constant-time.

A bearer token reads ``cct_<43 random characters>`` (the prefix lets secret scanners and
people recognise it); the service finds its row by the digest of the whole token. A token is
limited to a list of scopes (permissions, a subset of its owner's) and stops working when
revoked, when it expires or when its owner is disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN_PREFIX = "cct_"
_TOKEN_RE = re.compile(r"^cct_[A-Za-z0-9_-]{43}$")


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
    """A freshly issued bearer token: ``plaintext`` is shown once; ``hash`` and the short
    ``hint`` (to tell tokens apart in a list) are stored."""

    plaintext: str
    hash: str
    hint: str


def new_token() -> NewToken:
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewToken(plaintext=plaintext, hash=digest(plaintext), hint=plaintext[:8] + "...")


def well_formed(text: object) -> bool:
    """The shape of a generated token (a cheap filter before any database look-up)."""
    return isinstance(text, str) and bool(_TOKEN_RE.match(text))


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


def token_valid(state: TokenState, token: str, now: dt.datetime) -> bool:
    """The token matches and is neither revoked, expired nor orphaned."""
    if not same(digest(token), state.hash):
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
