"""Enterprises and parks (``/api/enterprise``): thin shells over :mod:`cocontrol.enterprise`.

Stored per organisation (:mod:`cocontrol.service.enterprise_models`), every read through the
one scoping layer (another enterprise's row answers 404; a park user sees its park's
enterprises, the bureau its whole jurisdiction), every change audited:

- ``permits``: permits with carbon; ``permits/{id}/compliance`` assesses every permit item
  (concentrations from the posted monitoring values, annual quantities and the carbon
  intensity from the inventory of a project version) and stores the result with its status;
  the items near or above their limit become monitoring cases of the enterprise
  (:func:`cocontrol.enterprise.permits.alert_cases`), on the early-warning board;
- ``accounts``: the carbon–pollution account of an enterprise computed from the inventory of
  a project version (intensities, benchmark and carbon-efficiency grade, monthly profile,
  stored A–D grade);
- ``footprints``: product carbon footprints (computed when stored) and their report
  (HTML or Excel) for download;
- ``synergy``: the synergy project library: projects, status workflow with evidence,
  co-benefits computed by the scenario engine (``synergy/assess``), ranking for funding and
  the export for banks (Excel or CSV, formula-safe cells);
- ``parks``: park targets and stored park accounts (:mod:`cocontrol.service.routes.
  enterprise_parks`); ``screening``: a proposed plant against benchmarks and the room under
  caps, and its report.

A project version's inputs are reached only through the scoping layer too; the project loaded
from it is cached by content hash (:func:`cocontrol.service.enterprise_models.context`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.enterprise import NewPlant, Permit, Product, SynergyProject, compliance, runner
from cocontrol.enterprise import footprint as compute_footprint
from cocontrol.enterprise import report as ent_report
from cocontrol.enterprise.account import PerformanceGrade
from cocontrol.enterprise.io import EnterpriseData
from cocontrol.enterprise.permits import alert_cases
from cocontrol.enterprise.projects import Evidence, Status, co_benefits, rank_summaries
from cocontrol.enterprise.screening import RegionalCap
from cocontrol.errors import InputError, message_text
from cocontrol.i18n import Msg
from cocontrol.service import enterprise_models as store
from cocontrol.service.access import Need, Principal, scoped, visible_orgs
from cocontrol.service.api import Id, Page, PageDep, get_visible, paginate
from cocontrol.service.db import SessionDep, utcnow
from cocontrol.service.enterprise_models import (
    EnterpriseAccount,
    EnterpriseFootprint,
    EnterprisePermit,
    SynergyProjectRow,
)
from cocontrol.service.models import Organisation
from cocontrol.service.monitoring_store import add_cases
from cocontrol.service.problems import ApiError

router = APIRouter(prefix="/enterprise", tags=["enterprise"])

MAX_ROWS = 100_000
Text = Annotated[str, Field(min_length=1, max_length=200)]
OrgId = Annotated[int | None, Field(None, ge=1, le=2**31 - 1,
                                    description="owning organisation (default: your own)")]
VersionId = Annotated[int, Field(ge=1, le=2**31 - 1, description="project version whose "
                                 "inventory gives the emissions")]
OrgFilter = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="rows of this "
                                        "organisation and every organisation below it")]


def _error(status: int, msg: Msg, problems=None) -> ApiError:
    """An API error whose message is a catalogue message (English, and Chinese beside it)."""
    return ApiError(status, str(msg), problems, message_zh=msg.tr("zh"))


def _owner_org(session, principal: Principal, org_id: int | None):
    """The organisation a new row belongs to: in the principal's jurisdiction, else 404."""
    from cocontrol.service.routes.monitoring import _owner_org as owner
    from cocontrol.service.routes.organisations import get_org

    return get_org(session, principal, owner(session, principal, org_id))


def _under(stmt, model, under: int | None, session, principal):
    if under is None:
        return stmt
    from cocontrol.service.routes.organisations import get_org

    org = get_org(session, principal, under)
    return stmt.where(model.org_id.in_(visible_orgs(org.id)))


def _key(org) -> str:
    """The region id of an organisation in the project (its region code, else its code)."""
    return org.region_code or org.code


def _frame(rows: list[BaseModel], columns: list[str]) -> pd.DataFrame | None:
    if not rows:
        return None
    return pd.DataFrame([r.model_dump() for r in rows], columns=columns)


