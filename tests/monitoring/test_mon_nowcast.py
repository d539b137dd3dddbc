"""Carbon-from-power nowcast: exact calibration to annual totals and backtest by hand."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring.nowcast import nowcast


def _proxy(years, scale=1.0):
    rows = []
    for y in years:
        for m in range(1, 13):
            rows.append(("all", y, m, scale * (100 + 10 * np.sin(m) + (y - 2019) * 5)))
    return pd.DataFrame(rows, columns=["entity", "year", "month", "proxy"])


def test_months_sum_exactly_to_the_annual_inventory():
    p = _proxy([2019, 2020, 2021])
    a = pd.DataFrame({"entity": "all", "year": [2019, 2020, 2021],
                      "value": [1.23456789e7, 1.3e7, 1.1e7]})
    r = nowcast(p, a)
    s = r.monthly.groupby("year")["estimate"].sum()
    for y, v in zip(a["year"], a["value"], strict=True):
        assert s.loc[y] == pytest.approx(v, rel=1e-12)
    assert (r.monthly["kind"] == "calibrated").all()


def test_nowcast_year_and_backtest_hand_calculation():
    p = _proxy([2020, 2021, 2022])
    P = p.groupby("year")["proxy"].sum()
    a = pd.DataFrame({"entity": "all", "year": [2020, 2021], "value": [1000.0, 1300.0]})
    r = nowcast(p, a)
    k21 = 1300.0 / P.loc[2021]
    m22 = r.monthly[r.monthly["year"] == 2022]
    assert (m22["kind"] == "nowcast").all()
    assert m22["estimate"].sum() == pytest.approx(k21 * P.loc[2022])
    # backtest: 2021 predicted with k of 2020 only
    b = r.backtest.set_index("year")
    pred = 1000.0 / P.loc[2020] * P.loc[2021]
    assert b.at[2021, "predicted"] == pytest.approx(pred)
    assert r.mape == pytest.approx(abs(pred - 1300.0) / 1300.0)


def test_trend_coefficient():
    p = _proxy([2019, 2020, 2021, 2022])
    P = p.groupby("year")["proxy"].sum()
    k = {2019: 1.0, 2020: 0.9, 2021: 0.8}
    a = pd.DataFrame({"entity": "all", "year": list(k), "value": [k[y] * P.loc[y] for y in k]})
    r = nowcast(p, a, method="trend")
    c = r.coefficients.set_index("year")
    assert c.at[2022, "k"] == pytest.approx(0.7)   # linear trend of k continued
    assert r.backtest.set_index("year").at[2021, "predicted"] == pytest.approx(0.8 * P.loc[2021])


def test_incomplete_year_not_used_for_calibration():
    p = _proxy([2020, 2021])
    p = p[~((p["year"] == 2021) & (p["month"] == 12))]
    a = pd.DataFrame({"entity": "all", "year": [2020, 2021], "value": [1000.0, 1100.0]})
    r = nowcast(p, a)
    assert (r.monthly.loc[r.monthly["year"] == 2021, "kind"] == "nowcast").all()
