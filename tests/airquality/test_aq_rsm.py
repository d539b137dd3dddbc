"""pf-RSM response surface (Xing et al. 2018, ACP 18, 7799): ΔC = Σ X_i Π ΔE_v^a_iv, fitted
by least squares to CTM runs. Synthetic runs from a known polynomial must be recovered
exactly; cross-validation errors are reported; asking outside the training range warns."""

import warnings

import numpy as np
import pandas as pd
import pytest

from cocontrol.airquality import ExtrapolationWarning, ResponseSurfaceModel
from cocontrol.errors import InputError, ModelError

VARS = ["NOx", "SO2", "NH3", "VOC", "POA"]


def truth(r):
    """A known polynomial in ΔE = ratio − 1 (degree 2, with cross terms), base 40 µg/m³."""
    d = {k: r[f"ratio_{k}"] - 1.0 for k in VARS}
    return (40.0 + 6.0 * d["SO2"] + 4.0 * d["NOx"] + 3.0 * d["NH3"] + 0.5 * d["VOC"]
            + 2.0 * d["POA"] - 1.5 * d["NOx"] ** 2 + 2.5 * d["NOx"] * d["NH3"]
            + 0.8 * d["SO2"] * d["NH3"] - 0.3 * d["VOC"] * d["NOx"])


def make_runs(n=40, seed=0, low=0.2, high=1.2):
    rng = np.random.default_rng(seed)
    R = rng.uniform(low, high, size=(n, len(VARS)))
    df = pd.DataFrame(R, columns=[f"ratio_{k}" for k in VARS])
    df.loc[len(df)] = 1.0  # the base run
    df["PM25_ugm3"] = truth(df)
    df["SO4_ugm3"] = 10.0 + 5.0 * (df["ratio_SO2"] - 1) + 0.7 * (df["ratio_SO2"] - 1) ** 2
    df.insert(0, "run", [f"r{i}" for i in range(len(df))])
    return df


def test_recovers_known_polynomial_exactly():
    m = ResponseSurfaceModel.fit(make_runs(), max_degree=2)
    ct = m.coefficient_table().query("component == 'PM2.5'").set_index("term")["coef"]
    expected = {"SO2": 6.0, "NOx": 4.0, "NH3": 3.0, "VOCs": 0.5, "OM": 2.0, "NOx^2": -1.5,
                "NOx*NH3": 2.5, "SO2*NH3": 0.8, "NOx*VOCs": -0.3}
    for term, v in expected.items():
        assert ct[term] == pytest.approx(v, abs=1e-9)
    others = ct.drop(list(expected))
    assert np.abs(others).max() < 1e-9
    # prediction at an unseen point equals the truth
    pt = {"NOx": 0.5, "SO2": 0.7, "NH3": 0.9, "VOC": 0.8, "POA": 0.6}
    r = m.predict_ratios(pt).set_index("component")
    row = pd.DataFrame([{f"ratio_{k}": v for k, v in pt.items()}])
    assert r.loc["PM2.5", "value"] == pytest.approx(float(truth(row).iloc[0]), abs=1e-9)
    assert not r["extrapolated"].any()


def test_cv_errors_reported_and_zero_for_exact_surface():
    m = ResponseSurfaceModel.fit(make_runs(), max_degree=2, cv="loo")
    cv = m.cv_errors.set_index("component")
    for c in ("PM2.5", "SO4"):
        assert cv.loc[c, "mean_normalised_error"] < 1e-10
        assert cv.loc[c, "r2"] == pytest.approx(1.0, abs=1e-10)
    # a degree-1 surface cannot represent the quadratic terms: CV errors are positive
    m1 = ResponseSurfaceModel.fit(make_runs(), max_degree=1, cv=5)
    cv1 = m1.cv_errors.set_index("component")
    assert cv1.loc["PM2.5", "mean_normalised_error"] > 1e-4
    assert 0 < cv1.loc["PM2.5", "r2"] < 1
    assert {"max_normalised_error", "rmse", "n_runs", "n_terms"} <= set(cv1.columns)


