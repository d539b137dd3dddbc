"""Password hashing (argon2id) and the password policy.

Hashing parameters follow the OWASP Password Storage Cheat Sheet: argon2id with at least
19 MiB of memory, 2 iterations and 1 degree of parallelism; the production default here is
the RFC 9106 "second recommended option" (64 MiB, t=3, p=4), which exceeds it. Tests pass the
deliberately cheap :data:`TEST_PARAMS` through the settings; :func:`verify` reports when a stored
hash was made with other parameters so that the service re-hashes it at the next login.

The policy follows OWASP ASVS 4.0.3 V2.1: at least 12 characters (2.1.1), up to 128 allowed
(2.1.2), any printable Unicode including spaces, normalised NFKC (2.1.4), no composition rules
(2.1.9), and a check against a list of common passwords (2.1.7). Passwords are never truncated.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from dataclasses import dataclass
from functools import cache

import yaml
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cocontrol import refdata
from cocontrol.i18n import Msg as M
from cocontrol.security.errors import PasswordRejected, SecurityError


@dataclass(frozen=True)
class HashParams:
    """argon2id cost parameters (memory in KiB)."""

    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 4

    def __post_init__(self) -> None:
        if self.time_cost < 1 or self.memory_cost < 8 * self.parallelism or self.parallelism < 1:
            raise ValueError(M("msg.sec_argon2_params", params=self))


PRODUCTION_PARAMS = HashParams()
"""RFC 9106 second recommended option; above the OWASP minimum (m=19 MiB, t=2, p=1)."""

OWASP_MINIMUM = HashParams(time_cost=2, memory_cost=19456, parallelism=1)

TEST_PARAMS = HashParams(time_cost=1, memory_cost=8, parallelism=1)
"""Cheap parameters for the test suite only (selected through the service settings)."""


@cache
def _hasher(params: HashParams) -> PasswordHasher:
    return PasswordHasher(time_cost=params.time_cost, memory_cost=params.memory_cost,
                          parallelism=params.parallelism, hash_len=32, salt_len=16,
                          type=Type.ID)


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str, params: HashParams = PRODUCTION_PARAMS) -> str:
    """The PHC string ``$argon2id$v=19$m=...,t=...,p=...$salt$hash`` of ``password``."""
    return _hasher(params).hash(_normalise(password))


def verify_password(stored: str | None, password: str,
                    params: HashParams = PRODUCTION_PARAMS) -> tuple[bool, bool]:
    """``(matches, needs_rehash)``; a missing or malformed stored hash never matches.

    When ``stored`` is None (unknown user, or an account that logs in only through an external
    identity provider) a dummy hash is still computed so that the response time does not reveal
    whether the account exists.
    """
    hasher = _hasher(params)
    if not stored:
        _dummy_verify(params, password)
        return False, False
    try:
        hasher.verify(stored, _normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, hasher.check_needs_rehash(stored)


@cache
def _dummy_hash(params: HashParams) -> str:
    return _hasher(params).hash(secrets.token_urlsafe(16))


def _dummy_verify(params: HashParams, password: str) -> None:
    try:
        _hasher(params).verify(_dummy_hash(params), _normalise(password))
    except VerificationError:
        pass


# -- policy ----------------------------------------------------------------------------------
MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower case), see the file's header for its source."""
    text = refdata.bundled_text("security/common_passwords.yaml")
    return frozenset(str(p).strip().lower() for p in yaml.safe_load(text)["passwords"])


def policy_problems(password: str, user_name: str = "", extra_common: frozenset[str] = frozenset(),
                    min_length: int = MIN_LENGTH) -> list[SecurityError]:
    """Every rule of the policy that ``password`` breaks (empty list: acceptable)."""
    pw = _normalise(password)
    problems: list[SecurityError] = []
    n = len(pw)
    if n < min_length:
        problems.append(SecurityError("pw_short", min=min_length))
    if n > MAX_LENGTH:
        problems.append(SecurityError("pw_long", max=MAX_LENGTH))
    low = pw.lower()
    # a common password padded with digits or symbols is still common ("password123!")
    core = low.strip(string.digits + string.punctuation + " ")
    common = common_passwords() | extra_common
    if low in common or core in common:
        problems.append(SecurityError("pw_common"))
    name = _normalise(user_name).lower().strip()
    if len(name) >= 3 and name in low:
        problems.append(SecurityError("pw_user"))
    if n and len(set(pw)) <= max(2, n // 4):
        problems.append(SecurityError("pw_repetitive"))
    return problems


def check_policy(password: str, user_name: str = "", current_hash: str | None = None,
                 params: HashParams = PRODUCTION_PARAMS, **kw) -> None:
    """Raise :class:`PasswordRejected` naming every rule broken; also refuse the current one."""
    problems = policy_problems(password, user_name, **kw)
    if current_hash and verify_password(current_hash, password, params)[0]:
        problems.append(SecurityError("pw_same"))
    if problems:
        raise PasswordRejected(problems)


_OTP_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1O0o")


def one_time_password(length: int = 20) -> str:
    """A random password that satisfies the policy (for the first administrator and resets).

    20 characters from 56 symbols: about 116 bits of entropy, unambiguous to read off a console.
    """
    while True:
        pw = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))
        if not policy_problems(pw):
            return pw
