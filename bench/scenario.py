"""Scenario benchmark (issues 3 and 11).

1. Demo city to 2060, every library measure that applies at its maximum: first run in the
   process against the steady state; marginal effects (method chosen by size) against N full
   re-runs.
2. Batched runs: K = 1,000 penetration vectors of the demo city in one ``run_batch`` call
   against a loop of single runs (throughput ratio, identical numbers checked).
3. Scale: the demo city replicated in memory into 250, 500 and 1,000 "regions" (each a copy
   of the demo's 202 lines), yearly 2020–2060 (41 years), scenario "enhanced": steady-state
   run time, scaling exponent, bytes per line × species × year cell (tracemalloc peak of a
   run / cells), marginal effects at 200 regions; then 5,000 regions once, peak memory.

Figures (bench/_record.py): ``scenario bytes per cell``, ``batched runs speedup``,
``scenario run 1000 regions x 41 years``, ``scenario first run / steady``, ...

Usage: python bench/scenario.py [--no-5000]
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from _record import record, reset

from cocontrol.scenario import marginal_effects, prepare, run, run_batch, totals
from cocontrol.scenario.engine import Base, _row, release_buffers, select, warm

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-city"


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def all_measures_scenario(folder: Path, years: list[int]) -> list[str]:
    """Add a scenario with every library measure that selects some line of the project."""
    base = prepare(folder)
    ids = [m for m in base.lib.index if select(base.lines, _row(base.lib.loc[m])).any()]
    sc = yaml.safe_load((folder / "scenarios.yaml").read_text())
    sc["settings"]["years"] = years
    sc["scenarios"]["all_measures"] = {"measures": {m: 1.0 for m in ids}}
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(sc, allow_unicode=True))
    return ids


def tile(base: Base, n: int) -> Base:
    """The base replicated n times in memory (a city n times larger: every line, switch
    target and penalty line repeated, line indices shifted per copy)."""
    N = len(base.lines)
    off = np.arange(n, dtype=np.int64) * N

    def shift(idx: np.ndarray) -> np.ndarray:
        return (np.asarray(idx, np.int64)[None, :] + off[:, None]).ravel()

    b = Base(project=base.project, inventory=base.inventory, settings=base.settings,
             scenarios=base.scenarios, targets=base.targets, measures=base.measures,
             lines=pd.concat([base.lines] * n, ignore_index=True), A0=np.tile(base.A0, n),
             ef=np.tile(base.ef, (n, 1)), R0=np.tile(base.R0, (n, 1)),
             growth=np.tile(base.growth, (n, 1)), gj=np.tile(base.gj, n),
             drivers=base.drivers)
    b.targets_of = {m: (shift(i), shift(t), np.tile(c, n))
                    for m, (i, t, c) in base.targets_of.items()}
    b.penalty_of = {m: tuple(shift(a) for a in v) for m, v in base.penalty_of.items()}
    warm(b)
    return b


def timed(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def steady(f, repeat: int = 3) -> float:
    """Median time of ``repeat`` calls after one warm-up call."""
    f()
    ts = []
    for _ in range(repeat):
        _, t = timed(f)
        ts.append(t)
    return float(np.median(ts))


def exponent(sizes, times) -> float:
    """k of time ∝ n^k (least squares on logs)."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def marginal_check(base, scen: str, label: str, n_check: int | None = None) -> float:
    full = run(base, scen)
    me, t_me = timed(marginal_effects, base, scen, full)
    ids = list(full.penetration)
    check = ids[: n_check or len(ids)]
    tf = totals(full, scope=1)
    t0 = time.perf_counter()
    worst = 0.0
    for mid in check:
        d = totals(run(base, scen, exclude={mid}), scope=1) - tf
        got = me[(me["measure"] == mid) & (me["species"].isin(base.species))].pivot(
            index="species", columns="year", values="reduction_t").loc[list(base.species)]
        ref = d.loc[list(base.species)]
        scale = np.maximum(np.abs(ref.to_numpy()), 1.0)
        worst = max(worst, float(np.max(np.abs(got.to_numpy() - ref.to_numpy()) / scale)))
    t_naive = (time.perf_counter() - t0) * len(ids) / len(check)
    print(f"  [{label}] marginal effects of {len(ids)} measures: {t_me:.2f} s vs "
          f"{'estimated ' if len(check) < len(ids) else ''}N full re-runs {t_naive:.2f} s "
          f"-> {t_naive / t_me:.1f}× faster; max relative difference {worst:.1e}")
    return t_me, t_naive


