"""MCDA core against hand calculations where planted bugs survived (make mutate): AHP of
order 8 (Saaty's RI table), CRITIC with two alternatives, labelled two-column weight tables,
equal weights with gaps, and which cell or column an error names."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.mcda import core as mcda


def test_consistent_ahp_of_order_eight_recovers_the_weights():
    # a_ij = w_i / w_j is perfectly consistent: lambda_max = n, CI = 0, CR = CI / RI(8) = 0
    # (Saaty 1980: RI(8) = 1.41), and the eigenvector is w itself
    w = np.array([8.0, 7, 6, 5, 4, 3, 2, 1])
    w = w / w.sum()
    r = mcda.ahp_weights(np.outer(w, 1 / w))
    assert r.weights.to_numpy() == pytest.approx(w)
    assert r.lambda_max == pytest.approx(8.0) and r.cr == pytest.approx(0.0, abs=1e-9)
    assert mcda.RANDOM_INDEX_SAATY[8] == 1.41 and mcda.RANDOM_INDEX_SAATY[9] == 1.45


def test_ahp_result_repr_does_not_dump_the_matrix():
    r = mcda.ahp_weights([[1, 2], [0.5, 1]])
    assert "matrix=" not in repr(r) and "weights=" in repr(r)


def test_a_zero_judgement_is_reported_as_not_positive():
    with pytest.raises(InputError) as e:
        mcda.ahp_weights([[1, 0], [2, 1]])
    p = e.value.problems[0]
    assert "positive" in p.message and p.column == "C2" and p.row == 2


def test_diagonal_error_names_the_cell_furthest_from_one():
    # diagonal (1, 0.5, 1): the bad cell is the second one, row 3 (header = row 1)
    m = [[1, 2, 4], [0.5, 0.5, 2], [0.25, 0.5, 1]]
    with pytest.raises(InputError) as e:
        mcda.ahp_weights(m)
    p = e.value.problems[0]
    assert "diagonal" in p.message and p.column == "C2" and p.row == 3


def test_critic_with_two_alternatives_by_hand():
    # min-max: a = (0, 1), b = (1, 0), c = (0, 1); sd equal for all (0.7071);
    # r_ab = -1, r_ac = +1, r_bc = -1: C_a = sd*(0+2+0), C_b = sd*(2+0+2), C_c = sd*(0+2+0)
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0], "c": [1.0, 3.0]})
    assert mcda.critic_weights(df).tolist() == pytest.approx([0.25, 0.5, 0.25])


def test_two_column_weight_table_is_read_as_label_and_value():
    m = pd.DataFrame({"cost": [3.0, 1.0], "benefit": [1.0, 2.0]}, index=["a", "b"])
    t = ["cost", "benefit"]
    table = pd.DataFrame({"criterion": ["benefit", "cost"], "weight": [0.75, 0.25]})
    series = pd.Series({"cost": 0.25, "benefit": 0.75})
    assert mcda.topsis(m, table, t).to_dict() == pytest.approx(mcda.topsis(m, series, t).to_dict())


def test_equal_weights_accept_gaps_in_the_matrix():
    w = mcda.equal_weights([[1.0, np.nan, 3.0], [2.0, 1.0, np.nan]])
    assert w.tolist() == pytest.approx([1 / 3] * 3)


def test_entropy_error_names_the_negative_column_not_a_zero_one():
    df = pd.DataFrame({"a": [0.0, 1.0], "b": [-1.0, 2.0]})
    with pytest.raises(InputError) as e:
        mcda.entropy_weights(df)
    assert e.value.problems[0].column == "b"


def test_entropy_with_an_all_zero_criterion_raises_no_numeric_warning():
    df = pd.DataFrame({"a": [1.0, 3.0], "z": [0.0, 0.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = mcda.entropy_weights(df)
    assert w.tolist() == [1.0, 0.0]
