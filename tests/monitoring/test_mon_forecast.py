"""Forecasts: interval coverage on synthetic series with known noise, CV scores, annual paths.

Coverage is checked where the generating process is the model's own, so the nominal coverage
is the expected one: a seasonal random walk for the seasonal naive (Hyndman & Athanasopoulos,
FPP3 §5.5), the airline SARIMA(0,1,1)(0,1,1)12 process for ARIMA, and a fixed level + seasonal
pattern + white noise (an ETS model with zero smoothing) for ETS.
"""

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring._common import MonitoringError
from cocontrol.monitoring.forecast import cross_validate, fit_forecast, forecast_to, scores

IDX = pd.period_range("2015-01", periods=120, freq="M")


def _coverage(gen, model, n_series, n_hist, h=12, seed=0):
    rng = np.random.default_rng(seed)
    inside = {80: [], 95: []}
    for _ in range(n_series):
        y = gen(rng, n_hist + h)
        s = pd.Series(y[:n_hist], index=IDX[:n_hist])
        f = fit_forecast(s, h, model)
        for lv in inside:
            inside[lv].append((y[n_hist:] >= f.lower[lv]) & (y[n_hist:] <= f.upper[lv]))
    return {lv: float(np.concatenate(v).mean()) for lv, v in inside.items()}


def test_snaive_interval_coverage_seasonal_random_walk():
    def gen(rng, n):
        y = np.empty(n)
        y[:12] = 100 + 10 * np.sin(np.arange(12))
        for t in range(12, n):
            y[t] = y[t - 12] + rng.normal(0, 3.0)
        return y
    c = _coverage(gen, "snaive", 150, 60)
    assert 0.75 <= c[80] <= 0.85
    assert 0.92 <= c[95] <= 0.98


def test_arima_interval_coverage_airline_process():
    def gen(rng, n):
        e = rng.normal(0, 1.0, n + 13)
        w = e[13:] - 0.4 * e[12:-1] - 0.6 * e[1:-12] + 0.24 * e[:-13]  # (1-0.4B)(1-0.6B^12)e
        y = np.cumsum(w)  # (1-B)
        for t in range(12, n):  # (1-B^12): seasonal integration
            y[t] += y[t - 12]
        return 200 + y
    c = _coverage(gen, "arima", 20, 84, seed=1)
    assert 0.65 <= c[80] <= 0.93
    assert 0.85 <= c[95] <= 1.0


def test_ets_interval_coverage_level_seasonal_noise():
    pattern = 10 * np.sin(2 * np.pi * np.arange(12) / 12)

    def gen(rng, n):
        return 100 + np.tile(pattern, n // 12 + 1)[:n] + rng.normal(0, 2.0, n)
    c = _coverage(gen, "ets", 8, 72, seed=2)
    assert 0.65 <= c[80] <= 0.95
    assert 0.85 <= c[95] <= 1.0


def test_trend_beats_seasonal_naive_and_skill_formula():
    rng = np.random.default_rng(3)
    t = np.arange(84)
    y = pd.Series(100 + 2.0 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 84),
                  index=IDX[:84])
    cv = cross_validate(y, models=("snaive", "theta"), n_origins=2)
    sc = scores(cv, y).set_index("model")
    # the seasonal naive misses 12 months of trend (24 units); Theta carries the drift
    assert sc.at["snaive", "mae"] == pytest.approx(24.0, rel=0.15)
    assert sc.at["theta", "skill_vs_snaive"] == pytest.approx(
        1 - sc.at["theta", "mae"] / sc.at["snaive", "mae"])
    assert sc.at["theta", "skill_vs_snaive"] > 0.5


def test_annual_samples_include_observed_months():
    y = pd.Series(np.tile(np.arange(1.0, 13.0), 4)[:42], index=IDX[:42])  # ends 2018-06
    r = forecast_to(y, 2018, models=("snaive",), n_origins=1, n_paths=50)
    s = r.annual_samples(2018)
    # Jan-Jun observed (1..6), Jul-Dec forecast = last season (7..12) with noise sd 0
    assert s == pytest.approx(np.full(50, 78.0))


def test_gaps_are_an_error_not_filled():
    y = pd.Series(np.arange(48.0), index=IDX[:48])
    y.iloc[10] = np.nan
    with pytest.raises(MonitoringError, match="gaps"):
        fit_forecast(y, 12, "snaive")


def test_theta_interval_coverage_trend_seasonal_noise():
    # SES-with-drift intervals (Hyndman & Billah 2003) on level x (trend + seasonality + 3 %
    # noise); statsmodels' own Theta intervals covered 99.8 % of the nominal 80 % here
    def gen(rng, n):
        t = np.arange(n)
        return rng.uniform(50, 200) * (1 + 0.002 * t + 0.1 * np.sin(2 * np.pi * t / 12)
                                       + rng.normal(0, 0.03, n))
    c = _coverage(gen, "theta", 15, 96, seed=7)
    assert 0.68 <= c[80] <= 0.90
    assert 0.87 <= c[95] <= 0.99


def test_centre_on_scenario_pathway():
    y = pd.Series(np.tile(np.arange(1.0, 13.0), 4)[:42] + 100, index=IDX[:42])  # to 2018-06
    r = forecast_to(y, 2019, models=("snaive",), n_origins=1, n_paths=20)
    path = pd.Series({2018: 1400.0, 2019: 1500.0})
    c = r.centre_on(path)
    f = c.forecast
    obs18 = float(y[y.index.year == 2018].sum())
    assert obs18 + f.mean[f.index.year == 2018].sum() == pytest.approx(1400.0)
    assert f.mean[f.index.year == 2019].sum() == pytest.approx(1500.0)
    # the relative spread of the model is kept
    j = f.index.year == 2019
    w0 = (r.forecast.upper[80] - r.forecast.lower[80])[j] / r.forecast.mean[j]
    assert ((f.upper[80] - f.lower[80])[j] / f.mean[j]) == pytest.approx(w0)
