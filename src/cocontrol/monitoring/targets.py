"""Targets, alert levels, the probability of missing each target, drivers and closing measures.

Target kinds (``Target.kind``) and the indicator each is judged on (annual values; lower is
better unless noted):

=====================  ===================================================================
pm25_annual            annual PM2.5 mean (pm25_conc, day-weighted) <= value (ug/m3)
o3_annual              annual 90th percentile of O3 MDA8 (o3_mda8_p90) <= value
good_day_ratio         share of good days >= value (percent; higher is better)
co2_intensity_cut      CO2 / GDP in target_year <= (1 - value) x CO2 / GDP in base_year
energy_intensity_cut   energy / GDP in target_year <= (1 - value) x the base-year ratio
coal_cap               annual coal <= value
carbon_peak            CO2 of target_year + 1 not above CO2 of target_year (peak by then)
pollutant_reduction    species emission in target_year <= (1 - value) x base year
carbon_budget          CO2 of target_year <= value; judged year to date
=====================  ===================================================================

Ratios are formed from values already converted to the reference units of their indicators
(``CO2`` t, ``gdp`` 1e8 yuan, ``energy`` tce), so the intensity of a table in kt and 1e4 yuan
equals that of one in t and 1e8 yuan.

**Progress rule** (barometer style): the pro-rata trajectory runs linearly from the base-year
value x_b to the target level x*: e(t) = x_b + (x* - x_b)(t - b)/(T - b). The shortfall of the
latest complete year t is s = (x_t - e(t)) / |x* - x_b| (sign flipped when higher is better);
s <= 0 is on or ahead of the trajectory. For the carbon budget, s = (YTD - B·φ) / (B·φ) with
φ the share of the year's emissions expected by the latest month (last complete year's monthly
profile, else days).

**Forecast rule**: p = P(x_T misses the target) from the sample paths of the chosen forecast
model (:mod:`cocontrol.monitoring.forecast`); ratios use independent paths of numerator and
denominator.

**Level**: the worse of the level given by s and by p, from the thresholds table
``data/monitoring/alert_levels.csv`` (``max_shortfall`` and ``max_probability`` of each level, in
order, with their basis); a user table with the same columns may replace it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg
from cocontrol.metrics.lmdi import CO2_FACTORS, FACTOR_LABELS, decompose_co2
from cocontrol.monitoring._common import MonitoringError, bundled, factor, indicators
from cocontrol.monitoring.forecast import MODELS, ForecastResult, forecast_to
from cocontrol.monitoring.series import SeriesTable

Kind = Literal["pm25_annual", "o3_annual", "good_day_ratio", "co2_intensity_cut",
               "energy_intensity_cut", "coal_cap", "carbon_peak", "pollutant_reduction",
               "carbon_budget"]

KIND_LABELS: dict[str, tuple[str, str]] = {
    "pm25_annual": ("PM2.5 annual mean", "PM2.5年均浓度"),
    "o3_annual": ("O3 (MDA8 90th percentile)", "臭氧（日最大8小时第90百分位）"),
    "good_day_ratio": ("share of good days", "优良天数比例"),
    "co2_intensity_cut": ("CO2 intensity reduction", "碳排放强度下降"),
    "energy_intensity_cut": ("energy intensity reduction", "能耗强度下降"),
    "coal_cap": ("coal consumption cap", "煤炭消费总量控制"),
    "carbon_peak": ("carbon peak", "碳达峰"),
    "pollutant_reduction": ("pollutant emission reduction", "主要污染物减排"),
    "carbon_budget": ("carbon budget (year to date)", "年度碳排放预算（累计）"),
}

LEVEL_ORDER = ["green", "yellow", "red"]


class Target(BaseModel):
    """One target of a jurisdiction (as data, with its basis)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: Kind
    entity: str
    target_year: int
    value: float
    unit: str = Field(description="unit of value: a concentration/mass unit for limits and "
                      "caps, 'percent' or 'fraction' for cuts")
    base_year: int | None = None
    species: str | None = None
    name_en: str | None = None
    name_zh: str | None = None
    basis: str = Field(min_length=3, description="source of the target (plan, document)")


class TargetSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: list[Target]
    illustrative: bool = False


