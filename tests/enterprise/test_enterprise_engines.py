"""Enterprise stage: permits, accounts, footprints, grades, parks, projects, screening.

Hand calculations are written out in each test; bundled factors are cited where used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cocontrol.enterprise import account as acc_mod
from cocontrol.enterprise import io
from cocontrol.enterprise import product_footprint as fp
from cocontrol.enterprise.parks import ParkTarget, park_account, park_targets
from cocontrol.enterprise.permits import Permit, alerts, compliance, status_of
from cocontrol.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="module")
def demo_inventory():
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    return compute(load_project(DEMO))


# ----------------------------------------------------------------------------- permits
def _permit(**kw) -> Permit:
    raw = {
        "number": "P-1", "enterprise_id": "e1", "industry": "power",
        "valid_from": "2020-01-01", "valid_to": "2024-12-31",
        "outlets": [{"id": "DA1", "limits": [
            {"species": "SO2", "limit": 35, "unit": "mg/m3", "standard": "ULE"},
            {"species": "NOx", "limit": 50, "unit": "mg/m3", "standard": "ULE"}]}],
        "quantities": [{"species": "SO2", "limit": 100, "unit": "t"}],
    }
    raw.update(kw)
    return Permit.model_validate(raw)


def test_concentration_and_quantity_compliance_hand_cases():
    p = _permit()
    conc = pd.DataFrame({"outlet_id": ["DA1"] * 4, "species": ["SO2", "SO2", "SO2", "NOx"],
                         "period": ["01", "02", "03", "01"],
                         # 31.4/35 = 0.897 within; 31.5/35 = 0.9 near (bound is near);
                         # 35000 ug/m3 = 35 mg/m3 = limit -> near (not exceeded); 50.1 > 50
                         "value": [31.4, 31.5, 35000.0, 50.1],
                         "unit": ["mg/m3", "mg/m3", "ug/m3", "mg/m3"]})
    qty = pd.DataFrame({"species": ["SO2"], "value": [0.101], "unit": ["kt"]})  # 101 t > 100
    t = compliance(p, concentrations=conc, quantities=qty, on=dt.date(2022, 6, 1))
    got = dict(zip(zip(t["item"], t["species"], t["period"].fillna(""), strict=False), t["status"],
                   strict=True))
    assert got[("concentration", "SO2", "01")] == "within"
    assert got[("concentration", "SO2", "02")] == "near"
    assert got[("concentration", "SO2", "03")] == "near"
    assert got[("concentration", "NOx", "01")] == "exceeded"
    assert got[("annual quantity", "SO2", "")] == "exceeded"
    q = t[t["item"] == "annual quantity"].iloc[0]
    assert q["actual"] == pytest.approx(101.0) and q["ratio"] == pytest.approx(1.01)
    a = alerts(t)
    assert set(a["status"]) == {"near", "exceeded"}
    assert set(a.loc[a["status"] == "exceeded", "level"]) == {"red"}


def test_missing_actual_is_not_assessed_and_expiry():
    p = _permit()
    t = compliance(p, on=dt.date(2022, 1, 1))
    assert set(t["status"]) == {"not assessed"}
    assert t["actual"].isna().all()
    t2 = compliance(p, concentrations=pd.DataFrame({"outlet_id": ["DA1"], "species": ["SO2"],
                                                    "value": [1.0], "unit": ["mg/m3"]}),
                    on=dt.date(2025, 1, 1))
    assert set(t2["status"]) == {"permit expired"}


def test_status_bounds():
    assert status_of(0.8999) == "within"
    assert status_of(0.9) == "near"
    assert status_of(1.0) == "near"
    assert status_of(1.0000001) == "exceeded"
    assert status_of(float("nan")) == "not assessed"


def test_permit_validation_errors():
    with pytest.raises(Exception, match="valid_to"):
        _permit(valid_to="2019-01-01")
    with pytest.raises(Exception, match="Extra inputs|extra"):
        _permit(colour="red")
    p = _permit()
    with pytest.raises(InputError, match="outlets not in permit"):
        compliance(p, concentrations=pd.DataFrame({"outlet_id": ["DA9"], "species": ["SO2"],
                                                   "value": [1.0], "unit": ["mg/m3"]}))
    with pytest.raises(InputError, match="cannot convert"):
        compliance(p, concentrations=pd.DataFrame({"outlet_id": ["DA1"], "species": ["SO2"],
                                                   "value": [1.0], "unit": ["t"]}))


def test_carbon_intensity_vs_bundled_benchmark_converts_both_units():
    p = _permit(carbon={"product": "electricity", "intensity_unit": "t/MWh",
                        "benchmark": "ets_power_coal_300plus_2022"})
    # 0.85 kg/kWh = 0.85 t/MWh; benchmark 0.8177 t/MWh -> ratio 1.0395 exceeded
    t = compliance(p, intensity=pd.DataFrame({"value": [0.85], "unit": ["kg/kWh"]}),
                   on=dt.date(2022, 1, 1))
    row = t[t["item"] == "carbon intensity"].iloc[0]
    assert row["actual"] == pytest.approx(0.85)
    assert row["ratio"] == pytest.approx(0.85 / 0.8177)
    assert row["status"] == "exceeded"


# ----------------------------------------------------------------------------- grades
@pytest.mark.parametrize("ratio,level", [(0.0, 1), (0.8, 1), (0.8000001, 2), (0.95, 2),
                                         (0.9500001, 3), (1.05, 3), (1.0500001, 4), (1.2, 4),
                                         (1.2000001, 5), (7.0, 5)])
def test_carbon_grade_at_each_boundary(ratio, level):
    assert acc_mod.carbon_grade(ratio).level == level


def test_grade_rules_must_increase():
    bad = {"levels": [{"level": 1, "max_ratio": 1.0, "colour": "g", "label_en": "a",
                       "label_zh": "a"},
                      {"level": 2, "max_ratio": 0.9, "colour": "g", "label_en": "b",
                       "label_zh": "b"},
                      {"level": 3, "max_ratio": None, "colour": "r", "label_en": "c",
                       "label_zh": "c"}]}
    with pytest.raises(InputError, match="bounds must increase"):
        acc_mod.grade_rules(bad)
    with pytest.raises(InputError):
        acc_mod.carbon_grade(float("nan"))


# ----------------------------------------------------------------------------- accounts
def test_account_totals_equal_the_inventory_lines_of_the_enterprise(demo_inventory):
    inv = demo_inventory
    a = acc_mod.enterprise_account(inv, "longmen_steel")
    mask = (inv.lines["enterprise"] == "longmen_steel").to_numpy()
    scope1 = mask & (inv.lines["scope"].to_numpy() == 1)
    for s in ("SO2", "NOx", "PM2.5", "CO2"):
        j = inv.species.index(s)
        for k, y in enumerate(inv.years):
            assert a.total(s, y) == pytest.approx(float(inv.emissions[scope1, j, k].sum()),
                                                  rel=1e-12)
    assert a.lines == int(mask.sum())
    assert a.sector == "steel"


def test_account_monthly_adds_up_and_intensities_convert(demo_inventory):
    inv = demo_inventory
    prof = pd.DataFrame({"month": [f"2022-{m:02d}" for m in range(1, 13)],
                         "value": [2.0] + [1.0] * 11})  # January twice the other months
    prod = pd.DataFrame({"year": [2022], "product": ["power"], "value": [5.0e6],
                         "unit": ["MWh"]})
    va = pd.DataFrame({"year": [2022], "value": [2.0], "unit": ["1e8 yuan"]})
    a = acc_mod.enterprise_account(inv, "huaxin_power", production=prod, value_added=va,
                                   monthly_profile=prof,
                                   intensity_units={"power": "kg/kWh",
                                                    "value_added": "t/1e4 yuan"})
    co2 = a.total("CO2", 2022)
    m = a.monthly[a.monthly["species"] == "CO2"]
    assert m["value"].sum() == pytest.approx(co2, rel=1e-12)
    assert m.loc[m["month"] == "2022-01", "value"].iloc[0] == pytest.approx(co2 * 2 / 13)
    it = a.intensities.set_index(["species", "denominator"])
    # t/MWh -> kg/kWh is a factor of 1: CO2 / 5e6 MWh
    assert it.loc[("CO2", "power"), "value"] == pytest.approx(co2 / 5.0e6)
    # per value added: t / 2e8 yuan = t / 2e4 (1e4 yuan)
    so2 = a.total("SO2", 2022)
    assert it.loc[("SO2", "value_added"), "value"] == pytest.approx(so2 / 2.0e4)


def test_account_benchmark_and_unknown_enterprise(demo_inventory):
    inv = demo_inventory
    prod = pd.DataFrame({"year": [2022], "product": ["el"], "value": [5443200.0],
                         "unit": ["MWh"]})
    a = acc_mod.enterprise_account(inv, "huaxin_power", production=prod,
                                   benchmark="ets_power_coal_300plus_2022", product="el")
    b = a.benchmark.iloc[0]
    assert b["ratio"] == pytest.approx(a.total("CO2", 2022) / 5443200.0 / 0.8177)
    assert b["level"] == acc_mod.carbon_grade(b["ratio"]).level
    with pytest.raises(InputError, match="no source lines"):
        acc_mod.enterprise_account(inv, "nobody")


def test_species_without_factor_is_not_estimated_not_zero(demo_inventory):
    inv = demo_inventory
    ef = inv.ef.copy()
    mask = (inv.lines["enterprise"] == "huaxin_power").to_numpy()
    j = inv.species.index("NH3")
    inv2 = type(inv)(inv.lines, inv.years, inv.species, inv.activity, ef, inv.ctrl_lines,
                     inv.ctrl_factor, regions=inv.regions, emissions=inv.emissions.copy())
    inv2.ef[mask, j] = np.nan
    inv2.emissions[mask, j, :] = np.nan
    a = acc_mod.enterprise_account(inv2, "huaxin_power")
    row = a.annual[(a.annual["species"] == "NH3") & (a.annual["scope"] == 1)]
    assert (row["status"] == "not estimated").all() and row["value"].isna().all()


# ----------------------------------------------------------------------------- parks
def test_park_account_closes_and_targets(demo_inventory):
    inv = demo_inventory
    pa = park_account(inv, "park_steel")
    ent_sum = pa.by_enterprise.groupby(["species", "year"])["value"].sum()
    only = pa.park_only.set_index(["species", "year"])["value"]
    tot = pa.total.set_index(["species", "year"])["value"]
    np.testing.assert_allclose((ent_sum.add(only, fill_value=0)).reindex(tot.index), tot,
                               rtol=1e-12)
    so2 = pa.value("SO2", 2022)
    t = park_targets(pa, [ParkTarget(id="a", species="SO2", year=2022, max=so2 / 1000 * 0.95,
                                     unit="kt"),
                          ParkTarget(id="b", species="SO2", year=2022, max=so2 * 2, unit="t")])
    assert list(t["status"]) == ["exceeded", "within"]
    assert t["actual"].iloc[0] == pytest.approx(so2 / 1000)


# ----------------------------------------------------------------------------- footprint
def test_footprint_by_hand_with_mass_and_economic_allocation():
    """A two-input product with one co-product, checked by hand.

    Inputs per period: 1,000 t of a material at 0.5 t CO2e/t (500 t CO2e) and 2,000 MWh of
    grid electricity at the bundled 2022 national factor 0.5366 t CO2/MWh (MEE & NBS 2024,
    grid.csv) = 1,073.2 t. Sum 1,573.2 t CO2e. Output 800 t product + 200 t co-product.
    Mass allocation: 800 / (800 + 200) = 0.8 -> 1,258.56 t / 800 t = 1,573.2 kg CO2e per t.
    Economic: prices 100 and 400 yuan/t -> 80,000 / (80,000 + 80,000) = 0.5 -> 983.25 kg/t.
    """
    base = {"id": "x", "name": "x", "output": 800, "output_unit": "t", "price": 100,
            "co_products": [{"name": "by", "quantity": 200, "unit": "t", "price": 400}],
            "inputs": [
                {"name": "mat", "stage": "raw_materials", "kind": "material",
                 "quantity": 1000, "unit": "t", "factor": 0.5, "factor_unit": "t/t",
                 "factor_source": "hand", "uncertainty_factor_pct": 10},
                {"name": "el", "stage": "energy", "kind": "electricity",
                 "code": "cn_national_2022", "quantity": 2000, "unit": "MWh",
                 "uncertainty_factor_pct": 5}]}
    r = fp.footprint(fp.Product.model_validate({**base, "allocation": "mass"}))
    assert r.allocation_share == pytest.approx(0.8)
    assert r.value_kg == pytest.approx(1573.2)
    st = r.by_stage().set_index("stage")["kg_co2e_per_fu"]
    assert st["raw_materials"] == pytest.approx(500)
    assert st["energy"] == pytest.approx(1073.2)
    # IPCC Approach 1: U = sqrt((10 % x 500)^2 + (5 % x 1073.2)^2) / 1573.2
    assert r.uncertainty_pct == pytest.approx(100 * np.hypot(50, 53.66) / 1573.2)
    e = fp.footprint(fp.Product.model_validate({**base, "allocation": "economic"}))
    assert e.allocation_share == pytest.approx(0.5)
    assert e.value_kg == pytest.approx(1573.2 * 0.5 * 1000 / 800)


def test_footprint_fuel_uses_44_over_12_and_functional_unit():
    """1 t of raw coal: 20.908 GJ x 25.8 kg C/GJ x 44/12 x OF 1.0 = 1,977.9 kg CO2 (fuels.csv:
    GB/T 2589-2020 NCV, IPCC 2006 Vol.2 Table 1.3 carbon content). Functional unit 1 kg of a
    product made 1 t per period -> the footprint per kg is 1/1000 of the total."""
    p = fp.Product.model_validate({
        "id": "c", "name": "c", "sector": "cement", "output": 1, "output_unit": "t",
        "functional_unit": 1, "functional_unit_unit": "kg",
        "inputs": [{"name": "coal", "stage": "energy", "kind": "fuel", "code": "raw_coal_cn",
                    "quantity": 1, "unit": "t"}]})
    r = fp.footprint(p)
    co2 = 20.908 * 25.8 * 44 / 12
    # plus CH4/N2O of combustion where bundled for the sector (small): at least the CO2
    assert co2 / 1000 <= r.value_kg <= co2 / 1000 * 1.02
    assert r.inputs_without_uncertainty == ["coal"]


def test_footprint_missing_factor_is_an_error_never_zero():
    with pytest.raises(Exception, match="needs a user factor"):
        fp.Product.model_validate({"id": "a", "name": "a", "output": 1, "output_unit": "t",
                                   "inputs": [{"name": "m", "stage": "raw_materials",
                                               "kind": "material", "quantity": 1,
                                               "unit": "t"}]})
    p = fp.Product.model_validate({"id": "a", "name": "a", "output": 1, "output_unit": "t",
                                   "inputs": [{"name": "e", "stage": "energy",
                                               "kind": "electricity", "code": "nowhere",
                                               "quantity": 1, "unit": "MWh"}]})
    with pytest.raises(InputError, match="unknown grid factor"):
        fp.footprint(p)
    with pytest.raises(Exception, match="choose allocation"):
        fp.Product.model_validate({"id": "a", "name": "a", "output": 1, "output_unit": "t",
                                   "co_products": [{"name": "b", "quantity": 1, "unit": "t"}],
                                   "inputs": [{"name": "e", "stage": "energy",
                                               "kind": "electricity", "code": "x",
                                               "quantity": 1, "unit": "MWh"}]})


# ----------------------------------------------------------------------------- io
def test_demo_enterprise_files_load():
    d = io.load(DEMO)
    assert {p.enterprise_id for p in d.permits} == {"huaxin_power", "longmen_steel",
                                                    "taihang_cement"}
    assert all(p.illustrative for p in d.permits + d.projects + d.products)
    assert d.grade("huaxin_power").grade == "A"


def test_enterprise_files_unknown_keys_and_bad_rows(tmp_path):
    e = tmp_path / "enterprise"
    e.mkdir()
    (e / "permits.yaml").write_text("permits:\n  - number: X\n    enterprise_id: a\n"
                                    "    industry: i\n    valid_from: 2020-01-01\n"
                                    "    valid_to: 2021-01-01\n    colour: red\n"
                                    "permitz: []\n", encoding="utf-8")
    (e / "production.csv").write_text("enterprise_id,year,product,value,unit\n"
                                      "a,2020,x,lots,t\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        io.load(tmp_path)
    msgs = [str(p) for p in ei.value.problems]
    assert any("permitz" in m and "unknown key" in m for m in msgs)
    assert any("permits[0].colour" in m and "unknown key" in m for m in msgs)
    assert any("production.csv, row 2, column value" in m for m in msgs)


def test_enterprise_files_in_memory_did_you_mean_and_excel():
    """The same files as an upload ({name: bytes}), read through cocontrol.io: an unknown key
    or column names the nearest known one; an Excel table reads like its CSV; a file the stage
    does not read is refused."""
    import io as _io

    permits = (b"permits:\n  - number: X\n    enterprise_id: a\n    industri: i\n"
               b"    valid_from: 2020-01-01\n    valid_to: 2021-01-01\n")
    with pytest.raises(InputError) as ei:
        io.load_files({"permits.yaml": permits,
                       "value_added.csv": b"enterprise_id,year,valeu,unit\na,2020,1,t\n"})
    msgs = [str(p) for p in ei.value.problems]
    assert any("permits[0].industri" in m and "did you mean 'industry'" in m for m in msgs)
    assert any("value_added.csv, row 1, column valeu" in m and "did you mean 'value'" in m
               for m in msgs)
    buf = _io.BytesIO()
    pd.DataFrame({"enterprise_id": ["a"], "year": [2020], "value": [12.5],
                  "unit": ["1e4 yuan"]}).to_excel(buf, index=False)
    d = io.load_files({"value_added.xlsx": buf.getvalue()})
    assert d.table("value_added", "a").to_dict("records") == [
        {"year": 2020, "value": 12.5, "unit": "1e4 yuan"}]
    with pytest.raises(InputError, match="did you mean 'permits.yaml'"):
        io.load_files({"permit.yaml": permits})


# ----------------------------------------------------------------------------- cleaner production
def test_cleaner_production_template_scores_carbon(demo_inventory):
    from cocontrol.enterprise.cleaner import computed_indicators, evaluate_cleaner_production
    from cocontrol.evaluation import load_system

    sysm = load_system("cleaner_production")
    assert {"co2_per_product", "carbon_benchmark_ratio"} <= set(sysm.ids)
    prod = pd.DataFrame({"enterprise_id": ["taihang_cement"], "year": [2022],
                         "product": ["clinker"], "value": [2.7e6], "unit": ["t"]})
    acc = acc_mod.enterprise_account(demo_inventory, "taihang_cement",
                                     production=prod.drop(columns="enterprise_id"))
    comp = computed_indicators([acc], {"taihang_cement": "clinker"}, prod)
    c = comp.set_index("indicator")["value"]
    co2 = acc.annual[(acc.annual["species"] == "CO2") & (acc.annual["year"] == 2022)]
    assert c["co2_per_product"] == pytest.approx(co2["value"].sum() / 2.7e6)
    assert c["so2_per_product"] == pytest.approx(acc.total("SO2", 2022) * 1000 / 2.7e6)
    # two peers identical except CO2 per product: the lower-carbon one scores higher, and the
    # whole difference sits in the carbon indicator's contribution
    ids = sysm.ids
    base = {i: 50.0 for i in ids}
    idx = pd.MultiIndex.from_tuples([("a", 2022), ("b", 2022), ("c", 2022)],
                                    names=["unit", "year"])
    vals = pd.DataFrame([base, base, base], index=idx)[ids]
    vals.loc[("a", 2022), "co2_per_product"] = 0.6
    vals.loc[("b", 2022), "co2_per_product"] = 0.9
    vals.loc[("c", 2022), "co2_per_product"] = 0.75
    vals.loc[("c", 2022), "so2_per_product"] = 60.0
    res = evaluate_cleaner_production(vals, weighting="template")
    s = res.scores["score"]
    assert s[("a", 2022)] > s[("b", 2022)]
    diff = res.contributions.loc[("a", 2022)] - res.contributions.loc[("b", 2022)]
    assert diff.drop("co2_per_product").abs().max() < 1e-9
    assert diff["co2_per_product"] == pytest.approx(s[("a", 2022)] - s[("b", 2022)])


def test_compliance_items_become_monitoring_cases():
    """Hand cases: near → yellow case ``permit_near``, exceeded → red case by item kind
    (concentration ``exceedance``, quantity ``quantity``), within → none; the same finding
    assessed again is the same case id; an expired permit is one red case."""
    from cocontrol.enterprise.permits import alert_cases

    p = _permit()
    conc = pd.DataFrame({"outlet_id": ["DA1"] * 3, "species": ["SO2", "SO2", "NOx"],
                         "period": ["01", "02", "01"], "value": [31.4, 31.5, 50.1],
                         "unit": ["mg/m3"] * 3})
    qty = pd.DataFrame({"species": ["SO2"], "value": [101.0], "unit": ["t"]})
    on, at = dt.date(2022, 6, 1), dt.datetime(2022, 6, 2, 8)
    t = compliance(p, concentrations=conc, quantities=qty, on=on)
    cases = alert_cases(t, p, "fenhe", at, on)
    got = {(c.finding.rule, c.finding.signal): c for c in cases}
    assert set(got) == {("permit_near", "DA1 SO2 concentration"),
                        ("exceedance", "DA1 NOx concentration"),
                        ("quantity", "SO2 annual quantity")}
    nox = got[("exceedance", "DA1 NOx concentration")]
    assert nox.finding.value == 50.1 and nox.finding.threshold == 50
    assert nox.finding.basis == "ULE" and nox.finding.message_en.startswith("[red]")
    assert nox.jurisdiction == "fenhe" and nox.status == "found"
    assert nox.deadline == dt.date(2022, 6, 17)  # 15 days after it was found
    near = got[("permit_near", "DA1 SO2 concentration")]
    assert near.finding.message_en.startswith("[yellow]") and "90.0%" in near.finding.message_en
    assert "【黄色】" in near.finding.message_zh
    assert [c.id for c in alert_cases(t, p, "fenhe", at, on)] == [c.id for c in cases]
    old = compliance(p, concentrations=conc, on=dt.date(2025, 3, 1))
    (exp,) = alert_cases(old, p, "fenhe", at, dt.date(2025, 3, 1))
    assert exp.finding.rule == "permit_expired" and exp.finding.value == 60  # days past
