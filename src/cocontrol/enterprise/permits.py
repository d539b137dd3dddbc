"""Pollutant-discharge permits that carry carbon (排污许可 + 碳), and their compliance.

A :class:`Permit` holds, per outlet and pollutant, the concentration limit and the standard it
comes from; per enterprise and pollutant the permitted annual quantity; and a carbon section:
reported/verified CO2 (and CO2e), the intensity per product and the benchmark that applies
(bundled benchmarks: ``src/cocontrol/data/enterprise/benchmarks.csv``, each with its source).

:func:`compliance` compares actuals (from monitoring or from the inventory) with every permit
item. Status of an item with ratio r = actual / limit (units converted on both sides):

* ``exceeded``  r > 1
* ``near``      ``near`` ≤ r ≤ 1 (default near = 0.9, i.e. within 10 % of the limit)
* ``within``    r < ``near``
* ``not assessed`` no actual value was given (never counted as within)
* ``permit expired`` the assessment date is outside the permit's validity

For carbon intensity the limit is the benchmark (an intensity above the benchmark is
``exceeded`` the benchmark). Items ``near`` or ``exceeded`` feed the monitoring alerts
(:func:`alerts`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from cocontrol.enterprise._common import Strict, benchmarks, convert, convert_ratio
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq

STATUSES = ("within", "near", "exceeded", "not assessed", "permit expired")
COLUMNS = ["permit", "enterprise_id", "item", "outlet_id", "species", "period", "limit",
           "limit_unit", "actual", "ratio", "status", "basis"]


class ConcentrationLimit(Strict):
    species: str
    limit: float = Field(gt=0)
    unit: str = "mg/m3"
    standard: str
    reference_o2: str | None = None


class Outlet(Strict):
    id: str
    name: str = ""
    facility_id: str | None = None
    limits: list[ConcentrationLimit] = Field(default_factory=list)


class QuantityLimit(Strict):
    species: str
    limit: float = Field(gt=0)
    unit: str = "t"
    basis: str = ""


class CarbonSection(Strict):
    """Carbon items of a permit: reported/verified emissions and the intensity benchmark."""

    reported_co2_t: float | None = Field(default=None, ge=0)
    verified_co2_t: float | None = Field(default=None, ge=0)
    reported_co2e_t: float | None = Field(default=None, ge=0)
    product: str | None = None
    intensity_unit: str | None = None
    benchmark: str | None = None  # id of a bundled benchmark, or given as value + source
    benchmark_value: float | None = Field(default=None, gt=0)
    benchmark_source: str | None = None

    @model_validator(mode="after")
    def _benchmark(self):
        if self.benchmark is not None and self.benchmark_value is not None:
            raise ValueError(Msg("msg.ent_benchmark_both"))
        if self.benchmark_value is not None and not self.benchmark_source:
            raise ValueError(Msg("msg.ent_benchmark_source"))
        if self.benchmark is not None and self.benchmark not in benchmarks().index:
            raise ValueError(Msg("msg.ent_unknown_benchmark_bundled", id=repr(self.benchmark),
                                 ids=Seq(list(benchmarks().index), quote=True)))
        return self

    def benchmark_of(self) -> tuple[float, str, str]:
        """(value, unit, source) of the benchmark, in the benchmark's own unit."""
        if self.benchmark is not None:
            b = benchmarks().loc[self.benchmark]
            return float(b["value"]), str(b["unit"]), str(b["source"])
        if self.benchmark_value is None:
            raise InputError(Problem(file="<permit>", column="carbon.benchmark",
                                     message=Msg("msg.ent_no_benchmark"),
                                     expected=Msg("exp.ent_benchmark")))
        return self.benchmark_value, str(self.intensity_unit), str(self.benchmark_source)


class Permit(Strict):
    number: str
    enterprise_id: str
    industry: str
    valid_from: dt.date
    valid_to: dt.date
    outlets: list[Outlet] = Field(default_factory=list)
    quantities: list[QuantityLimit] = Field(default_factory=list)
    carbon: CarbonSection | None = None
    illustrative: bool = False
    source: str = ""

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_to < self.valid_from:
            raise ValueError(Msg("msg.ent_valid_to"))
        ids = [o.id for o in self.outlets]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(Msg("msg.ent_duplicate_outlets", ids=Seq(dup)))
        return self

    @field_validator("number", "enterprise_id")
    @classmethod
    def _nonblank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(Msg("msg.ent_blank"))
        return v

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


def status_of(ratio: float, near: float = 0.9) -> str:
    """Status of a ratio actual/limit (see the module docstring)."""
    if ratio is None or not np.isfinite(ratio):
        return "not assessed"
    if ratio > 1.0:
        return "exceeded"
    return "near" if ratio >= near else "within"


