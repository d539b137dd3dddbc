"""MCDA core where planted bugs survived a mutation run (tools/mutate.py, seed 9, sample 40):
Saaty's RI for n = 1, a 1 x 1 AHP matrix, criterion types given as a mapping, a pairwise table
whose row labels are not its column labels, weights with one negative entry, a column whose
Euclidean norm is below 1, and a target of zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.mcda import core as mcda


def test_random_index_of_orders_one_and_two_is_zero():
    # Saaty (1980): RI(1) = RI(2) = 0 (a matrix of order 1 or 2 is always consistent)
    assert mcda.RANDOM_INDEX_SAATY[1] == 0.0 and mcda.RANDOM_INDEX_SAATY[2] == 0.0
    assert sorted(mcda.RANDOM_INDEX_SAATY)[:2] == [1, 2]


def test_one_by_one_ahp_matrix():
    # one criterion: weight 1, lambda_max = n = 1, CI = (1 - 1) / 0 taken as 0, CR = 0
    r = mcda.ahp_weights(pd.DataFrame([[1.0]], index=["only"], columns=["only"]))
    assert r.weights.to_dict() == {"only": 1.0}
    assert (r.lambda_max, r.ci, r.cr, r.consistent) == (1.0, 0.0, 0.0, True)


def test_criterion_types_as_a_mapping_are_aligned_by_label():
    # columns (a, b), types given in the other order: a is a cost, b a benefit
    m = pd.DataFrame({"a": [1.0, 3.0], "b": [10.0, 20.0]}, index=["p", "q"])
    r = mcda.normalize(m, {"b": "benefit", "a": "cost"}, "minmax")
    # a cost: (max - x) / (max - min) = (3 - 1)/2 = 1 for p, 0 for q; b benefit: 0, 1
    assert r.to_dict() == {"a": {"p": 1.0, "q": 0.0}, "b": {"p": 0.0, "q": 1.0}}
    with pytest.raises(InputError) as e:
        mcda.normalize(m, {"b": "benefit"}, "minmax")
    assert e.value.problems[0].column == "a"


def test_pairwise_table_with_other_row_labels_takes_the_column_labels():
    # rows labelled 0, 1, 2 (as read from a sheet without an index), columns x, y, z: the
    # matrix is square, so the rows are the criteria of the columns in the same order
    a = pd.DataFrame([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]], columns=list("xyz"))
    r = mcda.ahp_weights(a)
    assert list(r.matrix.index) == ["x", "y", "z"]
    # consistent (a_ij = w_i / w_j with w = 4:2:1): w = (4/7, 2/7, 1/7)
    assert r.weights.to_dict() == pytest.approx({"x": 4 / 7, "y": 2 / 7, "z": 1 / 7})


@pytest.mark.parametrize("w", [[-0.5, 1.5], [np.nan, 1.0], [0.0, 0.0]])
def test_weights_with_a_negative_a_missing_or_no_positive_entry_are_refused(w):
    m = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]})
    with pytest.raises(InputError) as e:
        mcda.topsis(m, w)
    assert e.value.problems[0].column == "a"


def test_vector_normalisation_of_a_column_with_norm_below_one():
    # column (0.3, 0.4): norm = sqrt(0.09 + 0.16) = 0.5, r = (0.6, 0.8) (Hwang & Yoon 1981)
    r = mcda.normalize([[0.3, 3.0], [0.4, 4.0]], method="vector")
    assert r["C1"].tolist() == pytest.approx([0.6, 0.8])
    assert r["C2"].tolist() == pytest.approx([0.6, 0.8])  # norm 5


def test_a_target_of_zero_is_refused():
    with pytest.raises(InputError) as e:
        mcda.normalize([[1.0, 2.0], [2.0, 3.0]], method="target", targets=[1.0, 0.0])
    assert e.value.problems[0].column == "C2"


def test_a_pairwise_matrix_that_is_not_square_is_refused():
    with pytest.raises(InputError) as e:
        mcda.ahp_weights([[1.0, 2.0, 4.0], [0.5, 1.0, 2.0]])
    assert e.value.problems[0].value == "2 rows x 3 columns"


def test_group_ahp_matches_experts_by_label_not_by_position():
    # both experts judge a three times as important as b (a_ab = 3); the second lists b first.
    # Geometric mean by label: a_ab = sqrt(3 * 3) = 3, w = (0.75, 0.25); by position it would
    # be sqrt(3 * 1/3) = 1 (equal weights)
    e1 = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["a", "b"], columns=["a", "b"])
    e2 = pd.DataFrame([[1, 1 / 3], [3, 1]], index=["b", "a"], columns=["b", "a"])
    r = mcda.ahp_group([e1, e2])
    assert r.weights.to_dict() == pytest.approx({"a": 0.75, "b": 0.25})
    other = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["a", "c"], columns=["a", "c"])
    with pytest.raises(InputError) as e:
        mcda.ahp_group([e1, other])
    assert "expert 2" in str(e.value.problems[0].file)


def test_group_ahp_of_one_expert_is_that_expert_and_errors_name_the_expert():
    # the geometric mean of one matrix is the matrix: a_xy = 3 gives w = (0.75, 0.25)
    r = mcda.ahp_group([[[1, 3], [1 / 3, 1]]])
    assert r.weights.tolist() == pytest.approx([0.75, 0.25])
    with pytest.raises(InputError):
        mcda.ahp_group([])
    with pytest.raises(InputError) as e:  # the second expert's matrix is not reciprocal
        mcda.ahp_group([[[1, 3], [1 / 3, 1]], [[1, 3], [3, 1]]])
    assert "expert 2" in str(e.value.problems[0].file)


def test_a_criterion_twice_in_a_pairwise_matrix_is_refused():
    a = pd.DataFrame([[1, 2], [0.5, 1]], index=["x", "x"], columns=["x", "x"])
    with pytest.raises(InputError) as e:
        mcda.ahp_group([a, a])
    assert e.value.problems[0].value == ["x"]