def main(big: bool = True) -> None:
    reset()
    tmp = Path(tempfile.mkdtemp())
    try:
        # 1. demo city to 2060 × all measures: first run and marginal effects
        demo = tmp / "demo"
        shutil.copytree(DEMO, demo)
        years5 = list(range(2020, 2061, 5))
        ids = all_measures_scenario(demo, years5)
        base, t_prep = timed(prepare, demo)
        _, t_first = timed(run, base, "all_measures")
        t_steady = steady(lambda: run(base, "all_measures"), 10)
        print(f"1. demo city: {len(base.lines)} lines, {len(years5)} years, {len(ids)} measures;"
              f" prepare {t_prep:.2f} s; first run {t_first * 1e3:.1f} ms, steady state "
              f"{t_steady * 1e3:.1f} ms ({t_first / t_steady:.1f}×)")
        record("scenario first run / steady", t_first / t_steady, "ratio")
        record("scenario demo run", t_steady * 1e3, "ms")
        t_me, t_naive = marginal_check(base, "all_measures", "demo, all measures")
        record("marginal effects demo", t_me, "s", reference=t_naive)

        # 2. batched runs: K = 1,000 penetration vectors of the policy scenario
        base = prepare(DEMO)
        sc = base.scenarios["policy"]
        rng = np.random.default_rng(5)
        K, T = 1000, len(base.years)
        mids = list(sc.measures)
        P = {m: rng.uniform(0, 1, (K, T)) for m in mids[:: max(1, len(mids) // 10)]}
        n_loop = 200
        t_loop = steady(lambda: [run(base, "policy", penetrations={m: v[k] for m, v in P.items()})
                                 for k in range(n_loop)], 1) / n_loop
        br, t_batch = None, 0.0
        t_batch = steady(lambda: run_batch(base, "policy", P), 2)
        br = run_batch(base, "policy", P)
        same = all(np.array_equal(br.emissions[k], run(base, "policy", penetrations={
            m: v[k] for m, v in P.items()}).emissions) for k in (0, 1, K // 2, K - 1))
        speed = t_loop * K / t_batch
        print(f"2. batched: K = {K} members × {len(P)} measures moved: one run_batch "
              f"{t_batch:.3f} s vs a loop of single runs {t_loop * 1e3:.2f} ms each "
              f"({t_loop * K:.1f} s for K) -> {speed:.1f}× the throughput (target ≥ 10×); "
              f"identical numbers: {same}")
        record("batched runs speedup", speed, "ratio", reference=10.0)
        del br

        # 3. scale: replicated demo, yearly to 2060
        yearly = tmp / "yearly"
        shutil.copytree(DEMO, yearly)
        s = yaml.safe_load((yearly / "scenarios.yaml").read_text())
        s["settings"]["years"] = [2020, *range(2021, 2061)]
        (yearly / "scenarios.yaml").write_text(yaml.safe_dump(s, allow_unicode=True))
        one = prepare(yearly)
        sizes, times = [250, 500, 1000], []
        print(f"3. scale: the demo city ({len(one.lines)} lines) × n, 41 years, 'enhanced'")
        for n in sizes:
            b = tile(one, n)
            t = steady(lambda b=b: run(b, "enhanced"), 2)
            times.append(t)
            cells = len(b.lines) * len(b.species) * len(b.years)
            print(f"  {n:5d} regions: {len(b.lines):,} lines, {cells / 1e6:.0f} M cells: "
                  f"steady-state run {t:.2f} s ({cells / t / 1e6:.0f} M cells/s)")
            if n == 1000:
                release_buffers()  # the emissions array is allocated inside the measured run
                tracemalloc.start()
                tracemalloc.reset_peak()
                base0 = tracemalloc.get_traced_memory()[0]
                r = run(b, "enhanced")
                peak = tracemalloc.get_traced_memory()[1] - base0
                tracemalloc.stop()
                bpc = peak / cells
                print(f"  bytes per cell (tracemalloc peak of one run, emissions array "
                      f"included / cells): {bpc:.1f} "
                      f"(target ≤ 16; the emissions array alone is 8)")
                record("scenario bytes per cell", bpc, "B", reference=16.0)
                record("scenario run 1000 regions x 41 years", t, "s", reference=1.0)
                del r
            del b
        k = exponent(sizes, times)
        print(f"  scaling exponent (time ∝ n^k): k = {k:.2f}")
        record("scenario scaling exponent", k, "k")
        b = tile(one, 200)
        t_me, t_naive = marginal_check(b, "enhanced", "200 regions", n_check=3)
        record("marginal effects 200 regions", t_me, "s", reference=t_naive)
        del b
        if big:
            b = tile(one, 5000)
            _, t = timed(run, b, "enhanced")
            cells = len(b.lines) * len(b.species) * len(b.years)
            print(f"  5000 regions: {len(b.lines):,} lines, {cells / 1e6:.0f} M cells: one run "
                  f"{t:.1f} s; peak memory (max RSS) {rss_gb():.2f} GB (target ≤ 8 GB)")
            record("scenario 5000 regions peak memory", rss_gb(), "GB", reference=8.0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(big="--no-5000" not in sys.argv)
