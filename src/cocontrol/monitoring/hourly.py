"""Hourly monitoring data (ambient stations, CEMS stacks) aggregated with completeness rules.

The minimum counts are data (``data/monitoring/completeness.csv``, each row with its basis):

- ambient 1-hour mean from minutes: 45 minutes; 24-hour mean: at least 20 hourly means per day
  (GB 3095-2012, Table 4);
- O3 8-hour mean: at least 6 hourly means in the 8 hours; the daily maximum 8-hour mean
  (MDA8) from the 8-hour means ending 08:00-24:00, at least 14 of them, or fewer when the
  maximum already exceeds the limit (HJ 663-2013);
- annual mean: at least 324 daily values in the year AND at least 27 in every month (25 in
  February) (GB 3095-2012, Table 4, annual-mean row); annual percentile (O3 MDA8): at least
  324 daily values; monthly mean: at least 27 daily values (25 in February), the month count
  of Table 4 applied to a month (HJ 663-2013's monthly evaluation, clause not checked);
- ``data/monitoring/completeness.csv`` gives each count's clause and whether it was checked
  against the issued text (``checked``: every count is marked UNVERIFIED there, the issued
  texts were not available offline);
- annual O3: 90th percentile of the MDA8 values, percentile by HJ 663-2013's rank formula
  k = 1 + (n - 1) p, X_s + (X_{s+1} - X_s)(k - s) (the linear interpolation of numpy);
- CEMS: hourly mass = concentration (mg/m3, dry, standard) x flow (m3/h) x 1e-9 t/mg; a
  monthly mass only when >= 90 % of operating hours are valid (ASSUMPTION, screening default:
  HJ 75-2017 substitutes missing hours, cocontrol reports the month as not estimated instead).

Timestamps are hour-ending labels (the value labelled 01:00 is the mean of 00:00-01:00), as in
China's national monitoring network releases; the hour labelled 00:00 belongs to the day before.
A value that fails a rule is *not estimated* (NaN with the reason), never 0.
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.monitoring._common import completeness_basis, completeness_minimum
from cocontrol.monitoring.series import COLUMNS, SeriesTable

O3_LIMIT_GRADE2 = 160.0  # ug/m3, MDA8, GB 3095-2012 Table 1 grade 2


def _require(df: pd.DataFrame, cols: list[str], file: str) -> None:
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise InputError([Problem(file=file, column=c, message=M("msg.mon_column_missing", c=c),
                                  expected=Seq(cols, ", ", quote=True)) for c in miss])


def _times(df: pd.DataFrame, file: str) -> pd.Series:
    t = pd.to_datetime(df["time"], errors="coerce")
    bad = np.flatnonzero(t.isna().to_numpy())
    if len(bad):
        raise InputError([Problem(file=file, row=int(i) + 2, column="time", value=df["time"].iat[i],
                                  message=M("msg.mon_not_date_hour"), expected="YYYY-MM-DD HH:00")
                          for i in bad[:20]])
    return t


def station_daily(hourly: pd.DataFrame, file: str = "<hourly>") -> pd.DataFrame:
    """Daily statistics per station and pollutant from hourly ambient data.

    ``hourly`` columns: station, time (hour-ending), pollutant (PM2.5, PM10, SO2, NO2, CO, O3),
    value (ug/m3; blank = missing hour). Returns station, pollutant, date, statistic ("mean" or
    "mda8" for O3), value (NaN when invalid), n (hours or 8-h means), valid.
    """
    _require(hourly, ["station", "time", "pollutant", "value"], file)
    df = hourly.copy()
    df["time"] = _times(df, file)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    # hour-ending labels: 00:00 belongs to the previous day
    df["date"] = (df["time"] - pd.Timedelta(hours=1)).dt.normalize()
    out = []
    n_day = completeness_minimum("day_from_hours")
    for (st, pol), g in df.groupby(["station", "pollutant"], sort=True):
        if pol == "O3":
            out.append(_mda8(g, st))
            continue
        d = g.groupby("date")["value"].agg(["mean", "count"])
        valid = d["count"] >= n_day
        out.append(pd.DataFrame({"station": st, "pollutant": pol, "date": d.index,
                                 "statistic": "mean",
                                 "value": d["mean"].where(valid).to_numpy(),
                                 "n": d["count"].to_numpy(), "valid": valid.to_numpy()}))
    res = pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["station", "pollutant", "date", "statistic", "value", "n", "valid"])
    res.attrs["basis"] = completeness_basis("day_from_hours")
    return res


def _mda8(g: pd.DataFrame, station: str) -> pd.DataFrame:
    """Daily maximum 8-hour mean of O3 (HJ 663-2013 rules, see the module docstring)."""
    n8 = completeness_minimum("o3_8h_from_hours")
    nday = completeness_minimum("o3_mda8_from_8h")
    s = g.set_index("time")["value"].sort_index()
    s = s[~s.index.duplicated()]
    full = pd.date_range(s.index.min().floor("D"), s.index.max().ceil("D"), freq="h")
    s = s.reindex(full)
    roll_mean = s.rolling(8, min_periods=n8).mean()
    # 8-h means ending 08:00..24:00 (24:00 = 00:00 of the next day) belong to the day
    end = roll_mean.index
    day = (end - pd.Timedelta(hours=1)).normalize()
    hour = np.where(end.hour == 0, 24, end.hour)
    keep = hour >= 8
    m = pd.DataFrame({"day": day[keep], "v": roll_mean.to_numpy()[keep]})
    agg = m.groupby("day")["v"].agg(["max", "count"])
    agg = agg[agg["count"] > 0]
    valid = (agg["count"] >= nday) | (agg["max"] > O3_LIMIT_GRADE2)
    return pd.DataFrame({"station": station, "pollutant": "O3", "date": agg.index,
                         "statistic": "mda8", "value": agg["max"].where(valid).to_numpy(),
                         "n": agg["count"].to_numpy(), "valid": valid.to_numpy()})


def station_monthly(daily: pd.DataFrame) -> pd.DataFrame:
    """Monthly means of valid daily values (>= 27 days, >= 25 in February), else NaN."""
    n_m = completeness_minimum("month_from_days")
    d = daily.copy()
    d["year"] = pd.DatetimeIndex(d["date"]).year
    d["month"] = pd.DatetimeIndex(d["date"]).month
    g = d[d["valid"]].groupby(["station", "pollutant", "statistic", "year", "month"])["value"]
    a = g.agg(["mean", "count"]).reset_index()
    need = np.where(a["month"] == 2, n_m - 2, n_m)
    a["valid"] = a["count"] >= need
    a["value"] = a["mean"].where(a["valid"])
    return a.rename(columns={"count": "valid_days"}).drop(columns="mean")


def station_annual(daily: pd.DataFrame) -> pd.DataFrame:
    """Annual statistic per station and pollutant: mean of the daily means, or for O3 the 90th
    percentile of MDA8 (HJ 663-2013); at least 324 valid days, else NaN. An annual MEAN also
    needs at least 27 valid days in every month (25 in February): GB 3095-2012 Table 4 gives
    both counts in its annual-mean row."""
    n_y = completeness_minimum("year_from_days")
    n_m = completeness_minimum("month_from_days")
    d = daily[daily["valid"]].copy()
    d["year"] = pd.DatetimeIndex(d["date"]).year
    rows = []
    for (st, pol, stat, y), g in d.groupby(["station", "pollutant", "statistic", "year"]):
        v = g["value"].to_numpy(float)
        val = float(np.percentile(v, 90)) if stat == "mda8" else float(v.mean())
        ok = len(v) >= n_y
        if stat != "mda8":
            per_month = pd.DatetimeIndex(g["date"]).month.value_counts()
            ok = ok and all(int(per_month.get(m, 0)) >= (n_m - 2 if m == 2 else n_m)
                            for m in range(1, 13))
        rows.append((st, pol, "p90_mda8" if stat == "mda8" else "annual_mean", y,
                     val if ok else np.nan, len(v), ok))
    return pd.DataFrame(rows, columns=["station", "pollutant", "statistic", "year", "value",
                                       "valid_days", "valid"])


def station_series(hourly: pd.DataFrame, file: str = "<hourly>") -> SeriesTable:
    """Monthly PM2.5 means and annual PM2.5 / O3 statistics as indicator series (sources name the
    file and the rules; months or years failing the rules are kept as not estimated)."""
    daily = station_daily(hourly, file)
    mon = station_monthly(daily)
    ann = station_annual(daily)
    rows = []
    src_m = f"{file}: monthly mean of daily means; {completeness_basis('month_from_days')}"
    for r in mon[(mon["pollutant"] == "PM2.5")].itertuples():
        rows.append((r.station, "pm25_conc", "", "", r.year, r.month, r.value, "ug/m**3",
                     r.value, "ug/m**3", float(r.valid_days), src_m, file, np.nan))
    src_y = f"{file}: {completeness_basis('year_from_days')}"
    for r in ann.itertuples():
        if r.pollutant == "PM2.5":
            ind = "pm25_conc"
        elif r.pollutant == "O3":
            ind = "o3_mda8_p90"
        else:
            continue
        rows.append((r.station, ind, "", "", r.year, 0, r.value, "ug/m**3", r.value,
                     "ug/m**3", np.nan, src_y, file, np.nan))
    return SeriesTable(pd.DataFrame(rows, columns=COLUMNS))


def cems_monthly(hourly: pd.DataFrame, file: str = "<cems>") -> pd.DataFrame:
    """Monthly stack emissions from hourly CEMS data.

    ``hourly`` columns: facility, time, pollutant, conc (mg/m3), flow (m3/h), and optional
    operating (1/0; default: flow > 0) and valid (1/0; default: conc and flow present).
    Returns facility, pollutant, year, month, mass_t (NaN when < 90 % of operating hours are
    valid), operating_hours, valid_hours, completeness.
    """
    _require(hourly, ["facility", "time", "pollutant", "conc", "flow"], file)
    df = hourly.copy()
    df["time"] = _times(df, file)
    for c in ("conc", "flow"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    if "operating" in df.columns:
        op = pd.to_numeric(df["operating"], errors="coerce").fillna(0) > 0
    else:
        op = df["flow"].fillna(0) > 0
    val = df["conc"].notna() & df["flow"].notna()
    if "valid" in df.columns:
        val &= pd.to_numeric(df["valid"], errors="coerce").fillna(0) > 0
    df["operating"], df["valid_"] = op, val & op
    df["mass_t"] = np.where(df["valid_"], df["conc"] * df["flow"] * 1e-9, 0.0)
    t0 = df["time"] - pd.Timedelta(hours=1)
    df["year"], df["month"] = t0.dt.year, t0.dt.month
    g = df.groupby(["facility", "pollutant", "year", "month"])
    a = g.agg(mass_t=("mass_t", "sum"), operating_hours=("operating", "sum"),
              valid_hours=("valid_", "sum")).reset_index()
    need = completeness_minimum("cems_month_from_hours") / 100.0
    a["completeness"] = np.where(a["operating_hours"] > 0,
                                 a["valid_hours"] / a["operating_hours"].clip(lower=1), 1.0)
    a["mass_t"] = a["mass_t"].where(a["completeness"] >= need)
    hours = np.array([calendar.monthrange(int(y), int(m))[1] * 24
                      for y, m in zip(a["year"], a["month"], strict=True)])
    a["hours_in_month"] = hours
    a.attrs["basis"] = completeness_basis("cems_month_from_hours")
    return a


def hourly_from_minutes(minutes: pd.DataFrame, keys=("facility", "pollutant"),
                        value_cols=("conc", "flow"), rule: str = "cems_hour_from_minutes",
                        file: str = "<minutes>") -> pd.DataFrame:
    """Hourly means from minute data (CEMS: HJ 75-2017, at least 45 valid minutes; ambient
    1-hour means: rule ``hour_from_minutes``, GB 3095-2012 Table 4). ``time`` is the minute's
    timestamp; the hour is labelled by its end (00:00-00:59 -> 01:00). An hour with fewer valid
    minutes (all value columns present) is kept with NaN values and ``valid = False``."""
    keys = list(keys)
    _require(minutes, [*keys, "time", *value_cols], file)
    df = minutes.copy()
    df["time"] = _times(df, file)
    vals = [c for c in value_cols]
    for c in vals:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    ok = df[vals].notna().all(axis=1)
    df["hour"] = df["time"].dt.floor("h") + pd.Timedelta(hours=1)
    n_min = completeness_minimum(rule)
    g = df[ok].groupby([*keys, "hour"])
    out = g[vals].mean()
    out["n_minutes"] = g.size()
    out = out.reindex(df.groupby([*keys, "hour"]).size().index)
    out["n_minutes"] = out["n_minutes"].fillna(0).astype(int)
    out["valid"] = out["n_minutes"] >= n_min
    out.loc[~out["valid"], vals] = np.nan
    out = out.reset_index().rename(columns={"hour": "time"})
    out.attrs["basis"] = completeness_basis(rule)
    return out
