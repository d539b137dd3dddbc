"""Co-control metrics (metrics/cocontrol.py) where planted bugs survived a mutation run
(tools/mutate.py, seed 9, sample 40): a one-row total against a single measure, the array
form's normalised coordinates, elasticities and quadrants at zero changes and baselines of
1 t, arrays with two leading axes and no pollutant, broadcasting in the cross-elasticity, the
English labels, species order and an air-pollutant price of 1 yuan/eq.

Definitions (Mao et al. 2011; docs/methods/co-control-metrics.md): R = baseline - scenario,
x_norm = R_CO2 / CO2_base, y_norm = R_P / P_base, Els = (ΔP/P) / (ΔCO2/CO2); quadrant I both
reductions > 0, II only the pollutant's, IV only CO2's, III neither; APeq = 1000 E / PEV with
PEV(SO2) = 0.95 kg/eq (EPTL annex 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.metrics.cocontrol import (
    QUADRANT_CODES,
    cocontrol_array,
    coordinates,
    cross_elasticity,
    emissions_wide,
    reductions,
    unit_costs,
)


def test_one_row_total_against_a_single_measure_is_compared_not_unioned():
    # baseline total CO2 100 t, SO2 10 t; measure m1 emits 90 t and 8 t: R = 10 t and 2 t
    # (before: m1 was matched with a missing baseline row of 0 t, R = -90 t and -8 t)
    b = pd.DataFrame({"CO2": [100.0], "SO2": [10.0]}, index=pd.Index(["total"], name="key"))
    s = pd.DataFrame({"CO2": [90.0], "SO2": [8.0]}, index=pd.Index(["m1"], name="measure"))
    r = reductions(b, s).set_index(["measure", "species"])
    assert list(r.index) == [("m1", "CO2"), ("m1", "SO2")]
    assert r["reduction_t"].tolist() == [10.0, 2.0]
    assert r["reduction_frac"].tolist() == pytest.approx([0.1, 0.2])


#: rows: (SO2 base, SO2 scen, CO2 base, CO2 scen) -> expected by hand
ROWS = [
    # 1 -> 0.5 t SO2, 1 -> 0.8 t CO2: x_norm 0.2, y_norm 0.5, Els = -0.5 / -0.2 = 2.5, I
    ((1.0, 0.5, 1.0, 0.8), dict(x=0.2, y=0.5, els=2.5, q="I")),
    # SO2 unchanged, CO2 100 -> 90: Els = 0 / -0.1 = 0, only CO2 falls: IV
    ((10.0, 10.0, 100.0, 90.0), dict(x=0.1, y=0.0, els=0.0, q="IV")),
    # SO2 10 -> 8, CO2 unchanged: Els = -0.2 / 0 = -inf, R_CO2 = 0 does not count: II
    ((10.0, 8.0, 100.0, 100.0), dict(x=0.0, y=0.2, els=-np.inf, q="II")),
    # SO2 unchanged, CO2 100 -> 110: Els = 0 / 0.1 = 0, neither falls: III
    ((10.0, 10.0, 100.0, 110.0), dict(x=-0.1, y=0.0, els=0.0, q="III")),
    # nothing changes: Els = 0 / 0 undefined (NaN), III
    ((10.0, 10.0, 100.0, 100.0), dict(x=0.0, y=0.0, els=np.nan, q="III")),
    # SO2 baseline missing: y_norm and Els NaN, quadrant undefined
    ((np.nan, 5.0, 100.0, 90.0), dict(x=0.1, y=np.nan, els=np.nan, q="undefined")),
]


def test_array_form_by_hand_at_zero_changes_and_unit_baselines():
    b = np.array([[r[0][0], r[0][2]] for r in ROWS])
    s = np.array([[r[0][1], r[0][3]] for r in ROWS])
    out = cocontrol_array(b, s, ["SO2", "CO2"])
    assert list(out["pollutants"]) == ["SO2", "APeq"]
    want = [r[1] for r in ROWS]
    np.testing.assert_allclose(out["x_norm"][:, 0], [w["x"] for w in want])
    np.testing.assert_allclose(out["y_norm"][:, 0], [w["y"] for w in want])
    np.testing.assert_allclose(out["els"][:, 0], [w["els"] for w in want])  # inf and NaN must match
    assert [QUADRANT_CODES[q] for q in out["quadrant"][:, 0]] == [w["q"] for w in want]
    # APeq of row 0: 1 t SO2 = 1000 / 0.95 eq; only SO2 counts, so y_norm and Els are SO2's
    assert out["P_base"][0, 1] == pytest.approx(1000 / 0.95)
    assert out["y_norm"][0, 1] == pytest.approx(0.5) and out["els"][0, 1] == pytest.approx(2.5)


def test_array_form_zero_baselines_give_nan_ratios():
    # CO2 0 -> 0 and SO2 0 -> 1: no baseline to divide by
    out = cocontrol_array(np.array([0.0, 0.0]), np.array([1.0, 0.0]), ["SO2", "CO2"])
    assert np.isnan(out["x_norm"]).all() and np.isnan(out["y_norm"]).all()
    assert np.isnan(out["els"]).all()


def test_array_form_with_two_leading_axes_and_no_air_pollutant():
    # 2 years x 3 members of CO2 and CH4 only: no species has a pollution-equivalent value,
    # so APeq is 0 in every cell and keeps the leading shape (2, 3)
    b = np.full((2, 3, 2), 10.0)
    s = np.full((2, 3, 2), 8.0)
    out = cocontrol_array(b, s, ["CO2", "CH4"])
    assert list(out["pollutants"]) == ["APeq"]
    assert out["P_base"].shape == (2, 3, 1) and (out["P_base"] == 0).all()
    assert out["CO2_reduction"].shape == (2, 3) and (out["CO2_reduction"] == 2.0).all()
    assert out["x_norm"].shape == (2, 3, 1) and np.allclose(out["x_norm"], 0.2)


def test_cross_elasticity_broadcasts_one_co2_pair_and_labels_in_english():
    # CO2 100 -> 90 (-10 %) against SO2 10 -> 8 (-20 %) and NOx 10 -> 11 (+10 %):
    # Els = 2 (both fall) and -1 (NOx rises while CO2 falls)
    e = cross_elasticity([10.0, 10.0], [8.0, 11.0], 100.0, 90.0)
    assert e["els"].tolist() == pytest.approx([2.0, -1.0])
    assert e["sign_pair"].tolist() == ["(-,-)", "(+,-)"]
    assert e["els_meaning"].tolist() == ["both fall (co-reduction)",
                                         "CO2 falls, pollutant rises"]


def test_species_columns_are_alphabetical_with_or_without_keys():
    t = pd.DataFrame({"measure": ["a", "a", "a"], "species": ["SO2", "CO2", "NOx"],
                      "value": [1.0, 2.0, 3.0]})
    assert list(emissions_wide(t).columns) == ["CO2", "NOx", "SO2"]
    assert list(emissions_wide(t, by=["measure"]).columns) == ["CO2", "NOx", "SO2"]
    assert emissions_wide(t).iloc[0].tolist() == [2.0, 3.0, 1.0]


def test_unit_costs_with_a_price_of_one_yuan_per_equivalent_and_no_carbon_price():
    # w = 80 / 1 = 80 eq per t CO2: 100 yuan / (2 eq + 80 * 0.5 t) = 100 / 42 yuan per eq
    m = pd.DataFrame({"cost_yuan": [100.0], "CO2_reduction_t": [0.5], "APeq_reduction": [2.0]})
    u = unit_costs(m, carbon_price=80.0, apeq_price=1.0).iloc[0]
    assert u["weight_eq_per_t_CO2"] == 80.0
    assert u["yuan_per_cocontrol_eq"] == pytest.approx(100.0 / 42.0)
    # no carbon price: only the APeq reduction is valued, 100 / 2 = 50 yuan per eq
    u = unit_costs(m, carbon_price=0.0, apeq_price=0.5).iloc[0]
    assert u["yuan_per_cocontrol_eq"] == pytest.approx(50.0)


def test_coordinates_normalised_by_a_baseline_of_one_tonne():
    # R_CO2 0.5 t of a 1 t baseline: x_norm = 0.5; R_P 2 t of 4 t: y_norm = 0.5; quadrant I
    c = coordinates([0.5], [2.0], base_co2=[1.0], base_pol=[4.0]).iloc[0]
    assert (c["x_norm"], c["y_norm"], c["quadrant"]) == (0.5, 0.5, "I")
