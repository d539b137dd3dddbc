"""Screening network design: footprint geometry by hand, greedy coverage."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring.network import greedy_sites, sensitivity, sigma_z_class_d

NORTH = pd.DataFrame({"direction_deg": [0.0, 90.0, 180.0, 270.0],
                      "frequency": [1.0, 0.0, 0.0, 0.0]})


def test_briggs_sigma_z_class_d():
    # 0.06 x (1 + 0.0015 x)^-1/2 at x = 1000 m: 60 / sqrt(2.5)
    assert sigma_z_class_d(1000.0) == pytest.approx(60 / np.sqrt(2.5))


def test_site_downwind_sees_source_upwind_does_not():
    src = pd.DataFrame({"x_km": [0.0], "y_km": [0.0]})
    sites = pd.DataFrame({"x_km": [0.0, 0.0, 3.0], "y_km": [-4.0, 4.0, 0.0]})
    s = sensitivity(src, sites, NORTH)     # wind FROM north blows to the south
    g = sigma_z_class_d(1000.0) / sigma_z_class_d(4000.0)
    assert s[0, 0] == pytest.approx(g) and s[0, 1] == 0.0 and s[0, 2] == 0.0


def test_greedy_covers_largest_emitters_first():
    src = pd.DataFrame({"x_km": [0.0, 10.0], "y_km": [0.0, 0.0], "emission": [900.0, 100.0]})
    sites = pd.DataFrame({"site": ["A", "B", "C"], "x_km": [0.0, 10.0, 5.0],
                          "y_km": [-0.2, -0.2, 20.0]})
    d = greedy_sites(src, sites, NORTH, n_sites=3, candidate_sets={"existing": ["C"]})
    assert d.steps["site"].tolist() == ["A", "B"]          # C sees nothing, never added
    assert d.steps["coverage"].tolist() == pytest.approx([0.9, 1.0])
    cs = d.candidate_sets.set_index("set")["coverage"]
    assert cs["existing"] == 0.0 and cs["greedy"] == pytest.approx(1.0)
