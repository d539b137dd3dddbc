"""Intensity targets convert numerator AND denominator (issue 9, item 3).

Defect before the fix: with GDP in 1e8 yuan, a target in t/1e4 yuan divided tonnes by the GDP
number as given, so 0.70 t/1e4 yuan came out as 7,014 and the target failed."""

from __future__ import annotations

import pandas as pd
import pytest
from scenariofixture import SCENARIOS, write_scenario_project

from cocontrol.errors import InputError
from cocontrol.scenario import check_targets, prepare, run, totals

GDP = 2.0  # 1e8 yuan in every year (constant driver)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    drivers = pd.DataFrame({"driver": ["gdp"] * 2, "year": [2020, 2030], "value": [GDP, GDP],
                            "unit": "1e8 yuan", "source": "test"})
    return prepare(write_scenario_project(tmp_path_factory.mktemp("int") / "p", drivers=drivers))


def _verdicts(base, targets):
    return check_targets(base, run(base, "baseline"), targets)


def test_same_target_in_three_equivalent_units_gives_the_same_verdict(base):
    co2 = float(totals(run(base, "baseline")).loc["CO2", 2030])  # t
    true = co2 / (GDP * 1e4)  # t per 1e4 yuan: 1e8 yuan = 1e4 x 1e4 yuan (hand conversion)
    for lim, verdict in ((true * 1.01, True), (true * 0.99, False)):
        ts = [{"type": "intensity", "species": "CO2", "per": "gdp", "year": 2030,
               "max": lim, "unit": "t/1e4 yuan"},
              {"type": "intensity", "species": "CO2", "per": "gdp", "year": 2030,
               "max": lim * 1e4, "unit": "t/1e8 yuan"},
              {"type": "intensity", "species": "CO2", "per": "gdp", "year": 2030,
               "max": lim * 1000 / 1e4, "unit": "kg/yuan"}]
        res = _verdicts(base, ts)
        assert res["passed"].tolist() == [verdict] * 3
        assert res["value"].iloc[0] == pytest.approx(true, rel=1e-12)
        assert res["value"].iloc[1] == pytest.approx(true * 1e4, rel=1e-12)
        assert res["value"].iloc[2] == pytest.approx(true * 0.1, rel=1e-12)
        assert res["unit"].tolist() == ["t/1e4 yuan", "t/1e8 yuan", "kg/yuan"]


def test_incompatible_denominator_is_a_plain_error(base):
    t = [{"type": "intensity", "species": "CO2", "per": "gdp", "year": 2030, "max": 1,
          "unit": "t/person"}]
    with pytest.raises(InputError, match="targets\\[0\\].unit"):
        _verdicts(base, t)


def test_mixed_driver_units_are_an_error(tmp_path):
    drivers = pd.DataFrame({"driver": ["gdp"] * 2, "year": [2020, 2030], "value": [2.0, 2e4],
                            "unit": ["1e8 yuan", "1e4 yuan"], "source": "test"})
    b = prepare(write_scenario_project(tmp_path / "m", drivers=drivers,
                                       scenarios={**SCENARIOS, "targets": []}))
    t = [{"type": "intensity", "species": "CO2", "per": "gdp", "year": 2030, "max": 1,
          "unit": "t/1e4 yuan"}]
    with pytest.raises(InputError, match="several units"):
        check_targets(b, run(b, "baseline"), t)
