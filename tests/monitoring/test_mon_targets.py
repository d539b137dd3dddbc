"""Targets and alerts against hand-made cases; LMDI closure of the driver attribution."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring.series import from_frame
from cocontrol.monitoring.targets import (
    Target,
    assess,
    closing_measures,
    drivers,
    level_for,
    load_targets,
)

T = dict(basis="hand-made test target")


def _rows(entity, indicator, values: dict, unit, sector="", fuel=""):
    return [dict(entity=entity, indicator=indicator, sector=sector, fuel=fuel, period=str(p),
                 value=v, unit=unit, source="test") for p, v in values.items()]


def test_level_thresholds_from_table():
    assert level_for(-0.05, 0.1) == ("green", "progress")
    assert level_for(0.05, 0.1)[0] == "yellow"            # behind by 5 % of the required change
    assert level_for(0.0, 0.6) == ("red", "forecast")      # on track but likely to miss
    assert level_for(float("nan"), float("nan"))[0] == "not estimated"
    lv = pd.DataFrame({"level": ["green", "yellow", "red"], "max_shortfall": [0.2, 0.3, np.inf],
                       "max_probability": [0.5, 0.8, 1.0], "basis": "user"})
    assert level_for(0.15, 0.4, lv)[0] == "green"           # configurable thresholds


def test_pm25_progress_vs_pro_rata_trajectory():
    # base 2020 = 50, target 2025 = 40 -> expected 2023 = 44; actual 46 -> shortfall 0.2 (red)
    s = from_frame(pd.DataFrame(_rows("c", "pm25_conc", {2020: 50, 2021: 48, 2022: 47, 2023: 46},
                                      "ug/m**3")))
    t = Target(id="pm", kind="pm25_annual", entity="c", base_year=2020, target_year=2025,
               value=40, unit="ug/m**3", **T)
    a = assess(t, s, with_forecast=False)
    assert a.expected_value == pytest.approx(44.0)
    assert a.shortfall == pytest.approx(0.2)
    assert (a.level, a.reason) == ("red", "progress")


def test_good_day_ratio_higher_is_better():
    s = from_frame(pd.DataFrame(_rows("c", "good_day_ratio", {2020: 70, 2023: 79}, "percent")))
    t = Target(id="g", kind="good_day_ratio", entity="c", base_year=2020, target_year=2025,
               value=80, unit="percent", **T)
    a = assess(t, s, with_forecast=False)   # expected 76, actual 79: ahead
    assert a.expected_value == pytest.approx(76.0) and a.shortfall == pytest.approx(-0.3)
    assert a.level == "green"


def test_intensity_cut_converts_both_units():
    base = _rows("c", "CO2", {2020: 1000, 2023: 1000}, "kt") + \
        _rows("c", "gdp", {2020: 1e6, 2023: 1.25e6}, "1e4 yuan")
    alt = _rows("c", "CO2", {2020: 1e6, 2023: 1e6}, "t") + \
        _rows("c", "gdp", {2020: 100, 2023: 125}, "1e8 yuan")
    t = Target(id="ci", kind="co2_intensity_cut", entity="c", base_year=2020, target_year=2025,
               value=18, unit="percent", **T)
    a1 = assess(t, from_frame(pd.DataFrame(base)), with_forecast=False)
    a2 = assess(t, from_frame(pd.DataFrame(alt)), with_forecast=False)
    assert a1.latest_value == pytest.approx(8000.0)   # t CO2 per 1e8 yuan
    assert a1.latest_value == pytest.approx(a2.latest_value)
    assert a1.target_level == pytest.approx(10000.0 * 0.82)
    # required -1800 by 2025, expected 2023: 10000 - 1080 = 8920; actual 8000: ahead
    assert a1.expected_value == pytest.approx(8920.0) and a1.level == "green"


def test_coal_cap_unit_conversion():
    s = from_frame(pd.DataFrame(_rows("c", "coal", {2020: 9.5, 2023: 9.9}, "Mt")))
    t = Target(id="coal", kind="coal_cap", entity="c", base_year=2020, target_year=2025,
               value=9000, unit="kt", **T)
    a = assess(t, s, with_forecast=False)
    # trajectory 9.5 -> 9.0 Mt, expected 2023 = 9.2 Mt, actual 9.9: shortfall 0.7/0.5 = 1.4
    assert a.target_level == pytest.approx(9.0e6) and a.shortfall == pytest.approx(1.4)


def test_carbon_budget_year_to_date_hand_calculation():
    prev = {f"2023-{m:02d}": 100.0 for m in range(1, 13)}
    cur = {f"2024-{m:02d}": 110.0 for m in range(1, 4)}
    s = from_frame(pd.DataFrame(_rows("c", "CO2", prev | cur, "t")))
    t = Target(id="b", kind="carbon_budget", entity="c", target_year=2024, value=1200, unit="t",
               **T)
    a = assess(t, s, with_forecast=False)
    # profile of 2023: 3/12 of the year by March -> expected 300; YTD 330 -> +10 %
    assert a.latest_value == pytest.approx(330.0) and a.expected_value == pytest.approx(300.0)
    assert a.shortfall == pytest.approx(0.1) and a.level == "yellow"


def test_probability_of_missing_from_forecast():
    # a flat seasonal series far below the cap: probability ~0; far above: ~1
    vals = {f"{y}-{m:02d}": 100.0 + 5 * np.sin(m) + 0.01 * (y - 2018) for y in range(2018, 2024)
            for m in range(1, 13)}
    s = from_frame(pd.DataFrame(_rows("c", "CO2", vals, "t")))
    lo = Target(id="lo", kind="carbon_budget", entity="c", target_year=2024, value=2000, unit="t",
                **T)
    hi = Target(id="hi", kind="carbon_budget", entity="c", target_year=2024, value=1000, unit="t",
                **T)
    kw = dict(n_paths=200, models=("snaive", "theta"))
    a_lo, a_hi = assess(lo, s, **kw), assess(hi, s, **kw)
    assert a_lo.probability < 0.01 and a_hi.probability > 0.99
    assert a_hi.level == "red" and a_hi.gap == pytest.approx(200, rel=0.05)
    assert a_lo.forecast is not None and a_lo.forecast.chosen in ("snaive", "theta")


def test_targets_document_rejects_unknown_keys():
    from cocontrol.errors import InputError
    with pytest.raises(InputError):
        load_targets({"targets": [dict(id="x", kind="coal_cap", entity="c", target_year=2025,
                                       value=1, unit="t", basis="b", colour="red")]})


def _lmdi_rows(year, q, shares, ei, mix, ef):
    rows = []
    for sec, s in shares.items():
        rows += _rows("c", "value_added", {year: q * s}, "1e4 yuan", sector=sec)
        e_sec = q * s * ei[sec]
        for fuel, f in mix[sec].items():
            e = e_sec * f
            rows += _rows("c", "energy", {year: e}, "tce", sector=sec, fuel=fuel)
            rows += _rows("c", "CO2", {year: e * ef[fuel]}, "t", sector=sec, fuel=fuel)
    return rows


def test_drivers_lmdi_closes_and_isolates_activity():
    shares = {"ind": 0.6, "srv": 0.4}
    ei = {"ind": 2.0, "srv": 0.5}
    mix = {"ind": {"coal": 0.8, "gas": 0.2}, "srv": {"coal": 0.3, "gas": 0.7}}
    ef = {"coal": 2.66, "gas": 1.64}
    rows = _lmdi_rows(2022, 100.0, shares, ei, mix, ef) + _lmdi_rows(2023, 120.0, shares, ei,
                                                                        mix, ef)
    d = drivers(from_frame(pd.DataFrame(rows)), "c", 2022, 2023).set_index("factor")
    dv = d.attrs["V_end"] - d.attrs["V_start"]
    assert d.attrs["V_end"] / d.attrs["V_start"] == pytest.approx(1.2)
    assert d["effect"].sum() == pytest.approx(dv, rel=1e-12)       # closure
    assert d.at["activity", "effect"] == pytest.approx(dv)           # only output changed
    assert abs(d.drop(index="activity")["effect"]).max() < 1e-9 * dv


def test_drivers_closure_with_all_factors_changing():
    a = _lmdi_rows(2022, 100.0, {"ind": 0.6, "srv": 0.4}, {"ind": 2.0, "srv": 0.5},
                   {"ind": {"coal": 0.8, "gas": 0.2}, "srv": {"coal": 0.3, "gas": 0.7}},
                   {"coal": 2.66, "gas": 1.64})
    b = _lmdi_rows(2023, 107.0, {"ind": 0.55, "srv": 0.45}, {"ind": 1.9, "srv": 0.52},
                   {"ind": {"coal": 0.7, "gas": 0.3}, "srv": {"coal": 0.2, "gas": 0.8}},
                   {"coal": 2.60, "gas": 1.64})
    d = drivers(from_frame(pd.DataFrame(a + b)), "c", 2022, 2023)
    assert d["effect"].sum() == pytest.approx(d.attrs["V_end"] - d.attrs["V_start"], rel=1e-12)
    assert abs(d.attrs["closure_error"]) < 1e-6
    assert d.attrs["breakdown"] == "sector+fuel"
    eff = d.set_index("factor")["effect"]
    assert eff["structure"] < 0 and eff["intensity"] < 0 and eff["emission_factor"] < 0


def test_closing_measures_hand_case():
    red = pd.DataFrame({"scenario": "policy", "measure": ["a", "b", "c", "d"],
                        "reduction": [50.0, 300.0, 100.0, -5.0]})
    m = closing_measures(380.0, red)
    assert m["measure"].tolist() == ["b", "c"]              # 300 then 400 >= 380
    assert m["closes_gap"].tolist() == [False, True]
    short = closing_measures(1000.0, red)
    assert short["measure"].tolist() == ["b", "c", "a"] and not short["closes_gap"].any()
    assert closing_measures(-1.0, red).empty                # no gap, nothing to close


def test_worst_level_of_a_region():
    """A region with several targets takes the worst level (red > yellow > green); "not
    estimated" only when none has a level; None without targets."""
    from cocontrol.monitoring import worst_level

    assert worst_level(["green", "yellow", "green"]) == "yellow"
    assert worst_level(["not estimated", "green", "red"]) == "red"
    assert worst_level(["not estimated"]) == "not estimated"
    assert worst_level([]) is None
