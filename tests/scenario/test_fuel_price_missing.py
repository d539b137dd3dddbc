"""A missing fuel price is an error, never 0 yuan (issue 9, item 7)."""

from __future__ import annotations

import pytest
from scenariofixture import SCENARIOS, write_scenario_project

from cocontrol.errors import InputError
from cocontrol.scenario import costs, engine, prepare, run


@pytest.fixture
def no_gas_price(monkeypatch):
    prices = engine._prices().drop(index="natural_gas")
    monkeypatch.setattr(engine, "_prices", lambda: prices)
    engine._unit_price.cache_clear()
    yield
    engine._unit_price.cache_clear()


def test_switch_to_an_unpriced_fuel_raises(tmp_path, no_gas_price):
    # defect: the gas bought by t_res_to_gas was valued at 0 yuan and the saving looked large
    base = prepare(write_scenario_project(tmp_path / "p"))
    with pytest.raises(InputError, match="natural_gas"):
        run(base, "enhanced")


def test_priced_switch_values_the_fuel_change(tmp_path):
    sc = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}},
                                     "gas": {"measures": {"t_res_to_gas": 1.0}}}}
    base = prepare(write_scenario_project(tmp_path / "q", scenarios=sc))
    c = costs(base, run(base, "gas"))
    row = c[(c["measure"] == "t_res_to_gas") & (c["year"] == 2030)]
    # 2030, full penetration: 100 t hard coal × magnitude 0.5 = 50 t moved, −50 t × 600 yuan/t;
    # gas = 50 t × 25.8 GJ/t × ratio 0.6 / 34.44 GJ/kNm3 × 2210 yuan/kNm3 (fuel_prices.csv)
    gas_knm3 = 50 * 25.8 * 0.6 / 34.44
    assert float(row["energy_cost_change_yuan"].iloc[0]) == pytest.approx(
        -50 * 600 + gas_knm3 * 2210, rel=1e-9)