def load_targets(data: dict, file: str = "targets.yaml") -> TargetSet:
    """Validate a parsed targets document; unknown keys are errors."""
    from pydantic import ValidationError

    try:
        return TargetSet.model_validate(data)
    except ValidationError as e:
        raise InputError([Problem(file=file, column=".".join(str(x) for x in err["loc"]),
                                  message=err["msg"], value=err.get("input")
                                  if not isinstance(err.get("input"), dict) else None)
                          for err in e.errors()]) from e


def _cut_fraction(t: Target) -> float:
    f = factor(t.unit, "dimensionless")
    v = t.value * f
    if not 0 <= v < 1:
        raise MonitoringError(Msg("msg.mon_reduction_range", id=t.id))
    return v


@dataclass
class Metric:
    """Annual values of the indicator a target is judged on, and how to forecast it."""

    annual: pd.Series   # year -> value (reference units)
    unit: str
    higher_is_better: bool = False
    target_level: float = float("nan")
    base_value: float = float("nan")
    samples: np.ndarray | None = None        # sample distribution of the target-year value
    forecasts: list[ForecastResult] = field(default_factory=list)
    note: str = ""


def _annual_series(series: SeriesTable, indicator: str, entity: str, species_sector="") -> pd.Series:
    a = series.annual(indicator, entity, sector=species_sector)
    return a.set_index("year")["value"]


def _monthly_forecast(series: SeriesTable, indicator: str, entity: str, year: int,
                      how: str, seed: int, n_paths: int, models=MODELS, cache=None,
                      horizon_year: int | None = None) -> tuple[np.ndarray, ForecastResult]:
    key = (indicator, entity, tuple(models), n_paths, seed, horizon_year)
    if cache is not None and key in cache:
        fr = cache[key]
        return fr.annual_samples(year, how), fr
    y = series.monthly(indicator, entity).dropna()
    if y.empty:
        raise MonitoringError(Msg("msg.mon_no_monthly_data", indicator=indicator, entity=entity))
    y = y[y.index >= _last_gapfree_start(y)]
    fr = forecast_to(y, max(year, y.index[-1].year + 1, horizon_year or 0), models=models,
                     n_paths=n_paths, seed=seed,
                     name=f"{entity} {indicator}",
                     unit=indicators().at[indicator, "reference_unit"])
    if cache is not None:
        cache[key] = fr
    return fr.annual_samples(year, how), fr


def _last_gapfree_start(y: pd.Series) -> pd.Period:
    full = pd.period_range(y.index.min(), y.index.max(), freq="M")
    missing = full.difference(y.index)
    return (missing.max() + 1) if len(missing) else y.index.min()


def annual_trend_samples(annual: pd.Series, year: int, n: int = 1000, log: bool = False,
                         seed: int = 0) -> np.ndarray:
    """Samples of ``year`` from a least-squares linear trend of annual values (log-linear when
    ``log``) with the Student-t prediction interval of ordinary least squares (needs >= 4
    years); used for annual-only indicators (O3 percentile, GDP)."""
    a = annual.dropna()
    if len(a) < 4:
        raise MonitoringError(Msg("msg.mon_trend_4"))
    x = a.index.to_numpy(float)
    v = np.log(a.to_numpy(float)) if log else a.to_numpy(float)
    X = np.column_stack([np.ones_like(x), x - x.mean()])
    beta, *_ = np.linalg.lstsq(X, v, rcond=None)
    resid = v - X @ beta
    dof = len(v) - 2
    s2 = float(resid @ resid / dof)
    x0 = np.array([1.0, year - x.mean()])
    se = np.sqrt(s2 * (1 + x0 @ np.linalg.inv(X.T @ X) @ x0))
    rng = np.random.default_rng(seed)
    draw = float(x0 @ beta) + se * rng.standard_t(dof, size=n)
    return np.exp(draw) if log else draw


def _gdp_samples(series: SeriesTable, entity: str, year: int, n: int, seed: int
                 ) -> tuple[np.ndarray, pd.Series]:
    gdp = _annual_series(series, "gdp", entity)
    if year in gdp.dropna().index:
        return np.full(n, float(gdp.loc[year])), gdp
    return annual_trend_samples(gdp, year, n, log=True, seed=seed + 7), gdp


