"""CSRF protection for cookie sessions: a token bound to the session (signed double submit).

The CSRF token is ``HMAC-SHA256(server key, "csrf:" + session id)``. The server sets it in a
cookie readable by the page's script (not HttpOnly) and returns it at login; every request that
changes state and authenticates by the session cookie must echo it in the ``X-CSRF-Token``
header. An attacker's page can make the browser send the cookies but can neither read them nor
compute the HMAC, so the header is missing or wrong (OWASP CSRF Prevention Cheat Sheet,
"signed double-submit cookie"; ASVS 4.2.2). A new session (every login) gives a new token.

Requests authenticated by a bearer token carry no ambient authority and need no CSRF token.
The ``Origin`` header, when present, must also be one of the allowed origins (defence in depth).
"""

from __future__ import annotations

import hashlib
import hmac

from cocontrol.security.tokens import same

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "X-CSRF-Token"
COOKIE = "cocontrol_csrf"


def csrf_token(key: bytes, session_id: str) -> str:
    return hmac.new(key, b"csrf:" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, session_id: str, header_value: str | None) -> bool:
    """The header carries this session's token (constant-time)."""
    if not header_value:
        return False
    return same(csrf_token(key, session_id), header_value.strip())


def needs_check(method: str) -> bool:
    """State-changing methods need the token (GET must never change state)."""
    return method.upper() not in SAFE_METHODS


def origin_ok(origin: str | None, allowed: frozenset[str] | set[str]) -> bool:
    """No Origin header (same-origin GETs, old clients) or one of ``allowed``."""
    if origin is None:
        return True
    return origin.rstrip("/") in {a.rstrip("/") for a in allowed}
