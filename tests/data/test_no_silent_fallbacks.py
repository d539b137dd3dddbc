"""No silent fallbacks in the library (issue 9, item 7): caches hand out copies, labels align
or raise, a missing fuel price is an error, and importing/solving changes no process state."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from cocontrol import refdata
from cocontrol.errors import InputError
from cocontrol.inventory import compute
from cocontrol.mcda import core as mcda
from cocontrol.project import load_project
from cocontrol.scenario import measures as mlib


def test_cached_reference_table_cannot_be_changed_by_a_caller(tiny):
    before = compute(load_project(tiny)).total().loc["SO2"].to_numpy()
    ef = refdata.table("ef_air")
    ef["value"] = 0.0  # a careless caller
    ef.loc[ef.index[:10], "species"] = "XX"
    fu = refdata.table("fuels")
    fu.loc[:, "carbon_content"] = 1.0
    lib = mlib.bundled()
    lib["magnitude"] = -1.0
    assert (refdata.table("ef_air")["value"] > 0).any()
    assert not (refdata.table("ef_air")["species"] == "XX").any()
    assert (refdata.table("fuels")["carbon_content"].dropna() > 10).all()
    assert (mlib.bundled()["magnitude"] >= 0).all()
    after = compute(load_project(tiny)).total().loc["SO2"].to_numpy()
    assert np.array_equal(before, after) and before[0] > 0


def test_cached_fuel_row_is_a_copy():
    from cocontrol.inventory import factors as fmod

    row = fmod._fuel_row("hard_coal")
    row["ncv"] = 0.0
    assert fmod._fuel_row("hard_coal")["ncv"] == 25.8


M = pd.DataFrame({"cost": [3.0, 1.0], "benefit": [1.0, 2.0]}, index=["a", "b"])


def test_weights_align_by_label_not_position():
    w = pd.Series({"benefit": 0.9, "cost": 0.1})  # reversed order: by label it is cost 0.1
    by_label = mcda.topsis(M, w, types={"cost": "cost", "benefit": "benefit"})
    explicit = mcda.topsis(M, [0.1, 0.9], types=["cost", "benefit"])
    assert by_label.to_dict() == pytest.approx(explicit.to_dict())
    assert by_label["b"] > by_label["a"]  # b is cheaper and better


def test_weights_with_labels_that_do_not_match_the_criteria_raise():
    # defect: labels not matching the indicators were applied by position
    w = pd.Series({"co2": 0.9, "pm25": 0.1})
    with pytest.raises(InputError, match="labels do not match"):
        mcda.topsis(M, w)
    with pytest.raises(InputError, match="labels do not match"):
        mcda.topsis(M, pd.DataFrame({"criterion": ["cost", "pm25"], "weight": [0.5, 0.5]}))
    with pytest.raises(InputError, match="labels do not match"):
        mcda.vikor(M, {"cost": 0.5, "benefit": 0.3, "extra": 0.2})
    with pytest.raises(InputError, match="labels do not match"):
        mcda.topsis(M, [0.5, 0.5], types=pd.Series({"x": "cost", "y": "benefit"}))


def test_weights_table_with_matching_labels_is_used():
    t = pd.DataFrame({"criterion": ["benefit", "cost"], "weight": [3.0, 1.0]})
    got = mcda.topsis(M, t, types=["cost", "benefit"])
    assert got.to_dict() == pytest.approx(mcda.topsis(M, [0.25, 0.75],
                                                      types=["cost", "benefit"]).to_dict())


def test_import_sets_no_third_party_logger_level():
    import importlib

    import cocontrol.optimize.lp as lp

    logging.getLogger("linopy").setLevel(logging.NOTSET)
    importlib.reload(lp)
    assert logging.getLogger("linopy").level == logging.NOTSET