def metric_for(t: Target, series: SeriesTable, n_paths: int = 1000, seed: int = 0,
               with_forecast: bool = True, models=MODELS, cache: dict | None = None,
               horizon_year: int | None = None) -> Metric:
    """The annual indicator of target ``t``, its target level and (optionally) the sample
    distribution of its target-year value."""
    kind = t.kind
    ent = t.entity
    if kind in ("pm25_annual", "good_day_ratio"):
        ind = "pm25_conc" if kind == "pm25_annual" else "good_day_ratio"
        ref = indicators().at[ind, "reference_unit"]
        m = Metric(_annual_series(series, ind, ent), ref,
                   higher_is_better=kind == "good_day_ratio",
                   target_level=t.value * factor(t.unit, ref))
        if with_forecast:
            m.samples, fr = _monthly_forecast(series, ind, ent, t.target_year, "mean", seed,
                                              n_paths, models, cache, horizon_year)
            m.forecasts.append(fr)
    elif kind == "o3_annual":
        ref = indicators().at["o3_mda8_p90", "reference_unit"]
        m = Metric(_annual_series(series, "o3_mda8_p90", ent), ref,
                   target_level=t.value * factor(t.unit, ref),
                   note="annual-only indicator: linear trend forecast")
        if with_forecast:
            m.samples = annual_trend_samples(m.annual, t.target_year, n_paths, seed=seed)
    elif kind in ("co2_intensity_cut", "energy_intensity_cut"):
        num = "CO2" if kind == "co2_intensity_cut" else "energy"
        ref_n = indicators().at[num, "reference_unit"]
        ref_d = indicators().at["gdp", "reference_unit"]
        a_num = _annual_series(series, num, ent)
        gdp = _annual_series(series, "gdp", ent)
        ratio = (a_num / gdp.reindex(a_num.index)).dropna()
        m = Metric(ratio, f"{ref_n}/({ref_d})")
        if t.base_year is None or t.base_year not in ratio.index:
            raise MonitoringError(Msg("msg.mon_no_num_gdp", id=t.id, num=num, year=t.base_year))
        m.base_value = float(ratio.loc[t.base_year])
        m.target_level = m.base_value * (1 - _cut_fraction(t))
        if with_forecast:
            s_num, fr = _monthly_forecast(series, num, ent, t.target_year, "sum", seed, n_paths,
                                         models, cache, horizon_year)
            s_gdp, _ = _gdp_samples(series, ent, t.target_year, len(s_num), seed)
            m.samples = s_num / s_gdp
            m.forecasts.append(fr)
    elif kind in ("coal_cap", "carbon_budget", "carbon_peak", "pollutant_reduction"):
        ind = {"coal_cap": "coal", "carbon_budget": "CO2", "carbon_peak": "CO2"}.get(
            kind, t.species)
        if ind not in indicators().index:
            raise MonitoringError(Msg("msg.mon_species_not_indicator", id=t.id,
                                      species=repr(t.species)))
        ref = indicators().at[ind, "reference_unit"]
        m = Metric(_annual_series(series, ind, ent), ref)
        if kind == "pollutant_reduction":
            if t.base_year is None or t.base_year not in m.annual.dropna().index:
                raise MonitoringError(Msg("msg.mon_no_base", id=t.id, ind=ind, year=t.base_year))
            m.base_value = float(m.annual.loc[t.base_year])
            m.target_level = m.base_value * (1 - _cut_fraction(t))
        elif kind == "carbon_peak":
            m.note = "peak: value of target_year + 1 must not exceed target_year"
        else:
            m.target_level = t.value * factor(t.unit, ref)
        if with_forecast:
            yr = t.target_year + 1 if kind == "carbon_peak" else t.target_year
            s, fr = _monthly_forecast(series, ind, ent, yr, "sum", seed, n_paths,
                                         models, cache, horizon_year)
            if kind == "carbon_peak":
                s_peak = fr.annual_samples(t.target_year, "sum") if t.target_year >= \
                    fr.history.index[-1].year else np.full(len(s), m.annual.get(
                        t.target_year, np.nan))
                m.samples = s - s_peak  # > 0 = not peaked
                m.target_level = 0.0
            else:
                m.samples = s
            m.forecasts.append(fr)
    else:  # pragma: no cover - Literal guards this
        raise MonitoringError(Msg("msg.mon_unknown_kind", kind=kind))
    if np.isnan(m.base_value) and t.base_year is not None and t.base_year in m.annual.index:
        m.base_value = float(m.annual.loc[t.base_year])
    return m


