"""Benchmark: synergy evaluation of 3,000 enterprises x 20 indicators x 10 years.

    python bench/evaluation.py

Random (uniform) indicator values with 1 % missing cells; the built-in enterprise template
(4/13/20). Times: validation of a long table (600,000 rows), evaluation with each weighting
method (missing = impute), and writing nothing (reports are not part of the benchmark).
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd
from _record import record, reset

from cocontrol.evaluation import evaluate, load_system, load_values

N_UNITS, N_YEARS = 3000, 10


def main() -> None:
    reset()
    system = load_system("enterprise")
    ids = system.ids
    rng = np.random.default_rng(42)
    units = [f"ent{i:05d}" for i in range(N_UNITS)]
    years = list(range(2014, 2014 + N_YEARS))
    idx = pd.MultiIndex.from_product([units, years], names=["unit", "year"])
    wide = pd.DataFrame(rng.uniform(0.1, 100.0, (len(idx), len(ids))), index=idx, columns=ids)
    mask = rng.random(wide.shape) < 0.01
    wide = wide.mask(mask)
    long = wide.stack().rename("value").reset_index()
    long.columns = ["unit", "year", "indicator", "value"]
    print(f"enterprises: {N_UNITS}, indicators: {len(ids)}, years: {N_YEARS}, "
          f"cells: {wide.size:,}, missing: {int(mask.sum()):,}")

    t0 = time.perf_counter()
    values, meta = load_values(long, system)
    t1 = time.perf_counter()
    print(f"load_values (validate + pivot {len(long):,} long rows): {t1 - t0:7.2f} s")

    for weighting in ("template", "entropy", "critic", "combined"):
        t0 = time.perf_counter()
        res = evaluate(system, values, meta, weighting=weighting, missing="impute")
        t1 = time.perf_counter()
        print(f"evaluate weighting={weighting:9s} missing=impute: {t1 - t0:7.2f} s "
              f"({len(res.scores):,} unit-years scored, {len(res.changes):,} change rows)")
    t0 = time.perf_counter()
    evaluate(system, values, meta, weighting="template", missing="flag",
             normalization="target")
    print(f"evaluate weighting=template  missing=flag, target: {time.perf_counter() - t0:7.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MB")
    # scaling: evaluation (template weighting) of n units × 20 indicators × 10 years
    sizes, times = [N_UNITS // 4, N_UNITS // 2, N_UNITS], []
    for n in sizes:
        sub = values.loc[values.index.get_level_values(0).isin(units[:n])] \
            if isinstance(values.index, pd.MultiIndex) else values
        t0 = time.perf_counter()
        evaluate(system, sub, meta, weighting="template", missing="impute")
        times.append(time.perf_counter() - t0)
    k = float(np.polyfit(np.log(sizes), np.log(times), 1)[0])
    print(f"evaluation scaling exponent (time ∝ units^k, {sizes}): k = {k:.2f}")
    record("evaluation scaling exponent", k, "k")
    record("evaluation 3000 units", times[-1], "s")


if __name__ == "__main__":
    main()
