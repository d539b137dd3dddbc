"""The derivation of a decoupling / LMDI number of an uploaded table
(:func:`cocontrol.report.derivation.decoupling_derivation`), against a hand calculation.

Tapio (2005, Transport Policy 12(2): 137-151, Fig. 2 and Table 2): e = %ΔCO2 / %ΔGDP; with
GDP 100 → 110 and CO2 50 → 51, %ΔGDP = 10/100 = 0.10, %ΔCO2 = 1/50 = 0.02, e = 0.2, and
0 < e < 0.8 with both changes positive is weak decoupling."""

from __future__ import annotations

import pandas as pd
import pytest

from cocontrol.errors import CocontrolError
from cocontrol.metrics import decoupling
from cocontrol.report.derivation import decoupling_derivation


def test_tapio_derivation_by_hand():
    table = pd.DataFrame({"region": ["A", "A"], "year": [2015, 2020],
                          "GDP": [100.0, 110.0], "CO2": [50.0, 51.0]})
    row = decoupling(table, x="GDP", y="CO2", file="hand.csv").iloc[0].to_dict()
    d = decoupling_derivation(row, "tapio", "hand.csv", x="GDP", y="CO2")
    assert d["file"] == "hand.csv" and (d["base_year"], d["end_year"]) == (2015, 2020)
    got = {i["name"]: (i["column"], i["year"], i["value"]) for i in d["inputs"]}
    assert got == {"x_base": ("GDP", 2015, 100.0), "x_end": ("GDP", 2020, 110.0),
                   "y_base": ("CO2", 2015, 50.0), "y_end": ("CO2", 2020, 51.0)}
    steps = {s["name"]: s for s in d["steps"]}
    assert steps["pct_x"]["value"] == pytest.approx(0.10, rel=1e-12)
    assert steps["pct_y"]["value"] == pytest.approx(0.02, rel=1e-12)
    assert steps["elasticity"]["value"] == pytest.approx(0.2, rel=1e-12)
    assert steps["pct_x"]["formula"] == "(x_end − x_base) / x_base"
    assert d["state"] == "weak_decoupling"
    assert d["rule"] == {"dx": ">0", "dy": ">0", "e": "0 < e < 0.8"}
    assert "Tapio" in d["source"] and "2005" in d["source"]


def test_lmdi_derivation_formula_and_totals():
    # one sector, one fuel: C = Q · 1 · (E/Q) · 1 · (C/E); Q 10 → 20, E 10 → 10, C 20 → 20
    # (Ang 2005, Table 1): L(20, 20) = 20, ΔC_activity = 20 ln 2, ΔC_intensity = 20 ln(1/2)
    import math

    from cocontrol.metrics import decompose_co2

    table = pd.DataFrame({"region": ["A", "A"], "year": [2010, 2015], "sector": ["i", "i"],
                          "fuel": ["coal", "coal"], "output": [10.0, 20.0],
                          "energy": [10.0, 10.0], "CO2": [20.0, 20.0]})
    row = decompose_co2(table, file="e.csv").iloc[0].to_dict()
    d = decoupling_derivation(row, "lmdi_co2", "e.csv")
    steps = {s["name"]: s for s in d["steps"]}
    assert steps["activity"]["value"] == pytest.approx(20 * math.log(2), rel=1e-12)
    assert steps["intensity"]["value"] == pytest.approx(-20 * math.log(2), rel=1e-12)
    assert steps["total"]["value"] == pytest.approx(0.0, abs=1e-9)
    assert "L(C_ij^T, C_ij^0)" in steps["activity"]["formula"]
    assert [i["value"] for i in d["inputs"]] == [20.0, 20.0]
    with pytest.raises(CocontrolError):
        decoupling_derivation(row, "other", "e.csv")


def test_lmdi_subcategory_terms_by_hand():
    # the same one-sector table: the sub-category's terms are 20 ln 2 (activity) and
    # 20 ln(1/2) (intensity), C^0 = C^T = 20 (Ang 2005, Table 1, L(20, 20) = 20)
    import math

    from cocontrol.metrics import decompose_co2
    from cocontrol.metrics.lmdi import co2_identity

    table = pd.DataFrame({"region": ["A", "A"], "year": [2010, 2015], "sector": ["i", "i"],
                          "fuel": ["coal", "coal"], "output": [10.0, 20.0],
                          "energy": [10.0, 10.0], "CO2": [20.0, 20.0]})
    row = decompose_co2(table, file="e.csv").iloc[0].to_dict()
    d = decoupling_derivation(row, "lmdi_co2", "e.csv", identity=co2_identity(table),
                              region_col="region")
    (sub,) = d["subs"]
    assert sub["key"] == "i · coal" and (sub["C0"], sub["CT"]) == (20.0, 20.0)
    assert (sub["x0"]["activity"], sub["xT"]["activity"]) == (10.0, 20.0)
    assert sub["terms"]["activity"] == pytest.approx(20 * math.log(2), rel=1e-12)
    assert sub["terms"]["intensity"] == pytest.approx(-20 * math.log(2), rel=1e-12)
    assert sub["terms"]["fuel_mix"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("co2_end", "state", "rule"), [
    # GDP 100 -> 100 (Δx = 0), CO2 50 -> 40 (Δy = -20 %): e = -0.2 / 0 = -inf, strong decoupling
    (40.0, "strong_decoupling", {"dx": "0", "dy": "<0", "e": "e = -inf"}),
    # CO2 50 -> 60 (Δy = +20 %): e = +inf, strong negative decoupling
    (60.0, "strong_negative_decoupling", {"dx": "0", "dy": ">0", "e": "e = +inf"}),
])
def test_tapio_rule_of_a_row_without_change_of_x(co2_end, state, rule):
    # the row's rule must be the one that holds for it: Δx = 0, not "Δx > 0" / "Δx < 0"
    table = pd.DataFrame({"region": ["A", "A"], "year": [2015, 2020],
                          "GDP": [100.0, 100.0], "CO2": [50.0, co2_end]})
    row = decoupling(table, x="GDP", y="CO2").iloc[0].to_dict()
    d = decoupling_derivation(row, "tapio", "t.csv", x="GDP", y="CO2")
    assert d["state"] == state and d["rule"] == rule
    # with Δx > 0 the general rule holds: GDP 100 -> 110, CO2 50 -> 40 (e = -0.2/0.1 = -2)
    table["GDP"] = [100.0, 110.0]
    row = decoupling(table, x="GDP", y="CO2").iloc[0].to_dict()
    general = {"strong_decoupling": {"dx": ">0", "dy": "<=0", "e": "e <= 0"},
               "strong_negative_decoupling": {"dx": ">0", "dy": ">0", "e": "e > 1.2"}}
    assert decoupling_derivation(row, "tapio", "t.csv", x="GDP", y="CO2")["rule"] == general[state]
