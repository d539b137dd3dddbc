"""TM5-FASST China linear source–receptor model.

Reference values: TM5-FASST source–receptor coefficients (Van Dingenen et al. 2018, ACP 18,
16173), as distributed in JGCRI/rfasst commit bcf2e447, inst/extdata/module_2/ (row = source
CHN, column = receptor CHN): dso4_dso2 0.755369, dno3_dso2 -0.067910, dnh4_dso2 0.210542
(µg/m³ decrease for a 20 % SO2 cut); the rfasst convention ΔC = coef × (E_new − E_base)/E_base × 5.
"""

import numpy as np
import pandas as pd
import pytest

from cocontrol.airquality import PM_COMPONENTS, city_model, tm5fasst_china
from cocontrol.airquality.sr_linear import (
    base_emissions,
    local_precursor_weights,
    tm5fasst_data,
)
from cocontrol.errors import InputError

E_SO2_CHN = base_emissions()[("CHN", "SO2")]


def _cut(region, precursor, frac):
    e = base_emissions()[(region, precursor)]
    return pd.DataFrame({"source_region": [region], "precursor": [precursor],
                         "change_t": [-frac * e]})


def _change(res):
    return res.set_index("component")["change"]


def test_base_emission_is_tm5fasst_value():
    # EM_base.csv, row CHN, column SO2: 1.861405296e10 kg/yr = 18,614,052.96 t/yr
    assert E_SO2_CHN == pytest.approx(18_614_052.96, rel=1e-12)


def test_20pct_so2_cut_reproduces_tm5fasst_coefficients_exactly():
    m = tm5fasst_china()
    ch = _change(m.predict(_cut("CHN", "SO2", 0.2)))
    # Van Dingenen et al. 2018 / rfasst bcf2e447: CHN->CHN, 20 % SO2 cut (decrease)
    assert ch["SO4"] == pytest.approx(-0.755369, abs=1e-12)
    assert ch["NO3"] == pytest.approx(+0.067910, abs=1e-12)  # nitrate rises (dno3_dso2 < 0)
    assert ch["NH4"] == pytest.approx(-0.210542, abs=1e-12)
    assert ch["O3"] == pytest.approx(+0.069400, abs=1e-12)  # do3_dso2 = -0.0694 ppbv
    assert ch["BC"] == 0 and ch["POM"] == 0 and ch["other"] == 0
    assert ch["PM2.5"] == pytest.approx(-0.755369 + 0.067910 - 0.210542, abs=1e-12)


def test_other_precursors_and_urban_increment():
    m = tm5fasst_china()
    ch = _change(m.predict(_cut("CHN", "NOx", 0.2)))
    assert ch["NO3"] == pytest.approx(-0.398419, abs=1e-12)
    assert ch["SO4"] == pytest.approx(-0.006427, abs=1e-12)
    assert ch["NH4"] == pytest.approx(-0.115849, abs=1e-12)
    # BC: bc_pop CHN->CHN 0.423668 times the CHN urban increment 0.953053435
    # (Urban_increment.csv; applied to the change as in rfasst m2_conc.R)
    ch = _change(m.predict(_cut("CHN", "BC", 0.2)))
    assert ch["BC"] == pytest.approx(-0.423668 * 0.953053435, abs=1e-12)
    ch = _change(tm5fasst_china(urban_increment=False).predict(_cut("CHN", "OM", 0.2)))
    assert ch["POM"] == pytest.approx(-1.426206, abs=1e-12)


def test_linear_in_the_cut():
    m = tm5fasst_china()
    full = _change(m.predict(_cut("CHN", "SO2", 0.2)))
    half = _change(m.predict(_cut("CHN", "SO2", 0.1)))
    pd.testing.assert_series_equal(half, full / 2, rtol=1e-12, atol=1e-15)
    # an increase is the mirror image of a cut
    up = _change(m.predict(_cut("CHN", "SO2", -0.2)))
    pd.testing.assert_series_equal(up, -full, rtol=1e-12, atol=1e-15)


def test_additive_across_precursors_and_regions():
    m = tm5fasst_china()
    parts = [_cut("CHN", "SO2", 0.2), _cut("CHN", "NH3", 0.3), _cut("COR", "SO2", 0.5),
             _cut("MON", "NOx", 0.1)]
    joint = _change(m.predict(pd.concat(parts)))
    summed = sum(_change(m.predict(p)) for p in parts)
    pd.testing.assert_series_equal(joint, summed, rtol=1e-12, atol=1e-15)
    # Korean SO2, 20 % cut: dso4_dso2 row COR column CHN = 0.010705
    assert _change(m.predict(_cut("COR", "SO2", 0.2)))["SO4"] == pytest.approx(-0.010705,
                                                                               abs=1e-12)


def test_base_and_new_columns_equal_change_column():
    m = tm5fasst_china()
    e = pd.DataFrame({"source_region": ["CHN", "CHN"], "precursor": ["so2", "VOCs"],
                      "base_t": [E_SO2_CHN, 1e7], "new_t": [0.8 * E_SO2_CHN, 0.9e7]})
    r = m.predict(e).set_index("component")
    assert r.loc["SO4", "change"] == pytest.approx(-0.755369, abs=1e-12)
    assert r.loc["PM2.5", "value"] == pytest.approx(r.loc["PM2.5", "base"]
                                                   + r.loc["PM2.5", "change"])


