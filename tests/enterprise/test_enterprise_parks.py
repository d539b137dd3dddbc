"""Parks (issue 17 item 6) and the screening of a proposed plant (item 7), by hand.

Park targets take the alert levels of the city's early warning (data/monitoring/
alert_levels.csv: green s <= 0, yellow s <= 0.1, red above) for the shortfall of a cap on a
complete year, s = (x - x*) / x*. The screening case is a clinker line whose emissions follow
from two cited factors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cocontrol.enterprise import enterprise_account, runner
from cocontrol.enterprise.io import EnterpriseData
from cocontrol.enterprise.parks import ParkTarget, alert_cases, park_account, park_targets
from cocontrol.enterprise.screening import NewPlant, RegionalCap
from cocontrol.i18n import tr

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="module")
def ctx():
    return runner.context(DEMO)


def test_park_total_is_the_sum_of_its_enterprise_accounts(ctx):
    """E_park = Σ_e (enterprise account of e, own sources) + sources of no enterprise."""
    pa = park_account(ctx.inventory, "park_steel")
    assert set(pa.enterprises) == {"longmen_steel", "hongda_steel", "taihang_cement",
                                   "nanshan_lime"}  # regions.csv: parent park_steel
    want: dict = {}
    for e in pa.enterprises:
        a = enterprise_account(ctx.inventory, e).annual
        for x in a[a["scope"] == 1].dropna(subset=["value"]).itertuples():
            want[(x.species, x.year)] = want.get((x.species, x.year), 0.0) + x.value
    for x in pa.park_only.dropna(subset=["value"]).itertuples():
        want[(x.species, x.year)] = want.get((x.species, x.year), 0.0) + x.value
    got = pa.total.dropna(subset=["value"])
    assert len(got) and set(zip(got["species"], got["year"], strict=True)) == set(want)
    for x in got.itertuples():
        assert x.value == pytest.approx(want[(x.species, x.year)], rel=1e-12)


def test_park_target_levels_at_each_boundary(ctx):
    """Caps set from the park's own 2022 SO2 x so that s = x/x* - 1 lands on each side of the
    thresholds 0 and 0.1: x* = x -> s = 0 green; x* = x/1.1 -> s = 0.1 yellow (bound is
    yellow); x* = x/1.1001 -> s > 0.1 red; x* = x/0.5 -> s = -0.5 green; a year without
    inventory (2021) -> not estimated (never green)."""
    pa = park_account(ctx.inventory, "park_steel")
    x = pa.value("SO2", 2022)
    caps = {"eq": x, "y": x / 1.1, "r": x / 1.1001, "g": x / 0.5}
    tg = [ParkTarget(id=k, species="SO2", year=2022, max=v, unit="t") for k, v in caps.items()]
    tg.append(ParkTarget(id="none", species="SO2", year=2021, max=1.0, unit="t"))
    t = park_targets(pa, tg).set_index("target")
    assert t.loc["eq", "shortfall"] == pytest.approx(0.0, abs=1e-12)
    assert t["level"].to_dict() == {"eq": "green", "y": "yellow", "r": "red", "g": "green",
                                    "none": "not estimated"}
    assert t.loc["y", "status"] == "exceeded" and t.loc["g", "status"] == "within"
    assert t.loc["none", "status"] == "not assessed" and np.isnan(t.loc["none", "actual"])
    # caps in kt are converted: 1.5 x in kt -> s = 1/1.5 - 1
    kt = park_targets(pa, [ParkTarget(id="kt", species="SO2", year=2022, max=1.5 * x / 1000,
                                      unit="kt")])
    assert kt["shortfall"].iloc[0] == pytest.approx(1 / 1.5 - 1, rel=1e-12)
    # cases only for yellow and red, scoped to the park (jurisdiction = the park's id)
    cases = alert_cases(t.reset_index(), "park_steel", dt.datetime(2023, 1, 5),
                        dt.date(2022, 12, 31))
    assert sorted(c.finding.threshold for c in cases) == sorted([caps["r"], caps["y"]])
    assert {c.jurisdiction for c in cases} == {"park_steel"}
    assert {c.finding.rule for c in cases} == {"park_target"}
    assert cases[0].id == alert_cases(t.reset_index(), "park_steel", dt.datetime(2023, 2, 1),
                                      dt.date(2022, 12, 31))[0].id  # same finding, same case


def test_park_intensity_target_converts_both_units(ctx):
    """CO2 2022 of the park / value added 1,000,000 (1e4 yuan) in t/1e4 yuan; a target in
    kg/yuan: 1 t/1e4 yuan = 1000 kg / 1e4 yuan = 0.1 kg/yuan."""
    pa = park_account(ctx.inventory, "park_steel")
    co2 = pa.value("CO2", 2022)
    va = pd.DataFrame({"year": [2022], "value": [1e6], "unit": ["1e4 yuan"]})
    t = park_targets(pa, [ParkTarget(id="i", species="CO2", year=2022, max=1.0,
                                     unit="kg/yuan", kind="intensity")], value_added=va)
    assert t["actual"].iloc[0] == pytest.approx(co2 / 1e6 * 0.1, rel=1e-12)


def test_park_evaluation_score_and_rank(ctx):
    """The demo park values (ILLUSTRATIVE) scored with the bundled park index system: the
    park's score and rank are the evaluation engine's own for that park and year."""
    res = runner.park_evaluation(ctx)
    acc, _, ev = runner.park_full(ctx, "park_steel")
    row = res.scores.loc[("park_steel", 2022)]
    assert ev["score"] == pytest.approx(float(row["score"]), rel=1e-12)
    assert (ev["rank"], ev["of"], ev["year"]) == (int(row["rank"]), 3, 2022)
    assert ev["system"] == "park" and ev["grade_zh"] and acc.park_id == "park_steel"
    assert "ILLUSTRATIVE" in ctx.data.park_values["source"].iloc[0]


def test_screening_of_a_clinker_line_by_hand(ctx):
    """100,000 t clinker/yr in Beiyuan, no controls:

    - CO2 = 100,000 t x 0.52 t CO2/t clinker (bundled ef_air.csv, IPCC 2006 Vol.3 Ch.2
      Eq.2.4 with the CKD correction) = 52,000 t; intensity 0.52 t/t vs the EU ETS clinker
      benchmark 0.693 t/t (benchmarks.csv): share 0.52/0.693 = 0.7504, pass;
    - NOx = 100,000 t x 1.84 kg/t (the demo's factors.csv, kiln tail 800 mg/m3 x 2,300 m3/t)
      = 184 t; with a cap of E_ref + 368 t the room is 368 t and the plant takes 184/368 =
      0.5 of it (pass); with a cap of E_ref + 92 t it takes 2.0 (fail).
    """
    ref = runner.reference_by_region(ctx.inventory)
    r = ref[(ref["region"] == "beiyuan") & (ref["species"] == "NOx") & (ref["year"] == 2022)]
    e_ref = float(r["value"].iloc[0])
    plant = NewPlant(id="hand", name="hand-checked clinker line", region_parent="beiyuan",
                     sector="cement", year=2022,
                     activities=[{"process": "clinker", "value": 100_000, "unit": "t"}],
                     output=100_000, output_unit="t", benchmark="eu_ets_clinker_2021")
    caps = [RegionalCap(species="NOx", year=2022, max=e_ref + 368, unit="t", region="beiyuan"),
            RegionalCap(species="NOx", year=2022, max=e_ref + 92, unit="t", region="beiyuan")]
    res = runner.screening(runner.Context(ctx.project, EnterpriseData(
        plants=[plant], caps=caps), ctx.inventory), "hand")[0]
    assert res.emissions["CO2"] == pytest.approx(52_000, rel=1e-9)
    assert res.emissions["NOx"] == pytest.approx(184, rel=1e-9)
    c = res.checks
    assert c["value"].iloc[0] == pytest.approx(0.52, rel=1e-9)
    assert c["share"].iloc[0] == pytest.approx(0.52 / 0.693, rel=1e-9)
    assert c["limit"].iloc[1] == pytest.approx(368, rel=1e-9)
    assert c["share"].iloc[1] == pytest.approx(0.5, rel=1e-9)
    assert c["share"].iloc[2] == pytest.approx(2.0, rel=1e-9)
    assert c["status"].tolist() == ["pass", "pass", "fail"] and res.verdict == "fail"
    # the project's air-quality settings give a ΔPM2.5 > 0 (more emissions); its precursor
    # map takes primary OM as a share of PM2.5 (om_share_of_primary), so the OC that has no
    # clinker factor (not estimated) is not needed; a map that uses OC names it as left out
    assert res.delta_pm25_ugm3 > 0 and np.isnan(res.emissions["OC"])
    assert not any("leaves out" in tr(n, "en") for n in res.notes)
    from cocontrol.airquality.precursors import default_mapping
    from cocontrol.enterprise.screening import _delta_pm25

    aq, mapping, city = runner.air_model(ctx)
    _pm25_is_the_models_product(plant, res, aq, mapping, city)
    notes: list = []
    assert np.isfinite(_delta_pm25(aq, default_mapping(1.4), res.emissions, city, notes))
    assert "OC" in tr(notes[0], "en") and "leaves out" in tr(notes[0], "en")
    assert "未估算" in tr(notes[0], "zh")
    # without the air-quality model: not estimated (None), never 0
    res0 = runner.screening(runner.Context(ctx.project, EnterpriseData(
        plants=[plant], caps=caps), ctx.inventory), "hand", air=False)[0]
    assert res0.delta_pm25_ugm3 is None


def _pm25_is_the_models_product(plant, res, aq, mapping, city):
    """The ΔPM2.5 shown opens its derivation (cocontrol.enterprise.derivation): here by hand,
    ΔP_p = Σ_s factor_ps × E_s over the precursor map's rows and ΔPM2.5 = Σ_p J_p × ΔP_p with
    the model's PM2.5 coefficients of the city's own emissions (its Jacobian)."""
    from cocontrol.enterprise import derivation as ed

    jac = aq.jacobian("PM2.5", receptors=[city])
    coef = jac[jac["source_region"] == city].groupby("precursor")["value"].sum()
    dp: dict[str, float] = {}
    for p, sp, f in mapping[["precursor", "species", "factor"]].itertuples(index=False):
        e = res.emissions.get(sp)
        if e is not None and np.isfinite(e):
            dp[p] = dp.get(p, 0.0) + f * float(e)
    want = sum(float(coef.get(p, 0.0)) * v for p, v in dp.items())
    assert res.delta_pm25_ugm3 == pytest.approx(want, rel=1e-12)
    d = ed.screening_pm25_derivation(plant, aq, mapping, res.emissions, city,
                                     value=res.delta_pm25_ugm3)
    assert d["value"] == res.delta_pm25_ugm3 and d["unit"] == "µg/m³"
    step = next(x for x in d["steps"] if x["name"] == "delta_pm25")
    assert step["value"] == pytest.approx(want, rel=1e-12)
    rows = {r["precursor"]: r for r in d["table"]["rows"]}
    assert set(rows) == set(mapping["precursor"])
    for p, r in rows.items():
        assert r["delta_t"] == pytest.approx(dp.get(p, 0.0), rel=1e-12, abs=1e-12)
        assert r["coef_ugm3_per_t"] == pytest.approx(float(coef.get(p, 0.0)), rel=1e-12)
        assert r["delta_ugm3"] == pytest.approx(r["coef_ugm3_per_t"] * r["delta_t"], rel=1e-12)
    assert sum(r["delta_ugm3"] for r in rows.values()) == pytest.approx(want, rel=1e-12)
    # NOx: 184 t (the hand line) enters as itself; the model and its source are named
    assert rows["NOx"]["delta_t"] == pytest.approx(184, rel=1e-9)
    assert {x["label"] for x in d["inputs"] if x["name"] == "emission"} <= set(
        mapping["species"])
    assert "TM5-FASST" in d["source"] and d["subject"]["city"] == city
    # a model without coefficients (not linear): its own answer, no product
    class Curve:
        receptors, metadata, name = [city], {}, "curve"

        def predict(self, tab):
            return pd.DataFrame({"receptor": [city], "component": ["PM2.5"],
                                 "change": [1e-3 * float(tab["change_t"].sum())]})

    c = ed.screening_pm25_derivation(plant, Curve(), mapping, res.emissions, city)
    assert c["value"] == pytest.approx(1e-3 * sum(dp.values()), rel=1e-12)
    assert all(r["coef_ugm3_per_t"] is None for r in c["table"]["rows"]) and c["notes"]


def test_cli_park_account_prints_targets_and_evaluation():
    from typer.testing import CliRunner

    from cocontrol.cli import app

    r = CliRunner().invoke(app, ["account", str(DEMO), "--park", "park_steel"])
    assert r.exit_code == 0, r.output
    assert "Park targets" in r.output and "Park evaluation" in r.output
    assert "yellow" in r.output  # NOx 2,896 t against the ILLUSTRATIVE 2,800 t cap
    zh = CliRunner().invoke(app, ["account", str(DEMO), "--park", "park_steel", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "园区目标" in zh.output and "园区评价" in zh.output
