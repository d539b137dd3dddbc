"""Computed indicators (evaluation/compute.py) where planted bugs survived a mutation run
(tools/mutate.py, seed 9, sample 20): a table without CO2 or without any major pollutant, a
carbon-intensity decline exactly at the threshold, and the index of the emissions table made
from an inventory. Definitions of the module docstring: I = emissions / value added,
elasticity = ln(P_t) / ln(C_t), defined only when carbon intensity falls by *more than*
``min_carbon_decline``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.evaluation.compute import emissions_from_inventory, fill_computed_indicators


def _em(values, species=("CO2", "SO2")):
    n = len(species)
    return pd.DataFrame({"unit": "u", "year": [2020] * n + [2021] * n,
                         "species": list(species) * 2, "value": values, "value_added": 1.0})


@pytest.mark.parametrize("species", [("SO2", "NOx"), ("CO2", "CH4")])
def test_a_table_without_co2_or_without_a_major_pollutant_is_refused(species):
    with pytest.raises(InputError) as e:
        fill_computed_indicators(_em([1.0, 1.0, 1.0, 1.0], species=species))
    assert e.value.problems[0].column == "species"


def test_elasticity_needs_a_decline_larger_than_the_threshold():
    # CO2 intensity 2 -> 1: decline 1 - 0.5 = 0.5, exactly the threshold 0.5: not computed;
    # with threshold 0.4 it is: SO2 4 -> 1 (P = 0.25), ln 0.25 / ln 0.5 = 2
    em = _em([2.0, 4.0, 1.0, 1.0])
    at = fill_computed_indicators(em, min_carbon_decline=0.5).set_index(["year", "indicator"])
    row = at.loc[(2021, "elasticity_pollutant_carbon")]
    assert np.isnan(row["value"]) and "did not decline" in row["source"]
    above = fill_computed_indicators(em, min_carbon_decline=0.4).set_index(["year", "indicator"])
    assert above.at[(2021, "elasticity_pollutant_carbon"), "value"] == pytest.approx(2.0)


class _Inventory:
    """An inventory's aggregate table (level city, t): one row without a city and one species
    not estimated (NaN) are left out."""

    def aggregate(self, level, scope=1, unit="t", co2e=False):
        return pd.DataFrame({"city": ["c", None, "c", "c"], "year": [2020] * 4,
                             "species": ["CO2", "CO2", "OC", "SO2"],
                             "value": [5.0, 1.0, np.nan, 2.0], "unit": "t"})


def test_emissions_from_an_inventory_keep_estimated_rows_numbered_from_zero():
    # the rows left are numbered 0, 1 so that an error's row (index + 2) names the table row
    out = emissions_from_inventory(_Inventory())
    assert list(out.columns) == ["unit", "year", "species", "value", "mass_unit"]  # docstring
    assert out["species"].tolist() == ["CO2", "SO2"] and out["value"].tolist() == [5.0, 2.0]
    assert list(out.index) == [0, 1]
