"""Indicator series: upload validation (file/row/column), units, not-estimated, annual rules."""

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.monitoring.series import from_frame, parse_period, validate_series


def _raw(rows, cols=("entity", "indicator", "period", "value", "unit", "source")):
    return pd.DataFrame(rows, columns=list(cols), dtype=str)


def test_units_converted_and_source_kept():
    s = validate_series(_raw([["c", "CO2", "2023", "2.5", "kt", "inventory 2023"],
                              ["c", "gdp", "2023", "1200", "1e4 yuan", "yearbook"]]), file="u.csv")
    d = s.data.set_index("indicator")
    assert d.at["CO2", "value"] == pytest.approx(2500.0)          # kt -> t
    assert d.at["gdp", "value"] == pytest.approx(0.12)            # 1e4 yuan -> 1e8 yuan
    assert d.at["CO2", "value_original"] == 2.5 and d.at["CO2", "unit_original"] == "kt"
    assert d.at["CO2", "source"] == "inventory 2023" and d.at["CO2", "row"] == 2


def test_chinese_headers_accepted():
    raw = pd.DataFrame([["c", "electricity", "2024-03", "10", "GWh", "电网"]],
                       columns=["对象", "指标", "时期", "数值", "计量单位", "来源"], dtype=str)
    s = validate_series(raw)
    assert s.data["month"].iloc[0] == 3 and s.data["value"].iloc[0] == pytest.approx(10000.0)


def test_every_problem_named_with_row_and_column():
    raw = _raw([["c", "CO2", "2023-13", "1", "t", "x"],
                ["c", "nonsense", "2023", "1", "t", "x"],
                ["c", "CO2", "2023", "abc", "t", "x"],
                ["c", "CO2", "2022", "1", "MWh", "x"],
                ["c", "CO2", "2021", "-1", "t", "x"]])
    with pytest.raises(InputError) as e:
        validate_series(raw, file="up.csv")
    got = {(p.row, p.column) for p in e.value.problems}
    assert {(2, "period"), (3, "indicator"), (4, "value"), (5, "unit"), (6, "value")} <= got
    assert all(p.file == "up.csv" for p in e.value.problems)


def test_unknown_column_is_an_error():
    raw = _raw([["c", "CO2", "2023", "1", "t", "x", "1"]],
               cols=("entity", "indicator", "period", "value", "unit", "source", "vlaue"))
    with pytest.raises(InputError) as e:
        validate_series(raw)
    (p,) = [p for p in e.value.problems if p.column == "vlaue"]
    assert p.severity == "error"
    # the catalogue message survives (it was turned into a plain English str before)
    from cocontrol.i18n import tr

    assert "未知的列 'vlaue'" in tr(p.message, "zh")


def test_duplicate_row_is_an_error():
    raw = _raw([["c", "CO2", "2023-01", "1", "t", "x"], ["c", "CO2", "2023-01", "2", "t", "y"]])
    with pytest.raises(InputError, match="duplicate of row 2"):
        validate_series(raw)


def test_blank_value_is_not_estimated_never_zero():
    rows = [["c", "CO2", f"2023-{m:02d}", "10", "t", "x"] for m in range(1, 13)]
    rows[4][3] = ""
    s = validate_series(_raw(rows))
    assert np.isnan(s.data.loc[s.data["month"] == 5, "value"]).all()
    a = s.annual("CO2", "c")
    assert np.isnan(a["value"].iloc[0]) and "[5]" in a["how"].iloc[0]


def test_annual_sum_and_day_weighted_mean_hand_calculation():
    rows = [["c", "CO2", f"2023-{m:02d}", str(m), "t", "x"] for m in range(1, 13)]
    rows += [["c", "pm25_conc", f"2023-{m:02d}", "30" if m <= 6 else "60", "ug/m**3", "x"]
             for m in range(1, 13)]
    s = validate_series(_raw(rows))
    assert s.annual_value("CO2", "c", 2023) == pytest.approx(78.0)
    # Jan-Jun 2023 = 181 days at 30, Jul-Dec = 184 days at 60 -> (181*30 + 184*60)/365
    assert s.annual_value("pm25_conc", "c", 2023) == pytest.approx((181 * 30 + 184 * 60) / 365)


def test_o3_percentile_not_derivable_from_months():
    rows = [["c", "o3_mda8_p90", f"2023-{m:02d}", "150", "ug/m**3", "x"] for m in range(1, 13)]
    s = validate_series(_raw(rows))
    a = s.annual("o3_mda8_p90", "c")
    assert np.isnan(a["value"].iloc[0]) and "cannot be derived" in a["how"].iloc[0]


def test_period_parsing():
    assert parse_period("2024-03") == (2024, 3)
    assert parse_period("2024") == (2024, 0)
    assert parse_period("2024年3月") == (2024, 3)
    assert parse_period("2024-03-15") is None


def test_from_frame_numbers():
    s = from_frame(pd.DataFrame({"entity": ["c"], "indicator": ["coal"], "period": ["2020"],
                                 "value": [1.5], "unit": ["Mt"], "source": ["s"]}))
    assert s.data["value"].iloc[0] == pytest.approx(1.5e6)


def test_excel_upload_with_chinese_headers(tmp_path):
    from cocontrol.monitoring.io import read_series

    p = tmp_path / "上报.xlsx"
    pd.DataFrame({"对象": ["c", "c"], "指标": ["用电量", "coal"], "时期": ["2024-01", "2024-02"],
                  "数值": [1.5, None], "计量单位": ["GWh", "kt"],
                  "来源": ["电网公司", "统计局"]}).to_excel(p, index=False)
    s = read_series(p)
    d = s.data.set_index("indicator")
    assert d.at["electricity", "value"] == pytest.approx(1500.0)   # Chinese indicator name
    assert np.isnan(d.at["coal", "value"]) and d.at["coal", "row"] == 3