# -- permits -----------------------------------------------------------------------------------
class PermitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: OrgId = None
    permit: Permit


class PermitOut(BaseModel):
    id: int
    org_id: int
    number: str
    enterprise_key: str
    industry: str
    valid_from: dt.date
    valid_to: dt.date
    status: str | None = Field(description="worst item of the last assessment")
    assessed_on: dt.date | None
    compliance: list[dict]
    permit: dict
    cases: list[int] = Field([], description="monitoring cases of the items near or above "
                             "their limit (set by an assessment; /api/monitoring/cases)")
    new_cases: int = 0


def _permit_out(r: EnterprisePermit) -> PermitOut:
    return PermitOut(id=r.id, org_id=r.org_id, number=r.number, enterprise_key=r.enterprise_key,
                     industry=r.industry, valid_from=r.valid_from, valid_to=r.valid_to,
                     status=r.status, assessed_on=r.assessed_on, compliance=r.compliance,
                     permit=r.payload)


@router.post("/permits", response_model=PermitOut, status_code=201)
def create_permit(body: PermitIn, session: SessionDep,
                  principal: Need("projects:write")) -> PermitOut:
    """Store a permit of an organisation (number unique per organisation)."""
    org = _owner_org(session, principal, body.org_id)
    if store.existing(session, EnterprisePermit, org.id, number=body.permit.number):
        raise _error(409, Msg("msg.ent_api_permit_stored", permit=body.permit.number))
    row = store.new_permit(org.id, body.permit, principal.user_id)
    session.add(row)
    session.commit()
    return _permit_out(row)


@router.get("/permits", response_model=Page[PermitOut])
def list_permits(session: SessionDep, page: PageDep, principal: Need("results:read"),
                 under: OrgFilter = None,
                 status: Annotated[str | None, Query(max_length=16)] = None):
    stmt = scoped(select(EnterprisePermit), principal, EnterprisePermit).order_by(
        EnterprisePermit.id)
    stmt = _under(stmt, EnterprisePermit, under, session, principal)
    if status is not None:
        stmt = stmt.where(EnterprisePermit.status == status)
    return paginate(session, stmt, page, _permit_out)


@router.get("/permits/{permit_id}", response_model=PermitOut)
def read_permit(permit_id: Id, session: SessionDep, principal: Need("results:read")):
    return _permit_out(get_visible(session, principal, EnterprisePermit, permit_id, "permit"))


class ProductionRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1990, le=2100)
    product: Text
    value: float
    unit: Text


class ConcentrationRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outlet_id: Text
    species: Text
    period: str = Field("", max_length=20)
    value: float
    unit: Text


class ComplianceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concentrations: Annotated[list[ConcentrationRow], Field(max_length=MAX_ROWS)] = []
    project_version_id: VersionId | None = Field(
        None, description="annual quantities and carbon intensity from this version's "
                          "inventory (default: concentrations only)")
    year: int | None = Field(None, ge=1990, le=2100,
                             description="inventory year (default: the last)")
    production: Annotated[list[ProductionRow], Field(max_length=MAX_ROWS)] = []
    on: dt.date | None = Field(None, description="assessment date (default: 31 Dec of the "
                                                 "year with a version, else today)")
    near: float = Field(0.9, gt=0, le=1)


@router.post("/permits/{permit_id}/compliance", response_model=PermitOut)
def assess_permit(permit_id: Id, body: ComplianceIn, session: SessionDep,
                  principal: Need("jobs:run")) -> PermitOut:
    """Compliance of every permit item (within / near / exceeded / not assessed / permit
    expired), stored with the permit; the permit's status is its worst item. Items exceeded
    (red) or near (yellow), or an expired permit, become monitoring cases of the permit's
    organisation (status found; the same finding assessed again is not duplicated)."""
    row = get_visible(session, principal, EnterprisePermit, permit_id, "permit")
    permit = store.permit_of(row)
    conc = _frame(body.concentrations, ["outlet_id", "species", "period", "value", "unit"])
    if body.project_version_id is None:
        on = body.on or dt.datetime.now(dt.UTC).date()
        table = compliance(permit, concentrations=conc, on=on, near=body.near)
    else:
        data = EnterpriseData(permits=[permit], tables=_tables(
            permit.enterprise_id, concentrations=conc,
            production=_frame(body.production, ["year", "product", "value", "unit"])))
        ctx = store.context(session, principal, body.project_version_id, data)
        year = body.year or ctx.inventory.years[-1]
        on = body.on or dt.date(year, 12, 31)
        table = runner.permit_status(ctx, permit.enterprise_id, on=on, year=year,
                                     near=body.near)
    store.store_compliance(row, table, on, body.near)
    org = session.get(Organisation, row.org_id)
    cases = alert_cases(table, permit, _key(org), utcnow(), on)
    stored, new = add_cases(session, row.org_id, cases, principal.user_id)
    session.commit()
    out = _permit_out(row)
    out.cases, out.new_cases = [c.id for c in stored], new
    return out


