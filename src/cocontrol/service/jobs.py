"""Background jobs: submission (idempotent), dispatch to a pluggable executor, completion,
cancel, time limits and recovery after a crash.

States: queued → running → succeeded | failed | cancelled | timed_out | interrupted. A job is
``succeeded`` only in the transaction that also stores its result, so a result is either
complete and visible or absent. At start-up, jobs left ``running`` by a previous process are
marked ``interrupted`` (never done), and jobs still ``queued`` are dispatched again (resumed).
One server process runs the job manager of a database (see docs/deploy.md).

Executors: ``local`` (a process pool, default), ``dask`` (a Dask distributed scheduler at
``tcp://host:port`` or an in-process LocalCluster for ``local``), ``inline`` (threads of the
server process, for tests). All run :func:`cocontrol.service.worker.run`, so they give the same
results.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
import queue
import threading
import time
import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cocontrol.i18n import Msg as M
from cocontrol.i18n import tr
from cocontrol.service import store, worker
from cocontrol.service.db import Database, utcnow
from cocontrol.service.models import (
    FAILED,
    FINAL_STATES,
    INTERRUPTED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    Blob,
    Job,
    Project,
    ProjectVersion,
    Result,
)
from cocontrol.service.problems import ApiError
from cocontrol.service.settings import Settings
from cocontrol.service.tasks import CITIES

log = logging.getLogger("cocontrol.service.jobs")


def both(message) -> dict[str, str]:
    """A job's ``message`` and ``message_zh`` columns from one catalogue message."""
    return {"message": str(message)[:500], "message_zh": tr(message, "zh")[:500]}


def _end_message(err: dict, reason) -> dict:
    """The message of a job that failed (its error's) or stopped (the reason, a Msg)."""
    if err.get("message"):
        return {"message": err["message"], "message_zh": err.get("message_zh")}
    return both(reason) if reason else {"message": None, "message_zh": None}


# executors --------------------------------------------------------------------------------
class LocalExecutor:
    """A pool of ``workers`` spawned processes, each running one job at a time.

    Cancel and time limit are hard here: :meth:`kill` terminates the process running the job
    (a computation that never reports progress is stopped too), its future fails with
    :class:`JobKilled` and a fresh process takes the slot. Jobs wait in submission order."""

    name = "local"

    def __init__(self, workers: int):
        import multiprocessing as mp

        self._ctx = mp.get_context("spawn")  # never fork a threaded server
        self._lock = threading.RLock()
        self._pending: list[tuple[cf.Future, dict]] = []
        self._closed = False
        self._slots = [_Slot(self, i) for i in range(max(1, workers))]

    def submit(self, fn, spec):
        fut: cf.Future = cf.Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor is shut down")
            self._pending.append((fut, {"fn": fn, "spec": spec}))
        self._assign()
        return fut

    def _assign(self) -> None:
        with self._lock:
            for slot in self._slots:
                while slot.idle() and self._pending and not self._closed:
                    fut, work = self._pending.pop(0)
                    if fut.set_running_or_notify_cancel():  # False: cancelled while queued
                        slot.start(fut, work)

    def kill(self, job_id: str) -> bool:
        """Terminate the process running ``job_id``; True if one was."""
        with self._lock:
            for slot in self._slots:
                if slot.job_id == job_id:
                    slot.kill()
                    return True
        return False

    def pids(self) -> list[int]:
        """Process ids of the pool's worker processes (tests)."""
        with self._lock:
            return [s.proc.pid for s in self._slots if s.proc is not None and s.proc.is_alive()]

    def shutdown(self):
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, []
            for slot in self._slots:
                slot.close()
        for fut, _ in pending:
            fut.cancel()


class JobKilled(Exception):
    """The process running the job was terminated (cancel, time limit) or died."""


