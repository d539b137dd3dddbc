"""Derivations of the enterprise pages' numbers (issue 15 item 3,
:mod:`cocontrol.enterprise.derivation`): each derivation's value equals the library's stored
number and a hand calculation written out here; its steps recompute the number from the
inputs it lists (with their sources)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cocontrol.enterprise import derivation as ed
from cocontrol.enterprise import product_footprint as fp
from cocontrol.enterprise.permits import Permit, compliance
from cocontrol.enterprise.projects import SynergyProject, rank_summaries
from cocontrol.errors import CocontrolError
from cocontrol.service.enterprise_models import records

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


def _step(d: dict, name: str) -> dict:
    return next(s for s in d["steps"] if s["name"] == name)


def _input(d: dict, name: str) -> dict:
    return next(s for s in d["inputs"] if s["name"] == name)


# -- permits -------------------------------------------------------------------------------
def _permit() -> Permit:
    return Permit.model_validate({
        "number": "P-1", "enterprise_id": "e1", "industry": "power",
        "valid_from": "2020-01-01", "valid_to": "2024-12-31",
        "outlets": [{"id": "DA1", "limits": [
            {"species": "SO2", "limit": 30, "unit": "mg/m3", "standard": "GB 13223-2011 T1"}]}],
        "quantities": [{"species": "SO2", "limit": 100, "unit": "t", "basis": "permit §3"}]})


def test_permit_item_ratio_status_and_the_limits_standard():
    """27,000 µg/m³ = 27 mg/m³ against 30 mg/m³: r = 0.9, near (the bound is near); 101 t
    against 100 t: r = 1.01, exceeded."""
    p = _permit()
    conc = pd.DataFrame({"outlet_id": ["DA1"], "species": ["SO2"], "period": ["2022-01"],
                         "value": [27000.0], "unit": ["ug/m3"]})
    qty = pd.DataFrame({"species": ["SO2"], "value": [0.101], "unit": ["kt"]})
    rows = records(compliance(p, concentrations=conc, quantities=qty, on=dt.date(2022, 6, 1)))
    d = ed.permit_item_derivation(p, rows, 0, "ratio", on=dt.date(2022, 6, 1))
    assert d["value"] == pytest.approx(27 / 30, rel=1e-12) == rows[0]["ratio"]
    assert _input(d, "actual_concentration")["value"] == pytest.approx(27.0, rel=1e-12)
    assert _input(d, "limit") == {"name": "limit", "value": 30.0, "unit": "mg/m3",
                                  "source": "GB 13223-2011 T1"}
    assert _step(d, "status")["text"] == "near" == rows[0]["status"]
    q = ed.permit_item_derivation(p, rows, 1, "actual", on=dt.date(2022, 6, 1))
    assert q["value"] == pytest.approx(101.0, rel=1e-12) and q["unit"] == "t"
    assert _step(q, "ratio")["value"] == pytest.approx(1.01, rel=1e-12)
    assert _step(q, "status")["text"] == "exceeded" and _input(q, "limit")["source"] == "permit §3"
    # the share the row was assessed with is stored with it: judged with near = 0.95 the same
    # ratio 0.9 is within; a row stored without its share (0.9 assumed) that says otherwise
    # keeps its stored status and the derivation says the rule differs
    strict = [{**rows[0], "near": 0.95, "status": "within"}]
    w = ed.permit_item_derivation(p, strict, 0, on=dt.date(2022, 6, 1))
    assert _step(w, "status")["text"] == "within" and w["notes"] == []
    assert [x["condition"] for x in w["rules"]][1] == "0.95 ≤ r ≤ 1"
    old = [{k: v for k, v in strict[0].items() if k != "near"}]
    o = ed.permit_item_derivation(p, old, 0, on=dt.date(2022, 6, 1))
    assert o["subject"]["status"] == "within" and _step(o, "status")["text"] == "near"
    assert len(o["notes"]) == 1
    # assessed after the validity: every item is "permit expired"
    day = dt.date(2025, 1, 1)
    late_rows = records(compliance(p, concentrations=conc, quantities=qty, on=day))
    late = ed.permit_item_derivation(p, late_rows, 0, on=day)
    assert _step(late, "status")["text"] == "permit expired" == late["subject"]["status"]
    assert late["notes"] == []
    with pytest.raises(CocontrolError):
        ed.permit_item_derivation(p, rows, 5)
    with pytest.raises(CocontrolError):
        ed.permit_item_derivation(p, rows, 0, "status")


# -- accounts ------------------------------------------------------------------------------
def test_account_grade_ratio_on_a_bound_takes_the_better_level():
    """I = 0.76 t/t against I_b = 0.8 t/t: r = 0.95, exactly the bound of level 2 (bundled
    carbon_grades.yaml: level 1 ≤ 0.80, level 2 ≤ 0.95) -> level 2."""
    acc = {"enterprise_id": "e1", "annual": [
        {"species": "CO2", "year": 2022, "scope": 1, "value": 760.0, "unit": "t"}],
        "benchmark": [{"year": 2022, "intensity": 0.76, "benchmark": 0.8, "unit": "t/t",
                       "benchmark_id": "b1", "source": "src of b1", "ratio": 0.95}]}
    d = ed.account_grade_derivation(acc, column="ratio")
    assert d["value"] == pytest.approx(0.95, rel=1e-12)
    assert _step(d, "level")["value"] == 2
    assert _input(d, "benchmark")["source"].startswith("b1: src of b1")
    assert ed.account_grade_derivation(acc, 2022, "level")["value"] == 2
    assert ed.account_grade_derivation(acc, 2022, "benchmark")["unit"] == "t/t"


def test_account_annual_equals_the_sum_of_its_inventory_lines():
    """The demo cement works' CO2 of 2022 in its stored account is the sum of the used values
    of its inventory lines (report.derivation on the same inventory), each with its factor
    and the factor's source."""
    from cocontrol.enterprise import runner
    from cocontrol.report.derivation import derivation
    from cocontrol.service.enterprise_models import new_account

    ctx = runner.context(DEMO)
    eid = "taihang_cement"
    acc = new_account(1, runner.account(ctx, eid), 1, None).payload
    inv = derivation(ctx.inventory, "CO2", 2022, {"enterprise": eid}, 1)
    d = ed.account_annual_derivation(acc, "CO2", 2022, 1, inv)
    want = ctx.inventory.aggregate(["enterprise"], species=["CO2"], co2e=False, unit="t")
    want = float(want[(want["enterprise"] == eid) & (want["year"] == 2022)]["value"].iloc[0])
    assert d["value"] == pytest.approx(want, rel=1e-12)
    assert _step(d, "sum_lines")["value"] == pytest.approx(want, rel=1e-12)
    assert float(d["lines"]["value_t"].sum()) == pytest.approx(want, rel=1e-12)
    assert d["lines"]["factor_source"].notna().all()
    assert d["provenance"]["project_hash"] == ctx.inventory.provenance().project_hash
    # the rows kept with the stored account (through JSON, as the database keeps them) are
    # the inventory's own lines of the enterprise: line numbers, sources, activities and
    # emissions read off the inventory's arrays here, for scope 1 and 2, every species
    import json

    import numpy as np

    inventory = ctx.inventory
    kept = json.loads(json.dumps(new_account(1, runner.account(ctx, eid), 1, None,
                                             inventory=inventory,
                                             version={"content_hash": "h1"}).payload))
    rec = kept["derivation"]
    assert rec["version"] == {"content_hash": "h1"} and rec["filters"] == {"enterprise": eid}
    assert {(c["species"], c["year"], c["scope"]) for c in rec["cells"]} == {
        (a["species"], a["year"], a["scope"]) for a in acc["annual"]
        if a["species"] in inventory.species}
    for sp, year, scope in (("CO2", 2022, 1), ("SO2", 2020, 1), ("CO2", 2022, 2)):
        got = ed.stored_derivation(rec, sp, year, {"enterprise": eid}, scope)
        s, y = inventory.species.index(sp), inventory.years.index(year)
        idx = np.flatnonzero((inventory.lines["enterprise"] == eid).to_numpy()
                             & (inventory.lines["scope"] == scope).to_numpy())
        assert len(idx) and got["rows"]["line"].tolist() == idx.tolist()
        assert got["rows"]["source_id"].tolist() == inventory.lines["source_id"].iloc[
            idx].tolist()
        assert got["rows"]["activity"].to_numpy() == pytest.approx(
            inventory.activity[idx, y], rel=1e-12)
        assert got["rows"]["value_t"].to_numpy() == pytest.approx(
            inventory.emissions[idx, s, y], rel=1e-12)
        assert got["value_t"] == pytest.approx(inventory.emissions[idx, s, y].sum(), rel=1e-12)
        assert got["rows"]["factor_source"].notna().all()
        cell = ed.account_annual_derivation(kept, sp, year, scope, got)
        assert cell["value"] == pytest.approx(got["value_t"], rel=1e-12)
        assert cell["provenance"]["project_hash"] == inventory.provenance().project_hash
    # another enterprise's lines are not in it (no such cell: None, never another's rows)
    assert ed.stored_derivation(rec, "CO2", 2022, {"enterprise": "longmen_steel"}) is None
    assert len(ed.stored_derivation(rec, "CO2", 2022, {"park": "park_hitech"})["rows"]) == 0
    assert ed.stored_derivation(None, "CO2", 2022) is None
    # its carbon-efficiency grade: r = I / I_b with the bundled clinker benchmark
    g = ed.account_grade_derivation(acc, column="ratio")
    last = max(acc["benchmark"], key=lambda b: b["year"])
    assert g["value"] == pytest.approx(last["intensity"] / 0.693, rel=1e-12)
    assert g["value"] == pytest.approx(last["ratio"], rel=1e-12)


