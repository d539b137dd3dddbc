"""Tapio decoupling (metrics/decoupling.py) where planted bugs survived a mutation run
(tools/mutate.py, seed 9): base values below 1 (GDP in 1e12 yuan), a pressure that doubles
while the driver stays put. Tapio (2005, Transport Policy 12(2): 137-151):
e = %Δy / %Δx."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.metrics.decoupling import decoupling, tapio_elasticity, tapio_state


def test_base_values_below_one_are_valid_bases():
    # GDP 0.5 -> 0.6 (1e12 yuan): +20 %; CO2 0.25 -> 0.26 (Gt): +4 %; e = 0.04 / 0.2 = 0.2
    px, py, e = tapio_elasticity([0.5], [0.6], [0.25], [0.26])
    assert px[0] == pytest.approx(0.2) and py[0] == pytest.approx(0.04)
    assert e[0] == pytest.approx(0.2)
    assert tapio_state(px, py)[0] == "weak_decoupling"  # Δx > 0, Δy > 0, 0 < e < 0.8


def test_pressure_doubling_without_growth_is_infinite_strong_negative_decoupling():
    # GDP 100 -> 100 (Δx = 0), CO2 50 -> 100 (+100 %): e = 1 / 0 = +inf (documented convention)
    px, py, e = tapio_elasticity([100.0], [100.0], [50.0], [100.0])
    assert py[0] == 1.0 and np.isposinf(e[0])
    assert tapio_state(px, py)[0] == "strong_negative_decoupling"


def test_state_labels_in_english_by_default_and_in_chinese():
    # GDP 100 -> 120 (+20 %), CO2 50 -> 55 (+10 %): e = 0.5, weak decoupling (docs worked example)
    t = pd.DataFrame({"region": ["A", "A"], "year": [2015, 2020], "GDP": [100.0, 120.0],
                      "CO2": [50.0, 55.0]})
    assert decoupling(t)["state_label"].tolist() == ["weak decoupling"]
    assert decoupling(t, lang="zh")["state_label"].tolist() == ["弱脱钩"]
