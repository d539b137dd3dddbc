"""Coupling coordination degree: hand calculations of the published formulas.

Original model: C = 2 sqrt(u1 u2)/(u1 + u2), T = a u1 + b u2, D = sqrt(C T) (normative two-system
form as restated by Wang Shujia et al. 2021, 自然资源学报 36(3): 793-810, section 1).
Corrected model: Wang Shujia et al. (2021), ibid., modified coupling degree
C = sqrt([1 - sqrt((u2-u1)^2)] * (u1/max u) * (u2/max u)) for n = 2.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cocontrol.errors import InputError
from cocontrol.metrics import coupling_coordination
from cocontrol.metrics.coupling import grade_coordination


def test_original_hand_calculation():
    # u1 = 0.4, u2 = 0.8: C = 2*sqrt(0.32)/1.2, T = 0.6, D = sqrt(C*T)
    r = coupling_coordination(0.4, 0.8).iloc[0]
    c = 2 * math.sqrt(0.32) / 1.2
    assert r["C"] == pytest.approx(0.9428090416, abs=1e-9)
    assert r["C"] == pytest.approx(c, rel=1e-12)
    assert r["T"] == pytest.approx(0.6, rel=1e-12)
    assert r["D"] == pytest.approx(math.sqrt(c * 0.6), rel=1e-12)
    assert r["D"] == pytest.approx(0.7521206186, abs=1e-9)
    assert r["grade"] == "intermediate coordination"


def test_corrected_hand_calculation():
    # Wang et al. 2021: (1 - |0.8-0.4|) * (0.4/0.8) * (0.8/0.8) = 0.6 * 0.5 * 1 = 0.3
    r = coupling_coordination(0.4, 0.8, formula="corrected").iloc[0]
    assert r["C"] == pytest.approx(math.sqrt(0.3), rel=1e-12)
    assert r["D"] == pytest.approx(math.sqrt(math.sqrt(0.3) * 0.6), rel=1e-12)
    assert r["D"] == pytest.approx(0.5732656, abs=1e-7)
    assert r["grade"] == "barely coordinated"


def test_corrected_removes_scale_invariance_of_original():
    # The criticism in Wang et al. (2021): the original C depends only on the ratio u1/u2, so
    # (0.1, 0.2) and (0.4, 0.8) couple equally; the corrected C also penalises the gap.
    o = coupling_coordination([0.1, 0.4], [0.2, 0.8])
    assert o["C"].iloc[0] == pytest.approx(o["C"].iloc[1], rel=1e-12)
    c = coupling_coordination([0.1, 0.4], [0.2, 0.8], formula="corrected")
    assert c["C"].iloc[0] == pytest.approx(math.sqrt(0.9 * 0.5), rel=1e-12)
    assert c["C"].iloc[0] > c["C"].iloc[1]


def test_equal_subsystems_full_coupling_and_weights():
    r = coupling_coordination([0.5], [0.5], alpha=0.3, beta=0.7, formula="corrected").iloc[0]
    assert r["C"] == pytest.approx(1.0)
    assert r["T"] == pytest.approx(0.5)
    assert r["D"] == pytest.approx(math.sqrt(0.5))
    r = coupling_coordination(0.2, 0.6, alpha=0.3, beta=0.7).iloc[0]
    assert r["T"] == pytest.approx(0.3 * 0.2 + 0.7 * 0.6)


def test_zero_and_nan_edge_cases():
    df = coupling_coordination([0.0, 0.0, np.nan], [0.0, 0.7, 0.3], formula="corrected")
    assert df["C"].iloc[0] == 0 and df["D"].iloc[0] == 0   # documented 0/0 -> 0
    assert df["C"].iloc[1] == 0                           # one subsystem absent -> no coupling
    assert np.isnan(df["D"].iloc[2]) and df["grade"].iloc[2] == ""
    df = coupling_coordination([0.0, 0.0], [0.0, 0.7])
    assert list(df["C"]) == [0.0, 0.0]


def test_series_index_kept_and_output_columns():
    u1 = pd.Series([0.2, 0.9], index=["A", "B"])
    df = coupling_coordination(u1, np.array([0.3, 0.9]))
    assert list(df.index) == ["A", "B"]
    assert list(df.columns) == ["u1", "u2", "C", "T", "D", "grade"]


def test_grade_boundaries_are_upper_closed():
    # Intervals (a, b] (Tian Shenzhen et al. 2021, 地理学报 76(4), Table 1); D = 0 lowest grade.
    g = grade_coordination([0.0, 0.1, 0.1000001, 0.5, 0.6, 1.0])
    assert list(g) == ["extreme imbalance", "extreme imbalance", "serious imbalance",
                       "on the verge of imbalance", "barely coordinated",
                       "high-quality coordination"]
    assert grade_coordination([0.95], lang="zh")[0] == "优质协调"


def test_bad_inputs():
    with pytest.raises(InputError, match="u2"):
        coupling_coordination(0.5, 1.5)
    with pytest.raises(InputError, match="sum to 1"):
        coupling_coordination(0.5, 0.5, alpha=0.6, beta=0.6)
    with pytest.raises(ValueError):
        coupling_coordination(0.5, 0.5, formula="other")


@given(st.floats(0, 1), st.floats(0, 1))
def test_bounds_property(u1, u2):
    for f in ("original", "corrected"):
        r = coupling_coordination(u1, u2, formula=f).iloc[0]
        assert 0 <= r["C"] <= 1 + 1e-12
        assert 0 <= r["D"] <= 1 + 1e-12
    # corrected never exceeds original (the gap term is <= 1 and min/max <= 2sqrt(ab)/(a+b))
    o = coupling_coordination(u1, u2).iloc[0]["C"]
    c = coupling_coordination(u1, u2, formula="corrected").iloc[0]["C"]
    assert c <= o + 1e-12