# -- footprints ----------------------------------------------------------------------------
def _product() -> fp.Product:
    """100 t of a material at 50 kg CO2e/t (5,000 kg) and 10 MWh at 500 kg/MWh (5,000 kg)
    for 1,000 t of product and 1,000 t of a co-product, mass allocation a = 0.5: per t of
    product 0.5 × 10,000 / 1,000 = 5 kg CO2e, 2.5 of each stage."""
    return fp.Product.model_validate({
        "id": "p1", "name": "P", "output": 1000, "output_unit": "t",
        "co_products": [{"name": "slag", "quantity": 1000, "unit": "t"}], "allocation": "mass",
        "inputs": [{"name": "ore", "stage": "raw_materials", "quantity": 100, "unit": "t",
                    "factor": 50, "factor_unit": "kg/t", "factor_source": "supplier EPD 2023"},
                   {"name": "power", "stage": "energy", "kind": "electricity", "quantity": 10,
                    "unit": "MWh", "factor": 0.5, "factor_unit": "t/MWh",
                    "factor_source": "grid 2022"}]})


def test_footprint_total_stage_and_input_by_hand():
    p = _product()
    res = fp.footprint(p)
    d = ed.footprint_derivation(p)
    assert d["value"] == pytest.approx(5.0, rel=1e-12) == pytest.approx(res.value_kg)
    assert _step(d, "allocation_share")["value"] == pytest.approx(0.5, rel=1e-12)
    assert _step(d, "n_fu")["value"] == pytest.approx(1000.0, rel=1e-12)
    assert [r["source"] for r in d["table"]["rows"]] == ["supplier EPD 2023", "grid 2022"]
    assert [r["factor_kg_co2e"] for r in d["table"]["rows"]] == pytest.approx([50.0, 500.0])
    st = res.by_stage().set_index("stage")["kg_co2e_per_fu"]
    e = ed.footprint_derivation(p, stage="energy")
    assert e["value"] == pytest.approx(2.5, rel=1e-12) == pytest.approx(st["energy"])
    assert ed.footprint_derivation(p, input_index=0)["value"] == pytest.approx(2.5)
    with pytest.raises(CocontrolError):
        ed.footprint_derivation(p, stage="transport")


