"""Scoring: hand-computed synergy index, contributions, changes, missing values, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cocontrol.evaluation import change_between, evaluate, load_system
from cocontrol.metrics.coupling import coupling_coordination

TINY = """
system: {id: tiny, name_en: Tiny, name_zh: 小}
dimensions:
  - id: A
    name_en: A
    name_zh: 甲
    weight: 0.6
    criteria:
      - id: A1
        name_en: A1
        name_zh: 甲1
        indicators:
          - {id: x, name_en: X, name_zh: 叉, unit: "%", direction: benefit, target: 40, subsystem: pollution}
          - {id: y, name_en: Y, name_zh: 歪, unit: t, direction: cost, target: 2, subsystem: carbon}
  - id: B
    name_en: B
    name_zh: 乙
    weight: 0.4
    criteria:
      - id: B1
        name_en: B1
        name_zh: 乙1
        indicators:
          - {id: z, name_en: Z, name_zh: 兹, unit: count, direction: benefit, target: 4}
"""


def panel() -> pd.DataFrame:
    idx = pd.MultiIndex.from_product([["u1", "u2", "u3"], [2021, 2022]],
                                     names=["unit", "year"])
    return pd.DataFrame({"x": [10, 20, 30, 40, 50, 50], "y": [5, 4, 3, 3, 1, 2],
                         "z": [0, 1, 2, 2, 4, 3]}, index=idx, dtype=float)


def test_hand_calculation_minmax_template(tiny):
    """Global weights x = 0.6*0.5 = 0.3, y = 0.3, z = 0.4; pooled min-max normalisation.
    u2 2022: r = (0.75, 0.5, 0.5) -> 100*(0.225 + 0.15 + 0.2) = 57.5 (worked by hand)."""
    res = evaluate(tiny, panel())
    np.testing.assert_allclose(res.weights["weight"].to_numpy(), [0.3, 0.3, 0.4])
    expected = {("u1", 2021): 0.0, ("u1", 2022): 25.0, ("u2", 2021): 50.0,
                ("u2", 2022): 57.5, ("u3", 2021): 100.0, ("u3", 2022): 82.5}
    for k, v in expected.items():
        assert res.scores.at[k, "score"] == pytest.approx(v)
    assert res.scores.at[("u2", 2022), "A"] == pytest.approx((22.5 + 15) / 0.6)
    assert res.scores.at[("u3", 2022), "grade"] == "Good"
    assert res.scores.at[("u3", 2021), "grade"] == "Excellent"
    assert res.scores.at[("u2", 2022), "grade"] == "Needs improvement"
    assert res.scores.at[("u3", 2022), "rank"] == 1
    # contributions add up to the score exactly
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.scores["score"], atol=1e-12)
    # change 2021 -> 2022 of u2 is all from x: 0.3 * (0.75 - 0.5) * 100 = 7.5
    ch = change_between(res, 2021, 2022)
    assert ch.at["u2", "x"] == pytest.approx(7.5)
    assert ch.at["u2", "y"] == pytest.approx(0) and ch.at["u2", "z"] == pytest.approx(0)
    d = res.scores["score"].xs(2022, level="year") - res.scores["score"].xs(2021, level="year")
    np.testing.assert_allclose(ch["total"], d, atol=1e-12)
    tot = res.changes.groupby("unit")["change_points"].sum()
    np.testing.assert_allclose(tot.reindex(d.index), d, atol=1e-12)


def test_coupling_uses_subsystems(tiny):
    """u_pollution = r_x, u_carbon = r_y (single indicators); u2 2022: 0.75 and 0.5."""
    res = evaluate(tiny, panel())
    row = res.coupling.loc[("u2", 2022)]
    assert row["u_pollution"] == pytest.approx(0.75)
    assert row["u_carbon"] == pytest.approx(0.5)
    ref = coupling_coordination(0.75, 0.5).iloc[0]
    assert row["D"] == pytest.approx(ref["D"])
    assert row["C"] == pytest.approx(2 * np.sqrt(0.375) / 1.25)


def test_target_normalisation_hand(tiny):
    """x target 40: 50 -> 1, 20 -> 0.5; y (cost) target 2: 4 -> 0.5, 1 -> 1; z target 4."""
    res = evaluate(tiny, panel(), normalization="target")
    r = res.normalized
    assert r.at[("u1", 2022), "x"] == pytest.approx(0.5)
    assert r.at[("u3", 2021), "x"] == pytest.approx(1.0)
    assert r.at[("u1", 2022), "y"] == pytest.approx(0.5)
    assert r.at[("u3", 2021), "y"] == pytest.approx(1.0)
    # u1 2022: 100 * (0.3*0.5 + 0.3*0.5 + 0.4*0.25) = 40
    assert res.scores.at[("u1", 2022), "score"] == pytest.approx(40.0)


def test_missing_flag_impute_exclude(tiny):
    v = panel()
    v.loc[("u1", 2022), "x"] = np.nan
    flag = evaluate(tiny, v, missing="flag")
    assert np.isnan(flag.scores.at[("u1", 2022), "score"])
    assert not flag.scores.at[("u1", 2022), "complete"]
    assert len(flag.missing) == 1 and flag.notes
    imp = evaluate(tiny, v, missing="impute")
    assert imp.values.at[("u1", 2022), "x"] == 10.0  # unit's previous year
    assert imp.missing.iloc[0]["action"] == "imputed: unit's previous year"
    v.loc[("u1", 2021), "x"] = np.nan
    imp2 = evaluate(tiny, v, missing="impute")
    assert imp2.values.at[("u1", 2021), "x"] == 40.0  # median of u2 (30), u3 (50) in 2021
    # no observed earlier year for u1 either: peer median of 2022 = median(40, 50) = 45
    assert imp2.values.at[("u1", 2022), "x"] == 45.0
    exc = evaluate(tiny, v, missing="exclude")
    assert ("u1", 2021) not in exc.scores.index and ("u1", 2022) not in exc.scores.index
    assert len(exc.missing) == 2


def test_peer_comparison_and_trends(tiny):
    units = pd.DataFrame({"name_en": ["U1", "U2", "U3"], "name_zh": ["一", "二", "三"],
                          "group": ["g", "g", "h"]}, index=pd.Index(["u1", "u2", "u3"],
                                                                    name="unit"))
    res = evaluate(tiny, panel(), units)
    p = res.peers.loc[("u1", 2022)]
    assert p["group_size"] == 2 and p["group_rank"] == 2
    assert p["gap_to_best"] == pytest.approx(25.0 - 57.5)
    assert res.trends.at["u2", "change"] == pytest.approx(7.5)
    assert res.trends.at["u2", "slope_per_year"] == pytest.approx(7.5)


def test_topsis_ranking_present(tiny):
    res = evaluate(tiny, panel())
    t = res.topsis.xs(2021, level="year")
    assert t["rank"].to_dict() == {"u1": 3, "u2": 2, "u3": 1}


@pytest.mark.parametrize("weighting", ["template", "ahp", "equal", "entropy", "critic",
                                       "combined"])
def test_weights_sum_to_one_and_contributions_add_up(weighting):
    s = load_system("city")
    rng = np.random.default_rng(1)
    idx = pd.MultiIndex.from_product([[f"c{i}" for i in range(8)], [2021, 2022, 2023]],
                                     names=["unit", "year"])
    v = pd.DataFrame(rng.uniform(1, 100, (24, len(s.ids))), index=idx, columns=s.ids)
    res = evaluate(s, v, weighting=weighting)
    assert res.weights["weight"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.scores["score"], atol=1e-9)
    assert res.scores["score"].between(0, 100).all()
    for (u, y0, y1), g in res.changes.groupby(["unit", "year_from", "year_to"]):
        assert g["change_points"].sum() == pytest.approx(
            res.scores.at[(u, y1), "score"] - res.scores.at[(u, y0), "score"], abs=1e-9)


def test_reorder_and_rename_units_change_no_score():
    s = load_system("park")
    rng = np.random.default_rng(2)
    idx = pd.MultiIndex.from_product([[f"p{i}" for i in range(6)], [2021, 2022, 2023]],
                                     names=["unit", "year"])
    v = pd.DataFrame(rng.uniform(0.1, 100, (18, len(s.ids))), index=idx, columns=s.ids)
    for weighting in ("template", "entropy", "critic"):
        base = evaluate(s, v, weighting=weighting).scores["score"]
        perm = v.iloc[rng.permutation(len(v))]
        ren = perm.rename(index={f"p{i}": f"zz{5 - i}" for i in range(6)}, level="unit")
        got = evaluate(s, ren, weighting=weighting).scores["score"]
        back = got.rename(index={f"zz{5 - i}": f"p{i}" for i in range(6)}, level="unit")
        pd.testing.assert_series_equal(base.sort_index(), back.sort_index())


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 5), st.integers(0, 2), st.floats(0.5, 60),
       st.sampled_from(["minmax", "target", "vector"]))
def test_score_rises_when_benefit_indicator_rises(unit, ind, bump, norm):
    """Fixed (template) weights: raising a benefit indicator never lowers the unit's score
    (min-max: own r rises or stays; target: ratio to target rises up to the cap)."""
    s = load_system("park")
    rng = np.random.default_rng(3)
    idx = pd.MultiIndex.from_product([[f"p{i}" for i in range(6)], [2022]],
                                     names=["unit", "year"])
    v = pd.DataFrame(rng.uniform(1, 100, (6, len(s.ids))), index=idx, columns=s.ids)
    benefit = [i for i in s.ids if s.table.at[i, "direction"] == "benefit"]
    col = benefit[ind]
    res0 = evaluate(s, v, normalization=norm)
    v2 = v.copy()
    v2.iloc[unit, v2.columns.get_loc(col)] += bump
    res1 = evaluate(s, v2, normalization=norm)
    if norm == "vector":
        # vector normalisation divides by the panel norm, which also grows: only the own
        # term's monotonicity holds, so check the own normalised value instead
        assert res1.normalized[col].iloc[unit] >= res0.normalized[col].iloc[unit] - 1e-12
    else:
        assert res1.scores["score"].iloc[unit] >= res0.scores["score"].iloc[unit] - 1e-9


def test_inconsistent_ahp_is_flagged_in_results(tmp_path):
    """Saaty's rule: CR > 0.10 -> flagged (note + ahp table), weights still computed."""
    text = TINY + """
weighting:
  ahp:
    root: {order: [A, B], matrix: [[1, 3], ["1/3", 1]]}
"""
    # a 2x2 matrix is always consistent; make a 3-criterion inconsistent one instead
    text = text.replace("""          - {id: z, name_en: Z, name_zh: 兹, unit: count, direction: benefit, target: 4}""",
                        """          - {id: z, name_en: Z, name_zh: 兹, unit: count, direction: benefit, target: 4}
          - {id: q, name_en: Q, name_zh: 丘, unit: count, direction: benefit}
          - {id: s, name_en: S, name_zh: 斯, unit: count, direction: benefit}""")
    text += """    B1: {order: [z, q, s], matrix: [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]}
"""
    p = tmp_path / "inc.yaml"
    p.write_text(text, encoding="utf-8")
    s = load_system(p)
    v = panel().assign(q=[1.0, 2, 3, 4, 5, 6], s=[6.0, 5, 4, 3, 2, 1])
    res = evaluate(s, v, weighting="ahp")
    row = res.ahp_checks.set_index("parent").loc["B1"]
    assert row["cr"] > 0.1 and not row["consistent"]
    assert any("B1" in n and "CR" in n for n in res.notes)
    assert res.weights["weight"].sum() == pytest.approx(1.0)
    assert res.weights.at["x", "weight"] == pytest.approx(0.75 * 0.5)


