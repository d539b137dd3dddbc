"""Regression baselines of the demo city (tests/data/golden/README.md).

These pin no hand calculation: they guard that speed and memory work (issue 11) leaves every
result of the demo city unchanged — inventory by district × sector, scenario totals and
costs, marginal effects and the optimised plan — against files written by the code *before*
that work (commit named in the README). Tolerances allow only floating-point reordering.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "golden"
DEMO = ROOT / "examples" / "demo-city"
RTOL = 1e-9  # floating-point reordering only


def _compare(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], value_cols: list[str],
             rtol: float = RTOL, atol: float = 1e-6, zeros_omitted: bool = False) -> None:
    """Rows matched by key; with ``zeros_omitted`` the baseline lists non-zero cells only,
    so a missing row on either side means 0."""
    got = got.copy()
    for k in keys:  # CSV round trip: compare keys as text
        got[k] = got[k].astype(str)
        want[k] = want[k].astype(str)
    m = want.merge(got, on=keys, how="outer", suffixes=("_want", "_got"), indicator=True)
    if zeros_omitted:
        m = m.fillna({f"{c}_{w}": 0.0 for c in value_cols for w in ("want", "got")})
    else:
        only = m[m["_merge"] != "both"]
        assert only.empty, f"rows differ from the baseline:\n{only.head(20)}"
    for c in value_cols:
        np.testing.assert_allclose(m[f"{c}_got"].to_numpy(float), m[f"{c}_want"].to_numpy(float),
                                   rtol=rtol, atol=atol, err_msg=c)


@pytest.fixture(scope="module")
def golden():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_golden", GOLD / "make_golden.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_inventory_matches_baseline(golden):
    want = pd.read_csv(GOLD / "demo_inventory.csv")
    _compare(golden.inventory_frame(), want, ["scope", "district", "sector", "species", "year"],
             ["value"])


def test_scenarios_match_baseline(golden):
    tot, eff, me = golden.scenario_frames()
    _compare(tot, pd.read_csv(GOLD / "demo_scenario_totals.csv"),
             ["scenario", "scope", "species", "year"], ["value"])
    _compare(eff, pd.read_csv(GOLD / "demo_scenario_costs.csv"), ["scenario", "measure", "year"],
             ["affected", "energy_cost_change_yuan", "cost_yuan"])
    _compare(me, pd.read_csv(GOLD / "demo_marginal_policy.csv"), ["measure", "species", "year"],
             ["reduction_t"], atol=1e-5, zeros_omitted=True)


def test_optimisation_matches_baseline(golden):
    pen, summary = golden.optimisation_frame()
    want = json.loads((GOLD / "demo_optimisation.json").read_text())
    assert summary["feasible"] == want["feasible"]
    assert summary["lp_status"] == want["lp_status"]
    # an LP optimum is unique in value; compare the value and the engine's re-check
    np.testing.assert_allclose(summary["cost_pv_yuan"], want["cost_pv_yuan"], rtol=1e-6)
    np.testing.assert_allclose(summary["co2_t"], want["co2_t"], rtol=1e-6)
    np.testing.assert_allclose(summary["pm25_ugm3"], want["pm25_ugm3"], rtol=1e-6)
    _compare(pen, pd.read_csv(GOLD / "demo_optimisation_plan.csv"),
             ["measure", "region", "sector", "category", "year"], ["penetration"],
             rtol=1e-5, atol=1e-6)
