"""Scenario engine: hand calculations and invariants.

Hand-calculation inputs (bundled tables, cited there): hard coal 25.8 GJ/t and 25.8 kg C/GJ
(IPCC 2006 Vol.2 Tables 1.2/1.3); wet FGD η(SO2) = 0.97 and energy penalty 1.2 % of energy use
(electricity); SCR η(NOx) = 0.80, NH3 slip 7.1 kg per t NOx removed; local coal power heat
rate 0.3055 tce/MWh (CEC 2020); 1 tce = 29.3076 GJ (GB/T 2589-2020).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenariofixture import SCENARIOS, write_scenario_project

from cocontrol.errors import InputError
from cocontrol.metrics import measure_metrics, package_metrics
from cocontrol.scenario import (
    check_targets,
    costs,
    marginal_effects,
    prepare,
    run,
    totals,
)

C2CO2 = 44 / 12  # IPCC 2006 Vol.2 Eq. 2.1
CO2_PER_T_COAL = 25.8 * 25.8 * C2CO2 / 1000  # t CO2 per t hard coal


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return prepare(write_scenario_project(tmp_path_factory.mktemp("sc") / "p"))


def line_em(base, r, source, species, year, fuel=None):
    lines = base.lines
    m = (lines["source_id"] == source).to_numpy().copy()
    if fuel:
        m &= (lines["fuel"] == fuel).to_numpy()
    return float(r.emissions[m, base.species.index(species), base.years.index(year)].sum())


def test_baseline_equals_base_inventory(base):
    r = run(base, "baseline")
    inv = base.inventory.total()[2020]
    t = totals(r)
    np.testing.assert_allclose(t[2020].to_numpy(), inv.to_numpy(), rtol=1e-12)
    # no drivers: activity constant
    np.testing.assert_allclose(t[2030].to_numpy(), inv.to_numpy(), rtol=1e-12)


def test_zero_penetration_changes_nothing(base):
    a, b = run(base, "baseline"), run(base, "zero")
    np.testing.assert_allclose(a.emissions, b.emissions, rtol=0, atol=0)
    np.testing.assert_allclose(a.activity, b.activity, rtol=0, atol=0)


def test_reduce_ramps_linearly(base):
    r = run(base, "policy")
    b = run(base, "baseline")
    for y, frac in ((2020, 0.0), (2025, 0.5), (2030, 1.0)):
        expected = line_em(base, b, "R1", "SO2", y) * (1 - frac * 0.5)
        assert line_em(base, r, "R1", "SO2", y) == pytest.approx(expected)


def test_end_of_pipe_raises_co2_by_energy_penalty(base):
    """Boiler wet FGD: SO2 × (1 − 0.97); electricity 1.2 % of 200 t × 25.8 GJ/t met by the
    local coal plant at 0.3055 tce/MWh → its CO2 rises by exactly that much coal."""
    b, r = run(base, "baseline"), run(base, "policy")
    assert line_em(base, r, "B1", "SO2", 2030) == pytest.approx(
        line_em(base, b, "B1", "SO2", 2030) * 0.03)
    mwh = 0.012 * 200 * 25.8 / 3.6
    extra_coal_t = mwh * 0.3055 * 29.3076 / 25.8
    d_co2_power = line_em(base, r, "U1", "CO2", 2030) - line_em(base, b, "U1", "CO2", 2030)
    assert d_co2_power == pytest.approx(extra_coal_t * CO2_PER_T_COAL, rel=1e-9)
    assert totals(r).loc["CO2", 2030] > totals(b).loc["CO2", 2030] - (
        line_em(base, b, "R1", "CO2", 2030) * 0.5) - 1e-9


def test_switch_to_electricity_is_not_emission_free(tmp_path):
    """Residential coal → electricity: 60 % of 100 t × 25.8 GJ/t × 0.5 / 3.6 MWh, met locally
    (α = 1) by coal power, or purchased (α = 0) with the grid factor 0.5366 t/MWh."""
    sc = {**SCENARIOS, "scenarios": {"s": {"measures": {"t_res_to_el": 0.6}},
                                     "b": {"measures": {}}}}
    mwh = 0.6 * 100 * 25.8 * 0.5 / 3.6
    for alpha in (1.0, 0.0):
        sc["settings"] = {**SCENARIOS["settings"], "local_electricity_share": alpha}
        base = prepare(write_scenario_project(tmp_path / f"a{alpha}", scenarios=sc))
        r, b = run(base, "s"), run(base, "b")
        assert line_em(base, r, "R1", "CO2", 2030, "hard_coal") == pytest.approx(
            0.4 * 100 * CO2_PER_T_COAL)
        if alpha == 1.0:
            d = line_em(base, r, "U1", "CO2", 2030) - line_em(base, b, "U1", "CO2", 2030)
            assert d == pytest.approx(mwh * 0.3055 * 29.3076 / 25.8 * CO2_PER_T_COAL)
        else:
            s2 = totals(r, scope=2).loc["CO2", 2030] - totals(b, scope=2).loc["CO2", 2030]
            assert s2 == pytest.approx(mwh * 0.5366)
        # electricity demand is counted: total CO2 (direct + indirect) falls by less than the
        # coal burnt at home
        all_r = totals(r, scope="all").loc["CO2", 2030]
        all_b = totals(b, scope="all").loc["CO2", 2030]
        assert all_b - all_r < 0.6 * 100 * CO2_PER_T_COAL


def test_scr_ammonia_slip(base):
    r = run(base, "enhanced")
    b = run(base, "baseline")
    # NH3 slip = p × 7.1 kg/t × η 0.8 × uncontrolled NOx of the unit (1 kt coal × 25.8 GJ/t
    # × 209 g/GJ; local generation rises with electrification, so use the run's activity)
    li = np.flatnonzero((base.lines["source_id"] == "U1").to_numpy())[0]
    act = r.activity[li, base.years.index(2030)]
    u_nox = act * base.ef[li, base.species.index("NOx")]
    d_nh3 = line_em(base, r, "U1", "NH3", 2030) - line_em(base, b, "U1", "NH3", 2030) * (
        act / b.activity[li, base.years.index(2030)])
    assert d_nh3 == pytest.approx(1.0 * 7.1e-3 * 0.8 * u_nox, rel=1e-9)


def test_marginal_effects_equal_full_reruns(base):
    full = run(base, "enhanced")
    me = marginal_effects(base, "enhanced", full)
    for mid in full.penetration:
        without = run(base, "enhanced", exclude={mid})
        for sc in (1, 2):
            diff = totals(without, scope=sc) - totals(full, scope=sc)
            sp = "CO2" if sc == 2 else None
            got = me[(me["measure"] == mid)]
            if sc == 1:
                g = got[got["species"].isin(base.species)].pivot(
                    index="species", columns="year", values="reduction_t")
                np.testing.assert_allclose(g.loc[list(base.species)].to_numpy(),
                                           diff.loc[list(base.species)].to_numpy(),
                                           rtol=1e-9, atol=1e-9, err_msg=mid)
            else:
                g = got[got["species"] == "CO2_scope2"].set_index("year")["reduction_t"]
                np.testing.assert_allclose(g.to_numpy(), diff.loc[sp].to_numpy(), atol=1e-9)


def test_package_metrics_include_interactions(base):
    pkg = package_metrics(base, "enhanced", "baseline", 2030)
    full = totals(run(base, "baseline"))[2030] - totals(run(base, "enhanced"))[2030]
    so2 = pkg[pkg["pollutant"] == "SO2"]["P_reduction"].iloc[0]
    assert so2 == pytest.approx(full["SO2"])
    # reduce + switch act on the same residential coal: the package is not the sum of
    # the single-measure effects
    me = marginal_effects(base, "enhanced")
    single = me[(me["year"] == 2030) & (me["species"] == "SO2")]["reduction_t"].sum()
    assert abs(single - full["SO2"]) > 1e-6


def test_measure_metrics_tables(base):
    out = measure_metrics(base, "enhanced", 2030)
    rk = out["ranking"]
    assert set(rk["measure"]) == set(run(base, "enhanced").penetration)
    fgd = out["metrics"][(out["metrics"]["measure"] == "t_boiler_fgd")
                         & (out["metrics"]["pollutant"] == "SO2")].iloc[0]
    # FGD cuts SO2 but adds CO2 (energy penalty): quadrant II, sign pair (−, +)
    assert fgd["quadrant"] == "II"
    assert out["mac_co2"]["target"].eq("CO2").all()


def test_costs_use_capital_recovery_factor(base):
    r = run(base, "policy")
    c = costs(base, r)
    row = c[(c["measure"] == "t_reduce_res") & (c["year"] == 2030)].iloc[0]
    crf = 0.05 * 1.05 ** 20 / (1.05 ** 20 - 1)
    affected = 100 * 0.5  # t coal reduced at full penetration
    assert row["affected"] == pytest.approx(affected)
    assert row["annualised_capex"] == pytest.approx(affected * 1000 * crf)
    assert row["opex"] == pytest.approx(affected * 50)


def test_targets_pass_fail_and_margin(base):
    res = check_targets(base, run(base, "policy"))
    cap = res[res["target"].str.startswith("SO2 cap")].iloc[0]
    assert cap["margin"] == pytest.approx(cap["limit"] - cap["value"])
    assert bool(cap["passed"]) == (cap["value"] <= 0.5)
    peak = res[res["target"].str.contains("peak")].iloc[0]
    assert bool(peak["passed"])  # CO2 falls from 2020 on in the policy scenario


def test_drivers_and_elasticities(tmp_path):
    drivers = pd.DataFrame({"driver": ["gdp"] * 2, "year": [2020, 2030], "value": [100, 200],
                            "unit": "1e8 yuan", "source": "test"})
    el = pd.DataFrame({"sector": ["residential", "*"], "driver": ["gdp", None],
                       "elasticity": [0.5, 0], "intensity_change": [-0.01, 0.0],
                       "source": "test"})
    base = prepare(write_scenario_project(tmp_path / "d", drivers=drivers, elasticities=el))
    r = run(base, "baseline")
    li = np.flatnonzero((base.lines["source_id"] == "R1").to_numpy())[0]
    # 2025: GDP 150 → (1.5)^0.5 × 0.99^5
    assert r.activity[li, 1] == pytest.approx(100 * 1.5 ** 0.5 * 0.99 ** 5)
    assert r.activity[li, 2] == pytest.approx(100 * 2 ** 0.5 * 0.99 ** 10)
    lp = np.flatnonzero((base.lines["source_id"] == "U1").to_numpy())[0]
    assert r.activity[lp, 2] == pytest.approx(1000)


def test_unknown_measure_is_reported(tmp_path):
    sc = {**SCENARIOS, "scenarios": {"x": {"measures": {"no_such_measure": 1.0}}}}
    with pytest.raises(InputError, match="no_such_measure"):
        prepare(write_scenario_project(tmp_path / "u", scenarios=sc))


def test_scenario_extends_chain(base):
    assert set(base.scenarios["enhanced"].measures) >= set(base.scenarios["policy"].measures)


def test_regional_penetrations(base):
    """A measure applied to one region only changes that region's lines; applied to the
    region holding all its lines it equals the global application."""
    glob = run(base, "baseline", penetrations={"t_reduce_res": 1.0})
    reg = run(base, "baseline", penetrations={("t_reduce_res", "D2"): 1.0})
    other = run(base, "baseline", penetrations={("t_reduce_res", "D1"): 1.0})
    b = run(base, "baseline")
    np.testing.assert_allclose(glob.emissions, reg.emissions)
    np.testing.assert_allclose(other.emissions, b.emissions)
    c = costs(base, reg)
    assert set(c["region"]) == {"D2"}


def test_penetration_paths_override_scenario(base):
    path = np.array([0.0, 0.2, 0.4])
    r = run(base, "policy", penetrations={"t_reduce_res": path})
    b = run(base, "baseline")
    for i, y in enumerate(base.years):
        assert line_em(base, r, "R1", "SO2", y) == pytest.approx(
            line_em(base, b, "R1", "SO2", y) * (1 - path[i] * 0.5))
