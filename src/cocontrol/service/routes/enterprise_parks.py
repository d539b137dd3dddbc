"""Parks (``/api/enterprise/parks``, issue 17 item 6): thin shells over
:mod:`cocontrol.enterprise.parks`, on the router of :mod:`cocontrol.service.routes.enterprise`.

- ``parks/{org_id}/targets``: the park's targets (a cap on a species' or CO2's annual
  emissions, or on an intensity), stored per park (:class:`ParkTargetRow`);
- ``parks/{org_id}/account``: POST computes the park's account from the inventory of a project
  version (aggregated from its enterprises), the status and alert level of its targets (the
  monitoring engine's levels, :func:`cocontrol.enterprise.parks.park_targets`) and, with
  indicator values, its score and rank with the bundled park index system; the result is
  stored, owned by the park, and the targets at yellow or red become monitoring cases of the
  park (on the early-warning board of the park and of the bureaus above it, never of its
  enterprises). GET answers the latest stored account;
- ``parks``: the stored park accounts you may see (newest first).

Every read goes through the one scoping layer: a park is an organisation of level ``park`` in
your jurisdiction, anything else answers 404 (an enterprise user does not see its park's
rows, a park manager not another park's).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pandas as pd
from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.enterprise import runner
from cocontrol.enterprise.io import EnterpriseData
from cocontrol.enterprise.parks import ParkTarget, alert_cases
from cocontrol.errors import Problem
from cocontrol.i18n import Msg
from cocontrol.service import enterprise_models as store
from cocontrol.service.access import Need, scoped
from cocontrol.service.api import Id, Page, PageDep, paginate
from cocontrol.service.db import SessionDep, utcnow
from cocontrol.service.enterprise_models import ParkAccountRow, ParkTargetRow
from cocontrol.service.monitoring_store import add_cases
from cocontrol.service.problems import ApiError
from cocontrol.service.routes.enterprise import MAX_ROWS, ValueAddedRow, _frame, _key, router


def _error(status: int, msg: Msg, problems: list[Problem] | None = None) -> ApiError:
    return ApiError(status, str(msg), problems, message_zh=msg.tr("zh"))


def _park(session, principal, org_id: int):
    """The park organisation ``org_id`` in the principal's jurisdiction (else 404; 422 when it
    is not a park)."""
    from cocontrol.service.routes.organisations import get_org

    org = get_org(session, principal, org_id)
    if org.level != "park":
        raise _error(422, Msg("msg.ent_api_not_a_park", org=org_id, level=org.level))
    return org


# -- targets ----------------------------------------------------------------------------------
class ParkTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: ParkTarget


class ParkTargetOut(BaseModel):
    id: int
    org_id: int
    key: str
    created_at: dt.datetime
    target: dict


def _target_out(r: ParkTargetRow) -> ParkTargetOut:
    return ParkTargetOut(id=r.id, org_id=r.org_id, key=r.key, created_at=r.created_at,
                         target=r.payload)


@router.post("/parks/{org_id}/targets", response_model=ParkTargetOut, status_code=201)
def create_park_target(org_id: Id, body: ParkTargetIn, session: SessionDep,
                       principal: Need("projects:write")) -> ParkTargetOut:
    """Store a target of a park (id unique per park)."""
    org = _park(session, principal, org_id)
    if store.existing(session, ParkTargetRow, org.id, key=body.target.id):
        raise _error(409, Msg("msg.ent_api_target_stored", target=body.target.id))
    row = store.new_park_target(org.id, body.target, principal.user_id)
    session.add(row)
    session.commit()
    return _target_out(row)


def _targets(session, principal, org) -> list[ParkTargetRow]:
    stmt = scoped(select(ParkTargetRow), principal, ParkTargetRow).where(
        ParkTargetRow.org_id == org.id).order_by(ParkTargetRow.id)
    return list(session.scalars(stmt))


@router.get("/parks/{org_id}/targets", response_model=list[ParkTargetOut])
def list_park_targets(org_id: Id, session: SessionDep, principal: Need("results:read")):
    return [_target_out(r) for r in _targets(session, principal,
                                             _park(session, principal, org_id))]


@router.delete("/parks/{org_id}/targets/{target_id}", status_code=204)
def delete_park_target(org_id: Id, target_id: Id, session: SessionDep,
                       principal: Need("projects:write")) -> Response:
    org = _park(session, principal, org_id)
    row = next((r for r in _targets(session, principal, org) if r.id == target_id), None)
    if row is None:
        raise _error(404, Msg("msg.ent_api_not_found", what=Msg("ent_api_what_target"),
                              id=target_id))
    session.delete(row)
    session.commit()
    return Response(status_code=204)


# -- accounts ---------------------------------------------------------------------------------
ValueRow = dict[str, str | float | int | None]


class ParkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_version_id: Annotated[int, Field(ge=1, le=2**31 - 1, description="project version "
                                             "whose inventory gives the emissions")]
    targets: Annotated[list[ParkTarget], Field(max_length=1000, description=(
        "targets assessed besides the park's stored ones (not stored)"))] = []
    value_added: Annotated[list[ValueAddedRow], Field(max_length=MAX_ROWS)] = []
    near: float = Field(0.9, gt=0, le=1)
    evaluation_values: Annotated[list[ValueRow], Field(max_length=20_000, description=(
        "indicator values of parks for the park index system: rows with unit (the park's "
        "region id), year and one value per indicator; the park is scored and ranked among "
        "the parks given"))] = []
    evaluation_illustrative: bool = Field(False, description="the evaluation values are "
                                          "illustrative (shown on the park page)")
    on: dt.date | None = Field(None, description="date of the alert cases (default: 31 Dec "
                                                 "of the last inventory year)")


class ParkAccountOut(BaseModel):
    id: int
    org_id: int
    park: str
    name: str
    project_version_id: int | None
    level: str | None = Field(description="worst alert level of the targets")
    score: float | None
    rank: int | None
    created_at: dt.datetime
    enterprises: list[str] = []
    total: list[dict] = []
    by_enterprise: list[dict] = []
    park_only: list[dict] = []
    targets: list[dict] = []
    evaluation: dict | None = None
    illustrative: bool = False
    notes: list[str] = []
    cases: list[int] = Field([], description="monitoring cases of the targets at yellow or "
                             "red (set by a computation; /api/monitoring/cases)")
    new_cases: int = 0


def _account_out(r: ParkAccountRow, full: bool = True) -> ParkAccountOut:
    p = r.payload or {}
    out = ParkAccountOut(id=r.id, org_id=r.org_id, park=r.park_key, name=r.name,
                         project_version_id=r.project_version_id, level=r.level,
                         score=r.score, rank=r.rank, created_at=r.created_at,
                         evaluation=p.get("evaluation"), illustrative=bool(p.get("illustrative")))
    if full:
        for k in ("enterprises", "total", "by_enterprise", "park_only", "targets", "notes"):
            setattr(out, k, p.get(k) or [])
    return out


@router.post("/parks/{org_id}/account", response_model=ParkAccountOut, status_code=201)
def park_account(org_id: Id, body: ParkIn, session: SessionDep,
                 principal: Need("jobs:run")) -> ParkAccountOut:
    """Compute and store the account of a park (an organisation of level park of your
    jurisdiction; its region code in the project) aggregated from its enterprises, the status
    and alert level of its stored targets (and of ``targets``), and its evaluation score and
    rank when ``evaluation_values`` are given. Targets at yellow or red become monitoring
    cases of the park (the same finding computed again is not duplicated)."""
    org = _park(session, principal, org_id)
    stored = [store.park_target_of(r) for r in _targets(session, principal, org)]
    ids = [t.id for t in stored + list(body.targets)]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise _error(422, Msg("msg.ent_api_target_twice", targets=", ".join(dup)))
    ctx = store.context(session, principal, body.project_version_id, EnterpriseData())
    va = _frame(body.value_added, ["enterprise_id", "year", "value", "unit"])
    values = pd.DataFrame(body.evaluation_values) if body.evaluation_values else None
    key = _key(org)
    acc, table, evaluation = runner.park_full(
        ctx, key, targets=stored + list(body.targets), value_added=va, near=body.near,
        values=values, file="evaluation_values")
    if values is not None and evaluation is None:
        raise _error(422, Msg("msg.ent_api_park_not_evaluated", park=key))
    illustrative = bool(ctx.project.manifest.illustrative) or body.evaluation_illustrative
    row = store.new_park_account(org.id, acc, table, evaluation, body.project_version_id,
                                 principal.user_id, illustrative, inventory=ctx.inventory,
                                 version=store.version_info(session, body.project_version_id))
    session.add(row)
    on = body.on or dt.date(ctx.inventory.years[-1], 12, 31)
    cases, new = add_cases(session, org.id, alert_cases(table, key, utcnow(), on),
                           principal.user_id)
    session.commit()
    out = _account_out(row)
    out.cases, out.new_cases = [c.id for c in cases], new
    return out


def latest_account(session, principal, org) -> ParkAccountRow | None:
    """The latest stored account of the park ``org`` the principal may see."""
    stmt = scoped(select(ParkAccountRow), principal, ParkAccountRow).where(
        ParkAccountRow.org_id == org.id).order_by(ParkAccountRow.id.desc()).limit(1)
    return session.scalar(stmt)


@router.get("/parks/{org_id}/account", response_model=ParkAccountOut)
def read_park_account(org_id: Id, session: SessionDep, principal: Need("results:read")):
    """The latest stored account of a park (404 when none is stored or the park is not in
    your jurisdiction)."""
    org = _park(session, principal, org_id)
    row = latest_account(session, principal, org)
    if row is None:
        raise _error(404, Msg("msg.ent_api_no_park_account", org=org_id))
    return _account_out(row)


@router.get("/parks", response_model=Page[ParkAccountOut])
def list_park_accounts(session: SessionDep, page: PageDep, principal: Need("results:read")):
    """Stored park accounts (newest first), without their tables."""
    stmt = scoped(select(ParkAccountRow), principal, ParkAccountRow).order_by(
        ParkAccountRow.id.desc())
    return paginate(session, stmt, page, lambda r: _account_out(r, full=False))
