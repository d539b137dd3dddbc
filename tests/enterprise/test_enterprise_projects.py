"""Synergy project library and screening against the scenario and inventory engines, and the
enterprise CLI on the demo city."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cocontrol.enterprise import io
from cocontrol.enterprise.projects import (
    Evidence,
    SynergyProject,
    co_benefits,
    crf,
    rank_projects,
    transition,
)
from cocontrol.enterprise.screening import NewPlant, RegionalCap, plant_emissions, screen
from cocontrol.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="module")
def base():
    from cocontrol.scenario import prepare

    return prepare(DEMO)


def _project(**kw) -> SynergyProject:
    raw = {"id": "T1", "name": "t", "owner": "demo_city", "type": "end_of_pipe",
           "location": "demo_city", "capex_yuan": 1.0e8, "opex_yuan_per_year": 1.0e6,
           "lifetime_years": 10, "start": "2023-01-01", "end": "2024-01-01",
           "measure": {"id": "sinter_ule", "penetration": 0.5, "start_year": 2025,
                       "full_year": 2030}}
    raw.update(kw)
    return SynergyProject.model_validate(raw)


def test_co_benefits_equal_a_scenario_run_with_the_same_measure(base):
    from cocontrol.scenario import run
    from cocontrol.scenario import spec as sspec

    p = _project()
    cb = co_benefits(base, p, 2030)
    sc = sspec.Scenario("with_sinter", {"sinter_ule": sspec.MeasureUse(
        "sinter_ule", 0.5, 2025, 2030)})
    t0 = run(base, "baseline").inventory().total()
    t1 = run(base, sc).inventory().total()
    for s in base.species:
        assert cb.reductions_t[s] == pytest.approx(t0.loc[s, 2030] - t1.loc[s, 2030],
                                                   rel=1e-12, abs=1e-9)
    assert cb.reductions_t["SO2"] > 0  # an end-of-pipe SO2 measure reduces SO2
    # cost: capex x CRF(5 %, 10 yr) + opex + energy-cost change from the engine
    rate = base.settings.discount_rate
    assert cb.annual_cost_yuan == pytest.approx(1.0e8 * rate / (1 - (1 + rate) ** -10)
                                                + 1.0e6 + cb.energy_cost_change_yuan)
    ap = cb.metrics[cb.metrics["pollutant"] == "APeq"].iloc[0]
    assert cb.cost_per_apeq == pytest.approx(cb.annual_cost_yuan / ap["P_reduction"])


def test_regional_project_only_moves_its_own_lines(base):
    p = _project(location="longmen_steel", owner="longmen_steel")
    cb = co_benefits(base, p, 2030)
    everywhere = co_benefits(base, _project(), 2030)
    # the demo city's sinter lines are all at longmen_steel: the same reduction
    assert cb.reductions_t["SO2"] > 0
    assert cb.reductions_t["SO2"] == pytest.approx(everywhere.reductions_t["SO2"], rel=1e-12)
    # a power plant has no sinter line: the measure placed there changes nothing
    cb2 = co_benefits(base, _project(location="huaxin_power", owner="huaxin_power"), 2030)
    assert np.abs(cb2.reductions_t.to_numpy()).max() < 1e-9
    assert np.isnan(cb2.cost_per_apeq) and np.isnan(cb2.cost_per_t_co2)


def test_co_benefits_input_errors(base):
    with pytest.raises(InputError, match="not a year"):
        co_benefits(base, _project(), 2031)
    with pytest.raises(InputError, match="not in the measure library"):
        co_benefits(base, _project(measure={"id": "nope"}), 2030)
    with pytest.raises(InputError, match="unknown reference"):
        co_benefits(base, _project(), 2030, reference="nope")


def test_workflow_transitions():
    p = _project()
    ev = Evidence(date=dt.date(2023, 1, 1), kind="approval", reference="X")
    p = transition(p, "approved")
    with pytest.raises(InputError, match="needs evidence"):
        transition(p, "funded")
    p = transition(p, "funded", ev)
    with pytest.raises(InputError, match="not allowed"):
        transition(p, "verified", ev)  # skips built
    p = transition(transition(p, "built", ev), "verified", ev)
    assert p.status == "verified" and len(p.evidence) == 3
    with pytest.raises(InputError, match="final state"):
        transition(p, "rejected")


def test_ranking_orders_by_net_cost_and_flags_no_benefit(base):
    a = co_benefits(base, _project(id="A", capex_yuan=1e6), 2030)
    b = co_benefits(base, _project(id="B", capex_yuan=1e9), 2030)
    r = rank_projects([b, a], carbon_price=80, apeq_price=1.2)
    assert list(r["project"]) == ["A", "B"]
    v = r.set_index("project")
    assert v.loc["A", "net_cost_yuan"] == pytest.approx(
        v.loc["A", "annual_cost_yuan"] - 80 * v.loc["A", "co2_reduction_t"]
        - 1.2 * v.loc["A", "apeq_reduction"])
    assert crf(0.0, 10) == pytest.approx(0.1)


def test_screening_plant_emissions_by_hand():
    """Process CO2 of clinker: 0.52 t CO2/t clinker (IPCC 2006 Vol.3 Ch.2 Eq.2.4 default, as
    bundled in ef_air.csv); kiln coal: t x 20.908 GJ/t x 25.8 kg C/GJ x 44/12 (fuels.csv)."""
    from cocontrol.project import load_project

    proj = load_project(DEMO)
    plant = NewPlant(id="k", name="k", region_parent="beiyuan", sector="cement", year=2022,
                     activities=[{"process": "clinker", "value": 1.0e6, "unit": "t"},
                                 {"fuel": "raw_coal_cn", "value": 1.0e5, "unit": "t"}],
                     output=1.0e6, output_unit="t", benchmark="eu_ets_clinker_2021")
    em = plant_emissions(proj, plant)
    hand = 0.52 * 1.0e6 + 1.0e5 * 20.908 * 25.8 * 44 / 12 / 1000
    assert em["CO2"] == pytest.approx(hand, rel=1e-3)  # 44/12 vs molar masses: < 0.1 %
    res = screen(proj, plant, caps=[RegionalCap(species="CO2", year=2022, max=1.0,
                                                unit="Mt", region="beiyuan")],
                 reference=None)
    chk = res.checks.set_index("check")
    assert chk.loc["carbon intensity vs benchmark", "value"] == pytest.approx(em["CO2"] / 1e6)
    assert chk.loc["carbon intensity vs benchmark", "status"] == "fail"  # 0.82 > 0.693
    assert chk.iloc[1]["status"] == "not assessed"  # no reference pathway given
    assert res.verdict == "fail"
    with pytest.raises(InputError, match="unknown region"):
        plant_emissions(proj, plant.model_copy(update={"region_parent": "atlantis"}))


def test_screening_room_under_caps():
    from cocontrol.enterprise import runner

    ctx = runner.context(DEMO)
    res = runner.screening(ctx, "beiyuan_line2")[0]
    ref = runner.reference_by_region(ctx.inventory)
    nox = ref[(ref.region == "beiyuan") & (ref.species == "NOx") & (ref.year == 2022)]
    row = res.checks[res.checks["species"] == "NOx"].iloc[0]
    assert row["limit"] == pytest.approx(5600 - float(nox["value"].iloc[0]))
    assert row["share"] == pytest.approx(res.emissions["NOx"] / row["limit"])


def test_cli_commands_on_the_demo(tmp_path):
    from cocontrol.cli import app

    cli = CliRunner()
    r = cli.invoke(app, ["permit", str(DEMO), "-e", "huaxin_power", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "exceeded" in r.output and "near" in r.output
    r = cli.invoke(app, ["account", str(DEMO), "-e", "huaxin_power", "--report",
                         str(tmp_path / "acc.html"), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "acc.html").exists()
    r = cli.invoke(app, ["footprint", str(DEMO), "--report", str(tmp_path / "fp.html"),
                         "--excel", str(tmp_path / "fp.xlsx"), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "taihang_po425" in r.output and (tmp_path / "fp.xlsx").exists()
    r = cli.invoke(app, ["screen", str(DEMO), "--format", "csv"])
    assert r.exit_code == 0 and "beiyuan_line2" in r.output
    r = cli.invoke(app, ["account", str(DEMO), "-e", "nobody"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    r = cli.invoke(app, ["account", str(DEMO)])
    assert r.exit_code == 2


def test_cli_projects_bank_export(tmp_path):
    from cocontrol.cli import app

    r = CliRunner().invoke(app, ["projects", str(DEMO), "--year", "2030", "--bank",
                                 str(tmp_path / "bank.csv"), "--format", "csv"])
    assert r.exit_code == 0, r.output
    import pandas as pd

    bank = pd.read_csv(tmp_path / "bank.csv")
    d = io.load(DEMO)
    assert set(bank["project"]) == {p.id for p in d.projects}
    assert bank["illustrative"].all()


def test_screening_cap_on_a_species_the_plant_does_not_emit_is_not_assessed():
    """Review fix: a clinker-only plant emits no VOCs (ef_air.csv has no VOCs factor for the
    clinker process), so the room under a VOCs cap is "not assessed", never "fail" — even where
    the region has no room left (reference above the cap) — while its NOx under a cap with no
    room is a "fail" (hand case: reference 2,000 t > cap 1,000 t)."""
    import pandas as pd

    from cocontrol.project import load_project

    proj = load_project(DEMO)
    plant = NewPlant(id="k", name="k", region_parent="beiyuan", sector="cement", year=2022,
                     activities=[{"process": "clinker", "value": 1.0e6, "unit": "t"}])
    ref = pd.DataFrame({"region": ["beiyuan"] * 2, "species": ["VOCs", "NOx"],
                        "year": [2022, 2022], "value": [2000.0, 2000.0], "unit": ["t", "t"]})
    caps = [RegionalCap(species="VOCs", year=2022, max=1000, region="beiyuan", basis="b"),
            RegionalCap(species="NOx", year=2022, max=1000, region="beiyuan"),
            RegionalCap(species="NOx", year=2022, max=1.0e6, region="beiyuan")]
    res = screen(proj, plant, caps=caps, reference=ref)
    voc, nox_full, nox_room = (res.checks.iloc[i] for i in range(3))
    assert res.emissions["VOCs"] == 0 and res.emissions["NOx"] > 0
    assert voc["status"] == "not assessed" and voc["limit"] == pytest.approx(-1000.0)
    assert "zero or not estimated" in voc["basis"] and voc["basis"].startswith("b; ")
    assert nox_full["status"] == "fail" and nox_full["share"] == np.inf
    assert nox_room["status"] == "pass"
    assert nox_room["share"] == pytest.approx(res.emissions["NOx"] / (1.0e6 - 2000.0))
    assert res.verdict == "fail"


@pytest.mark.parametrize("blank", ["lifetime_years", "opex_yuan_per_year"])
def test_a_project_without_lifetime_or_opex_is_an_error_not_a_default(blank):
    # a blank lifetime was taken as 15 years: capex 1e8 yuan at 5 % over 15 years is
    # 1e8 × 0.05 / (1 − 1.05^−15) = 9.63e6 yuan/yr against 1.30e7 over 10 years; never assumed
    raw = {"id": "T1", "name": "t", "owner": "demo_city", "type": "end_of_pipe",
           "location": "demo_city", "capex_yuan": 1.0e8, "opex_yuan_per_year": 1.0e6,
           "lifetime_years": 10, "start": "2023-01-01", "end": "2024-01-01",
           "measure": {"id": "sinter_ule"}}
    del raw[blank]
    with pytest.raises(ValueError, match=blank):
        SynergyProject.model_validate(raw)


def test_project_annualised_capex_uses_the_capital_recovery_factor():
    # r (1+r)^n / ((1+r)^n − 1) at r = 5 %, n = 10: 0.05 × 1.628895 / 0.628895 = 0.129505
    from cocontrol.scenario.measures import crf

    assert crf(0.05, 10) == pytest.approx(0.1295046, rel=1e-6)
    assert crf(0.0, 8) == pytest.approx(1 / 8)
