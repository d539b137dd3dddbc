"""Where a number of the early-warning board comes from (issue 15 item 3, issue 16).

A board number is a field of a stored alert (:meth:`cocontrol.monitoring.targets.Alert.to_dict`
as stored by ``POST /api/monitoring/uploads/{id}/alerts``): the latest value, the pro-rata
trajectory value, the target level, the shortfall, the probability of missing, the forecast
median and its 90 % interval, the gap and the alert level. :func:`alert_derivation` lists what
made it: the monitoring rows of the upload it was assessed on (entity, period, value as
uploaded, unit, value in the reference unit, source, row), the annual values of the
indicator(s), the target with its basis, each step of the rule
(:mod:`cocontrol.monitoring.targets`: progress rule, forecast rule, level) with its formula and
the numbers put in, the forecast method with its parameters and cross-validation scores, the
thresholds table row applied, and the upload's content hash with the code version.

The stored numbers are shown as stored; the intermediate values the alert does not store
(the base-year value, the annual values) are read from the same rows with the library's own
:func:`~cocontrol.monitoring.targets.metric_for` (no forecast) and
:meth:`~cocontrol.monitoring.series.SeriesTable.annual`: nothing is computed here a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg
from cocontrol.monitoring._common import bundled, factor, indicators
from cocontrol.monitoring.series import SeriesTable
from cocontrol.monitoring.targets import (
    LEVEL_ORDER,
    Target,
    _num,
    level_for,
    metric_for,
    worst_level,
)

#: the board's numbers of an alert (keys of the stored payload; ``level`` is the alert level)
FIELDS = ("latest_value", "expected_value", "target_level", "shortfall",
          "probability_of_missing", "forecast_median", "forecast_p05", "forecast_p95", "gap",
          "level")

#: the indicators each target kind is judged on (metric_for; pollutant_reduction: its species)
KIND_INDICATORS = {"pm25_annual": ("pm25_conc",), "good_day_ratio": ("good_day_ratio",),
                   "o3_annual": ("o3_mda8_p90",), "co2_intensity_cut": ("CO2", "gdp"),
                   "energy_intensity_cut": ("energy", "gdp"), "coal_cap": ("coal",),
                   "carbon_peak": ("CO2",), "carbon_budget": ("CO2",)}

#: the forecast models with their method and source (cocontrol.monitoring.forecast)
FORECAST_METHODS = {
    "snaive": "seasonal naive ŷ_{T+h} = y_{T+h−12(k+1)}, σ_h = σ̂·√(k+1) (Hyndman & "
              "Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., §5.5, Table 5.2)",
    "ets": "ETS(A, Ad, A): additive error, damped additive trend, additive seasonality "
           "(Hyndman et al. 2008), statsmodels ETSModel, simulated sample paths",
    "arima": "airline model SARIMA(0,1,1)(0,1,1)_12 (Box & Jenkins 1970), statsmodels SARIMAX, "
             "simulated sample paths",
    "theta": "Theta method with multiplicative seasonal adjustment (Assimakopoulos & "
             "Nikolopoulos 2000; Hyndman & Billah 2003), statsmodels ThetaModel; paths mean + "
             "σ_h·z, one z per path",
}
#: how the model was chosen (cocontrol.monitoring.forecast.forecast_to)
FORECAST_CHOICE = ("rolling-origin cross-validation (Tashman 2000), origins at the ends of the "
                   "last 3 years, 12 months ahead; the model with the lowest MAE is chosen; "
                   "skill = 1 − MAE/MAE_snaive")


def _f(x) -> str:
    """A number for a formula (6 significant digits), '—' where missing."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "—"
    return f"{float(x):.6g}"


def indicators_of(t: Target) -> tuple[str, ...]:
    """The series indicators target ``t`` is judged on."""
    if t.kind == "pollutant_reduction":
        return (str(t.species),)
    return KIND_INDICATORS[t.kind]


