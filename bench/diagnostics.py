"""Benchmark of the diagnostics: LMDI decomposition and Tapio decoupling on a large panel.

200 regions × 40 years × 3 scenarios × 8 sectors × 6 fuels (1.15 million rows) of synthetic data
(random, with zero values: fuels absent in some sectors and years). Prints wall-clock times,
throughput, the largest closure error and peak memory. Run: ``python bench/diagnostics.py``.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from cocontrol.metrics.decoupling import decoupling
from cocontrol.metrics.lmdi import CO2_FACTORS, co2_identity, lmdi

N_REGIONS, N_YEARS, N_SCEN, N_SECT, N_FUEL = 200, 40, 3, 8, 6


def synthetic_panel(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(2021, 2021 + N_YEARS)
    keys = pd.MultiIndex.from_product(
        [[f"S{s}" for s in range(N_SCEN)], [f"R{r:03d}" for r in range(N_REGIONS)],
         [f"sec{i}" for i in range(N_SECT)], [f"fuel{j}" for j in range(N_FUEL)], years],
        names=["scenario", "region", "sector", "fuel", "year"])
    n = len(keys)
    t = keys.get_level_values("year").to_numpy() - years[0]
    growth = rng.uniform(0.0, 0.06, n // (N_SECT * N_FUEL * N_YEARS))
    g = np.repeat(growth, N_SECT * N_FUEL * N_YEARS)
    output = 100.0 * (1 + g) ** t * np.repeat(rng.uniform(0.5, 2.0, n // (N_FUEL * N_YEARS)),
                                              N_FUEL * N_YEARS)
    # same sector output on every fuel row of a sector-year
    output = pd.Series(output, index=keys).groupby(
        ["scenario", "region", "sector", "year"]).transform("first").to_numpy()
    energy = rng.uniform(0.0, 50.0, n) * (0.98 ** t)
    energy[rng.random(n) < 0.08] = 0.0          # absent fuels (zero values)
    ef = np.tile(np.repeat(rng.uniform(1.5, 2.8, N_FUEL), N_YEARS), n // (N_FUEL * N_YEARS))
    co2 = energy * ef * (0.995 ** t)
    return pd.DataFrame({"output": output, "energy": energy, "CO2": co2}, index=keys).reset_index()


def main() -> None:
    t0 = time.perf_counter()
    raw = synthetic_panel()
    t_gen = time.perf_counter() - t0
    n = len(raw)
    print(f"panel: {N_REGIONS} regions x {N_YEARS} years x {N_SCEN} scenarios x {N_SECT} sectors"
          f" x {N_FUEL} fuels = {n:,} rows (generated in {t_gen:.2f} s)")

    # the built-in CO2 identity takes one region key: combine scenario and region
    raw["key"] = raw["scenario"] + "|" + raw["region"]
    t0 = time.perf_counter()
    fac = co2_identity(raw.drop(columns=["scenario", "region"]), region_col="key")
    t_id = time.perf_counter() - t0
    print(f"CO2 identity factors (5 factors):                 {t_id:7.2f} s")

    for label, kw in [("LMDI additive, period 2021-2060", dict(mode="additive")),
                      ("LMDI multiplicative, period 2021-2060", dict(mode="multiplicative")),
                      ("LMDI additive, chained (39 yearly periods)",
                       dict(mode="additive", chained=True)),
                      ("LMDI multiplicative, chained (39 periods)",
                       dict(mode="multiplicative", chained=True))]:
        t0 = time.perf_counter()
        res = lmdi(fac, CO2_FACTORS, group_cols=["key"], sub_cols=["sector", "fuel"], **kw)
        dt = time.perf_counter() - t0
        err = res["closure_error"].abs()
        if kw["mode"] == "additive":
            rel = (err / res[["V_start", "V_end"]].abs().max(axis=1)).max()
        else:
            rel = err.max()
        print(f"{label:<48s}{dt:7.2f} s  ({n / dt:,.0f} rows/s; "
              f"{len(res):,} result rows; max relative closure error {rel:.1e})")

    t0 = time.perf_counter()
    agg = raw.groupby(["key", "year"], as_index=False)[["output", "CO2"]].sum()
    t_agg = time.perf_counter() - t0
    t0 = time.perf_counter()
    dec = decoupling(agg, x="output", y="CO2", region_col="key")
    t_dec = time.perf_counter() - t0
    print(f"aggregate to region-year ({len(agg):,} rows):        {t_agg:7.2f} s")
    print(f"Tapio decoupling, consecutive periods ({len(dec):,}):  {t_dec:7.2f} s")
    counts = dec["state"].value_counts().to_dict()
    print(f"  states: {counts}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    print(f"peak memory (max RSS): {peak / scale:,.0f} MB")


if __name__ == "__main__":
    main()
