"""Notices: rankings over the months of the period, hand-made."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring.anomaly import exceedance, open_case
from cocontrol.monitoring.notices import notice, parse_notice_period
from cocontrol.monitoring.series import from_frame


def _s():
    rows = []
    for ent, pm, el23, el24 in (("a", 40.0, 100.0, 110.0), ("b", 30.0, 100.0, 95.0),
                                ("c", np.nan, 100.0, 100.0)):
        for y, el in ((2023, el23), (2024, el24)):
            for m in (4, 5, 6):
                rows.append(dict(entity=ent, indicator="electricity", period=f"{y}-{m:02d}",
                                 value=el, unit="MWh", source="t"))
                rows.append(dict(entity=ent, indicator="pm25_conc", period=f"{y}-{m:02d}",
                                 value=pm if y == 2024 else pm + 5, unit="ug/m**3", source="t"))
    return from_frame(pd.DataFrame(rows))


def test_period_parsing():
    assert parse_notice_period("2024-06") == ("monthly", 2024, [6])
    assert parse_notice_period("2024-Q2") == ("quarterly", 2024, [4, 5, 6])


def test_quarterly_rankings_and_cases():
    f = exceedance(pd.date_range("2024-06-01 01:00", periods=3, freq="h"), [50.0, 50.0, 10.0],
                   35.0, "u1", "SO2", "mg/m3", "permit")[0]
    case = open_case(f, "a", datetime(2024, 6, 1), deadline_days=5)
    n = notice("2024-Q2", "city", _s(), members=["a", "b", "c"], cases=[case],
               today=date(2024, 6, 30))
    el = {r["entity"]: r for r in n["rankings"]["electricity"]["rows"]}
    # change vs Q2 2023: a +10 %, b -5 %, c 0 % -> b first, then c, then a
    assert el["a"]["value"] == pytest.approx(10.0) and el["b"]["rank"] == 1
    assert el["c"]["rank"] == 2 and el["a"]["rank"] == 3
    pm = {r["entity"]: r for r in n["rankings"]["pm25_conc"]["rows"]}
    assert pm["b"]["rank"] == 1 and pm["b"]["change_vs_last_year"] == pytest.approx(-5.0)
    assert pm["c"]["value"] is None and pm["c"]["rank"] is None     # not estimated, not ranked
    assert n["cases"]["counts"]["found"] == 1 and n["cases"]["overdue"] == 1
