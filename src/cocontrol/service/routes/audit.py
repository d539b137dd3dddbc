"""The audit log (``/api/audit``): browse, export (CSV/Excel, formula-safe), verify the chain.

Nothing here (or anywhere in the application) edits or deletes a record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from cocontrol import io
from cocontrol.project.cells import safe_frame
from cocontrol.service import audit
from cocontrol.service.access import Need, scoped
from cocontrol.service.api import Page, PageDep, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.security_models import AuditRecord

router = APIRouter(prefix="/audit", tags=["audit"])
EXPORT_MAX = 100_000


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str | None
    via: str | None
    org_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    address: str | None
    route: str | None
    before_hash: str | None
    after_hash: str | None
    detail: dict
    hash: str


class ChainOut(BaseModel):
    ok: bool
    records: int
    broken_at: int | None
    reason: str | None


def _query(principal, action, actor, object_type, object_id, since, until):
    stmt = scoped(select(AuditRecord), principal, AuditRecord).order_by(AuditRecord.id.desc())
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    if actor:
        stmt = stmt.where(AuditRecord.actor == actor)
    if object_type:
        stmt = stmt.where(AuditRecord.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditRecord.object_id == object_id)
    if since:
        stmt = stmt.where(AuditRecord.at >= since)
    if until:
        stmt = stmt.where(AuditRecord.at < until)
    return stmt


Filter = Annotated[str | None, Query(max_length=100)]


@router.get("", response_model=Page[AuditOut])
def browse(session: SessionDep, page: PageDep, principal: Need("audit:read"),
           action: Filter = None, actor: Filter = None, object_type: Filter = None,
           object_id: Filter = None, since: dt.datetime | None = None,
           until: dt.datetime | None = None):
    """Newest first; filters combine."""
    stmt = _query(principal, action, actor, object_type, object_id, since, until)
    return paginate(session, stmt, page, AuditOut.model_validate)


@router.get("/export", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-"
                                         "officedocument.spreadsheetml.sheet": {}}}})
def export(session: SessionDep, principal: Need("audit:read"),
           format: Literal["csv", "xlsx"] = "csv", action: Filter = None,
           actor: Filter = None, object_type: Filter = None, object_id: Filter = None,
           since: dt.datetime | None = None, until: dt.datetime | None = None):
    """The filtered log as CSV or Excel (at most 100 000 records, text cells formula-safe)."""
    stmt = _query(principal, action, actor, object_type, object_id, since, until)
    rows = session.scalars(stmt.limit(EXPORT_MAX)).all()
    cols = list(AuditOut.model_fields)
    df = pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)
    df["at"] = df["at"].astype(str)
    df["detail"] = df["detail"].map(lambda d: audit.canonical(d))
    if format == "csv":
        return Response(safe_frame(df).to_csv(index=False).encode("utf-8-sig"), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return Response(io.workbook_bytes({"audit": safe_frame(df)}), media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="audit.xlsx"'})


@router.get("/verify", response_model=ChainOut)
def verify(session: SessionDep, principal: Need("audit:read")):
    """Recompute the hash chain of the whole log (administrators see the whole chain)."""
    rep = audit.verify(session)
    return {"ok": rep.ok, "records": rep.records, "broken_at": rep.broken_at,
            "reason": rep.reason}
