"""Monitoring and early warning (``/api/monitoring``): thin shells over cocontrol.monitoring.

Stateless for now: each route validates its body, calls one library function and returns its
JSON. TODO(service): persist series uploads and cases in the results store (the case models are
pydantic, :class:`cocontrol.monitoring.Case`, ready to be stored) and run forecasts as jobs;
cases carry ``jurisdiction`` (region id) for row scoping once cases are stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from cocontrol.monitoring import Case, Evidence, TargetSet, assess, notice, open_case
from cocontrol.monitoring import transition as case_transition
from cocontrol.monitoring.anomaly import Status, scan_enterprise
from cocontrol.monitoring.series import from_frame
from cocontrol.service.access import Need
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
        raise ApiError(409, str(e)) from e


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
