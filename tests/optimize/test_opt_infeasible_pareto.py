"""Infeasible targets are explained (which target, which year, by how much, from engine runs);
Pareto points are non-dominated and engine-checked; the AQ link is linear in the cut."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from optfixture import engine_check, make_setup, monotone_paths

import cocontrol.optimize as opt
from cocontrol.airquality import tm5fasst_china
from cocontrol.errors import InfeasibleError
from cocontrol.optimize.pareto import non_dominated, pareto

MIDS = ["t_reduce_res", "t_boiler_fgd", "t_clinker_dust"]


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    return make_setup(tmp_path_factory.mktemp("inf") / "p", MIDS)


def test_infeasible_pm25_reports_target_year_and_shortfall(s):
    """Every measure at its maximum gives the lowest PM2.5 (all three cut PM2.5): the report
    must give exactly that engine value minus the limit, for 2025 and 2030."""
    o = s.ev.evaluate(s.ub)
    pm_min = s.pm25(o.emissions)
    with pytest.raises(InfeasibleError) as ei:
        opt.optimise(s, opt.Targets(pm25_max=30.0, pm25_year=2025, co2_peak_by=2025))
    rep = ei.value.report
    fail = rep[~rep["met"]]
    assert set(fail["constraint"]) == {"pm25"}
    assert sorted(fail["year"]) == [2025, 2030]
    for y, i in ((2025, 1), (2030, 2)):
        row = fail[fail["year"] == y].iloc[0]
        assert row["shortfall"] == pytest.approx(pm_min[i] - 30.0, rel=1e-6)
        assert row["unit"] == "µg/m³"
    assert "PM2.5" in str(ei.value) and "2025" in str(ei.value)
    # the CO2 peak was reachable: reported as met
    assert rep[rep["constraint"] == "co2_peak"]["met"].all()


def test_infeasible_co2_cap_reports_shortfall_in_t(s):
    """The lowest CO2: residential coal cut at its maximum, no boiler FGD (its energy penalty
    adds CO2 at the power plant), the clinker dust factor does not touch CO2."""
    ic = s.species_index("CO2")
    P = s.ub.copy()
    P[list(s.pairs["measure"]).index("t_boiler_fgd")] = 0.0
    co2_min = s.ev.evaluate(P).emissions[ic, 2]
    assert co2_min < s.ev.evaluate(s.ub).emissions[ic, 2]
    with pytest.raises(InfeasibleError) as ei:
        opt.optimise(s, opt.Targets(pm25_max=39.0, pm25_year=2030, co2_caps={2030: 1000.0}))
    rep = ei.value.report
    fail = rep[~rep["met"]]
    assert list(fail["constraint"]) == ["co2_cap"]
    assert fail.iloc[0]["year"] == 2030
    assert fail.iloc[0]["shortfall"] == pytest.approx(co2_min - 1000.0, rel=1e-6)
    assert fail.iloc[0]["unit"] == "t CO2"


def test_infeasible_budget_gives_each_targets_own_relaxation(s):
    """Budget below the least cost of the PM2.5 target: the report says how much the budget
    alone must grow (= least cost − budget) and how much PM2.5 alone must be relaxed."""
    t = opt.Targets(pm25_max=37.0, pm25_year=2030)
    least = opt.optimise(s, t).cost_pv
    with pytest.raises(InfeasibleError) as ei:
        opt.optimise(s, opt.Targets(pm25_max=37.0, pm25_year=2030, budget=0.5 * least))
    rep = ei.value.report
    assert not rep["met"].all()
    b = rep[rep["constraint"] == "budget"].iloc[0]
    assert b["shortfall_if_only_this_relaxed"] == pytest.approx(0.5 * least, rel=1e-6)
    pm = rep[rep["constraint"] == "pm25"]["shortfall_if_only_this_relaxed"]
    assert (pm > 0).any()
    assert "budget" in str(ei.value)


def test_interacting_infeasibility_matches_brute_force(tmp_path):
    """Interacting measures: the best achievable 2025 PM2.5 reported equals the minimum over
    the integer grid found by brute force."""
    mids = ["t_reduce_res", "t_res_to_el", "t_clinker_dust"]
    si = make_setup(tmp_path / "i", mids, steps=dict.fromkeys(mids, 2))
    paths = monotone_paths([[0.0], [0.0, 0.5], [0.0, 0.5, 1.0]])
    best = min(float(si.pm25(si.ev.evaluate(np.array(c)).emissions)[1])
               for c in itertools.product(paths, repeat=3))
    with pytest.raises(InfeasibleError) as ei:
        opt.optimise(si, opt.Targets(pm25_max=best - 0.01, pm25_year=2025))
    row = ei.value.report.query("constraint == 'pm25' and year == 2025").iloc[0]
    assert row["value"] == pytest.approx(best, rel=1e-9)
    assert row["shortfall"] == pytest.approx(0.01, rel=1e-6)


def test_pareto_points_are_non_dominated_and_checked(s):
    tab, plans = pareto(s, opt.Targets(), n_points=4, year=2030)
    assert len(tab) >= 3
    pts = tab[["cost_pv_yuan", "pm25_ugm3", "co2_t"]].to_numpy()
    assert non_dominated(pts).all()
    for i in range(len(pts)):  # pairwise: nobody is ≤ everywhere and < somewhere
        for j in range(len(pts)):
            if i != j:
                assert not ((pts[j] <= pts[i] + 1e-9).all() and (pts[j] < pts[i] - 1e-9).any())
    # cost rises as PM2.5 falls along the front
    srt = tab.sort_values("pm25_ugm3")
    assert (np.diff(srt["cost_pv_yuan"].to_numpy()) <= 1e-6).all()
    for pl, r in zip(plans, tab.itertuples(), strict=True):
        chk = engine_check(s, pl.P)
        assert chk["pm25"][2] == pytest.approx(r.pm25_ugm3, rel=1e-6)
        assert chk["cost_pv"] == pytest.approx(r.cost_pv_yuan, rel=1e-6)


def test_non_dominated_filter():
    pts = np.array([[1, 5, 5], [2, 4, 5], [2, 5, 5], [3, 3, 3]], float)
    assert list(non_dominated(pts)) == [True, True, False, True]


def test_aq_link_is_linear_in_the_cut_and_reproduces_tm5fasst():
    """TM5-FASST CHN→CHN: a 20 % cut of China's SO2 changes SO4 by −0.755369, NO3 by
    +0.067910 and NH4 by −0.210542 µg/m³ (Van Dingenen et al. 2018, coefficients as in rfasst;
    docs/methods/air-quality-response.md), so PM2.5 by −0.898001 µg/m³. Through the species
    link the response is linear in the cut fraction."""
    model = tm5fasst_china(include_o3=False)
    e_so2 = float(model.metadata["base_emissions_t"][("CHN", "SO2")])
    species = ("SO2", "NOx", "NH3", "VOCs", "BC", "OC", "PM2.5")
    E0 = np.array([e_so2, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0])
    link = opt.link(model, "CHN", "CHN", species, E0)
    base = link.pm25_base
    for cut in (0.1, 0.2, 0.4):
        E = E0.copy()
        E[0] *= 1 - cut
        d = float(link.pm25(E[:, None])[0]) - base
        assert d == pytest.approx(-0.898001 * cut / 0.2, rel=1e-5)
        pred = model.predict(pd.DataFrame({"source_region": ["CHN"], "precursor": ["SO2"],
                                           "change_t": [-cut * e_so2]}))
        assert d == pytest.approx(float(pred.loc[pred["component"] == "PM2.5", "change"]
                                        .iloc[0]), rel=1e-12)
