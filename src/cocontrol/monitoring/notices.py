"""Monthly and quarterly notices per jurisdiction (rankings, alerts, cases) as data.

The notice is a plain JSON-ready dict (for the API); :func:`cocontrol.report.monitoring.
notice_html` renders it as a self-contained HTML page in Chinese or English.

Rankings compare the member units of the jurisdiction (its child regions, or a given list)
over the months of the period: PM2.5 mean (day-weighted; lower ranks first), share of good
days (higher first), CO2 and electricity change against the same months of the previous year
(lower first). A unit with a missing month is *not estimated* and not ranked.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import numpy as np
import pandas as pd

from cocontrol.i18n import Msg as M
from cocontrol.monitoring._common import MonitoringError
from cocontrol.monitoring.anomaly import STATUS_LABELS, Case, cases_frame
from cocontrol.monitoring.series import SeriesTable
from cocontrol.monitoring.targets import KIND_LABELS, Alert, _num

RANKED = [  # indicator, statistic, higher_is_better
    ("pm25_conc", "mean", False),
    ("good_day_ratio", "mean", True),
    ("CO2", "change", False),
    ("electricity", "change", False),
]

LABELS = {
    "pm25_conc": ("PM2.5 mean (ug/m3)", "PM2.5平均浓度（微克/立方米）"),
    "good_day_ratio": ("share of good days (%)", "优良天数比例（%）"),
    "CO2": ("CO2 change vs same period last year (%)", "二氧化碳排放同比变化（%）"),
    "electricity": ("electricity change vs same period last year (%)", "用电量同比变化（%）"),
}


def parse_notice_period(period: str) -> tuple[str, int, list[int]]:
    """``2024-06`` -> ("monthly", 2024, [6]); ``2024-Q2`` -> ("quarterly", 2024, [4, 5, 6])."""
    m = re.match(r"^(\d{4})-(\d{2})$", period)
    if m and 1 <= int(m.group(2)) <= 12:
        return "monthly", int(m.group(1)), [int(m.group(2))]
    q = re.match(r"^(\d{4})-?Q([1-4])$", period, re.I)
    if q:
        k = int(q.group(2))
        return "quarterly", int(q.group(1)), [3 * k - 2, 3 * k - 1, 3 * k]
    raise MonitoringError(M("msg.mon_notice_period", period=repr(period)))


def _window(series: SeriesTable, ind: str, ent: str, year: int, months: list[int],
            how: str) -> float:
    d = series.select(ind, ent)
    d = d[(d["year"] == year) & (d["month"].isin(months))].dropna(subset=["value"])
    if len(d) < len(months):
        return float("nan")
    v = d["value"].to_numpy(float)
    if how == "sum":
        return float(v.sum())
    w = d["valid_days"].to_numpy(float)
    days = np.array([calendar.monthrange(year, int(m))[1] for m in d["month"]], float)
    w = np.where(np.isfinite(w), w, days)
    return float(v @ w / w.sum())


def rankings(series: SeriesTable, members: list[str], year: int, months: list[int],
             names: dict[str, str] | None = None, names_zh: dict[str, str] | None = None
             ) -> dict[str, pd.DataFrame]:
    """One ranking table per indicator that any member reports."""
    names = names or {}
    names_zh = names_zh or names
    out = {}
    for ind, stat, higher in RANKED:
        rows = []
        for ent in members:
            if stat == "mean":
                v = _window(series, ind, ent, year, months, "mean")
                prev = _window(series, ind, ent, year - 1, months, "mean")
                chg = v - prev
            else:
                cur = _window(series, ind, ent, year, months, "sum")
                prev = _window(series, ind, ent, year - 1, months, "sum")
                v = 100 * (cur / prev - 1) if prev and np.isfinite(prev) else float("nan")
                chg = float("nan")
            rows.append((ent, names.get(ent, ent), names_zh.get(ent, names.get(ent, ent)), v,
                         chg))
        df = pd.DataFrame(rows, columns=["entity", "name", "name_zh", "value",
                                         "change_vs_last_year"])
        if df["value"].notna().sum() == 0:
            continue
        df["rank"] = df["value"].rank(ascending=not higher, method="min")
        out[ind] = df.sort_values(["rank", "entity"], na_position="last").reset_index(drop=True)
    return out


def notice(period: str, jurisdiction: str, series: SeriesTable, *, members: list[str],
           names: dict[str, str] | None = None, alerts: list[Alert] = (),
           cases: list[Case] = (), today: date | None = None, illustrative: bool = False,
           jurisdiction_name: str | None = None, pdf_note: str | None = None,
           names_zh: dict[str, str] | None = None) -> dict:
    """The notice as a JSON-ready dict (values NaN -> None = not estimated)."""
    kind, year, months = parse_notice_period(period)
    today = today or date(year, months[-1], calendar.monthrange(year, months[-1])[1])
    rk = rankings(series, members, year, months, names, names_zh)
    mine = [c for c in cases if c.jurisdiction == jurisdiction or c.finding.entity in members
            or c.jurisdiction in members]
    counts = {s: sum(c.status == s for c in mine) for s in STATUS_LABELS}
    cf = cases_frame(mine, today)
    return {
        "kind": kind, "period": period, "year": year, "months": months,
        "jurisdiction": jurisdiction, "jurisdiction_name": jurisdiction_name or jurisdiction,
        "jurisdiction_name_zh": (names_zh or {}).get(jurisdiction,
                                                     jurisdiction_name or jurisdiction),
        "illustrative": illustrative, "as_of": today.isoformat(),
        "rankings": {ind: {"label_en": LABELS[ind][0], "label_zh": LABELS[ind][1],
                           "rows": [{k: _num(v) if isinstance(v, float) else v
                                     for k, v in r.items()} for r in df.to_dict("records")]}
                     for ind, df in rk.items()},
        "alerts": [a.to_dict() | {"label_en": KIND_LABELS[a.target.kind][0],
                                  "label_zh": KIND_LABELS[a.target.kind][1]}
                   for a in alerts],
        "cases": {"counts": counts, "overdue": int(cf["overdue"].sum()) if len(cf) else 0,
                  "rows": [{k: (bool(v) if k == "overdue" else v) for k, v in r.items()}
                           for r in cf.to_dict("records")]},
        "cases_zh": [{k: (bool(v) if k == "overdue" else v) for k, v in r.items()}
                     for r in cases_frame(mine, today, "zh").to_dict("records")],
        "pdf": pdf_note,
    }
