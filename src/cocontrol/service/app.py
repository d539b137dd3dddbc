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
from cocontrol.service.access import Principal, TokenStore
from cocontrol.service.db import Database
from cocontrol.service.problems import ERROR_RESPONSES, install
from cocontrol.service.settings import Settings

log = logging.getLogger("cocontrol.service")

#: routers in the order of the OpenAPI document: (module under cocontrol.service.routes)
ROUTERS = ["health", "organisations", "monitoring"]


def create_app(settings: Settings | None = None) -> FastAPI:
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
    app.state.tokens = TokenStore()
    install(app)
    api = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    import importlib

    for name in ROUTERS:
        api.include_router(importlib.import_module(f"cocontrol.service.routes.{name}").router)
    app.include_router(api)
    return app


def _start(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    migrate.upgrade(settings.db_url)
    app.state.db = Database(settings.db_url)
    # TODO(security): real accounts replace the stub's administrator token
    app.state.tokens.issue(Principal(user_id=None, org_id=None, roles=frozenset({"admin"})),
                           settings.admin_token())


def _stop(app: FastAPI) -> None:
    db = getattr(app.state, "db", None)
    if db is not None:
        db.dispose()
