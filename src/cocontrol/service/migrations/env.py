"""Alembic environment: imports every model so autogenerate and ``check`` see all tables."""

from alembic import context

import cocontrol.service.enterprise_models  # noqa: F401  (permits, accounts, footprints, projects)
import cocontrol.service.models  # noqa: F401  (every model, see models.py)
import cocontrol.service.monitoring_store  # noqa: F401  (monitoring uploads, alerts, cases)
import cocontrol.service.security_models  # noqa: F401  (accounts, audit log)
from cocontrol.service.db import Base, make_engine

config = context.config
target_metadata = Base.metadata
url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")


def run_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(url)
        with engine.connect() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
