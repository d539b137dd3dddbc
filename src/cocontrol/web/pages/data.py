"""Data pages (issue 15 item 7): uploads with the validation report row by row and the cell
to fix in Excel, project versions and their differences, the job list (status, progress,
cancel) and report downloads (HTML, PDF, Excel).

Thin shells: the upload goes through the service's version function (validated like
``cocontrol validate``), the report rows and the fix workbook come from
:mod:`cocontrol.project.fixreport`, the differences from :mod:`cocontrol.project.diff`; every
object is read through the one scoping layer (another tenant's project is not found)."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from cocontrol.service.access import scoped
from cocontrol.service.models import Project, ProjectVersion, Result
from cocontrol.service.problems import ApiError
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("data", nav="nav_data", order=70)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: the sub-pages of the area (catalogue key, path, permission), shown as tabs
TABS = [("web_data_uploads", "/web/data/uploads", "projects:write"),
        ("web_data_versions", "/web/data/versions", "projects:read"),
        ("web_data_jobs", "/web/data/jobs", "jobs:read"),
        ("web_data_downloads", "/web/data/downloads", "results:read")]


def full_principal(ctx: Ctx):
    """The visitor's principal with all its roles (the page's is narrowed to one
    permission): to show only the tabs and buttons the visitor may use."""
    from cocontrol.service import auth

    try:
        return auth.authenticate(ctx.request, ctx.session) or ctx.principal
    except ApiError:
        return ctx.principal


def tabs(ctx: Ctx, items=TABS) -> list[dict]:
    p = full_principal(ctx)
    return [{"key": k, "href": h} for k, h, perm in items if p.can(perm)]


def projects_of(ctx: Ctx) -> list[Project]:
    return list(ctx.session.scalars(scoped(select(Project), ctx.principal, Project)
                                    .order_by(Project.id).limit(500)))


def _pick(projects: list[Project], project_id: int | None) -> Project | None:
    if project_id is None:
        return projects[0] if projects else None
    found = next((p for p in projects if p.id == project_id), None)
    if found is None:
        raise ApiError(404, f"project {project_id} not found")
    return found


@area.page("/", permission="projects:read", nav=True)
def index(ctx: Ctx):
    return ctx.render("data/index.html", tabs=tabs(ctx), title_key="nav_data",
                      index_id="data-index")


# ------------------------------------------------------------------ uploads
@area.page("/uploads", permission="projects:write")
def uploads(ctx: Ctx, project_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    projects = projects_of(ctx)
    return ctx.render("data/uploads.html", tabs=tabs(ctx), projects=projects,
                      project=_pick(projects, project_id))


def _files(files: list[UploadFile], limit: int) -> dict[str, bytes]:
    out, total = {}, 0
    for f in files:
        data = f.file.read(limit + 1 - total)
        total += len(data)
        if total > limit:
            raise ApiError(413, f"upload larger than {limit:,} bytes")
        out[(f.filename or "").replace("\\", "/").rsplit("/", 1)[-1]] = data
    return out


def _merged(ctx: Ctx, project: Project, uploaded: dict[str, bytes], remove: list[str]):
    from cocontrol.service import projects as svc

    base = svc.latest(ctx.session, project)
    files = svc.merge(svc.version_files(ctx.session, base) if base else {}, uploaded, remove)
    return base, files


@area.data("/projects/{project_id}/upload", permission="projects:write", methods=("POST",))
def upload(ctx: Ctx, project_id: Id,
           files: Annotated[list[UploadFile], File(description="project files")],
           remove: Annotated[list[str] | None, Form()] = None,
           message: Annotated[str | None, Form(max_length=2000)] = None,
           dry_run: Annotated[bool, Form()] = False):
    """Validate the files (and unless ``dry_run`` store them as a new version): the
    validation report row by row, each row with the cell to fix (the user's file and the fix
    workbook). A refused upload is an answer with ``valid: false``, not an error."""
    from cocontrol.project.fixreport import validation_report
    from cocontrol.service import projects as svc
    from cocontrol.service.routes.projects import get_project

    project = get_project(ctx.session, ctx.principal, project_id)
    uploaded = _files(files, ctx.request.app.state.settings.max_upload_bytes)
    base, merged = _merged(ctx, project, uploaded, remove or [])
    try:
        v, created, _errors, warnings = svc.create_version(
            ctx.session, project, uploaded, base, remove or [], message,
            ctx.principal.user_id, dry_run)
    except ApiError as e:
        if e.status != 422:
            raise
        rows = validation_report(e.problems, merged, ctx.lang)
        return {"valid": False, "created": False, "version": None,
                "message": ctx.t("web_upload_refused", n=sum(r.severity == "error"
                                                             for r in rows)),
                "rows": [r.to_dict() for r in rows]}
    rows = validation_report(list(warnings), merged, ctx.lang)
    msg = (ctx.t("web_upload_valid") if dry_run else
           ctx.t("web_upload_created", n=v.number) if created else
           ctx.t("web_upload_same", n=v.number))
    return {"valid": True, "created": created, "version": v.number if v is not None else None,
            "message": msg, "rows": [r.to_dict() for r in rows]}


@area.data("/projects/{project_id}/fix-workbook", permission="projects:write",
           methods=("POST",))
def fix_workbook(ctx: Ctx, project_id: Id,
                 files: Annotated[list[UploadFile], File(description="project files")],
                 remove: Annotated[list[str] | None, Form()] = None):
    """The input template filled with the project's rows (latest version plus the uploaded
    files), every problem cell marked, and a first sheet linking to each problem."""
    from cocontrol.project import fixreport
    from cocontrol.service import projects as svc
    from cocontrol.service.routes.projects import get_project

    project = get_project(ctx.session, ctx.principal, project_id)
    uploaded = _files(files, ctx.request.app.state.settings.max_upload_bytes)
    _base, merged = _merged(ctx, project, uploaded, remove or [])
    try:
        svc.check_names([*uploaded, *(remove or [])])
        svc.check_tables(uploaded)
        errors, warnings = svc.validate(merged)
        problems = errors + warnings
    except ApiError as e:
        if e.status != 422:
            raise
        problems = e.problems
    data = fixreport.fix_workbook(merged, problems, ctx.lang)
    return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="inputs-fix.xlsx"'})


# ------------------------------------------------------------------ versions
def _versions(ctx: Ctx, project: Project) -> list[ProjectVersion]:
    return list(ctx.session.scalars(scoped(select(ProjectVersion).where(
        ProjectVersion.project_id == project.id), ctx.principal, ProjectVersion)
        .order_by(ProjectVersion.number)))


def version_diff(ctx: Ctx, project_id: int, number: int, against: int | None) -> dict:
    """Differences of version ``number`` from version ``against`` (default: the one before;
    none before the first: every file is new)."""
    from cocontrol.project.diff import diff_files
    from cocontrol.service import projects as svc
    from cocontrol.service.routes.projects import get_version

    new = get_version(ctx.session, ctx.principal, project_id, number)
    against = number - 1 if against is None else against
    old_files = {}
    if against >= 1:
        old = get_version(ctx.session, ctx.principal, project_id, against)
        old_files = svc.version_files(ctx.session, old)
    d = diff_files(old_files, svc.version_files(ctx.session, new))
    out = d.to_dict()
    out.update(project_id=project_id, number=number, against=against if against >= 1 else None,
               identical=d.identical)
    return out


@area.page("/versions", permission="projects:read")
def versions(ctx: Ctx, project_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
             a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
             b: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    projects = projects_of(ctx)
    project = _pick(projects, project_id)
    vs = _versions(ctx, project) if project else []
    diff = None
    if project and vs:
        b = b or vs[-1].number
        a = a if a is not None else (b - 1 if b > 1 else None)
        diff = version_diff(ctx, project.id, b, a)
    return ctx.render("data/versions.html", tabs=tabs(ctx), projects=projects, project=project,
                      versions=vs, a=a, b=b, diff=diff)


@area.data("/projects/{project_id}/versions/{number}/diff", permission="projects:read")
def diff(ctx: Ctx, project_id: Id, number: Id,
         against: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None):
    """What changed in version ``number`` since version ``against`` (default: the one
    before): files, table rows by key with every changed cell, YAML keys."""
    return version_diff(ctx, project_id, number, against)


# ------------------------------------------------------------------ jobs and downloads
@area.page("/jobs", permission="jobs:read")
def jobs(ctx: Ctx):
    """The job list: the page's script reads /api/jobs (status, progress) and cancels
    through /api/jobs/{id}/cancel (the visitor's own permissions decide)."""
    return ctx.render("data/jobs.html", tabs=tabs(ctx),
                      can_run=full_principal(ctx).can("jobs:run"))


@area.page("/downloads", permission="results:read")
def downloads(ctx: Ctx, kind: Annotated[str | None, Query(max_length=32,
                                                          pattern=r"^[a-z_]+$")] = None):
    from cocontrol.service.routes.results import result_out

    stmt = scoped(select(Result), ctx.principal, Result).order_by(Result.created_at.desc(),
                                                                  Result.id).limit(200)
    if kind:
        stmt = stmt.where(Result.kind == kind)
    results = [result_out(r) for r in ctx.session.scalars(stmt)]
    return ctx.render("data/downloads.html", tabs=tabs(ctx), results=results, kind=kind)
