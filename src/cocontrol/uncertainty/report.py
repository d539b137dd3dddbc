"""Uncertainty outputs in a report: fan charts of pathways, the probability-of-attainment
table, Sobol and tornado bars."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from cocontrol.htmlreport import HtmlReport
from cocontrol.uncertainty.analysis import quantiles

_T = {"title": ("Uncertainty: probability of meeting the targets", "不确定性：目标达成概率"),
      "prob": ("Probability of attainment", "目标达成概率"),
      "fan": ("Pathway with 50 % and 90 % intervals", "路径及50%、90%区间"),
      "sobol": ("Sobol indices (share of output variance)", "Sobol敏感性指数（输出方差占比）"),
      "tornado": ("Tornado: one-at-a-time 95 % swings", "龙卷风图：单因素95%区间摆动"),
      "notes": ("Notes", "说明"),
      "batch": ("Multi-city comparison", "多城市比较"),
      "classes": ("Co-reduction class of each city", "各城市协同减排类型"),
      "pall": ("Probability of meeting all targets", "全部目标同时达成的概率"),
      "ptab": ("Probability of attainment by city", "各城市目标达成概率")}


def _t(k: str, lang: str) -> str:
    return _T[k][1] if lang == "zh" else _T[k][0]


def fan_figure(res, variable: str, unit: str) -> go.Figure:
    q = quantiles(res, variable)
    x = list(q.index)
    fig = go.Figure()
    for lo, hi, op in (("q05", "q95", 0.2), ("q25", "q75", 0.4)):
        fig.add_trace(go.Scatter(x=x + x[::-1], y=list(q[hi]) + list(q[lo])[::-1],
                                 fill="toself", opacity=op, line={"width": 0},
                                 name=f"{lo[1:]}–{hi[1:]} %"))
    fig.add_trace(go.Scatter(x=x, y=q["q50"], name="median", line={"color": "black"}))
    fig.update_layout(title=f"{variable} ({unit})", xaxis={"type": "category"},
                      yaxis={"rangemode": "tozero"})
    return fig


def write(res, prob: pd.DataFrame, path: str | Path, *, sobol: pd.DataFrame | None = None,
          tornado: pd.DataFrame | None = None, notes: list[str] = (), lang: str = "en"
          ) -> Path:
    rep = HtmlReport(_t("title", lang), lang)
    rep.heading(_t("prob", lang))
    rep.table(prob, index=False, float_format="{:,.3f}")
    rep.heading(_t("fan", lang))
    rep.figure(fan_figure(res, "CO2", "t"))
    if res.pm25 is not None:
        rep.figure(fan_figure(res, "PM2.5 concentration", "µg/m³"))
    if sobol is not None:
        rep.heading(_t("sobol", lang))
        rep.figure(go.Figure([go.Bar(x=sobol["factor"], y=sobol["S1"], name="S1"),
                              go.Bar(x=sobol["factor"], y=sobol["ST"], name="ST")],
                             layout={"barmode": "group", "yaxis": {"rangemode": "tozero"}}))
        rep.table(sobol, index=False, float_format="{:,.3f}")
    if tornado is not None:
        rep.heading(_t("tornado", lang))
        t = tornado.iloc[::-1]
        rep.figure(go.Figure([go.Bar(y=t["factor"], x=t["low"] - t["central"],
                                     orientation="h", name="2.5 %"),
                              go.Bar(y=t["factor"], x=t["high"] - t["central"],
                                     orientation="h", name="97.5 %")],
                             layout={"barmode": "overlay"}))
    rep.heading(_t("notes", lang))
    for n in notes:
        rep.paragraph(n, cls="small")
    return rep.write(path)


def write_batch(comparison: pd.DataFrame, path: str | Path, *, attainment: pd.DataFrame
                | None = None, geojson: dict | None = None, key: str = "code",
                scenario: str | None = None, lang: str = "en") -> Path:
    """The batch report: comparison table, a map of the co-reduction class of each city (of
    ``scenario``, default the first) and, with ``attainment``, the probability table and a
    map of P(all targets). Features of ``geojson`` are matched on property ``key`` = city."""
    from cocontrol import geomap
    from cocontrol.metrics.joint_change import JOINT_CLASSES
    from cocontrol.uncertainty.batch import CLASS_COLOURS

    li = 1 if lang == "zh" else 0
    rep = HtmlReport(_t("batch", lang), lang)
    tab = comparison.copy()
    tab["class"] = tab["class"].map(lambda c: JOINT_CLASSES.get(c, (c, c))[li])
    rep.table(tab, index=False, float_format="{:,.0f}")
    sc = scenario or str(comparison["scenario"].iloc[0])
    one = comparison[comparison["scenario"] == sc]
    if geojson is not None:
        rep.heading(f"{_t('classes', lang)} ({sc})")
        names = {c: JOINT_CLASSES[c][li] for c in CLASS_COLOURS}
        rep.raw(geomap.choropleth(
            geojson, key=key, classes={c: names[k] for c, k in zip(one["city"], one["class"],
                                                              strict=True)},
            palette={names[c]: col for c, col in CLASS_COLOURS.items()},
            title=_t("classes", lang), lang=lang))
    if attainment is not None:
        rep.heading(_t("ptab", lang))
        rep.table(attainment, index=False, float_format="{:,.3f}")
        if geojson is not None:
            allp = attainment[attainment["target"] == "all targets together"]
            rep.heading(_t("pall", lang))
            rep.raw(geomap.choropleth(geojson, key=key, values=dict(zip(
                allp["city"], allp["probability"], strict=True)), title=_t("pall", lang),
                lang=lang))
    return rep.write(path)
