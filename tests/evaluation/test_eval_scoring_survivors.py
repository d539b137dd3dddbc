"""Synergy index (evaluation/scoring.py) where planted bugs survived a mutation run
(tools/mutate.py, seed 9, sample 40): indicators whose panel range is below 1, an all-zero
indicator under vector normalisation, ... The tiny system and panel are those of
test_eval_scoring.py (global weights x 0.3, y 0.3, z 0.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_eval_scoring import TINY, panel

from cocontrol.errors import InputError
from cocontrol.evaluation import evaluate, load_system


def test_minmax_of_indicators_with_a_range_below_one(tiny):
    # x / 100 spans 0.1..0.5 (range 0.4), y / 10 spans 0.1..0.5: min-max is unchanged by the
    # scale, so u2 2022 keeps r = (0.75, 0.5, 0.5) and 100 (0.225 + 0.15 + 0.2) = 57.5
    v = panel()
    v["x"] = v["x"] / 100.0
    v["y"] = v["y"] / 10.0
    res = evaluate(tiny, v)
    assert res.normalized.loc[("u2", 2022)].tolist() == pytest.approx([0.75, 0.5, 0.5])
    assert res.scores.at[("u2", 2022), "score"] == pytest.approx(57.5)


def test_vector_normalisation_of_an_all_zero_indicator(tiny):
    # z = 0 for everyone: norm 0, r = 0 / 1 = 0 (benefit), the score stays complete;
    # u2 2022: 100 (0.3 * 40 / sqrt(8000) + 0.3 * (1 - 3/8) + 0.4 * 0)
    res = evaluate(tiny, panel().assign(z=0.0), normalization="vector")
    assert (res.normalized["z"] == 0.0).all() and res.scores["complete"].all()
    want = 100 * (0.3 * 40 / np.sqrt(8000) + 0.3 * (1 - 3 / 8))
    assert res.scores.at[("u2", 2022), "score"] == pytest.approx(want)


def test_ahp_weighting_notes_a_system_without_matrices_only(tiny, tmp_path):
    res = evaluate(tiny, panel(), weighting="ahp")
    assert any("no AHP matrices" in str(n) for n in res.notes)
    p = tmp_path / "ahp.yaml"
    p.write_text(TINY + """
weighting:
  ahp:
    root: {order: [A, B], matrix: [[1, 4], ["1/4", 1]]}