def _tables(enterprise_id: str, **frames) -> dict[str, pd.DataFrame]:
    """Tables of one enterprise as the library's EnterpriseData holds them."""
    return {k: v.assign(enterprise_id=v["enterprise_id"] if "enterprise_id" in v
                        else enterprise_id) for k, v in frames.items() if v is not None}


# -- accounts ----------------------------------------------------------------------------------
class ValueAddedRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enterprise_id: str | None = Field(None, max_length=64,
                                      description="default: the account's enterprise; other "
                                                  "enterprises are its peers")
    year: int = Field(ge=1990, le=2100)
    value: float
    unit: Text


class MonthRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]
    value: float


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: OrgId = None
    project_version_id: VersionId
    enterprise: str | None = Field(None, max_length=64, description="region id of the "
                                   "enterprise in the project (default: the organisation's "
                                   "region code, else its code)")
    production: Annotated[list[ProductionRow], Field(max_length=MAX_ROWS)] = []
    value_added: Annotated[list[ValueAddedRow], Field(max_length=MAX_ROWS)] = []
    monthly: Annotated[list[MonthRow], Field(max_length=MAX_ROWS)] = []
    performance: PerformanceGrade | None = None


class AccountOut(BaseModel):
    id: int
    org_id: int
    enterprise_key: str
    name: str
    project_version_id: int | None
    carbon_level: int | None
    carbon_colour: str | None
    performance_grade: str | None
    created_at: dt.datetime
    account: dict | None = None


def _account_out(r: EnterpriseAccount, full: bool = True) -> AccountOut:
    return AccountOut(id=r.id, org_id=r.org_id, enterprise_key=r.enterprise_key, name=r.name,
                      project_version_id=r.project_version_id, carbon_level=r.carbon_level,
                      carbon_colour=r.carbon_colour, performance_grade=r.performance_grade,
                      created_at=r.created_at,
                      account={k: v for k, v in (r.payload or {}).items() if k != "derivation"}
                      if full else None)


@router.post("/accounts", response_model=AccountOut, status_code=201)
def create_account(body: AccountIn, session: SessionDep,
                   principal: Need("jobs:run")) -> AccountOut:
    """Compute and store the carbon–pollution account of an enterprise from the inventory of a
    project version; the benchmark is the one of the organisation's stored permit of the
    enterprise (if any)."""
    org = _owner_org(session, principal, body.org_id)
    eid = body.enterprise or _key(org)
    permits = [store.permit_of(p) for p in session.scalars(select(EnterprisePermit).where(
        EnterprisePermit.org_id == org.id, EnterprisePermit.enterprise_key == eid))]
    va = _frame(body.value_added, ["enterprise_id", "year", "value", "unit"])
    if va is not None:
        va["enterprise_id"] = va["enterprise_id"].fillna(eid)
    data = EnterpriseData(permits=permits,
                          performance=[body.performance] if body.performance else [],
                          tables=_tables(eid, production=_frame(
                              body.production, ["year", "product", "value", "unit"]),
                              value_added=va,
                              monthly=_frame(body.monthly, ["month", "value"])))
    ctx = store.context(session, principal, body.project_version_id, data)
    row = store.new_account(org.id, runner.account(ctx, eid), body.project_version_id,
                            principal.user_id, ctx.project.manifest.illustrative,
                            inventory=ctx.inventory,
                            version=store.version_info(session, body.project_version_id))
    session.add(row)
    session.commit()
    return _account_out(row)


