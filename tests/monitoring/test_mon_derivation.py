"""Where a board number comes from (cocontrol.monitoring.derivation): hand-made alerts whose
numbers are worked out here by hand, the rows and the rule shown with them."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import CocontrolError
from cocontrol.monitoring.derivation import alert_derivation
from cocontrol.monitoring.series import from_frame
from cocontrol.monitoring.targets import Target, assess

T = dict(basis="hand-made test target (basis)")
#: CO2 per unit of GDP -18 % 2020-2025
CI = dict(id="ci", kind="co2_intensity_cut", entity="c", base_year=2020, target_year=2025,
          value=18, unit="percent", **T)


def _rows(entity, indicator, values: dict, unit, source="test"):
    return [dict(entity=entity, indicator=indicator, sector="", fuel="", period=str(p),
                 value=v, unit=unit, source=f"{source} {p}") for p, v in values.items()]


def _step(d, field):
    return next(s for s in d["steps"] if s["field"] == field)


def test_pm25_progress_numbers_rows_and_rule_by_hand():
    # base 2020 = 50, target 2025 = 40: e(2023) = 50 + (40 - 50) * 3/5 = 44; x_t = 46;
    # s = (46 - 44) / |40 - 50| = 0.2 > 0.1 (yellow's limit): red by progress
    s = from_frame(pd.DataFrame(_rows("c", "pm25_conc", {2020: 50, 2021: 48, 2022: 47,
                                                         2023: 46}, "ug/m**3")))
    t = Target(id="pm", kind="pm25_annual", entity="c", base_year=2020, target_year=2025,
               value=40, unit="ug/m**3", **T)
    payload = assess(t, s, with_forecast=False).to_dict()
    d = alert_derivation(payload, s, t, "expected_value")
    assert d["value"] == pytest.approx(44.0) == pytest.approx(payload["expected_value"])
    assert _step(d, "expected_value")["numbers"] == "50 + (40 − 50) · (2023 − 2020) / (2025 − 2020)"
    assert _step(d, "base_value")["value"] == pytest.approx(50.0)
    assert _step(d, "shortfall")["value"] == pytest.approx((46 - 44) / 10)
    assert _step(d, "target_level")["value"] == pytest.approx(40.0)
    # the uploaded rows of the base and latest year, each with its source and row
    assert [(r["period"], r["value"], r["source"]) for r in d["inputs"]] == [
        ("2020", 50.0, "test 2020"), ("2023", 46.0, "test 2023")]
    assert [r["row"] for r in d["inputs"]] == [2, 5]   # spreadsheet rows (header = row 1)
    assert [a["value"] for a in d["annual"]["pm25_conc"]] == [50.0, 48.0, 47.0, 46.0]
    assert d["rule"]["by_progress"] == "red" and d["rule"]["by_forecast"] is None
    assert d["rule"]["level"] == "red" and d["rule"]["reason"] == "progress"
    assert [r["level"] for r in d["rule"]["table"]] == ["green", "yellow", "red"]
    assert d["forecast"] is None                   # assessed without a forecast
    assert d["target"]["basis"] == T["basis"] and d["basis"] == T["basis"]
    assert d["code_version"]


def test_intensity_cut_ratio_of_both_units_by_hand():
    # CO2 1000 kt = 1e6 t, GDP 1e6 x 1e4 yuan = 100 x 1e8 yuan: x_b = 1e6 / 100 = 10000 t per
    # 1e8 yuan; 2023: 1e6 / 125 = 8000; x* = 10000 (1 - 0.18) = 8200
    rows = _rows("c", "CO2", {2020: 1000, 2023: 1000}, "kt") + \
        _rows("c", "gdp", {2020: 1e6, 2023: 1.25e6}, "1e4 yuan")
    s = from_frame(pd.DataFrame(rows))
    t = Target(**CI)
    payload = assess(t, s, with_forecast=False).to_dict()
    d = alert_derivation(payload, s, t, "target_level")
    assert d["value"] == pytest.approx(8200.0)
    assert _step(d, "target_level")["numbers"] == "10000 · (1 − 0.18)"
    assert _step(d, "base_value")["numbers"] == "1e+06 / 100"
    assert _step(d, "latest_value")["numbers"] == "1e+06 / 125"
    assert _step(d, "latest_value")["value"] == pytest.approx(8000.0)
    # both indicators' rows, as uploaded (kt, 1e4 yuan) and in the reference units (t, 1e8 yuan)
    got = {(r["indicator"], r["period"]): (r["value_original"], r["value"]) for r in d["inputs"]}
    assert got[("CO2", "2020")] == (1000.0, pytest.approx(1e6))
    assert got[("gdp", "2023")] == (1.25e6, pytest.approx(125.0))
    assert d["target"]["indicators"] == ["CO2", "gdp"]


def test_carbon_budget_year_to_date_by_hand():
    # months of 2023 at 100 t: by March 3/12 of the year, B phi = 1200 * 0.25 = 300;
    # YTD = 3 x 110 = 330; s = (330 - 300) / 300 = 0.1: yellow
    prev = {f"2023-{m:02d}": 100.0 for m in range(1, 13)}
    cur = {f"2024-{m:02d}": 110.0 for m in range(1, 4)}
    s = from_frame(pd.DataFrame(_rows("c", "CO2", prev | cur, "t")))
    t = Target(id="b", kind="carbon_budget", entity="c", target_year=2024, value=1200, unit="t",
               **T)
    payload = assess(t, s, with_forecast=False).to_dict()
    d = alert_derivation(payload, s, t, "latest_value")
    assert d["value"] == pytest.approx(330.0)
    assert _step(d, "latest_value")["numbers"] == "110 + 110 + 110"
    assert _step(d, "expected_value")["numbers"] == "1200 · 0.25"
    assert _step(d, "shortfall")["value"] == pytest.approx(0.1)
    assert len(d["inputs"]) == 12 + 3                 # the year before (the profile) and YTD
    assert d["rule"]["by_progress"] == "yellow"
    assert alert_derivation(payload, s, t, "level")["value"] == "yellow"


def test_forecast_probability_median_and_interval():
    vals = {f"{y}-{m:02d}": 100.0 + 5 * np.sin(m) + 0.01 * (y - 2018) for y in range(2018, 2024)
            for m in range(1, 13)}
    s = from_frame(pd.DataFrame(_rows("c", "CO2", vals, "t")))
    t = Target(id="hi", kind="carbon_budget", entity="c", target_year=2024, value=1000,
               unit="t", **T)
    a = assess(t, s, n_paths=200, models=("snaive", "theta"))
    payload = a.to_dict()
    d = alert_derivation(payload, s, t, "probability_of_missing",
                         assessed={"models": ["snaive", "theta"], "n_paths": 200, "seed": 0})
    assert d["value"] == pytest.approx(a.probability) and d["value"] > 0.99
    f = d["forecast"]
    assert f["model"] in ("snaive", "theta") and "Hyndman" in f["method"] + f["methods"]["snaive"]
    assert f["n_paths"] == 200 and f["n_samples"] == 200
    assert {r["model"] for r in f["scores"]} == {"snaive", "theta"}
    assert f["history"]["first"] == "2018-01" and f["history"]["months"] == 72
    # the year's 12 months near 100 t: median about 1200 t; p05 <= median <= p95
    med = _step(d, "forecast_median")["value"]
    assert med == pytest.approx(1200, rel=0.05)
    assert _step(d, "forecast_p05")["value"] <= med <= _step(d, "forecast_p95")["value"]
    assert _step(d, "gap")["value"] == pytest.approx(med - 1000)
    assert d["rule"]["by_forecast"] == "red"


def test_unknown_field_is_an_error_in_both_languages():
    s = from_frame(pd.DataFrame(_rows("c", "coal", {2020: 9.5, 2023: 9.9}, "Mt")))
    t = Target(id="coal", kind="coal_cap", entity="c", base_year=2020, target_year=2025,
               value=9000, unit="kt", **T)
    payload = assess(t, s, with_forecast=False).to_dict()
    with pytest.raises(CocontrolError) as e:
        alert_derivation(payload, s, t, "probablity")
    msg = e.value.args[0]
    assert "probablity" in msg.tr("en") and "看板" in msg.tr("zh")
    # the coal cap: x* = 9000 kt = 9.0e6 t
    d = alert_derivation(payload, s, t, "target_level")
    assert d["value"] == pytest.approx(9.0e6)
    assert _step(d, "target_level")["numbers"] == "9000 kt · 1000"


def test_alert_stored_without_its_target_shows_what_was_stored():
    s = from_frame(pd.DataFrame(_rows("c", "coal", {2020: 9.5, 2023: 9.9}, "Mt")))
    t = Target(id="coal", kind="coal_cap", entity="c", base_year=2020, target_year=2025,
               value=9000, unit="kt", **T)
    payload = assess(t, s, with_forecast=False).to_dict()
    d = alert_derivation(payload, None, None, "shortfall")
    # trajectory 9.5 -> 9.0 Mt, expected 2023 = 9.2 Mt, actual 9.9: (9.9 - 9.2) / 0.5 = 1.4
    assert d["value"] == pytest.approx(1.4)
    assert d["target"] is None and d["inputs"] == [] and d["basis"] == T["basis"]


def _lmdi_rows(year, q, shares, ei, mix, ef):
    rows = []
    for sec, s in shares.items():
        rows += [dict(entity="c", indicator="value_added", sector=sec, fuel="", period=str(year),
                      value=q * s, unit="1e4 yuan", source=f"stats {year}")]
        for fuel, f in mix[sec].items():
            e = q * s * ei[sec] * f
            rows += [dict(entity="c", indicator="energy", sector=sec, fuel=fuel,
                          period=str(year), value=e, unit="tce", source=f"energy {year}"),
                     dict(entity="c", indicator="CO2", sector=sec, fuel=fuel, period=str(year),
                          value=e * ef[fuel], unit="t", source=f"co2 {year}")]
    return rows


def test_driver_effect_derivation_by_hand():
    # only output grows (100 -> 120, 1e4 yuan): C^0 = 60*2*(0.8*2.66 + 0.2*1.64)
    # + 40*0.5*(0.3*2.66 + 0.7*1.64) = 255.36 + 39.36 + 15.96 + 22.96 = 333.64 t; C^T = 1.2 C^0;
    # the activity effect is the whole change 66.728 t, the other factors 0
    from cocontrol.monitoring.derivation import driver_derivation
    from cocontrol.monitoring.targets import drivers

    shares, ei = {"ind": 0.6, "srv": 0.4}, {"ind": 2.0, "srv": 0.5}
    mix = {"ind": {"coal": 0.8, "gas": 0.2}, "srv": {"coal": 0.3, "gas": 0.7}}
    ef = {"coal": 2.66, "gas": 1.64}
    rows = _lmdi_rows(2022, 100.0, shares, ei, mix, ef) + \
        _lmdi_rows(2023, 120.0, shares, ei, mix, ef) + \
        _rows("c", "coal", {2020: 9.5, 2023: 9.9}, "Mt")
    s = from_frame(pd.DataFrame(rows))
    t = Target(id="coal", kind="coal_cap", entity="c", base_year=2020, target_year=2025,
               value=9000, unit="kt", **T)
    a = assess(t, s, with_forecast=False)
    a.drivers = drivers(s, "c", 2022, 2023)
    payload = a.to_dict()
    assert payload["drivers_info"]["period"] == [2022, 2023]
    d = driver_derivation(payload, s, "activity", upload={"id": 7})
    assert d["value"] == pytest.approx(0.2 * 333.64, rel=1e-9)
    lm = d["lmdi"]
    assert lm["inputs"][0]["value"] == pytest.approx(333.64, rel=1e-12)      # C^0
    assert lm["inputs"][1]["value"] == pytest.approx(1.2 * 333.64, rel=1e-12)
    steps = {x["name"]: x["value"] for x in lm["steps"]}
    assert steps["activity"] == pytest.approx(d["value"], rel=1e-12)
    assert abs(steps["structure"]) < 1e-9 and abs(steps["emission_factor"]) < 1e-9
    assert len(lm["subs"]) == 4                      # sector x fuel
    # the uploaded rows: 2 output, 4 energy and 4 CO2 rows in each of the two years
    assert len(d["inputs"]) == 20 and {r["source"] for r in d["inputs"]} >= {"co2 2022",
                                                                             "stats 2023"}
    with pytest.raises(CocontrolError):
        driver_derivation(payload, s, "weather")


def test_closing_measure_cumulative_and_rule_by_hand():
    # gap 380 t; the policy scenario's measures by reduction: b 300 (C = 300 < 380), c 100
    # (C = 300 + 100 = 400 >= 380: closes the gap); a (50) is not needed
    from cocontrol.monitoring.derivation import measure_derivation
    from cocontrol.monitoring.targets import closing_measures

    red = pd.DataFrame({"scenario": "policy", "measure": ["a", "b", "c", "d"],
                        "reduction": [50.0, 300.0, 100.0, -5.0]})
    m = closing_measures(380.0, red)
    t = Target(id="b", kind="carbon_budget", entity="c", target_year=2024, value=1200,
               unit="t", **T)
    s = from_frame(pd.DataFrame(_rows("c", "CO2", {"2023-01": 100.0}, "t")))
    payload = {"kind": "carbon_budget", "gap": 380.0, "unit": "t",
               "measures": m.to_dict("records"),
               "notes": ["closing measures: marginal effects, gap 380 t CO2"]}
    d = measure_derivation(payload, s, t, 1)
    assert (d["measure"], d["value"], d["cumulative"]) == ("c", 100.0, 400.0)
    assert d["gap"]["value"] == pytest.approx(380.0) and d["gap"]["formula"] == "G = g"
    assert d["steps"][0]["numbers"] == "300 + 100"
    assert d["steps"][1]["numbers"] == "400 ≥ 380" and d["steps"][1]["value"] is True
    assert [x["measure"] for x in d["before"]] == ["b", "c"]
    assert d["method"] == payload["notes"]
    with pytest.raises(CocontrolError):
        measure_derivation(payload, s, t, 2)


def test_closing_measure_gap_of_an_intensity_target_in_tonnes():
    # g = 50 t per 1e8 yuan above the target intensity; GDP 2025 = 130 (1e8 yuan) given:
    # G = 50 x 130 = 6500 t CO2
    from cocontrol.monitoring.derivation import measure_derivation

    rows = _rows("c", "CO2", {2020: 1e6, 2025: 1e6}, "t") + \
        _rows("c", "gdp", {2020: 100, 2025: 130}, "1e8 yuan")
    s = from_frame(pd.DataFrame(rows))
    t = Target(**CI)
    payload = {"kind": "co2_intensity_cut", "gap": 50.0, "unit": "t/(1e8 yuan)",
               "measures": [{"scenario": "policy", "measure": "x", "reduction": 7000.0,
                             "cumulative": 7000.0, "closes_gap": True}]}
    d = measure_derivation(payload, s, t, 0)
    assert d["gap"]["value"] == pytest.approx(6500.0) and d["gap"]["numbers"] == "50 · 130"
    assert d["gap"]["species"] == "CO2" and d["unit"] == "t"


#: a hand-made alerts table (as the board lists them): the levels are those the default
#: thresholds give by hand (alert_levels.csv: green s <= 0, p <= 0.2; yellow s <= 0.1,
#: p <= 0.5; red above), except "old", stored yellow though its numbers give green (assessed
#: with other thresholds: counted as stored, the difference shown)
ALERTS = pd.DataFrame([
    # id, target, entity, kind, shortfall, probability, level (stored)
    (1, "pm_a", "a", "pm25_annual", -0.05, 0.10, "green"),    # green by both
    (2, "gd_a", "a", "good_day_ratio", 0.05, 0.10, "yellow"),  # yellow by progress
    (3, "pm_b", "b", "pm25_annual", -0.20, 0.60, "red"),      # red by forecast
    (4, "co_b", "b", "coal_cap", 0.30, None, "red"),          # red by progress, no forecast
    (5, "gd_b", "b", "good_day_ratio", None, None, "not estimated"),
    (6, "old", "c", "pm25_annual", -0.01, 0.05, "yellow"),
], columns=["id", "target", "entity", "kind", "shortfall", "probability_of_missing", "level"])


def _alert_records(df):
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            | {"name_en": r["target"]} for r in df.to_dict("records")]


def test_count_of_each_level_lists_what_it_counts():
    from cocontrol.monitoring.derivation import count_derivation

    recs = _alert_records(ALERTS)
    by_hand = ALERTS["level"].value_counts().to_dict()   # counted on the table itself
    for level in ("red", "yellow", "green", "not estimated"):
        d = count_derivation(recs, level)
        assert d["value"] == by_hand.get(level, 0) == len(d["items"]), level
        assert {i["id"] for i in d["items"]} == set(ALERTS.loc[ALERTS["level"] == level, "id"])
        assert d["counts"][level] == by_hand.get(level, 0)
        assert d["of"] == len(ALERTS)
    red = {i["id"]: i for i in count_derivation(recs, "red")["items"]}
    # the rule of each: alert 3 is red by its probability 0.6 > 0.5, green by progress;
    # alert 4 red by its shortfall 0.3 > 0.1, without a forecast
    assert (red[3]["by_progress"], red[3]["by_forecast"], red[3]["rule_reason"]) == \
        ("green", "red", "forecast")
    assert (red[4]["by_progress"], red[4]["by_forecast"], red[4]["rule_reason"]) == \
        ("red", None, "progress")
    assert red[4]["threshold"]["max_shortfall"] == "inf"
    yellow = {i["id"]: i for i in count_derivation(recs, "yellow")["items"]}
    assert yellow[2]["rule_level"] == "yellow" and yellow[2]["threshold"]["max_shortfall"] \
        == pytest.approx(0.1) and yellow[2]["threshold"]["max_probability"] == pytest.approx(0.5)
    assert yellow[6]["rule_level"] == "green"       # stored yellow: counted as stored
    assert count_derivation(recs, "not estimated")["items"][0]["rule_level"] == "not estimated"
    # every alert, worst first
    d = count_derivation(recs)
    assert d["value"] == len(ALERTS) and [i["level"] for i in d["items"]][:2] == ["red", "red"]
    with pytest.raises(CocontrolError) as e:
        count_derivation(recs, "orange")
    assert "orange" in e.value.args[0].tr("en") and "计数" in e.value.args[0].tr("zh")


def test_count_of_a_region_and_its_level():
    from cocontrol.monitoring.derivation import count_derivation

    recs = _alert_records(ALERTS)
    for region in ("a", "b", "c", "nowhere"):
        mine = ALERTS[ALERTS["entity"] == region]
        d = count_derivation(recs, region=region)
        assert d["value"] == len(mine) and {i["id"] for i in d["items"]} == set(mine["id"])
        # the region's level: red over yellow over green ("not estimated" only alone)
        rank = {"green": 1, "yellow": 2, "red": 3, "not estimated": 0}
        worst = max(mine["level"], key=rank.get) if len(mine) else None
        assert d["worst"] == worst, region
    d = count_derivation(recs, "red", region="b")
    assert d["value"] == 2 and d["of"] == 3
    d = count_derivation(recs, region="b", kind="pm25_annual")
    assert [i["id"] for i in d["items"]] == [3] and d["worst"] == "red"


def test_case_count_of_each_status_with_the_step_that_set_it():
    from datetime import datetime

    from cocontrol.monitoring.anomaly import Evidence, Finding, open_case, transition
    from cocontrol.monitoring.derivation import case_count_derivation

    at = datetime(2026, 3, 1, 8)

    def finding(n, entity):
        return Finding(id=f"f{n}", rule="exceedance", entity=entity, signal="SO2", start=at,
                       end=at, hours=3, value=120.0 + n, threshold=100.0, unit="mg/m3",
                       basis="permit (test)", message_en="m", message_zh="m")

    cases = [open_case(finding(n, "steel" if n < 4 else "coke"), "park", at) for n in range(6)]
    cases[1] = transition(cases[1], "assigned", "bureau", at, owner="steel works")
    cases[2] = transition(transition(cases[2], "assigned", "bureau", at, owner="x"),
                          "rectified", "x", at, evidence=Evidence(at=at, by="x", note="done"))
    cases[4] = transition(cases[4], "assigned", "bureau", at, owner="coke works")
    # hand count: found 0, 3, 5; assigned 1, 4; rectified 2; closed none
    hand = {"found": {"case-f0", "case-f3", "case-f5"}, "assigned": {"case-f1", "case-f4"},
            "rectified": {"case-f2"}, "closed": set()}
    for status, ids in hand.items():
        d = case_count_derivation(cases, status)
        assert d["value"] == len(ids) and {i["id"] for i in d["items"]} == ids, status
        assert d["counts"] == {s: len(x) for s, x in hand.items()}
    d = case_count_derivation(cases, "rectified")
    (c,) = d["items"]
    assert c["set_by"]["from_status"] == "assigned" and c["set_by"]["to_status"] == "rectified"
    assert (c["value"], c["threshold"], c["unit"]) == (122.0, 100.0, "mg/m3")
    assert case_count_derivation(cases, "found")["items"][0]["set_by"] is None
    d = case_count_derivation(cases, "assigned", region="coke")
    assert [i["id"] for i in d["items"]] == ["case-f4"] and d["of"] == 2