def _row(permit: Permit, item: str, outlet, species, period, limit, unit, actual, basis,
         near: float, expired: bool) -> dict:
    ratio = np.nan if actual is None or not np.isfinite(actual) else actual / limit
    status = "permit expired" if expired else status_of(ratio, near)
    return {"permit": permit.number, "enterprise_id": permit.enterprise_id, "item": item,
            "outlet_id": outlet, "species": species, "period": period, "limit": limit,
            "limit_unit": unit, "actual": np.nan if actual is None else actual,
            "ratio": ratio, "status": status, "basis": basis}


def _index(df: pd.DataFrame | None, keys: list[str], what: str) -> dict:
    """{key tuple: [(period, value, unit), ...]} of an actuals table, checked."""
    if df is None or df.empty:
        return {}
    need = [*keys, "value", "unit"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputError(Problem(file=f"<{what}>", column=", ".join(miss),
                                 message=Msg("msg.ent_actuals_columns"),
                                 expected=Msg("exp.ent_actuals_columns", cols=Seq(need))))
    out: dict = {}
    period = df["period"] if "period" in df else pd.Series("", index=df.index)
    for i, r in df.iterrows():
        key = tuple(str(r[k]) for k in keys)
        out.setdefault(key, []).append((str(period.loc[i]), float(r["value"]), str(r["unit"])))
    return out


def compliance(permit: Permit, *, concentrations: pd.DataFrame | None = None,
               quantities: pd.DataFrame | None = None, intensity: pd.DataFrame | None = None,
               on: dt.date | None = None, near: float = 0.9) -> pd.DataFrame:
    """Compliance status of every permit item.

    Parameters
    ----------
    concentrations
        ``outlet_id, species, value, unit[, period]``: e.g. monthly means of CEMS data (mg/m3
        at the reference O2 of the limit).
    quantities
        ``species, value, unit[, period]``: annual emissions of the enterprise (from the
        inventory or monitoring).
    intensity
        ``value, unit[, period]``: carbon intensity per product (e.g. t/MWh supplied).
    on
        Assessment date (default today); outside the permit validity every item is
        ``permit expired``.
    near
        Share of the limit from which an item is ``near`` (0 < near ≤ 1).

    Returns a table with one row per item × period (columns :data:`COLUMNS`). Items without
    an actual are ``not assessed``.
    """
    if not 0 < near <= 1:
        raise InputError(Problem(file="<compliance>", column="near", value=near,
                                 message=Msg("msg.ent_near"), expected=Msg("exp.ent_near")))
    day = on or dt.date.today()
    expired = not permit.valid_on(day)
    conc = _index(concentrations, ["outlet_id", "species"], "concentrations")
    qty = _index(quantities, ["species"], "quantities")
    known_outlets = {o.id for o in permit.outlets}
    unknown = sorted({k[0] for k in conc} - known_outlets)
    if unknown:
        raise InputError(Problem(file="<concentrations>", column="outlet_id",
                                 value=", ".join(unknown),
                                 message=Msg("msg.ent_outlets_not_in_permit",
                                             permit=permit.number),
                                 expected=Seq(sorted(known_outlets), quote=True)
                                 or Msg("exp.ent_no_outlets")))
    rows = []
    for o in permit.outlets:
        for lim in o.limits:
            obs = conc.get((o.id, lim.species), [(None, None, lim.unit)])
            for period, v, u in obs:
                act = None if v is None else convert(v, u, lim.unit, "concentration unit")
                rows.append(_row(permit, "concentration", o.id, lim.species, period,
                                 lim.limit, lim.unit, act, lim.standard, near, expired))
    for q in permit.quantities:
        for period, v, u in qty.get((q.species,), [(None, None, q.unit)]):
            act = None if v is None else convert(v, u, q.unit, "quantity unit")
            rows.append(_row(permit, "annual quantity", None, q.species, period, q.limit,
                             q.unit, act, q.basis or Msg("ent_permitted_quantity"), near,
                             expired))
    if permit.carbon is not None and permit.carbon.intensity_unit:
        bval, bunit, bsrc = permit.carbon.benchmark_of()
        obs = [(None, None, bunit)]
        if intensity is not None and len(intensity):
            p = intensity["period"] if "period" in intensity else [""] * len(intensity)
            obs = list(zip(p, intensity["value"], intensity["unit"], strict=True))
        for period, v, u in obs:
            act = None if v is None else convert_ratio(float(v), u, bunit, "intensity unit")
            rows.append(_row(permit, "carbon intensity", None, "CO2", period, bval, bunit,
                             act, bsrc, near, expired))
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out


def carbon_report_gap(permit: Permit) -> float | None:
    """Relative gap (verified − reported) / verified of the permit's CO2, or None."""
    c = permit.carbon
    if c is None or c.reported_co2_t is None or not c.verified_co2_t:
        return None
    return (c.verified_co2_t - c.reported_co2_t) / c.verified_co2_t


def alerts(table: pd.DataFrame) -> pd.DataFrame:
    """Items ``near`` or ``exceeded`` (or under an expired permit), for monitoring alerts,
    with a level: ``red`` exceeded/expired, ``yellow`` near."""
    bad = table[table["status"].isin(["near", "exceeded", "permit expired"])].copy()
    bad["level"] = np.where(bad["status"] == "near", "yellow", "red")
    return bad.reset_index(drop=True)


#: (rule of the monitoring case, level) of a compliance item by its item kind and status
CASE_RULES = {("concentration", "exceeded"): ("exceedance", "red"),
              ("annual quantity", "exceeded"): ("quantity", "red"),
              ("carbon intensity", "exceeded"): ("carbon_benchmark", "red")}
ITEM_LABELS = {"concentration": ("concentration", "排放浓度"),
               "annual quantity": ("annual quantity", "年许可排放量"),
               "carbon intensity": ("carbon intensity", "碳排放强度")}


def alert_cases(table: pd.DataFrame, permit: Permit, jurisdiction: str,
                found_at: dt.datetime, on: dt.date, deadline_days: int = 15) -> list:
    """Monitoring cases (:class:`cocontrol.monitoring.Case`, status ``found``) of the items of a
    compliance table that are ``exceeded`` (level red; rule ``exceedance`` for a
    concentration, ``quantity`` for the annual quantity, ``carbon_benchmark`` for the carbon
    intensity) or ``near`` (level yellow, rule ``permit_near``), each with the item's limit
    and its basis (standard, permitted quantity or benchmark source); an expired permit is
    one red case ``permit_expired`` (days past its validity). The case id is a hash of the
    permit, item, outlet, species, period and status, so the same finding assessed again is
    the same case (stored once); ``within`` and ``not assessed`` items give no case."""
    from cocontrol.monitoring.anomaly import RULE_LABELS, Finding, _fid, open_case

    day = dt.datetime.combine(on, dt.time())
    out = []
    if not permit.valid_on(on):
        days = float((on - permit.valid_to).days if on > permit.valid_to
                     else (on - permit.valid_from).days)
        en, zh = RULE_LABELS["permit_expired"]
        f = Finding(id=_fid("permit_expired", permit.number, on), rule="permit_expired",
                    entity=permit.enterprise_id, signal=f"permit {permit.number}", start=day,
                    end=day, hours=0, value=days, threshold=0.0, unit="d",
                    basis=f"validity {permit.valid_from} to {permit.valid_to}",
                    message_en=f"[red] {permit.enterprise_id} permit {permit.number}: {en} "
                               f"(valid {permit.valid_from} to {permit.valid_to}, assessed "
                               f"{on})",
                    message_zh=f"【红色】{permit.enterprise_id} 许可证 {permit.number}：{zh}"
                               f"（有效期 {permit.valid_from} 至 {permit.valid_to}，评估日 {on}）")
        return [open_case(f, jurisdiction, found_at, deadline_days)]
    for r in table.itertuples(index=False):
        if r.status == "near":
            rule, level = "permit_near", "yellow"
        elif (r.item, r.status) in CASE_RULES:
            rule, level = CASE_RULES[(r.item, r.status)]
        else:
            continue
        en, zh = RULE_LABELS[rule]
        ien, izh = ITEM_LABELS.get(r.item, (r.item, r.item))
        where = f"{r.outlet_id} " if isinstance(r.outlet_id, str) and r.outlet_id else ""
        period = f" {r.period}" if isinstance(r.period, str) and r.period else ""
        lv_zh = "【红色】" if level == "red" else "【黄色】"
        f = Finding(id=_fid(permit.number, r.item, r.outlet_id, r.species, r.period, r.status),
                    rule=rule, entity=permit.enterprise_id,
                    signal=f"{where}{r.species} {r.item}".strip(), start=day, end=day,
                    hours=0, value=float(r.actual), threshold=float(r.limit),
                    unit=str(r.limit_unit), basis=str(r.basis),
                    message_en=f"[{level}] {permit.enterprise_id} {where}{r.species} {ien}"
                               f"{period}: {en} ({r.actual:.4g} vs limit {r.limit:.4g} "
                               f"{r.limit_unit}, {r.ratio:.1%} of it; basis: {r.basis}; "
                               f"permit {permit.number})",
                    message_zh=f"{lv_zh}{permit.enterprise_id} {where}{r.species} {izh}"
                               f"{period}：{zh}（{r.actual:.4g}，限值 {r.limit:.4g} "
                               f"{r.limit_unit}，为限值的 {r.ratio:.1%}；依据：{r.basis}；"
                               f"许可证 {permit.number}）")
        out.append(open_case(f, jurisdiction, found_at, deadline_days))
    return out