class _Slot:
    """One worker process of :class:`LocalExecutor`, started on first use and replaced when
    it is killed or dies; a reader thread hands its answers to the job's future."""

    def __init__(self, pool: LocalExecutor, index: int):
        self.pool, self.index = pool, index
        self.proc = self.conn = None
        self.fut: cf.Future | None = None
        self.job_id: str | None = None
        self.killed = False

    def idle(self) -> bool:
        return self.fut is None

    def _spawn(self) -> None:
        parent, child = self.pool._ctx.Pipe()
        self.proc = self.pool._ctx.Process(target=worker.serve, args=(child,), daemon=True,
                                           name=f"cocontrol-worker-{self.index}")
        self.proc.start()
        child.close()
        self.conn = parent

    def start(self, fut: cf.Future, work: dict) -> None:  # called under the pool's lock
        if self.proc is None or not self.proc.is_alive():
            self._spawn()
        self.fut, self.job_id, self.killed = fut, work["spec"].get("job_id"), False
        conn = self.conn
        try:
            conn.send(work)
        except (OSError, ValueError) as e:
            self._done(conn, exc=JobKilled(f"the worker process is gone: {e}"))
            return
        threading.Thread(target=self._read, args=(conn, fut), daemon=True,
                         name=f"cocontrol-worker-{self.index}-reader").start()

    def _read(self, conn, fut: cf.Future) -> None:
        try:
            out = conn.recv()
        except (EOFError, OSError) as e:
            with self.pool._lock:
                why = "terminated (cancel or time limit)" if self.killed else f"died ({e!r})"
            self._done(conn, exc=JobKilled(f"the worker process was {why}"))
        else:
            self._done(conn, out=out)
        self.pool._assign()

    def _done(self, conn, out=None, exc=None) -> None:
        with self.pool._lock:
            fut = self.fut
            if conn is not self.conn:  # an answer of a process already replaced
                return
            if exc is not None:  # the process is unusable: the next job gets a new one
                self._reap()
            self.fut, self.job_id = None, None
        if fut is not None and not fut.done():
            if exc is not None:
                fut.set_exception(exc)
            else:
                fut.set_result(out)

    def kill(self) -> None:  # called under the pool's lock
        self.killed = True
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()  # SIGKILL: no clean-up in the worker; it never stores a result

    def _reap(self) -> None:
        if self.proc is not None:
            self.proc.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None

    def close(self) -> None:  # called under the pool's lock
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)


class InlineExecutor:
    """Threads of the server process (tests): cancel and time limit are cooperative."""

    name = "inline"

    def __init__(self, workers: int):
        self._pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="cocontrol-job")

    def submit(self, fn, spec):
        return self._pool.submit(fn, spec)

    def shutdown(self):
        self._pool.shutdown(wait=False, cancel_futures=True)


class DaskExecutor:
    name = "dask"

    def __init__(self, address: str, workers: int):
        from distributed import Client, LocalCluster

        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=False, dashboard_address=None)
            address = self._cluster.scheduler_address
        self.client = Client(address, set_as_default=False)

    def submit(self, fn, spec):
        return self.client.submit(fn, spec, pure=False, key=f"cocontrol-job-{spec['job_id']}")

    def shutdown(self):
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(settings: Settings):
    if settings.executor == "dask":
        return DaskExecutor(settings.dask_address or "local", settings.workers)
    if settings.executor == "inline":
        return InlineExecutor(settings.workers)
    return LocalExecutor(settings.workers)


