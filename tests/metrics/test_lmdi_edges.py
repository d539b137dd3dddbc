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

from cocontrol.metrics.lmdi import CO2_FACTORS, decompose_co2, lmdi, lmdi_terms, log_mean


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
