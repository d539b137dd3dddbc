"""Co-control metrics: hand calculations.

Cross-elasticity Els = (ΔP/P)/(ΔCO2/CO2) and the co-control coordinate system: Mao Xianqiang et
al. (2011), 中国人口·资源与环境 21(12) (as summarised in docs/methods/co-control-metrics.md).
Pollution-equivalent values: Environmental Protection Tax Law of the PRC (2016), annex 2 (SO2 0.95,
NOx 0.95, CO 16.7, 烟尘 2.18, 一般性粉尘 4, NH3 9.09 kg per equivalent).
"""

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.metrics.cocontrol import (
    apeq,
    cocontrol_metrics,
    coordinates,
    cross_elasticity,
    emissions_wide,
    mac_curve,
    pev_table,
    rank_measures,
    reductions,
    unit_costs,
)


def test_apeq_hand_calculation_with_statutory_values():
    wide = pd.DataFrame({"SO2": [100.0], "NOx": [200.0], "PM10": [50.0], "PM2.5": [30.0],
                         "CO": [1670.0], "NH3": [9.09], "VOCs": [95.0], "CO2": [1e6]})
    exp = (100e3 / 0.95 + 200e3 / 0.95 + 50e3 / 2.18 + 1670e3 / 16.7 + 9090 / 9.09
           + 95e3 / 0.95)
    assert apeq(wide).iloc[0] == pytest.approx(exp, rel=1e-12)
    # PM2.5 is not counted on top of PM10 (no double counting); CO2 is not an air pollutant
    # PM as general dust (4 kg/eq) and VOCs excluded:
    pev = pev_table(voc="exclude", pm_as="dust", available=wide.columns)
    exp2 = 100e3 / 0.95 + 200e3 / 0.95 + 50e3 / 4 + 1670e3 / 16.7 + 9090 / 9.09
    assert apeq(wide, pev).iloc[0] == pytest.approx(exp2, rel=1e-12)
    pev = pev_table(voc=0.18, pm_species="PM2.5", overrides={"NH3": 10.0})
    exp3 = (100e3 / 0.95 + 200e3 / 0.95 + 30e3 / 2.18 + 1670e3 / 16.7 + 9090 / 10.0
            + 95e3 / 0.18)
    assert apeq(wide, pev).iloc[0] == pytest.approx(exp3, rel=1e-12)
    assert set(pev["source"]) >= {"user table", "user choice"}


@pytest.mark.parametrize("pb,ps,cb,cs,pair,els", [
    (100, 80, 1000, 900, "(-,-)", 2.0),      # both fall, pollutant -20 %, CO2 -10 %
    (100, 120, 1000, 1100, "(+,+)", 2.0),    # both rise: same Els, different pair
    (100, 80, 1000, 1100, "(-,+)", -2.0),    # pollutant falls, CO2 rises
    (100, 120, 1000, 900, "(+,-)", -2.0),    # CO2 falls, pollutant rises
    (100, 100, 1000, 900, "(0,-)", 0.0),
    (100, 80, 1000, 1000, "(-,0)", -np.inf),
    (100, 100, 1000, 1000, "(0,0)", np.nan),
])
def test_cross_elasticity_sign_pairs_all_quadrants(pb, ps, cb, cs, pair, els):
    r = cross_elasticity(pb, ps, cb, cs).iloc[0]
    assert r["sign_pair"] == pair
    if np.isnan(els):
        assert np.isnan(r["els"])
    else:
        assert r["els"] == pytest.approx(els)


def test_cross_elasticity_labels_and_zero_baseline():
    r = cross_elasticity([100, 0], [80, 5], [1000, 1000], [900, 900], lang="zh")
    assert r.iloc[0]["els_meaning"] == "同步下降（协同减排）"
    assert np.isnan(r.iloc[1]["els"]) and r.iloc[1]["sign_pair"] == "(nan,-)"


def test_coordinate_quadrants_and_normalisation():
    c = coordinates([10, -10, -10, 10, 0], [5, 5, -5, -5, 0], [100] * 5, [50] * 5)
    assert list(c["quadrant"]) == ["I", "II", "III", "IV", "III"]
    assert c.iloc[0]["x_norm"] == pytest.approx(0.1) and c.iloc[0]["y_norm"] == pytest.approx(0.1)