def rows_used(series: SeriesTable, entity: str, indicator: str, years) -> list[dict]:
    """The uploaded rows of ``indicator`` of ``entity`` (totals, no sector or fuel breakdown)
    in ``years``: period, value and unit as uploaded, the value in the reference unit, the
    source and the upload's row."""
    d = series.select(indicator, entity)
    d = d[d["year"].isin(list(years))].sort_values(["year", "month"])
    out = []
    for r in d.itertuples(index=False):
        out.append({"entity": r.entity, "indicator": r.indicator,
                    "period": f"{r.year:04d}-{r.month:02d}" if r.month else f"{r.year:04d}",
                    "value_original": _num(r.value_original), "unit_original": r.unit_original,
                    "value": _num(r.value), "unit": r.unit, "source": r.source,
                    "row": None if pd.isna(r.row) else int(r.row)})
    return out


def annual_values(series: SeriesTable, entity: str, indicator: str) -> list[dict]:
    """The annual values of ``indicator`` (given, or from 12 months by its rule) in the
    reference unit, each with how it was obtained."""
    a = series.annual(indicator, entity)
    return [{"year": int(r.year), "value": _num(r.value), "how": r.how}
            for r in a.itertuples(index=False)]


def _level_rule(shortfall, probability, levels: pd.DataFrame | None) -> dict:
    """The thresholds table and the level each of the two rules gives (the worse counts)."""
    lv = bundled("alert_levels") if levels is None else levels
    by_s = level_for(_num(shortfall) if shortfall is not None else float("nan"),
                     float("nan"), lv)
    by_p = level_for(float("nan"), _num(probability) if probability is not None
                     else float("nan"), lv)
    table = [{"level": str(r["level"]), "name_en": r.get("name_en"), "name_zh": r.get("name_zh"),
              "max_shortfall": _num(r["max_shortfall"]) if np.isfinite(float(r["max_shortfall"]))
              else "inf", "max_probability": _num(r["max_probability"]), "basis": r["basis"]}
             for _, r in lv.iterrows()]
    return {"table": table, "by_progress": by_s[0] if by_s[1] != "no data" else None,
            "by_forecast": by_p[0] if by_p[1] != "no data" else None}


