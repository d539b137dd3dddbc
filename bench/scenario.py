"""Scenario benchmark (issue #3).

1. Demo city to 2060 with 50 measures (every library measure that applies, at its maximum).
2. 200 regions × 40 years × 3 scenarios: the demo city replicated into 200 districts, yearly
   steps 2021–2060.
3. Marginal effect of every measure: footprint re-runs (cocontrol.scenario.marginal_effects)
   against N full re-runs, with the largest difference between the two.

Usage: python bench/scenario.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cocontrol.scenario import marginal_effects, prepare, run, totals
from cocontrol.scenario.engine import _row, select

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo-city"


def all_measures_scenario(folder: Path, years: list[int]) -> list[str]:
    """Add a scenario with every library measure that selects some line of the project."""
    base = prepare(folder)
    ids = [m for m in base.lib.index if select(base.lines, _row(base.lib.loc[m])).any()]
    sc = yaml.safe_load((folder / "scenarios.yaml").read_text())
    sc["settings"]["years"] = years
    sc["scenarios"]["all_measures"] = {"measures": {m: 1.0 for m in ids}}
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(sc, allow_unicode=True))
    return ids


def replicate(src: Path, dst: Path, n: int) -> None:
    """Copy the demo project and replicate its sub-city regions and sources n times."""
    shutil.copytree(src, dst)
    reg = pd.read_csv(src / "regions.csv")
    act = pd.read_csv(src / "activity.csv")
    ctl = pd.read_csv(src / "controls.csv")
    ms = pd.read_csv(src / "measured.csv")
    root = reg.loc[reg["parent_id"].isna(), "region_id"].iloc[0]
    regs, acts, ctls, mss = [reg[reg["region_id"] == root]], [], [], []
    for k in range(n):
        s = f"_{k}"
        r = reg[reg["region_id"] != root].copy()
        r["region_id"] += s
        r["parent_id"] = np.where(r["parent_id"] == root, root, r["parent_id"] + s)
        regs.append(r)
        a = act.copy()
        a["source_id"] += s
        a["region_id"] = np.where(a["region_id"] == root, root + "", a["region_id"] + s)
        acts.append(a)
        c = ctl.copy()
        c["source_id"] += s
        ctls.append(c)
        m = ms.copy()
        m["source_id"] += s
        mss.append(m)
    pd.concat(regs).to_csv(dst / "regions.csv", index=False)
    pd.concat(acts).to_csv(dst / "activity.csv", index=False)
    pd.concat(ctls).to_csv(dst / "controls.csv", index=False)
    pd.concat(mss).to_csv(dst / "measured.csv", index=False)


def timed(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def marginal_check(base, scen: str, label: str, check_full: int | None = None) -> None:
    full, t_full = timed(run, base, scen)
    me, t_me = timed(marginal_effects, base, scen, full)
    n = len(full.penetration)
    ids = list(full.penetration)[: (check_full or n)]
    t0 = time.perf_counter()
    worst = 0.0
    tf = totals(full, scope=1)
    for mid in ids:
        d = totals(run(base, scen, exclude={mid}), scope=1) - tf
        got = me[(me["measure"] == mid) & (me["species"].isin(base.species))].pivot(
            index="species", columns="year", values="reduction_t").loc[list(base.species)]
        ref = d.loc[list(base.species)]
        scale = np.maximum(np.abs(ref.to_numpy()), 1.0)
        worst = max(worst, float(np.max(np.abs(got.to_numpy() - ref.to_numpy()) / scale)))
    t_naive = (time.perf_counter() - t0) * n / len(ids)
    print(f"  [{label}] marginal effects of {n} measures: footprint {t_me:.2f} s vs "
          f"{'estimated ' if len(ids) < n else ''}N full re-runs {t_naive:.2f} s "
          f"(one full run {t_full:.3f} s); speed-up {t_naive / t_me:.1f}×; "
          f"max relative difference {worst:.1e}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        # 1. demo city to 2060 × all measures
        demo = tmp / "demo"
        shutil.copytree(DEMO, demo)
        years5 = list(range(2020, 2061, 5))
        ids = all_measures_scenario(demo, years5)
        base, t_prep = timed(prepare, demo)
        print(f"1. demo city: {len(base.lines)} lines, {len(years5)} years, "
              f"{len(ids)} measures; prepare {t_prep:.2f} s")
        for s in base.scenarios:
            r, t = timed(run, base, s)
            print(f"  run {s:>13} ({len(r.penetration):2d} measures): {t * 1000:7.1f} ms")
        marginal_check(base, "all_measures", "demo, all measures")

        # 2. 200 regions × 40 years × 3 scenarios
        big = tmp / "big"
        replicate(DEMO, big, 200)
        sc = yaml.safe_load((big / "scenarios.yaml").read_text())
        sc["settings"]["years"] = [2020, *range(2021, 2061)]
        (big / "scenarios.yaml").write_text(yaml.safe_dump(sc, allow_unicode=True))
        base, t_prep = timed(prepare, big)
        print(f"2. 200 regions: {len(base.lines):,} lines × {len(base.years)} years; "
              f"prepare (inventory, factors, targets) {t_prep:.1f} s")
        t_all = 0.0
        for s in ("baseline", "policy", "enhanced"):
            r, t = timed(run, base, s)
            t_all += t
            cells = r.emissions.size
            print(f"  run {s:>9} ({len(r.penetration):2d} measures): {t:6.2f} s "
                  f"({cells / t / 1e6:.1f} M values/s)")
        print(f"  3 scenarios: {t_all:.2f} s")
        marginal_check(base, "enhanced", "200 regions", check_full=5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
