"""LMDI-I decomposition tests.

Formulas: Ang (2005) "The LMDI approach to decomposition analysis: a practical guide", Energy
Policy 33: 867-871, Table 1 (LMDI-I additive and multiplicative); Ang (2015) "LMDI decomposition
approach: a guide for implementation", Energy Policy 86: 233-238 (Table 2, chaining).
Zero values: Ang, Zhang & Choi (1998) Energy 23: 489-495, Table 2 cases, generalised by Ang & Liu
(2007) "Handling zero values in the LMDI decomposition approach", Energy Policy 35: 238-246.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cocontrol.errors import InputError
from cocontrol.metrics.lmdi import (
    CO2_FACTORS,
    decompose_co2,
    decompose_pollutant,
    lmdi,
    lmdi_terms,
    log_mean,
    to_long,
)


def test_log_mean_definition_and_limits():
    # L(a,b) = (a-b)/(ln a - ln b) (Ang 2004, eq. in Table 1 of Ang 2005); L(a,a)=a; L(a,0)=0
    assert log_mean(30, 20) == pytest.approx(10 / math.log(1.5), rel=1e-14)
    assert log_mean(20, 30) == pytest.approx(10 / math.log(1.5), rel=1e-14)
    assert log_mean(7, 7) == 7
    assert log_mean(7, 7 * (1 + 1e-12)) == pytest.approx(7, rel=1e-11)
    assert log_mean(0, 5) == 0 and log_mean(5, 0) == 0
    # the logarithmic mean lies between the geometric and arithmetic means
    a, b = 3.0, 12.0
    assert math.sqrt(a * b) < log_mean(a, b) < (a + b) / 2


def test_two_factor_hand_calculation_additive_and_multiplicative():
    # Hand calculation: V = x*y, x 10 -> 20, y 2 -> 1.5, V 20 -> 30.
    # L(30,20) = 10/ln 1.5 = 24.66303462; ΔV_x = L ln 2 = 17.09511; ΔV_y = L ln 0.75 = -7.09511
    df = pd.DataFrame({"region": ["A", "A"], "year": [2000, 2010], "x": [10, 20], "y": [2, 1.5]})
    add = lmdi(df, ["x", "y"]).iloc[0]
    L = 10 / math.log(1.5)
    assert add["x"] == pytest.approx(L * math.log(2), rel=1e-12)
    assert add["x"] == pytest.approx(17.0951129, abs=1e-6)
    assert add["y"] == pytest.approx(L * math.log(0.75), rel=1e-12)
    assert add["total"] == pytest.approx(10)
    mul = lmdi(df, ["x", "y"], mode="multiplicative").iloc[0]
    # one sub-category: D_x = x^T/x^0 exactly
    assert mul["x"] == pytest.approx(2.0, rel=1e-12)
    assert mul["y"] == pytest.approx(0.75, rel=1e-12)
    assert mul["total"] == pytest.approx(1.5)


def test_two_sector_three_factor_hand_calculation():
    # Energy E = Q * S_i * I_i (activity, structure, intensity; the 3-factor case of Ang 2005
    # section 3). Year 0: Q=100, S=(0.6,0.4), I=(2,1) -> E_i=(120,40), E=160.
    # Year T: Q=150, S=(0.5,0.5), I=(1.8,1.2) -> E_i=(135,90), E=225.
    rows = []
    for yr, q, s, it in [(0, 100, (0.6, 0.4), (2, 1)), (1, 150, (0.5, 0.5), (1.8, 1.2))]:
        for i in range(2):
            rows.append({"year": yr, "sector": f"s{i}", "Q": q, "S": s[i], "I": it[i]})
    df = pd.DataFrame(rows)
    res = lmdi(df, ["Q", "S", "I"], group_cols=[], sub_cols=["sector"]).iloc[0]
    L1 = (135 - 120) / math.log(135 / 120)
    L2 = (90 - 40) / math.log(90 / 40)
    exp_q = L1 * math.log(1.5) + L2 * math.log(1.5)
    exp_s = L1 * math.log(0.5 / 0.6) + L2 * math.log(0.5 / 0.4)
    exp_i = L1 * math.log(0.9) + L2 * math.log(1.2)
    assert res["Q"] == pytest.approx(exp_q, rel=1e-12)
    assert res["S"] == pytest.approx(exp_s, rel=1e-12)
    assert res["I"] == pytest.approx(exp_i, rel=1e-12)
    assert res["Q"] + res["S"] + res["I"] == pytest.approx(65, rel=1e-12)
    mul = lmdi(df, ["Q", "S", "I"], group_cols=[], sub_cols=["sector"],
               mode="multiplicative").iloc[0]
    Lt = (225 - 160) / math.log(225 / 160)
    assert mul["Q"] == pytest.approx(math.exp(exp_q / Lt), rel=1e-12)
    assert mul["Q"] * mul["S"] * mul["I"] == pytest.approx(225 / 160, rel=1e-12)


def test_zero_cases_of_ang_zhang_choi_1998_table2():
    # Case 1: V^0 = 0, V^T > 0 because x^0 = 0 -> ΔV_x = V^T, other factors 0.
    t, v0, vt = lmdi_terms(np.array([[0.0, 3.0]]), np.array([[2.0, 5.0]]))
    assert list(t[0]) == [10.0, 0.0] and v0[0] == 0 and vt[0] == 10
    # Case 2: V^0 > 0, V^T = 0 because x^T = 0 -> ΔV_x = -V^0.
    t, *_ = lmdi_terms(np.array([[2.0, 3.0]]), np.array([[2.0, 0.0]]))
    assert list(t[0]) == [0.0, -6.0]
    # Both zero -> 0
    t, *_ = lmdi_terms(np.array([[0.0, 3.0]]), np.array([[0.0, 4.0]]))
    assert list(t[0]) == [0.0, 0.0]
    # Two factors zero at once: the delta-limit (same delta) splits V^T equally.
    t, *_ = lmdi_terms(np.array([[0.0, 0.0, 4.0]]), np.array([[2.0, 3.0, 4.0]]))
    assert list(t[0]) == [12.0, 12.0, 0.0]


def test_undefined_ratio_is_held_constant():
    # A fuel appears: fuel share 0 -> 0.2, emission factor undefined (0/0) in year 0 -> the whole
    # change goes to the fuel-mix factor (documented convention).
    t, v0, vt = lmdi_terms(np.array([[100.0, 0.0, np.nan]]), np.array([[100.0, 0.2, 2.5]]))
    assert list(t[0]) == [0.0, 50.0, 0.0]


def test_delta_strategy_converges_to_limit():
    # Ang & Liu (2007): the small-value strategy converges to the analytical limits as δ -> 0.
    x0 = np.array([[0.0, 3.0], [1.0, 2.0]])
    xt = np.array([[2.0, 5.0], [1.5, 2.5]])
    lim, *_ = lmdi_terms(x0, xt)
    errs = []
    for d in (1e-5, 1e-10, 1e-20, 1e-40):
        t, *_ = lmdi_terms(x0, xt, zero="delta", delta=d)
        errs.append(np.abs(t - lim).max())
    assert errs == sorted(errs, reverse=True)
    # convergence is only ~1/ln(1/δ) (Wood & Lenzen 2006, Energy Policy 34: 1326-1331), which is
    # why the analytical limits are the default
    assert errs[-1] < 0.2 * errs[0]


def _closure_ok(res, mode):
    if mode == "additive":
        # relative to the size of the numbers involved (V and the terms; a chained total can be
        # 0 while the yearly terms are not)
        terms = res.drop(columns=["kind", "start", "end", "V_start", "V_end", "total",
                                  "closure_error"]).abs().sum(axis=1)
        scale = np.maximum(np.maximum(np.abs(res["V_start"]), np.abs(res["V_end"])), terms)
        # a chained row sums yearly terms: its rounding error scales with the yearly values
        # (e.g. V = 0, 1, 0.0625, 0 gives a chained total 0 from terms ±1), so use the largest
        # V of the decomposition as a floor
        vmax = float(np.maximum(np.abs(res["V_start"]), np.abs(res["V_end"])).max())
        scale = np.maximum(scale, vmax) + 1e-300
        assert (np.abs(res["closure_error"]) <= 1e-9 * scale).all()
    else:
        ok = res["total"].notna()
        assert (np.abs(res.loc[ok, "closure_error"]) <= 1e-9).all()


@st.composite
def panels(draw):
    n_sub = draw(st.integers(1, 4))
    n_years = draw(st.integers(2, 4))
    k = draw(st.integers(1, 4))
    vals = draw(arrays(np.float64, (n_sub, n_years, k),
                       elements=st.one_of(st.just(0.0), st.floats(1e-3, 1e3))))
    return vals


@settings(max_examples=150, deadline=None)
@given(panels())
def test_property_exact_closure_with_zeros(vals):
    n_sub, n_years, k = vals.shape
    rows = []
    for i in range(n_sub):
        for y in range(n_years):
            rows.append({"sub": i, "year": 2000 + y, **{f"f{j}": vals[i, y, j] for j in range(k)}})
    df = pd.DataFrame(rows)
    factors = [f"f{j}" for j in range(k)]
    for chained in (False, True):
        add = lmdi(df, factors, group_cols=[], sub_cols=["sub"], chained=chained)
        _closure_ok(add, "additive")
        v = np.prod(vals, axis=2).sum(axis=0)
        last = add.iloc[-1]
        assert last["total"] == pytest.approx(v[-1] - v[0], abs=1e-9 * max(1, abs(v).max()))
        mul = lmdi(df, factors, group_cols=[], sub_cols=["sub"], chained=chained,
                   mode="multiplicative")
        _closure_ok(mul, "multiplicative")


def test_chained_additive_equals_sum_of_periods():
    df = pd.DataFrame({"region": "A", "year": [2000, 2001, 2002, 2003],
                       "x": [1.0, 2.0, 2.5, 3.0], "y": [5.0, 4.0, 4.5, 3.0]})
    res = lmdi(df, ["x", "y"], chained=True)
    per = res[res.kind == "period"]
    ch = res[res.kind == "chained"].iloc[0]
    assert len(per) == 3
    assert ch["x"] == pytest.approx(per["x"].sum())
    assert ch["total"] == pytest.approx(9.0 - 5.0)
    mul = lmdi(df, ["x", "y"], chained=True, mode="multiplicative")
    per = mul[mul.kind == "period"]
    assert mul.iloc[-1]["x"] == pytest.approx(per["x"].prod())
    assert mul.iloc[-1]["x"] * mul.iloc[-1]["y"] == pytest.approx(9.0 / 5.0)


def _co2_table():
    # Illustrative city with two sectors, two fuels; gas appears in 2010 in industry.
    rows = [
        # region, year, sector, fuel, output (1e8 yuan), energy (tce), CO2 (t)
        ("A", 2005, "industry", "coal", 100, 50, 130),
        ("A", 2005, "services", "coal", 50, 10, 26),
        ("A", 2010, "industry", "coal", 150, 55, 143),
        ("A", 2010, "industry", "gas", 150, 10, 16),
        ("A", 2010, "services", "coal", 80, 12, 31.2),
        ("B", 2005, "industry", "coal", 40, 20, 52),
        ("B", 2010, "industry", "coal", 40, 16, 41.6),
    ]
    return pd.DataFrame(rows, columns=["region", "year", "sector", "fuel", "output", "energy",
                                       "CO2"])


def test_co2_identity_closure_and_new_fuel_attribution():
    res = decompose_co2(_co2_table())
    a = res.set_index("region").loc["A"]
    assert a["total"] == pytest.approx(143 + 16 + 31.2 - 130 - 26)
    assert sum(a[f] for f in CO2_FACTORS) == pytest.approx(a["total"], rel=1e-12)
    b = res.set_index("region").loc["B"]
    # region B: only energy intensity changed (output constant, one sector, one fuel, same EF)
    assert b["intensity"] == pytest.approx(41.6 - 52, rel=1e-12)
    for f in ("activity", "structure", "fuel_mix", "emission_factor"):
        assert b[f] == pytest.approx(0.0, abs=1e-12)
    # emission factor of coal unchanged (2.6 t/tce) and gas has no year-0 value: no EF effect
    assert a["emission_factor"] == pytest.approx(0.0, abs=1e-9)
    mul = decompose_co2(_co2_table(), mode="multiplicative").set_index("region")
    assert np.prod([mul.loc["A", f] for f in CO2_FACTORS]) == pytest.approx(
        190.2 / 156, rel=1e-12)
    long = to_long(res, lang="zh")
    assert set(long["label"]) >= {"经济规模效应", "能源结构效应"}


def test_pollutant_identity_end_of_pipe():
    # Same activity and energy; SO2 removal rises from 50 % to 90 %: only the end-of-pipe effect.
    df = pd.DataFrame({
        "region": "A", "year": [2015, 2020], "sector": "power", "fuel": "coal",
        "output": [10.0, 10.0], "energy": [100.0, 100.0],
        "generated": [20.0, 20.0], "emission": [10.0, 2.0]})
    res = decompose_pollutant(df).iloc[0]
    assert res["end_of_pipe"] == pytest.approx(-8.0, rel=1e-12)
    assert res["total"] == pytest.approx(-8.0)
    res2 = decompose_pollutant(df.drop(columns="generated").assign(removal=[0.5, 0.9]),
                               generated_col=None, removal_col="removal").iloc[0]
    assert res2["end_of_pipe"] == pytest.approx(-8.0, rel=1e-12)


def test_bad_inputs_are_reported_with_location():
    df = pd.DataFrame({"region": "A", "year": [2000, 2010], "x": [1.0, -2.0], "y": [1.0, 1.0]})
    with pytest.raises(InputError) as e:
        lmdi(df, ["x", "y"], file="t.csv")
    p = e.value.problems[0]
    assert p.file == "t.csv" and p.row == 3 and p.column == "x"
    with pytest.raises(InputError, match="'z' is missing"):
        lmdi(df, ["x", "z"])
    df = pd.DataFrame({"region": "A", "year": [2000, 2010], "x": [1.0, np.nan], "y": [1.0, 1.0]})
    with pytest.raises(InputError, match="empty"):
        lmdi(df, ["x", "y"])
    t = _co2_table()
    t.loc[1, "energy"] = 0  # CO2 without energy
    with pytest.raises(InputError, match="process"):
        decompose_co2(t)


def test_missing_row_and_multiple_group_columns():
    df = pd.DataFrame({"scenario": ["base"] * 3 + ["policy"] * 4,
                       "region": "A",
                       "sector": ["s1", "s1", "s2", "s1", "s1", "s2", "s2"],
                       "year": [2020, 2030, 2020, 2020, 2030, 2020, 2030],
                       "x": [1.0, 2.0, 1.0, 1.0, 1.5, 2.0, 1.0]})
    with pytest.raises(InputError, match="no row for"):
        lmdi(df, ["x"], group_cols=["scenario", "region"], sub_cols=["sector"])
    ok = df[df.sector == "s1"]
    res = lmdi(ok, ["x"], group_cols=["scenario", "region"], sub_cols=["sector"])
    assert list(res["scenario"]) == ["base", "policy"]
    assert list(res["x"]) == pytest.approx([1.0, 0.5])


def test_base_end_subperiod_and_duplicate_rows():
    df = pd.DataFrame({"region": "A", "year": [2000, 2005, 2010], "x": [1.0, 2.0, 4.0]})
    res = lmdi(df, ["x"], base=2005, end=2010)
    assert res.iloc[0]["total"] == pytest.approx(2.0)
    with pytest.raises(InputError, match="not in the table"):
        lmdi(df, ["x"], base=2001)
    dup = pd.concat([df, df.iloc[[0]]])
    with pytest.raises(InputError, match="duplicate"):
        lmdi(dup, ["x"])
