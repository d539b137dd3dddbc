"""Number formatting of report tables and charts, checked against hand-written expectations."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from cocontrol.htmlreport import PALETTE, decimals_for, fmt_number, style_figure, table_html


def test_numbers_as_people_read_them():
    assert fmt_number(13010.4, 0) == "13,010"           # not 1.301e+04
    assert fmt_number(1.5e-7, 4) == "0.0000"            # fixed decimals, never an exponent
    assert fmt_number(-0.0004, 2) == "0.00"             # no "-0.00"
    assert fmt_number(2025, year=True) == "2025"        # years as years
    assert fmt_number(2025) == "2,025"                  # a count is a count
    assert fmt_number(math.nan) == "not estimated" and fmt_number(None) == "not estimated"
    assert fmt_number(math.nan, lang="zh") == "未估算"                 # never 0, never a dash
    assert fmt_number(True, lang="zh") == "是"
    assert [decimals_for(v) for v in ([12345.0], [250.0], [3.2], [0.35], [0.0116])] == \
        [0, 1, 2, 3, 4]


def test_table_columns_years_and_missing():
    df = pd.DataFrame({"year": [2025, 2030], "CO2_t": [13010.4, 1.2e6],
                       "share": [0.351, float("nan")]})
    html = table_html(df, index=False)
    assert ">2025<" in html and ">2,025<" not in html
    assert ">13,010<" in html and ">1,200,000<" in html and "e+" not in html
    assert ">0.351<" in html and ">not estimated<" in html
    assert html.startswith('<div class="tw">')           # scrolls sideways when wide


def test_small_totals_keep_three_significant_figures():
    """Issue 12 item 4: the inventory totals table (one column, kt) rounded BC 0.73 kt to "1"
    beside CO2 13,010 kt. Hand values: 3 significant figures at least, thousands separators,
    no exponent, missing is "not estimated"."""
    assert fmt_number(0.73, 0, sig=3) == "0.73"
    assert fmt_number(12345.6, 0, sig=3) == "12,346"
    assert fmt_number(0.0042, 0, sig=3) == "0.0042"
    assert fmt_number(2.5, 2, sig=3) == "2.50"        # the column's fixed decimals kept
    assert fmt_number(math.nan, 0, sig=3) == "not estimated"
    assert fmt_number(math.nan, 0, sig=3, lang="zh") == "未估算"
    tot = pd.DataFrame({"kt": [13010.4, 12345.6, 0.73, 0.0042, math.nan]},
                       index=pd.Index(["CO2", "SO2", "BC", "Hg", "OC"], name="species"))
    html = table_html(tot)  # the column's decimals from its magnitude (0), as in the report
    for shown in (">13,010<", ">12,346<", ">0.73<", ">0.0042<", ">not estimated<"):
        assert shown in html, shown
    assert ">1<" not in html and "e-" not in html and "e+" not in html
    assert ">未估算<" in table_html(tot, lang="zh")


def test_chart_style_years_palette_and_shares_from_zero():
    assert len(PALETTE) >= 30 and len(set(PALETTE)) == len(PALETTE)
    fig = go.Figure(go.Scatter(x=[2020, 2025, 2030], y=[35.0, 20.0, 12.0]))
    style_figure(fig, share_axis="y")
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.separatethousands is False
    assert fig.layout.yaxis.exponentformat == "none" and fig.layout.yaxis.rangemode == "tozero"
    assert list(fig.layout.colorway) == PALETTE