def test_footprint_uncertainty_approach_1_by_hand():
    """ore: U_q = 3 %, U_f = 4 % -> U_i = 5 %, x = 2.5 kg; power: none stated (0 %), x = 2.5;
    U = 100 × √((0.05 × 2.5)²) / 5 = 2.5 %."""
    raw = _product().model_dump(mode="json")
    raw["inputs"][0].update(uncertainty_quantity_pct=3, uncertainty_factor_pct=4)
    p = fp.Product.model_validate(raw)
    d = ed.footprint_uncertainty_derivation(p)
    assert d["value"] == pytest.approx(2.5, rel=1e-12)
    assert d["value"] == pytest.approx(fp.footprint(p).uncertainty_pct, rel=1e-12)
    assert [r["u_pct"] for r in d["table"]["rows"]] == pytest.approx([5.0, 0.0])
    assert "power" in str(d["notes"][0])


# -- synergy projects ----------------------------------------------------------------------
def _project() -> SynergyProject:
    return SynergyProject.model_validate({
        "id": "x1", "name": "X", "owner": "e1", "type": "end_of_pipe", "location": "d1",
        "capex_yuan": 1_000_000, "opex_yuan_per_year": 10_000, "lifetime_years": 10,
        "start": "2025-01-01", "end": "2026-01-01", "measure": {"id": "m1"}})


