"""Monitoring and early warning (``/api/monitoring``): thin shells over cocontrol.monitoring.

Two kinds of routes:

- stateless computations on the posted body (``series/check``, ``alerts``, ``anomalies``,
  ``cases/transition``, ``notices``): validate, call one library function, return its JSON;
- stored, per organisation (:mod:`cocontrol.service.monitoring_store`): series uploads
  (``uploads``), the alerts computed on them, and cases with their workflow
  found → assigned → rectified → closed (``cases``). Every read goes through the one scoping
  layer (another tenant's upload or case answers 404); every change is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.errors import Problem
from cocontrol.i18n import Msg as M
from cocontrol.monitoring import Case, Evidence, TargetSet, assess, notice, open_case
from cocontrol.monitoring import transition as case_transition
from cocontrol.monitoring.anomaly import Status, scan_enterprise
from cocontrol.monitoring.series import COLUMNS as SERIES_COLUMNS
from cocontrol.monitoring.series import SeriesTable, from_frame
from cocontrol.monitoring.targets import KIND_LABELS
from cocontrol.service.access import Need, Principal, scoped
from cocontrol.service.api import Id, Page, PageDep, get_visible, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.monitoring_store import (
    MonitoringAlert,
    MonitoringCase,
    MonitoringUpload,
    add_cases,
    case_of,
    step,
)
from cocontrol.service.problems import ApiError

router = APIRouter(prefix="/monitoring", tags=["monitoring"])

MAX_ROWS = 200_000
Text = Annotated[str, Field(min_length=1, max_length=200)]


class SeriesRow(BaseModel):
    """One value of the indicator-series template (docs/methods/monitoring.md §1)."""

    model_config = ConfigDict(extra="forbid")
    entity: Text
    indicator: Text
    sector: str | None = Field(None, max_length=100)
    fuel: str | None = Field(None, max_length=100)
    period: Annotated[str, Field(pattern=r"^\d{4}(-\d{2})?$")]
    value: float | None = None
    unit: Text
    source: Annotated[str, Field(min_length=1, max_length=500)]
    note: str | None = Field(None, max_length=500)
    valid_days: float | None = Field(None, ge=0, le=31)


class SeriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Annotated[list[SeriesRow], Field(min_length=1, max_length=MAX_ROWS)]


class SeriesSummary(BaseModel):
    rows: int
    not_estimated: int
    entities: list[str]
    indicators: list[str]
    first_year: int
    last_year: int


def _series(rows: list[SeriesRow]):
    df = pd.DataFrame([r.model_dump() for r in rows])
    return from_frame(df, file="<request body>")


@router.post("/series/check", response_model=SeriesSummary)
def check_series(body: SeriesIn, principal: Need("projects:write")) -> SeriesSummary:
    """Validate an indicator-series upload (row 2 = the first row, as in a spreadsheet)."""
    d = _series(body.rows).data
    return SeriesSummary(rows=len(d), not_estimated=int(d["value"].isna().sum()),
                         entities=sorted(d["entity"].unique()),
                         indicators=sorted(d["indicator"].unique()),
                         first_year=int(d["year"].min()), last_year=int(d["year"].max()))


class AlertsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Annotated[list[SeriesRow], Field(min_length=1, max_length=MAX_ROWS)]
    targets: TargetSet
    forecast: bool = Field(False, description="also the probability of missing (forecasts)")
    models: list[Literal["snaive", "ets", "arima", "theta"]] = ["snaive", "theta"]
    n_paths: int = Field(500, ge=50, le=5000)


@router.post("/alerts", response_model=list[dict])
def alerts(body: AlertsIn, principal: Need("jobs:run")) -> list[dict]:
    """Alert level of each target (progress vs the pro-rata trajectory, and with ``forecast``
    the probability of missing it)."""
    s = _series(body.rows)
    return [assess(t, s, n_paths=body.n_paths, with_forecast=body.forecast,
                   models=tuple(body.models)).to_dict() for t in body.targets.targets]


class Limit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facility: Text
    pollutant: Text
    limit: float = Field(gt=0)
    unit: Text
    basis: Annotated[str, Field(min_length=3, max_length=500)]


class HourlyRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facility: Text
    time: datetime
    conc: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9.]{1,20}$")], float | None] = {}
    production_kw: float | None = None
    treatment_kw: float | None = None


class AnomaliesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Annotated[list[HourlyRow], Field(min_length=1, max_length=MAX_ROWS)]
    limits: list[Limit] = []
    jurisdiction: Text
    deadline_days: int = Field(15, ge=1, le=365)


@router.post("/anomalies", response_model=list[Case])
def anomalies(body: AnomaliesIn, principal: Need("projects:write")) -> list[Case]:
    """Run the enterprise anomaly rules; each finding is returned as a new case."""
    recs = []
    for r in body.rows:
        d = {"facility": r.facility, "time": r.time, "production_kw": r.production_kw,
             "treatment_kw": r.treatment_kw}
        d.update({f"conc_{k}": v for k, v in r.conc.items()})
        recs.append(d)
    h = pd.DataFrame(recs).dropna(axis=1, how="all")
    lim = pd.DataFrame([x.model_dump() for x in body.limits]) if body.limits else None
    return [open_case(f, body.jurisdiction, f.end, body.deadline_days)
            for f in scan_enterprise(h, lim)]


class CaseStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case: Case
    to: Status
    by: Text
    at: datetime
    note: str = Field("", max_length=2000)
    owner: str | None = Field(None, max_length=200)
    evidence: Evidence | None = None


@router.post("/cases/transition", response_model=Case)
def transition(body: CaseStep, principal: Need("projects:write")) -> Case:
    """One workflow step of a case (found → assigned → rectified → closed); an invalid step
    answers 409 with the reason in English and Chinese."""
    from cocontrol.monitoring import CaseTransitionError

    try:
        return case_transition(body.case, body.to, body.by, body.at, body.note, body.owner,
                               body.evidence)
    except CaseTransitionError as e:
        raise ApiError(409, e.args[0] if e.args else str(e)) from e


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Annotated[list[SeriesRow], Field(min_length=1, max_length=MAX_ROWS)]
    period: Annotated[str, Field(pattern=r"^\d{4}-(\d{2}|Q[1-4])$")]
    jurisdiction: Text
    members: Annotated[list[Text], Field(min_length=1, max_length=1000)]
    names: dict[str, str] = {}
    cases: list[Case] = []
    as_of: date | None = None
    illustrative: bool = False


@router.post("/notices", response_model=dict)
def notices(body: NoticeIn, principal: Need("results:read")) -> dict:
    """A monthly (YYYY-MM) or quarterly (YYYY-Qn) notice as data: rankings and cases."""
    return notice(body.period, body.jurisdiction, _series(body.rows), members=body.members,
                  names=body.names, cases=body.cases, today=body.as_of,
                  illustrative=body.illustrative)


# -- stored: uploads, alerts, cases per organisation -------------------------------------------
OrgId = Annotated[int | None, Field(None, ge=1, le=2**31 - 1,
                                    description="owning organisation (default: your own)")]


def _owner_org(session, principal: Principal, org_id: int | None) -> int:
    """The organisation a new row belongs to: in the principal's jurisdiction, else 404."""
    from cocontrol.service.routes.organisations import get_org

    org_id = org_id or principal.org_id
    if org_id is None:
        raise ApiError(422, M("msg.api_org_id_needed"), [Problem(
            file="request body", column="org_id", message=M("msg.api_missing"),
            expected=M("msg.api_owning_org_id"))])
    return get_org(session, principal, org_id).id


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    org_id: OrgId = None
    rows: Annotated[list[SeriesRow], Field(min_length=1, max_length=MAX_ROWS)]


