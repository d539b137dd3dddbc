"""Executors and crashes: the same job on the local process pool, on a Dask LocalCluster and
on a real Dask scheduler with a worker (``dask scheduler`` / ``dask worker`` processes on free
ports, the server started with ``--dask tcp://…``) gives identical results; a server killed
during a job reports it interrupted after a restart (never done, no partial result)."""

from __future__ import annotations

import io
import os
import time

import httpx
import pandas as pd
import pytest
from tests.service.conftest import ADMIN_TOKEN
from tests.service.helpers import demo_files


@pytest.fixture(scope="session")
def dask_cluster():
    """One in-process Dask LocalCluster for the session."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                           dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()


def _inventory_through(c, name: str, executor: str) -> dict[str, pd.DataFrame]:
    """Upload the demo project through client ``c`` (a TestClient or an httpx.Client of a
    live server), run an inventory job and read its tables back as tidy CSV."""
    from tests.service.helpers import wait

    org = c.post("/api/organisations", json={"code": name, "name": name,
                                             "level": "city"}).json()
    proj = c.post("/api/projects", json={"name": name, "org_id": org["id"]}).json()
    v = c.post(f"/api/projects/{proj['id']}/versions", files=demo_files()).json()["version"]
    r = c.post("/api/jobs/inventory", json={"project_version_id": v["id"],
                                            "params": {"by": ["sector", "fuel"]}})
    job = wait(c, r.json()["id"], 180)
    assert job["status"] == "succeeded", job
    assert job["executor"] == executor
    res = c.get(f"/api/results/{job['result_id']}").json()
    return {t["name"]: pd.read_csv(io.StringIO(c.get(
        f"/api/results/{res['id']}/tables/{t['name']}", params={"format": "csv"}).text))
        for t in res["tables"]}


def _run_inventory(settings, tmp_path, name) -> dict[str, pd.DataFrame]:
    from fastapi.testclient import TestClient

    from cocontrol.service.app import create_app

    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        return _inventory_through(c, name, settings.executor)


def _same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert set(a) == set(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_local_pool_and_dask_give_identical_results(db_url, tmp_path, dask_cluster):
    from cocontrol.service.settings import Settings

    common = dict(environment="test", database_url=db_url, api_token=ADMIN_TOKEN, workers=1)
    local = _run_inventory(Settings(data_dir=tmp_path / "a", executor="local", **common),
                           tmp_path, "a")
    dask = _run_inventory(Settings(data_dir=tmp_path / "b", executor="dask",
                                   dask_address=dask_cluster, **common), tmp_path, "b")
    _same_tables(local, dask)


@pytest.fixture
def dask_scheduler(tmp_path):
    """A real Dask scheduler and one worker, as separate processes (``dask scheduler``,
    ``dask worker``) on free loopback ports: the scheduler's ``tcp://`` address."""
    import json
    import signal
    import subprocess
    import sys

    sfile = tmp_path / "scheduler.json"
    log = (tmp_path / "dask.log").open("ab")
    common = dict(stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                  start_new_session=True)
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", "0", "--dashboard-address",
                               ":0", "--scheduler-file", str(sfile)], **common)]
    try:
        end = time.time() + 120
        while not sfile.exists() and time.time() < end:
            assert procs[0].poll() is None, (tmp_path / "dask.log").read_text()
            time.sleep(0.1)
        address = json.loads(sfile.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"], **common))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        log.close()


def test_server_on_a_dask_scheduler_gives_the_local_pool_results(db_url, tmp_path,
                                                                   dask_scheduler):
    """``cocontrol serve --dask tcp://…`` runs the job on the separate worker process."""
    from cocontrol.service.settings import Settings

    local = _run_inventory(Settings(environment="test", data_dir=tmp_path / "a",
                                    database_url=db_url, api_token=ADMIN_TOKEN, workers=1,
                                    executor="local"), tmp_path, "a")
    from cocontrol.service.localserver import start

    data = tmp_path / "b"
    with start(["--database", db_url, "--data-dir", str(data), "--dask", dask_scheduler],
               log=tmp_path / "server.log",
               env={"COCONTROL_API_TOKEN": ADMIN_TOKEN, "COCONTROL_ENVIRONMENT": "test"}
               ) as server, httpx.Client(base_url=server.base, timeout=120, headers={
                   "Authorization": f"Bearer {ADMIN_TOKEN}"}) as c:
        assert c.get("/api/health").json()["executor"] == "dask"
        dask = _inventory_through(c, "b", "dask")
    from distributed import Client

    with Client(dask_scheduler, timeout=60) as client:  # it ran on the worker process
        assert any(k.startswith("cocontrol-job") for k in client.run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.task_prefixes)))
    _same_tables(local, dask)


def _serve(db_url, data_dir):
    from cocontrol.service.localserver import start

    return start(["--database", db_url, "--data-dir", str(data_dir), "--workers", "1"],
                 log=data_dir.parent / "server.log",
                 env={"COCONTROL_API_TOKEN": ADMIN_TOKEN, "COCONTROL_ENVIRONMENT": "test"})


def test_killed_server_reports_the_job_interrupted_after_restart(db_url, tmp_path):
    h = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    server = _serve(db_url, tmp_path / "data")
    base = server.base
    try:
        org = httpx.post(f"{base}/api/organisations", headers=h, timeout=60,
                         json={"code": "o", "name": "o", "level": "city"}).json()
        job = httpx.post(f"{base}/api/jobs/sleep", headers=h, timeout=120,
                         json={"org_id": org["id"],
                               "params": {"seconds": 60, "steps": 600}}).json()
        end = time.time() + 180
        while time.time() < end:  # wait until the worker process is computing
            j = httpx.get(f"{base}/api/jobs/{job['id']}", headers=h, timeout=60).json()
            if j["status"] == "running" and j["progress"] > 0:
                break
            time.sleep(0.1)
        assert j["status"] == "running", j
    finally:
        server.kill()  # the server and its pool, no clean-up at all
    with _serve(db_url, tmp_path / "data") as server:
        base = server.base
        j = httpx.get(f"{base}/api/jobs/{job['id']}", headers=h, timeout=60).json()
        assert j["status"] == "interrupted" and j["result_id"] is None
        assert httpx.get(f"{base}/api/results", headers=h, timeout=60).json()["total"] == 0
        assert [p.name for p in (tmp_path / "data" / "results").iterdir()] == []
