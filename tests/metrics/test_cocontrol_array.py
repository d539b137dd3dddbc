"""cocontrol_array: the co-control metrics as arrays (Mao et al. 2011 definitions, see
docs/methods/co-control-metrics.md), checked by hand and against cocontrol_metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.metrics import cocontrol_array, cocontrol_metrics
from cocontrol.metrics.cocontrol import QUADRANT_CODES


def test_hand_calculation():
    """SO2 100 → 80 t, NOx 50 → 55 t, CO2 1000 → 900 t: R_SO2 = 20 t, R_CO2 = 100 t,
    x_norm = 0.1, y_norm = 0.2, Els = (−0.2)/(−0.1) = 2 (quadrant I); NOx rises: quadrant
    IV, Els = 0.1/(−0.1) = −1. APeq (EPTL 0.95 kg/eq for SO2 and NOx) = (20 − 5)·1000/0.95."""
    sp = ["SO2", "NOx", "CO2"]
    r = cocontrol_array(np.array([100.0, 50.0, 1000.0]), np.array([80.0, 55.0, 900.0]), sp)
    assert list(r["pollutants"]) == ["SO2", "NOx", "APeq"]
    np.testing.assert_allclose(r["P_reduction"], [20.0, -5.0, 15_000 / 0.95])
    assert r["CO2_reduction"] == pytest.approx(100.0)
    np.testing.assert_allclose(r["y_norm"][:2], [0.2, -0.1])
    np.testing.assert_allclose(r["els"][:2], [2.0, -1.0])
    assert [QUADRANT_CODES[q] for q in r["quadrant"]] == ["I", "IV", "I"]


def test_matches_the_table_metrics_with_leading_axes():
    rng = np.random.default_rng(5)
    sp = ["SO2", "NOx", "PM2.5", "VOCs", "NH3", "CO2", "CH4"]
    b = rng.uniform(10, 1000, (4, len(sp)))
    s = b * rng.uniform(0.7, 1.2, b.shape)
    r = cocontrol_array(b, s, sp)
    keys = pd.Index([f"m{i}" for i in range(4)], name="measure")
    tab = cocontrol_metrics(pd.DataFrame(b, index=keys, columns=sp),
                            pd.DataFrame(s, index=keys, columns=sp))
    for j, p in enumerate(r["pollutants"]):
        t = tab[tab["pollutant"] == p].set_index("measure").loc[keys]
        np.testing.assert_allclose(r["P_reduction"][:, j], t["P_reduction"], rtol=1e-12)
        np.testing.assert_allclose(r["els"][:, j], t["els"], rtol=1e-12)
        np.testing.assert_allclose(r["y_norm"][:, j], t["y_norm"], rtol=1e-12)
        assert [QUADRANT_CODES[q] for q in r["quadrant"][:, j]] == list(t["quadrant"])