class UploadOut(SeriesSummary):
    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    name: str
    sources: list[str]
    content_hash: str
    created_at: dt.datetime


class UploadFull(UploadOut):
    series: list[dict]


def _upload_out(u: MonitoringUpload, full: bool = False):
    d = {"id": u.id, "org_id": u.org_id, "name": u.name, "sources": u.sources,
         "content_hash": u.content_hash, "created_at": u.created_at, "rows": u.n_rows,
         "not_estimated": u.not_estimated, "first_year": u.first_year,
         "last_year": u.last_year,
         "entities": sorted({r["entity"] for r in u.rows}),
         "indicators": sorted({r["indicator"] for r in u.rows})}
    return UploadFull(**d, series=u.rows) if full else UploadOut(**d)


@router.post("/uploads", response_model=UploadOut, status_code=201)
def create_upload(body: UploadIn, session: SessionDep,
                  principal: Need("projects:write")) -> UploadOut:
    """Store an indicator-series upload of an organisation, every value with its source
    (validated as ``series/check``; nothing is stored when a row is wrong)."""
    org_id = _owner_org(session, principal, body.org_id)
    rows = [r.model_dump() for r in body.rows]
    d = _series(body.rows).data
    u = MonitoringUpload(
        org_id=org_id, name=body.name, rows=rows, n_rows=len(rows),
        sources=sorted({r["source"] for r in rows}),
        not_estimated=int(d["value"].isna().sum()), first_year=int(d["year"].min()),
        last_year=int(d["year"].max()), created_by=principal.user_id,
        content_hash=hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest())
    session.add(u)
    session.commit()
    return _upload_out(u)