def level_for(shortfall: float, probability: float, levels: pd.DataFrame | None = None
              ) -> tuple[str, str]:
    """Alert level (and which rule set it) from a shortfall and a probability of missing;
    NaN inputs do not count. Thresholds from ``alert_levels.csv`` (or ``levels``)."""
    lv = bundled("alert_levels") if levels is None else levels
    lv = lv.set_index("level").loc[[x for x in LEVEL_ORDER if x in set(lv["level"])]]

    def pick(x, col):
        if x is None or not np.isfinite(x):
            return None
        for name, r in lv.iterrows():
            if x <= float(r[col]):
                return name
        return lv.index[-1]

    a = pick(shortfall, "max_shortfall")
    b = pick(probability, "max_probability")
    cands = [(LEVEL_ORDER.index(x), x, why) for x, why in ((a, "progress"), (b, "forecast"))
             if x is not None]
    if not cands:
        return "not estimated", "no data"
    worst = max(cands)
    return worst[1], worst[2]


def worst_level(levels) -> str | None:
    """The worst of alert levels (red over yellow over green, :data:`LEVEL_ORDER`): the level
    of a region with several targets; "not estimated" only when no target has a level; None
    when there is no target at all."""
    levels = list(levels)
    known = [x for x in levels if x in LEVEL_ORDER]
    if known:
        return max(known, key=LEVEL_ORDER.index)
    return "not estimated" if levels else None


@dataclass
class Alert:
    target: Target
    level: str
    reason: str
    latest_year: int | None
    latest_value: float
    expected_value: float
    target_level: float
    shortfall: float
    probability: float
    unit: str
    forecast_median: float = float("nan")
    gap: float = float("nan")
    drivers: pd.DataFrame | None = None
    measures: pd.DataFrame | None = None
    forecast: ForecastResult | None = None
    notes: list[str] = field(default_factory=list)
    pathway_probability: float = float("nan")  # P(miss) if the city follows a scenario path
    pathway: str | None = None
    forecast_p05: float = float("nan")  # 5th and 95th percentiles of the target-year samples
    forecast_p95: float = float("nan")
    n_samples: int = 0  # finite sample values behind the probability, median and interval

    def to_dict(self) -> dict:
        d = {"target": self.target.id, "kind": self.target.kind, "entity": self.target.entity,
             "target_year": self.target.target_year, "level": self.level,
             "reason": self.reason, "latest_year": self.latest_year,
             "latest_value": _num(self.latest_value), "expected_value":
             _num(self.expected_value), "target_level": _num(self.target_level),
             "shortfall": _num(self.shortfall), "probability_of_missing":
             _num(self.probability), "forecast_median": _num(self.forecast_median),
             "gap": _num(self.gap), "forecast_p05": _num(self.forecast_p05),
             "forecast_p95": _num(self.forecast_p95), "n_samples": self.n_samples,
             "unit": self.unit, "basis": self.target.basis,
             "pathway": self.pathway,
             "probability_of_missing_on_pathway": _num(self.pathway_probability),
             "notes": list(self.notes)}
        if self.forecast is not None:
            d["forecast_model"] = self.forecast.chosen
            d["forecast_skill_vs_snaive"] = _num(self.forecast.skill)
            d["forecast_scores"] = [{k: _num(v) if isinstance(v, float) else v
                                     for k, v in r.items()}
                                    for r in self.forecast.scores.to_dict("records")]
            h = self.forecast.history
            d["forecast_history"] = {"first": str(h.index[0]), "last": str(h.index[-1]),
                                     "months": int(len(h))} if len(h) else None
        if self.drivers is not None:  # what the attribution was computed on (its derivation)
            at = self.drivers.attrs
            d["drivers_info"] = {"period": [int(y) for y in at.get("period", ())],
                                 "months": [int(m) for m in at.get("months", ())],
                                 "emission": at.get("emission"),
                                 "breakdown": at.get("breakdown"),
                                 "total": _num(at.get("total")),
                                 "closure_error": _num(at.get("closure_error"))}
        d["drivers"] = [] if self.drivers is None else [
            {k: _num(v) if isinstance(v, float) else v for k, v in r.items()}
            for r in self.drivers.to_dict("records")]
        d["measures"] = [] if self.measures is None else [
            {k: _num(v) if isinstance(v, float) else v for k, v in r.items()}
            for r in self.measures.to_dict("records")]
        return d


