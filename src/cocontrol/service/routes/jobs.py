"""Background jobs (``/api/jobs``): one submission route per kind of computation, status,
progress, cancel, and the job's result."""


import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import select

from cocontrol.errors import Problem
from cocontrol.i18n import Msg as M
from cocontrol.service.access import Need, Principal, scoped
from cocontrol.service.api import Page, PageDep, get_visible, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.models import JOB_STATES, Job, ProjectVersion, Result
from cocontrol.service.problems import ApiError, ErrorDetail, zh
from cocontrol.service.routes.organisations import get_org
from cocontrol.service.tasks import TASKS

router = APIRouter(prefix="/jobs", tags=["jobs"])
JobId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f\-]{1,36}$")]


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    org_id: int
    kind: str
    params: dict
    project_version_id: int | None
    idempotency_key: str | None
    status: Literal[JOB_STATES]  # type: ignore[valid-type]
    progress: float
    message: str | None
    message_zh: str | None = None
    error: ErrorDetail | None
    time_limit_s: float
    executor: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result_id: str | None = None


def job_out(session, job: Job, result_ids: dict[str, str] | None = None) -> JobOut:
    """The job as answered; ``result_ids`` (job id → result id) saves the look-up of the
    result of each job of a page (one query per page instead of one per job)."""
    d = {k: getattr(job, k) for k in JobOut.model_fields if k not in ("error", "result_id")}
    d["error"] = None
    if job.error is not None:
        code = job.error.get("code", "error")
        d["error"] = ErrorDetail(code=code, message=job.error.get("message", ""),
                                 message_zh=job.error.get("message_zh")
                                 or zh(code, zh("job_failed", "")),
                                 problems=job.error.get("problems", []))
    if job.status == "succeeded":
        d["result_id"] = (result_ids.get(job.id) if result_ids is not None else
                          session.scalar(select(Result.id).where(Result.job_id == job.id)))
    return JobOut.model_validate(d)


def get_job(session, principal: Principal, job_id: str) -> Job:
    return get_visible(session, principal, Job, job_id, "job")


def _submit_route(kind: str):
    task = TASKS[kind]
    body = create_model(
        f"{kind.capitalize()}JobIn", __config__=ConfigDict(extra="forbid"),
        project_version_id=(int | None, Field(None, ge=1, le=2**31 - 1,
                                              description="id of the project version")
                            if not task.needs_project else
                            Field(ge=1, le=2**31 - 1, description="id of the project version")),
        params=(task.params, Field(default_factory=task.params)),
        org_id=(int | None, Field(None, ge=1, le=2**31 - 1, description=(
            "owning organisation of a job without a project (default: your own)"))),
        idempotency_key=(str | None, Field(None, min_length=1, max_length=200)),
        time_limit_s=(float | None, Field(None, gt=0, le=86400)),
    )

    def submit(data: body, request: Request, session: SessionDep,  # type: ignore[valid-type]
               principal: Need("jobs:run"),
               idempotency_key: Annotated[str | None, Header(max_length=200)] = None):
        key = data.idempotency_key or idempotency_key
        version = None
        if data.project_version_id is not None:
            version = session.scalar(scoped(select(ProjectVersion).where(
                ProjectVersion.id == data.project_version_id), principal, ProjectVersion))
            if version is None:
                raise ApiError(404, M("msg.api_version_not_found", id=data.project_version_id))
        for vid in getattr(data.params, "cities", None) or []:
            if session.scalar(scoped(select(ProjectVersion.id).where(
                    ProjectVersion.id == vid), principal, ProjectVersion)) is None:
                raise ApiError(404, M("msg.api_version_not_found", id=vid), [Problem(
                    file="request body", column="params.cities", value=str(vid),
                    message=M("msg.api_not_your_version"),
                    expected=M("msg.api_ids_of_your_versions"))])
        org_id = version.org_id if version is not None else (data.org_id or principal.org_id)
        if version is None and org_id is not None:
            get_org(session, principal, org_id)
        if org_id is None:
            raise ApiError(422, M("msg.api_job_needs_org"), [Problem(
                file="request body", column="org_id", message=M("msg.api_missing"),
                expected=M("msg.api_org_or_version"))])
        job, created = request.app.state.jobs.submit(
            session, org_id=org_id, kind=kind, params=data.params.model_dump(mode="json"),
            version=version, idempotency_key=key, time_limit_s=data.time_limit_s,
            user_id=principal.user_id)
        return JSONResponse(job_out(session, job).model_dump(mode="json"),
                            status_code=202 if created else 200)

    submit.__name__ = f"submit_{kind}"
    submit.__doc__ = (f"Submit a job: {task.summary}. The same idempotency key (body or "
                      "Idempotency-Key header) returns the first job instead of a new one.")
    router.add_api_route(f"/{kind}", submit, methods=["POST"], status_code=202,
                         response_model=JobOut, name=f"submit_{kind}",
                         responses={200: {"model": JobOut,
                                          "description": "the job of this idempotency key"}})


for _kind in TASKS:
    _submit_route(_kind)


@router.get("", response_model=Page[JobOut])
def list_jobs(session: SessionDep, page: PageDep, principal: Need("jobs:read"),
              status: Literal[JOB_STATES] | None = None,  # type: ignore[valid-type]
              kind: Literal[tuple(TASKS)] | None = None):  # type: ignore[valid-type]
    stmt = scoped(select(Job), principal, Job).order_by(Job.created_at.desc(), Job.id)
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    out = paginate(session, stmt, page, lambda j: j)
    done = [j.id for j in out["items"] if j.status == "succeeded"]
    ids = dict(session.execute(select(Result.job_id, Result.id)
                               .where(Result.job_id.in_(done))).all()) if done else {}
    out["items"] = [job_out(session, j, ids) for j in out["items"]]
    return out


@router.get("/{job_id}", response_model=JobOut)
def read_job(job_id: JobId, session: SessionDep, principal: Need("jobs:read")):
    return job_out(session, get_job(session, principal, job_id))


@router.post("/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: JobId, request: Request, session: SessionDep,
               principal: Need("jobs:run")):
    """Cancel a queued or running job (a finished job is returned unchanged)."""
    job = get_job(session, principal, job_id)
    return job_out(session, request.app.state.jobs.cancel(session, job))