def test_group_ahp_in_yaml_geometric_mean(tmp_path):
    """Two experts judge A vs B as 2 and 8: geometric mean 4 -> A 0.8, B 0.2
    (Aczél & Saaty 1983)."""
    text = TINY + """
weighting:
  ahp:
    root: {order: [A, B], matrices: [[[1, 2], ["1/2", 1]], [[1, 8], ["1/8", 1]]]}
"""
    p = tmp_path / "group.yaml"
    p.write_text(text, encoding="utf-8")
    s = load_system(p)
    assert s.meta["ahp_experts"] == {"root": 2}
    res = evaluate(s, panel(), weighting="ahp")
    np.testing.assert_allclose(res.weights["weight"].to_numpy(), [0.4, 0.4, 0.2])


def test_user_weights_table(tiny, tmp_path):
    from cocontrol.errors import InputError
    from cocontrol.evaluation import read_weights
    p = tmp_path / "w.csv"
    p.write_text("indicator,weight\nx,2\ny,1\nz,1\n", encoding="utf-8")
    res = evaluate(tiny, panel(), weighting=read_weights(p))
    np.testing.assert_allclose(res.weights["weight"].to_numpy(), [0.5, 0.25, 0.25])
    assert "user table" in res.settings["weighting"]
    p.write_text("indicator,weight\nx,2\nzz,1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        evaluate(tiny, panel(), weighting=read_weights(p))
    msgs = " ".join(str(x) for x in e.value.problems)
    assert "no weight for this indicator" in msgs and "not in the system" in msgs


def test_vector_normalisation_rejects_negative_values(tiny):
    from cocontrol.errors import InputError
    v = panel()
    v.loc[("u1", 2021), "x"] = -3.0
    with pytest.raises(InputError, match="non-negative"):
        evaluate(tiny, v, normalization="vector")
    res = evaluate(tiny, v, normalization="minmax")  # fine with min-max
    assert res.scores["score"].between(0, 100).all()