""", encoding="utf-8")
    res = evaluate(load_system(p), panel(), weighting="ahp")
    assert not any("no AHP matrices" in str(n) for n in res.notes)


def test_user_weights_with_a_blank_weight_are_refused(tiny):
    # a blank weight is an error naming the indicator, never a silent NaN score
    w = pd.Series({"x": 1.0, "y": np.nan, "z": 1.0})
    with pytest.raises(InputError) as e:
        evaluate(tiny, panel(), weighting=w)
    assert [p.value for p in e.value.problems] == ["y"]


def test_user_weights_may_give_an_indicator_weight_zero(tiny):
    # weights (0, 1, 1) rescale to (0, 0.5, 0.5); u2 2022 has r = (0.75, 0.5, 0.5):
    # 100 (0 + 0.25 + 0.25) = 50
    res = evaluate(tiny, panel(), weighting=pd.Series({"x": 0.0, "y": 1.0, "z": 1.0}))
    assert res.weights["weight"].tolist() == [0.0, 0.5, 0.5]
    assert res.scores.at[("u2", 2022), "score"] == pytest.approx(50.0)


def test_grades_in_chinese(tiny):
    # default bands (system.DEFAULT_GRADES): 100 -> 优秀 (>= 85), 82.5 -> 良好 (>= 70),
    # 57.5 -> 待改进 (< 60)
    g = evaluate(tiny, panel(), lang="zh").scores["grade"]
    assert (g[("u3", 2021)], g[("u3", 2022)], g[("u2", 2022)]) == ("优秀", "良好", "待改进")


def test_changes_table_columns_and_values(tiny):
    # u2 2021 -> 2022: x from r = 0.5 to 0.75 with W = 0.3: 100 * 0.3 * 0.25 = 7.5 points
    ch = evaluate(tiny, panel()).changes
    assert list(ch.columns) == ["unit", "year_from", "year_to", "indicator", "change_points"]
    row = ch[(ch["unit"] == "u2") & (ch["indicator"] == "x")].iloc[0]
    assert (row["year_from"], row["year_to"]) == (2021, 2022)
    assert row["change_points"] == pytest.approx(7.5)


def test_second_level_points_by_hand(tiny):
    # u2 2022: r = (0.75, 0.5, 0.5); A1 holds x, y (W 0.3 + 0.3): (22.5 + 15) / 0.6 = 62.5;
    # B1 holds z (W 0.4): 20 / 0.4 = 50
    l2 = evaluate(tiny, panel()).level2_scores
    assert l2.loc[("u2", 2022)].to_dict() == pytest.approx({"A1": 62.5, "B1": 50.0})


def test_combined_weighting_takes_half_of_each_by_default(tiny):
    # docs: combined = alpha * subjective + (1 - alpha) * entropy, alpha = 0.5 by default
    tpl = evaluate(tiny, panel(), weighting="template").weights["weight"]
    ent = evaluate(tiny, panel(), weighting="entropy").weights["weight"]
    comb = evaluate(tiny, panel(), weighting="combined").weights["weight"]
    assert comb.to_numpy() == pytest.approx((0.5 * tpl + 0.5 * ent).to_numpy())
    assert not np.allclose(tpl.to_numpy(), ent.to_numpy())  # the two parts differ here


def test_topsis_minmax_note_only_when_a_value_is_negative(tiny):
    # classic TOPSIS uses vector normalisation (needs x >= 0); a negative rate switches to
    # min-max and says so
    plain = evaluate(tiny, panel())
    assert not any("TOPSIS used min-max" in str(n) for n in plain.notes)
    v = panel()
    v.loc[("u1", 2021), "x"] = -10.0
    neg = evaluate(tiny, v)
    assert any("TOPSIS used min-max" in str(n) for n in neg.notes)


def test_coupling_skipped_when_only_one_subsystem_has_indicators(tmp_path):
    # y without a subsystem: pollution {x} only, carbon empty -> no coupling table and the
    # note, never a coupling of u_pollution with an empty (0/0) carbon subsystem
    p = tmp_path / "one.yaml"
    p.write_text(TINY.replace(", subsystem: carbon}", "}"), encoding="utf-8")
    res = evaluate(load_system(p), panel())
    assert res.coupling is None
    assert any("Coupling coordination skipped" in str(n) for n in res.notes)


def test_peer_percentile_and_dimension_gap_to_median_by_hand(tiny):
    # 2022, one peer group of three units; scores 25, 57.5, 82.5 (test_eval_scoring's hand
    # values) -> percentile = rank / 3 x 100 = 33.3, 66.7, 100.
    # Dimension A = 100 (0.3 r_x + 0.3 r_y) / 0.6 = 50 (r_x + r_y): r_x = (20, 40, 50 - 10)/40
    # = 0.25, 0.75, 1; r_y = (5 - (4, 3, 2))/4 = 0.25, 0.5, 0.75 -> A = 25, 62.5, 87.5,
    # median 62.5, gaps -37.5, 0, 25
    pe = evaluate(tiny, panel()).peers.xs(2022, level="year")
    assert pe["percentile"].tolist() == pytest.approx([100 / 3, 200 / 3, 100.0])
    assert pe["A_gap_to_median"].tolist() == pytest.approx([-37.5, 0.0, 25.0])
    assert pe["gap_to_median"].tolist() == pytest.approx([25 - 57.5, 0.0, 82.5 - 57.5])