@router.get("/accounts", response_model=Page[AccountOut])
def list_accounts(session: SessionDep, page: PageDep, principal: Need("results:read"),
                  under: OrgFilter = None):
    """Stored accounts (newest first), without their tables."""
    stmt = scoped(select(EnterpriseAccount), principal, EnterpriseAccount).order_by(
        EnterpriseAccount.id.desc())
    stmt = _under(stmt, EnterpriseAccount, under, session, principal)
    return paginate(session, stmt, page, lambda r: _account_out(r, full=False))


@router.get("/accounts/{account_id}", response_model=AccountOut)
def read_account(account_id: Id, session: SessionDep, principal: Need("results:read")):
    return _account_out(get_visible(session, principal, EnterpriseAccount, account_id,
                                    "account"))


# -- product footprints ------------------------------------------------------------------------
class FootprintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: OrgId = None
    product: Product


class FootprintOut(BaseModel):
    id: int
    org_id: int
    product_key: str
    name: str
    value_kg: float = Field(description="kg CO2e per functional unit")
    created_at: dt.datetime
    result: dict
    product: dict


def _footprint_out(r: EnterpriseFootprint) -> FootprintOut:
    return FootprintOut(id=r.id, org_id=r.org_id, product_key=r.product_key, name=r.name,
                        value_kg=r.value_kg, created_at=r.created_at, result=r.result,
                        product=r.product)


@router.post("/footprints", response_model=FootprintOut, status_code=201)
def create_footprint(body: FootprintIn, session: SessionDep,
                     principal: Need("projects:write")) -> FootprintOut:
    """Compute (cradle to gate, ISO 14067) and store the footprint of a product."""
    org = _owner_org(session, principal, body.org_id)
    row = store.new_footprint(org.id, body.product, compute_footprint(body.product),
                              principal.user_id)
    session.add(row)
    session.commit()
    return _footprint_out(row)


@router.post("/footprints/compute", response_model=dict)
def compute(body: FootprintIn, principal: Need("jobs:run")) -> dict:
    """The footprint of a product without storing it (contributions by stage and input)."""
    res = compute_footprint(body.product)
    out = res.to_dict()
    out["contributions"] = store.records(res.contributions)
    out["by_stage"] = store.records(res.by_stage())
    return out


@router.get("/footprints", response_model=Page[FootprintOut])
def list_footprints(session: SessionDep, page: PageDep, principal: Need("results:read"),
                    under: OrgFilter = None):
    stmt = scoped(select(EnterpriseFootprint), principal, EnterpriseFootprint).order_by(
        EnterpriseFootprint.id)
    stmt = _under(stmt, EnterpriseFootprint, under, session, principal)
    return paginate(session, stmt, page, _footprint_out)


@router.get("/footprints/{footprint_id}", response_model=FootprintOut)
def read_footprint(footprint_id: Id, session: SessionDep, principal: Need("results:read")):
    return _footprint_out(get_visible(session, principal, EnterpriseFootprint, footprint_id,
                                      "footprint"))