def _steps(t: Target | None, p: Mapping, base_value, parts: Mapping) -> list[dict]:
    """Each number of the alert with its formula and the numbers put in (the stored values)."""
    kind = p.get("kind")
    b = t.base_year if t is not None else None
    T = p.get("target_year")
    y = p.get("latest_year")
    xs, xb, e, s = (p.get("target_level"), base_value, p.get("expected_value"),
                    p.get("shortfall"))
    x = p.get("latest_value")
    hib = kind == "good_day_ratio"
    sign = "−" if hib else ""
    steps = []
    if t is not None and kind in ("co2_intensity_cut", "energy_intensity_cut",
                                  "pollutant_reduction"):
        c = t.value * factor(t.unit, "dimensionless")
        steps.append({"field": "target_level", "formula": "x* = x_b · (1 − c)",
                      "numbers": f"{_f(xb)} · (1 − {_f(c)})", "value": _num(xs)})
    elif t is not None and kind != "carbon_peak":
        ref = p.get("unit")
        f = factor(t.unit, ref) if ref else float("nan")
        steps.append({"field": "target_level", "formula": "x* = v · f(u → u_ref)",
                      "numbers": f"{_f(t.value)} {t.unit} · {_f(f)}", "value": _num(xs)})
    elif kind != "carbon_peak":
        steps.append({"field": "target_level", "formula": "x*", "numbers": "", "value": _num(xs)})
    if kind in ("co2_intensity_cut", "energy_intensity_cut"):
        num, den = parts.get("num"), parts.get("den")
        if b is not None:
            steps.append({"field": "base_value", "formula": "x_b = N_b / GDP_b",
                          "numbers": f"{_f(num.get(b))} / {_f(den.get(b))}",
                          "value": _num(xb)})
        steps.append({"field": "latest_value", "formula": "x_t = N_t / GDP_t",
                      "numbers": f"{_f(num.get(y))} / {_f(den.get(y))}", "value": _num(x)})
    elif kind == "carbon_budget":
        steps.append({"field": "latest_value", "formula": "YTD = Σ_{k=1…m} X(T, k)",
                      "numbers": " + ".join(_f(v) for v in parts.get("months", [])),
                      "value": _num(x)})
    else:
        if b is not None and kind != "carbon_peak":
            steps.append({"field": "base_value", "formula": "x_b = X(b)",
                          "numbers": f"b = {b}", "value": _num(xb)})
        steps.append({"field": "latest_value", "formula": "x_t = X(t)",
                      "numbers": f"t = {y}", "value": _num(x)})
    if kind == "carbon_budget":
        phi = (_num(e) / _num(xs)) if _num(e) is not None and _num(xs) else None
        steps.append({"field": "expected_value", "formula": "B · φ",
                      "numbers": f"{_f(xs)} · {_f(phi)}", "value": _num(e)})
        steps.append({"field": "shortfall", "formula": "s = (YTD − B·φ) / (B·φ)",
                      "numbers": f"({_f(x)} − {_f(e)}) / {_f(e)}", "value": _num(s)})
    elif kind == "carbon_peak":
        steps.append({"field": "shortfall", "formula": "s = (max E(t > T) − E(T)) / E(T)",
                      "numbers": f"T = {T}", "value": _num(s)})
    else:
        steps.append({"field": "expected_value",
                      "formula": "e(t) = x_b + (x* − x_b) · (t − b) / (T − b)",
                      "numbers": f"{_f(xb)} + ({_f(xs)} − {_f(xb)}) · ({y} − {b}) / ({T} − {b})",
                      "value": _num(e)})
        steps.append({"field": "shortfall",
                      "formula": f"s = {sign}(x_t − e(t)) / |x* − x_b|",
                      "numbers": f"{sign}({_f(x)} − {_f(e)}) / |{_f(xs)} − {_f(xb)}|",
                      "value": _num(s)})
    n = p.get("n_samples")
    cmp = "<" if hib else ">"
    if kind == "carbon_peak":
        steps.append({"field": "probability_of_missing",
                      "formula": "p = #{E(T+1) − E(T) > 0} / N",
                      "numbers": f"N = {n}" if n else "", "value": _num(p.get(
                          "probability_of_missing"))})
    else:
        steps.append({"field": "probability_of_missing",
                      "formula": f"p = #{{x_T {cmp} x*}} / N",
                      "numbers": f"N = {n}, x* = {_f(xs)}" if n else f"x* = {_f(xs)}",
                      "value": _num(p.get("probability_of_missing"))})
        steps.append({"field": "forecast_median", "formula": "median(x_T)",
                      "numbers": f"N = {n}" if n else "", "value": _num(p.get("forecast_median"))})
        steps.append({"field": "forecast_p05", "formula": "Q_0.05(x_T)",
                      "numbers": f"N = {n}" if n else "", "value": _num(p.get("forecast_p05"))})
        steps.append({"field": "forecast_p95", "formula": "Q_0.95(x_T)",
                      "numbers": f"N = {n}" if n else "", "value": _num(p.get("forecast_p95"))})
        steps.append({"field": "gap", "formula": f"g = {sign}(median − x*)",
                      "numbers": f"{sign}({_f(p.get('forecast_median'))} − {_f(xs)})",
                      "value": _num(p.get("gap"))})
    return steps