def test_leave_one_out_matches_manual_refit():
    runs = make_runs(n=25, seed=3)
    runs["PM25_ugm3"] += np.random.default_rng(9).normal(0, 0.2, len(runs)) * (
        runs["run"] != runs["run"].iloc[-1])
    m = ResponseSurfaceModel.fit(runs, max_degree=1, cv="loo")
    # manual LOO for run 0
    train = runs.iloc[1:]
    mt = ResponseSurfaceModel.fit(train, max_degree=1, cv=None)
    pt = {k: runs[f"ratio_{k}"].iloc[0] for k in VARS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)
        pred0 = mt.predict_ratios(pt).set_index("component").loc["PM2.5", "value"]
    # recompute all LOO predictions the same way and compare the MNE
    preds = []
    obs = runs["PM25_ugm3"].to_numpy()[:-1]
    for i in range(len(runs) - 1):
        mi = ResponseSurfaceModel.fit(runs.drop(index=i), max_degree=1, cv=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExtrapolationWarning)
            preds.append(mi.predict_ratios({k: runs[f"ratio_{k}"].iloc[i] for k in VARS})
                         .set_index("component").loc["PM2.5", "value"])
    assert preds[0] == pytest.approx(pred0)
    mne = np.mean(np.abs(np.array(preds) - obs) / obs)
    got = m.cv_errors.set_index("component").loc["PM2.5", "mean_normalised_error"]
    assert got == pytest.approx(mne, rel=1e-9)


def test_outside_training_range_warns_and_flags():
    m = ResponseSurfaceModel.fit(make_runs(low=0.4, high=1.1), max_degree=2)
    with pytest.warns(ExtrapolationWarning, match="NOx"):
        r = m.predict_ratios({"NOx": 0.1})
    assert r["extrapolated"].all()
    assert (r["outside_range"] == "NOx").all()
    tr = m.training_range().set_index("variable")
    assert tr.loc["NOx", "ratio_min"] >= 0.4


def test_gradient_tangent_and_piecewise():
    base_t = {"NOx": 1000.0, "SO2": 500.0, "NH3": 200.0, "VOC": 800.0, "POA": 100.0}
    m = ResponseSurfaceModel.fit(make_runs(), max_degree=2, region="city",
                                 base_emissions_t=base_t)
    # analytic gradient of truth() at the base: ∂PM/∂ΔE_NOx = 4 (cross terms vanish)
    g = m.gradient().query("component == 'PM2.5'").set_index("precursor")["value"]
    assert g["NOx"] == pytest.approx(4.0, abs=1e-9)
    assert g["SO2"] == pytest.approx(6.0, abs=1e-9)
    # at NOx ratio 0.5 (ΔNOx = -0.5), NH3 ratio 1: ∂/∂ΔNOx = 4 - 3ΔNOx = 5.5
    g2 = m.gradient({"NOx": 0.5}).query("component == 'PM2.5'").set_index("precursor")["value"]
    assert g2["NOx"] == pytest.approx(5.5, abs=1e-9)
    assert g2["NH3"] == pytest.approx(3.0 + 2.5 * -0.5, abs=1e-9)
    # per tonne
    gt = m.gradient(per="t").query("component == 'PM2.5'").set_index("precursor")["value"]
    assert gt["NOx"] == pytest.approx(4.0 / 1000.0)
    # t/yr input: a 100 t NOx cut = ratio 0.9
    e = pd.DataFrame({"source_region": ["city"], "precursor": ["NOx"], "change_t": [-100.0]})
    a = m.predict(e).set_index("component").loc["PM2.5", "value"]
    b = m.predict_ratios({"NOx": 0.9}).set_index("component").loc["PM2.5", "value"]
    assert a == pytest.approx(b)
    # tangent: a linear model exact to first order at the point
    tan = m.tangent({"NOx": 0.5})
    jac = tan.jacobian().set_index("precursor")["value"]
    assert jac["NOx"] == pytest.approx(5.5 / 1000.0)
    # piecewise: exact at breakpoints
    pw = m.piecewise("NOx", [0.3, 0.6, 1.0]).query("component == 'PM2.5'")
    for rr, v in zip(pw["ratio"], pw["value"], strict=True):
        exp = m.predict_ratios({"NOx": rr}).set_index("component").loc["PM2.5", "value"]
        assert v == pytest.approx(exp)
    assert list(pw["emission_t"]) == pytest.approx([300.0, 600.0, 1000.0])


