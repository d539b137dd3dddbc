"""Synergy index (evaluation/scoring.py): cases where planted bugs survived (make mutate):
a constant indicator, vector normalisation by hand, template weights of a system that also
has AHP matrices, the lowest grade band, one-year trends, the order of the dimensions and
the missing-value note. The tiny system and panel are those of test_eval_scoring.py."""

from __future__ import annotations

import numpy as np
import pytest
from test_eval_scoring import TINY, panel

from cocontrol.evaluation import evaluate, load_system


def test_an_indicator_equal_for_everyone_normalises_to_one(tiny):
    v = panel().assign(z=3.0)  # no one is worse on z
    res = evaluate(tiny, v)
    assert (res.normalized["z"] == 1.0).all()
    # u1 2021: x and y at their worst (0), z = 1: 100 * 0.4 * 1 = 40
    assert res.scores.at[("u1", 2021), "score"] == pytest.approx(40.0)


def test_vector_normalisation_by_hand(tiny):
    # x: 10..50, norm = sqrt(100+400+900+1600+2500+2500) = sqrt(8000); benefit r = x / norm
    # y (cost): norm = sqrt(25+16+9+9+1+4) = 8; r = 1 - y / 8
    res = evaluate(tiny, panel(), normalization="vector")
    r = res.normalized
    assert r.at[("u1", 2021), "x"] == pytest.approx(10 / np.sqrt(8000))
    assert r.at[("u1", 2021), "y"] == pytest.approx(1 - 5 / 8)
    assert r.at[("u3", 2021), "y"] == pytest.approx(1 - 1 / 8)


def test_template_weights_ignore_the_systems_ahp_matrices(tmp_path):
    text = TINY + """
weighting:
  ahp:
    root: {order: [A, B], matrix: [[1, 4], ["1/4", 1]]}
"""
    p = tmp_path / "ahp.yaml"
    p.write_text(text, encoding="utf-8")
    s = load_system(p)
    tpl = evaluate(s, panel(), weighting="template")
    np.testing.assert_allclose(tpl.weights["weight"].to_numpy(), [0.3, 0.3, 0.4])
    ahp = evaluate(s, panel(), weighting="ahp")  # A 0.8, B 0.2 (Saaty eigenvector of 2x2)
    np.testing.assert_allclose(ahp.weights["weight"].to_numpy(), [0.4, 0.4, 0.2])


def test_lowest_band_and_one_year_trend(tiny):
    res = evaluate(tiny, panel())
    # u1 2021 scores 0: the lowest default band starts at 0 (inclusive)
    assert res.scores.at[("u1", 2021), "grade"] == "Needs improvement"
    one = evaluate(tiny, panel().xs(2021, level="year", drop_level=False))
    assert np.isnan(one.trends.at["u2", "slope_per_year"])
    assert one.trends.at["u2", "n_years"] == 1


def test_dimension_columns_follow_the_system_not_the_alphabet(tmp_path):
    text = TINY.replace("  - id: A\n", "  - id: Q\n").replace("  - id: B\n", "  - id: C\n")
    p = tmp_path / "order.yaml"
    p.write_text(text, encoding="utf-8")
    res = evaluate(load_system(p), panel())
    cols = [c for c in res.scores.columns if c in ("Q", "C")]
    assert cols == ["Q", "C"]


def test_missing_value_note_only_when_something_is_flagged(tiny):
    v = panel()
    v.loc[("u1", 2022), "x"] = np.nan
    imputed = evaluate(tiny, v, missing="impute")
    complete = evaluate(tiny, panel(), missing="flag")
    for res in (imputed, complete):
        assert not any("missing = flag" in str(n) for n in res.notes)
    flagged = evaluate(tiny, v, missing="flag")
    assert any("missing = flag" in str(n) for n in flagged.notes)
