"""Closing measures of a PM2.5 gap ranked by their effect on the concentration (µg/m³), not by
tonnes: hand-made linear model and measures, checked against hand calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.airquality import LinearSourceReceptor, city_model
from cocontrol.airquality.precursors import default_mapping
from cocontrol.monitoring import closing_measures
from cocontrol.monitoring.pm25 import city_response, measure_pm25_effects, pm25_effects

# ΔPM2.5 per t of the city's own emission (µg/m³ per t/yr), made up for the hand case
COEF = {"SO2": 0.001, "NOx": 0.0002, "PM2.5_other": 0.002}


def _model():
    c = pd.DataFrame([{"receptor": "c", "component": "PM2.5", "source_region": "c",
                       "precursor": p, "coef": v} for p, v in COEF.items()])
    return LinearSourceReceptor(c, pd.DataFrame({"receptor": ["c"], "component": ["PM2.5"],
                                                 "base": [40.0]}), name="hand model")


def _reductions():
    rows = [("k", "nox_scr", "NOx", 1000.0), ("k", "fgd", "SO2", 400.0),
            ("k", "voc_paint", "VOCs", 5000.0), ("k", "dust", "PM2.5", 50.0),
            ("k", "fgd", "CO2", 9e5)]  # CO2 does not act on PM2.5
    return pd.DataFrame(rows, columns=["scenario", "measure", "species", "reduction_t"])


def test_measures_ranked_by_concentration_not_tonnes():
    # hand: nox 1000 t x 0.0002 = 0.2; fgd 400 t x 0.001 = 0.4; VOCs: no PM2.5 coefficient
    # in the model = 0; dust 50 t PM2.5 -> PM2.5_other 50 t (no BC, no OC) x 0.002 = 0.1
    eff = pm25_effects(_reductions(), _model(), "c", default_mapping())
    got = dict(zip(eff["measure"], eff["reduction"], strict=True))
    assert got == pytest.approx({"nox_scr": 0.2, "fgd": 0.4, "voc_paint": 0.0, "dust": 0.1},
                                abs=1e-12)
    # a 0.5 µg/m³ gap: fgd (0.4) then nox_scr (0.6 >= 0.5) close it; by tonnes the VOC
    # measure (5000 t, no PM2.5 effect) would have been named first
    m = closing_measures(0.5, eff)
    assert list(m["measure"]) == ["fgd", "nox_scr"]
    assert list(m["cumulative"]) == pytest.approx([0.4, 0.6])
    assert list(m["closes_gap"]) == [False, True]


def test_om_share_mapping_splits_primary_pm25():
    # om_share_of_primary 0.3: 50 t PM2.5 -> OM 15 t (no coefficient here) + PM2.5_other 35 t
    eff = pm25_effects(_reductions(), _model(), "c", default_mapping(om_share_of_primary=0.3))
    assert eff.set_index("measure").at["dust", "reduction"] == pytest.approx(35 * 0.002)


def test_linear_path_equals_predict_on_tm5fasst_city():
    """The Jacobian answer equals the model's own predict (TM5-FASST scaled to a city)."""
    m = city_model("x", 50.0, 0.6, {"SO2": 5e4, "NOx": 8e4, "NH3": 2e4, "BC": 3e3, "OM": 6e3})
    prec = ["SO2", "NOx", "BC"]
    dP = np.array([-1000.0, -2000.0, -50.0])
    p = m.predict(pd.DataFrame({"source_region": "x", "precursor": prec, "change_t": dP}))
    want = float(p[(p["receptor"] == "x") & (p["component"] == "PM2.5")]["change"].sum())
    assert city_response(m, "x", prec, dP) == pytest.approx(want, rel=1e-12)
    assert want < 0


def test_without_air_quality_settings_not_estimated():
    class NoAQ:
        def optimisation_data(self):
            return {}

    eff, note = measure_pm25_effects(NoAQ(), 2025)
    assert eff.empty and "not estimated" in note


def test_city_unknown_to_a_linear_model_is_not_estimated_not_zero():
    """A Jacobian with no row for the city means the model cannot answer for it: the
    effect is NaN (not estimated), never a PM2.5 change of 0."""
    import math

    import numpy as np
    import pandas as pd

    from cocontrol.monitoring.pm25 import city_response

    class Linear:
        def jacobian(self, component, receptors):
            return pd.DataFrame({"source_region": ["other_city"], "precursor": ["SO2"],
                                 "value": [1e-4]})

    assert math.isnan(city_response(Linear(), "demo_city", ["SO2"], np.array([-1000.0])))
    assert city_response(Linear(), "other_city", ["SO2"], np.array([-1000.0])) == \
        pytest.approx(-0.1)  # 1e-4 µg/m³ per t × (−1,000 t)
