"""The LP layer on hand-made coefficients (no engine): a merit-order optimum computed by hand,
the ε sweep on one model equals separate solves, and every rule (pools, companions,
precedence, monotone, lumpy steps, CO2 peak) holds in the solution."""

from __future__ import annotations

import numpy as np
import pytest

from cocontrol.optimize import lp as lpm
from cocontrol.optimize.pareto import pareto_lp


def data(K=2, T=2, pm_g=None, cost_g=None, co2_g=None, ub=None, steps=None, pools=(),
         links=(), co2_0=None):
    years = [2020 + 5 * i for i in range(T)]
    ub = np.ones((K, T)) if ub is None else ub
    ub[:, 0] = 0.0
    return lpm.LPData(
        years, np.zeros((K, T)), ub, np.ones(K), np.zeros(K, int) if steps is None else steps,
        np.ones(K), np.ones(T),
        lpm.Quantity(np.zeros(T), np.zeros((K, T)) if cost_g is None else cost_g),
        lpm.Quantity(np.full(T, 100.0) if co2_0 is None else co2_0,
                     np.zeros((K, T)) if co2_g is None else co2_g),
        lpm.Quantity(np.full(T, 40.0), np.zeros((K, T)) if pm_g is None else pm_g),
        None, {}, [list(g) for g in pools], list(links))


def test_merit_order_by_hand():
    """A: −2 µg/m³ for 10 yuan, B: −1 µg/m³ for 3 yuan (per unit penetration). To cut 2.5
    µg/m³: all of B (3 yuan/µg) first, then 0.75 of A (5 yuan/µg): cost 3 + 7.5 = 10.5."""
    d = data(pm_g=np.array([[0, -2.0], [0, -1.0]]), cost_g=np.array([[0, 10.0], [0, 3.0]]))
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=37.5, pm25_year=2025))
    np.testing.assert_allclose(r.P[:, 1], [0.75, 1.0], atol=1e-9)
    assert r.objective == pytest.approx(10.5)
    # shadow price of the PM2.5 row: the marginal measure A costs 5 yuan per µg/m³
    assert -r.duals["pm25"][0] == pytest.approx(5.0)


def test_rules_hold():
    K, T = 4, 3
    pm_g = -np.ones((K, T))
    cost_g = np.array([[1.0] * T, [2.0] * T, [3.0] * T, [0.5] * T])
    ub = np.ones((K, T))
    d = data(K, T, pm_g=pm_g, cost_g=cost_g, ub=ub, steps=np.array([0, 0, 0, 4]),
             pools=[(0, 1)], links=[(2, 1, "equal"), (3, 0, "requires")])
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=38.2, pm25_year=2025), mip_gap=0.0)
    P = r.P
    assert (P[0] + P[1] <= 1 + 1e-9).all()  # pool
    np.testing.assert_allclose(P[2], P[1], atol=1e-9)  # companion
    assert (P[3] <= P[0] + 1e-9).all()  # precedence
    np.testing.assert_allclose(P[3] * 4, np.round(P[3] * 4), atol=1e-9)  # lumpy steps
    assert (np.diff(P, axis=1) >= -1e-9).all()  # monotone
    assert (40 - P[:, 1:].sum(axis=0) <= 38.2 + 1e-9).all()
    assert r.mip_gap is not None


def test_milp_shadow_price_from_the_fixed_lp():
    """A (lumpy, steps of ½): −2 µg/m³ for 1 yuan per unit; B: −1 µg/m³ for 3 yuan. Cut 2.5:
    A = 1 (cut 2) and B = ½ (cost 2.5); A = ½ cannot reach it. With A fixed the marginal
    measure is B: shadow price 3 yuan per µg/m³."""
    d = data(pm_g=np.array([[0, -2.0], [0, -1.0]]), cost_g=np.array([[0, 1.0], [0, 3.0]]),
             steps=np.array([2, 0]))
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=37.5, pm25_year=2025), mip_gap=0.0)
    np.testing.assert_allclose(r.P[:, 1], [1.0, 0.5], atol=1e-9)
    assert r.objective == pytest.approx(2.5)
    assert -r.duals["pm25"][0] == pytest.approx(3.0)