def alert_derivation(alert: Mapping, series: SeriesTable | None, target: Target | None,
                     field: str, upload: Mapping | None = None,
                     assessed: Mapping | None = None, levels: pd.DataFrame | None = None
                     ) -> dict:
    """Everything behind the board number ``field`` (one of :data:`FIELDS`) of a stored alert
    ``alert`` (its payload): its value and unit as stored, the target (value, unit, base and
    target year, basis), the steps of the rule with their formulas and numbers, the uploaded
    rows used (``series``: the upload's rows; base year, latest year, and for a carbon budget
    the target year and the one before) and the annual values of each indicator, the forecast
    method (model chosen, models compared with their cross-validation scores, sample paths,
    history), the level rule (thresholds table, level by progress and by forecast), and the
    ``upload`` (id, name, content hash) with the ``assessed`` settings and code version.
    A target or rows the alert was not stored with are shown as not recorded (None), never
    guessed."""
    from cocontrol import __version__

    if field not in FIELDS:
        raise CocontrolError(Msg("msg.mon_drv_field", field=repr(field),
                                 known=", ".join(FIELDS)))
    p = dict(alert)
    entity = p.get("entity")
    inds = indicators_of(target) if target is not None else ()
    base_value, parts, inputs, annual = None, {}, [], {}
    if target is not None and series is not None:
        m = metric_for(target, series, with_forecast=False)
        base_value = _num(m.base_value)
        years = {target.base_year, p.get("latest_year"), target.target_year}
        if target.kind == "carbon_budget":
            years |= {target.target_year - 1}
        if target.kind == "carbon_peak":
            years |= {y for y in m.annual.dropna().index if y >= target.target_year}
        years = {int(y) for y in years if y is not None}
        for ind in inds:
            inputs += rows_used(series, entity, ind, years)
            annual[ind] = annual_values(series, entity, ind)
        if target.kind in ("co2_intensity_cut", "energy_intensity_cut"):
            parts = {"num": {a["year"]: a["value"] for a in annual[inds[0]]},
                     "den": {a["year"]: a["value"] for a in annual["gdp"]}}
        if target.kind == "carbon_budget":
            mon = series.monthly("CO2", entity)
            cur = mon[mon.index.year == target.target_year].dropna()
            parts = {"months": [float(v) for v in cur.to_numpy()]}
    steps = _steps(target, p, base_value, parts)
    value = p.get("level") if field == "level" else _num(p.get(field))
    models = list((assessed or {}).get("models") or [])
    chosen = p.get("forecast_model")
    forecast = None
    if chosen or p.get("probability_of_missing") is not None:
        forecast = {"model": chosen, "method": FORECAST_METHODS.get(chosen),
                    "choice": FORECAST_CHOICE, "models": models,
                    "methods": {k: FORECAST_METHODS[k] for k in models if k in FORECAST_METHODS},
                    "n_paths": (assessed or {}).get("n_paths"), "seed": (assessed or {}).get(
                        "seed"), "n_samples": p.get("n_samples"),
                    "skill_vs_snaive": _num(p.get("forecast_skill_vs_snaive")),
                    "scores": list(p.get("forecast_scores") or []),
                    "history": p.get("forecast_history"),
                    "indicator": inds[0] if inds else None}
    return {"kind": "monitoring", "field": field, "value": value, "unit": p.get("unit"),
            "alert": {k: p.get(k) for k in ("target", "kind", "entity", "target_year", "level",
                                            "reason", "latest_year", "notes", "name_en",
                                            "name_zh")},
            "target": None if target is None else {
                **target.model_dump(), "indicators": list(inds),
                "reference_unit": {i: indicators().at[i, "reference_unit"] for i in inds
                                   if i in indicators().index}},
            "basis": p.get("basis"),
            "steps": steps, "inputs": inputs, "annual": annual, "forecast": forecast,
            "rule": {**_level_rule(p.get("shortfall"), p.get("probability_of_missing"), levels),
                     "level": p.get("level"), "reason": p.get("reason")},
            "upload": dict(upload or {}), "assessed": dict(assessed or {}),
            "code_version": __version__}


