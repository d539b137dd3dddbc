"""Scenario analysis (scenario/analysis.py): cases where planted bugs survived (make mutate):
discounting of the net annual costs, a cap met exactly, the margin of a peak target, cap
units, and intensity targets whose driver is missing or has no unit (a plain error, not a
traceback: this test failed before the fix)."""

from __future__ import annotations

import pandas as pd
import pytest
from scenariofixture import write_scenario_project

from cocontrol.errors import InputError, render
from cocontrol.scenario import check_targets, costs, prepare, run, totals
from cocontrol.scenario.analysis import discounted_cost


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return prepare(write_scenario_project(tmp_path_factory.mktemp("an") / "p"))


def test_discounted_cost_holds_each_periods_cost_until_the_next(base):
    # years 2020, 2025, 2030 at 5 %: the cost of 2020 counts for 2020..2024, that of 2025 for
    # 2025..2029, the last year's once: PV = Σ_y c_y Σ_k 1.05^-(y + k - 2020)
    r = run(base, "policy")
    c = costs(base, r).groupby("year")["cost_yuan"].sum()
    spans = {2020: range(2020, 2025), 2025: range(2025, 2030), 2030: range(2030, 2031)}
    hand = sum(float(c.get(y, 0.0)) / 1.05 ** (t - 2020) for y, ts in spans.items() for t in ts)
    assert c.abs().sum() > 0 and discounted_cost(base, r) == pytest.approx(hand, rel=1e-12)


def test_cap_met_exactly_passes_and_is_reported_in_its_unit(base):
    r = run(base, "policy")
    so2_t = float(totals(r).loc["SO2", 2030])
    res = check_targets(base, r, [{"type": "cap", "species": "SO2", "year": 2030,
                                   "max": so2_t / 1000, "unit": "kt"}]).iloc[0]
    assert res["value"] == pytest.approx(so2_t / 1000, rel=1e-12) and bool(res["passed"])


def test_peak_margin_is_years_to_spare(base):
    res = check_targets(base, run(base, "policy"), [{"type": "co2_peak", "by": 2030}]).iloc[0]
    assert res["value"] == 2020 and res["margin"] == 10 and bool(res["passed"])


def test_intensity_target_without_the_driver_is_a_plain_error(base):
    t = [{"type": "intensity", "species": "CO2", "year": 2030, "max": 1.0,
          "unit": "t/1e4 yuan", "per": "gdp"}]
    with pytest.raises(InputError, match="driver not found"):
        check_targets(base, run(base, "policy"), t)


def test_intensity_target_whose_driver_has_no_unit(tmp_path):
    drivers = pd.DataFrame({"driver": ["gdp"] * 2, "year": [2020, 2030], "value": [2.0, 2.0],
                            "unit": [None, None], "source": "test"})
    b = prepare(write_scenario_project(tmp_path / "p", drivers=drivers))
    t = [{"type": "intensity", "species": "CO2", "year": 2030, "max": 1.0,
          "unit": "t/1e4 yuan", "per": "gdp"}]
    with pytest.raises(InputError, match="has no unit") as e:
        check_targets(b, run(b, "baseline"), t)
    assert render(e.value.problems[0], "zh").startswith("drivers.csv，列/键 unit：强度目标的驱动因子没有单位")
    t[0]["unit"] = "t"
    with pytest.raises(InputError, match="needs a ratio unit") as e:
        check_targets(b, run(b, "baseline"), t)
    assert "强度目标需要比值单位" in render(e.value.problems[0], "zh")
