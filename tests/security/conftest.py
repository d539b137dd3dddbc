"""Fixtures of the security tests: an app on SQLite and on PostgreSQL, users of every role.

PostgreSQL: ``COCONTROL_TEST_PG`` (scripts/ensure-postgres.sh sets it), default
``postgresql://postgres@127.0.0.1:5432/postgres``; databases are named
``cocontrol_test_security_*`` and dropped afterwards. Without a server the PostgreSQL cases skip,
except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid

import pytest

PG_ADMIN = os.environ.get("COCONTROL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = f"cocontrol_test_security_{os.getpid()}"


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def sec_pg_template():
    """A migrated template database (made once per session)."""
    try:
        _pg("SELECT 1")
    except Exception as e:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {e}")
        pytest.skip(f"PostgreSQL not reachable ({e}); run scripts/ensure-postgres.sh")
    from cocontrol.service import migrate

    name = f"{PREFIX}_tmpl"
    _pg(f'DROP DATABASE IF EXISTS "{name}"')
    _pg(f'CREATE DATABASE "{name}"')
    migrate.upgrade(PG_ADMIN.rpartition("/")[0] + "/" + name)
    yield name
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sec_sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (migrating takes seconds)."""
    from cocontrol.service import migrate

    path = tmp_path_factory.mktemp("sec-sqlite") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def sec_db_url(request, tmp_path):
    if request.param == "sqlite":
        import shutil

        shutil.copy(request.getfixturevalue("sec_sqlite_template"), tmp_path / "cocontrol.db")
        yield f"sqlite:///{tmp_path / 'cocontrol.db'}"
        return
    template = request.getfixturevalue("sec_pg_template")
    db = f"{PREFIX}_{uuid.uuid4().hex[:10]}"
    _pg(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    try:
        yield PG_ADMIN.rpartition("/")[0] + "/" + db
    finally:
        _pg(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture
def sec_settings(sec_db_url, tmp_path):
    from cocontrol.service.settings import Settings

    return Settings(environment="test", data_dir=tmp_path / "data", database_url=sec_db_url,
                    executor="inline")


@pytest.fixture
def world(sec_settings, capsys):
    """A started app with a region tree, one user per role and a project per enterprise."""
    from secworld import World

    w = World(sec_settings, capsys)
    try:
        yield w
    finally:
        w.close()
