"""Projects, immutable versions and uploads (``/api/projects``)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.errors import Problem
from cocontrol.i18n import Msg as M
from cocontrol.service import projects as svc
from cocontrol.service.access import Need, Principal, scoped
from cocontrol.service.api import Id, Page, PageDep, get_visible, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.models import Project, ProjectVersion
from cocontrol.service.problems import ApiError, ProblemOut, problem_dict
from cocontrol.service.routes.organisations import get_org

router = APIRouter(prefix="/projects", tags=["projects"])


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    org_id: int | None = Field(None, ge=1, le=2**31 - 1,
                               description="owning organisation (default: your own)")


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    name: str
    description: str | None
    created_at: dt.datetime


class FileOut(BaseModel):
    path: str
    sha256: str
    size: int


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    project_id: int
    number: int
    content_hash: str
    message: str | None
    files: list[FileOut]
    warnings: list[ProblemOut]
    created_at: dt.datetime


class UploadOut(BaseModel):
    """The validation report of an upload and the version it made (None for a dry run)."""

    valid: bool
    created: bool
    version: VersionOut | None
    errors: list[ProblemOut]
    warnings: list[ProblemOut]


class RegionNode(BaseModel):
    region_id: str
    level: str
    name: str | None = None
    name_zh: str | None = None
    children: list[RegionNode] = []


def get_project(session, principal: Principal, project_id: int) -> Project:
    return get_visible(session, principal, Project, project_id, "project")


def get_version(session, principal: Principal, project_id: int, number: int) -> ProjectVersion:
    get_project(session, principal, project_id)
    v = session.scalar(scoped(select(ProjectVersion).where(
        ProjectVersion.project_id == project_id, ProjectVersion.number == number),
        principal, ProjectVersion))
    if v is None:
        raise ApiError(404, M("msg.api_project_version_not_found", number=number, id=project_id))
    return v


@router.get("", response_model=Page[ProjectOut])
def list_projects(session: SessionDep, page: PageDep, principal: Need("projects:read"),
                  q: Annotated[str | None, Query(max_length=100)] = None,
                  org_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    stmt = scoped(select(Project), principal, Project).order_by(Project.id)
    if q:
        stmt = stmt.where(Project.name.contains(q))
    if org_id is not None:
        stmt = stmt.where(Project.org_id == org_id)
    return paginate(session, stmt, page, ProjectOut.model_validate)


@router.post("", response_model=ProjectOut, status_code=201)
def create_project(data: ProjectIn, session: SessionDep, principal: Need("projects:write")):
    org_id = data.org_id or principal.org_id
    if org_id is None:
        raise ApiError(422, M("msg.api_org_id_needed"), [Problem(
            file="request body", column="org_id", message=M("msg.api_missing"),
            expected=M("msg.api_owning_org_id"))])
    get_org(session, principal, org_id)
    p = Project(org_id=org_id, name=data.name, description=data.description,
                created_by=principal.user_id)
    session.add(p)
    session.commit()
    return ProjectOut.model_validate(p)


@router.get("/{project_id}", response_model=ProjectOut)
def read_project(project_id: Id, session: SessionDep, principal: Need("projects:read")):
    return ProjectOut.model_validate(get_project(session, principal, project_id))


@router.get("/{project_id}/versions", response_model=Page[VersionOut])
def list_versions(project_id: Id, session: SessionDep, page: PageDep,
                  principal: Need("projects:read")):
    get_project(session, principal, project_id)
    stmt = scoped(select(ProjectVersion).where(ProjectVersion.project_id == project_id),
                  principal, ProjectVersion).order_by(ProjectVersion.number)
    return paginate(session, stmt, page, VersionOut.model_validate)


@router.post("/{project_id}/versions", response_model=UploadOut, status_code=201,
             responses={200: {"model": UploadOut,
                              "description": "same content as the latest version, or dry run"}})
def upload_version(
        project_id: Id, request: Request, session: SessionDep,
        principal: Need("projects:write"),
        files: Annotated[list[UploadFile], File(description="project files: project.yaml, "
                                                "activity.csv|xlsx, regions.csv, ...")],
        base: Annotated[int | None, Form(ge=1, le=2**31 - 1, description=(
            "version number to start from (default: the latest); 0 files carried over "
            "when the project has none"))] = None,
        remove: Annotated[list[str] | None, Form(description="files of the base to drop")]
        = None,
        message: Annotated[str | None, Form(max_length=2000)] = None,
        dry_run: Annotated[bool, Query(description="validate only, store nothing")] = False):
    """Upload files as a new immutable version, with the full validation report."""
    project = get_project(session, principal, project_id)
    limit = request.app.state.settings.max_upload_bytes
    uploaded, total = {}, 0
    for f in files:
        data = f.file.read(limit + 1 - total)
        total += len(data)
        if total > limit:
            raise ApiError(413, M("msg.api_upload_too_large", limit=f"{limit:,}"))
        name = (f.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        uploaded[name] = data
    base_v = (get_version(session, principal, project_id, base) if base
              else svc.latest(session, project))
    v, created, errors, warnings = svc.create_version(
        session, project, uploaded, base_v, remove or [], message, principal.user_id, dry_run)
    out = UploadOut(valid=True, created=created,
                    version=VersionOut.model_validate(v) if v is not None else None,
                    errors=[problem_dict(p) for p in errors],
                    warnings=[problem_dict(p) for p in warnings])
    return Response(out.model_dump_json(), status_code=201 if created else 200,
                    media_type="application/json")


@router.get("/{project_id}/versions/{number}", response_model=VersionOut)
def read_version(project_id: Id, number: Id, session: SessionDep,
                 principal: Need("projects:read")):
    return VersionOut.model_validate(get_version(session, principal, project_id, number))


@router.get("/{project_id}/versions/{number}/files/{path}",
            responses={200: {"content": {"application/octet-stream": {}}}})
def download_file(project_id: Id, number: Id, path: Annotated[str, Path(max_length=80)],
                  session: SessionDep, principal: Need("projects:read")):
    v = get_version(session, principal, project_id, number)
    files = svc.version_files(session, v)
    if path not in files:
        raise ApiError(404, M("msg.api_file_not_in_version", path=repr(path), number=number))
    return Response(files[path], media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{path}"'})


def _clean(node: dict) -> dict:
    for k in ("name", "name_zh"):
        v = node.get(k)
        if v is not None and (isinstance(v, float) and math.isnan(v)):
            node[k] = None
        elif v is not None:
            node[k] = str(v)
    node["children"] = [_clean(c) for c in node["children"]]
    return node


@router.get("/{project_id}/versions/{number}/regions", response_model=list[RegionNode])
def version_regions(project_id: Id, number: Id, session: SessionDep,
                    principal: Need("projects:read")):
    """The region tree of a project version (its regions.csv)."""
    v = get_version(session, principal, project_id, number)
    return [_clean(n) for n in svc.region_tree(svc.version_files(session, v))]
