"""Hard cancel and time limit on the local process pool: a job stuck in a computation that
never reports progress (``sleep`` with ``silent``) is stopped by terminating its worker
process, reported ``cancelled`` / ``timed_out``, nothing of it is stored, and the pool runs the
next job in a fresh process. SQLite and PostgreSQL."""

from __future__ import annotations

import os

import pytest
from tests.service.conftest import ADMIN_TOKEN
from tests.service.helpers import wait


@pytest.fixture
def pool_client(db_url, tmp_path):
    from fastapi.testclient import TestClient

    from cocontrol.service.app import create_app
    from cocontrol.service.settings import Settings

    settings = Settings(environment="test", data_dir=tmp_path / "data", database_url=db_url,
                        api_token=ADMIN_TOKEN, executor="local", workers=1)
    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        yield c


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _stuck(client, org: int, **body) -> tuple[dict, int]:
    """Submit a job stuck for 60 s without progress; (the running job, its worker's pid)."""
    r = client.post("/api/jobs/sleep", json={"org_id": org, **body,
                                             "params": {"seconds": 60, "silent": True}})
    assert r.status_code == 202, r.text
    job = wait(client, r.json()["id"], 120, until=("running",))
    pids = client.app.state.jobs.executor.pids()
    assert len(pids) == 1
    return job, pids[0]


def _nothing_stored(client, tmp_path) -> None:
    assert client.get("/api/results").json()["total"] == 0
    results = tmp_path / "data" / "results"
    assert not results.exists() or list(results.iterdir()) == []


def test_stuck_job_is_cancelled_and_timed_out_by_killing_its_process(pool_client, tmp_path):
    c = pool_client
    org = c.post("/api/organisations", json={"code": "o", "name": "o",
                                             "level": "city"}).json()["id"]
    assert c.app.state.jobs.executor.name == "local"

    job, pid = _stuck(c, org)
    r = c.post(f"/api/jobs/{job['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    done = wait(c, job["id"], 30)
    assert done["status"] == "cancelled" and done["result_id"] is None
    wait_gone = wait_until(lambda: _gone(pid))
    assert wait_gone, f"worker process {pid} still alive after the cancel"
    _nothing_stored(c, tmp_path)

    # the time limit (1 s) ends the next stuck job the same way, long before its 60 s
    job, pid = _stuck(c, org, time_limit_s=1.0)
    done = wait(c, job["id"], 60, until=("cancelled", "timed_out", "failed", "succeeded"))
    assert done["status"] == "timed_out", done
    assert "time limit" in done["message"] and done["result_id"] is None
    assert wait_until(lambda: _gone(pid)), f"worker process {pid} still alive after the limit"
    _nothing_stored(c, tmp_path)

    # the pool goes on in a fresh process
    r = c.post("/api/jobs/sleep", json={"org_id": org, "params": {"seconds": 0.1,
                                                                  "value": 7.0}})
    ok = wait(c, r.json()["id"], 120)
    assert ok["status"] == "succeeded", ok
    assert c.app.state.jobs.executor.pids()[0] not in (pid,)
    res = c.get(f"/api/results/{ok['result_id']}").json()
    assert res["summary"] == {"value": 7.0}


def wait_until(cond, timeout: float = 30.0) -> bool:
    import time

    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()
