"""The application factory: ``create_app(settings)``.

At start-up the database is migrated to the newest revision, the job manager starts (and marks
jobs of a previous process that never finished as interrupted), and with ``demo`` the demo
organisations, users and projects are loaded once. The OpenAPI schema is at
``/api/openapi.json``; every route is under ``/api``.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from cocontrol import __version__
from cocontrol.service import migrate, security
from cocontrol.service.db import Database
from cocontrol.service.jobs import JobManager
from cocontrol.service.problems import ERROR_RESPONSES, install
from cocontrol.service.settings import Settings

log = logging.getLogger("cocontrol.service")

#: routers in the order of the OpenAPI document: (module under cocontrol.service.routes)
ROUTERS = ["health", "auth", "organisations", "users", "roles", "publications", "audit",
           "projects", "jobs", "results", "monitoring", "enterprise"]
#: packages of later stages installed into the app by name (``install(app)``): the web
#: dashboard sits above the service (cocontrol.layers), so the service never imports it
EXTENSIONS = ["cocontrol.web"]


def create_app(settings: Settings | None = None, executor=None) -> FastAPI:
    """The application; ``executor`` replaces the one the settings choose (tests)."""
    settings = settings or Settings()
    settings.prepare_dirs()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _start(app)
        try:
            yield
        finally:
            _stop(app)

    app = FastAPI(title="cocontrol platform", version=__version__, lifespan=lifespan,
                  openapi_url="/api/openapi.json", docs_url="/api/docs", redoc_url=None,
                  description="Coordinated control of air pollutants and GHGs (减污降碳协同增效)."
                              " Every route needs a login unless marked public; every error "
                              "answers the ErrorBody shape.")
    app.state.settings = settings
    app.state.executor = executor
    install(app)
    security.install(app)
    api = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    import importlib

    for name in ROUTERS:
        api.include_router(importlib.import_module(f"cocontrol.service.routes.{name}").router)
    app.include_router(api)
    for name in EXTENSIONS:
        importlib.import_module(name).install(app)
    return app


def _start(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    migrate.upgrade(settings.db_url)
    app.state.db = db = Database(settings.db_url)
    security.start(app)  # roles, first administrator (one-time password), secret key
    if settings.demo:
        from cocontrol.service import demo

        users = demo.load(db, app.state.access.params)
        if users:
            log.warning("demo data loaded: organisations, users %s, project Demo City",
                        ", ".join(users))
            for name, password in users.items():  # demo only (refused in production)
                print(f"demo user {name}: one-time password {password}", flush=True)
    app.state.jobs = JobManager(settings, db, app.state.executor)
    app.state.jobs.start()


def _stop(app: FastAPI) -> None:
    jobs = getattr(app.state, "jobs", None)
    if jobs is not None:
        jobs.stop()
    db = getattr(app.state, "db", None)
    if db is not None:
        db.dispose()
