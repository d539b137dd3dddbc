"""The terms of the growth factors (scenario/drivers.py: growth_parts, GrowthParts.factors)
against hand calculations on four lines:

    power      row 0: GDP, ε = 0.5, g = −1 %/yr   G = (D_t/D_0)^0.5 × 0.99^(t − t0)
    steel      row 1 (its parent "industry"): no driver, g = +2 %/yr   G = 1.02^(t − t0)
    transport  row 2: GDP, ε = 1, g blank (no change)   G = D_t/D_0
    residential  no row and no "*": G = 1

GDP 100 (2020) → 121 (2030), linear: 110.5 in 2025, so D_t/D_0 = 1.105 and 1.21.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.scenario.drivers import growth_factors, growth_parts

YEARS = [2025, 2030]
BASE_YEAR = 2020
DRIVERS = pd.DataFrame({"driver": ["gdp", "gdp"], "year": [2020, 2030],
                        "value": [100.0, 121.0]})
SECTORS = pd.Series(["power", "steel", "transport", "residential"])
PARENTS = pd.Series(["energy", "industry", "transport", "buildings"])
# rows as read from a CSV: a blank driver or number is NaN
ELAST = pd.DataFrame({"sector": ["power", "industry", "transport"],
                      "driver": ["gdp", np.nan, "gdp"],
                      "elasticity": [0.5, np.nan, 1.0],
                      "intensity_change": [-0.01, 0.02, np.nan]})

# hand calculations, years 2025 and 2030 (t − t0 = 5, 10)
G_POWER = [1.105 ** 0.5 * 0.99 ** 5, 1.21 ** 0.5 * 0.99 ** 10]  # 1.1 × 0.99^10 in 2030
G_STEEL = [1.02 ** 5, 1.02 ** 10]
G_TRANSPORT = [1.105, 1.21]
G_NONE = [1.0, 1.0]


def _parts(elast=ELAST, drivers=DRIVERS):
    return growth_parts(SECTORS, PARENTS, elast, drivers, YEARS, BASE_YEAR)


def test_terms_of_each_row_by_hand():
    p = _parts()
    assert p.keys == ("power", "industry", "transport")
    assert p.driver == ("gdp", None, "gdp")
    # a row without a driver has nothing to scale: elasticity 0 and a zero log ratio
    assert p.eps.tolist() == [0.5, 0.0, 1.0]
    assert p.ic.tolist() == pytest.approx([-0.01, 0.02, 0.0])  # blank trend = no change
    np.testing.assert_allclose(p.log_ratio, [[np.log(1.105), np.log(1.21)], [0.0, 0.0],
                                             [np.log(1.105), np.log(1.21)]], rtol=1e-12)
    assert p.t.tolist() == [5.0, 10.0]  # years since the base year
    # steel follows its parent's row; residential has no row
    assert p.row_of_line.tolist() == [0, 1, 2, -1]


def test_factors_without_scales_are_the_hand_growth_factors():
    G = _parts().factors()
    assert G.shape == (1, 4, 2)  # one member, four lines, two years
    np.testing.assert_allclose(G[0], [G_POWER, G_STEEL, G_TRANSPORT, G_NONE], rtol=1e-12)


def test_growth_factors_agree_with_the_hand_values_for_every_line():
    # a line without a row keeps base activity even when several rows exist
    f = growth_factors(SECTORS, PARENTS, ELAST, DRIVERS, YEARS, BASE_YEAR)
    np.testing.assert_allclose(f, [G_POWER, G_STEEL, G_TRANSPORT, G_NONE], rtol=1e-12)


def test_driver_scale_of_two_members_by_hand():
    # member 1 doubles GDP's log growth on the power row: (D_t/D_0)^(0.5 × 2) × 0.99^t
    du = np.array([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0]])
    G = _parts().factors(driver_scale=du)
    assert G.shape == (2, 4, 2)
    np.testing.assert_allclose(G[0], [G_POWER, G_STEEL, G_TRANSPORT, G_NONE], rtol=1e-12)
    np.testing.assert_allclose(G[1, 0], [1.105 * 0.99 ** 5, 1.21 * 0.99 ** 10], rtol=1e-12)
    np.testing.assert_allclose(G[1, 1:], G[0, 1:], rtol=0)  # other rows untouched


def test_eps_and_trend_scales_by_hand():
    # ε × 0 on transport: G = 1; the annual factor (1 + g) × (1/1.02) on steel: G = 1
    es = np.array([[1.0, 1.0, 0.0]])
    ts = np.array([[1.0, 1 / 1.02, 1.0]])
    G = _parts().factors(eps_scale=es, trend_scale=ts)
    np.testing.assert_allclose(G[0], [G_POWER, G_NONE, G_NONE, G_NONE], rtol=1e-12)


def test_trend_rows_without_a_drivers_table():
    # a project without drivers.csv: trend-only rows still apply their trend
    el = ELAST.iloc[[1]].reset_index(drop=True)
    for drivers in (None, DRIVERS.iloc[:0]):
        p = _parts(el, drivers)
        np.testing.assert_allclose(p.factors()[0], [G_NONE, G_STEEL, G_NONE, G_NONE],
                                   rtol=1e-12)


def test_no_elasticity_rows_no_growth():
    for el in (None, ELAST.iloc[:0]):
        p = _parts(el)
        assert p.keys == () and p.log_ratio.shape == (0, 2)  # one log-ratio row per row
        assert p.row_of_line.tolist() == [-1, -1, -1, -1]  # −1: no row
        np.testing.assert_array_equal(p.factors(), np.ones((1, 4, 2)))