def test_fit_errors():
    runs = make_runs(n=5)
    with pytest.raises(ModelError, match="terms but only"):
        ResponseSurfaceModel.fit(runs, max_degree=2)
    no_base = make_runs().iloc[:-1]
    with pytest.raises(InputError, match="no base run"):
        ResponseSurfaceModel.fit(no_base)
    bad = make_runs()
    bad["ratio_NOx"] = bad["ratio_NOx"].astype(object)
    bad.loc[3, "ratio_NOx"] = "abc"
    with pytest.raises(InputError, match="row 5, column ratio_NOx"):
        ResponseSurfaceModel.fit(bad)
    # collinear design: NOx and SO2 always cut together
    col = make_runs()
    col["ratio_SO2"] = col["ratio_NOx"]
    with pytest.raises(ModelError, match="identify only"):
        ResponseSurfaceModel.fit(col, max_degree=1)


def test_multi_receptor_regional_variables_and_tangent():
    rng = np.random.default_rng(5)
    R = rng.uniform(0.3, 1.1, size=(30, 3))
    df = pd.DataFrame(R, columns=["ratio_A:SO2", "ratio_B:SO2", "ratio_A:NH3"])
    df.loc[len(df)] = 1.0
    dA, dB, dN = (df["ratio_A:SO2"] - 1), (df["ratio_B:SO2"] - 1), (df["ratio_A:NH3"] - 1)
    runs = pd.concat([
        df.assign(receptor="A", PM25_ugm3=50 + 8 * dA + 2 * dB + 3 * dN + 1.5 * dA * dN),
        df.assign(receptor="B", PM25_ugm3=30 + 1 * dA + 6 * dB + 0.5 * dN),
    ], ignore_index=True)
    be = pd.DataFrame({"source_region": ["A", "B", "A"], "precursor": ["SO2", "SO2", "NH3"],
                       "base_t": [1e4, 2e4, 5e3]})
    m = ResponseSurfaceModel.fit(runs, max_degree=2, base_emissions_t=be)
    assert set(m.receptors) == {"A", "B"}
    pt = {"A:SO2": 0.6, "A:NH3": 0.8}
    r = m.predict_ratios(pt).set_index("receptor")["value"]
    assert r["A"] == pytest.approx(50 + 8 * -0.4 + 3 * -0.2 + 1.5 * 0.08, abs=1e-9)
    assert r["B"] == pytest.approx(30 - 0.4 - 0.1, abs=1e-9)
    # "SO2" alone is ambiguous between regions A and B
    with pytest.raises(InputError, match="ambiguous"):
        m.predict_ratios({"SO2": 0.5})
    # tangent at the point: same value there, slope = analytic derivative per tonne
    tan = m.tangent(pt)
    zero = pd.DataFrame({"source_region": ["A"], "precursor": ["SO2"], "change_t": [0.0]})
    tv = tan.predict(zero).query("component == 'PM2.5'").set_index("receptor")["value"]
    assert tv["A"] == pytest.approx(r["A"])
    j = tan.jacobian().set_index(["receptor", "source_region", "precursor"])["value"]
    # ∂PM_A/∂ΔE_A:SO2 = 8 + 1.5 ΔE_A:NH3 = 8 - 0.3 = 7.7; per tonne: / 1e4
    assert j[("A", "A", "SO2")] == pytest.approx(7.7 / 1e4, rel=1e-9)
    # ∂PM_A/∂ΔE_A:NH3 = 3 + 1.5 ΔE_A:SO2 = 3 - 0.6 = 2.4; per tonne / 5e3
    assert j[("A", "A", "NH3")] == pytest.approx(2.4 / 5e3, rel=1e-9)
