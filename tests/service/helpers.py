"""Helpers of the service tests: the demo project's files, waiting for jobs."""

from __future__ import annotations

import time
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


def demo_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (p.name, p.read_bytes(), "application/octet-stream"))
            for p in sorted(DEMO.iterdir()) if p.is_file()]


def make_project(client, org_code: str = "demo") -> tuple[int, int, dict]:
    """An organisation and a project with the demo files as version 1: (org, project, v1)."""
    org = client.post("/api/organisations", json={"code": org_code, "name": org_code,
                                                  "level": "city"}).json()
    proj = client.post("/api/projects", json={"name": "Demo", "org_id": org["id"]}).json()
    r = client.post(f"/api/projects/{proj['id']}/versions", files=demo_files())
    assert r.status_code == 201, r.text
    return org["id"], proj["id"], r.json()["version"]


def wait(client, job_id: str, timeout: float = 60.0, until=("succeeded", "failed",
         "cancelled", "timed_out", "interrupted")) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["status"] in until:
            return j
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {j['status']} after {timeout} s")