def test_project_cost_crf_and_net_cost_by_hand():
    """capex 1,000,000 yuan, r = 5 %, n = 10: CRF = 0.05 / (1 − 1.05^−10) = 0.1295045750;
    C = 129,504.5750 + 10,000 − 20,000 (energy saved) = 119,504.5750 yuan/yr; ΔCO2 1,000 t:
    119.5045750 yuan/t; V = 80 × 1,000 + 1.2 × 500 = 80,600; net 38,904.5750."""
    crf = 0.05 / (1 - 1.05 ** -10)
    cost = 1_000_000 * crf + 10_000 - 20_000
    s = {"project": "x1", "year": 2030, "co2_reduction_t": 1000.0, "SO2_reduction_t": 20.0,
         "apeq_reduction": 500.0, "els": 1.0, "quadrant": "I", "annual_cost_yuan": cost,
         "energy_cost_change_yuan": -20_000.0, "cost_per_t_co2": cost / 1000,
         "cost_per_apeq": cost / 500}
    p = _project()
    d = ed.project_derivation(p, s, "net_cost_yuan", discount_rate=0.05)
    assert _step(d, "crf")["value"] == pytest.approx(0.1295045750, rel=1e-9)
    assert _step(d, "annual_cost")["value"] == pytest.approx(119_504.5750, rel=1e-9)
    assert d["value"] == pytest.approx(38_904.5750, rel=1e-9)
    assert d["value"] == pytest.approx(rank_summaries([s])["net_cost_yuan"].iloc[0], rel=1e-12)
    per_t = ed.project_derivation(p, s, "cost_per_t_co2")
    assert per_t["value"] == pytest.approx(119.5045750, rel=1e-9)
    assert _step(per_t, "crf")["value"] is None  # no discount rate known: not shown, never 0
    assert d["table"]["rows"] == [{"species": "SO2", "reduction_t": 20.0}]


# -- parks ---------------------------------------------------------------------------------
PARK = {"park": "pk", "total": [{"species": "SO2", "year": 2022, "value": 35.0, "unit": "t"}],
        "by_enterprise": [{"enterprise": "a", "species": "SO2", "year": 2022, "value": 10.0},
                          {"enterprise": "b", "species": "SO2", "year": 2022, "value": 20.0}],
        "park_only": [{"species": "SO2", "year": 2022, "value": 5.0}],
        "targets": [{"target": "nox22", "species": "NOx", "year": 2022, "kind": "cap",
                     "max": 2800.0, "unit": "t", "actual": 2896.0, "basis": "plan 2021"}]}


def test_park_total_closure_and_an_enterprises_part():
    """10 + 20 (enterprises) + 5 (park only) = 35 t."""
    d = ed.park_total_derivation(PARK, "SO2", 2022)
    assert d["value"] == 35.0 and _step(d, "closure")["value"] == pytest.approx(35.0)
    assert [r["enterprise"] for r in d["table"]["rows"]] == ["a", "b", "(none)"]
    assert ed.park_enterprise_derivation(PARK, "b", "SO2", 2022)["value"] == 20.0
    assert ed.park_enterprise_derivation(PARK, "(none)", "SO2", 2022)["value"] == 5.0
    with pytest.raises(CocontrolError):
        ed.park_total_derivation(PARK, "NOx", 2022)