@router.get("/uploads", response_model=Page[UploadOut])
def list_uploads(session: SessionDep, page: PageDep, principal: Need("projects:read"),
                 org_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    stmt = scoped(select(MonitoringUpload), principal, MonitoringUpload).order_by(
        MonitoringUpload.id)
    if org_id is not None:
        stmt = stmt.where(MonitoringUpload.org_id == org_id)
    return paginate(session, stmt, page, _upload_out)


@router.get("/uploads/{upload_id}", response_model=UploadFull)
def read_upload(upload_id: Id, session: SessionDep, principal: Need("projects:read")):
    """One upload with its rows (each with its source)."""
    return _upload_out(get_visible(session, principal, MonitoringUpload, upload_id, "upload"),
                       full=True)


class AssessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: TargetSet
    forecast: bool = Field(False, description="also the probability of missing (forecasts)")
    models: list[Literal["snaive", "ets", "arima", "theta"]] = ["snaive", "theta"]
    n_paths: int = Field(500, ge=50, le=5000)
    explain: bool = Field(False, description="also the drivers behind each gap (LMDI of the "
                          "latest annual change) and, with project_id, the closing measures")
    project_id: int | None = Field(None, ge=1, le=2**31 - 1, description="project whose "
                                   "scenarios' measures close the gaps (its latest version)")
    lang: Literal["en", "zh"] = Field("en", description="language of the driver labels")


class AlertOut(BaseModel):
    id: int
    org_id: int
    upload_id: int
    target: str
    kind: str
    level: str
    probability_of_missing: float | None
    created_at: dt.datetime
    alert: dict


def _alert_out(a: MonitoringAlert) -> AlertOut:
    return AlertOut(id=a.id, org_id=a.org_id, upload_id=a.upload_id, target=a.target,
                    kind=a.kind, level=a.level, probability_of_missing=a.probability_of_missing,
                    created_at=a.created_at, alert=a.payload)


@router.post("/uploads/{upload_id}/alerts", response_model=list[AlertOut], status_code=201)
def assess_upload(upload_id: Id, body: AssessIn, session: SessionDep,
                  principal: Need("jobs:run")) -> list[AlertOut]:
    """Assess targets on a stored upload and store one alert per target."""
    u = get_visible(session, principal, MonitoringUpload, upload_id, "upload")
    s = from_frame(pd.DataFrame(u.rows), file=f"upload {u.id}")
    with _project_of(session, principal, body.project_id) as project:
        return _assess_stored(session, principal, u, s, body, project)


class NowcastIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: Text
    target: Text = Field("CO2", description="indicator estimated monthly, e.g. CO2")
    proxy: Text = Field("electricity", description="monthly indicator it is estimated from")
    unit: Text = Field("t", description="unit of the target's annual rows")
    by_sector: bool = False
    method: Literal["last", "trend"] = "last"
    name: str | None = Field(None, max_length=200, description="name of the new upload")


class NowcastOut(BaseModel):
    upload: UploadOut
    target: str
    proxy: str
    method: str
    mape: float | None = Field(description="mean absolute percentage error of the annual "
                               "totals of the held-out years (fraction); null: no year held "
                               "out")
    backtest: list[dict]
    monthly: list[dict]


@router.post("/uploads/{upload_id}/nowcast", response_model=NowcastOut, status_code=201)
def nowcast_upload(upload_id: Id, body: NowcastIn, session: SessionDep,
                   principal: Need("projects:write")) -> NowcastOut:
    """Carbon from power on a stored upload (``monitoring.nowcast.nowcast_from_series``):
    monthly ``target`` from the monthly ``proxy``, calibrated to the upload's annual totals,
    with its backtest on held-out years. The nowcast rows (each naming the method and its
    backtest error as its source) are stored with the upload's rows as a **new** upload of
    the same organisation, on which alerts can then be assessed; the original is unchanged."""
    import math

    from cocontrol.monitoring.nowcast import nowcast_from_series, upload_rows

    u = get_visible(session, principal, MonitoringUpload, upload_id, "upload")
    s = from_frame(pd.DataFrame(u.rows), file=f"upload {u.id}")
    res = nowcast_from_series(s, body.entity, body.target, body.proxy,
                              by_sector=body.by_sector, method=body.method)
    added = upload_rows(res, body.entity, body.unit)
    rows = u.rows + added
    sid = from_frame(pd.DataFrame(rows), file=f"upload {u.id} + nowcast")  # no key twice
    d = sid.data
    new = MonitoringUpload(
        org_id=u.org_id, name=body.name or f"{u.name} + nowcast {body.target}", rows=rows,
        n_rows=len(rows), sources=sorted({r["source"] for r in rows}),
        not_estimated=int(d["value"].isna().sum()), first_year=int(d["year"].min()),
        last_year=int(d["year"].max()), created_by=principal.user_id,
        content_hash=hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest())
    session.add(new)
    session.commit()
    mape = res.mape
    return NowcastOut(upload=_upload_out(new), target=res.target, proxy=body.proxy,
                      method=res.method, mape=None if math.isnan(mape) else mape,
                      backtest=json.loads(res.backtest_total().to_json(orient="records")),
                      monthly=json.loads(res.total().to_json(orient="records")))


@contextmanager
def _project_of(session, principal: Principal, project_id: int | None):
    """The latest version of a project of the caller's jurisdiction, loaded (None: none)."""
    if project_id is None:
        yield None
        return
    from cocontrol.project import load_project
    from cocontrol.service import projects as svc
    from cocontrol.service.routes.projects import get_project

    p = get_project(session, principal, project_id)
    v = svc.latest(session, p)
    if v is None:
        raise ApiError(422, M("msg.api_project_no_version", id=project_id))
    with svc.materialised(svc.version_files(session, v)) as folder:
        yield load_project(folder)


def _assess_stored(session, principal, u, s, body: AssessIn, project) -> list[AlertOut]:
    from cocontrol.monitoring.runner import explain

    rows, cache = [], {}
    for t in body.targets.targets:
        al = assess(t, s, n_paths=body.n_paths, with_forecast=body.forecast,
                    models=tuple(body.models))
        if body.explain:
            explain(al, s, project, body.lang, cache)
        # the target and the settings it was assessed with: its derivation on the board
        d = al.to_dict() | {"name_en": t.name_en, "name_zh": t.name_zh,
                            "target_def": t.model_dump(),
                            "assessed_with": {"forecast": body.forecast,
                                              "models": list(body.models),
                                              "n_paths": body.n_paths, "seed": 0,
                                              "explain": body.explain,
                                              "project_id": body.project_id}}
        a = MonitoringAlert(org_id=u.org_id, upload_id=u.id, target=t.id, kind=t.kind,
                            level=d["level"], probability_of_missing=d["probability_of_missing"],
                            payload=d, created_by=principal.user_id)
        session.add(a)
        rows.append(a)
    session.commit()
    return [_alert_out(a) for a in rows]


@router.get("/alerts", response_model=Page[AlertOut])
def list_alerts(session: SessionDep, page: PageDep, principal: Need("results:read"),
                upload_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                level: Annotated[str | None, Query(max_length=16)] = None):
    stmt = scoped(select(MonitoringAlert), principal, MonitoringAlert).order_by(
        MonitoringAlert.id)
    if upload_id is not None:
        stmt = stmt.where(MonitoringAlert.upload_id == upload_id)
    if level is not None:
        stmt = stmt.where(MonitoringAlert.level == level)
    return paginate(session, stmt, page, _alert_out)


class ScanIn(AnomaliesIn):
    """Hourly data of one organisation's facilities: each finding becomes a stored case."""

    org_id: OrgId = None
    jurisdiction: str | None = Field(None, max_length=200,
                                     description="default: the organisation's code")


class CaseOut(BaseModel):
    id: int
    org_id: int
    key: str
    rule: str
    entity: str
    status: Status
    owner: str | None
    deadline: date | None
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    case: Case


def _case_out(r: MonitoringCase) -> CaseOut:
    c = case_of(r)
    return CaseOut(id=r.id, org_id=r.org_id, key=r.key, rule=r.rule, entity=r.entity,
                   status=c.status, owner=c.owner, deadline=c.deadline,
                   overdue=c.overdue(dt.datetime.now(dt.UTC).date()),
                   created_at=r.created_at, updated_at=r.updated_at, case=c)


class ScanOut(BaseModel):
    new: int
    cases: list[CaseOut]


@router.post("/cases", response_model=ScanOut, status_code=201)
def scan_to_cases(body: ScanIn, session: SessionDep,
                  principal: Need("projects:write")) -> ScanOut:
    """Run the enterprise anomaly rules on hourly data of an organisation and store each
    finding as a case (status ``found``); a finding already stored is not duplicated."""
    from cocontrol.service.models import Organisation

    org_id = _owner_org(session, principal, body.org_id)
    juris = body.jurisdiction or session.get(Organisation, org_id).code
    found = anomalies(AnomaliesIn(rows=body.rows, limits=body.limits, jurisdiction=juris,
                                  deadline_days=body.deadline_days), principal)
    rows, new = add_cases(session, org_id, found, principal.user_id)
    session.commit()
    return ScanOut(new=new, cases=[_case_out(r) for r in rows])


@router.get("/cases", response_model=Page[CaseOut])
def list_cases(session: SessionDep, page: PageDep, principal: Need("results:read"),
               status: Status | None = None,
               org_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    """The cases of the caller's jurisdiction (newest first)."""
    stmt = scoped(select(MonitoringCase), principal, MonitoringCase).order_by(
        MonitoringCase.id.desc())
    if status is not None:
        stmt = stmt.where(MonitoringCase.status == status)
    if org_id is not None:
        stmt = stmt.where(MonitoringCase.org_id == org_id)
    return paginate(session, stmt, page, _case_out)


@router.get("/cases/{case_id}", response_model=CaseOut)
def read_case(case_id: Id, session: SessionDep, principal: Need("results:read")) -> CaseOut:
    return _case_out(get_visible(session, principal, MonitoringCase, case_id, "case"))


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, Field(min_length=1, max_length=2000)]
    attachment: str | None = Field(None, max_length=500,
                                   description="reference of the attached document")


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Status
    note: str = Field("", max_length=2000)
    owner: str | None = Field(None, min_length=1, max_length=200)
    deadline: date | None = Field(None, description="when assigning: the rectification deadline")
    evidence: EvidenceIn | None = None


@router.post("/cases/{case_id}/transition", response_model=CaseOut)
def step_case(case_id: Id, body: StepIn, session: SessionDep,
              principal: Need("projects:write")) -> CaseOut:
    """One workflow step of a stored case: found → assigned (owner, deadline) → rectified
    (evidence) → closed, or rectified → assigned (rectification rejected). The actor and time
    are the caller's and now; an invalid step answers 409 in English and Chinese, and changes
    nothing. Every step is audited (``monitoring_case.<status>``)."""
    from cocontrol.monitoring import CaseTransitionError

    row = get_visible(session, principal, MonitoringCase, case_id, "case")
    by = principal.username or f"user {principal.user_id}"
    ev = None if body.evidence is None else Evidence(
        at=dt.datetime.now(dt.UTC), by=by, note=body.evidence.note,
        attachment=body.evidence.attachment)
    try:
        step(session, row, body.to, by, body.note, body.owner, ev, body.deadline)
    except CaseTransitionError as e:
        session.rollback()
        raise ApiError(409, e.args[0] if e.args else str(e)) from e
    session.commit()
    return _case_out(row)


# -- notices of a jurisdiction from the stored data ---------------------------------------------
def _org_key(o) -> str:
    """The entity key of an organisation in the series (its region code, else its code)."""
    return o.region_code or o.code


@router.get("/notices/{org_id}", responses={200: {"content": {
    "application/json": {}, "text/html": {}, "application/pdf": {}}}})
def jurisdiction_notice(
        org_id: Id, session: SessionDep, principal: Need("results:read"),
        period: Annotated[str | None, Query(
            pattern=r"^\d{4}-(\d{2}|Q[1-4])$",
            description="YYYY-MM (monthly) or YYYY-Qn (quarterly); default: the latest month "
                        "of the stored series (else last month)")] = None,
        lang: Literal["en", "zh"] = "en",
        format: Literal["json", "html", "pdf"] = "json",  # noqa: A002 - the query name
        as_of: date | None = None):
    """The monthly or quarterly notice of a jurisdiction (an organisation of the caller's
    jurisdiction) from the stored uploads, alerts and cases of it and everything below it:
    rankings of its member organisations (children; series entity = region code, else code),
    its latest alert per target, and the cases (counts by status, overdue). JSON, or HTML / PDF
    in English or Chinese for download."""
    from fastapi.responses import Response

    from cocontrol.report.monitoring import notice_pdf, notice_report
    from cocontrol.service.access import visible_orgs
    from cocontrol.service.models import Organisation
    from cocontrol.service.routes.organisations import get_org

    org = get_org(session, principal, org_id)
    key = _org_key(org)
    subtree = list(session.scalars(visible_orgs(org.id)))  # ids (scoped() has its own CTE)
    ups = session.scalars(scoped(select(MonitoringUpload), principal, MonitoringUpload).where(
        MonitoringUpload.org_id.in_(subtree)).order_by(MonitoringUpload.id)).all()
    rows = pd.DataFrame([r for u in ups for r in u.rows])
    if len(rows):  # a value uploaded again: the newest upload's value (and source) counts
        rows = rows.drop_duplicates(["entity", "indicator", "sector", "fuel", "period"],
                                    keep="last").reset_index(drop=True)
    series = from_frame(rows, file="stored uploads") if len(rows) else \
        SeriesTable(pd.DataFrame(columns=SERIES_COLUMNS))
    kids = session.scalars(scoped(select(Organisation), principal, Organisation).where(
        Organisation.parent_id == org.id).order_by(Organisation.id)).all()
    members = [_org_key(o) for o in kids] or [key]
    names = {_org_key(o): o.name for o in [org, *kids]}
    names_zh = {_org_key(o): o.name_zh or o.name for o in [org, *kids]}
    cases = [case_of(r).model_copy(update={"jurisdiction": key}) for r in session.scalars(
        scoped(select(MonitoringCase), principal, MonitoringCase).where(
            MonitoringCase.org_id.in_(subtree)).order_by(MonitoringCase.id))]
    if period is None:
        mon = series.data[series.data["month"] > 0]
        if len(mon):
            y, m = max(zip(mon["year"].astype(int), mon["month"].astype(int), strict=True))
        else:
            today = dt.datetime.now(dt.UTC).date().replace(day=1) - dt.timedelta(days=1)
            y, m = today.year, today.month
        period = f"{y}-{m:02d}"
    nt = notice(period, key, series, members=members, names=names, names_zh=names_zh,
                cases=cases, today=as_of, jurisdiction_name=org.name)
    latest: dict[str, MonitoringAlert] = {}
    for a in session.scalars(scoped(select(MonitoringAlert), principal, MonitoringAlert).where(
            MonitoringAlert.org_id == org.id).order_by(MonitoringAlert.id)):
        latest[a.target] = a
    nt["alerts"] = [a.payload | dict(zip(("label_en", "label_zh"), KIND_LABELS[a.kind],
                                         strict=True)) for a in latest.values()]
    if format == "json":
        return nt
    name = f"notice-{key}-{period}-{lang}"
    if format == "html":
        return Response(notice_report(nt, lang).html(), media_type="text/html; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.html"'})
    return Response(notice_pdf(nt, lang), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
