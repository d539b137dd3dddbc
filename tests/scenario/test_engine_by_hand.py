"""Scenario engine (scenario/engine.py) against hand calculations: calibration to a measured
value, the penetration ramp, growth given per line, batch members with shared paths, NH3
slip next to a factor measure, renewables and the provenance of a run.

Test project: tests/scenariofixture.py:write_hand_project. Cited inputs: hard coal 25.8
GJ/t (IPCC 2006 Vol.2 Table 1.2), coal power NOx 209 g/GJ (EMEP/EEA 2023 1.A.1.a Table 3-2),
SCR η(NOx) 0.80 and NH3 slip 7.1 kg per t NOx removed, energy penalty 0.4 % (control_tech),
local coal power 0.3055 tce/MWh (CEC 2020), 1 tce = 29.3076 GJ (GB/T 2589-2020).
"""

from __future__ import annotations

import numpy as np
import pytest
from scenariofixture import line_index, write_hand_project

from cocontrol.scenario import prepare, run, run_batch
from cocontrol.scenario.engine import ramp

PATH = [0.0, 0.5, 1.0]  # penetration in 2020, 2025, 2030
YEARS = [2020, 2025, 2030]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return prepare(write_hand_project(tmp_path_factory.mktemp("eng") / "p"))


_line = line_index


def test_measured_value_below_one_tonne_is_kept_in_every_year(base):
    # kiln K1: 500 t clinker × 0.234 kg/t = 0.117 t computed, 0.08 t measured (measured.csv):
    # base-year emissions equal the inventory, measured values included
    r = run(base, "baseline")
    k1 = _line(base, "K1", process="clinker")
    np.testing.assert_allclose(r.emissions[k1, base.species.index("PM10")], [0.08] * 3,
                               rtol=1e-12)


def test_base_year_of_a_run_is_the_inventory_cell_by_cell(base):
    # every line and species, not estimated cells (0 in the arrays) included; the lines
    # added for measures have no base-year activity
    r = run(base, "baseline")
    inv = base.inventory.emissions[:, :, base.inventory.years.index(2020)]
    n = len(inv)
    np.testing.assert_allclose(r.emissions[:n, :, 0], inv, rtol=1e-12, atol=0)
    assert np.isfinite(r.emissions).all()
    np.testing.assert_array_equal(r.emissions[n:], 0.0)


def test_ramp_by_hand():
    # linear from 0 at the start year to the penetration at the full year, then held
    np.testing.assert_allclose(ramp(YEARS, 0.8, 2020, 2030), [0.0, 0.4, 0.8])
    np.testing.assert_allclose(ramp(YEARS, 0.8, 2024, 2026), [0.0, 0.4, 0.8])
    # full year = start year: a step at the start year
    np.testing.assert_allclose(ramp(YEARS, 0.8, 2025, 2025), [0.0, 0.8, 0.8])
    np.testing.assert_allclose(ramp(YEARS, 0.8, 2025, 2021), [0.0, 0.8, 0.8])


def test_growth_given_per_line_for_every_year(base):
    # growth of shape K × lines × 1: the same factor in every year; activity × 2 doubles
    # every emission (no measure: nothing else changes)
    b = run(base, "baseline")
    br = run_batch(base, "baseline", growth=np.full((1, len(base.lines), 1), 2.0))
    np.testing.assert_allclose(br.activity[0], 2 * base.A0[:, None] * np.ones(3), rtol=1e-12)
    np.testing.assert_allclose(br.emissions[0], 2 * b.emissions, rtol=1e-12)


def test_member_of_a_batch_with_a_shared_path(base):
    shared = np.array([[0.0, 0.2, 0.4]])  # 1 × T: every member
    br = run_batch(base, "baseline", {"t_reduce_res": np.array([0.0, 0.5, 1.0]),
                                      "t_boiler_fgd": shared})
    for k, p in enumerate([0.0, 0.5, 1.0]):
        m = br.member(k)
        np.testing.assert_array_equal(m.penetration["t_boiler_fgd"], [0.0, 0.2, 0.4])
        np.testing.assert_array_equal(m.penetration["t_reduce_res"], [p] * 3)


def test_nh3_slip_is_not_changed_by_a_factor_measure_on_another_line(base):
    """SCR on U1 with a NOx factor measure on R1's coal: the slip is p × 7.1 kg/t × 0.8 ×
    the unit's uncontrolled NOx (A × 25.8 GJ/t × 209 g/GJ), A = 1000 t × (1 + 0.004 p);
    R1's NOx falls by p × 0.5."""
    b = run(base, "baseline")
    r = run(base, "baseline", penetrations={"t_power_scr": PATH, "t_res_nox": PATH})
    p = np.array(PATH)
    u1, r1 = _line(base, "U1", "hard_coal"), _line(base, "R1", "hard_coal")
    nh3, nox = base.species.index("NH3"), base.species.index("NOx")
    act = 1000 * (1 + 0.004 * p)
    slip = p * 7.1e-3 * 0.8 * act * 25.8 * 209e-6
    np.testing.assert_allclose(r.emissions[u1, nh3], slip, rtol=1e-9)
    np.testing.assert_allclose(r.emissions[r1, nox], b.emissions[r1, nox] * (1 - 0.5 * p),
                               rtol=1e-12)


def test_renewable_replaces_local_coal_power_by_hand(base):
    """Renewables (m = 0.3): U1's coal × (1 − 0.3 p); replaced generation = 0.3 p × U1's
    generation, 1000 t × 25.8 GJ/t / (0.3055 tce/MWh × 29.3076 GJ/tce) = 2881.6 MWh."""
    r = run(base, "baseline", penetrations={"t_renewable": PATH})
    p = np.array(PATH)
    u1 = _line(base, "U1", "hard_coal")
    np.testing.assert_allclose(r.activity[u1], 1000 * (1 - 0.3 * p), rtol=1e-12)
    e = r.measure_effects
    aff = e.loc[e["measure"] == "t_renewable", "affected"].to_numpy()
    np.testing.assert_allclose(aff, 0.3 * p * 1000 * 25.8 / (0.3055 * 29.3076), rtol=1e-12)


def test_run_result_names_the_scenario_settings_by_hash(base):
    prov = run(base, "baseline").result().provenance
    h = prov.assumptions["scenarios"]
    assert h.startswith("sha256:") and len(h) == len("sha256:") + 12
    int(h.split(":")[1], 16)  # hexadecimal digits