def _num(x):
    """JSON-safe number: NaN (not estimated) becomes None, never 0."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    return f if np.isfinite(f) else None


def _expected(m: Metric, t: Target, year: int) -> float:
    if t.base_year is None or not np.isfinite(m.base_value) or not np.isfinite(m.target_level):
        return float("nan")
    if t.target_year == t.base_year:
        return m.target_level
    frac = np.clip((year - t.base_year) / (t.target_year - t.base_year), 0.0, 1.0)
    return m.base_value + (m.target_level - m.base_value) * frac


def _budget_progress(series: SeriesTable, t: Target, m: Metric) -> tuple[float, float, float]:
    """(YTD, expected YTD, shortfall) of a carbon budget in ``t.target_year``."""
    mon = series.monthly("CO2", t.entity)
    cur = mon[mon.index.year == t.target_year].dropna()
    if cur.empty:
        return float("nan"), float("nan"), float("nan")
    last = int(cur.index.month.max())
    prev = mon[mon.index.year == t.target_year - 1]
    if prev.notna().sum() == 12:
        share = float(prev[prev.index.month <= last].sum() / prev.sum())
    else:
        days = [pd.Period(year=t.target_year, month=k, freq="M").days_in_month
                for k in range(1, 13)]
        share = sum(days[:last]) / sum(days)
    ytd = float(cur[cur.index.month <= last].sum())
    exp = m.target_level * share
    return ytd, exp, (ytd - exp) / exp


def assess(t: Target, series: SeriesTable, levels: pd.DataFrame | None = None,
           n_paths: int = 1000, seed: int = 0, with_forecast: bool = True,
           models=MODELS, cache: dict | None = None, horizon_year: int | None = None
           ) -> Alert:
    """Progress, forecast probability and alert level of one target."""
    m = metric_for(t, series, n_paths=n_paths, seed=seed, with_forecast=with_forecast,
                   models=models, cache=cache, horizon_year=horizon_year)
    obs = m.annual.dropna()
    notes = [m.note] if m.note else []
    latest_year = int(obs.index.max()) if len(obs) else None
    latest = float(obs.loc[latest_year]) if latest_year is not None else float("nan")
    sign = -1.0 if m.higher_is_better else 1.0
    if t.kind == "carbon_budget":
        latest, expected, shortfall = _budget_progress(series, t, m)
        latest_year = t.target_year
        notes.append("year to date vs the pro-rata budget")
    elif t.kind == "carbon_peak":
        expected = float("nan")
        after = obs[obs.index > t.target_year]
        peak = obs.get(t.target_year, np.nan)
        shortfall = float("nan")
        if len(after) and np.isfinite(peak):
            shortfall = float((after.max() - peak) / peak)
            notes.append("observed years after the peak year")
    else:
        expected = _expected(m, t, latest_year) if latest_year is not None else float("nan")
        span = abs(m.target_level - m.base_value)
        shortfall = sign * (latest - expected) / span if span > 0 and np.isfinite(expected) \
            else float("nan")
    p = float("nan")
    med = lo = hi = float("nan")
    n = 0
    if m.samples is not None:
        s = m.samples[np.isfinite(m.samples)]
        n = int(len(s))
        if len(s):
            miss = s < m.target_level if m.higher_is_better else s > m.target_level
            p = float(miss.mean())
            med = float(np.median(s))
            lo, hi = (float(q) for q in np.quantile(s, [0.05, 0.95]))
    level, why = level_for(shortfall, p, levels)
    gap = sign * (med - m.target_level) if np.isfinite(med) else float("nan")
    if t.kind == "carbon_peak" and np.isfinite(med):
        notes.append(f"forecast median of E({t.target_year + 1}) - E({t.target_year}): "
                     f"{med:,.0f} {m.unit}")
        m.target_level, med = float("nan"), float("nan")
        lo = hi = float("nan")  # of E(T+1) - E(T), not of the indicator: not shown
    return Alert(t, level, why, latest_year, latest, expected, m.target_level, shortfall, p,
                 m.unit, forecast_median=med, gap=gap,
                 forecast=m.forecasts[0] if m.forecasts else None, notes=notes,
                 forecast_p05=lo, forecast_p95=hi, n_samples=n)


# ---------------------------------------------------------------------------- drivers (LMDI)

def driver_table(series: SeriesTable, entity: str, year0: int, year1: int,
                 months: list[int] | None = None, emission: str = "CO2") -> pd.DataFrame:
    """Input of :func:`cocontrol.metrics.lmdi.decompose_co2` from the series: the same months
    of two years, at the finest breakdown where output, energy and emissions all exist
    (sector x fuel with sector value added; else fuel with GDP; else the unit total)."""
    d = series.data[(series.data["entity"] == entity)
                    & (series.data["year"].isin([year0, year1]))]
    if months is None:  # annual rows where given, else the 12 months
        ann = d[d["month"] == 0]
        keyc = ["indicator", "sector", "fuel", "year"]
        have = set(map(tuple, ann[keyc].to_numpy().tolist()))
        mon = d[(d["month"] > 0) & ~d[keyc].apply(tuple, axis=1).isin(have)]
        d = pd.concat([ann.assign(month=1), mon], ignore_index=True)
        n_need = {True: 1, False: 12}
    else:
        d = d[d["month"].isin(months)]

    def total(ind, by):
        x = d[(d["indicator"] == ind)]
        x = x[x["sector"] != ""] if "sector" in by else x[x["sector"] == ""]
        x = x[x["fuel"] != ""] if "fuel" in by else x[x["fuel"] == ""]
        n = x.groupby(["year", *by])["value"].count()
        g = x.groupby(["year", *by])["value"].sum(min_count=1)
        if months is None:
            one = x.groupby(["year", *by])["month"].max()  # annual rows were set to month 1
            need = one.map(lambda m: n_need[m == 1])
            return g[(n >= need) | (n == 1)] if len(g) else g
        return g[n == len(months)] if len(g) else g

    for by, out_ind in ((["sector", "fuel"], "value_added"), (["fuel"], "gdp"), ([], "gdp")):
        e = total("energy", by)
        c = total(emission, by)
        if by == ["sector", "fuel"]:
            q = total(out_ind, ["sector"])
        else:
            q = total(out_ind, [])
        if e.empty or c.empty or q.empty:
            continue
        ys_ok = all(y in e.index.get_level_values(0) and y in c.index.get_level_values(0)
                    and y in q.index.get_level_values(0) for y in (year0, year1))
        if not ys_ok:
            continue
        tab = pd.concat([e.rename("energy"), c.rename(emission)], axis=1).reset_index()
        if "sector" not in tab.columns:
            tab["sector"] = "all"
        if "fuel" not in tab.columns:
            tab["fuel"] = "all"
        if by == ["sector", "fuel"]:
            qq = q.rename("output").reset_index()
            tab = tab.merge(qq, on=["year", "sector"], how="left")
        else:
            qq = q.rename("output").reset_index()
            tab = tab.merge(qq, on=["year"], how="left")
        tab = tab.dropna(subset=["output"])
        tab[["energy", emission]] = tab[["energy", emission]].fillna(0.0)
        tab.insert(0, "region", entity)
        tab.attrs["breakdown"] = "+".join(by) or "total"
        return tab
    raise MonitoringError(Msg("msg.mon_no_attribution_data", emission=emission, entity=entity,
                              y0=year0, y1=year1))


def drivers(series: SeriesTable, entity: str, year0: int, year1: int,
            months: list[int] | None = None, emission: str = "CO2", lang: str = "en"
            ) -> pd.DataFrame:
    """LMDI-I attribution of the change of ``emission`` between the same months of two years to
    activity, structure, intensity, fuel mix and emission factor (additive; closes exactly:
    Σ effects = ΔV, the ``closure_error`` column)."""
    tab = driver_table(series, entity, year0, year1, months, emission)
    res = decompose_co2(tab, emission_col=emission, base=year0, end=year1)
    r = res.iloc[0]
    lab = 1 if lang == "zh" else 0
    out = pd.DataFrame({"factor": CO2_FACTORS,
                        "label": [FACTOR_LABELS[f][lab] for f in CO2_FACTORS],
                        "effect": [float(r[f]) for f in CO2_FACTORS]})
    out["share_of_change"] = out["effect"] / float(r["total"]) if r["total"] else np.nan
    out = out.sort_values("effect", ascending=False, key=np.abs).reset_index(drop=True)
    out.attrs.update({"total": float(r["total"]), "closure_error": float(r["closure_error"]),
                      "V_start": float(r["V_start"]), "V_end": float(r["V_end"]),
                      "breakdown": tab.attrs.get("breakdown"), "period": (year0, year1),
                      "emission": emission,
                      "months": months or list(range(1, 13))})
    return out


def latest_window(series: SeriesTable, entity: str, indicator: str = "CO2"
                  ) -> tuple[int, int, list[int]]:
    """Latest year with monthly data and its months, for a year-on-year attribution."""
    mon = series.monthly(indicator, entity).dropna()
    if mon.empty:
        raise MonitoringError(Msg("msg.mon_no_monthly", indicator=indicator, entity=entity))
    y1 = int(mon.index.year.max())
    months = sorted(int(m) for m in mon[mon.index.year == y1].index.month)
    return y1 - 1, y1, months


# ------------------------------------------------------------------------- closing measures

def closing_measures(gap: float, reductions: pd.DataFrame) -> pd.DataFrame:
    """Measures that would close a gap: per scenario, the measures by reduction in the target
    year (largest first), cumulated until the gap is covered.

    ``reductions``: [scenario, measure, reduction] in the unit of the gap (e.g. t CO2 from
    :func:`cocontrol.scenario.marginal_effects` for the target year). Returns scenario,
    measure, reduction, cumulative, closes_gap (the cumulative reduction reaches the gap at this
    measure or before).
    """
    if not np.isfinite(gap) or gap <= 0 or reductions is None or reductions.empty:
        return pd.DataFrame(columns=["scenario", "measure", "reduction", "cumulative",
                                     "closes_gap"])
    rows = []
    for sc, g in reductions.groupby("scenario", sort=False):
        g = g[g["reduction"] > 0].sort_values("reduction", ascending=False)
        cum = 0.0
        for r in g.itertuples():
            before = cum
            cum += float(r.reduction)
            rows.append((sc, r.measure, float(r.reduction), cum, cum >= gap))
            if before >= gap:
                rows.pop()
                break
    return pd.DataFrame(rows, columns=["scenario", "measure", "reduction", "cumulative",
                                       "closes_gap"])


#: emissions whose drivers are attributed for each target kind (first one with data)
DRIVER_SPECIES = {"pm25_annual": ["PM2.5", "SO2", "NOx"], "good_day_ratio": ["PM2.5", "SO2", "NOx"],
                  "o3_annual": ["VOCs", "NOx"]}

TARGET_SPECIES = {"co2_intensity_cut": "CO2", "carbon_peak": "CO2", "carbon_budget": "CO2",
                  "energy_intensity_cut": "CO2", "pm25_annual": "PM2.5",
                  "good_day_ratio": "PM2.5", "o3_annual": "VOCs"}


def gap_in_mass(a: Alert, series: SeriesTable) -> tuple[float, str]:
    """The gap of an alert in tonnes of the species the closing measures are ranked by."""
    t = a.target
    if not np.isfinite(a.gap) or a.gap <= 0:
        return float("nan"), ""
    if t.kind == "co2_intensity_cut":
        gdp = _annual_series(series, "gdp", t.entity)
        g = gdp.get(t.target_year)
        if g is None or not np.isfinite(g):
            s, _ = _gdp_samples(series, t.entity, t.target_year, 200, 0)
            g = float(np.median(s))
        return a.gap * float(g), "CO2"
    if t.kind in ("carbon_budget", "carbon_peak", "pollutant_reduction"):
        return a.gap, t.species if t.kind == "pollutant_reduction" else "CO2"
    return float("nan"), TARGET_SPECIES.get(t.kind, "")