def input_hash(kind: str, params: dict, content_hash: str | None) -> str:
    doc = json.dumps({"kind": kind, "params": params, "project": content_hash},
                     sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(doc.encode()).hexdigest()


# the manager --------------------------------------------------------------------------------
def _version_files(s, v: ProjectVersion, prefix: str = "") -> dict[str, bytes]:
    """The files of project version ``v`` (path → bytes), their paths under ``prefix``."""
    blobs = {b.sha256: b.data for b in s.scalars(
        select(Blob).where(Blob.sha256.in_([f["sha256"] for f in v.files])))}
    return {prefix + f["path"]: blobs[f["sha256"]] for f in v.files}


def city_folder(project_name: str, version_id: int) -> str:
    """Folder (and city name in a batch's tables) of a project version: its project's name,
    anything but letters, digits, ``-`` and ``_`` replaced by ``_``, then ``-v<version id>``."""
    import re

    name = re.sub(r"[^\w\-]+", "_", project_name).strip("_")[:60]
    return f"{name or 'project'}-v{version_id}"


class JobManager:
    def __init__(self, settings: Settings, db: Database, executor=None):
        self.settings, self.db = settings, db
        self.instance = uuid.uuid4().hex
        self.executor = executor or make_executor(settings)
        self._futures: dict[str, object] = {}
        self._done: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cocontrol-jobs", daemon=True)

    @property
    def executor_name(self) -> str:
        return self.executor.name

    # life cycle
    def start(self) -> None:
        self.recover()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.executor.shutdown()
        with self.db.session() as s:  # what this process did not finish is interrupted
            s.execute(update(Job).where(Job.instance == self.instance,
                                        Job.status.in_([QUEUED, RUNNING]))
                      .values(status=INTERRUPTED, finished_at=utcnow(),
                              **both(M("msg.job_server_stopped"))))
            s.commit()

    def recover(self) -> None:
        """Jobs of a previous process: running → interrupted, queued → dispatched again."""
        with self.db.session() as s:
            n = s.execute(update(Job).where(Job.status == RUNNING,
                                            Job.instance != self.instance)
                          .values(status=INTERRUPTED, finished_at=utcnow(),
                                  **both(M("msg.job_interrupted_resubmit")))).rowcount
            queued = s.scalars(select(Job.id).where(Job.status == QUEUED)).all()
            s.commit()
            known = set(s.scalars(select(Result.id)).all())
        removed = store.sweep(self.settings.results_dir, known)
        if n or queued or removed:
            log.warning("recovery: %d job(s) interrupted, %d resumed, %d partial result "
                        "folder(s) removed", n, len(queued), len(removed))
        for job_id in queued:
            self.dispatch(job_id)

    # submission
    def submit(self, session, *, org_id: int, kind: str, params: dict,
               version: ProjectVersion | None, idempotency_key: str | None,
               time_limit_s: float | None, user_id: int | None) -> tuple[Job, bool]:
        """Create a job (or return the one with the same idempotency key); (job, created)."""
        limit = min(time_limit_s or self.settings.job_time_limit_s,
                    self.settings.job_time_limit_s)
        vid = version.id if version is not None else None
        if idempotency_key:
            old = session.scalar(select(Job).where(Job.org_id == org_id,
                                                   Job.idempotency_key == idempotency_key))
            if old is not None:
                return self._same(old, kind, params, vid), False
        job = Job(id=str(uuid.uuid4()), org_id=org_id, kind=kind, params=params,
                  project_version_id=vid, idempotency_key=idempotency_key, status=QUEUED,
                  progress=0.0, time_limit_s=limit, executor=self.executor_name,
                  instance=self.instance, created_by=user_id, cancel_requested=False)
        session.add(job)
        try:
            session.commit()
        except IntegrityError:  # the same key submitted concurrently: the other one wins
            session.rollback()
            old = session.scalar(select(Job).where(Job.org_id == org_id,
                                                   Job.idempotency_key == idempotency_key))
            if old is None:
                raise
            return self._same(old, kind, params, vid), False
        self.dispatch(job.id)
        return job, True

    @staticmethod
    def _same(old: Job, kind, params, vid) -> Job:
        if (old.kind, old.params, old.project_version_id) != (kind, params, vid):
            raise ApiError(409, M("msg.api_idempotency"),
                           code="idempotency_conflict")
        return old

    def dispatch(self, job_id: str) -> None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            files = {}
            if job.project_version_id is not None:
                files = _version_files(s, s.get(ProjectVersion, job.project_version_id))
            for vid in job.params.get("cities", []) if job.kind == "batch" else []:
                v = s.get(ProjectVersion, vid)
                name = city_folder(s.get(Project, v.project_id).name, v.id)
                files.update(_version_files(s, v, f"{CITIES}/{name}/"))
            job.instance = self.instance
            job.executor = self.executor_name
            s.commit()
            spec = {"job_id": job.id, "kind": job.kind, "params": job.params, "files": files,
                    "db_url": self.db.url, "time_limit_s": job.time_limit_s}
        fut = self.executor.submit(worker.run, spec)
        self._futures[job_id] = fut
        fut.add_done_callback(lambda f, j=job_id: self._done.put((j, f)))

    def cancel(self, session, job: Job) -> Job:
        if job.status in FINAL_STATES:
            return job
        job.status, job.cancel_requested, job.finished_at = "cancelled", True, utcnow()
        job.message, job.message_zh = both(M("msg.job_cancelled")).values()
        session.commit()
        fut = self._futures.get(job.id)
        if fut is not None:
            fut.cancel()
        self._kill(job.id)
        return job

    def _kill(self, job_id: str) -> None:
        """Stop a running job at once where the executor can (the local pool terminates its
        process); elsewhere the job stops at its next progress report."""
        kill = getattr(self.executor, "kill", None)
        if kill is not None:
            kill(job_id)

    # completion
    def _loop(self) -> None:
        last_expiry = 0.0
        while not self._stop.is_set():
            try:
                job_id, fut = self._done.get(timeout=0.2)
                self._finish(job_id, fut)
            except queue.Empty:
                pass
            except Exception:  # noqa: BLE001 - the loop must survive anything
                log.exception("job completion failed")
            if time.time() - last_expiry > 0.5:
                last_expiry = time.time()
                try:
                    self._expire()
                except Exception:  # noqa: BLE001
                    log.exception("time-limit check failed")

    def _expire(self) -> None:
        now = utcnow()
        expired = []
        with self.db.session() as s:
            for job in s.scalars(select(Job).where(Job.status == RUNNING,
                                                   Job.instance == self.instance)):
                started = job.started_at
                if started is not None and started.tzinfo is None:
                    started = started.replace(tzinfo=now.tzinfo)
                if started is not None and (now - started).total_seconds() > job.time_limit_s:
                    job.status, job.finished_at = TIMED_OUT, now
                    job.message, job.message_zh = both(M(
                        "msg.job_time_limit_reached", s=f"{job.time_limit_s:g}")).values()
                    expired.append(job.id)
            s.commit()
        for job_id in expired:
            self._kill(job_id)

    def _finish(self, job_id: str, fut) -> None:
        self._futures.pop(job_id, None)
        try:
            out = fut.result()
        except (cf.CancelledError, Exception) as e:  # noqa: BLE001
            cancelled = isinstance(e, cf.CancelledError) or type(e).__name__ == "CancelledError"
            out = {"state": "stopped" if cancelled else "error",
                   "error": {"code": "internal_error", "message":
                             f"the worker failed: {type(e).__name__}: {e}", "problems": []}}
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None or job.status != RUNNING:
                return  # cancelled, timed out or interrupted meanwhile: nothing is stored
            if out["state"] == "ok":
                self._store(s, job, out["output"])
                return
            err = out.get("error") or {}
            if "trace" in err:
                log.error("job %s failed:\n%s", job_id, err["trace"])
            stopped = out.get("status", INTERRUPTED)
            self._final(s, job_id, status=FAILED if out["state"] == "error" else stopped,
                        error={k: v for k, v in err.items() if k != "trace"} or None,
                        **_end_message(err, out.get("reason")))
            s.commit()

    @staticmethod
    def _final(s, job_id: str, **values) -> bool:
        """Set a final state only if the job is still running (a concurrent cancel or time
        limit wins); True if it was set."""
        n = s.execute(update(Job).where(Job.id == job_id, Job.status == RUNNING)
                      .values(finished_at=utcnow(), **values)).rowcount
        return n == 1

    def _store(self, s, job: Job, output) -> None:
        rid = str(uuid.uuid4())
        content = None
        if job.project_version_id is not None:
            content = s.get(ProjectVersion, job.project_version_id).content_hash
        root = self.settings.results_dir
        try:
            prov = store.provenance(content, output.assumptions)
            ihash = input_hash(job.kind, job.params, content)
            _, tables, files = store.write_result(root, rid, output.tables, output.files, {
                "kind": job.kind, "provenance": prov.to_dict(), "input_hash": ihash,
                "project_version_id": job.project_version_id})
            summary = json.loads(json.dumps(output.summary, default=str))
            s.add(Result(id=rid, org_id=job.org_id, job_id=job.id, kind=job.kind,
                         project_version_id=job.project_version_id, input_hash=ihash,
                         code_version=prov.code_version, factor_version=prov.factor_version,
                         assumptions=json.loads(json.dumps(output.assumptions, default=str)),
                         tables={"tables": tables, "files": files,
                                 "provenance": prov.to_dict()}, summary=summary))
            s.flush()
            if not self._final(s, job.id, status=SUCCEEDED, progress=1.0,
                                   **both(M("msg.job_done"))):
                s.rollback()  # cancelled or timed out while storing: the result goes
                store.remove(root, rid)
                return
            s.commit()
        except Exception as e:
            s.rollback()
            store.remove(root, rid)
            self._final(s, job.id, status=FAILED, error={
                "code": "internal_error", "message": f"storing the result failed: {e}",
                "problems": []})
            s.commit()
            log.exception("storing the result of job %s failed", job.id)

    def wait(self, job_id: str, timeout: float = 30.0) -> str:
        """Block until the job is final (tests, CLI); its status."""
        end = time.time() + timeout
        while time.time() < end:
            with self.db.session() as s:
                st = s.scalar(select(Job.status).where(Job.id == job_id))
            if st in FINAL_STATES:
                return st
            time.sleep(0.05)
        return st
