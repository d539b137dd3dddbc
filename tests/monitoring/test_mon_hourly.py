"""Hourly aggregation: completeness rules of GB 3095-2012 Table 4 / HJ 663-2013 and CEMS mass."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring.hourly import cems_monthly, station_annual, station_daily, station_monthly


def _hours(day: str, values, pollutant="PM2.5", station="s1"):
    # hour-ending labels 01:00 .. 24:00 (= 00:00 of the next day)
    t = pd.date_range(pd.Timestamp(day) + pd.Timedelta(hours=1), periods=len(values), freq="h")
    return pd.DataFrame({"station": station, "time": t, "pollutant": pollutant, "value": values})


def test_daily_mean_needs_20_hours():
    ok = _hours("2024-01-01", [10.0] * 20 + [np.nan] * 4)
    short = _hours("2024-01-02", [10.0] * 19 + [np.nan] * 5)
    d = station_daily(pd.concat([ok, short]))
    assert d["valid"].tolist() == [True, False]
    assert d["value"].iloc[0] == pytest.approx(10.0) and np.isnan(d["value"].iloc[1])


def test_hour_ending_label_2400_belongs_to_previous_day():
    h = _hours("2024-01-01", list(range(1, 25)))
    d = station_daily(h)
    assert len(d) == 1 and d["value"].iloc[0] == pytest.approx(12.5)  # mean of 1..24


def test_mda8_hand_calculation():
    # O3 = hour-of-day (1..24): 8-h means ending 08..24 are (h-3.5); max at 24:00 = 20.5
    h = _hours("2024-06-01", [float(k) for k in range(1, 25)], pollutant="O3")
    d = station_daily(h)
    assert d["statistic"].iloc[0] == "mda8"
    assert d["value"].iloc[0] == pytest.approx(20.5) and d["n"].iloc[0] == 17


def test_mda8_needs_14_eight_hour_means_unless_above_limit():
    v = [50.0] * 12 + [np.nan] * 12  # 8-h means valid (>= 6 h) only up to 18:00 -> 11 windows
    d = station_daily(_hours("2024-06-01", v, pollutant="O3"))
    assert not d["valid"].iloc[0]
    v2 = [200.0] * 12 + [np.nan] * 12  # same count but above 160: still valid (HJ 663-2013)
    d2 = station_daily(_hours("2024-06-01", v2, pollutant="O3"))
    assert d2["valid"].iloc[0] and d2["value"].iloc[0] == pytest.approx(200.0)


def _daily(n_days, start="2023-01-01", value=20.0):
    return pd.DataFrame({"station": "s1", "pollutant": "PM2.5", "statistic": "mean",
                         "date": pd.date_range(start, periods=n_days, freq="D"),
                         "value": value, "n": 24, "valid": True})


def test_monthly_needs_27_days_and_25_in_february():
    jan = _daily(26, "2023-01-01")
    feb = _daily(25, "2023-02-01")
    m = station_monthly(pd.concat([jan, feb]))
    assert m.set_index("month")["valid"].to_dict() == {1: False, 2: True}


def test_annual_needs_324_days_and_o3_is_90th_percentile():
    a = station_annual(_daily(323))
    assert not a["valid"].iloc[0] and np.isnan(a["value"].iloc[0])
    d = _daily(330)
    d["statistic"], d["pollutant"] = "mda8", "O3"
    d["value"] = np.arange(1, 331, dtype=float)
    a = station_annual(d)
    # HJ 663-2013: k = 1 + (n-1)*0.9 = 297.1 -> X_297 + 0.1*(X_298 - X_297) = 297.1
    assert a["valid"].iloc[0] and a["value"].iloc[0] == pytest.approx(297.1)


def test_cems_mass_and_completeness():
    t = pd.date_range("2024-01-01 01:00", periods=100, freq="h")
    df = pd.DataFrame({"facility": "u1", "time": t, "pollutant": "SO2", "conc": 30.0,
                       "flow": 1.0e6})
    m = cems_monthly(df)
    # 30 mg/m3 x 1e6 m3/h = 30 kg/h = 0.03 t/h over 100 h
    assert m["mass_t"].iloc[0] == pytest.approx(3.0) and m["completeness"].iloc[0] == 1.0
    df.loc[:10, "conc"] = np.nan  # 11 of 100 operating hours invalid -> 89 % < 90 %
    m = cems_monthly(df)
    assert np.isnan(m["mass_t"].iloc[0]) and m["valid_hours"].iloc[0] == 89


def test_cems_hourly_needs_45_valid_minutes():
    from cocontrol.monitoring.hourly import hourly_from_minutes

    t = pd.date_range("2024-01-01 00:00", periods=120, freq="min")
    df = pd.DataFrame({"facility": "u1", "pollutant": "SO2", "time": t,
                       "conc": np.r_[np.full(60, 20.0), np.full(60, 30.0)], "flow": 1e6})
    df.loc[60:75, "conc"] = np.nan        # second hour: 44 valid minutes
    h = hourly_from_minutes(df)
    assert h["time"].dt.hour.tolist() == [1, 2]   # hour-ending labels
    assert h["valid"].tolist() == [True, False] and h["n_minutes"].tolist() == [60, 44]
    assert h["conc"].iloc[0] == pytest.approx(20.0) and np.isnan(h["conc"].iloc[1])


def test_annual_mean_needs_every_month_complete():
    """GB 3095-2012 Table 4, annual-mean row: >= 324 daily means per year AND >= 27 in every
    month (25 in February). 330 days from 1 January end on 26 November: December has none."""
    a = station_annual(_daily(330))
    assert a["valid_days"].iloc[0] == 330
    assert not a["valid"].iloc[0] and np.isnan(a["value"].iloc[0])
    # the whole year but four days missing in each month except February (which keeps 25):
    # 11 x (days - 4) + 25 = 365 - 44 - 3 = 318 < 324 -> still invalid by the year count
    full = _daily(365)
    keep = full["date"].dt.day > 4
    keep |= full["date"].dt.month == 2
    feb = full["date"].dt.month == 2
    keep &= ~(feb & (full["date"].dt.day > 25))
    a = station_annual(full[keep])
    assert a["valid_days"].iloc[0] == 365 - 11 * 4 - 3 and not a["valid"].iloc[0]
    # 27 days in every month (25 in February) and >= 324 in the year: valid
    months = full["date"].dt.month
    cut = np.where(months == 2, 25, 28)  # 11 x 28 + 25 = 333
    ok = full[full["date"].dt.day <= cut]
    a = station_annual(ok)
    assert a["valid_days"].iloc[0] == 333 and a["valid"].iloc[0]
    assert a["value"].iloc[0] == pytest.approx(20.0)
    # July with 26 days: invalid although the year has 331 (>= 324)
    a = station_annual(ok[~((ok["date"].dt.month == 7) & (ok["date"].dt.day > 26))])
    assert a["valid_days"].iloc[0] == 331 and not a["valid"].iloc[0]


def test_completeness_table_cites_clauses_and_marks_unverified():
    from cocontrol.monitoring._common import bundled

    t = bundled("completeness")
    assert {"clause", "checked"} <= set(t.columns)
    assert t["clause"].str.len().gt(0).all() and t["checked"].str.len().gt(0).all()
    # nothing claims to be checked against the issued text: verified or UNVERIFIED/ASSUMPTION
    assert t["checked"].str.match(r"^(VERIFIED|UNVERIFIED|ASSUMPTION)").all()
    gb = t.set_index("rule")
    assert gb.at["year_from_days", "minimum"] == 324 and gb.at["month_from_days", "minimum"] == 27
    assert gb.at["day_from_hours", "minimum"] == 20 and gb.at["o3_8h_from_hours", "minimum"] == 6
