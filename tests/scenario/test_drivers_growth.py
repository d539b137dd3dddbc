"""Activity growth factors A_t/A_0 = (D_t/D_0)^ε × (1 + g)^(t − t0) (scenario/drivers.py),
against hand calculations: the default row, a missing intensity change, a driver of zero in
the base year, a project without drivers, and the row an error names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.scenario.drivers import growth_factors, interpolate

YEARS = [2025, 2030]
DRIVERS = pd.DataFrame({"driver": ["gdp", "gdp", "pop", "pop"],
                        "year": [2020, 2030, 2020, 2030],
                        "value": [100.0, 121.0, 0.5, 0.55]})


def _elast(rows):
    return pd.DataFrame(rows, columns=["sector", "driver", "elasticity", "intensity_change"])


def _gf(elast, sectors=("power", "steel"), parents=("energy", "industry"), drivers=DRIVERS):
    return growth_factors(pd.Series(list(sectors)), pd.Series(list(parents)), elast, drivers,
                          YEARS, 2020)


def test_interpolation_is_linear_between_given_years():
    # gdp 100 (2020) -> 121 (2030): 2025 = 110.5
    assert interpolate(DRIVERS, YEARS).loc["gdp"].tolist() == pytest.approx([110.5, 121.0])


def test_default_row_applies_only_to_lines_without_their_own_row():
    # power: (121/100)^0.5 = 1.1 in 2030, (110.5/100)^0.5 in 2025, no intensity change;
    # steel (only '*'): (1 - 0.01)^10 = 0.904382 in 2030, 0.99^5 = 0.950990 in 2025
    f = _gf(_elast([["power", "gdp", 0.5, 0.0], ["*", None, np.nan, -0.01]]))
    assert f[0].tolist() == pytest.approx([110.5 ** 0.5 / 10, 1.1])
    assert f[1].tolist() == pytest.approx([0.99 ** 5, 0.99 ** 10])


def test_without_default_row_unmatched_lines_keep_base_activity():
    f = _gf(_elast([["power", "gdp", 1.0, 0.0]]))
    assert f[0].tolist() == pytest.approx([1.105, 1.21])
    assert f[1].tolist() == [1.0, 1.0]


def test_missing_intensity_change_means_no_change():
    # g blank: A_t/A_0 = (D_t/D_0)^1 only (not (1 + 1)^t)
    f = _gf(_elast([["power", "gdp", 1.0, np.nan]]))
    assert f[0].tolist() == pytest.approx([1.105, 1.21])


def test_parent_sector_row_applies_to_children():
    f = _gf(_elast([["industry", None, np.nan, 0.02]]))
    assert f[1].tolist() == pytest.approx([1.02 ** 5, 1.02 ** 10])
    assert f[0].tolist() == [1.0, 1.0]


def test_no_drivers_table_with_intensity_rows_only():
    # a project without drivers.csv: rows without a driver still apply their trend
    for drivers in (None, DRIVERS.iloc[:0]):
        f = _gf(_elast([["*", None, np.nan, -0.02]]), drivers=drivers)
        assert f[0].tolist() == pytest.approx([0.98 ** 5, 0.98 ** 10])


def test_driver_below_one_in_base_year_is_valid():
    # pop 0.5 -> 0.55: factor 1.1 in 2030 with elasticity 1
    f = _gf(_elast([["power", "pop", 1.0, 0.0]]))
    assert f[0].tolist() == pytest.approx([1.05, 1.1])


def test_driver_zero_in_base_year_is_an_error_naming_its_row():
    d = pd.DataFrame({"driver": ["z", "z"], "year": [2020, 2030], "value": [0.0, 5.0]})
    with pytest.raises(InputError) as e:
        _gf(_elast([["power", "z", 1.0, 0.0]]), drivers=d)
    p = e.value.problems[0]
    assert p.row == 2 and p.column == "driver" and "base year" in p.message


def test_unknown_driver_names_the_file_row_or_the_position():
    el = _elast([["power", "gdp", 1.0, 0.0], ["steel", "nope", 1.0, 0.0]])
    with pytest.raises(InputError) as e:
        _gf(el)
    assert e.value.problems[0].row == 3  # header = row 1, second data row = row 3
    el["_row"] = [11, 17]  # the row in the user's file, when the loader kept it
    with pytest.raises(InputError) as e:
        _gf(el)
    assert e.value.problems[0].row == 17
