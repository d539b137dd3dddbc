"""Edge cases of the Tapio decoupling index where planted bugs survived (make mutate):
zero bases, zero changes, the coupling band's own limits, and which period is chosen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.metrics.decoupling import decoupling, tapio_elasticity, tapio_state


def test_zero_base_is_undefined_not_infinite():
    px, py, e = tapio_elasticity([0.0, 100.0], [10.0, 110.0], [50.0, 0.0], [55.0, 5.0])
    assert np.isnan(px[0]) and px[1] == pytest.approx(0.1)
    assert np.isnan(py[1]) and py[0] == pytest.approx(0.1)
    assert np.isnan(e).all()


def test_no_change_on_both_sides_is_nan_but_one_sided_change_is_infinite():
    _, _, e = tapio_elasticity([100.0, 100.0], [100.0, 100.0], [10.0, 10.0], [10.0, 12.0])
    assert np.isnan(e[0]) and np.isposinf(e[1])


def test_band_limits_are_closed_and_checked():
    # e exactly 0.8 and 1.2 lie in the coupling band (Tapio 2005: 0.8 <= e <= 1.2)
    st = tapio_state([0.1, 0.1, 0.1, 0.1], [0.08, 0.12, 0.0799, 0.1201])
    assert list(st) == ["expansive_coupling", "expansive_coupling", "weak_decoupling",
                        "expansive_negative_decoupling"]
    st = tapio_state([-0.1, -0.1, -0.1], [-0.08, -0.0799, -0.1201])
    assert list(st) == ["recessive_coupling", "weak_negative_decoupling",
                        "recessive_decoupling"]
    assert list(tapio_state([0.1], [0.1], lower=1.0, upper=1.0)) == ["expansive_coupling"]
    with pytest.raises(ValueError):
        tapio_state([0.1], [0.1], lower=0.0)
    with pytest.raises(ValueError):
        tapio_state([0.1], [0.1], lower=1.3, upper=1.2)


def test_signs_of_zero_changes():
    st = tapio_state([0.1, 0.0, -0.1, 0.0, 0.1, -0.1], [0.0, -0.1, 0.0, 0.1, -0.1, 0.1])
    assert list(st) == ["strong_decoupling", "strong_decoupling",
                        "strong_negative_decoupling", "strong_negative_decoupling",
                        "strong_decoupling", "strong_negative_decoupling"]


D = pd.DataFrame({"year": [2015, 2020, 2025], "GDP": [100.0, 150.0, 180.0],
                  "CO2": [50.0, 55.0, 50.0]})


def test_chosen_period_uses_first_and_last_year_when_one_end_is_given():
    a = decoupling(D, region_col=None, base=2020)
    assert a[["base_year", "end_year"]].values.tolist() == [[2020, 2025]]
    b = decoupling(D, region_col=None, end=2020)
    assert b[["base_year", "end_year"]].values.tolist() == [[2015, 2020]]
    c = decoupling(D, region_col=None)
    assert c[["base_year", "end_year"]].values.tolist() == [[2015, 2020], [2020, 2025]]
    assert c["elasticity"].tolist() == pytest.approx([0.1 / 0.5, (-5 / 55) / 0.2])


def test_one_sided_change_of_a_doubled_driver_is_zero_elasticity():
    # x doubles (%Δx = 1), y unchanged (%Δy = 0): e = 0 / 1 = 0, strong decoupling (OECD 2002:
    # stable pressure with a growing economy); only %Δx = %Δy = 0 is NaN
    px, py, e = tapio_elasticity([50.0], [100.0], [5.0], [5.0])
    assert px[0] == 1.0 and py[0] == 0.0 and e[0] == 0.0


def test_a_value_exactly_tol_from_a_boundary_counts_as_on_it():
    # e = 0.1 / 0.2 = 0.5 exactly; lower = 1 with tol = 0.5: |e - 1| = 0.5 = tol * 1 -> on it
    assert list(tapio_state([0.2], [0.1], lower=1.0, upper=4.0, tol=0.5)) == [
        "expansive_coupling"]
    assert list(tapio_state([0.2], [0.1], lower=1.0, upper=4.0, tol=0.49)) == [
        "weak_decoupling"]
