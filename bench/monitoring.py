"""Benchmark: backtest figures of the monitoring stage (nowcast error, forecast skill, coverage).

    python bench/monitoring.py

1. Carbon from power on the ILLUSTRATIVE demo city (examples/demo-city/monitoring/series.csv):
   backtest on held-out years (each inventory year nowcast with the coefficient of the year
   before), MAPE of the annual totals for CO2 (electricity proxy), SO2 and NOx (coal proxy).
2. Rolling-origin cross-validation (3 yearly origins, 12-month horizon) of the demo series:
   skill of the chosen model against the seasonal naive (1 - MAE/MAE_snaive) and the coverage
   of its 80 % / 95 % intervals.
3. Synthetic series with known noise (40 series, 96 months: level + trend + seasonality +
   Gaussian noise, sd 3 % of the level): pooled coverage of the 80 % and 95 % intervals and the
   skill of each model over the 12 months after the data (one origin per series).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _record import record, reset

from cocontrol.monitoring.forecast import MODELS, cross_validate, fit_forecast, scores
from cocontrol.monitoring.io import read_series
from cocontrol.monitoring.nowcast import nowcast_from_series, to_series

ROOT = Path(__file__).resolve().parents[1]
SERIES = ROOT / "examples" / "demo-city" / "monitoring" / "series.csv"


def demo() -> None:
    s = read_series(SERIES)
    for target, proxy in (("CO2", "electricity"), ("SO2", "coal"), ("NOx", "coal")):
        n = nowcast_from_series(s, "demo_city", target, proxy)
        nt = nowcast_from_series(s, "demo_city", target, proxy, method="trend")
        bt = n.backtest_total()
        print(f"nowcast {target} from {proxy}: MAPE {100 * n.mape:.2f} % (trend of k: "
              f"{100 * nt.mape:.2f} %) over held-out years {bt['year'].astype(int).tolist()}")
        record(f"nowcast mape {target}", 100 * n.mape, "%")
        record(f"nowcast mape {target} trend", 100 * nt.mape, "%")
        if target == "CO2":
            s = s.concat(to_series(n, "demo_city", "t"))
    skills, cov80, cov95 = [], [], []
    for ind in ("CO2", "energy", "coal", "pm25_conc", "good_day_ratio"):
        y = s.monthly(ind, "demo_city").dropna()
        t0 = time.perf_counter()
        cv = cross_validate(y, MODELS, n_origins=3)
        sc = scores(cv, y)
        dt = time.perf_counter() - t0
        best = sc.iloc[0]
        print(f"{ind}: chosen {best['model']}, skill vs snaive {best['skill_vs_snaive']:.3f}, "
              f"coverage80 {best['coverage80']:.2f}, coverage95 {best['coverage95']:.2f} "
              f"({dt:.1f} s for {len(MODELS)} models x 3 origins)")
        skills.append(best["skill_vs_snaive"])
        cov80.append(best["coverage80"])
        cov95.append(best["coverage95"])
        record(f"forecast skill vs naive demo {ind}", best["skill_vs_snaive"], "1 - MAE/MAE_snaive")
    record("forecast skill vs naive", float(np.mean(skills)), "1 - MAE/MAE_snaive (demo mean)")
    record("interval coverage 80 demo", 100 * float(np.mean(cov80)), "% (nominal 80)")
    record("interval coverage 95 demo", 100 * float(np.mean(cov95)), "% (nominal 95)")


def synthetic(n_series: int = 40, n: int = 96, h: int = 12) -> None:
    rng = np.random.default_rng(7)
    idx = pd.period_range("2015-01", periods=n + h, freq="M")
    t = np.arange(n + h)
    inside = {m: {80: [], 95: []} for m in MODELS}
    err = {m: [] for m in MODELS}
    times = {m: 0.0 for m in MODELS}
    for _ in range(n_series):
        level = rng.uniform(50, 200)
        y = level * (1 + 0.002 * t + 0.1 * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
                     + rng.normal(0, 0.03, n + h))
        hist = pd.Series(y[:n], index=idx[:n])
        for m in MODELS:
            t0 = time.perf_counter()
            f = fit_forecast(hist, h, m)
            times[m] += time.perf_counter() - t0
            for lv in (80, 95):
                inside[m][lv].append((y[n:] >= f.lower[lv]) & (y[n:] <= f.upper[lv]))
            err[m].append(np.abs(y[n:] - f.mean))
    mae_naive = float(np.mean(np.concatenate(err["snaive"])))
    for m in MODELS:
        c80 = 100 * float(np.concatenate(inside[m][80]).mean())
        c95 = 100 * float(np.concatenate(inside[m][95]).mean())
        skill = 1 - float(np.mean(np.concatenate(err[m]))) / mae_naive
        print(f"synthetic {m}: coverage80 {c80:.1f} %, coverage95 {c95:.1f} %, skill vs snaive "
              f"{skill:.3f}, {1000 * times[m] / n_series:.0f} ms per fit")
        record(f"interval coverage 80 synthetic {m}", c80, "% (nominal 80)")
        record(f"interval coverage 95 synthetic {m}", c95, "% (nominal 95)")
        record(f"forecast skill vs naive synthetic {m}", skill, "1 - MAE/MAE_snaive")
        record(f"forecast fit time {m}", 1000 * times[m] / n_series, "ms per series",
               reference=1000 * times["snaive"] / n_series)
    pooled80 = 100 * float(np.concatenate([np.concatenate(inside[m][80]) for m in MODELS]).mean())
    record("interval coverage 80", pooled80, "% (synthetic, all models pooled; nominal 80)")


def main() -> None:
    reset()
    warnings.simplefilter("ignore")
    demo()
    synthetic()


if __name__ == "__main__":
    main()
