"""Optimisation benchmark (issue #4): 2,000 measure–region pairs × 8 periods.

Synthetic problem of the shape the demo produces at scale: 100 regions × 20 measures, 8 periods
(2025–2060), linearised coefficients drawn at random with the signs of real measures (every
measure cuts primary PM2.5 precursors; a quarter of them raise CO2, like end-of-pipe energy
penalties and local electrification; costs partly negative, like fuel savings), ramps of
p_max, monotone penetrations, pools of three competing switches per region, companion links,
PM2.5 ≤ limit from period 2 on and the CO2 peak by period 2. Prints the LP build time
(linopy), the HiGHS solve time and their ratio (target: build < solve), the same for a MILP
variant with 10 % lumpy pairs, and the time for a 20-point ε-constraint Pareto front
(cost vs PM2.5).

The LP is also built at 500, 2,000 and 8,000 pairs with linopy and directly as one sparse
matrix for highspy (the same model; same optimum checked), for the build/solve figures
``lp build`` and ``lp solve`` (reference: the direct build) and the scaling exponent.

Usage: python bench/optimize.py
"""

from __future__ import annotations

import time

import _lp_direct
import numpy as np
from _record import record, reset

from cocontrol.optimize import lp as lpm
from cocontrol.optimize.pareto import pareto_lp
from cocontrol.optimize.problem import discount_weights


def synthetic(n_reg: int = 100, n_meas: int = 20, T: int = 8, lumpy: float = 0.0,
              seed: int = 4) -> tuple[lpm.LPData, lpm.Targets]:
    rng = np.random.default_rng(seed)
    K = n_reg * n_meas
    years = list(range(2025, 2025 + 5 * T, 5))
    meas = np.tile(np.arange(n_meas), n_reg)
    reg = np.repeat(np.arange(n_reg), n_meas)
    pmax = rng.uniform(0.3, 1.0, n_meas)[meas]
    start = rng.integers(0, 3, n_meas)[meas]
    ramp = np.clip((np.arange(T)[None, :] - start[:, None] + 1) / 3.0, 0, 1)
    ub = pmax[:, None] * ramp
    size = rng.lognormal(0, 1, n_reg)[reg] * rng.lognormal(0, 0.5, n_meas)[meas]
    growth = 1 + 0.01 * np.arange(T)
    g_pm = -1e-3 * size[:, None] * rng.uniform(0.5, 1.5, (K, 1)) * growth
    co2_sign = np.where(rng.uniform(size=n_meas) < 0.25, 1.0, -1.0)[meas]
    g_co2 = co2_sign[:, None] * 5e3 * size[:, None] * rng.uniform(0.2, 1.0, (K, 1)) * growth
    g_cost = 1e6 * size[:, None] * rng.normal(1.0, 0.8, (K, 1)) * np.ones(T)
    g_apeq = 1e4 * g_pm
    P0 = np.zeros((K, T))
    pm0 = 45.0 * np.ones(T) - 0.2 * np.arange(T)
    co2_0 = 3e7 * (1 + 0.02 * np.minimum(np.arange(T), 3) - 0.01 * np.maximum(
        np.arange(T) - 3, 0))
    steps = np.where(rng.uniform(size=K) < lumpy, 4, 0)
    pools = [[r * n_meas + j for j in (0, 1, 2)] for r in range(n_reg)]
    links = [(r * n_meas + 4, r * n_meas + 3, "equal") for r in range(n_reg)]
    links += [(r * n_meas + 6, r * n_meas + 5, "requires") for r in range(n_reg)]
    ub[reg * n_meas + 4 == np.arange(K)] = ub[reg * n_meas + 3 == np.arange(K)]
    d = lpm.LPData(years, P0, ub, pmax, steps, np.ones(K), discount_weights(years, 0.05),
                   lpm.Quantity(np.zeros(T), g_cost), lpm.Quantity(co2_0, g_co2),
                   lpm.Quantity(pm0, g_pm), lpm.Quantity(1e6 * np.ones(T), g_apeq), {},
                   pools, links)
    # a limit that needs about 60 % of the maximum achievable cut
    max_cut = (g_pm * ub).sum(axis=0)
    t = lpm.Targets(pm25_max=float(pm0[2] + 0.6 * max_cut[2]), pm25_year=years[2],
                    co2_peak_by=years[2])
    return d, t


def main() -> None:
    reset()
    n_meas = 20
    print("LP (cost objective) at three sizes, built with linopy (cocontrol.optimize.lp) and "
          "directly as one sparse matrix for highspy (bench/_lp_direct.py), same model")
    lpm.build_and_solve(*synthetic(25, n_meas), time_limit=120)  # warm-up (imports)
    _lp_direct.build_and_solve(*synthetic(25, n_meas))
    sizes, totals = [], []
    for n_reg in (25, 100, 400):
        d, t = synthetic(n_reg, n_meas)
        r = lpm.build_and_solve(d, t, time_limit=300)
        x = _lp_direct.build_and_solve(d, t, time_limit=300)
        same = abs(r.objective - x["objective"]) <= 1e-6 * max(1.0, abs(x["objective"]))
        K = n_reg * n_meas
        print(f"  {K:5d} pairs × 8 periods: linopy build {r.build_s:.3f} s + solve "
              f"{r.solve_s:.3f} s (build/solve {r.build_s / r.solve_s:.2f}); direct build "
              f"{x['build_s']:.3f} s + solve {x['solve_s']:.3f} s; same optimum: {same}")
        sizes.append(K)
        totals.append(r.build_s + r.solve_s)
        if K == 8000:
            record("lp build", r.build_s, "s", reference=x["build_s"])
            record("lp solve", r.solve_s, "s", reference=x["solve_s"])
            record("lp build / solve", r.build_s / r.solve_s, "ratio", reference=0.1)
    k = float(np.polyfit(np.log(sizes), np.log(totals), 1)[0])
    print(f"  scaling exponent of build + solve (time ∝ pairs^k): k = {k:.2f}")
    record("optimisation scaling exponent", k, "k")
    d, t = synthetic(100, n_meas, lumpy=0.1)
    r = lpm.build_and_solve(d, t, time_limit=120, mip_gap=1e-4)
    gap = f", MIP gap {r.mip_gap:.1e}" if r.mip_gap is not None else ""
    print(f"MILP (10 % lumpy pairs, 2000 pairs): build {r.build_s:.3f} s, solve "
          f"{r.solve_s:.3f} s, status {r.status}{gap}")
    d, t = synthetic(100, n_meas)
    t0 = time.perf_counter()
    front = pareto_lp(d, t, n_points=20, year_index=2, time_limit=120)
    el = time.perf_counter() - t0
    print(f"20-point Pareto front (cost vs PM2.5, ε-constraint): {el:.2f} s total, "
          f"build {front['build_s'].sum():.2f} s, solve {front['solve_s'].sum():.2f} s; "
          f"PM2.5 {front['pm25_ugm3'].max():.2f} → {front['pm25_ugm3'].min():.2f} µg/m³, "
          f"cost {front['cost_pv_yuan'].min() / 1e8:,.1f} → "
          f"{front['cost_pv_yuan'].max() / 1e8:,.1f} × 1e8 yuan")


if __name__ == "__main__":
    main()
