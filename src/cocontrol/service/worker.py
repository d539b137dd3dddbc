"""What runs inside an executor (a pool process, a Dask worker or a thread): one job.

The worker marks the job running (only if it is still queued), materialises the project
version's files in a temporary folder, calls the task, and reports progress to the job's row.
Each progress call also checks whether the job was cancelled, timed out or taken away (status
no longer ``running``) and then stops the task. The result goes back to the server, which
stores it; the worker never writes a result, so a dead worker leaves nothing half-visible.
"""

from __future__ import annotations

import tempfile
import time
import traceback
from pathlib import Path

from sqlalchemy import update

from cocontrol import io
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M
from cocontrol.i18n import tr

_DBS: dict = {}


class JobStopped(Exception):
    """The job was cancelled, timed out or interrupted while running."""

    def __init__(self, message: str, status: str = "interrupted"):
        super().__init__(message)
        self.status = status


def _db(url: str):
    from cocontrol.service.db import Database

    if url not in _DBS:
        _DBS[url] = Database(url)
    return _DBS[url]


def run(spec: dict) -> dict:
    """Run one job; returns {"state": "ok", "output": TaskOutput} or an error/stopped record."""
    from cocontrol.service.db import utcnow
    from cocontrol.service.models import QUEUED, RUNNING, Job
    from cocontrol.service.tasks import TASKS

    db = _db(spec["db_url"])
    job_id = spec["job_id"]
    with db.session() as s:
        n = s.execute(update(Job).where(Job.id == job_id, Job.status == QUEUED)
                      .values(status=RUNNING, started_at=utcnow(), progress=0.0)).rowcount
        s.commit()
    if n != 1:
        return {"state": "stopped", "reason": M("msg.job_not_queued")}
    deadline = time.time() + float(spec["time_limit_s"])
    last = [0.0]

    def progress(fraction: float, message: str = "") -> None:
        now = time.time()
        if now > deadline:
            raise JobStopped(M("msg.api_time_limit"), "timed_out")
        if now - last[0] < 0.2 and fraction < 1.0:
            return
        last[0] = now
        with db.session() as s:
            row = s.get(Job, job_id)
            if row is None or row.status != RUNNING or row.cancel_requested:
                raise JobStopped(M("msg.api_job_is", status=M(f"job_status.{row.status}")
                                            if row else M("job_status.gone")))
            row.progress = max(0.0, min(1.0, float(fraction)))
            row.message, row.message_zh = str(message)[:500], tr(message, "zh")[:500]
            s.commit()

    task = TASKS[spec["kind"]]
    try:
        params = task.params.model_validate(spec["params"])
        with tempfile.TemporaryDirectory(prefix="cocontrol-job-") as tmp:
            folder = None
            if spec.get("files"):
                folder = Path(tmp) / "project"
                for rel, data in spec["files"].items():
                    io.write_bytes(folder / rel, data)
            out = task.fn(folder, params, progress)
        if time.time() > deadline:
            raise JobStopped(M("msg.api_time_limit"), "timed_out")
        return {"state": "ok", "output": out}
    except JobStopped as e:
        return {"state": "stopped", "reason": e.args[0], "status": e.status}  # a Msg
    except CocontrolError as e:
        from cocontrol.service.problems import domain_error, problem_dict

        err = domain_error(e)
        return {"state": "error", "error": {"code": err.code, "message": str(err.message),
                                            "message_zh": err.message_zh,
                                            "problems": [problem_dict(p)
                                                         for p in err.problems]}}
    except Exception as e:  # noqa: BLE001 - reported on the job, never raised to the user
        return {"state": "error", "error": {"code": "internal_error",
                                            "message": f"{type(e).__name__}: {e}",
                                            "problems": [], "trace": traceback.format_exc()}}


def serve(conn) -> None:
    """The loop of a process of the local pool (:class:`cocontrol.service.jobs.LocalExecutor`):
    receive ``{"fn", "spec"}``, answer ``fn(spec)``, until the pipe closes. The pool may kill
    this process at any moment (cancel, time limit): it never writes a result."""
    while True:
        try:
            work = conn.recv()
        except (EOFError, OSError):
            return
        try:
            out = work["fn"](work["spec"])
        except BaseException as e:  # noqa: BLE001 - reported on the job by the server
            out = {"state": "error", "error": {"code": "internal_error",
                                                "message": f"{type(e).__name__}: {e}",
                                                "problems": [],
                                                "trace": traceback.format_exc()}}
        try:
            conn.send(out)
        except (EOFError, OSError):
            return
        except Exception as e:  # noqa: BLE001 - an answer that cannot be pickled
            conn.send({"state": "error", "error": {
                "code": "internal_error", "problems": [],
                "message": f"the result could not be sent back: {type(e).__name__}: {e}"}})
