"""Computed indicators (evaluation/compute.py): cases where planted bugs survived (make
mutate). Definitions of the module docstring: I = emissions / value added,
d = 1 - I_t / I_(t-1), joint decline = 100 * mean_p min(d_p, d_CO2) over the pollutants the
unit emitted in the previous year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.evaluation.compute import fill_computed_indicators, merge_computed


def _em(values, species=("CO2", "SO2"), va=1.0, **extra):
    n = len(species)
    return pd.DataFrame({"unit": "u", "year": [2020] * n + [2021] * n,
                         "species": list(species) * 2, "value": values, "value_added": va,
                         **extra})


def test_mass_units_convert_and_a_blank_or_unknown_unit_is_an_error_naming_the_row():
    # CO2 1 kt -> 900 t (d = 0.1); SO2 10 t -> 8 t (d = 0.2): joint decline 10 %
    em = _em([1.0, 10.0, 900.0, 8.0], mass_unit=["kt", "t", "t", "t"])
    out = fill_computed_indicators(em).set_index(["year", "indicator"])
    assert out.at[(2021, "joint_decline_rate"), "value"] == pytest.approx(10.0)
    # a blank unit in a given mass-unit column is not taken as t (brief: a missing unit is
    # an error, never a default); rows 3 and 5 of the file (index + 2)
    with pytest.raises(InputError) as e:
        fill_computed_indicators(_em([1.0, 10.0, 900.0, 8.0], mass_unit=["kt", None, "t", " "]))
    assert [(p.row, p.column) for p in e.value.problems] == [(3, "mass_unit"), (5, "mass_unit")]
    with pytest.raises(InputError) as e:
        fill_computed_indicators(_em([1.0, 10.0, 900.0, 8.0], mass_unit=["kt", "t", "m3", "t"]))
    assert [(p.row, p.value) for p in e.value.problems] == [(4, "m3")]


def test_value_added_below_one_is_valid_and_zero_or_negative_is_an_error():
    em = _em([100.0, 10.0, 90.0, 8.0], va=0.5)  # intensities x2 both years: same rates
    out = fill_computed_indicators(em).set_index(["year", "indicator"])
    assert out.at[(2021, "joint_decline_rate"), "value"] == pytest.approx(10.0)
    va = pd.DataFrame({"unit": ["a", "a", "b", "b"], "year": [2020, 2021, 2020, 2021],
                       "value_added": [0.5, 2.0, 3.0, 0.0]})
    em2 = pd.concat([_em([1.0, 1.0, 1.0, 1.0]).assign(unit=u) for u in "ab"]).drop(
        columns="value_added")
    with pytest.raises(InputError) as e:
        fill_computed_indicators(em2, va)
    p = e.value.problems[0]
    assert "positive" in p.message and p.value == "unit b, year 2021: 0.0"


def test_pollutant_absent_in_the_previous_year_is_left_out():
    # VOCs 0 -> 5 t: no trend to speak of (not -inf); SO2 d = 0.2, CO2 d = 0.1 -> 10 %
    em = _em([100.0, 10.0, 0.0, 90.0, 8.0, 5.0], species=("CO2", "SO2", "VOCs"))
    out = fill_computed_indicators(em).set_index(["year", "indicator"])
    assert out.at[(2021, "joint_decline_rate"), "value"] == pytest.approx(10.0)


def test_output_has_one_row_per_unit_year_indicator_and_a_clean_index():
    out = fill_computed_indicators(_em([100.0, 10.0, 90.0, 8.0]))
    assert out.index.is_unique and len(out) == 4
    assert not out.duplicated(["unit", "year", "indicator"]).any()


def test_merge_fills_gaps_and_keeps_given_values_unless_overwrite():
    values = pd.DataFrame({"joint_decline_rate": [np.nan, 4.0], "other": [1.0, 2.0]},
                          index=pd.MultiIndex.from_tuples([("a", 2021), ("b", 2021)],
                                                          names=["unit", "year"]))
    computed = pd.DataFrame({"unit": ["a", "b", "a"], "year": [2021, 2021, 2021],
                             "indicator": ["joint_decline_rate", "joint_decline_rate",
                                           "not_in_values"], "value": [3.0, 9.0, 7.0]})
    m = merge_computed(values, computed)
    assert m["joint_decline_rate"].tolist() == [3.0, 4.0]
    assert list(m.columns) == ["joint_decline_rate", "other"]
    o = merge_computed(values, computed, overwrite=True)
    assert o["joint_decline_rate"].tolist() == [3.0, 9.0]
