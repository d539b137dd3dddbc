"""Year to date (年初至今) of a monitored indicator, against the same months a year before
(同比), with the monthly rows it is made of.

For year Y and its months 1 … m (m = the latest month of Y with a value), by the indicator's
``annual`` rule of ``data/monitoring/indicators.csv``:

- ``sum`` (flows: energy, coal, CO2, SO2, …):  YTD = Σ_{k=1..m} x_k
- ``day_weighted_mean`` (concentrations, day shares):  YTD = Σ w_k x_k / Σ w_k, w_k = the
  month's valid days (else its calendar days), as the annual mean of GB 3095-2012 / HJ 663
- ``not_derivable`` (O3 90th percentile): not estimated.

Every month 1 … m must have a value: a gap leaves the YTD "not estimated" with the months
missing, never a sum over fewer months. The same months of Y − 1 give the previous value and
the change ``(YTD / previous − 1) × 100`` % (not estimated when either is). Values are in
the indicator's reference unit (the series are converted on loading).
"""

from __future__ import annotations

import calendar
import math

import numpy as np
import pandas as pd

from cocontrol.i18n import Msg
from cocontrol.monitoring._common import MonitoringError, indicators
from cocontrol.monitoring.series import SeriesTable

ROW_COLUMNS = ("year", "month", "value", "unit", "valid_days", "value_original",
               "unit_original", "source", "file", "row")


def _months(series: SeriesTable, indicator: str, entity: str) -> pd.DataFrame:
    d = series.select(indicator, entity)  # the unit's totals (no sector or fuel breakdown)
    return d[d["month"] > 0].sort_values(["year", "month"])


def _aggregate(rows: pd.DataFrame, year: int, months: int, rule: str
               ) -> tuple[float, str | None]:
    """(value, None) of months 1 … ``months`` of ``year`` by ``rule``, or (NaN, reason)."""
    if rule == "not_derivable":
        return math.nan, "not_derivable"
    have = rows[(rows["year"] == year) & (rows["month"] <= months)]
    have = have[np.isfinite(have["value"].to_numpy(float))]
    got = set(have["month"].astype(int))
    gap = [k for k in range(1, months + 1) if k not in got]
    if gap:
        return math.nan, "missing:" + ",".join(map(str, gap))
    v = have["value"].to_numpy(float)
    if rule == "sum":
        return float(v.sum()), None
    if rule == "day_weighted_mean":
        days = np.array([calendar.monthrange(year, int(k))[1] for k in have["month"]], float)
        w = have["valid_days"].to_numpy(float)
        w = np.where(np.isfinite(w), w, days)
        return float((v * w).sum() / w.sum()), None
    raise MonitoringError(Msg("msg.mon_unknown_rule", rule=repr(rule)))


def _records(rows: pd.DataFrame) -> list[dict]:
    out = []
    for r in rows[[c for c in ROW_COLUMNS if c in rows.columns]].to_dict("records"):
        out.append({k: (None if isinstance(v, float) and not math.isfinite(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in r.items()})
    return out


def year_to_date(series: SeriesTable, indicator: str, entity: str,
                 year: int | None = None) -> dict | None:
    """The year to date of ``indicator`` of ``entity`` in ``year`` (default: the latest year
    with a monthly value), as a derivation: value and unit, months, rule, the same months
    of the year before and the change in %, the monthly rows of both years with their
    sources, and the reason when a value is not estimated (``missing:3,4`` = months without
    a value; ``not_derivable``). None when the unit has no monthly value of the indicator
    (in that year)."""
    cat = indicators()
    if indicator not in cat.index:
        raise MonitoringError(Msg("msg.mon_ytd_unknown_indicator", indicator=repr(indicator),
                                  known=", ".join(cat.index)))
    rows = _months(series, indicator, entity)
    valued = rows[np.isfinite(rows["value"].to_numpy(float))]
    if valued.empty:
        return None
    year = int(valued["year"].max()) if year is None else int(year)
    this = valued[valued["year"] == year]
    if this.empty:
        return None
    m = int(this["month"].max())
    rule = str(cat.at[indicator, "annual"])
    value, reason = _aggregate(rows, year, m, rule)
    previous, reason_prev = _aggregate(rows, year - 1, m, rule)
    change = (value / previous - 1.0) * 100.0 if math.isfinite(value) and \
        math.isfinite(previous) and previous != 0 else math.nan
    pick = rows["month"] <= m
    return {"kind": "ytd", "indicator": indicator, "entity": entity, "year": year,
            "months": list(range(1, m + 1)), "rule": rule,
            "unit": str(cat.at[indicator, "reference_unit"]),
            "value": value, "reason": reason, "previous_year": year - 1,
            "previous": previous, "reason_previous": reason_prev, "change_pct": change,
            "rows": _records(rows[pick & (rows["year"] == year)]),
            "previous_rows": _records(rows[pick & (rows["year"] == year - 1)]),
            "source": str(cat.at[indicator, "source"])}
