"""Settings of the access layer (``Settings.security``; ``COCONTROL_SECURITY__*`` variables).

Production defaults follow OWASP: argon2id above the OWASP minimum, sessions of at most
12 hours and 30 idle minutes (ASVS 3.3.2), Secure + HttpOnly + SameSite=Strict cookies
(ASVS 3.4), 5 failed logins lock an account for 15 minutes, 20 login attempts per minute per
address. Cheap argon2 (``password_hashing="test"``, or "auto" in the test environment) is
accepted only with environment "test".
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cocontrol.security.headers import DEFAULT_CSP
from cocontrol.security.passwords import PRODUCTION_PARAMS, TEST_PARAMS, HashParams


class SecuritySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password_hashing: Literal["auto", "production", "test"] = Field(
        "auto", description="argon2 cost: 'auto' is cheap in the test environment only")
    session_idle_minutes: float = Field(30, gt=0, le=24 * 60)
    session_absolute_hours: float = Field(12, gt=0, le=24 * 7)
    cookie_secure: bool = Field(True, description="Secure cookies (turn off only for plain "
                                                  "http on a developer's machine)")
    cookie_samesite: Literal["strict", "lax"] = "strict"
    lockout_failures: int = Field(5, ge=1, le=100)
    lockout_minutes: float = Field(15, gt=0)
    lockout_window_minutes: float = Field(15, gt=0)
    login_attempts_per_minute: int = Field(20, ge=1)
    token_max_days: int = Field(365, ge=1)
    allowed_origins: list[str] = Field(
        default_factory=list, description="origins allowed to send state-changing requests "
                                          "besides the server's own (e.g. the dashboard's)")
    csp: str = DEFAULT_CSP
    hsts: bool = Field(False, description="send Strict-Transport-Security (behind TLS only)")
    identity_provider: str | None = Field(
        None, description="'module:callable' returning an IdentityProvider (OIDC/LDAP hook, "
                          "see docs/security.md)")
    common_passwords_file: Path | None = Field(
        None, description="a text file of further refused passwords, one per line")
    bootstrap_admin: str = Field("admin", pattern=r"^[A-Za-z0-9_.\-]{3,100}$")

    def hash_params(self, environment: str = "production") -> HashParams:
        cheap = self.password_hashing == "test" or (
            self.password_hashing == "auto" and environment == "test")
        return TEST_PARAMS if cheap else PRODUCTION_PARAMS