def driver_derivation(alert: Mapping, series: SeriesTable, factor_name: str,
                      upload: Mapping | None = None) -> dict:
    """Where a driver effect of a stored alert comes from (the LMDI-I attribution of the
    change of its emission between the same months of two years,
    :func:`cocontrol.monitoring.targets.drivers`): the stored effect of ``factor_name``, the
    uploaded rows of energy, the emission and output it was computed from (each with its
    source), and the decomposition's steps and sub-categories
    (:func:`cocontrol.report.derivation.decoupling_derivation` of the same table: each factor's
    Σ L(C^T, C^0)·ln(f^T/f^0), C^0, C^T, closure)."""
    from cocontrol.metrics.derivation import decoupling_derivation
    from cocontrol.metrics.lmdi import co2_identity, decompose_co2
    from cocontrol.monitoring.targets import driver_table

    p = dict(alert)
    info = p.get("drivers_info")
    stored = {d.get("factor"): d for d in p.get("drivers") or []}
    if factor_name not in stored:
        raise CocontrolError(Msg("msg.mon_drv_factor", factor=repr(factor_name),
                                 known=", ".join(map(str, stored)) or "—"))
    out = {"kind": "monitoring-driver", "factor": factor_name,
           "value": _num(stored[factor_name].get("effect")),
           "share": _num(stored[factor_name].get("share_of_change")),
           "unit": p.get("unit"), "entity": p.get("entity"), "info": info,
           "inputs": [], "lmdi": None, "upload": dict(upload or {})}
    if not info or len(info.get("period") or []) != 2:
        return out  # stored before the attribution's period was kept: the effect as stored
    y0, y1 = info["period"]
    emis = info.get("emission") or "CO2"
    months = info.get("months") or None
    tab = driver_table(series, p.get("entity"), y0, y1, months if months and len(months) < 12
                       else None, emis)
    row = decompose_co2(tab, emission_col=emis, base=y0, end=y1).iloc[0]
    ident = co2_identity(tab, emission_col=emis)
    out["lmdi"] = decoupling_derivation(row, "lmdi_co2", f"upload {(upload or {}).get('id')}",
                                        identity=ident)
    for ind in ("energy", emis, "value_added", "gdp"):
        d = series.select(ind, p.get("entity"), sector=None, fuel=None)
        d = d[d["year"].isin([y0, y1])].sort_values(["year", "month", "sector", "fuel"])
        for r in d.itertuples(index=False):
            out["inputs"].append({
                "indicator": r.indicator, "sector": r.sector, "fuel": r.fuel,
                "period": f"{r.year:04d}-{r.month:02d}" if r.month else f"{r.year:04d}",
                "value_original": _num(r.value_original), "unit_original": r.unit_original,
                "value": _num(r.value), "unit": r.unit, "source": r.source,
                "row": None if pd.isna(r.row) else int(r.row)})
    return out


