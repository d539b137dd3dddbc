"""Tapio decoupling states and joint-change classes.

States and elasticity boundaries: Tapio, P. (2005) "Towards a theory of decoupling", Transport
Policy 12(2): 137-151, Fig. 2 / Table 2 (eight degrees of decoupling, e = %ΔVOL/%ΔGDP, bands
0.8 and 1.2). Boundary and zero-change conventions are those documented in
cocontrol.metrics.decoupling (the paper gives open intervals).
"""

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.metrics.decoupling import decoupling, tapio_elasticity, tapio_state
from cocontrol.metrics.joint_change import classify_joint_change, joint_change_class

# (pct GDP, pct y, expected state)  — boundary table
CASES = [
    (0.10, -0.05, "strong_decoupling"),            # e = -0.5
    (0.10, 0.00, "strong_decoupling"),             # e = 0, growth with stable pressure
    (0.10, 0.05, "weak_decoupling"),               # e = 0.5
    (0.10, 0.0799, "weak_decoupling"),             # e = 0.799
    (0.10, 0.08, "expansive_coupling"),            # e = 0.8 exactly (float 0.7999999999999999)
    (0.10, 0.10, "expansive_coupling"),            # e = 1
    (0.10, 0.12, "expansive_coupling"),            # e = 1.2 exactly (closed band)
    (0.10, 0.1201, "expansive_negative_decoupling"),
    (-0.10, 0.05, "strong_negative_decoupling"),   # e = -0.5
    (-0.10, 0.00, "strong_negative_decoupling"),   # e = 0, recession with stable pressure
    (-0.10, -0.05, "weak_negative_decoupling"),    # e = 0.5
    (-0.10, -0.08, "recessive_coupling"),          # e = 0.8
    (-0.10, -0.12, "recessive_coupling"),          # e = 1.2
    (-0.10, -0.20, "recessive_decoupling"),        # e = 2
    (0.0, -0.05, "strong_decoupling"),             # no growth, pressure falls (e = -inf)
    (0.0, 0.05, "strong_negative_decoupling"),     # no growth, pressure rises
    (0.0, 0.0, "no_change"),
    (np.nan, 0.1, "undefined"),
]


@pytest.mark.parametrize("px,py,state", CASES)
def test_tapio_state_table(px, py, state):
    assert tapio_state(px, py)[()] == state


def test_configurable_boundaries():
    # with a band [0.5, 1.5], e = 0.6 is coupling and e = 1.4 too
    assert tapio_state(0.1, 0.06, lower=0.5, upper=1.5)[()] == "expansive_coupling"
    assert tapio_state(0.1, 0.14, lower=0.5, upper=1.5)[()] == "expansive_coupling"
    with pytest.raises(ValueError):
        tapio_state(0.1, 0.1, lower=1.3, upper=1.2)


def test_elasticity_hand_calculation_and_table():
    # GDP 100 -> 120 (+20 %), CO2 50 -> 55 (+10 %): e = 0.5, weak decoupling.
    px, py, e = tapio_elasticity(100, 120, 50, 55)
    assert px == pytest.approx(0.2) and py == pytest.approx(0.1) and e == pytest.approx(0.5)
    _, _, e = tapio_elasticity(100, 100, 50, 45)
    assert e == -np.inf
    df = pd.DataFrame({"region": ["A"] * 3 + ["B"] * 3, "year": [2010, 2015, 2020] * 2,
                       "GDP": [100, 120, 150, 100, 90, 80], "CO2": [50, 55, 50, 40, 30, 30]})
    out = decoupling(df, x="GDP", y="CO2")
    assert list(out["state"]) == ["weak_decoupling", "strong_decoupling",
                                  "recessive_decoupling", "strong_negative_decoupling"]
    # B 2010-2015: GDP -10 %, CO2 -25 %: e = 2.5 > 1.2 -> recessive decoupling
    assert out.iloc[2]["elasticity"] == pytest.approx(2.5)
    one = decoupling(df, base=2010, end=2020, lang="zh")
    assert list(one["state_label"]) == ["强脱钩", "衰退脱钩"]
    assert list(one["base_year"]) == [2010, 2010]


def test_pollutant_vs_co2_and_missing_column():
    df = pd.DataFrame({"region": "A", "year": [2015, 2020], "CO2": [100, 90], "SO2": [10, 5]})
    out = decoupling(df, x="CO2", y="SO2")
    # both fall; e = (-50 %)/(-10 %) = 5 -> recessive decoupling
    assert out.iloc[0]["state"] == "recessive_decoupling"
    with pytest.raises(InputError) as e:
        decoupling(df, x="GDP", y="SO2", file="x.csv")
    assert e.value.problems[0].column == "GDP" and e.value.problems[0].file == "x.csv"
    with pytest.raises(InputError, match="not in the table"):
        decoupling(df, x="CO2", y="SO2", base=2010, end=2020)


def test_zero_base_is_undefined():
    df = pd.DataFrame({"region": "A", "year": [2015, 2020], "GDP": [0, 5], "CO2": [1, 2]})
    assert decoupling(df).iloc[0]["state"] == "undefined"


def test_joint_change_classes_and_zero_convention():
    dc = [-1, 1, -1, 1, 0, 0, -1]
    dp = [-1, -1, 1, 1, 0, -1, 0]
    assert list(joint_change_class(dc, dp)) == [
        "co_reduction", "pollution_only", "carbon_only", "co_increase",
        "co_increase", "pollution_only", "carbon_only"]
    # with a 5 % tolerance a -2 % change is not a reduction
    assert joint_change_class(-2, -10, 100, 100, tol=0.05)[()] == "pollution_only"
    df = pd.DataFrame({"region": ["A", "A", "B", "B"], "year": [2015, 2020] * 2,
                       "CO2": [100, 90, 100, 110], "PM2.5": [50, 40, 50, 45]})
    out = classify_joint_change(df, 2015, 2020, lang="zh")
    assert list(out["class"]) == ["co_reduction", "pollution_only"]
    assert out.iloc[0]["class_label"] == "协同减排"
    assert out.iloc[1]["pct_pollutant"] == pytest.approx(-0.1)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_finite = st.floats(-0.99, 5.0).filter(lambda v: abs(v) > 1e-6)


@given(_finite, _finite)
def test_property_state_consistent_with_signs_and_elasticity(px, py):
    # Tapio (2005) Fig. 2: the state is fixed by the signs of the changes and by e vs 0.8/1.2.
    s = tapio_state(px, py)[()]
    e = py / px
    if px > 0 and py < 0:
        assert s == "strong_decoupling"
    elif px < 0 and py > 0:
        assert s == "strong_negative_decoupling"
    elif px > 0:
        exp = ("weak_decoupling" if e < 0.8 * (1 - 1e-9) else
               "expansive_negative_decoupling" if e > 1.2 * (1 + 1e-9) else None)
        assert s == exp if exp else s in ("expansive_coupling", "weak_decoupling",
                                          "expansive_negative_decoupling")
    else:
        exp = ("weak_negative_decoupling" if e < 0.8 * (1 - 1e-9) else
               "recessive_decoupling" if e > 1.2 * (1 + 1e-9) else None)
        assert s == exp if exp else s in ("recessive_coupling", "weak_negative_decoupling",
                                          "recessive_decoupling")


def test_single_series_without_region_column():
    df = pd.DataFrame({"year": [2015, 2020], "GDP": [100.0, 110.0], "CO2": [10.0, 10.5]})
    out = decoupling(df, region_col=None)
    assert "region" not in out.columns
    assert out.iloc[0]["elasticity"] == pytest.approx(0.5)
