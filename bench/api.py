"""Load test of the platform service on loopback (issue 13): 50 concurrent clients, mixed
reads and job submissions, bounded in count (30 requests per client) and time (2 minutes).

Starts ``cocontrol serve`` (SQLite under a temporary folder, local process pool of 2) on a free
loopback port (and, when a PostgreSQL server answers at COCONTROL_TEST_PG, a second run on a
throw-away database), then reports p50/p95 latency of reads and
submissions, throughput, errors (any non-2xx answer or transport error) and lost jobs (a
submitted job that is not ``succeeded`` with a result once the queue has drained).
Figures: ``api p95 read``, ``api p50 read``, ``api p95 submit``, ``api throughput``,
``api errors``, ``api jobs lost`` (suffix `` (postgresql)`` for the second run).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _record import record, reset  # noqa: E402

from cocontrol.service.localserver import LocalServer, start  # noqa: E402

CLIENTS, REQUESTS, SUBMIT_SHARE, TIME_LIMIT_S = 50, 30, 0.15, 120.0
TOKEN = "bench-admin-token-0123456789"
H = {"Authorization": f"Bearer {TOKEN}"}


def serve(data_dir: Path, database: str | None) -> LocalServer:
    """``cocontrol serve`` on a free loopback port (never a fixed one)."""
    args = ["--data-dir", str(data_dir), "--workers", "2"]
    if database:
        args += ["--database", database]
    return start(args, log=data_dir.parent / "server.log", env={"COCONTROL_API_TOKEN": TOKEN},
                 timeout=120)


async def client(base: str, org_id: int, seed: int, stats: dict, deadline: float) -> None:
    rnd = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, headers=H, timeout=60) as c:
        for _ in range(REQUESTS):
            if time.time() > deadline:
                return
            t0 = time.perf_counter()
            try:
                if rnd.random() < SUBMIT_SHARE:
                    key = str(uuid.uuid4())
                    r = await c.post("/api/jobs/sleep", json={
                        "org_id": org_id, "idempotency_key": key,
                        "params": {"seconds": 0.02, "value": rnd.random()}})
                    stats["submit"].append(time.perf_counter() - t0)
                    if r.status_code == 202:
                        stats["jobs"][r.json()["id"]] = key
                        if rnd.random() < 0.3:  # the same key again: must not run twice
                            r2 = await c.post("/api/jobs/sleep", json={
                                "org_id": org_id, "idempotency_key": key,
                                "params": r.json()["params"]})
                            if r2.status_code != 200 or r2.json()["id"] != r.json()["id"]:
                                stats["dup_errors"] += 1
                else:
                    path = rnd.choice(["/api/projects", "/api/organisations/tree",
                                       "/api/jobs?limit=20", "/api/results?limit=20",
                                       "/api/organisations?limit=10", "/api/health"])
                    if stats["jobs"] and rnd.random() < 0.3:
                        path = f"/api/jobs/{rnd.choice(list(stats['jobs']))}"
                    r = await c.get(path)
                    stats["read"].append(time.perf_counter() - t0)
                if not 200 <= r.status_code < 300:
                    stats["errors"] += 1
            except httpx.HTTPError:
                stats["errors"] += 1


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] * 1000 if xs else float("nan")


def run(label: str, database: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="cocontrol-bench-api-") as tmp:
        server = serve(Path(tmp) / "data", database)
        base = server.base
        try:
            org = httpx.post(f"{base}/api/organisations", headers=H, json={
                "code": "bench", "name": "bench", "level": "city"}).json()
            stats = {"read": [], "submit": [], "errors": 0, "jobs": {}, "dup_errors": 0}
            t0 = time.time()
            deadline = t0 + TIME_LIMIT_S

            async def main():
                await asyncio.gather(*(client(base, org["id"], i, stats, deadline)
                                       for i in range(CLIENTS)))

            asyncio.run(main())
            wall = time.time() - t0
            n = len(stats["read"]) + len(stats["submit"])
            # drain: every submitted job must end succeeded with a result
            end = time.time() + 120
            pending = set(stats["jobs"])
            done = {}
            with httpx.Client(base_url=base, headers=H, timeout=30) as c:
                while pending and time.time() < end:
                    for jid in list(pending):
                        j = c.get(f"/api/jobs/{jid}").json()
                        if j.get("status") in ("succeeded", "failed", "cancelled",
                                               "timed_out", "interrupted"):
                            done[jid] = j
                            pending.discard(jid)
                    time.sleep(0.3)
                total_jobs = c.get("/api/jobs", params={"limit": 1}).json()["total"]
            lost = len(pending) + sum(1 for j in done.values()
                                      if j["status"] != "succeeded" or not j["result_id"])
            lost += stats["dup_errors"] + abs(total_jobs - len(stats["jobs"]))
        finally:
            server.stop()
    sfx = "" if label == "sqlite" else f" ({label})"
    print(f"{label}: {n} requests by {CLIENTS} clients in {wall:.1f} s = {n / wall:.0f} req/s; "
          f"read p50 {pct(stats['read'], .5):.0f} ms, p95 {pct(stats['read'], .95):.0f} ms; "
          f"submit p95 {pct(stats['submit'], .95):.0f} ms; errors {stats['errors']}; "
          f"jobs {len(stats['jobs'])} submitted, {lost} lost")
    record(f"api p50 read{sfx}", pct(stats["read"], .5), "ms")
    record(f"api p95 read{sfx}", pct(stats["read"], .95), "ms")
    record(f"api p95 submit{sfx}", pct(stats["submit"], .95), "ms")
    record(f"api throughput{sfx}", n / wall, "requests/s")
    record(f"api errors{sfx}", stats["errors"], "requests")
    record(f"api jobs submitted{sfx}", len(stats["jobs"]), "jobs")
    record(f"api jobs lost{sfx}", lost, "jobs")


def pg_database():
    admin = os.environ.get("COCONTROL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except Exception as e:  # noqa: BLE001
        print(f"PostgreSQL not reachable ({e}); the PostgreSQL run is skipped")
        return None, None
    name = f"cocontrol_test_service_bench_{os.getpid()}"
    conn.execute(f'CREATE DATABASE "{name}"')
    return conn, (admin.rpartition("/")[0] + "/" + name, name)


if __name__ == "__main__":
    reset()
    run("sqlite", None)
    conn, db = pg_database()
    if conn is not None:
        try:
            run("postgresql", db[0])
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{db[1]}" WITH (FORCE)')
            conn.close()
