"""``GET /api/health``: public liveness and database check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from cocontrol import __version__
from cocontrol.service.access import PUBLIC
from cocontrol.service.db import SessionDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    executor: str


@router.get("/health", dependencies=[PUBLIC], response_model=Health)
def health(request: Request, session: SessionDep) -> Health:
    session.execute(text("SELECT 1"))
    db = request.app.state.db
    return Health(status="ok", version=__version__,
                  database="sqlite" if db.is_sqlite else "postgresql",
                  executor=request.app.state.jobs.executor_name)