def test_co2_peak_rows():
    """CO2 100, 110, 120 without measures; a measure cuts 30 t per unit at cost 1: the peak by
    2025 needs CO2(2030) ≤ CO2(2025), i.e. p2030 − p2025 ≥ 1/3 — cheapest p2025 = 0,
    p2030 = 1/3."""
    d = data(1, 3, co2_g=np.array([[0, -30.0, -30.0]]), cost_g=np.array([[0, 1.0, 1.0]]),
             co2_0=np.array([100.0, 110.0, 120.0]))
    r = lpm.build_and_solve(d, lpm.Targets(co2_peak_by=2025))
    np.testing.assert_allclose(r.P[0], [0, 0, 1 / 3], atol=1e-9)


def test_eps_sweep_equals_separate_solves():
    rng = np.random.default_rng(3)
    K, T = 30, 4
    d = data(K, T, pm_g=-rng.uniform(0.1, 1, (K, T)), cost_g=rng.normal(1, 1, (K, T)))
    front = pareto_lp(d, lpm.Targets(), n_points=6, year_index=2)
    assert len(front) == 6
    for e, cost in zip(front["eps_pm25_ugm3"], front["cost_pv_yuan"], strict=True):
        r = lpm.build_and_solve(d, lpm.Targets(), eps_pm25=(2, e + 1e-7 * abs(e)))
        assert float(d.disc @ d.cost.at(r.P, d.P0)) == pytest.approx(cost, rel=1e-7,
                                                                     abs=1e-7)
    assert (np.diff(front["cost_pv_yuan"]) >= -1e-7).all()


def test_infeasible_lp_is_signalled():
    d = data(pm_g=np.array([[0, -1.0], [0, -1.0]]))
    with pytest.raises(lpm.LPInfeasible):
        lpm.build_and_solve(d, lpm.Targets(pm25_max=10.0, pm25_year=2025))
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=10.0, pm25_year=2025), slack=True)
    # minimal relaxation: both at 1 → 38 µg/m³, 28 above the limit (slack in limit units)
    assert r.slacks["pm25"][0] == pytest.approx(28.0)


def two_measures(**kw):
    """A: −30 t CO2 for 1 yuan (1/30 yuan/t), B: −10 t for 0.2 yuan (1/50 yuan/t), in 2025."""
    return data(co2_g=np.array([[0, -30.0], [0, -10.0]]),
                cost_g=np.array([[0, 1.0], [0, 0.2]]), **kw)


def test_co2_cap_by_merit_order_and_its_shadow_price():
    # CO2 100 t in 2025, cap 80: B first (10 t for 0.2), then 10 t of A (1/3 of it, 1/3
    # yuan): cost 0.2 + 1/3; the marginal tonne costs A's 1/30 yuan
    r = lpm.build_and_solve(two_measures(), lpm.Targets(co2_caps={2025: 80.0}))
    np.testing.assert_allclose(r.P[:, 1], [1 / 3, 1.0], atol=1e-9)
    assert r.objective == pytest.approx(0.2 + 1 / 3)
    assert -r.duals["co2_cap"][0] == pytest.approx(1 / 30)
    assert [(w.year, w.limit) for w in r.rows["co2_cap"]] == [(2025, 80.0)]


def test_species_cap_names_its_row_and_unknown_species_is_an_error():
    d = two_measures()
    d.species = {"SO2": lpm.Quantity(np.array([5.0, 5.0]), np.array([[0, -1.0], [0, -4.0]]))}
    # SO2 5 t, cap 3: B cuts 4 t/unit for 0.2 (0.05 yuan/t) beats A (1 yuan/t): B = 1/2
    r = lpm.build_and_solve(d, lpm.Targets(caps=[("SO2", 2025, 3.0)]))
    np.testing.assert_allclose(r.P[:, 1], [0.0, 0.5], atol=1e-9)
    assert r.objective == pytest.approx(0.1)
    assert [w.target for w in r.rows["cap0"]] == ["SO2 cap"]
    with pytest.raises(lpm.ModelError, match="NOx"):
        lpm.build_and_solve(d, lpm.Targets(caps=[("NOx", 2025, 3.0)]))


def test_discount_weights_scale_the_objective():
    # the merit-order problem with the 2025 cost weighted 0.5: same plan, half the cost
    d = data(pm_g=np.array([[0, -2.0], [0, -1.0]]), cost_g=np.array([[0, 10.0], [0, 3.0]]))
    d.disc = np.array([1.0, 0.5])
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=37.5, pm25_year=2025))
    np.testing.assert_allclose(r.P[:, 1], [0.75, 1.0], atol=1e-9)
    assert r.objective == pytest.approx(0.5 * 10.5)


