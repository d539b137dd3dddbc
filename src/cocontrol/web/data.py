"""The dashboard's reads of stored projects: scoped look-up and a cache of prepared bases.

Every page finds its project through :func:`access.scoped` with the page's principal (another
tenant's project is "not found", 404, as in the API). A version's files are materialised once
and prepared by :func:`cocontrol.scenario.prepare` (the library: inventory, drivers, measures);
the prepared base is cached in the process by the version's content hash, so a cache entry
is reached only after the scoped look-up has allowed the version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select

from cocontrol.errors import CocontrolError
from cocontrol.service import projects as service_projects
from cocontrol.service.access import scoped
from cocontrol.service.models import Project, ProjectVersion
from cocontrol.service.problems import ApiError

_CACHE: OrderedDict[str, object] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 4


@dataclass(frozen=True)
class Chosen:
    """The project and version a page shows (``base``: the prepared scenario base)."""

    project: Project
    version: ProjectVersion
    base: object | None
    error: str | None  # why the project could not be prepared (shown, never a 500)


def visible_projects(ctx) -> list[Project]:
    stmt = scoped(select(Project), ctx.principal, Project).order_by(Project.id)
    return list(ctx.session.scalars(stmt))


def project_of(ctx, project_id: int | None) -> Project | None:
    """The project ``project_id`` if the principal may see it (404 otherwise); without an id
    the first visible project, or None when there is none."""
    if project_id is None:
        found = visible_projects(ctx)
        return found[0] if found else None
    p = ctx.session.scalar(scoped(select(Project).where(Project.id == project_id),
                                  ctx.principal, Project))
    if p is None:
        raise ApiError(404, f"project {project_id} not found")
    return p


def choose(ctx, project_id: int | None) -> Chosen | None:
    """Project, newest version and prepared base for a page (None: no project visible)."""
    p = project_of(ctx, project_id)
    if p is None:
        return None
    v = service_projects.latest(ctx.session, p)
    if v is None:
        return Chosen(p, None, None, ctx.t("web_no_version"))
    try:
        base = prepared(ctx.session, v)
    except CocontrolError as e:
        return Chosen(p, v, None, str(e))
    return Chosen(p, v, base, None)


def prepared(session, v: ProjectVersion):
    """The scenario base of a version (cached by content hash)."""
    with _LOCK:
        hit = _CACHE.get(v.content_hash)
        if hit is not None:
            _CACHE.move_to_end(v.content_hash)
            return hit
    from cocontrol.project import load_project
    from cocontrol.scenario import prepare

    files = service_projects.version_files(session, v)
    if "project.yaml" not in files:
        raise CocontrolError("project.yaml is missing in this version")
    with service_projects.materialised(files) as folder:
        project = load_project(folder)
        base = prepare(project) if "scenarios.yaml" in files else _inventory_only(project)
    with _LOCK:
        _CACHE[v.content_hash] = base
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return base


def _inventory_only(project):
    raise CocontrolError("this project version has no scenarios.yaml: the cockpit needs the "
                         "scenarios and their targets")