@router.get("/footprints/{footprint_id}/report", responses={200: {"content": {
    "text/html": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def footprint_report(footprint_id: Id, session: SessionDep, principal: Need("results:read"),
                     format: Literal["html", "xlsx"] = "html",  # noqa: A002 - the query name
                     lang: Literal["en", "zh"] = "en"):
    """The footprint report of a stored product (HTML in English or Chinese, or the Excel
    workbook), computed from the stored product; answers 409 if that no longer gives the
    stored value (the bundled factors changed: store the footprint again)."""
    row = get_visible(session, principal, EnterpriseFootprint, footprint_id, "footprint")
    res = compute_footprint(store.product_of(row))
    if abs(res.value_kg - row.value_kg) > 1e-9 * max(1.0, abs(row.value_kg)):
        raise _error(409, Msg("msg.ent_api_footprint_changed", id=row.id,
                              stored=f"{row.value_kg:g}", now=f"{res.value_kg:g}"))
    name = f"footprint-{row.product_key}"
    if format == "html":
        return Response(ent_report.footprint_html([res], lang).html(),
                        media_type="text/html; charset=utf-8", headers={
                            "Content-Disposition": f'attachment; filename="{name}-{lang}.html"'})
    return Response(ent_report.footprint_bytes([res]), media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


# -- synergy project library -------------------------------------------------------------------
class SynergyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: OrgId = None
    project: SynergyProject


class SynergyOut(BaseModel):
    id: int
    org_id: int
    key: str
    name: str
    status: str
    benefits_year: int | None
    benefits: dict | None = Field(description="co-benefits computed by the scenario engine")
    project_version_id: int | None
    updated_at: dt.datetime
    project: dict


def _synergy_out(r: SynergyProjectRow) -> SynergyOut:
    return SynergyOut(id=r.id, org_id=r.org_id, key=r.key, name=r.name, status=r.status,
                      benefits_year=r.benefits_year, benefits=r.benefits,
                      project_version_id=r.project_version_id, updated_at=r.updated_at,
                      project=r.payload)


@router.post("/synergy", response_model=SynergyOut, status_code=201)
def create_synergy(body: SynergyIn, session: SessionDep,
                   principal: Need("projects:write")) -> SynergyOut:
    """Store a project of the library (id unique per organisation); a project at funded,
    built or verified must carry its evidence."""
    org = _owner_org(session, principal, body.org_id)
    if store.existing(session, SynergyProjectRow, org.id, key=body.project.id):
        raise _error(409, Msg("msg.ent_api_project_stored", project=body.project.id))
    row = store.new_project(org.id, body.project, principal.user_id)
    session.add(row)
    session.commit()
    return _synergy_out(row)


def _visible_projects(session, principal, under: int | None, year: int | None = None):
    stmt = scoped(select(SynergyProjectRow), principal, SynergyProjectRow).order_by(
        SynergyProjectRow.id)
    stmt = _under(stmt, SynergyProjectRow, under, session, principal)
    if year is not None:
        stmt = stmt.where(SynergyProjectRow.benefits_year == year)
    return list(session.scalars(stmt))


@router.get("/synergy", response_model=Page[SynergyOut])
def list_synergy(session: SessionDep, page: PageDep, principal: Need("results:read"),
                 under: OrgFilter = None, status: Status | None = None):
    stmt = scoped(select(SynergyProjectRow), principal, SynergyProjectRow).order_by(
        SynergyProjectRow.id)
    stmt = _under(stmt, SynergyProjectRow, under, session, principal)
    if status is not None:
        stmt = stmt.where(SynergyProjectRow.status == status)
    return paginate(session, stmt, page, _synergy_out)


class AssessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_version_id: VersionId
    year: int = Field(ge=1990, le=2100, description="scenario year of the co-benefits")
    reference: str = Field("baseline", pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    under: OrgId = Field(None, description="only the projects of this organisation's subtree")


@router.post("/synergy/assess", response_model=list[SynergyOut])
def assess_synergy(body: AssessIn, session: SessionDep,
                   principal: Need("jobs:run")) -> list[SynergyOut]:
    """Co-benefits of every visible project (ΔCO2, Δ each pollutant, APeq, cross-elasticity,
    unit co-control cost) computed by the scenario engine on a project version, stored with
    each project."""
    base = store.scenario_base(session, principal, body.project_version_id)
    rows = _visible_projects(session, principal, body.under)
    with store.RUNS:
        benefits = [co_benefits(base, store.project_of(r), body.year, reference=body.reference)
                    for r in rows]
    for r, b in zip(rows, benefits, strict=True):
        store.store_benefits(r, b, body.project_version_id)
    session.commit()
    return [_synergy_out(r) for r in rows]


Price = Annotated[float, Query(ge=0, le=1e6)]


def _ranking(session, principal, year, under, carbon_price, apeq_price):
    rows = [r for r in _visible_projects(session, principal, under, year) if r.benefits]
    if year is None and len({r.benefits_year for r in rows}) > 1:
        raise _error(422, Msg("msg.ent_api_years_differ"))
    return rows, rank_summaries([r.benefits for r in rows], carbon_price, apeq_price)


@router.get("/synergy/ranking", response_model=list[dict])
def synergy_ranking(session: SessionDep, principal: Need("results:read"),
                    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
                    under: OrgFilter = None, carbon_price: Price = 80.0,
                    apeq_price: Price = 1.2):
    """Ranking for funding of the assessed projects you may see (net cost per co-benefit;
    prices in yuan per t CO2 and per pollution equivalent)."""
    _, ranking = _ranking(session, principal, year, under, carbon_price, apeq_price)
    return store.records(ranking)


@router.get("/synergy/export", responses={200: {"content": {
    "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def synergy_export(session: SessionDep, principal: Need("results:read"),
                   format: Literal["xlsx", "csv"] = "xlsx",  # noqa: A002 - the query name
                   year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
                   under: OrgFilter = None, carbon_price: Price = 80.0,
                   apeq_price: Price = 1.2):
    """The export for banks: project facts, status, evidence count and computed co-benefits
    in ranking order (formula-safe cells); without an assessed project only its header."""
    rows, ranking = _ranking(session, principal, year, under, carbon_price, apeq_price)
    data = ent_report.bank_bytes([store.project_of(r) for r in rows], ranking, format)
    media = "text/csv; charset=utf-8" if format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="synergy-projects.{format}"'})


@router.get("/synergy/{synergy_id}", response_model=SynergyOut)
def read_synergy(synergy_id: Id, session: SessionDep, principal: Need("results:read")):
    return _synergy_out(get_visible(session, principal, SynergyProjectRow, synergy_id,
                                    "project"))


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Status
    evidence: Evidence | None = None


@router.post("/synergy/{synergy_id}/status", response_model=SynergyOut)
def step_synergy(synergy_id: Id, body: StatusIn, session: SessionDep,
                 principal: Need("projects:write")) -> SynergyOut:
    """One status step: proposed → approved → funded → built → verified (funded, built and
    verified need evidence), or rejected / withdrawn before verified. An invalid step answers
    409 and changes nothing; every step is audited (``synergy_project.<status>``)."""
    row = get_visible(session, principal, SynergyProjectRow, synergy_id, "project")
    try:
        store.project_step(session, row, body.to, body.evidence)
    except InputError as e:
        session.rollback()
        raise ApiError(409, str(e.problems[0].message), e.problems,
                       message_zh=message_text(e.problems[0].message, "zh")) from e
    session.commit()
    return _synergy_out(row)


# -- screening -------------------------------------------------------------------------------
class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_version_id: VersionId
    plant: NewPlant
    caps: Annotated[list[RegionalCap], Field(max_length=1000)] = []


def run_screening(session, principal, body: ScreeningIn):
    """The library's screening of ``body.plant`` on a visible project version (404
    otherwise): its emissions through the project's inventory engine, the benchmark and
    cap checks, and ΔPM2.5 with the project's air-quality settings."""
    data = EnterpriseData(plants=[body.plant], caps=list(body.caps))
    ctx = store.context(session, principal, body.project_version_id, data)
    return runner.screening(ctx, body.plant.id)[0]


def screening_out(res) -> dict:
    from cocontrol.i18n import tr

    checks = store.records(res.checks)
    for c in checks:  # the check and its basis in Chinese beside the English
        c["check_zh"], c["basis_zh"] = tr(c["check"], "zh"), tr(c["basis"] or "", "zh")
        c["check"], c["basis"] = str(c["check"]), str(c["basis"] or "")
    return {"plant": res.plant, "verdict": res.verdict,
            "emissions_t": store.records(res.emissions.rename("t").reset_index()),
            "checks": checks, "delta_pm25_ugm3": res.delta_pm25_ugm3,
            "notes": [str(n) for n in res.notes], "notes_zh": [tr(n, "zh") for n in res.notes]}


@router.post("/screening", response_model=dict)
def screening(body: ScreeningIn, session: SessionDep, principal: Need("jobs:run")) -> dict:
    """Screening of a proposed plant: its emissions from its design data through the
    project's inventory engine, against its benchmark and the room under regional caps, and
    its ΔPM2.5 (with the project's air-quality settings; else not estimated)."""
    return screening_out(run_screening(session, principal, body))


@router.post("/screening/report", responses={200: {"content": {"text/html": {}}}})
def screening_report(body: ScreeningIn, session: SessionDep, principal: Need("jobs:run"),
                     lang: Literal["en", "zh"] = "en"):
    """The screening report (HTML, English or Chinese) of a proposed plant, as a download."""
    res = run_screening(session, principal, body)
    return Response(ent_report.screening_html([res], lang).html(),
                    media_type="text/html; charset=utf-8", headers={
                        "Content-Disposition":
                        f'attachment; filename="screening-{res.plant}-{lang}.html"'})


# the park routes (targets, stored park accounts) on this router
from cocontrol.service.routes import enterprise_parks as _parks  # noqa: E402, F401
