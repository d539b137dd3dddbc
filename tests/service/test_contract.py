"""Contract tests: schemathesis generates requests for every route of the live OpenAPI schema
(served by a real uvicorn server on loopback, on SQLite and on PostgreSQL) and checks that no
answer is a 5xx, that status codes, content types and bodies match the schema, and that every
error body has the documented shape (ErrorBody). Examples per route are bounded."""

from __future__ import annotations

import concurrent.futures as cf
import socket
import threading
import time

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.service.conftest import ADMIN_TOKEN, BACKENDS, PREFIX

from cocontrol.service.problems import ErrorBody


class HoldExecutor:
    """Accepts jobs and never runs them: the contract test is about the HTTP layer, not about
    computing generated optimisation problems."""

    name = "hold"

    def submit(self, fn, spec):
        return cf.Future()

    def shutdown(self):
        pass


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory):
    """A live server with the demo data, per backend: its base URL."""
    import uuid

    import uvicorn
    from tests.service.conftest import _pg_conn, _pg_url

    from cocontrol.service.app import create_app
    from cocontrol.service.settings import Settings

    tmp = tmp_path_factory.mktemp(f"contract-{request.param}")
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'c.db'}"
    else:
        request.getfixturevalue("pg_template")
        drop = f"{PREFIX}_c{uuid.uuid4().hex[:8]}"
        with _pg_conn() as conn:
            conn.execute(f'CREATE DATABASE "{drop}"')
        url = _pg_url(drop)
    settings = Settings(environment="test", data_dir=tmp / "data", database_url=url,
                        api_token=ADMIN_TOKEN, demo=True)
    sock = socket.create_server(("127.0.0.1", 0))  # a free port: concurrent runs never clash
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, executor=HoldExecutor()),
                                           log_level="warning"))
    th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    th.start()
    end = time.time() + 180  # a loaded CI machine can take long to import and migrate
    while not server.started and th.is_alive() and time.time() < end:
        time.sleep(0.05)
    assert server.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    th.join(timeout=15)
    sock.close()
    if drop:
        with _pg_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ANON_OK = ("/health", "/published")  # public, or readable by the anonymous role
#: examples per route and mode (valid and invalid inputs), bounded for the test budget; fewer on
#: PostgreSQL, where the same routes run a second time for database-specific failures
EXAMPLES = {"sqlite": 3, "postgresql": 2}


def test_every_route_answers_per_contract(live, request):
    from hypothesis import given
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_url(f"{live}/api/openapi.json")
    examples = EXAMPLES[request.node.callspec.params["live"]]
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20

    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=op.as_strategy(generation_mode=mode))
            @hsettings(max_examples=examples, deadline=None, derandomize=True, database=None,
                       suppress_health_check=list(HealthCheck))
            def run(case):
                anon = mode == GenerationMode.POSITIVE  # noqa: B023 - run() is called at once
                for headers in (auth, {}) if anon else (auth,):
                    response = case.call(base_url=live, headers=headers, timeout=60)
                    try:
                        case.validate_response(response, checks=CHECKS)
                        if response.status_code >= 400:
                            ErrorBody.model_validate(response.json())
                        # open without a login: public routes and what the anonymous role
                        # may read (published results, docs/security.md)
                        if not headers and not any(p in case.path for p in ANON_OK):
                            assert response.status_code == 401, "open without a login"
                    except Exception as e:  # noqa: BLE001 - collected, reported at the end
                        failures.append(f"{case.method} {case.formatted_path} "
                                        f"{'auth' if headers else 'anonymous'} -> "
                                        f"{response.status_code}: {str(e)[:300]}")

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (a route without parameters)
                assert mode == GenerationMode.NEGATIVE
    assert not failures, f"{len(failures)} contract failure(s):\n" + "\n".join(failures[:30])
