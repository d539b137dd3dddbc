"""Executors and crashes: the same job on the local process pool and on a Dask LocalCluster
gives identical results; a server killed during a job reports it interrupted after a restart
(never done, no partial result)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
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


def _run_inventory(settings, tmp_path, name) -> dict[str, pd.DataFrame]:
    from fastapi.testclient import TestClient
    from tests.service.helpers import wait

    from cocontrol.service.app import create_app

    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        org = c.post("/api/organisations", json={"code": name, "name": name,
                                                 "level": "city"}).json()
        proj = c.post("/api/projects", json={"name": name, "org_id": org["id"]}).json()
        v = c.post(f"/api/projects/{proj['id']}/versions", files=demo_files()).json()["version"]
        r = c.post("/api/jobs/inventory", json={"project_version_id": v["id"],
                                                "params": {"by": ["sector", "fuel"]}})
        job = wait(c, r.json()["id"], 180)
        assert job["status"] == "succeeded", job
        assert job["executor"] == settings.executor
        res = c.get(f"/api/results/{job['result_id']}").json()
        return {t["name"]: pd.read_csv(io.StringIO(c.get(
            f"/api/results/{res['id']}/tables/{t['name']}", params={"format": "csv"}).text))
            for t in res["tables"]}


def test_local_pool_and_dask_give_identical_results(db_url, tmp_path, dask_cluster):
    from cocontrol.service.settings import Settings

    common = dict(environment="test", database_url=db_url, api_token=ADMIN_TOKEN, workers=1)
    local = _run_inventory(Settings(data_dir=tmp_path / "a", executor="local", **common),
                           tmp_path, "a")
    dask = _run_inventory(Settings(data_dir=tmp_path / "b", executor="dask",
                                   dask_address=dask_cluster, **common), tmp_path, "b")
    assert set(local) == set(dask)
    for name in local:
        pd.testing.assert_frame_equal(local[name], dask[name], check_exact=True)


def _serve(db_url, data_dir, port):
    env = dict(os.environ, COCONTROL_API_TOKEN=ADMIN_TOKEN, COCONTROL_ENVIRONMENT="test")
    return subprocess.Popen(
        [sys.executable, "-m", "cocontrol", "serve", "--port", str(port), "--database", db_url,
         "--data-dir", str(data_dir), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _up(base: str, proc, timeout=240.0) -> None:  # generous: a loaded CI machine
    end = time.time() + timeout
    while time.time() < end:
        assert proc.poll() is None, "server exited"
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not start")


def test_killed_server_reports_the_job_interrupted_after_restart(db_url, tmp_path, backend):
    port = 8704 if backend == "sqlite" else 8705
    base = f"http://127.0.0.1:{port}"
    h = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    proc = _serve(db_url, tmp_path / "data", port)
    try:
        _up(base, proc)
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
        os.killpg(proc.pid, signal.SIGKILL)  # the server and its pool, no clean-up at all
        proc.wait(timeout=30)
    proc = _serve(db_url, tmp_path / "data", port)
    try:
        _up(base, proc)
        j = httpx.get(f"{base}/api/jobs/{job['id']}", headers=h, timeout=60).json()
        assert j["status"] == "interrupted" and j["result_id"] is None
        assert httpx.get(f"{base}/api/results", headers=h, timeout=60).json()["total"] == 0
        assert [p.name for p in (tmp_path / "data" / "results").iterdir()] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
