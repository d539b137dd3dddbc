"""The page registry: every dashboard page says its area, path, nav entry and permission.

A pages module ``cocontrol.web.pages.<area>`` makes one :class:`Area` and decorates its
handlers::

    area = Area("cockpit", nav="nav_cockpit", order=10)

    @area.page("/", permission="projects:read", nav=True)
    def cockpit(ctx: Ctx, project_id: int | None = None):
        return ctx.render("cockpit/index.html", figures=...)

    @area.data("/figures", permission="projects:read")
    def figures(ctx: Ctx, project_id: int): ...      # JSON under /api/web/cockpit/figures

- pages are served at ``/web/<area><path>`` (HTML), data endpoints at
  ``/api/web/<area><path>`` (JSON, behind the service's access gate); both are routes of
  the live route table, so the authorisation-matrix test (tests/security) checks their rule;
- ``permission=None`` declares a page public (:data:`cocontrol.service.access.PUBLIC`
  semantics: no login); anything else is one permission of ``data/security/roles.yaml``;
- templates live under ``cocontrol/web/templates/<area>/``; nav labels are catalogue keys
  (``data/i18n/catalogue.yaml``).

The handler receives a :class:`~cocontrol.web.context.Context` (``Ctx``): the principal
narrowed to the page's permission, the database session, the language, and ``render``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from cocontrol.service.access import PERMISSIONS, SELF
from cocontrol.service.db import SESSION


@dataclass(frozen=True)
class NavEntry:
    """One entry of the navigation bar: shown to principals holding ``permission``."""

    area: str
    key: str  # catalogue key of the label
    href: str
    permission: str | None  # None: public
    order: int


@dataclass
class Area:
    """The pages and data endpoints of one area of the dashboard."""

    name: str
    nav: str | None = None  # catalogue key of the area's nav label
    order: int = 100
    pages: APIRouter = field(init=False)
    api: APIRouter = field(init=False)
    entries: list[NavEntry] = field(default_factory=list, init=False)

    def __post_init__(self):
        sub = f"/{self.name}" if self.name else ""  # "" : the core pages at /web/...
        self.pages = APIRouter(prefix=f"/web{sub}", include_in_schema=False)
        self.api = APIRouter(prefix=f"/api/web{sub}", include_in_schema=False)

    def page(self, path: str, permission: str | None, nav: bool = False,
             nav_key: str | None = None, methods: tuple[str, ...] = ("GET",)):
        """Register an HTML page at ``/web/<area><path>``."""
        def decorate(fn: Callable):
            self.pages.add_api_route(path, fn, methods=list(methods),
                                     dependencies=[Depends(gate(permission))],
                                     response_class=_html_response())
            if nav:
                self.entries.append(NavEntry(self.name, nav_key or self.nav or self.name,
                                             self.pages.prefix + path, permission, self.order))
            return fn
        return decorate

    def data(self, path: str, permission: str | None, methods: tuple[str, ...] = ("GET",)):
        """Register a JSON endpoint at ``/api/web/<area><path>``."""
        def decorate(fn: Callable):
            self.api.add_api_route(path, fn, methods=list(methods),
                                   dependencies=[Depends(gate(permission))])
            return fn
        return decorate


def _html_response():
    from fastapi.responses import HTMLResponse

    return HTMLResponse


def gate(permission: str | None):
    """Route dependency: authenticate and authorise like :func:`access.require`, then keep
    the page :class:`Context` in ``request.state.web``. ``None``: a public page (a logged-in
    visitor is still recognised, an expired session just counts as anonymous)."""
    if permission is not None and permission not in PERMISSIONS and permission != SELF:
        raise ValueError(f"unknown permission {permission!r}; add it to "
                         "data/security/roles.yaml (permissions)")

    def dependency(request: Request, session: Session = SESSION) -> None:
        from cocontrol.service import auth
        from cocontrol.service.problems import ApiError
        from cocontrol.web.context import Context

        if permission is None:
            try:
                p = auth.authenticate(request, session)
            except ApiError:
                p = None
            p = p or auth.anonymous(session)
        else:
            p = auth.authorise(request, session, permission)
        request.state.web = Context(request, session, p)

    if permission is None:
        dependency.public = True
    else:
        dependency.permission = permission
    dependency.__name__ = f"web_{(permission or 'public').replace(':', '_')}"
    return dependency

