"""Pareto front of discounted cost, CO2 and PM2.5 by the ε-constraint method.

Minimise cost subject to the fixed targets and PM2.5(y) ≤ ε_PM, CO2(y) ≤ ε_CO2 in the
evaluation year y, for a grid of (ε_PM, ε_CO2) between the least-cost point (no PM2.5/CO2
limit) and the lowest achievable PM2.5 and CO2 (Haimes et al. 1971; Mavrotas 2009). Every
point is a sequential-LP plan re-checked with the scenario engine; points dominated in
(cost, PM2.5, CO2) by another point are dropped.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from cocontrol.errors import InfeasibleError
from cocontrol.i18n import Msg as M
from cocontrol.optimize import lp as lpm
from cocontrol.optimize.slp import Plan, Setup, optimise
from cocontrol.progress import report, track
from cocontrol.provenance import Provenance
from cocontrol.results import Result


def non_dominated(points: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Boolean mask of the rows of ``points`` (n × m, all minimised) not dominated by
    another row (≤ in every objective, < in one, with a relative tolerance)."""
    n = len(points)
    keep = np.ones(n, bool)
    scale = np.maximum(np.abs(points).max(axis=0), 1e-12)
    q = points / scale
    for i in range(n):
        le = (q <= q[i] + tol).all(axis=1)
        lt = (q < q[i] - tol).any(axis=1)
        if (le & lt).any():
            keep[i] = False
    return keep


def _levels(hi: float, lo: float, n: int) -> np.ndarray:
    if n <= 1 or hi - lo <= 1e-9 * max(abs(hi), 1.0):
        return np.array([hi])
    return np.linspace(hi, lo, n)


def pareto(s: Setup, targets: lpm.Targets, n_points: int = 9, year: int | None = None,
           progress=None, **kw) -> tuple[pd.DataFrame, list[Plan]]:
    """ε-constraint Pareto front.

    Parameters
    ----------
    targets
        Targets kept as hard constraints at every point (e.g. the CO2 peak); the PM2.5
        limit, if any, is replaced by the ε grid.
    n_points
        Number of ε points: about √n PM2.5 levels between the least-cost and the lowest
        achievable PM2.5, and at each of them √n CO2 levels between the least-cost CO2 and
        the lowest CO2 achievable at that PM2.5 (n ≤ 4: PM2.5 levels only).
    year
        Evaluation year of PM2.5 and CO2 (default: the PM2.5 target year, else the last).
    progress
        Callback of :mod:`cocontrol.progress`: stage ``pareto`` counts the PM2.5 levels done.

    Returns
    -------
    (table, plans)
        ``point, eps_pm25_ugm3, eps_co2_t, cost_pv_yuan, pm25_ugm3, co2_t, converged`` for the
        non-dominated points (engine values), and their plans.
    """
    yrs = list(s.years)
    y = year or targets.pm25_year or yrs[-1]
    yi = yrs.index(int(y))
    free = replace(targets, pm25_max=None, pm25_year=None)
    report(progress, "pareto", 0, None, "least-cost anchor")
    anchor = optimise(s, free, "cost", **kw)
    lo_pm = optimise(s, free, "min_pm25", obj_year=yi, P_start=anchor.P, **kw)
    pm_hi, pm_lo = float(anchor.pm25[yi]), float(lo_pm.pm25[yi])
    n_co = 1 if n_points <= 4 else max(2, round(math.sqrt(n_points)))
    n_pm = max(2, math.ceil(n_points / n_co)) if n_points > 1 else 1
    plans, rows, P = [], [], anchor.P

    def pad(v):  # a hair looser than the level, so rounding cannot make it infeasible
        return v + 1e-7 * max(abs(v), 1.0)

    def solve(starts, **k):
        """Least cost from the first start whose linearisation admits the ε levels."""
        for P0 in starts:
            try:
                return optimise(s, free, P_start=P0, explain=False, **k, **kw)
            except InfeasibleError:
                continue
        raise InfeasibleError(M("msg.opt_eps_unreachable"), None)

    for e1 in track(_levels(pm_hi, pm_lo, n_pm), progress, "pareto",
                    message=lambda e: f"PM2.5 level {e:.4g} µg/m³"):
        try:
            first = solve([P, lo_pm.P], objective="cost", eps_pm25=(yi, pad(e1)))
        except InfeasibleError:
            continue
        P = first.P
        pts = [(first, None)]
        if n_co > 1:  # CO2 levels between this point's CO2 and the lowest at this PM2.5
            try:
                lo = solve([P, lo_pm.P], objective="min_co2", obj_year=yi,
                           eps_pm25=(yi, pad(e1)))
            except InfeasibleError:
                lo = None
            levels = [] if lo is None else _levels(float(first.co2[yi]), float(lo.co2[yi]),
                                                   n_co)[1:]
            for e2 in levels:
                try:
                    pts.append((solve([P, lo.P], objective="cost", eps_pm25=(yi, pad(e1)),
                                      eps_co2=(yi, pad(e2))), e2))
                except InfeasibleError:
                    continue
        for pl, e2 in pts:
            plans.append(pl)
            rows.append({"eps_pm25_ugm3": e1, "eps_co2_t": e2, "cost_pv_yuan": pl.cost_pv,
                         "pm25_ugm3": float(pl.pm25[yi]), "co2_t": float(pl.co2[yi]),
                         "converged": pl.converged})
    tab = pd.DataFrame(rows)
    if tab.empty:
        return tab, []
    keep = non_dominated(tab[["cost_pv_yuan", "pm25_ugm3", "co2_t"]].to_numpy(float))
    # identical points (same plan reached from two ε pairs) are kept once
    tab = tab[keep]
    plans = [p for p, k in zip(plans, keep, strict=True) if k]
    dup = tab[["cost_pv_yuan", "pm25_ugm3", "co2_t"]].round(6).duplicated().to_numpy()
    tab = tab[~dup].reset_index(drop=True)
    plans = [p for p, d in zip(plans, dup, strict=True) if not d]
    tab.insert(0, "point", np.arange(1, len(tab) + 1))
    tab.attrs["year"] = int(y)
    return tab, plans


