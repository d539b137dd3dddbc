"""Benchmark of the CGE model: solve time on the bundled SAM and for all 63 combinations of
the six bundled instruments (``python bench/cge.py``)."""

from __future__ import annotations

import statistics
import time
import tracemalloc

from cocontrol.cge.combinations import rank, rank_stability, run_combinations
from cocontrol.cge.policies import bundled_instruments, load_economy


def main() -> None:
    t0 = time.perf_counter()
    eco = load_economy()
    t_load = time.perf_counter() - t0
    ins = bundled_instruments()
    m = eco.model(ins)
    print(f"bundled SAM: {eco.cal.n} sectors, {m.nvar} unknowns (all instruments incl. ETS)")
    print(f"load + calibrate: {1000 * t_load:.1f} ms")
    # single solves, repeated
    for label, chosen in (("one instrument (EEI)", [i for i in ins if i.code == "EEI"]),
                          ("ETS (endogenous permit price)", [i for i in ins if i.code == "ETS"]),
                          ("all six instruments", ins)):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            run = eco.run(chosen)
            times.append(time.perf_counter() - t)
        print(f"solve {label}: median {1000 * statistics.median(times):.1f} ms "
              f"(min {1000 * min(times):.1f}, method {run.solution.method}, "
              f"{run.solution.nfev} residual evaluations, max residual "
              f"{run.solution.max_residual:.1e})")
    t = time.perf_counter()
    res = run_combinations(eco, ins)
    total = time.perf_counter() - t
    secs = res.solve_seconds
    print(f"all {len(secs)} combinations: total {total:.2f} s, mean {1000 * secs.mean():.1f} ms, "
          f"max {1000 * secs.max():.1f} ms ({secs.idxmax()})")
    tracemalloc.start()  # separate run: tracing slows numpy down
    run_combinations(eco, ins)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory of the 63-combination run: {peak / 1e6:.1f} MB")
    t = time.perf_counter()
    rank(res.changes)
    st = rank_stability(res.changes, draws=1000)
    print(f"TOPSIS ranking + 1000-draw weight stability: {1000 * (time.perf_counter() - t):.0f} "
          f"ms (mean Spearman {st.attrs['spearman_mean']:.3f})")


if __name__ == "__main__":
    main()
