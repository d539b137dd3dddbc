"""Wiring of the dashboard into the service's application (``install(app)``).

- every area module of :data:`AREAS` (``cocontrol.web.pages.<area>``) is imported and its
  routers included: pages under ``/web/...``, JSON under ``/api/web/...``;
- ``/static/...``: the dashboard's own CSS and JS; ``/static/vendor/plotly.min.js``: the
  plotly.js bundle of the installed ``plotly`` package (nothing from the internet), both
  gzip-compressed when the browser accepts it;
- errors under ``/web/`` answer an HTML page in the visitor's language (401: the login page,
  403, 404, 422, 500: a plain message); the API keeps its JSON error bodies;
- ``/`` redirects to ``/web/``.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from cocontrol.htmlreport import plotly_js_path
from cocontrol.service.problems import ApiError

log = logging.getLogger("cocontrol.web")

#: area modules under cocontrol.web.pages, in nav order of their Area.order
AREAS = ["core", "cockpit", "public", "analysis", "data", "whatif", "monitor", "uncertainty",
         "enterprise", "map", "drill", "scenarios"]
STATIC = Path(__file__).parent / "static"


def areas() -> list:
    return [importlib.import_module(f"cocontrol.web.pages.{name}").area for name in AREAS]


def nav_entries(app: FastAPI) -> list:
    return app.state.web_nav


def install(app: FastAPI) -> None:
    loaded = areas()
    for area in loaded:
        app.include_router(area.pages)
        app.include_router(area.api)
    app.state.web_nav = sorted((e for a in loaded for e in a.entries), key=lambda e: e.order)
    app.router.routes.append(Route("/static/vendor/plotly-rules.css", _plotly_rules,
                                   name="plotly-rules"))
    app.router.routes.append(Mount("/static/vendor", app=GZipMiddleware(StaticFiles(
        directory=plotly_js_path().parent), minimum_size=1024), name="vendor"))
    app.router.routes.append(Mount("/static", app=GZipMiddleware(StaticFiles(directory=STATIC),
                                                                 minimum_size=1024),
                                   name="static"))

    @app.get("/", include_in_schema=False, dependencies=[_public_dep()])
    def root():
        return RedirectResponse("/web/", status_code=303)

    _html_errors(app)


async def _plotly_rules(request):
    from cocontrol.web.plotlycss import stylesheet

    return Response(stylesheet(), media_type="text/css",
                    headers={"cache-control": "public, max-age=86400"})


def _public_dep():
    from cocontrol.service.access import PUBLIC

    return PUBLIC


def _is_page(request: Request) -> bool:
    path = request.url.path
    return path == "/web" or path.startswith("/web/")


def _html_errors(app: FastAPI) -> None:
    """Wrap the service's error handlers: pages get an HTML answer, the API its JSON."""
    for exc_class in (ApiError, StarletteHTTPException, RequestValidationError, Exception):
        previous = app.exception_handlers.get(exc_class)
        app.exception_handlers[exc_class] = _wrapped(previous)


def _wrapped(previous):
    async def handler(request: Request, exc: Exception):
        if _is_page(request):
            return error_page(request, exc)
        result = previous(request, exc)
        return await result if inspect.isawaitable(result) else result
    return handler


def error_page(request: Request, exc: Exception):
    """The HTML answer of a page that failed: login (401), or a plain message."""
    from cocontrol.service import auth
    from cocontrol.web.context import Context

    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    if isinstance(exc, RequestValidationError):
        status = 422
    if not isinstance(status, int):
        log.exception("page %s failed", request.url.path, exc_info=exc)
        status = 500
    with request.app.state.db.session() as session:
        ctx = Context(request, session,
                      getattr(request.state, "principal", None) or auth.anonymous(session))
        if status == 401:
            return ctx.render("core/login.html", status=401, next=_safe_next(request))
        key = {403: "web_forbidden", 404: "web_not_found", 422: "web_bad_request"}.get(
            status, "web_server_error")
        message = ctx.t(key)
        if status in (409, 422) and isinstance(exc, ApiError):
            # a refusal of the library or a route about what the user may see (an organisation
            # that is not a park, a conflict): its own words; 403/404 stay uniform (no leak)
            message = exc.message_zh if ctx.lang == "zh" and exc.message_zh else exc.message
        return ctx.render("core/error.html", status=status, message=message, code=status)


def _safe_next(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path if path.startswith("/web/") and not path.startswith("/web/login") else "/web/"
