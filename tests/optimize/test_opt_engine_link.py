"""The optimiser's view of the scenario engine: costs, discounting, linearisation, regions.

Costs and discounting must equal cocontrol.scenario.costs / discounted_cost; the reduced-set
finite differences must equal full engine runs (all six test measures of
tests/scenariofixture.py, including the electricity-coupled switch, SCR, FGD and renewable,
per district); a plan of regional pairs is re-checked by the engine.
"""

from __future__ import annotations

import numpy as np
import pytest
from optfixture import aq_model, engine_check, project

import cocontrol.optimize as opt
from cocontrol.optimize.problem import linearise, upper_bounds
from cocontrol.scenario import costs, discounted_cost, run

ALL = ["t_reduce_res", "t_res_to_el", "t_boiler_fgd", "t_power_scr", "t_clinker_dust",
       "t_renewable"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return opt.prepare_base(project(tmp_path_factory.mktemp("el") / "p"), measures=ALL)


def test_discount_weights_reproduce_discounted_cost(base):
    """Σ_t w_t · cost_t equals scenario.discounted_cost (each period's cost held until the
    next scenario year, discounted to the first year at the project rate)."""
    pairs = opt.make_pairs(base, ALL)
    ev = opt.Evaluator(base, pairs)
    P = upper_bounds(pairs, base.years, 2020) * 0.6
    r = run(base, "baseline", penetrations=ev.penetrations(P))
    w = opt.discount_weights(base.years, base.settings.discount_rate)
    # hand check of the weights for 2020, 2025, 2030 at 5 %
    assert w[0] == pytest.approx(sum(1.05 ** -k for k in range(5)))
    assert w[2] == pytest.approx(1.05 ** -10)
    c = opt.annual_cost(base, r)
    np.testing.assert_allclose(c, costs(base, r).groupby("year")["cost_yuan"].sum()
                               .reindex(base.years).to_numpy(), rtol=1e-12)
    assert float(w @ c) == pytest.approx(discounted_cost(base, r), rel=1e-12)


@pytest.mark.parametrize("level", [None, "district"])
def test_reduced_linearisation_equals_full_runs(base, level):
    pairs = opt.make_pairs(base, ALL, region_level=level)
    if level:
        assert set(pairs["region"]) <= {"D1", "D2"}
    ev = opt.Evaluator(base, pairs)
    P = upper_bounds(pairs, base.years, 2020) * np.linspace(0.2, 0.9, len(pairs))[:, None]
    a = linearise(ev, P, reduced=False)
    b = linearise(ev, P, reduced=True)
    for x, y in ((a.g_emissions, b.g_emissions), (a.g_cost, b.g_cost),
                 (a.g_electricity, b.g_electricity)):
        np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-9 * np.abs(x).max())


def test_forward_difference_of_a_reduce_measure_by_hand(base):
    """Residential coal reduction, magnitude 0.5: one unit of penetration removes 50 t of the
    100 t of coal, so SO2 falls by half the residential SO2 in every year."""
    pairs = opt.make_pairs(base, ["t_reduce_res"])
    ev = opt.Evaluator(base, pairs)
    lin = linearise(ev, np.zeros((1, 3)))
    r0 = run(base, "baseline")
    res = (base.lines["source_id"] == "R1").to_numpy()
    so2 = r0.emissions[res, base.species.index("SO2")].sum(axis=0)
    np.testing.assert_allclose(lin.g_emissions[0, base.species.index("SO2")], -0.5 * so2,
                               rtol=1e-9)


def test_regional_plan_is_rechecked(base):
    pairs = opt.make_pairs(base, ALL, region_level="district")
    ev = opt.Evaluator(base, pairs)
    E0 = ev.evaluate(np.zeros((len(pairs), 3))).emissions[:, 0]
    s = opt.setup(ev, opt.link(aq_model(), "T", "T", base.species, E0))
    plan = opt.optimise(s, opt.Targets(pm25_max=38.0, pm25_year=2030, co2_peak_by=2025))
    assert plan.converged
    chk = engine_check(s, plan.P)
    np.testing.assert_allclose(chk["pm25"], plan.promised["pm25"], rtol=1e-6)
    np.testing.assert_allclose(chk["co2"], plan.promised["co2"], rtol=1e-6)
    assert chk["cost_pv"] == pytest.approx(plan.promised["cost_pv"], rel=1e-6)
    assert chk["pm25"][2] <= 38.0 + 1e-6
    co2 = chk["co2"]
    assert co2[2] <= co2[1] * (1 + 1e-9)  # peak by 2025: no rise afterwards


