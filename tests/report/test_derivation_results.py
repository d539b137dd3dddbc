"""The derivation of a stored result's number (report.derivation.result_derivation): the cell
asked for, its whole row, the job's parameters and the result's provenance record, with
blanks and non-finite numbers as None (not estimated), never 0; a row or column the table
does not have is refused."""

import math

import pandas as pd
import pytest

from cocontrol.errors import CocontrolError
from cocontrol.report.derivation import result_derivation

ROWS = pd.DataFrame({"measure": ["a", "b"], "unit_cost": [12.5, math.nan],
                     "CO2_reduction_t": [1000.0, 250.0]})
PROV = {"project_hash": "sha256:x", "code_version": "1", "factor_version": "sha256:y",
        "assumptions": {"gwp": "AR6"}}


def test_the_cell_its_row_params_and_provenance():
    d = result_derivation("measures", {"scenario": "enhanced", "year": 2030}, PROV,
                          "mac_co2", ROWS, 1, "CO2_reduction_t")
    assert d["value"] == 250.0 and d["row"] == {"measure": "b", "unit_cost": None,
                                                "CO2_reduction_t": 250.0}
    assert d["params"] == {"scenario": "enhanced", "year": 2030}
    assert d["provenance"] == PROV and d["measures"] == []
    assert result_derivation("measures", {}, PROV, "mac_co2", ROWS, 1, "unit_cost")[
        "value"] is None  # NaN: not estimated


def test_row_or_column_not_in_the_table():
    with pytest.raises(CocontrolError, match="no row 2"):
        result_derivation("measures", {}, PROV, "mac_co2", ROWS, 2, "unit_cost")
    with pytest.raises(CocontrolError, match="no column"):
        result_derivation("measures", {}, PROV, "mac_co2", ROWS, 0, "price")
