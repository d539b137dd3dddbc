"""LMDI-I (metrics/lmdi.py): cases where planted bugs survived (make mutate): L(0, 0), one
sub-category given as 1-D factor vectors, absent sub-categories, the default of one period
row, the chained rows (end year, multiplicative total and closure) and a city table without
regions. Formulas: Ang (2005) Energy Policy 33: 867-871, Table 1; Ang (2015) Energy Policy 86:
233-238 (chaining); zero values per Ang & Liu (2007) Energy Policy 35: 238-246."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cocontrol.metrics.lmdi import (
    CO2_FACTORS,
    decompose_co2,
    lmdi,
    lmdi_terms,
    log_mean,
    to_long,
)


def test_log_mean_of_two_zeros_is_zero():
    assert log_mean(0.0, 0.0) == 0.0 and log_mean([0.0, 4.0], [0.0, 4.0]).tolist() == [0, 4]


@pytest.mark.parametrize("zero", ["limit", "delta"])
def test_one_sub_category_as_vectors_equals_one_row(zero):
    # V = x y: x 10 -> 20, y 2 -> 1.5; ΔV_x = L(30, 20) ln 2 (Ang 2005, Table 1)
    t1, v0, vt = lmdi_terms([10.0, 2.0], [20.0, 1.5], zero=zero)
    t2, _, _ = lmdi_terms([[10.0, 2.0]], [[20.0, 1.5]], zero=zero)
    assert t1.tolist() == pytest.approx(t2[0].tolist())
    assert t1[0] == pytest.approx(10 / math.log(1.5) * math.log(2))
    assert float(v0) == pytest.approx(20.0) and float(vt) == pytest.approx(30.0)


def test_absent_sub_category_contributes_plus_zero():
    t, _, _ = lmdi_terms([[0.0, 3.0], [1.0, 1.0]], [[0.0, 5.0], [2.0, 1.0]])
    assert t[0].tolist() == [0.0, 0.0] and not np.signbit(t[0]).any()


D = pd.DataFrame({"region": "A", "year": [2000, 2001, 2002, 2003],
                  "x": [1.0, 2.0, 2.5, 3.0], "y": [5.0, 4.0, 4.5, 3.0]})


def test_default_is_one_period_row_per_group():
    res = lmdi(D, ["x", "y"])
    assert res["kind"].tolist() == ["period"]
    assert res[["start", "end"]].values.tolist() == [[2000, 2003]]


def test_chained_rows_span_first_to_last_year_with_exact_closure():
    add = lmdi(D, ["x", "y"], chained=True)
    ch = add[add.kind == "chained"].iloc[0]
    assert (ch["start"], ch["end"]) == (2000, 2003)
    mul = lmdi(D, ["x", "y"], chained=True, mode="multiplicative")
    mc = mul[mul.kind == "chained"].iloc[0]
    # V 5 -> 9: D_tot = 9/5; Π D_k / D_tot - 1 = 0 (Ang 2015: chained multiplicative)
    assert mc["total"] == pytest.approx(9.0 / 5.0)
    assert mc["closure_error"] == pytest.approx(0.0, abs=1e-12)
    assert (mc["start"], mc["end"]) == (2000, 2003)


def test_co2_decomposition_of_a_city_without_regions():
    # one sector, one fuel: output 100 -> 150, energy 50 -> 60, CO2 130 -> 156 (EF 2.6 t/tce)
    df = pd.DataFrame({"year": [2005, 2010], "sector": "industry", "fuel": "coal",
                       "output": [100.0, 150.0], "energy": [50.0, 60.0], "CO2": [130.0, 156.0]})
    r = decompose_co2(df, region_col=None).iloc[0]
    L = (156 - 130) / math.log(156 / 130)
    assert r["activity"] == pytest.approx(L * math.log(1.5))
    assert r["intensity"] == pytest.approx(L * math.log(0.4 / 0.5))
    assert sum(r[f] for f in CO2_FACTORS) == pytest.approx(26.0)


def test_log_mean_with_one_zero_is_zero_even_against_infinity():
    # L(0, b) = 0 for every b (module docstring, Ang 2005 Table 1 convention)
    assert log_mean(0.0, np.inf) == 0.0 and log_mean(np.inf, 0.0) == 0.0


def test_factor_undefined_in_both_years_is_a_ratio_of_one():
    # V = x y with y = NaN (0/0) in both years: y counts as 1, V 2 -> 4, all of ΔV on x
    t, v0, vt = lmdi_terms([[2.0, np.nan]], [[4.0, np.nan]])
    assert (float(v0[0]), float(vt[0])) == (2.0, 4.0)
    assert t[0].tolist() == pytest.approx([2.0, 0.0])


def test_unchanged_total_with_offsetting_factors_uses_L_of_V_V():
    # x 2 -> 4, y 5 -> 2.5: V = 10 in both years, L(10, 10) = 10 (Ang 2005, Table 1), so
    # ΔV_x = 10 ln 2 and ΔV_y = 10 ln 0.5
    t, _, _ = lmdi_terms([[2.0, 5.0]], [[4.0, 2.5]])
    assert t[0].tolist() == pytest.approx([10 * math.log(2), 10 * math.log(0.5)], rel=1e-12)


def test_tiny_change_still_closes_exactly():
    # Σ ln ratios = 1.5e-10, just above the 1e-10 switch to (V0 + VT)/2: the terms must still
    # sum to VT - V0 to rounding (module docstring "Exactness"); (V0 + VT)/2 would leave a
    # residual of ~3e-7 of the change
    x0 = np.array([[3.0, 7.0]])
    xt = np.array([[3.0 * (1 + 1.5e-10), 7.0]])
    t, v0, vt = lmdi_terms(x0, xt)
    assert abs(t.sum() - (vt - v0)[0]) <= 1e-12 * abs((vt - v0)[0])


def test_chained_multiplicative_over_one_period_and_two_regions():
    # two years: the chained row equals the one period (D_tot = V^T/V^0); region B: V 4 -> 2
    two = pd.concat([D[D.year <= 2001], D[D.year <= 2001].assign(region="B", x=[2.0, 1.0],
                                                                  y=[2.0, 2.0])])
    mul = lmdi(two, ["x", "y"], chained=True, mode="multiplicative")
    ch = mul[mul.kind == "chained"].set_index("region")
    assert ch["total"].to_dict() == pytest.approx({"A": 8.0 / 5.0, "B": 0.5})
    assert ch.loc["B", "x"] == pytest.approx(0.5) and ch.loc["B", "y"] == pytest.approx(1.0)


def test_to_long_without_attrs_takes_the_factor_columns():
    res = lmdi(D, ["x", "y"])
    res.attrs.clear()
    long = to_long(res)
    assert sorted(long["factor"].unique()) == ["x", "y"]
    assert long.set_index("factor")["effect"].to_dict() == pytest.approx(
        {"x": res.iloc[0]["x"], "y": res.iloc[0]["y"]})


def test_delta_strategy_returns_the_replaced_products():
    # zero="delta": zeros replaced by δ (Ang & Liu 2007), V0 and VT are the products of the
    # replaced factors, one per sub-category
    _, v0, vt = lmdi_terms([[2.0, 3.0], [4.0, 0.0]], [[2.0, 6.0], [4.0, 5.0]], zero="delta",
                           delta=1e-20)
    assert v0.tolist() == pytest.approx([6.0, 4e-20]) and vt.tolist() == pytest.approx(
        [12.0, 20.0])


def test_sector_output_equal_within_the_tolerance_is_accepted():
    from cocontrol.metrics.lmdi import _sector_table

    # outputs 0 and 1e-9 on two fuel rows: a spread of exactly 1e-9 × max(1, |Q|) is allowed
    df = pd.DataFrame({"year": [2005, 2005], "sector": "s", "fuel": ["a", "b"],
                       "output": [0.0, 1e-9]})
    assert len(_sector_table(df, None, "year", "sector", "fuel", "output", "<t>")) == 1


def test_emission_above_generated_names_the_first_row_beyond_the_tolerance():
    from cocontrol.errors import InputError
    from cocontrol.metrics.lmdi import pollutant_identity

    # row a: 5e-7 t above 1000 t generated (within 1e-9 relative: accepted); row b: 1.5e-12 t
    # emitted from 0 generated (above the 1e-12 t absolute tolerance): the error names b
    df = pd.DataFrame({"year": 2005, "sector": "s", "fuel": ["a", "b"], "output": 10.0,
                       "energy": [5.0, 5.0], "emission": [1000 + 5e-7, 1.5e-12],
                       "generated": [1000.0, 0.0]})
    with pytest.raises(InputError) as e:
        pollutant_identity(df, region_col=None)
    assert e.value.problems[0].value[:2] == ("s", "b")