def test_pools_of_competing_switches(tmp_path):
    """Two switches of the same residential coal share a pool: Σ magnitude × p ≤ 1."""
    from optfixture import measures

    m = measures()
    extra = m[m["id"] == "t_res_to_el"].copy()
    extra["id"] = "t_res_to_el2"
    import pandas as pd

    from cocontrol.scenario.measures import COLUMNS

    mm = pd.concat([m, extra], ignore_index=True)[COLUMNS]
    from optfixture import SCENARIOS, write_scenario_project

    sc = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}}}, "targets": []}
    p = write_scenario_project(tmp_path / "pool", scenarios=sc, measures=mm)
    b = opt.prepare_base(p, measures=["t_res_to_el", "t_res_to_el2"])
    pairs = opt.make_pairs(b, ["t_res_to_el", "t_res_to_el2"])
    ev = opt.Evaluator(b, pairs)
    E0 = ev.evaluate(np.zeros((2, 3))).emissions[:, 0]
    s = opt.setup(ev, opt.link(aq_model(), "T", "T", b.species, E0))
    assert s.pools == [[0, 1]]
    plan = opt.optimise(s, opt.Targets(pm25_max=39.5, pm25_year=2030))
    assert (plan.P.sum(axis=0) <= 1 + 1e-9).all()


def test_on_top_of_a_scenario_with_its_own_measures(tmp_path):
    """Base scenario 'policy' applies the residential reduction and the boiler FGD itself; the
    optimiser decides FGD (replacing the scenario's setting: p = 0 means no FGD), the switch of
    residential coal to electricity (interacting with the scenario's reduction) and the clinker
    dust factor. Reduced and full linearisations agree; the plan is re-checked."""
    from optfixture import SCENARIOS, measures, write_scenario_project

    sc = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}},
                                     "policy": {"measures": {"t_reduce_res": 1.0,
                                                             "t_boiler_fgd": 1.0}}},
          "targets": []}
    p = write_scenario_project(tmp_path / "pol", scenarios=sc, measures=measures())
    mids = ["t_boiler_fgd", "t_res_to_el", "t_clinker_dust"]
    b = opt.prepare_base(p, measures=mids, base_scenario="policy")
    pairs = opt.make_pairs(b, mids)
    ev = opt.Evaluator(b, pairs, "policy")
    zero = ev.evaluate(np.zeros((3, 3)))
    without_fgd = run(b, "policy", exclude={"t_boiler_fgd"})
    np.testing.assert_allclose(zero.emissions, without_fgd.emissions[
        (b.lines["scope"] == 1).to_numpy()].sum(axis=0), rtol=1e-12)
    P = upper_bounds(pairs, b.years, 2020) * 0.5
    a = linearise(ev, P, reduced=False)
    c = linearise(ev, P, reduced=True)
    np.testing.assert_allclose(c.g_emissions, a.g_emissions, rtol=1e-9,
                               atol=1e-9 * np.abs(a.g_emissions).max())
    E0 = zero.emissions[:, 0]
    s = opt.setup(ev, opt.link(aq_model(), "T", "T", b.species, E0))
    plan = opt.optimise(s, opt.Targets(pm25_max=38.0, pm25_year=2030))
    r = run(b, "policy", penetrations=plan.penetration_dict())
    E = r.emissions[(b.lines["scope"] == 1).to_numpy()].sum(axis=0)
    np.testing.assert_allclose(s.aq.pm25(E), plan.promised["pm25"], rtol=1e-6)
    assert discounted_cost(b, r) == pytest.approx(plan.promised["cost_pv"], rel=1e-6)
