"""Emission intensity per GDP of each region (metrics.gdp_intensity), by hand.

Hand calculation: 2,000,000 t CO2 over a GDP of 500 x 1e8 yuan = 5e6 x 1e4 yuan is
0.4 t per 1e4 yuan; 3,000 t SO2 over the same GDP is 3e6 kg / 5e6 = 0.6 kg per 1e4 yuan.
A region without a GDP row for the year is not estimated (NaN), never 0."""

import math

import pandas as pd
import pytest

from cocontrol.metrics import gdp_intensity

STATS = pd.DataFrame({"region_id": ["a", "b", "a"], "indicator": ["gdp"] * 3,
                      "year": [2020, 2020, 2022], "value": [500.0, 2e9, 600.0],
                      "unit": ["1e8 yuan", "yuan", "1e8 yuan"], "source": ["s1", "s2", "s3"]})


def test_intensity_by_hand():
    t = gdp_intensity({"a": 2e6, "b": 1e5, "c": 1.0}, STATS, 2020).set_index("region")
    assert t.at["a", "intensity"] == pytest.approx(0.4, rel=1e-12)
    assert t.at["a", "gdp"] == pytest.approx(5e6) and t.at["a", "gdp_unit"] == "1e4 yuan"
    # 2e9 yuan = 2e5 x 1e4 yuan: 1e5 t / 2e5 = 0.5
    assert t.at["b", "intensity"] == pytest.approx(0.5, rel=1e-12)
    assert math.isnan(t.at["c", "intensity"]) and math.isnan(t.at["c", "gdp"])
    kg = gdp_intensity({"a": 3000.0}, STATS, 2020, "kg/1e4 yuan").set_index("region")
    assert kg.at["a", "intensity"] == pytest.approx(0.6, rel=1e-12)
    # t per 1e8 yuan: 2e6 / 500 = 4000
    assert gdp_intensity({"a": 2e6}, STATS, 2020, "t/1e8 yuan")["intensity"].iat[0] \
        == pytest.approx(4000.0, rel=1e-12)


def test_no_stats_is_not_estimated_and_bad_unit_refused():
    assert math.isnan(gdp_intensity({"a": 1.0}, None, 2020)["intensity"].iat[0])
    with pytest.raises(ValueError, match="mass per currency"):
        gdp_intensity({"a": 1.0}, STATS, 2020, "t")
