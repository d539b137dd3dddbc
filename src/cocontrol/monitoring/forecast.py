"""Monthly forecasts with prediction intervals, chosen by rolling-origin cross-validation.

Models (statsmodels; chosen over statsforecast because statsforecast itself requires
statsmodels and adds numba/llvmlite, about 64 MB of wheels and JIT compilation at first use):

- ``snaive``: seasonal naive ŷ_{T+h} = y_{T+h-m(k+1)}, k = ⌊(h-1)/m⌋, σ_h = σ̂ √(k+1)
  with σ̂ the RMS of the seasonal differences (Hyndman & Athanasopoulos, *Forecasting:
  Principles and Practice*, 3rd ed., §5.5, Table 5.2); the baseline;
- ``ets``: ETS(A, Ad, A) (additive error, damped additive trend, additive seasonality;
  Hyndman et al. 2008), statsmodels ``ETSModel``;
- ``arima``: the airline model SARIMA(0,1,1)(0,1,1)_12 (Box & Jenkins 1970), statsmodels
  ``SARIMAX``;
- ``theta``: the Theta method (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah 2003) with
  multiplicative seasonal adjustment, statsmodels ``ThetaModel`` for the point forecast; the
  intervals are those of SES with drift (:func:`_theta_sd`).

Rolling origin (Tashman 2000): origins at the ends of the last ``n_origins`` years before the
data end, each forecasting the next ``horizon`` months from the data up to the origin. Scores:
MAE and MASE (scaled by the in-sample MAE of the seasonal naive, Hyndman & Koehler 2006), and
the empirical coverage of the 80 % and 95 % intervals. ``skill = 1 - MAE_model / MAE_snaive``
(positive = better than the baseline). The model with the lowest MAE is chosen.

Annual quantities (totals, day-weighted means) and target probabilities need the joint
distribution of the months: ETS and ARIMA simulate sample paths (statsmodels ``simulate``), the
seasonal naive simulates its seasonal random walks; Theta has no simulator, so its paths are
mean + σ_h·z with one z per path (months perfectly correlated: a conservative, widest-case
annual spread).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from cocontrol.i18n import Msg, Seq
from cocontrol.monitoring._common import MonitoringError

MODELS = ("snaive", "ets", "arima", "theta")
M = 12
LEVELS = (80, 95)


@dataclass
class Forecast:
    """Point forecasts, intervals and sample paths of one model from one origin."""

    model: str
    index: pd.PeriodIndex
    mean: np.ndarray
    lower: dict[int, np.ndarray]
    upper: dict[int, np.ndarray]
    paths: np.ndarray | None = None  # (n_paths, h)

    def frame(self) -> pd.DataFrame:
        d = {"period": self.index.astype(str), "mean": self.mean}
        for lv in sorted(self.lower):
            d[f"lo{lv}"] = self.lower[lv]
            d[f"hi{lv}"] = self.upper[lv]
        return pd.DataFrame(d)


def _fit_predict(y: np.ndarray, h: int, model: str, levels=LEVELS, n_paths: int = 0,
                 seed: int = 0) -> tuple[np.ndarray, dict, dict, np.ndarray | None]:
    # one BLAS thread: the state-space filters work on tiny matrices, where threading only
    # adds overhead (and oversubscribes a shared machine)
    with threadpool_limits(1):
        return _fit_predict_1(y, h, model, levels, n_paths, seed)


def _fit_predict_1(y, h, model, levels, n_paths, seed):
    rng = np.random.default_rng(seed)
    lower, upper = {}, {}
    paths = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "snaive":
            if len(y) < 2 * M:
                raise MonitoringError(Msg("msg.mon_snaive_24"))
            d = y[M:] - y[:-M]
            sigma = float(np.sqrt(np.nanmean(d ** 2)))
            hh = np.arange(1, h + 1)
            k = (hh - 1) // M
            mean = y[len(y) - M + (hh - 1) % M]
            sd = sigma * np.sqrt(k + 1)
            for lv in levels:
                z = stats.norm.ppf(0.5 + lv / 200)
                lower[lv], upper[lv] = mean - z * sd, mean + z * sd
            if n_paths:
                eps = rng.normal(0.0, sigma, size=(n_paths, h))
                paths = np.empty((n_paths, h))
                for j in range(h):
                    prev = paths[:, j - M] if j >= M else np.full(n_paths, y[len(y) - M + j])
                    paths[:, j] = prev + eps[:, j]
            return mean, lower, upper, paths
        if len(y) < 3 * M:
            raise MonitoringError(Msg("msg.mon_needs_36", model=model))
        if model == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            ys = pd.Series(y, index=pd.date_range("2000-01-01", periods=len(y), freq="MS"))
            res = ETSModel(ys, error="add", trend="add", damped_trend=True, seasonal="add",
                           seasonal_periods=M).fit(disp=False, maxiter=200)
            pred = res.get_prediction(start=len(y), end=len(y) + h - 1)
            mean = pred.predicted_mean.to_numpy()
            for lv in levels:
                sf = pred.summary_frame(alpha=1 - lv / 100)
                lower[lv], upper[lv] = sf["pi_lower"].to_numpy(), sf["pi_upper"].to_numpy()
            if n_paths:
                paths = np.asarray(res.simulate(h, anchor="end", repetitions=n_paths,
                                                rng=np.random.default_rng(seed))).reshape(h, n_paths).T
            return mean, lower, upper, paths
        if model == "arima":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            res = SARIMAX(y, order=(0, 1, 1), seasonal_order=(0, 1, 1, M)).fit(disp=False)
            fc = res.get_forecast(h)
            mean = np.asarray(fc.predicted_mean)
            for lv in levels:
                ci = np.asarray(fc.conf_int(alpha=1 - lv / 100))
                lower[lv], upper[lv] = ci[:, 0], ci[:, 1]
            if n_paths:
                sim = res.simulate(h, anchor="end", repetitions=n_paths, rng=np.random.default_rng(seed))
                paths = np.asarray(sim).reshape(h, n_paths).T
            return mean, lower, upper, paths
        if model == "theta":
            from statsmodels.tsa.forecasting.theta import ThetaModel

            idx = pd.period_range("2000-01", periods=len(y), freq="M")
            ys = pd.Series(y, index=idx.to_timestamp())
            method = "multiplicative" if (y > 0).all() else "additive"
            res = ThetaModel(ys, period=M, deseasonalize=True, method=method).fit()
            mean = np.asarray(res.forecast(h))
            sd = _theta_sd(y, h, float(res.params["alpha"]), method)
            for lv in levels:
                z = stats.norm.ppf(0.5 + lv / 200)
                lower[lv], upper[lv] = mean - z * sd, mean + z * sd
            if n_paths:
                z = rng.standard_normal((n_paths, 1))
                paths = mean[None, :] + z * sd[None, :]
            return mean, lower, upper, paths
    raise MonitoringError(Msg("msg.mon_unknown_model", model=repr(model),
                                        known=Seq(MODELS, ", ", quote=True)))


def _theta_sd(y: np.ndarray, h: int, alpha: float, method: str) -> np.ndarray:
    """σ_h of the Theta method as SES with drift (Hyndman & Billah 2003): σ² from the one-step
    errors of SES(α) on the seasonally adjusted series (classical decomposition, the one
    ThetaModel uses), σ_h = σ √(1 + (h-1)α²), re-seasonalised. Replaces statsmodels'
    ``prediction_intervals``, which were far too wide on series with known noise
    (bench/monitoring.py: 99.8 % coverage of the nominal 80 % interval)."""
    from statsmodels.tsa.seasonal import seasonal_decompose

    dec = seasonal_decompose(y, period=M, model=method, two_sided=True)
    seas = np.asarray(dec.seasonal)[:M]
    k = np.arange(len(y)) % M
    ya = y / seas[k] if method == "multiplicative" else y - seas[k]
    lev = ya[0]
    err = []
    for v in ya[1:]:
        err.append(v - lev)
        lev = lev + alpha * (v - lev)
    e = np.asarray(err[M:] if len(err) > 2 * M else err)
    e = e - e.mean()  # the drift term of Theta absorbs the mean error
    sigma = float(np.sqrt(np.mean(e ** 2)))
    hh = np.arange(1, h + 1)
    sd = sigma * np.sqrt(1 + (hh - 1) * alpha ** 2)
    fk = (len(y) + hh - 1) % M
    return sd * seas[fk] if method == "multiplicative" else sd


def fit_forecast(y: pd.Series, h: int, model: str = "ets", levels=LEVELS, n_paths: int = 0,
                 seed: int = 0) -> Forecast:
    """Forecast a monthly series (PeriodIndex, no gaps) ``h`` months ahead."""
    y = _check_series(y)
    mean, lo, hi, paths = _fit_predict(y.to_numpy(float), h, model, levels, n_paths, seed)
    if (y >= 0).all():  # a non-negative quantity: its quantiles and paths are >= 0 too
        lo = {k: np.maximum(v, 0.0) for k, v in lo.items()}
        hi = {k: np.maximum(v, 0.0) for k, v in hi.items()}
        if paths is not None:
            paths = np.maximum(paths, 0.0)
    idx = pd.period_range(y.index[-1] + 1, periods=h, freq="M")
    return Forecast(model, idx, mean, lo, hi, paths)


def _check_series(y: pd.Series) -> pd.Series:
    if not isinstance(y.index, pd.PeriodIndex):
        raise MonitoringError(Msg("msg.mon_monthly_index"))
    y = y.sort_index()
    full = pd.period_range(y.index.min(), y.index.max(), freq="M")
    if len(full) != len(y) or y.isna().any():
        gaps = [str(p) for p in full.difference(y.dropna().index)][:12]
        raise MonitoringError(Msg("msg.mon_series_gaps", gaps=gaps))
    return y


def cross_validate(y: pd.Series, models=MODELS, horizon: int = 12, n_origins: int = 3,
                   levels=LEVELS) -> pd.DataFrame:
    """Rolling-origin forecasts: one row per model, origin and step with the actual value,
    the mean and the interval bounds."""
    y = _check_series(y)
    v = y.to_numpy(float)
    n = len(v)
    rows = []
    for o in range(n_origins, 0, -1):
        end = n - o * M
        if end < 2 * M:
            continue
        h = min(horizon, n - end)
        for mdl in models:
            try:
                mean, lo, hi, _ = _fit_predict(v[:end], h, mdl, levels)
            except MonitoringError:
                continue
            d = pd.DataFrame({"model": mdl, "origin": str(y.index[end - 1]),
                              "step": np.arange(1, h + 1), "actual": v[end:end + h],
                              "mean": mean})
            for lv in levels:
                d[f"lo{lv}"], d[f"hi{lv}"] = lo[lv], hi[lv]
            rows.append(d)
    if not rows:
        raise MonitoringError(Msg("msg.mon_series_short_cv", n=n, need=2 * M + M))
    return pd.concat(rows, ignore_index=True)


def scores(cv: pd.DataFrame, y: pd.Series, levels=LEVELS) -> pd.DataFrame:
    """MAE, MASE, skill vs the seasonal naive and interval coverage of each model, on the
    folds every model completed (so the comparison is like for like)."""
    v = y.to_numpy(float)
    scale = float(np.mean(np.abs(v[M:] - v[:-M])))
    key = cv.groupby(["origin", "step"])["model"].transform("nunique")
    common = cv[key == cv["model"].nunique()]
    rows = []
    for mdl, g in common.groupby("model", sort=False):
        err = g["actual"] - g["mean"]
        r = {"model": mdl, "n": len(g), "mae": float(err.abs().mean()),
             "rmse": float(np.sqrt((err ** 2).mean())),
             "mase": float(err.abs().mean() / scale) if scale > 0 else np.nan}
        for lv in levels:
            inside = (g["actual"] >= g[f"lo{lv}"]) & (g["actual"] <= g[f"hi{lv}"])
            r[f"coverage{lv}"] = float(inside.mean())
        rows.append(r)
    s = pd.DataFrame(rows)
    base = s.loc[s["model"] == "snaive", "mae"]
    s["skill_vs_snaive"] = 1 - s["mae"] / float(base.iloc[0]) if len(base) else np.nan
    return s.sort_values("mae").reset_index(drop=True)


@dataclass
class ForecastResult:
    """The chosen model's forecast to the target year with the cross-validation evidence."""

    name: str
    history: pd.Series
    chosen: str
    forecast: Forecast
    scores: pd.DataFrame
    cv: pd.DataFrame
    unit: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def skill(self) -> float:
        return float(self.scores.set_index("model").at[self.chosen, "skill_vs_snaive"])

    def frame(self) -> pd.DataFrame:
        """History and forecast in one table (kind = observed | forecast)."""
        h = pd.DataFrame({"period": self.history.index.astype(str),
                          "value": self.history.to_numpy(), "kind": "observed"})
        f = self.forecast.frame().rename(columns={"mean": "value"}).assign(kind="forecast")
        return pd.concat([h, f], ignore_index=True)

    def annual_samples(self, year: int, how: str = "sum") -> np.ndarray:
        """Sample distribution of the annual total (``sum``) or day-weighted mean (``mean``) of
        ``year``: observed months of that year plus simulated months."""
        paths = self.forecast.paths
        if paths is None:
            raise MonitoringError(Msg("msg.mon_no_paths"))
        idx = self.forecast.index
        obs = self.history[self.history.index.year == year]
        fut = np.flatnonzero(idx.year == year)
        if len(obs) + len(fut) < 12:
            raise MonitoringError(Msg("msg.mon_not_reach", year=year))
        vals = np.concatenate([np.repeat(obs.to_numpy()[None, :], len(paths), 0),
                               paths[:, fut]], axis=1)
        if how == "sum":
            return vals.sum(axis=1)
        if how == "mean":
            per = list(obs.index) + list(idx[fut])
            w = np.array([p.days_in_month for p in per], float)
            return vals @ w / w.sum()
        raise MonitoringError(Msg("msg.mon_how_sum_mean"))

    def centre_on(self, annual_path: pd.Series) -> ForecastResult:
        """Use a scenario pathway (annual values) as the expected path: each year's simulated
        months are rescaled so that the mean annual total equals the pathway's value (the
        spread of the chosen model is kept, relative to its level)."""
        f = self.forecast
        paths = f.paths.copy()
        mean = f.mean.copy()
        lo = {k: v.copy() for k, v in f.lower.items()}
        hi = {k: v.copy() for k, v in f.upper.items()}
        for y in sorted(set(f.index.year)):
            if y not in annual_path.index:
                continue
            j = np.flatnonzero(f.index.year == y)
            obs = float(self.history[self.history.index.year == y].sum())
            fut_mean = float(mean[j].sum())
            if fut_mean <= 0:
                continue
            s = (float(annual_path.loc[y]) - obs) / fut_mean
            paths[:, j] *= s
            mean[j] *= s
            for lv in lo:
                lo[lv][j] *= s
                hi[lv][j] *= s
        new = Forecast(f.model + "+pathway", f.index, mean, lo, hi, paths)
        return ForecastResult(self.name, self.history, self.chosen, new, self.scores, self.cv,
                              self.unit, self.notes + ["centred on the scenario pathway"])


def forecast_to(y: pd.Series, target_year: int, models=MODELS, n_origins: int = 3,
                n_paths: int = 1000, name: str = "", unit: str = "", seed: int = 0
                ) -> ForecastResult:
    """Choose a model by rolling-origin CV and forecast to December of ``target_year``."""
    y = _check_series(y.dropna() if y.isna().all() else y)
    cv = cross_validate(y, models, horizon=M, n_origins=n_origins)
    sc = scores(cv, y)
    chosen = str(sc["model"].iloc[0])
    h = (pd.Period(year=target_year, month=12, freq="M") - y.index[-1]).n
    if h < 1:
        raise MonitoringError(Msg("msg.mon_already_cover", year=target_year))
    fc = fit_forecast(y, h, chosen, n_paths=n_paths, seed=seed)
    return ForecastResult(name, y, chosen, fc, sc, cv, unit)