def test_jacobian_reproduces_predict():
    m = tm5fasst_china()
    rng = np.random.default_rng(1)
    jac = m.jacobian()
    e = jac[["source_region", "precursor"]].drop_duplicates().copy()
    e["change_t"] = rng.normal(0, 1e3, len(e))
    pm = m.predict(e).set_index("component").loc["PM2.5"]
    lin = jac.merge(e)
    assert pm["change"] == pytest.approx((lin["value"] * lin["change_t"]).sum(), rel=1e-12)
    # per-tonne SO2 coefficient: 5 × 0.755369 / E_base for sulfate
    so4 = m.jacobian("SO4").set_index(["source_region", "precursor"])["value"]
    assert so4[("CHN", "SO2")] == pytest.approx(5 * 0.755369 / E_SO2_CHN, rel=1e-12)
    # sector expansion for the LP
    js = m.jacobian(sectors=["power", "industry"])
    assert len(js) == 2 * len(jac) and set(js["sector"]) == {"power", "industry"}


def test_unknown_source_region_is_an_input_error():
    m = tm5fasst_china()
    e = pd.DataFrame({"source_region": ["Mars"], "precursor": ["SO2"], "change_t": [-1.0]})
    with pytest.raises(InputError, match="Mars/SO2"):
        m.predict(e)
    with pytest.warns(UserWarning, match="ignored"):
        r = m.predict(e, strict=False)
    assert (r["change"] == 0).all()


def test_bad_emission_rows_are_named():
    m = tm5fasst_china()
    e = pd.DataFrame({"source_region": ["CHN", "CHN"], "precursor": ["SO2", "OC"],
                      "change_t": ["x", 1.0]})
    with pytest.raises(InputError) as ei:
        m.predict(e)
    msg = str(ei.value)
    assert "row 2, column change_t" in msg and "row 3, column precursor" in msg


def test_bundled_table_cites_sources():
    d = tm5fasst_data()
    assert d["source"].str.contains("Van Dingenen et al. 2018").all()
    assert d["source"].str.contains("bcf2e447").all()
    assert {"CHN", "COR", "MON", "RUE"} <= set(d["source_region"])


# ------------------------------------------------------------------ city scaling
BASE_T = {"SO2": 50_000, "NOx": 80_000, "NH3": 20_000, "BC": 5_000, "OM": 10_000}


def test_city_base_is_observed_pm25_and_weights_sum_to_one():
    c = city_model("Linfen", 60.0, 0.6, BASE_T)
    b = c.base_concentration().set_index("component")["base"]
    assert b[list(PM_COMPONENTS)].sum() == pytest.approx(60.0)
    w = local_precursor_weights()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    # sulfate weight of SO2: 0.755369 / (0.755369 + 0.006427 + 0.049807)
    assert w.loc["SO4", "SO2"] == pytest.approx(0.755369 / 0.811603, rel=1e-6)


def test_city_full_local_cut_removes_local_share():
    """Cutting every local precursor 100 % removes exactly the local share of the
    precursor-driven components (Eq. 2 of docs/methods/air-quality-response.md)."""
    f = 0.6
    c = city_model("Linfen", 60.0, f, BASE_T)
    e = pd.DataFrame({"source_region": "Linfen", "precursor": list(BASE_T),
                      "change_t": [-v for v in BASE_T.values()]})
    r = c.predict(e).set_index("component")
    for comp in ("SO4", "NO3", "NH4", "BC", "POM"):
        assert r.loc[comp, "change"] == pytest.approx(-f * r.loc[comp, "base"], rel=1e-12)
    assert r.loc["other", "change"] == 0.0  # no local PM25 (other primary) base given


def test_city_regional_part_scales_with_national_relative_change():
    f = 0.6
    c = city_model("Linfen", 60.0, f, BASE_T)
    nat = tm5fasst_china()
    e = _cut("CHN", "SO2", 0.2)
    rc = c.predict(e).set_index("component")
    rn = nat.predict(e).set_index("component")
    for comp in ("SO4", "NO3", "NH4"):
        rel = rn.loc[comp, "change"] / rn.loc[comp, "base"]
        assert rc.loc[comp, "change"] == pytest.approx((1 - f) * rc.loc[comp, "base"] * rel,
                                                       rel=1e-12)


def test_city_local_pm25_other_and_validation():
    c = city_model("X", 50.0, {"PM25": 0.5, "other": 0.8}, {**BASE_T, "PM2.5_other": 1000})
    e = pd.DataFrame({"source_region": ["X"], "precursor": ["PM25"], "change_t": [-500.0]})
    r = c.predict(e).set_index("component")
    assert r.loc["other", "change"] == pytest.approx(-0.8 * r.loc["other", "base"] * 0.5)
    with pytest.raises(InputError) as ei:
        city_model("X", 50.0, 1.5, {"SO2": 1})
    msg = str(ei.value)
    assert "local share" in msg and "NOx is required" in msg

