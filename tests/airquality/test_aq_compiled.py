"""Compiled (array) evaluation of the response models: the same concentrations as the
table ``predict`` of every bundled linear or fitted model, with any leading axes."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_aq_rsm import make_runs  # noqa: E402

from cocontrol.airquality import (  # noqa: E402
    ExtrapolationWarning,
    LinearSourceReceptor,
    ResponseSurfaceModel,
    city_model,
    sensitivity_matrix_model,
    tm5fasst_china,
)
from cocontrol.errors import InputError  # noqa: E402


def _table(inputs, d):
    return pd.DataFrame({"source_region": [i[0] for i in inputs],
                         "precursor": [i[1] for i in inputs], "change_t": d})


def test_matrix_hand_calculation():
    """PM2.5 = 40 + 1.0·ΔSO2 + 0.5·ΔNOx + 2.0·ΔPM2.5_other µg/m³ (ΔE in t/yr, round coefficients):
    ΔSO2 = −2, ΔNOx = −4, ΔPM2.5_other = 1 → 40 − 2 − 2 + 2 = 38."""
    m = sensitivity_matrix_model(
        pd.DataFrame({"receptor": "T", "source_region": "T", "precursor": ["SO2", "NOx", "PM2.5_other"],
                      "ugm3_per_t": [1.0, 0.5, 2.0]}),
        pd.DataFrame({"receptor": ["T"], "base_ugm3": [40.0]}))
    c = m.compile([("T", "SO2"), ("T", "NOx"), ("T", "PM2.5_other")])
    assert c.predict(np.array([-2.0, -4.0, 1.0]))[c.index("T")] == pytest.approx(38.0)
    years = np.array([[0.0, 0.0, 0.0], [-2.0, -4.0, 1.0]])  # leading axis: years
    np.testing.assert_allclose(c.predict(years)[:, c.index("T")], [40.0, 38.0])


@pytest.mark.parametrize("model", ["city", "china"])
def test_linear_models_match_predict(model):
    if model == "city":
        m = city_model("C", 50.0, 0.6, {"SO2": 2e4, "NOx": 3e4, "NH3": 1e4, "BC": 2e3,
                                        "OM": 4e3, "PM2.5_other": 9e3})
        inputs = [("C", p) for p in ("SO2", "NOx", "NH3", "BC", "OM", "PM2.5_other")] + [("CHN", "SO2")]
    else:
        m = tm5fasst_china()
        inputs = [("CHN", p) for p in ("SO2", "NOx", "NH3", "VOCs", "BC", "OM")]
    c = m.compile(inputs)
    rng = np.random.default_rng(1)
    for _ in range(3):
        d = rng.uniform(-500, 100, len(inputs))
        want = m.predict(_table(inputs, d))
        got = c.predict(d)
        assert list(zip(want["receptor"], want["component"], strict=True)) == list(c.outputs)
        np.testing.assert_allclose(got, want["value"].to_numpy(float), rtol=1e-12, atol=1e-12)


def test_unknown_input_is_an_error():
    with pytest.raises(InputError):
        tm5fasst_china().compile([("Mars", "SO2")])
    m = ResponseSurfaceModel.fit(make_runs(), max_degree=2,
                                 base_emissions_t={"NOx": 100.0, "SO2": 50.0, "NH3": 20.0,
                                                   "VOC": 80.0, "POA": 10.0})
    with pytest.raises(InputError):
        m.compile([("Mars", "SO2")])


def test_response_surface_matches_predict():
    be = {"NOx": 100.0, "SO2": 50.0, "NH3": 20.0, "VOC": 80.0, "POA": 10.0}
    m = ResponseSurfaceModel.fit(make_runs(), max_degree=2, base_emissions_t=be, region="C")
    inputs = [("C", p) for p in ("NOx", "SO2", "NH3", "VOCs", "OM")]
    c = m.compile(inputs)
    rng = np.random.default_rng(2)
    d = -rng.uniform(0, 0.5, (4, len(inputs))) * np.array([100.0, 50.0, 20.0, 80.0, 10.0])
    got = c.predict(d)
    for k in range(len(d)):
        want = m.predict(_table(inputs, d[k]))
        np.testing.assert_allclose(got[k], want["value"].to_numpy(float), rtol=1e-12)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c.predict(np.array([-99.0, 0, 0, 0, 0]))  # ratio 0.01, below the training range
    assert any(issubclass(x.category, ExtrapolationWarning) for x in w)


def test_generic_compile_uses_predict():
    """Any ResponseModel gets a compiled form through its predict (the fallback)."""
    m = LinearSourceReceptor(pd.DataFrame({"receptor": "R", "component": "PM2.5",
                                           "source_region": "R", "precursor": ["SO2"],
                                           "coef": [0.25]}),
                             pd.DataFrame({"receptor": ["R"], "component": ["PM2.5"],
                                           "base": [30.0]}))
    generic = super(LinearSourceReceptor, m).compile([("R", "SO2")])
    np.testing.assert_allclose(generic.predict(np.array([[-4.0], [8.0]]))[:, 0], [29.0, 32.0])