def test_park_target_ratio_shortfall_and_level_by_hand():
    """2,896 t against a 2,800 t cap: r = 1.0342857, exceeded; s = 96 / 2,800 = 0.0342857
    ≤ 0.1 -> yellow (bundled alert_levels.csv)."""
    d = ed.park_target_derivation(PARK, "nox22", "ratio")
    assert d["value"] == pytest.approx(2896 / 2800, rel=1e-12)
    assert _step(d, "shortfall")["value"] == pytest.approx(96 / 2800, rel=1e-12)
    assert _step(d, "status")["text"] == "exceeded" and _step(d, "level")["text"] == "yellow"
    assert _input(d, "target_max")["source"] == "plan 2021"
    assert ed.park_target_derivation(PARK, "nox22", "actual")["unit"] == "t"


def test_park_score_is_the_sum_of_its_indicators_points():
    """The demo steel park's score with the bundled park index system: each indicator's
    points are 100 × its global weight × its normalised score (0-1), and they add up to the
    score park_score reports (the evaluation engine's own)."""
    from cocontrol.enterprise import runner

    ctx = runner.context(DEMO)
    _acc, _t, ev = runner.park_full(ctx, "park_steel")
    _park_rows_by_enterprise(ctx.inventory, _acc)
    d = ed.park_score_derivation({"park": "park_steel", "evaluation": ev})
    assert d["value"] == ev["score"]
    assert _step(d, "sum_points")["value"] == pytest.approx(ev["score"], rel=1e-9)
    rows = [r for r in d["table"]["rows"] if r["points"] is not None]
    assert rows and sum(r["weight"] for r in d["table"]["rows"]) == pytest.approx(1.0)
    for r in rows:
        assert r["points"] == pytest.approx(100 * r["weight"] * r["normalized"], rel=1e-9,
                                           abs=1e-12)


def _park_rows_by_enterprise(inventory, acc):
    """The rows kept with a park account (ed.park_record) are the park's lines (scope 1),
    read off the inventory here; one enterprise's part is its lines in the park, the park-only
    part the lines of no enterprise, and their emissions add up to the stored breakdown."""
    import numpy as np

    rec = ed.park_record(inventory, acc)
    lines = inventory.lines
    s, y = inventory.species.index("NOx"), inventory.years.index(2022)
    in_park = (lines["park"] == acc.park_id).to_numpy() & (lines["scope"] == 1).to_numpy()
    tot = ed.stored_derivation(rec, "NOx", 2022, {"park": acc.park_id})
    assert tot["rows"]["line"].tolist() == np.flatnonzero(in_park).tolist()
    assert tot["value_t"] == pytest.approx(acc.value("NOx", 2022), rel=1e-12)
    be = acc.by_enterprise
    for e in [*acc.enterprises, "(none)"]:
        got = ed.stored_derivation(rec, "NOx", 2022, {"park": acc.park_id, "enterprise": e})
        idx = np.flatnonzero(in_park & (lines["enterprise"] == e).to_numpy())
        assert got["rows"]["line"].tolist() == idx.tolist(), e
        assert got["rows"]["value_t"].to_numpy() == pytest.approx(
            inventory.emissions[idx, s, y], rel=1e-12)
        assert set(got["controls"]) <= set(got["rows"]["source_id"])
        if e != "(none)":
            want = be[(be["enterprise"] == e) & (be["species"] == "NOx") & (be["year"] == 2022)]
            assert got["value_t"] == pytest.approx(float(want["value"].iloc[0]), rel=1e-12)
    # an enterprise of another park has no line in it; another park's filter finds nothing
    other = lines.loc[(lines["park"] != acc.park_id) & (lines["enterprise"] != "(none)"),
                      "enterprise"].iloc[0]
    got = ed.stored_derivation(rec, "NOx", 2022, {"park": acc.park_id, "enterprise": other})
    assert len(got["rows"]) == 0 and got["value_t"] == 0.0
    assert ed.stored_derivation(rec, "NOx", 2022, {"park": "park_hitech"}) is None