def test_cocontrol_metrics_from_tidy_tables():
    base = pd.DataFrame({"species": ["CO2", "SO2", "NOx"], "value": [1.0, 100.0, 200.0],
                         "unit": ["Mt", "t", "t"]})
    scen = pd.DataFrame({
        "measure": ["coal2gas"] * 3 + ["SCR"] * 3,
        "species": ["CO2", "SO2", "NOx"] * 2,
        "value": [0.9e6, 60.0, 180.0, 1.002e6, 100.0, 60.0]})
    b = emissions_wide(base)
    s = emissions_wide(scen, by=["measure"])
    m = cocontrol_metrics(b, s)
    so2 = m[(m.pollutant == "SO2")].set_index("measure")
    assert so2.loc["coal2gas", "P_reduction"] == pytest.approx(40)
    assert so2.loc["coal2gas", "quadrant"] == "I"
    assert so2.loc["coal2gas", "els"] == pytest.approx((-0.4) / (-0.1))
    nox = m[(m.pollutant == "NOx")].set_index("measure")
    # SCR: NOx falls, CO2 rises by the energy penalty -> quadrant II, pair (-,+)
    assert nox.loc["SCR", "quadrant"] == "II" and nox.loc["SCR", "sign_pair"] == "(-,+)"
    ap = m[m.pollutant == "APeq"].set_index("measure")
    exp = 40e3 / 0.95 + 20e3 / 0.95
    assert ap.loc["coal2gas", "P_reduction"] == pytest.approx(exp, rel=1e-12)
    assert ap.loc["coal2gas", "APeq_SO2e_t"] == pytest.approx(exp * 0.95 / 1000, rel=1e-12)
    red = reductions(b, s)
    assert set(red.columns) >= {"species", "reduction_t", "reduction_frac"}


def test_bad_unit_and_missing_carbon():
    bad = pd.DataFrame({"species": ["SO2"], "value": [1.0], "unit": ["GJ"]})
    with pytest.raises(InputError, match="mass unit"):
        emissions_wide(bad, file="b.csv")
    w = pd.DataFrame({"SO2": [1.0]})
    with pytest.raises(InputError, match="CO2"):
        cocontrol_metrics(w, w)


def _measures():
    return pd.DataFrame({
        "measure": ["A", "B", "C", "D"],
        "cost_yuan": [1000.0, -500.0, 3000.0, 200.0],
        "CO2_reduction_t": [10.0, 5.0, 20.0, -1.0],
        "APeq_reduction": [100.0, 0.0, 50.0, 400.0]})


def test_unit_costs_hand_calculation():
    u = unit_costs(_measures(), carbon_price=80, apeq_price=1.2).set_index("measure")
    w = 80 / 1.2
    assert u.loc["A", "yuan_per_t_CO2"] == pytest.approx(100.0)
    assert u.loc["A", "yuan_per_APeq"] == pytest.approx(10.0)
    assert u.loc["A", "yuan_per_cocontrol_eq"] == pytest.approx(1000 / (100 + w * 10))
    assert np.isnan(u.loc["B", "yuan_per_APeq"])          # no APeq reduction
    assert u.loc["B", "yuan_per_t_CO2"] == pytest.approx(-100.0)   # saving
    assert np.isnan(u.loc["D", "yuan_per_t_CO2"])         # CO2 increases


def test_mac_curve_order_cumulation_and_cobenefit():
    mac = mac_curve(_measures(), target="CO2")
    on = mac[mac.on_curve]
    assert list(on["measure"]) == ["B", "A", "C"]        # -100, 100, 150 yuan/t
    assert list(on["cum_end"]) == [5.0, 15.0, 35.0]
    assert list(on["cum_start"]) == [0.0, 5.0, 15.0]
    assert list(on["cum_co_benefit"]) == [0.0, 100.0, 150.0]
    assert list(mac[~mac.on_curve]["measure"]) == ["D"]
    mac2 = mac_curve(_measures(), target="APeq")
    assert list(mac2[mac2.on_curve]["measure"]) == ["D", "A", "C"]   # 0.5, 10, 60 yuan/eq
    assert mac2.iloc[0]["co_benefit"] == -1.0   # D raises CO2: negative co-benefit shown


def test_rank_measures_puts_cocontrol_first():
    r = rank_measures(_measures())
    assert list(r["quadrant"]) == ["I", "I", "II", "IV"]
    assert r.iloc[0]["measure"] == "A"    # cheaper per co-control equivalent than C
    assert list(r["overall_rank"]) == [1, 2, 3, 4]


def test_baseline_by_year_broadcast_to_measures_by_year():
    base = pd.DataFrame({"year": [2030, 2030, 2060, 2060], "species": ["CO2", "SO2"] * 2,
                         "value": [100.0, 10.0, 50.0, 4.0]})
    scen = pd.DataFrame({"measure": ["m1"] * 4 + ["m2"] * 4,
                         "year": [2030, 2030, 2060, 2060] * 2,
                         "species": ["CO2", "SO2"] * 4,
                         "value": [90.0, 9.0, 45.0, 4.0, 100.0, 8.0, 51.0, 3.0]})
    m = cocontrol_metrics(emissions_wide(base, ["year"]),
                          emissions_wide(scen, ["measure", "year"]), pollutants=["SO2"])
    so2 = m[m.pollutant == "SO2"].set_index(["measure", "year"])
    assert so2.loc[("m1", 2060), "P_reduction"] == pytest.approx(0.0)
    assert so2.loc[("m1", 2060), "quadrant"] == "IV"
    assert so2.loc[("m2", 2060), "CO2_reduction_t"] == pytest.approx(-1.0)
    assert so2.loc[("m2", 2060), "quadrant"] == "II"
    assert so2.loc[("m1", 2030), "els"] == pytest.approx(1.0)
    bad = emissions_wide(base[base.year == 2030], ["year"])
    with pytest.raises(InputError, match="no baseline row"):
        cocontrol_metrics(bad, emissions_wide(scen, ["measure", "year"]))