def pareto_result(table: pd.DataFrame, s: Setup | None = None) -> Result:
    """The table of :func:`pareto` as the labelled result ``pareto_front``
    (docs/results-schema.md); its evaluation year is in ``meta["year"]``."""
    cols = ["point", "eps_pm25_ugm3", "eps_co2_t", "cost_pv_yuan", "pm25_ugm3", "co2_t",
            "converged"]
    tab = table.reindex(columns=cols) if len(table) else pd.DataFrame(columns=cols)
    project = getattr(getattr(s, "base", None), "project", None)
    year = table.attrs.get("year")
    return Result("pareto_front", {"front": tab}, Provenance.of(project),
                  {"year": None if year is None else int(year)})


def pareto_lp(d: lpm.LPData, targets: lpm.Targets, n_points: int = 20, year_index: int = -1,
              **kw) -> pd.DataFrame:
    """ε-constraint front on a fixed linearisation (no engine re-check): cost against PM2.5
    in one year, all points solved on one model whose ε right-hand side is updated. Used by
    the benchmark and for quick exploration."""
    free = replace(targets, pm25_max=None, pm25_year=None)
    yi = year_index % len(d.years)
    a = lpm.build_and_solve(d, free, "cost", **kw)
    b = lpm.build_and_solve(d, free, "min_pm25", obj_year=yi, **kw)
    hi, lo = float(d.pm25.at(a.P, d.P0)[yi]), float(d.pm25.at(b.P, d.P0)[yi])
    levels = [e + 1e-7 * max(abs(e), 1.0) for e in _levels(hi, lo, n_points)]
    res = lpm.build_and_solve(d, free, "cost", eps_pm25=(yi, levels[0]),
                              eps_pm25_levels=levels, **kw)
    rows = []
    for e, r in zip(_levels(hi, lo, n_points), res, strict=True):
        if r is None:
            continue
        rows.append({"eps_pm25_ugm3": e, "cost_pv_yuan": float(d.disc @ d.cost.at(r.P, d.P0)),
                     "pm25_ugm3": float(d.pm25.at(r.P, d.P0)[yi]),
                     "build_s": r.build_s, "solve_s": r.solve_s})
    return pd.DataFrame(rows)
