"""Scenario analysis (scenario/analysis.py): cases where planted bugs survived (make mutate):
discounting of the net annual costs, a cap met exactly, the margin of a peak target, cap
units, and intensity targets whose driver is missing or has no unit (a plain error, not a
traceback: this test failed before the fix)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenariofixture import write_scenario_project

from cocontrol.errors import InputError, render
from cocontrol.scenario import check_targets, costs, marginal_effects, prepare, run, totals
from cocontrol.scenario.analysis import discounted_cost
from cocontrol.scenario.engine import restrict, run_batch


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return prepare(write_scenario_project(tmp_path_factory.mktemp("an") / "p"))


def test_discounted_cost_holds_each_periods_cost_until_the_next(base):
    # years 2020, 2025, 2030 at 5 %: the cost of 2020 counts for 2020..2024, that of 2025 for
    # 2025..2029, the last year's once: PV = Σ_y c_y Σ_k 1.05^-(y + k - 2020)
    r = run(base, "policy")
    c = costs(base, r).groupby("year")["cost_yuan"].sum()
    spans = {2020: range(2020, 2025), 2025: range(2025, 2030), 2030: range(2030, 2031)}
    hand = sum(float(c.get(y, 0.0)) / 1.05 ** (t - 2020) for y, ts in spans.items() for t in ts)
    assert c.abs().sum() > 0 and discounted_cost(base, r) == pytest.approx(hand, rel=1e-12)


def test_cap_met_exactly_passes_and_is_reported_in_its_unit(base):
    r = run(base, "policy")
    so2_t = float(totals(r).loc["SO2", 2030])
    res = check_targets(base, r, [{"type": "cap", "species": "SO2", "year": 2030,
                                   "max": so2_t / 1000, "unit": "kt"}]).iloc[0]
    assert res["value"] == pytest.approx(so2_t / 1000, rel=1e-12) and bool(res["passed"])


def test_peak_margin_is_years_to_spare(base):
    res = check_targets(base, run(base, "policy"), [{"type": "co2_peak", "by": 2030}]).iloc[0]
    assert res["value"] == 2020 and res["margin"] == 10 and bool(res["passed"])


def test_intensity_target_without_the_driver_is_a_plain_error(base):
    t = [{"type": "intensity", "species": "CO2", "year": 2030, "max": 1.0,
          "unit": "t/1e4 yuan", "per": "gdp"}]
    with pytest.raises(InputError, match="driver not found"):
        check_targets(base, run(base, "policy"), t)


def test_intensity_target_whose_driver_has_no_unit(tmp_path):
    drivers = pd.DataFrame({"driver": ["gdp"] * 2, "year": [2020, 2030], "value": [2.0, 2.0],
                            "unit": [None, None], "source": "test"})
    b = prepare(write_scenario_project(tmp_path / "p", drivers=drivers))
    t = [{"type": "intensity", "species": "CO2", "year": 2030, "max": 1.0,
          "unit": "t/1e4 yuan", "per": "gdp"}]
    with pytest.raises(InputError, match="has no unit") as e:
        check_targets(b, run(b, "baseline"), t)
    assert render(e.value.problems[0], "zh").startswith("drivers.csv，列/键 unit：强度目标的驱动因子没有单位")
    t[0]["unit"] = "t"
    with pytest.raises(InputError, match="needs a ratio unit") as e:
        check_targets(b, run(b, "baseline"), t)
    assert "强度目标需要比值单位" in render(e.value.problems[0], "zh")


@pytest.fixture(scope="module")
def enhanced(base):
    return run(base, "enhanced")


@pytest.fixture(scope="module")
def batch_effects(base, enhanced):
    return marginal_effects(base, "enhanced", enhanced, method="batch")


@pytest.mark.parametrize("method", ["footprint", "rerun"])
def test_every_method_of_marginal_effects_gives_the_batch_numbers(base, enhanced,
                                                                  batch_effects, method):
    # the three methods are exact (docstring): same rows, same reductions to rounding
    me = marginal_effects(base, "enhanced", enhanced, method=method)
    assert me[["measure", "species", "year"]].equals(batch_effects[["measure", "species",
                                                                    "year"]])
    np.testing.assert_allclose(me["reduction_t"], batch_effects["reduction_t"], atol=1e-9)


def test_marginal_effect_of_fgd_is_a_positive_so2_reduction(base, batch_effects):
    # wet FGD (η SO2 0.97, bundled control_removal.csv) on boiler B1 at full penetration in
    # 2030: the reduction (without − with, > 0) is 0.97 × the boiler's SO2 without it, less
    # the SO2 its electricity penalty (1.2 % of energy use) adds at the local power plant;
    # the penalty's CO2 makes its CO2 "reduction" negative
    e = batch_effects.set_index(["measure", "species", "year"])["reduction_t"]
    without = run(base, "enhanced", exclude={"t_boiler_fgd"})
    b1 = (base.lines["source_id"] == "B1").to_numpy()
    so2 = float(without.emissions[b1, base.species.index("SO2"), base.years.index(2030)].sum())
    assert 0.9 * 0.97 * so2 < e[("t_boiler_fgd", "SO2", 2030)] < 0.97 * so2
    assert e[("t_boiler_fgd", "CO2", 2030)] < 0


def test_footprint_is_the_lines_a_measure_can_change(base):
    from cocontrol.scenario.analysis import footprint

    r = run(base, "policy")
    keys = base.lines["source_id"] + "/" + base.lines["fuel"].astype(str)

    def lines_of(mid):
        return sorted(keys[footprint(base, r, mid)])
    # reducing residential coal touches its own line only; the FGD's electricity penalty
    # pulls in B1's electricity line and the local power plant U1 that supplies it
    assert lines_of("t_reduce_res") == ["R1/hard_coal"]
    assert lines_of("t_boiler_fgd") == ["B1/electricity", "B1/hard_coal", "U1/hard_coal"]


def test_auto_method_chooses_batch_footprint_or_rerun(base, enhanced, batch_effects,
                                                      monkeypatch):
    from cocontrol.scenario import analysis

    calls = []
    monkeypatch.setattr(analysis, "run_batch",
                        lambda *a, **k: calls.append("batch") or run_batch(*a, **k))
    monkeypatch.setattr(analysis, "restrict",
                        lambda *a, **k: calls.append("footprint") or restrict(*a, **k))
    auto = marginal_effects(base, "enhanced", enhanced)
    assert calls == ["batch"]
    np.testing.assert_allclose(auto["reduction_t"], batch_effects["reduction_t"], atol=0)
    # above the batch size: "policy" footprints cover 1 + 3 of 2 × 8 line runs (< half):
    # footprint, once per measure; "enhanced" 37 of 7 × 8 (>= half): full re-runs
    monkeypatch.setattr(analysis, "BATCH_CELLS", 0)
    calls.clear()
    marginal_effects(base, "policy")
    assert calls == ["footprint", "footprint"]
    calls.clear()
    rr = marginal_effects(base, "enhanced", enhanced)
    assert calls == []
    np.testing.assert_allclose(rr["reduction_t"], batch_effects["reduction_t"], atol=1e-9)


def test_unknown_marginal_method_is_an_error(base, enhanced):
    with pytest.raises(ValueError):
        marginal_effects(base, "enhanced", enhanced, method="exact")


def _fake_totals(monkeypatch, co2):
    from cocontrol.scenario import analysis

    tot = pd.DataFrame([co2], index=["CO2"], columns=[2020, 2025, 2030], dtype=float)
    monkeypatch.setattr(analysis, "totals", lambda r, scope=1: tot)


def test_peak_target_fails_when_emissions_rise_from_the_target_year(base, monkeypatch):
    # CO2 100, 90, 95: the maximum is in 2020 (before 2025) but 2025 -> 2030 rises again
    _fake_totals(monkeypatch, [100.0, 90.0, 95.0])
    res = check_targets(base, None, [{"type": "co2_peak", "by": 2025}]).iloc[0]
    assert not bool(res["passed"]) and res["note"] and res["year"] == 2020
    # a rise below 1e-9 of the level is rounding, not a rise
    _fake_totals(monkeypatch, [100.0, 90.0, 90.0 + 1e-8])
    res = check_targets(base, None, [{"type": "co2_peak", "by": 2025}]).iloc[0]
    assert bool(res["passed"]) and res["note"] == ""


def test_peak_target_below_one_tonne_uses_an_absolute_tolerance(base, monkeypatch):
    # levels below 1 t: the tolerance is 1e-9 t (max(1, level)), so a rise of 1e-6 t counts
    _fake_totals(monkeypatch, [0.5, 0.2, 0.2 + 1e-6])
    res = check_targets(base, None, [{"type": "co2_peak", "by": 2025}]).iloc[0]
    assert not bool(res["passed"])


def test_energy_cap_on_solid_fuels_by_hand(base):
    # 2020 coal: U1 1000 t + R1 100 t + B1 200 t hard coal × 25.8 GJ/t (IPCC 2006 Vol.2
    # Table 1.2) = 33,540 GJ = 33,540 / 29.3076 tce (GB/T 2589-2020)
    r = run(base, "baseline")
    tce = 1300 * 25.8 / 29.3076
    res = check_targets(base, r, [{"type": "energy_cap", "year": 2020, "max": tce}]).iloc[0]
    # a cap met exactly (to rounding) passes, as a species cap does
    assert res["value"] == pytest.approx(tce, rel=1e-12) and bool(res["passed"])
    assert res["unit"] == "tce" and res["year"] == 2020
    res = check_targets(base, r, [{"type": "energy_cap", "year": 2020, "unit": "GJ",
                                   "fuels": ["hard_coal"], "max": 33539.0}]).iloc[0]
    assert res["value"] == pytest.approx(33540.0) and not bool(res["passed"])
    assert res["margin"] == pytest.approx(-1.0)


def test_energy_by_scope(base):
    from cocontrol.scenario.analysis import energy

    r = run(base, "baseline")
    e1 = energy(base, r, unit="GJ", scope=1).set_index(["fuel", "year"])["value"]
    assert e1[("hard_coal", 2020)] == pytest.approx(1300 * 25.8)
    assert "electricity" not in e1.index.get_level_values("fuel")  # purchased: scope 2
    e2 = energy(base, r, unit="GJ", scope=2).set_index(["fuel", "year"])["value"]
    assert e2[("electricity", 2020)] == pytest.approx(100 * 3.6)  # 100 MWh × 3.6 GJ/MWh


def test_unknown_target_type_is_an_error(base):
    with pytest.raises(InputError, match="type"):
        check_targets(base, run(base, "baseline"), [{"type": "ceiling"}])


def test_costs_of_a_measure_without_capital_and_lifetime(base):
    # a blank lifetime is allowed with capex 0 (measures.validate): no capital cost, and no
    # error from a recovery factor over 0 years; opex 7 yuan/t on the 50 t of coal that
    # t_reduce_res cuts at full penetration in 2030 (100 t × 0.5)
    import copy

    b = copy.copy(base)
    lib = base.lib.copy()
    lib.loc["t_reduce_res", ["lifetime", "capex", "fixed_opex", "variable_opex"]] = \
        [np.nan, 0.0, 7.0, 0.0]
    b.__dict__["_lib"] = lib
    row = costs(b, run(base, "policy")).set_index(["measure", "year"]).loc[("t_reduce_res",
                                                                            2030)]
    assert row["annualised_capex"] == 0.0 and row["opex"] == pytest.approx(50 * 7.0)


def test_peak_is_the_year_and_value_of_the_scope1_maximum(base):
    from cocontrol.scenario import peak

    # CO2 falls from 2020 in "policy": the peak is the base year at the inventory's scope-1
    # total (direct emissions only; purchased electricity is scope 2)
    y, v = peak(run(base, "policy"))
    assert y == 2020 and v == pytest.approx(float(base.inventory.total().loc["CO2", 2020]))
    assert v > 0


def test_net_cost_adds_capital_opex_and_the_energy_bill_by_hand(base):
    # t_reduce_res in 2030: 50 t of coal less; capex 1000 yuan/t × CRF(5 %, 20 y), opex
    # 50 yuan/t, and the coal not bought saves 600 yuan/t (bundled fuel_prices.csv)
    c = costs(base, run(base, "policy")).set_index(["measure", "year"])
    crf = 0.05 * 1.05 ** 20 / (1.05 ** 20 - 1)
    row = c.loc[("t_reduce_res", 2030)]
    assert row["energy_cost_change_yuan"] == pytest.approx(-50 * 600.0)
    assert row["cost_yuan"] == pytest.approx(50 * 1000 * crf + 50 * 50 - 50 * 600)


def test_discounted_cost_without_measures_is_zero(base):
    # no measure, no cost rows: every year contributes 0 yuan, never a placeholder
    assert discounted_cost(base, run(base, "baseline")) == 0.0


def test_peak_target_rise_of_exactly_the_tolerance_is_not_a_rise(base, monkeypatch):
    # after 2025: 0 -> 1e-9 t, the tolerance is 1e-9 × max(1, level) = 1e-9 exactly
    _fake_totals(monkeypatch, [0.5, 0.0, 1e-9])
    assert bool(check_targets(base, None, [{"type": "co2_peak", "by": 2025}]).iloc[0]["passed"])


def test_footprint_with_a_regional_penetration_of_another_measure(base):
    from cocontrol.scenario.analysis import footprint

    # a (measure, region) key among the run's penetrations counts as its measure
    r = run(base, "policy", penetrations={("t_reduce_res", "D2"): 1.0})
    keys = base.lines["source_id"] + "/" + base.lines["fuel"].astype(str)
    assert sorted(keys[footprint(base, r, "t_boiler_fgd")]) == [
        "B1/electricity", "B1/hard_coal", "U1/hard_coal"]


def test_batch_effects_of_a_run_with_paths_as_rows(base, enhanced, batch_effects):
    # penetration paths given as (1, T) rows (a batch's shape) give the same effects
    import copy

    rows = copy.copy(enhanced)
    rows.penetration = {k: np.asarray(v)[None, :] for k, v in enhanced.penetration.items()}
    me = marginal_effects(base, "enhanced", rows, method="batch")
    np.testing.assert_allclose(me["reduction_t"], batch_effects["reduction_t"], atol=0)


def test_auto_method_boundaries(base, enhanced, monkeypatch):
    from cocontrol.scenario import analysis

    calls = []
    monkeypatch.setattr(analysis, "run_batch",
                        lambda *a, **k: calls.append("batch") or run_batch(*a, **k))
    monkeypatch.setattr(analysis, "restrict",
                        lambda *a, **k: calls.append("footprint") or restrict(*a, **k))
    # an ensemble of exactly BATCH_CELLS cells still runs as one batch
    M, (N, S, T) = len(enhanced.penetration), enhanced.emissions.shape
    monkeypatch.setattr(analysis, "BATCH_CELLS", M * N * S * T)
    marginal_effects(base, "enhanced", enhanced)
    assert calls == ["batch"]
    # footprints covering exactly half of the N full runs: full re-runs (footprint only
    # when they cover less than half)
    calls.clear()
    monkeypatch.setattr(analysis, "BATCH_CELLS", 0)
    half = np.arange(N) < N // 2
    monkeypatch.setattr(analysis, "footprint", lambda b, r, mid: half.copy())
    marginal_effects(base, "enhanced", enhanced)
    assert calls == []