def test_pm25_target_binds_only_from_its_year():
    # three years, limit 39 from 2030 on: 2025 is free (no measure), 2030 cut 1 by B (cost 3)
    pm_g = np.array([[0, -2.0, -2.0], [0, -1.0, -1.0]])
    cost_g = np.array([[0, 10.0, 10.0], [0, 3.0, 3.0]])
    d = data(2, 3, pm_g=pm_g, cost_g=cost_g)
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=39.0, pm25_year=2030))
    np.testing.assert_allclose(r.P[:, 1:], [[0, 0], [0, 1.0]], atol=1e-9)
    assert [w.year for w in r.rows["pm25"]] == [2030]


def test_cocontrol_objective_under_a_budget_by_hand():
    # benefit per unit: A 1.2 yuan/eq × 10 eq = 12 for 10 yuan (1.2 per yuan), B 80 yuan/t ×
    # 1 t = 80 for 100 yuan (0.8 per yuan). Budget 15: all of A, then 5/100 of B; benefit
    # 12 + 4 = 16 (the objective is its negative)
    d = data(co2_g=np.array([[0, 0.0], [0, -1.0]]), cost_g=np.array([[0, 10.0], [0, 100.0]]))
    d.apeq = lpm.Quantity(np.zeros(2), np.array([[0, -10.0], [0, 0.0]]))
    r = lpm.build_and_solve(d, lpm.Targets(budget=15.0), objective="cocontrol")
    np.testing.assert_allclose(r.P[:, 1], [1.0, 0.05], atol=1e-9)
    assert r.objective == pytest.approx(-16.0)
    assert [(w.year, w.limit) for w in r.rows["budget"]] == [(2020, 15.0)]  # base-year PV
    d.apeq = None
    with pytest.raises(lpm.ModelError, match="APeq"):
        lpm.build_and_solve(d, lpm.Targets(budget=15.0), objective="cocontrol")


def test_min_pm25_and_min_co2_ends_of_the_front():
    # A cuts PM2.5 (−2), B cuts CO2 (−10) and raises PM2.5 (+1): minimising PM2.5 takes A
    # only (38 µg/m³); minimising CO2 takes B only (90 t); never a measure that works
    # against the objective
    d = data(pm_g=np.array([[0, -2.0], [0, 1.0]]), co2_g=np.array([[0, 0.0], [0, -10.0]]),
             cost_g=np.array([[0, 1.0], [0, 1.0]]))
    r = lpm.build_and_solve(d, lpm.Targets(), objective="min_pm25")
    np.testing.assert_allclose(r.P[:, 1], [1.0, 0.0], atol=1e-9)
    assert r.objective == pytest.approx(-2.0, rel=1e-6)  # ΔPM2.5 (scaled back), + 1e-9 cost
    r = lpm.build_and_solve(d, lpm.Targets(), objective="min_co2", obj_year=1)
    np.testing.assert_allclose(r.P[:, 1], [0.0, 1.0], atol=1e-9)
    d.pm25 = None
    with pytest.raises(lpm.ModelError):
        lpm.build_and_solve(d, lpm.Targets(), objective="min_pm25")
    with pytest.raises(lpm.ModelError, match="unknown objective"):
        lpm.build_and_solve(d, lpm.Targets(), objective="max_benefit")


def test_slack_on_one_group_only_and_eps_co2():
    # cap 50 t is out of reach (both measures: 60 t): softened alone, the slack is the 10 t
    # left; the ε row on CO2 (≤ 75 t in 2025) binds like a cap
    d = two_measures()
    r = lpm.build_and_solve(d, lpm.Targets(co2_caps={2025: 50.0}), slack={"co2_cap"})
    assert r.slacks["co2_cap"][0] == pytest.approx(10.0)
    assert set(r.slacks) == {"co2_cap"}
    with pytest.raises(lpm.LPInfeasible):
        lpm.build_and_solve(d, lpm.Targets(co2_caps={2025: 50.0}), slack={"pm25"})
    r = lpm.build_and_solve(d, lpm.Targets(), eps_co2=(1, 75.0))
    np.testing.assert_allclose(r.P[:, 1], [0.5, 1.0], atol=1e-9)  # 10 by B, 15 by A


