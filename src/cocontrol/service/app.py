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
from cocontrol.service import migrate
from cocontrol.service.access import AuthGate, Principal, TokenStore
from cocontrol.service.db import Database
from cocontrol.service.jobs import JobManager
from cocontrol.service.problems import ERROR_RESPONSES, install
from cocontrol.service.settings import Settings

log = logging.getLogger("cocontrol.service")

#: routers in the order of the OpenAPI document: (module under cocontrol.service.routes)
ROUTERS = ["health", "organisations", "projects", "jobs", "results", "monitoring"]


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
    app.state.tokens = TokenStore()
    install(app)
    app.add_middleware(AuthGate)
    api = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    import importlib

    for name in ROUTERS:
        api.include_router(importlib.import_module(f"cocontrol.service.routes.{name}").router)
    app.include_router(api)
    return app


def _start(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    migrate.upgrade(settings.db_url)
    app.state.db = db = Database(settings.db_url)
    # TODO(security): real accounts replace the stub's administrator token
    app.state.tokens.issue(Principal(user_id=None, org_id=None, roles=frozenset({"admin"})),
                           settings.admin_token())
    if settings.demo:
        from cocontrol.service import demo

        users = demo.load(db)
        if users:
            log.warning("demo data loaded: organisations, users %s, project Demo City",
                        ", ".join(users))
        _demo_tokens(app, db)
    app.state.jobs = JobManager(settings, db, app.state.executor)
    app.state.jobs.start()


def _demo_tokens(app: FastAPI, db: Database) -> None:
    """Stub tokens of the demo users, printed once. TODO(security): demo accounts."""
    from sqlalchemy import select

    from cocontrol.service.models import User

    with db.session() as s:
        for u in s.scalars(select(User)):
            token = app.state.tokens.issue(Principal(user_id=u.id, org_id=u.org_id,
                                                     roles=frozenset(u.roles)))
            print(f"demo user {u.username} ({', '.join(u.roles)}): token {token}", flush=True)


def _stop(app: FastAPI) -> None:
    jobs = getattr(app.state, "jobs", None)
    if jobs is not None:
        jobs.stop()
    db = getattr(app.state, "db", None)
    if db is not None:
        db.dispose()