def measure_derivation(alert: Mapping, series: SeriesTable | None, target: Target | None,
                       index: int) -> dict:
    """Where a closing measure's numbers of a stored alert come from
    (:func:`cocontrol.monitoring.targets.closing_measures`): the gap G the measures are ranked
    against (:func:`~cocontrol.monitoring.targets.gap_in_mass`: the gap g in tonnes, for an
    intensity target g times the target year's GDP; the PM2.5 gap in µg/m³), the measures of
    the same scenario before it by reduction in the target year (largest first), the
    cumulative reduction C_k = Σ_{j≤k} r_j and the rule C_k ≥ G, and how the reductions were
    computed (the alert's note)."""
    from types import SimpleNamespace

    from cocontrol.monitoring.targets import _annual_series, gap_in_mass

    p = dict(alert)
    rows = list(p.get("measures") or [])
    if not 0 <= index < len(rows):
        raise CocontrolError(Msg("msg.mon_drv_measure", index=index, n=len(rows)))
    r = rows[index]
    same = [x for x in rows[:index + 1] if x.get("scenario") == r.get("scenario")]
    g = _num(p.get("gap"))
    gap, species, numbers = g, "", f"{_f(g)}"
    if target is not None and series is not None and g is not None:
        gm, species = gap_in_mass(SimpleNamespace(target=target, gap=g), series)
        if np.isfinite(gm):
            gap = float(gm)
            if target.kind == "co2_intensity_cut":
                gdp = _annual_series(series, "gdp", target.entity).get(target.target_year)
                numbers = f"{_f(g)} · {_f(gm / g)}" + ("" if gdp is not None else " (GDP_T "
                                                       "forecast median)")
    formula = "G = g · GDP_T" if target is not None and target.kind == "co2_intensity_cut" \
        else "G = g"
    red = [_num(x.get("reduction")) for x in same]
    return {"kind": "monitoring-measure", "index": int(index), "scenario": r.get("scenario"),
            "measure": r.get("measure"), "value": _num(r.get("reduction")),
            "cumulative": _num(r.get("cumulative")), "closes_gap": r.get("closes_gap"),
            "gap": {"formula": formula, "numbers": numbers, "value": gap, "g": g,
                    "species": species or None},
            "before": [{"measure": x.get("measure"), "reduction": _num(x.get("reduction"))}
                       for x in same],
            "steps": [{"field": "cumulative", "formula": "C_k = Σ_{j≤k} r_j",
                       "numbers": " + ".join(_f(v) for v in red),
                       "value": _num(r.get("cumulative"))},
                      {"field": "closes_gap", "formula": "C_k ≥ G",
                       "numbers": f"{_f(r.get('cumulative'))} ≥ {_f(gap)}",
                       "value": r.get("closes_gap")}],
            "method": [n for n in p.get("notes") or [] if str(n).startswith("closing measures")
                       or "reduction in ug/m3" in str(n)],
            "unit": species and "t" or p.get("unit")}


#: the workflow statuses of a case, in order (cocontrol.monitoring.anomaly.TRANSITIONS)
CASE_STATUSES = ("found", "assigned", "rectified", "closed")
#: the alert levels a count is made of, worst first (and an alert without data)
COUNT_LEVELS = (*reversed(LEVEL_ORDER), "not estimated")


def _thresholds(levels: pd.DataFrame | None) -> list[dict]:
    """The thresholds table (alert_levels.csv, or ``levels``) as :func:`_level_rule` shows it."""
    return _level_rule(None, None, levels)["table"]


