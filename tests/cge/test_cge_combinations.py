"""Discriminant matrix, combination engine, TOPSIS/VIKOR ranking and rank stability."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.cge.combinations import (
    CLASSES,
    NOT_JUDGED,
    DiscriminantMatrix,
    all_combinations,
    judge,
    rank,
    rank_stability,
    run_combinations,
)
from cocontrol.cge.policies import bundled_instruments, load_economy
from cocontrol.errors import InputError

DM = DiscriminantMatrix()
OPT = DiscriminantMatrix(ties="optimistic")


@pytest.mark.parametrize("e, members, cons, opt", [
    # members improve 1 and 2: sum S = 3, best B = 2, worst W = 1
    (4.0, [1, 2], "strong_synergy", "strong_synergy"),
    (3.0, [1, 2], "weak_synergy", "strong_synergy"),        # on the sum
    (2.5, [1, 2], "weak_synergy", "weak_synergy"),
    (2.0, [1, 2], "weak_antagonism", "weak_synergy"),       # on the best member
    (1.5, [1, 2], "weak_antagonism", "weak_antagonism"),
    (1.0, [1, 2], "weak_antagonism", "weak_antagonism"),    # on the worst member
    (0.5, [1, 2], "strong_antagonism", "strong_antagonism"),
    # a member that worsens: S = 2 < B = 5, so "weak synergy" is empty
    (6.0, [5, -3], "strong_synergy", "strong_synergy"),
    (5.0, [5, -3], "weak_antagonism", "strong_synergy"),
    (3.0, [5, -3], "weak_antagonism", "weak_antagonism"),
    (-3.0, [5, -3], "weak_antagonism", "weak_antagonism"),
    (-4.0, [5, -3], "strong_antagonism", "strong_antagonism"),
    # both members worsen (e.g. GDP losses): S = -3, B = -1, W = -2
    (-0.5, [-1, -2], "strong_synergy", "strong_synergy"),   # loses less than the best
    (-1.5, [-1, -2], "weak_antagonism", "weak_antagonism"),
    (-2.5, [-1, -2], "strong_antagonism", "strong_antagonism"),
    # three members 1, 1, 1: S = 3, B = W = 1
    (2.0, [1, 1, 1], "weak_synergy", "weak_synergy"),
    (1.0, [1, 1, 1], "weak_antagonism", "weak_synergy"),
    # nothing moves
    (0.0, [0, 0], NOT_JUDGED, NOT_JUDGED),
])
def test_discriminant_matrix_hand_cases(e, members, cons, opt):
    assert DM.classify(e, members) == cons
    assert OPT.classify(e, members) == opt


def test_tolerance_puts_near_boundary_values_on_the_boundary():
    # 3 + 1e-9 is "on" the sum (rtol 1e-6 of 3) -> weak synergy, not strong
    assert DM.classify(3.0 + 1e-9, [1, 2]) == "weak_synergy"
    assert DiscriminantMatrix(atol=0, rtol=0).classify(3.0 + 1e-9, [1, 2]) == "strong_synergy"
    with pytest.raises(InputError):
        DiscriminantMatrix(ties="sometimes")


def test_vectorised_matches_scalar():
    rng = np.random.default_rng(1)
    mem = rng.normal(size=(200, 3))
    mem[::3, 2] = np.nan  # two-member combinations padded with NaN
    e = rng.normal(size=200) * 2
    vec = DM.classify_array(e, mem)
    for k in range(200):
        assert vec[k] == DM.classify(e[k], mem[k][~np.isnan(mem[k])])


def test_all_combinations_count():
    assert len(all_combinations(list("ABCDEF"))) == 63
    assert len(all_combinations(list("ABC"))) == 7
    with pytest.raises(InputError):
        all_combinations(list("ABCDEFG"))


def test_judge_counts_add_up_on_hand_built_changes():
    # indicators: gdp (higher better), co2 (lower better)
    ch = pd.DataFrame({"gdp": [1.0, 2.0, 4.0], "co2": [-1.0, -2.0, -2.5]},
                      index=["A", "B", "A+B"])
    jd, sh = judge(ch, [("A",), ("B",), ("A", "B")])
    assert jd.loc["A+B", "gdp"] == "strong_synergy"    # 4 > 1 + 2
    assert jd.loc["A+B", "co2"] == "weak_synergy"      # improvement 2.5 in (2, 3]
    assert sh.loc["A+B", "judgements"] == 2
    assert sh.loc["A+B", list(CLASSES)].sum() == 2
    assert sh.loc["A+B", [f"{c}_share" for c in CLASSES]].sum() == pytest.approx(1.0)


@pytest.fixture(scope="module")
def result():
    return run_combinations(load_economy(), bundled_instruments())


def test_bundled_63_combinations(result):
    assert len(result.changes) == 63
    assert len(result.judgements) == 63 - 6
    sh = result.shares
    # every combination: class counts add up to the number of judgements, shares to 1
    assert (sh[list(CLASSES)].sum(axis=1) == sh["judgements"]).all()
    assert (sh["judgements"] + sh["not_judged"] == result.changes.shape[1]).all()
    np.testing.assert_allclose(sh[[f"{c}_share" for c in CLASSES]].sum(axis=1), 1.0)


def test_slack_ets_adds_nothing(result):
    # when the other instruments push covered CO2 below the cap, the permit price is 0 and
    # ETS + X equals X on every indicator
    slack = [k for k, b in result.ets_binding.items() if b is False]
    assert slack
    for k in slack:
        rest = k.replace("ETS+", "")
        np.testing.assert_allclose(result.changes.loc[k], result.changes.loc[rest], atol=1e-9)


def test_topsis_ranking_matches_hand_calculation():
    """TOPSIS with vector normalisation (Hwang & Yoon 1981): hand calculation.

    Alternatives A, B, C; criteria gdp (benefit) and co2 (cost), weights 1/2 each
    (dimension weights economy 1, environment 1, energy 0)."""
    ch = pd.DataFrame({"gdp": [3.0, 4.0, 0.0], "co2": [4.0, 3.0, 0.0]}, index=list("ABC"))
    # vector norms: sqrt(9 + 16 + 0) = 5 for both columns -> r = x / 5
    r = ch / 5.0
    v = r * 0.5
    ideal = pd.Series({"gdp": v["gdp"].max(), "co2": v["co2"].min()})
    anti = pd.Series({"gdp": v["gdp"].min(), "co2": v["co2"].max()})
    dp = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    dm = np.sqrt(((v - anti) ** 2).sum(axis=1))
    cc = dm / (dp + dm)
    # by hand: A: d+ = sqrt(.01 + .16) = .41231, d- = sqrt(.09 + 0) = .3 -> .42118
    assert cc["A"] == pytest.approx(0.3 / (0.3 + np.sqrt(0.17)), rel=1e-12)
    out = rank(ch, "topsis", "dimensions", {"economy": 1, "environment": 1, "energy": 0})
    np.testing.assert_allclose(out.loc[list("ABC"), "score"], cc[list("ABC")], rtol=1e-12)
    # B: d+ = .3, d- = .41231 -> .57882; C: d+ = d- = .4 -> .5; order B, C, A
    assert cc["B"] == pytest.approx(np.sqrt(0.17) / (0.3 + np.sqrt(0.17)), rel=1e-12)
    assert cc["C"] == pytest.approx(0.5, rel=1e-12)
    assert list(out.index) == ["B", "C", "A"]


def test_vikor_option_and_entropy_weights(result):
    r1 = rank(result.changes, "topsis", "entropy")
    w = r1.attrs["weights"]
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    r2 = rank(result.changes, "vikor", "dimensions")
    assert set(r2.index) == set(result.changes.index)
    assert r2["rank"].min() == 1


def test_vectorised_topsis_equals_mcda_module(result):
    from cocontrol import mcda
    from cocontrol.cge.combinations import _topsis_many, indicator_weights
    from cocontrol.cge.satellite import INDICATORS

    w = indicator_weights(result.changes, "entropy")
    types = [INDICATORS[k][4] for k in result.changes.columns]
    ref = mcda.topsis(result.changes, w, types, normalization="vector")
    got = _topsis_many(result.changes, w.to_numpy()[None, :])[0]
    np.testing.assert_allclose(got, ref.to_numpy(), rtol=1e-12)


def test_rank_stability(result):
    st0 = rank_stability(result.changes, spread=0.0, draws=5)
    assert (st0["same_rank_share"] == 1).all() and st0.attrs["spearman_mean"] == pytest.approx(1)
    st = rank_stability(result.changes, spread=0.3, draws=30)
    assert ((st["min_rank"] <= st["base_rank"]) & (st["base_rank"] <= st["max_rank"])).all()
    assert 0 < st.attrs["spearman_mean"] <= 1


def test_rank_stability_keeps_identical_combinations_tied(result):
    """Two combinations with the same changes (on the bundled economy ETS adds nothing to a
    carbon tax that already binds) tie in every draw: the draws' scores must not depend on
    a row's position (a BLAS matrix product summed identical rows in different orders and
    split the tie by one ulp, 2026-12-02)."""
    ch = result.changes
    same = [(a, b) for i, a in enumerate(ch.index) for b in ch.index[i + 1:]
            if ch.loc[a].equals(ch.loc[b])]
    assert same, "the bundled economy has identical combinations"
    st = rank_stability(ch, spread=0.3, draws=40)
    for a, b in same:
        assert st.loc[a].equals(st.loc[b])
    st0 = rank_stability(ch, spread=0.0, draws=5)
    assert (st0["same_rank_share"] == 1).all()
