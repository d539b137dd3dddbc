"""Fixtures of the service tests: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``COCONTROL_TEST_PG`` (set by scripts/ensure-postgres.sh, which `make
test` and .ci/run call), default ``postgresql://postgres@127.0.0.1:5432/postgres``. The tests
create one migrated template database per session and a fresh copy of it per test, all named
``cocontrol_test_service_*``, and drop them afterwards. Without a server the PostgreSQL cases
skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest

PG_ADMIN = os.environ.get("COCONTROL_TEST_PG",
                          "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = f"cocontrol_test_service_{os.getpid()}"
BACKENDS = ["sqlite", "postgresql"]


def _pg_conn():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_template():
    """A migrated template database on the PostgreSQL server (or skip/fail)."""
    try:
        conn = _pg_conn()
    except Exception as e:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {e}")
        pytest.skip(f"PostgreSQL not reachable ({e}); run scripts/ensure-postgres.sh")
    from cocontrol.service import migrate

    name = f"{PREFIX}_tmpl"
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate.upgrade(_pg_url(name))
    created: list[str] = []
    yield name, created
    with _pg_conn() as conn:
        for db in [*created, name]:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@contextmanager
def _fresh_pg(template):
    name, created = template
    db = f"{PREFIX}_{uuid.uuid4().hex[:10]}"
    with _pg_conn() as conn:
        conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{name}"')
    created.append(db)
    try:
        yield _pg_url(db)
    finally:
        with _pg_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request, tmp_path):
    """A fresh, empty-or-migrated database URL of each backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cocontrol.db'}"
        return
    template = request.getfixturevalue("pg_template")
    with _fresh_pg(template) as url:
        yield url


@pytest.fixture
def empty_db_url(backend, request, tmp_path):
    """A database with no tables at all (for the migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("pg_template")  # skip/fail as the others
    db = f"{PREFIX}_e{uuid.uuid4().hex[:10]}"
    with _pg_conn() as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        yield _pg_url(db)
    finally:
        with _pg_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


ADMIN_TOKEN = "test-admin-token-0123456789"


#: the stub's role names used by these tests -> roles of the access layer (roles.yaml)
ROLE = {"admin": "administrator", "analyst": "bureau_analyst", "viewer": "bureau_leader"}


def login_as(client, org_id: int, role: str, user_id: int | None = None) -> dict:
    """Authorization headers of a user with ``role`` in organisation ``org_id``: the one
    place where the tests depend on how the access layer issues logins (a real account and
    a bearer token)."""
    import uuid

    from cocontrol.service import auth

    with client.app.state.db.session() as session:
        user, _ = auth.create_account(session, f"t-{role}-{uuid.uuid4().hex[:8]}", org_id,
                                      [ROLE.get(role, role)],
                                      params=client.app.state.access.params)
        token = auth.issue_token(session, user, ["*"])
        session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(db_url, tmp_path):
    from cocontrol.service.settings import Settings

    return Settings(environment="test", data_dir=tmp_path / "data", database_url=db_url,
                    api_token=ADMIN_TOKEN, executor="inline")


@pytest.fixture
def client(settings):
    """A TestClient of a started app, authenticated as the stub administrator."""
    from fastapi.testclient import TestClient

    from cocontrol.service.app import create_app

    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        yield c
