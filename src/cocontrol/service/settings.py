"""Service settings (pydantic-settings): command-line options override ``COCONTROL_*`` variables.

Settings refuse bad values at start-up instead of failing later: an unknown database scheme, a
data folder that cannot be written, a non-positive time limit, a weak access token, or the demo
data in production.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cocontrol import io
from cocontrol.i18n import Msg as M
from cocontrol.service.security_settings import SecuritySettings

WEAK_TOKENS = {"changethis", "change-me", "secret", "password", "admin", "token", "test"}


class Settings(BaseSettings):
    """Everything ``cocontrol serve`` can be told; see docs/deploy.md."""

    model_config = SettingsConfigDict(env_prefix="COCONTROL_", extra="forbid",
                                      validate_default=True, env_nested_delimiter="__")

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535, description="0: a free port")
    data_dir: Path = Path("cocontrol-data")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file cocontrol.db under data_dir")
    executor: Literal["local", "dask", "inline"] = "local"
    dask_address: str | None = Field(
        None, description="tcp://host:port of a Dask scheduler, or 'local' for an in-process "
                          "LocalCluster")
    workers: int = Field(2, ge=1, le=256, description="processes of the local job executor")
    job_time_limit_s: float = Field(3600.0, gt=0, description="default time limit of a job")
    demo: bool = False
    api_token: SecretStr | None = Field(
        None, description="optional bearer token of the first administrator for scripts "
                          "(stored hashed; no default: unset means none)")
    max_upload_bytes: int = Field(50 * 2**20, gt=0)
    page_size_max: int = Field(500, ge=1)

    security: SecuritySettings = Field(default_factory=SecuritySettings,
                                       description="accounts, sessions, lockout, headers "
                                                   "(docs/security.md)")

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, v: str | None) -> str | None:
        if v is None:
            return v
        scheme = v.split(":", 1)[0].split("+", 1)[0]
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(M("msg.api_db_scheme", scheme=repr(scheme)))
        return v

    @field_validator("api_token")
    @classmethod
    def _strong_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None:
            return v
        raw = v.get_secret_value()
        if raw.lower() in WEAK_TOKENS or len(raw) < 16:
            raise ValueError(M("msg.api_weak_token"))
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.executor == "dask" and not self.dask_address:
            raise ValueError(M("msg.api_dask_address"))
        if self.dask_address and self.executor == "local":
            self.executor = "dask"
        if self.security.password_hashing == "test" and self.environment != "test":
            raise ValueError(M("msg.api_test_hashing"))
        if self.environment == "production" and self.demo:
            raise ValueError(M("msg.api_demo_production"))
        return self

    # derived -----------------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cocontrol.db').resolve()}"

    @property
    def results_dir(self) -> Path:
        return self.data_dir / "results"

    def prepare_dirs(self) -> None:
        """Create the data folder; refuse one that cannot be written."""
        try:
            io.make_dir(self.results_dir)
        except OSError as e:
            raise ValueError(M("msg.api_data_dir_create", path=self.data_dir, detail=e)) from e
        if not os.access(self.data_dir, os.W_OK):
            raise ValueError(M("msg.api_data_dir_write", path=self.data_dir))