def count_derivation(alerts: Iterable[Mapping], level: str | None = None,
                     region: str | None = None, kind: str | None = None,
                     levels: pd.DataFrame | None = None) -> dict:
    """How a count tile of the board is made: n = #{a : level(a) = ``level``} over
    ``alerts``, the newest stored alert of every target the visitor sees (each the stored
    alert, :meth:`~cocontrol.monitoring.targets.Alert.to_dict`, with its ``id`` and
    optionally ``org``, the jurisdiction's name), only those of entity ``region`` and target
    kind ``kind`` if given; ``level`` None counts every alert (a region's alerts: the region's
    level is the worst of theirs, :func:`~cocontrol.monitoring.targets.worst_level`).

    Each counted alert is listed with its stored level, the level each rule gives from its
    stored shortfall and probability of missing with the thresholds table (the progress rule,
    the forecast rule, the worse counts: :func:`~cocontrol.monitoring.targets.level_for`) and
    the table's row of its level; ``counts`` has the number at every level of the same
    selection (the board's tiles are its red, yellow and green)."""
    if level is not None and level not in COUNT_LEVELS:
        raise CocontrolError(Msg("msg.mon_drv_count", value=repr(level),
                                 known=", ".join(COUNT_LEVELS)))
    table = _thresholds(levels)
    rows = {r["level"]: r for r in table}
    lv = bundled("alert_levels") if levels is None else levels
    chosen = [dict(a) for a in alerts
              if (region is None or str(a.get("entity")) == region)
              and (kind is None or a.get("kind") == kind)]
    items = []
    for a in chosen:
        s, p = _num(a.get("shortfall")), _num(a.get("probability_of_missing"))
        by = _level_rule(s, p, lv)
        rule_level, rule_reason = level_for(s if s is not None else float("nan"),
                                            p if p is not None else float("nan"), lv)
        items.append({"id": a.get("id"), "target": a.get("target"), "kind": a.get("kind"),
                      "entity": a.get("entity"), "org": a.get("org"),
                      "name_en": a.get("name_en"), "name_zh": a.get("name_zh"),
                      "target_year": a.get("target_year"), "level": a.get("level"),
                      "reason": a.get("reason"), "shortfall": s, "probability_of_missing": p,
                      "by_progress": by["by_progress"], "by_forecast": by["by_forecast"],
                      "rule_level": rule_level, "rule_reason": rule_reason,
                      "threshold": rows.get(str(a.get("level")))})
    order = {x: k for k, x in enumerate(COUNT_LEVELS)}
    items.sort(key=lambda x: (order.get(x["level"], len(order)), str(x["target"]),
                              x["id"] or 0))
    counts = {x: sum(i["level"] == x for i in items) for x in COUNT_LEVELS}
    counted = [i for i in items if level is None or i["level"] == level]
    ones = "{" + ", ".join(str(i["target"]) for i in counted) + "}"
    return {"kind": "monitoring-count", "what": "level", "level": level, "region": region,
            "target_kind": kind, "value": len(counted), "of": len(items),
            "formula": f"n = #{{a : level(a) = {level}}}" if level else "n = #{a}",
            "numbers": ones, "counts": counts,
            "worst": worst_level(i["level"] for i in items), "items": counted,
            "table": table}


def case_count_derivation(cases: Iterable, status: str | None = None,
                          region: str | None = None) -> dict:
    """How a case count of the board is made: n = #{c : status(c) = ``status``} over
    ``cases`` (:class:`cocontrol.monitoring.anomaly.Case`, those the board lists), only those
    of entity ``region`` if given. Each counted case with its status and what put it there:
    the rule's finding that opened it (signal, period, value against the threshold, unit,
    basis) and the workflow step that set its status (the last of its history: when, by
    whom, from which status; none while it is as found)."""
    if status is not None and status not in CASE_STATUSES:
        raise CocontrolError(Msg("msg.mon_drv_count", value=repr(status),
                                 known=", ".join(CASE_STATUSES)))
    items = []
    for c in cases:
        f = c.finding
        if region is not None and f.entity != region:
            continue
        last = c.history[-1] if c.history else None
        items.append({"id": c.id, "entity": f.entity, "jurisdiction": c.jurisdiction,
                      "rule": f.rule, "signal": f.signal, "status": c.status,
                      "start": f.start.isoformat(), "end": f.end.isoformat(),
                      "hours": f.hours, "value": _num(f.value), "threshold": _num(f.threshold),
                      "unit": f.unit, "basis": f.basis, "owner": c.owner,
                      "deadline": c.deadline.isoformat() if c.deadline else None,
                      "message_en": f.message_en, "message_zh": f.message_zh,
                      "set_by": None if last is None else {
                          "at": last.at.isoformat(), "by": last.by,
                          "from_status": last.from_status, "to_status": last.to_status,
                          "note": last.note}})
    counts = {s: sum(i["status"] == s for i in items) for s in CASE_STATUSES}
    counted = [i for i in items if status is None or i["status"] == status]
    return {"kind": "monitoring-case-count", "what": "status", "status": status,
            "region": region, "value": len(counted), "of": len(items),
            "formula": f"n = #{{c : status(c) = {status}}}" if status else "n = #{c}",
            "numbers": "{" + ", ".join(i["id"] for i in counted) + "}", "counts": counts,
            "items": counted}
