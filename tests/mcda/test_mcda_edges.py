"""Edge cases of the MCDA core where planted bugs survived (make mutate): which column an
error names, two alternatives, an all-zero criterion, a 2 × 2 AHP matrix, which weighting method
ran (entropy vs CRITIC), already-normalised and one-column weight tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.mcda import core as mcda


def test_entropy_error_names_the_negative_column():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, -1.0], "c": [-2.0, 1.0]})
    with pytest.raises(InputError) as e:
        mcda.entropy_weights(df)
    assert e.value.problems[0].column == "b"


def test_entropy_all_zero_criterion_gets_weight_zero():
    # p_ij = x_ij / sum_i x_ij; a = (1, 3): e = -(.25 ln .25 + .75 ln .75)/ln 2 = 0.8113
    df = pd.DataFrame({"a": [1.0, 3.0], "z": [0.0, 0.0]})
    w = mcda.entropy_weights(df)
    assert w["z"] == 0.0 and w["a"] == pytest.approx(1.0)


def test_critic_with_two_alternatives_and_which_method_ran():
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [1.0, 1.5, 1.0], "c": [3.0, 2.0, 0.0]})
    ent, cri = mcda.entropy_weights(df), mcda.critic_weights(df)
    assert not np.allclose(ent.to_numpy(), cri.to_numpy())  # the two methods differ here
    two = mcda.critic_weights(df.iloc[:2])
    # two rows: every varying criterion has sd = 0.7071 after min-max; r = +-1
    assert two.sum() == pytest.approx(1.0) and np.isfinite(two).all()
    assert mcda.critic_weights(df.iloc[:1]).tolist() == pytest.approx([1 / 3] * 3)


def test_ahp_two_by_two_has_zero_consistency_ratio_and_diagonal_error_position():
    r = mcda.ahp_weights(pd.DataFrame([[1, 3], [1 / 3, 1]], index=["x", "y"],
                                      columns=["x", "y"]))
    assert r.weights.tolist() == pytest.approx([0.75, 0.25]) and r.cr == 0.0 and r.consistent
    bad = pd.DataFrame([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 3]], index=list("pqr"),
                       columns=list("pqr"))
    with pytest.raises(InputError) as e:
        mcda.ahp_weights(bad)
    assert e.value.problems[0].column == "r" and e.value.problems[0].row == 4


def test_already_normalised_and_one_column_weight_tables():
    m = pd.DataFrame({"cost": [3.0, 1.0], "benefit": [1.0, 2.0]}, index=["a", "b"])
    w = pd.Series({"cost": 0.25, "benefit": 0.75})
    one_col = pd.DataFrame({"weight": [0.75, 0.25]}, index=["benefit", "cost"])
    t = ["cost", "benefit"]
    assert mcda.topsis(m, one_col, t).to_dict() == pytest.approx(mcda.topsis(m, w, t).to_dict())
    assert mcda.topsis(m, w * 4, t).to_dict() == pytest.approx(mcda.topsis(m, w, t).to_dict())
