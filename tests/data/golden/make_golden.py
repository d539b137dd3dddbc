"""Write the golden regression baselines of the demo city (see README.md in this folder).

Run from the repository root: ``.venv/bin/python tests/data/golden/make_golden.py``.
Only re-run it after a DELIBERATE change of results (factor semantics, a bug fix), and say
so in the commit message; a speed-up must never need it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEMO = ROOT / "examples" / "demo-city"


def inventory_frame() -> pd.DataFrame:
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    inv = compute(load_project(DEMO))
    parts = []
    for scope in (1, 2):
        a = inv.aggregate(["district", "sector"], scope=scope, unit="t")
        a = a[a["value"] != 0].assign(scope=scope)
        parts.append(a[["scope", "district", "sector", "species", "year", "value"]])
    return pd.concat(parts, ignore_index=True)


def scenario_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from cocontrol.scenario import costs, marginal_effects, prepare, run, totals

    base = prepare(DEMO)
    tot, eff = [], []
    for name in base.scenarios:
        r = run(base, name)
        for scope in (1, 2):
            t = totals(r, scope=scope).stack().rename("value").reset_index()
            t.columns = ["species", "year", "value"]
            tot.append(t.assign(scenario=name, scope=scope))
        c = costs(base, r)
        if len(c):
            c = c.groupby(["measure", "year"], as_index=False)[
                ["affected", "energy_cost_change_yuan", "cost_yuan"]].sum()
            eff.append(c.assign(scenario=name))
    tot = pd.concat(tot, ignore_index=True)[["scenario", "scope", "species", "year", "value"]]
    eff = pd.concat(eff, ignore_index=True)
    me = marginal_effects(base, "policy")
    me = me[me["reduction_t"] != 0].reset_index(drop=True)
    return tot, eff, me


def optimisation_frame() -> tuple[pd.DataFrame, dict]:
    from cocontrol.optimize.runner import run_project

    res = run_project(DEMO)
    plan = res.plan
    pen = plan.penetrations()
    pen = pen[pen["penetration"] != 0].reset_index(drop=True)
    summary = {"lp_status": str(plan.lp.status), "converged": bool(plan.converged),
               "cost_pv_yuan": float(plan.cost_pv),
               "co2_t": [float(x) for x in np.asarray(plan.co2)],
               "pm25_ugm3": None if plan.pm25 is None else
               [float(x) for x in np.asarray(plan.pm25)],
               "feasible": res.infeasible is None}
    return pen, summary


def main() -> None:
    commit = sys.argv[1] if len(sys.argv) > 1 else "unknown"
    inventory_frame().to_csv(HERE / "demo_inventory.csv", index=False, float_format="%.17g")
    tot, eff, me = scenario_frames()
    tot.to_csv(HERE / "demo_scenario_totals.csv", index=False, float_format="%.17g")
    eff.to_csv(HERE / "demo_scenario_costs.csv", index=False, float_format="%.17g")
    me.to_csv(HERE / "demo_marginal_policy.csv", index=False, float_format="%.17g")
    pen, summary = optimisation_frame()
    pen.to_csv(HERE / "demo_optimisation_plan.csv", index=False, float_format="%.17g")
    summary["commit"] = commit
    (HERE / "demo_optimisation.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
