"""Bundled China-like economy: benchmark, satellite, instruments, closures, diagnosis."""

import numpy as np
import pytest

from cocontrol.cge.model import CgeModel, Closure, Shocks
from cocontrol.cge.policies import (
    Instrument,
    bundled_instruments,
    load_economy,
    read_instruments,
    to_shocks,
)
from cocontrol.cge.satellite import indicator_changes
from cocontrol.cge.solve import solve
from cocontrol.errors import InputError, ModelError


@pytest.fixture(scope="module")
def eco():
    return load_economy()


@pytest.fixture(scope="module")
def ins():
    return {i.code: i for i in bundled_instruments()}


def test_bundled_benchmark_reproduces_sam_and_national_totals(eco):
    base = eco.baseline()
    v = base.solution.values
    c = eco.cal
    t = c.sam.table
    S = c.sectors
    np.testing.assert_allclose(v["X"] * v["pq"][:, None], t.loc[S, S].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(v["Xp"], t.loc[S, "HOH"].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(v["E"], t.loc[S, "EXT"].to_numpy(), atol=1e-8)
    lv = base.levels
    # satellite calibrated to NBS 2020 communique: 4.98 Gtce, coal 56.8 %
    assert lv["energy_tce"] == pytest.approx(4.98e9, rel=1e-3)
    assert lv["coal_share_pct"] == pytest.approx(56.8, abs=0.05)
    # fuel CO2 = sum of NBS fuel use x IPCC 2006 Vol.2 Table 1.4 defaults (t CO2 / tce)
    co2 = (2.829e9 * 94600 + 0.941e9 * 73300 + 0.418e9 * 56100) * 29.3076 / 1e6
    assert lv["CO2_t"] == pytest.approx(co2, rel=1e-4)
    # SO2: CEDS China 2017 coal + liquid/gas (excl. biofuel) + process sectors, kt
    so2_kt = (1823.80 + 4210.32 + 491.04 + 300.20 + 1310.41 + 3.84 + 107.50 + 98.74 + 83.25
              + 52.23 + 293.59 + 39.33 + 810.32 + 1825.65 + 71.25)
    assert lv["SO2_t"] / 1e3 == pytest.approx(so2_kt, rel=1e-4)


def test_no_policy_returns_benchmark(eco):
    run = eco.run([])
    assert run.solution.method == "benchmark"
    ch = eco.changes(run)
    assert all(abs(x) < 1e-12 for x in ch.values())


def test_ets_cap_binds_and_cuts_covered_co2(eco, ins):
    run = eco.run([ins["ETS"]])
    v = run.solution.values
    assert run.ets_binding and v["permit_price"] > 0
    m = run.solution.model
    assert v["co2_covered"] == pytest.approx(0.9 * m.ets_base, rel=1e-9)
    ch = eco.changes(run)
    assert ch["co2"] < 0 and ch["so2"] < 0 and ch["coal_share"] < 0
    assert ch["fiscal_cost"] < 0  # auction revenue
    assert abs(v["walras"]) < 1e-9


def test_each_instrument_moves_indicators_in_expected_direction(eco, ins):
    ch = {k: eco.changes(eco.run([ins[k]])) for k in ("CTAX", "SUB", "EEI", "EEP", "PTAX")}
    assert ch["CTAX"]["co2"] < 0 and ch["CTAX"]["fiscal_cost"] < 0
    assert ch["CTAX"]["welfare_ev"] < 0  # revenue spent by government, household pays
    # subsidy to clean power: less coal, fiscal outlay; cheaper power raises energy use
    assert ch["SUB"]["coal_share"] < 0 and ch["SUB"]["co2"] < 0
    assert ch["SUB"]["fiscal_cost"] > 0
    # mandatory efficiency: lower energy intensity and emissions
    for k in ("EEI", "EEP"):
        assert ch[k]["energy_intensity"] < 0 and ch[k]["co2"] < 0 and ch[k]["so2"] < 0
    # pollutant tax: all three pollutants fall
    assert ch["PTAX"]["so2"] < 0 and ch["PTAX"]["nox"] < 0 and ch["PTAX"]["pm25"] < 0


def test_subsidy_raises_clean_power_output(eco, ins):
    run = eco.run([ins["SUB"]])
    j = eco.cal.index("ELR")
    f = eco.cal.index("ELF")
    Z = run.solution.values["Z"]
    assert Z[j] > eco.cal.Z0[j] and Z[f] < eco.cal.Z0[f]
    assert run.levels["subsidy"] == pytest.approx(
        0.2 * run.solution.values["pz"][j] * Z[j], rel=1e-12)


def test_revenue_recycling_to_households_raises_their_income(eco, ins):
    gov = eco.changes(eco.run([ins["CTAX"]], recycling="government"))
    hh = eco.changes(eco.run([ins["CTAX"]], recycling="household"))
    assert hh["household_income"] > gov["household_income"]
    assert hh["welfare_ev"] > gov["welfare_ev"]


def test_slack_ets_cap_gives_zero_price(eco, ins):
    loose = Instrument("ETS99", "ets", {"cap": 0.99, "sectors": ["ELF", "EII"]})
    eff = Instrument("EE30", "efficiency", {"rate": 0.3, "sectors": ["ELF", "EII"]})
    run = eco.run([loose, eff])
    assert run.ets_binding is False and run.levels["permit_price_yuan_per_t"] == 0.0
    alone = eco.run([eff])
    assert run.levels["CO2_t"] == pytest.approx(alone.levels["CO2_t"], rel=1e-12)


def test_homogeneity_with_real_instruments(eco, ins):
    """Subsidy and efficiency instruments are real; doubling the numeraire doubles prices."""
    sh = to_shocks(eco.cal, [ins["SUB"], ins["EEI"]])
    a = solve(CgeModel(eco.cal, eco.sat, Closure(), sh)).values
    b = solve(CgeModel(eco.cal, eco.sat, Closure(numeraire_value=2.0), sh)).values
    np.testing.assert_allclose(b["pq"], 2 * a["pq"], rtol=1e-9)
    np.testing.assert_allclose(b["Z"], a["Z"], rtol=1e-9)
    assert abs(b["walras"]) < 1e-10


@pytest.mark.parametrize("closure", [Closure(savings="investment-driven"),
                                     Closure(exchange="fixed")])
def test_alternative_closures_solve_with_all_instruments(eco, ins, closure):
    from cocontrol.cge.policies import Economy

    e2 = Economy(eco.cal, eco.sat, closure)
    run = e2.run(list(ins.values()))
    assert abs(run.solution.values["walras"]) < 1e-9
    ch = indicator_changes(e2.cal, e2.sat, e2.baseline().levels, run.levels)
    assert ch["co2"] < 0


def test_failure_gives_diagnosis_not_traceback(eco, ins):
    m = eco.model([ins["ETS"], ins["SUB"]])
    with pytest.raises(ModelError) as e:
        solve(m, maxfev=2)
    msg = str(e.value)
    assert "largest residual per equation block" in msg and "suggestions" in msg


def test_bad_instruments_are_reported(eco, tmp_path):
    with pytest.raises(InputError, match="unknown sector"):
        to_shocks(eco.cal, [Instrument("X", "subsidy", {"rate": 0.1, "sectors": ["STEEL"]})])
    with pytest.raises(InputError, match="recycling"):
        to_shocks(eco.cal, [
            Instrument("A", "carbon_tax", {"price": 10, "recycling": "household"}),
            Instrument("B", "pollutant_tax", {"rates": {"SO2": 1}, "recycling": "government"})])
    with pytest.raises(InputError, match="unknown parameter"):
        to_shocks(eco.cal, [Instrument("S", "subsidy", {"rat": 0.1})])
    with pytest.raises(InputError, match="out of range"):
        to_shocks(eco.cal, [Instrument("E", "efficiency", {"rate": 1.5})])
    p = tmp_path / "ins.yaml"
    p.write_text("instruments:\n  - {code: A, kind: lottery}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown instrument kind"):
        read_instruments(p)


def test_bad_satellite_value_is_reported(eco, tmp_path):
    from cocontrol.cge.policies import BUNDLED_SATELLITE, bundled_path
    from cocontrol.cge.satellite import read_satellite

    text = bundled_path(BUNDLED_SATELLITE).read_text(encoding="utf-8")
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("CO2,fuel,COAL"))
    parts = lines[k].split(",")
    parts[4] = "lots"
    lines[k] = ",".join(parts)
    p = tmp_path / "sat.csv"
    p.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_satellite(p, eco.cal.sectors)
    bad = [pr for pr in e.value.problems if pr.column == "value" and pr.value == "lots"]
    assert bad and bad[0].row == k + 1  # the line number the user sees in an editor


def test_hosoe_sam_rejects_emission_policy_without_satellite():
    from importlib import resources

    path = resources.files("cocontrol") / "data" / "cge" / "hosoe_stdcge_sam.csv"
    e = load_economy(sam_path=path)
    with pytest.raises(InputError, match="satellite"):
        e.run([Instrument("C", "carbon_tax", {"price": 50})])


def test_continuation_reaches_the_direct_solution(eco, ins):
    direct = eco.run([ins["ETS"], ins["SUB"]]).solution
    cont = eco._continuation([ins["ETS"], ins["SUB"]], None, None, ModelError("forced"))
    np.testing.assert_allclose(cont.x, direct.x, atol=1e-9)


def test_unaffordable_subsidy_is_explained(eco):
    huge = Instrument("BIG", "subsidy", {"rate": 0.9, "sectors": ["ELR", "EII"]})
    with pytest.raises(ModelError) as e:
        eco.run([huge])
    msg = str(e.value)
    assert "solves up to" in msg and "% of the policy shock" in msg
    assert "subsidies exceed the government budget" in msg


def test_indirect_tax_recycling_is_budget_neutral(eco, ins):
    run = eco.run([ins["CTAX"]], recycling="indirect_tax")
    v = run.solution.values
    assert v["Xg"].sum() == pytest.approx(eco.cal.Xg0.sum(), rel=1e-10)  # real G fixed
    assert v["tax_adjustment"] < 0  # carbon revenue cuts production taxes
    assert abs(v["walras"]) < 1e-9
    gov = eco.changes(eco.run([ins["CTAX"]], recycling="government"))
    assert eco.changes(run)["welfare_ev"] > gov["welfare_ev"]
    sub = eco.run([ins["SUB"]], recycling="indirect_tax").solution.values
    assert sub["tax_adjustment"] > 0  # the subsidy is financed by higher production taxes


def test_residual_labels_align_with_equations(eco, ins):
    from cocontrol.cge.policies import Economy

    e2 = Economy(eco.cal, eco.sat, Closure(savings="investment-driven"))
    m = e2.model([ins["ETS"]], recycling="indirect_tax")
    r = m.residuals(m.x_benchmark())
    assert len(r) == len(m.eq_labels) == m.nvar
    lab = {b: r[k] for k, (b, _) in enumerate(m.eq_labels)}
    # at the benchmark only the ETS cap is violated: covered CO2 is 10 % above the cap
    assert lab["policy: ETS cap"] == pytest.approx(0.1, rel=1e-12)
    others = [abs(v) for k, (b, _) in enumerate(m.eq_labels) if b != "policy: ETS cap"
              for v in [r[k]]]
    assert max(others) < 1e-12


@pytest.fixture(scope="module")
def taxed(eco, ins):
    """One solved run with prices and quantities of energy moved: the carbon tax (fuel CO2
    of six sectors) and industrial efficiency (energy per unit of output -10 %)."""
    return eco.run([ins["CTAX"], ins["EEI"]])


def test_energy_bundle_cost_equals_price_index_times_quantity(eco, taxed):
    # calibrated-share CES (both levels): sum_i r_i x_i = P(r) * EN for any user prices r,
    # since x_i = X0_i (EN/EN0) (P/r_i)^sigma and P^(1-sigma) = sum_i w_i r_i^(1-sigma)
    # (Hosoe et al. 2010, ch. 6, CES demand and unit cost); r includes the carbon wedge
    m, v, c = taxed.solution.model, taxed.solution.values, eco.cal
    E_ = c.energy
    r = v["pq"][E_, None] + m.wedge_fixed[E_, :]
    assert np.any(np.abs(r - 1) > 1e-3) and np.any(np.abs(v["EN"] / c.X0[E_].sum(axis=0) - 1)
                                                   > 1e-3)  # the identity is not trivial
    cost = (r * v["X"][E_, :]).sum(axis=0)
    np.testing.assert_allclose(cost, v["pen"] * v["EN"], rtol=1e-10)


def test_zero_profit_in_value_at_a_taxed_solution(eco, taxed):
    # zero profit (Hosoe et al. 2010, ch. 6): pz Z = py Y + sum_i PU_ij X_ij + process wedge Z,
    # with user prices PU = pq + per-unit carbon wedge; value added py Y = sum_h pf_h F_hj
    m, v = taxed.solution.model, taxed.solution.values
    PU = v["pq"][:, None] + m.wedge_fixed
    np.testing.assert_allclose(v["pz"] * v["Z"], v["py"] * v["Y"] + (PU * v["X"]).sum(axis=0)
                               + m.proc_wedge * v["Z"], rtol=1e-10)
    np.testing.assert_allclose(v["py"] * v["Y"], (v["pf"][:, None] * v["F"]).sum(axis=0),
                               rtol=1e-10)


def test_carbon_tax_on_process_co2_is_a_cost_and_a_revenue(eco):
    # a satellite with process CO2 only (0.5 t per SAM unit of EII output; fuel CO2 set to 0):
    # a tax of 200 yuan/t raises 200 x 0.5 x Z_EII yuan = policy revenue x money unit, and EII
    # output falls (the tax is a cost per unit of output)
    import dataclasses

    sat = eco.sat
    k, j = sat.index("CO2"), eco.cal.index("EII")
    fuel = sat.fuel.copy()
    fuel[k] = 0.0
    proc = np.zeros_like(sat.process)
    proc[k, j] = 0.5
    s2 = dataclasses.replace(sat, fuel=fuel, process=proc)
    v = solve(CgeModel(eco.cal, s2, Closure(), Shocks(carbon_price=200.0))).values
    u = sat.money_unit_yuan
    assert v["policy_revenue"] * u == pytest.approx(200.0 * 0.5 * v["Z"][j], rel=1e-10)
    assert v["Z"][j] < eco.cal.Z0[j]
    assert abs(v["walras"]) < 1e-9


def test_recycled_revenue_is_household_income_saved_at_the_benchmark_rate(eco, ins):
    # recycling to households: the transfer is the whole policy revenue, income = factor
    # income + transfer, the household saves the benchmark share ssp of that income (fixed
    # saving rate, savings-driven closure: kappa = 1) and spends the rest after direct tax
    # (Hosoe et al. 2010, ch. 6: Sp = ssp * income, Xp = alpha (income - Sp - Td) / pq)
    v = eco.run([ins["CTAX"]], recycling="household").solution.values
    assert v["transfer"] == pytest.approx(v["policy_revenue"]) and v["transfer"] > 0
    assert v["income"] == pytest.approx(v["factor_income"] + v["transfer"], rel=1e-12)
    assert v["Sp"] == pytest.approx(eco.cal.ssp * v["income"], rel=1e-10)
    assert v["pq"] @ v["Xp"] + v["Sp"] + v["Td"] == pytest.approx(v["income"], rel=1e-10)
