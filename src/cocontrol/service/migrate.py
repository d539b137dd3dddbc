"""Alembic migrations, driven from Python (no alembic.ini needed): ``cocontrol db upgrade``.

One chain of migrations under ``cocontrol/service/migrations/versions`` creates every table.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from cocontrol.service.db import normalise_url

HERE = Path(__file__).parent / "migrations"


def config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["url"] = normalise_url(url)
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(config(url), revision)


def check(url: str) -> None:
    """Raise when the models and the migrations disagree (``alembic check``)."""
    command.check(config(url))


def heads() -> list[str]:
    return list(ScriptDirectory.from_config(config("sqlite://")).get_heads())
