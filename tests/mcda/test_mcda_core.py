"""Tests of cocontrol.mcda against published worked examples and hand calculations.

Sources cited per test. Where a published table is quoted, the digits are the published
(rounded) values and the tolerance matches their rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cocontrol.errors import InputError
from cocontrol.mcda import (
    RANDOM_INDEX_SAATY,
    ahp_group,
    ahp_weights,
    combine_weights,
    critic_weights,
    entropy_weights,
    normalize,
    topsis,
    topsis_details,
    vikor,
)

# Hwang & Yoon (1981), "Multiple Attribute Decision Making", Springer, fighter-aircraft
# example (used throughout ch. III): 4 aircraft x 6 attributes: max speed (Mach), ferry range
# (NM), max payload (lb), acquisition cost ($10^6, cost), reliability and manoeuvrability
# (interval scale 3 = low ... 9 = very high). Weights w = (0.2, 0.1, 0.1, 0.1, 0.2, 0.3).
AIRCRAFT = pd.DataFrame(
    [[2.0, 1500, 20000, 5.5, 5, 9],
     [2.5, 2700, 18000, 6.5, 3, 5],
     [1.8, 2000, 21000, 4.5, 7, 7],
     [2.2, 1800, 20000, 5.0, 5, 5]],
    index=["A1", "A2", "A3", "A4"],
    columns=["speed", "range", "payload", "cost", "reliability", "manoeuvrability"],
)
AIRCRAFT_TYPES = [1, 1, 1, -1, 1, 1]
AIRCRAFT_W = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]

# Saaty (1977), J. Math. Psychol. 15, 234-281, "wealth of nations" example (also Saaty 1980,
# The Analytic Hierarchy Process, ch. 2): relative world influence of 7 nations.
NATIONS = ["US", "USSR", "China", "France", "UK", "Japan", "W.Germany"]
WEALTH = np.array([
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
])


# ----------------------------------------------------------------------------- AHP
def test_ahp_saaty_wealth_of_nations():
    """Saaty (1977/1980): eigenvector (.427, .230, .021, .052, .052, .123, .094),
    lambda_max = 7.61, CI = 0.10, CR = 0.08 (RI(7) = 1.32)."""
    res = ahp_weights(pd.DataFrame(WEALTH, index=NATIONS, columns=NATIONS))
    published = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]
    np.testing.assert_allclose(res.weights.to_numpy(), published, atol=6e-4)
    assert res.lambda_max == pytest.approx(7.61, abs=0.005)
    assert res.ci == pytest.approx(0.10, abs=0.005)
    assert res.cr == pytest.approx(0.08, abs=0.005)
    assert res.consistent
    assert list(res.weights.index) == NATIONS
    assert res.weights.sum() == pytest.approx(1.0)


def test_ahp_consistent_matrix_hand():
    """A perfectly consistent matrix a_ij = w_i / w_j returns w exactly, lambda_max = n,
    CR = 0 (Saaty 1980, Theorem: consistent <=> lambda_max = n)."""
    w = np.array([0.5, 0.25, 0.125, 0.125])
    a = w[:, None] / w[None, :]
    res = ahp_weights(a)
    np.testing.assert_allclose(res.weights.to_numpy(), w, atol=1e-12)
    assert res.lambda_max == pytest.approx(4.0)
    assert res.cr == pytest.approx(0.0, abs=1e-9)


def test_ahp_inconsistent_flagged():
    """Intransitive judgements A>B (9), B>C (9), C>A (9): CR far above 0.10, flagged."""
    a = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    res = ahp_weights(a)
    assert res.cr > 0.1 and not res.consistent


def test_ahp_random_index_table_saaty_1980():
    """Saaty (1980) RI for n = 3..10."""
    assert [RANDOM_INDEX_SAATY[n] for n in range(3, 11)] == [
        0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]


def test_ahp_rejects_non_reciprocal():
    with pytest.raises(InputError, match="reciprocal"):
        ahp_weights([[1, 3], [3, 1]])
    with pytest.raises(InputError, match="positive"):
        ahp_weights([[1, 0], [0, 1]])


def test_ahp_group_geometric_mean():
    """Aczél & Saaty (1983): group judgement = element-wise geometric mean. Two experts
    judging A vs B as 2 and 8 give sqrt(16) = 4 -> weights (0.8, 0.2)."""
    res = ahp_group([[[1, 2], [1 / 2, 1]], [[1, 8], [1 / 8, 1]]])
    assert res.matrix.iloc[0, 1] == pytest.approx(4.0)
    assert res.matrix.iloc[1, 0] == pytest.approx(0.25)
    np.testing.assert_allclose(res.weights.to_numpy(), [0.8, 0.2])


# ----------------------------------------------------------------------------- entropy
def test_entropy_weights_hwang_yoon_fighter_hand():
    """Entropy method of Hwang & Yoon (1981, pp. 52-54) on their fighter-aircraft matrix,
    recomputed step by step by hand: p_ij = x_ij / sum_i x_ij, e_j = -sum p ln p / ln 4.
    Column 'reliability' (5, 3, 7, 5): p = (.25, .15, .35, .25);
    e = -(2*.25 ln .25 + .15 ln .15 + .35 ln .35) / ln 4 = 0.970323."""
    p = np.array([0.25, 0.15, 0.35, 0.25])
    e_rel = -(p * np.log(p)).sum() / np.log(4)
    assert e_rel == pytest.approx(0.970323, abs=1e-6)
    w = entropy_weights(AIRCRAFT)
    x = AIRCRAFT.to_numpy(float)
    pp = x / x.sum(axis=0)
    e = -(pp * np.log(pp)).sum(axis=0) / np.log(4)
    np.testing.assert_allclose(w.to_numpy(), (1 - e) / (1 - e).sum(), rtol=1e-12)
    # rounded values of this calculation (4 d.p.)
    np.testing.assert_allclose(w.to_numpy(),
                               [0.0642, 0.2061, 0.0134, 0.0813, 0.3587, 0.2763], atol=1e-4)
    assert w.sum() == pytest.approx(1.0)


def test_entropy_matches_pymcdm_when_no_zeros():
    """pymcdm.weights.entropy_weights uses the same raw-sum form (without zeros)."""
    from pymcdm.weights import entropy_weights as pm_entropy
    np.testing.assert_allclose(entropy_weights(AIRCRAFT).to_numpy(),
                               pm_entropy(AIRCRAFT.to_numpy(float)), rtol=1e-10)


def test_entropy_constant_column_zero_weight_and_zero_log_convention():
    df = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [0.0, 1.0, 3.0]})
    w = entropy_weights(df)
    assert w["a"] == pytest.approx(0.0)
    assert w["b"] == pytest.approx(1.0)


def test_entropy_with_types_uses_minmax():
    df = pd.DataFrame({"a": [-1.0, 0.0, 2.0], "b": [5.0, 3.0, 1.0]})
    with pytest.raises(InputError):
        entropy_weights(df)
    w = entropy_weights(df, types=[1, -1])
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()


# ----------------------------------------------------------------------------- CRITIC
def test_critic_hand_calculation():
    """Diakoulaki et al. (1995) CRITIC, hand-computed on a 3x2 matrix.
    Min-max: a -> (0, .5, 1), b (cost) -> (1, .5, 0): sd both 0.5, r_ab = -1,
    C_a = C_b = 0.5 * (0 + 2) = 1 -> weights (0.5, 0.5). Adding an uncorrelated column
    changes the split as in the formula."""
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})
    w = critic_weights(df, [1, -1])
    np.testing.assert_allclose(w.to_numpy(), [0.5, 0.5])
    df2 = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 3.0, 2.0, 4.0],
                        "c": [4.0, 1.0, 1.0, 4.0]})
    x = (df2 - df2.min()) / (df2.max() - df2.min())
    sd = x.std(ddof=1)
    r = x.corr()
    c = sd * (1 - r).sum()
    np.testing.assert_allclose(critic_weights(df2).to_numpy(), (c / c.sum()).to_numpy())


def test_critic_matches_pymcdm():
    from pymcdm.weights import critic_weights as pm_critic
    np.testing.assert_allclose(critic_weights(AIRCRAFT).to_numpy(),
                               pm_critic(AIRCRAFT.to_numpy(float)), rtol=1e-10)


# ----------------------------------------------------------------------------- TOPSIS
def test_topsis_hwang_yoon_fighter_closeness():
    """Hwang & Yoon (1981), TOPSIS numerical example (fighter aircraft), vector normalisation.
    Published: separation from the ideal S* = (0.0545, 0.1197, 0.0580, 0.1009), from the
    negative ideal S- = (0.0983, 0.0439, 0.0920, 0.0458), relative closeness
    C* = (0.643, 0.268, 0.613, 0.312), ranking A1 > A3 > A4 > A2. The book rounds its
    intermediate tables to 4 decimals, hence the tolerance of 1e-3 on C*."""
    c = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_TYPES, normalization="vector")
    np.testing.assert_allclose(c.to_numpy(), [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    d = topsis_details(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_TYPES)
    np.testing.assert_allclose(d["d_plus"], [0.0545, 0.1197, 0.0580, 0.1009], atol=2e-4)
    np.testing.assert_allclose(d["d_minus"], [0.0983, 0.0439, 0.0920, 0.0458], atol=2e-4)
    assert list(d.sort_values("rank").index) == ["A1", "A3", "A4", "A2"]


def test_topsis_pins_pymcdm_variant():
    """pymcdm's TOPSIS defaults to min-max normalisation: with vector normalisation passed
    explicitly it equals ours; with its default it equals our 'minmax' and differs from
    the classic vector form."""
    from pymcdm.methods import TOPSIS
    from pymcdm.normalizations import minmax_normalization, vector_normalization
    x, w, t = AIRCRAFT.to_numpy(float), np.array(AIRCRAFT_W), np.array(AIRCRAFT_TYPES)
    ours_v = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_TYPES, "vector").to_numpy()
    ours_m = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_TYPES, "minmax").to_numpy()
    np.testing.assert_allclose(ours_v, TOPSIS(vector_normalization)(x, w, t), rtol=1e-10)
    np.testing.assert_allclose(ours_m, TOPSIS(minmax_normalization)(x, w, t), rtol=1e-10)
    np.testing.assert_allclose(ours_m, TOPSIS()(x, w, t), rtol=1e-10)
    assert not np.allclose(ours_v, ours_m, atol=1e-3)


def test_topsis_reordering_and_renaming_alternatives():
    c = topsis(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_TYPES)
    perm = AIRCRAFT.loc[["A3", "A1", "A4", "A2"]]
    c2 = topsis(perm, AIRCRAFT_W, AIRCRAFT_TYPES)
    pd.testing.assert_series_equal(c.sort_index(), c2.sort_index())
    ren = AIRCRAFT.rename(index={"A1": "zz", "A2": "aa"})
    c3 = topsis(ren, AIRCRAFT_W, AIRCRAFT_TYPES)
    np.testing.assert_allclose(c.to_numpy(), c3.to_numpy())


# ----------------------------------------------------------------------------- VIKOR
def test_vikor_pymcdm_docstring_example():
    """pymcdm (v1.x) VIKOR documented example (equal weights, 5x4 benefit matrix):
    Q = (0.5679, 0.7667, 1, 0.7493, 0)."""
    m = np.array([[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92],
                  [85, 9, 100, 29]], dtype=float)
    res = vikor(m, [0.25] * 4, [1] * 4)
    np.testing.assert_allclose(res["Q"].to_numpy(), [0.5679, 0.7667, 1, 0.7493, 0], atol=1e-4)


def test_vikor_matches_pymcdm_with_cost_criteria():
    from pymcdm.methods import VIKOR
    x, w, t = AIRCRAFT.to_numpy(float), np.array(AIRCRAFT_W), np.array(AIRCRAFT_TYPES)
    res = vikor(AIRCRAFT, AIRCRAFT_W, AIRCRAFT_TYPES, v=0.5)
    np.testing.assert_allclose(res["Q"].to_numpy(), VIKOR(v=0.5)(x, w, t), atol=1e-10)
    # hand check of S for A1: only speed, range, payload, cost and reliability are not best
    s1 = (0.2 * (2.5 - 2.0) / 0.7 + 0.1 * (2700 - 1500) / 1200 + 0.1 * (21000 - 20000) / 3000
          + 0.1 * (5.5 - 4.5) / 2.0 + 0.2 * (7 - 5) / 4 + 0.0)
    assert res.loc["A1", "S"] == pytest.approx(s1)


# ----------------------------------------------------------------------------- normalise
def test_normalize_methods_hand():
    df = pd.DataFrame({"b": [1.0, 2.0, 3.0], "c": [10.0, 20.0, 40.0]})
    mm = normalize(df, [1, -1], "minmax")
    np.testing.assert_allclose(mm["b"], [0, 0.5, 1])
    np.testing.assert_allclose(mm["c"], [1, 2 / 3, 0])
    vec = normalize(df, [1, -1], "vector")
    np.testing.assert_allclose(vec["b"], np.array([1, 2, 3]) / np.sqrt(14))
    np.testing.assert_allclose(vec["c"], 1 - np.array([10, 20, 40]) / np.sqrt(2100))
    tg = normalize(df, [1, -1], "target", targets=[2.0, 20.0])
    np.testing.assert_allclose(tg["b"], [0.5, 1, 1])
    np.testing.assert_allclose(tg["c"], [1, 1, 0.5])
    with pytest.raises(InputError, match="target"):
        normalize(df, [1, -1], "target")


def test_bad_inputs_are_explained():
    with pytest.raises(InputError, match="missing"):
        topsis([[1, np.nan], [2, 3]], [0.5, 0.5], [1, 1])
    with pytest.raises(InputError, match="criterion type"):
        normalize([[1, 2]], ["up", "down"])
    with pytest.raises(InputError, match="weights"):
        topsis([[1, 2], [2, 3]], [0.5], [1, 1])


def test_combine_weights_rules():
    s = pd.Series([0.6, 0.3, 0.1], index=list("abc"))
    o = pd.Series([0.2, 0.2, 0.6], index=list("cba"))  # a=0.6, b=0.2, c=0.2
    lin = combine_weights(s, o, 0.5)
    np.testing.assert_allclose(lin.to_numpy(), [0.6, 0.25, 0.15])
    mul = combine_weights(s, o, rule="multiplicative")
    raw = np.array([0.36, 0.06, 0.02])
    np.testing.assert_allclose(mul.to_numpy(), raw / raw.sum())
    geo = combine_weights(s, o, 1.0, rule="geometric")
    np.testing.assert_allclose(geo.to_numpy(), s.to_numpy())


# ----------------------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None)
@given(arrays(float, (6, 4), elements=st.floats(0.1, 100, allow_nan=False)))
def test_weights_sum_to_one_property(x):
    for w in (entropy_weights(x), entropy_weights(x, [1, -1, 1, -1]), critic_weights(x)):
        assert w.sum() == pytest.approx(1.0)
        assert (w >= -1e-12).all()


@settings(max_examples=60, deadline=None)
@given(arrays(float, (5, 3), elements=st.floats(1, 100, allow_nan=False)),
       st.integers(0, 4), st.floats(0.5, 50))
def test_topsis_monotone_in_benefit_criterion(x, i, bump):
    """Raising a benefit value of one alternative never lowers its TOPSIS closeness."""
    w, t = [0.5, 0.3, 0.2], [1, -1, 1]
    c0 = topsis(x, w, t, "minmax").iloc[i]
    y = x.copy()
    y[i, 0] += bump
    # with fixed weights and min-max normalisation the closeness cannot fall
    assert topsis(y, w, t, "minmax").iloc[i] >= c0 - 1e-9

