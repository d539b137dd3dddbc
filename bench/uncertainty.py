"""Uncertainty and scale benchmarks (issue #18).

1. ``monte carlo 10k draws``: 10,000 LHS draws of the demo city's policy scenario to 2035
   (every parameter kind incl. the PM2.5 link) through the ensemble axis, serial; target 60 s.
2. ``batch 300 cities``: 300 synthetic cities (the demo city with activity scaled by a
   random factor 0.5-2 per city) × 3 scenarios, on a 2-worker Dask LocalCluster.
3. ``dask efficiency 2 workers``: T(1 worker) / (2 × T(2 workers)) for 4,000 draws.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _record import record, reset  # noqa: E402

from cocontrol.scenario import prepare  # noqa: E402
from cocontrol.scenario import spec as sspec  # noqa: E402
from cocontrol.uncertainty import build_model  # noqa: E402
from cocontrol.uncertainty.batch import city_totals  # noqa: E402
from cocontrol.uncertainty.distributed import local_client, run_draws  # noqa: E402
from cocontrol.uncertainty.ensemble import aq_link  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-city"


def demo_base():
    b0 = prepare(DEMO)
    years = [y for y in b0.years if y <= 2035]
    return prepare(DEMO, scenario_set=sspec.ScenarioSet(sspec.Settings(years=years),
                                                        b0.scenarios, b0.targets))


def synthetic_city(base, k: int):
    f = np.random.default_rng(k).uniform(0.5, 2.0)
    return city_totals(dataclasses.replace(base, A0=base.A0 * f), ["baseline", "policy",
                                                                    "enhanced"],
                       city=f"city{k:03d}")


def main() -> None:
    reset()
    base = demo_base()
    link = aq_link(base, "demo_city", 50.0, 0.6, om_share_of_primary=0.3)
    model = build_model(base, "policy", aq=link)
    run_draws(model, 500, seed=0)  # warm-up (first run in the process)
    t0 = time.perf_counter()
    res = run_draws(model, 10_000, seed=1, chunk=500)
    t_mc = time.perf_counter() - t0
    print(f"1. {len(res):,} draws x {len(model.params)} parameters to 2035: {t_mc:.1f} s "
          f"({len(res) / t_mc:,.0f} draws/s)")
    record("monte carlo 10k draws", t_mc, "s", reference=60.0)

    client = local_client(n_workers=2)
    try:
        b_f = client.scatter(base, broadcast=True)
        t0 = time.perf_counter()
        futs = [client.submit(synthetic_city, b_f, k, pure=False) for k in range(300)]
        out = client.gather(futs)
        t_b = time.perf_counter() - t0
        print(f"2. 300 synthetic cities x 3 scenarios on 2 workers: {t_b:.1f} s "
              f"({sum(len(o) for o in out):,} rows)")
        record("batch 300 cities", t_b, "s")
        t0 = time.perf_counter()
        run_draws(model, 4000, seed=2, chunk=250, client=client)
        t2 = time.perf_counter() - t0
    finally:
        client.close()
    client = local_client(n_workers=1)
    try:
        run_draws(model, 250, seed=2, chunk=250, client=client)  # warm the worker
        t0 = time.perf_counter()
        run_draws(model, 4000, seed=2, chunk=250, client=client)
        t1 = time.perf_counter() - t0
    finally:
        client.close()
    eff = t1 / (2 * t2)
    print(f"3. 4,000 draws: 1 worker {t1:.1f} s, 2 workers {t2:.1f} s, efficiency {eff:.2f}")
    record("dask efficiency 2 workers", eff, "ratio", reference=1.0)


if __name__ == "__main__":
    main()