def test_lower_bounds_are_kept():
    d = two_measures()
    d.lb = np.array([[0.0, 0.5], [0.0, 0.0]])
    r = lpm.build_and_solve(d, lpm.Targets(co2_caps={2025: 80.0}))
    # A at its floor of 0.5 already cuts 15 t; B adds the remaining 5 t (half of it)
    np.testing.assert_allclose(r.P[:, 1], [0.5, 0.5], atol=1e-9)


def test_eps_levels_need_a_first_eps_row():
    with pytest.raises(lpm.ModelError, match="eps_pm25"):
        lpm.build_and_solve(two_measures(), lpm.Targets(), eps_pm25_levels=[30.0])


def test_lumpy_steps_of_a_pair_whose_maximum_is_not_one():
    # A: max penetration 0.5 in 2 steps (0, 0.25, 0.5), −4 µg/m³ per unit for 1 yuan; B: −1
    # for 10 yuan. Cut 1.5: A = 0.375 is not a step, so A = 0.5 (cut 2, cost 0.5)
    ub = np.array([[0.0, 0.5], [0.0, 1.0]])
    d = data(pm_g=np.array([[0, -4.0], [0, -1.0]]), cost_g=np.array([[0, 1.0], [0, 10.0]]),
             ub=ub, steps=np.array([2, 0]))
    d.pmax = np.array([0.5, 1.0])
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=38.5, pm25_year=2025), mip_gap=0.0)
    np.testing.assert_allclose(r.P[:, 1], [0.5, 0.0], atol=1e-9)
    assert r.objective == pytest.approx(0.5)


def test_co2_peak_in_the_first_year_chains_every_later_year():
    """CO2 100, 110, 120; −30 t per unit: peaking by 2020 needs 2025 ≤ 2020 (p2025 ≥ 1/3)
    and 2030 ≤ 2025 (p2030 − p2025 ≥ 1/3): p = 0, 1/3, 2/3, CO2 flat at 100."""
    d = data(1, 3, co2_g=np.array([[0, -30.0, -30.0]]), cost_g=np.array([[0, 1.0, 1.0]]),
             co2_0=np.array([100.0, 110.0, 120.0]))
    r = lpm.build_and_solve(d, lpm.Targets(co2_peak_by=2020))
    np.testing.assert_allclose(r.P[0], [0, 1 / 3, 2 / 3], atol=1e-9)
    assert [w.year for w in r.rows["co2_peak"]] == [2025, 2030]


def test_pm25_target_without_a_year_binds_from_the_first_year():
    # PM2.5 is 40 in 2020, where no measure can act yet (ub 0): a limit of 39 without a
    # start year is infeasible; 40 holds, with a row for every year
    d = data(pm_g=np.array([[0, -2.0], [0, -1.0]]), cost_g=np.array([[0, 10.0], [0, 3.0]]))
    # (this row has no variable: linopy drops such rows, and the violated target was
    # reported "optimal" before the check in build_and_solve)
    with pytest.raises(lpm.LPInfeasible):
        lpm.build_and_solve(d, lpm.Targets(pm25_max=39.0))
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=39.0), slack=True)
    assert r.slacks["pm25"].tolist() == pytest.approx([1.0, 0.0])  # 1 µg/m³ over in 2020
    r = lpm.build_and_solve(d, lpm.Targets(pm25_max=40.0))
    assert [w.year for w in r.rows["pm25"]] == [2020, 2025]


def test_eps_pm25_row_is_the_merit_order_limit_by_hand():
    # the ε row PM2.5(2025) ≤ 37.5 on the merit-order data: B then 0.75 of A, 10.5 yuan
    d = data(pm_g=np.array([[0, -2.0], [0, -1.0]]), cost_g=np.array([[0, 10.0], [0, 3.0]]))
    r = lpm.build_and_solve(d, lpm.Targets(), eps_pm25=(1, 37.5))
    np.testing.assert_allclose(r.P[:, 1], [0.75, 1.0], atol=1e-9)
    assert r.objective == pytest.approx(10.5)
    # the same model swept over two more levels: 39 (B alone, 3 yuan), 37 (A and B, 13)
    out = lpm.build_and_solve(d, lpm.Targets(), eps_pm25=(1, 37.5),
                              eps_pm25_levels=[39.0, 37.0])
    assert [o.objective for o in out] == pytest.approx([3.0, 13.0])
