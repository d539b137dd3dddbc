"""What the pages show, computed by the library: plain functions of a prepared base.

No model logic here: the numbers are those of :func:`cocontrol.scenario.totals`,
:func:`~cocontrol.scenario.check_targets`, :func:`~cocontrol.scenario.energy` and
:func:`cocontrol.metrics.coordinates`; this module only picks and labels them for a page.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocontrol import refdata

#: cockpit indicators: (key, species or energy kind, display unit, factor from t or tce)
INDICATORS = [
    ("CO2", "CO2", "Mt", 1e-6), ("CO2e", "CO2e", "Mt", 1e-6),
    ("energy", "energy", "Mtce", 1e-6), ("coal", "solid", "Mtce", 1e-6),
    ("SO2", "SO2", "kt", 1e-3), ("NOx", "NOx", "kt", 1e-3), ("PM2.5", "PM2.5", "kt", 1e-3),
    ("PM10", "PM10", "kt", 1e-3), ("VOCs", "VOCs", "kt", 1e-3), ("NH3", "NH3", "kt", 1e-3),
]
#: margin (share of the limit) below which a met target shows amber
WARN_MARGIN = 0.05

_RUNS: dict = {}
_RUNS_LOCK = threading.Lock()
#: one scenario run at a time in the web process, for the cockpit's stored runs and the
#: what-if moves alike: the per-base caches the engine fills on first use are not guarded
#: and runs are short (a queue of them costs less than a wrong number)
ENGINE_LOCK = threading.Lock()


def scenario_run(base, name: str):
    """The run of a stored scenario (cached per base and name: runs are deterministic)."""
    from cocontrol.scenario import run

    key = (id(base), name)
    with _RUNS_LOCK:
        hit = _RUNS.get(key)
    if hit is not None and hit[0] is base:
        return hit[1]
    with ENGINE_LOCK:
        r = run(base, name)
    with _RUNS_LOCK:
        if len(_RUNS) > 32:
            _RUNS.clear()
        _RUNS[key] = (base, r)
    return r


def default_scenario(base) -> str:
    names = list(base.scenarios)
    return "policy" if "policy" in names else names[-1]


def energy_by_year(base, r, kind: str | None = None) -> pd.Series:
    """tce by year, all fuels or one fuel kind of fuels.csv (e.g. solid)."""
    from cocontrol.scenario import energy

    e = energy(base, r, unit="tce")
    if kind is not None:
        fuels = refdata.table("fuels").set_index("code")
        e = e[e["fuel"].isin([f for f in fuels.index if fuels.at[f, "kind"] == kind])]
    return e.groupby("year")["value"].sum().reindex(base.years, fill_value=0.0)


@dataclass
class Tile:
    key: str
    unit: str
    years: list[int]
    values: list[float]  # display unit, per year of the scenario
    base_year: int
    base_value: float
    target: dict | None  # the binding (nearest) target: year, limit, value, passed, status
    status: str  # ok, warn, bad, none


def _target_rows(base, r) -> pd.DataFrame:
    from cocontrol.scenario import check_targets

    t = check_targets(base, r)
    if t.empty:
        return t
    t = t.copy()
    t["key"] = [_target_key(s) for s in t["target"]]
    return t


def _target_key(label: str) -> str:
    if label.startswith("energy cap solid"):
        return "coal"
    if label.startswith("energy cap"):
        return "energy"
    return label.split(" ")[0]


def status_of(row) -> str:
    """The status colour of a target row (passed, limit, margin, unit): bad when missed,
    warn (amber) when met by less than :data:`WARN_MARGIN` of the limit, else ok."""
    if not row["passed"]:
        return "bad"
    lim = abs(float(row["limit"])) or 1.0
    return "warn" if float(row["margin"]) < WARN_MARGIN * lim and row["unit"] != "year" \
        else "ok"


def cockpit(base, scenario: str) -> dict:
    """Tiles (indicator pathways against the scenario's targets) and the target table."""
    from cocontrol.scenario import totals

    r = scenario_run(base, scenario)
    tot = totals(r)  # species x years, t
    years = list(base.years)
    targets = _target_rows(base, r)
    tiles = []
    for key, what, unit, f in INDICATORS:
        if what == "energy":
            series = energy_by_year(base, r)
        elif what == "solid":
            series = energy_by_year(base, r, "solid")
        elif what in tot.index:
            series = tot.loc[what]
        else:
            continue
        values = [float(series[y]) * f for y in years]
        rows = targets[targets["key"] == key] if not targets.empty else targets
        target, status = None, "none"
        if not rows.empty:
            row = rows.sort_values("year").iloc[0]  # the nearest target year first
            status = status_of(row)
            target = {"label": row["target"], "year": int(row["year"]),
                      "limit": float(row["limit"]), "value": float(row["value"]),
                      "unit": row["unit"], "passed": bool(row["passed"]), "status": status}
        tiles.append(Tile(key, unit, years, values, years[0], values[0], target, status))
    return {"tiles": tiles, "targets": targets, "run": r}


def quadrants(base, scenario: str, reference: str, year: int, pollutant: str,
              by: str, lang: str) -> pd.DataFrame:
    """Co-control coordinate system of each district or sector: CO2 and ``pollutant``
    reductions of ``scenario`` against ``reference``
    (:func:`cocontrol.metrics.derivation.quadrant_table` of the stored runs)."""
    from cocontrol.metrics.derivation import quadrant_table

    return quadrant_table(base, scenario_run(base, reference), scenario_run(base, scenario),
                          by, year, pollutant, lang)


def default_reference(base, scenario: str) -> str:
    """The cockpit's reference of the quadrants: the baseline (else the scenario itself)."""
    return "baseline" if "baseline" in base.scenarios else scenario


def finite(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None
