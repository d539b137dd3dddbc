"""Year to date (monitoring/ytd.py) by hand: a flow summed over its months, a concentration
weighted by valid days (GB 3095-2012 annual mean from monthly means, HJ 663-2013), the same
months of the year before and the change, gaps left "not estimated" (never a sum of fewer
months)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cocontrol.i18n import tr
from cocontrol.monitoring import MonitoringError
from cocontrol.monitoring.series import from_frame
from cocontrol.monitoring.ytd import year_to_date


def _series(rows):
    return from_frame(pd.DataFrame(
        [{"entity": "c", "indicator": i, "period": p, "value": v, "unit": u,
          "source": "hand", **({"valid_days": d} if d is not None else {})}
         for i, p, v, u, d in rows]), file="hand.csv")


def test_flow_is_the_sum_of_its_months_against_the_same_months_a_year_before():
    s = _series([("CO2", "2023-01", 100, "t", None), ("CO2", "2023-02", 110, "t", None),
                 ("CO2", "2023-03", 999, "t", None),  # after the months of 2024: not used
                 ("CO2", "2024-01", 90, "t", None), ("CO2", "2024-02", 2, "kt", None)])
    y = year_to_date(s, "CO2", "c")
    # 2024 Jan-Feb: 90 + 2000 = 2090 t; 2023 Jan-Feb: 210 t; change 2090/210 - 1 = 895.24 %
    assert y["year"] == 2024 and y["months"] == [1, 2] and y["unit"] == "t"
    assert y["value"] == pytest.approx(2090.0) and y["previous"] == pytest.approx(210.0)
    assert y["change_pct"] == pytest.approx((2090 / 210 - 1) * 100)
    assert [r["month"] for r in y["rows"]] == [1, 2]
    assert y["rows"][1]["value_original"] == 2 and y["rows"][1]["unit_original"] == "kt"
    assert [r["month"] for r in y["previous_rows"]] == [1, 2]
    assert y["reason"] is None and y["source"]


def test_concentration_is_weighted_by_valid_days_or_calendar_days():
    s = _series([("pm25_conc", "2024-01", 60, "ug/m**3", 31),
                 ("pm25_conc", "2024-02", 30, "ug/m**3", 10),
                 ("pm25_conc", "2024-03", 40, "ug/m**3", None)])  # 31 calendar days
    y = year_to_date(s, "pm25_conc", "c")
    assert y["rule"] == "day_weighted_mean"
    assert y["value"] == pytest.approx((60 * 31 + 30 * 10 + 40 * 31) / (31 + 10 + 31))
    assert math.isnan(y["previous"]) and y["reason_previous"] == "missing:1,2,3"
    assert math.isnan(y["change_pct"])


def test_a_missing_month_leaves_the_year_to_date_not_estimated():
    s = _series([("energy", "2024-01", 10, "tce", None), ("energy", "2024-03", 12, "tce", None),
                 ("energy", "2024-02", None, "tce", None)])  # a blank value: not estimated
    y = year_to_date(s, "energy", "c")
    assert y["months"] == [1, 2, 3] and math.isnan(y["value"]) and y["reason"] == "missing:2"
    assert year_to_date(s, "CO2", "c") is None  # no monthly CO2
    assert year_to_date(s, "energy", "other") is None
    assert year_to_date(s, "energy", "c", year=2022) is None
    with pytest.raises(MonitoringError) as e:
        year_to_date(s, "co2", "c")
    assert "'co2'" in str(e.value) and "年初至今" in tr(e.value.args[0], "zh")
