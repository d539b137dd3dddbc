"""Excel and HTML reports of an evaluation (thin layer over :class:`EvaluationResult`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cocontrol import i18n
from cocontrol.evaluation.scoring import EvaluationResult, change_between
from cocontrol.htmlreport import HtmlReport
from cocontrol.project.cells import safe_frame

# Words: cocontrol/data/i18n/catalogue.yaml (keys inv_*, sc_*, cge_*, opt_*, eval_*).


def _name_col(lang: str) -> str:
    return "name_zh" if lang == "zh" else "name_en"


def latest_ranking(res: EvaluationResult, lang: str = "en") -> pd.DataFrame:
    """Ranking table of the latest year: unit name, score, grade, rank, dimension
    sub-indices, TOPSIS closeness and rank, coupling coordination D."""
    s = res.scores
    year = int(s.index.get_level_values("year").max())
    last = s.xs(year, level="year").copy()
    dims = list(res.system.level1().index)
    l1 = res.system.level1()
    out = pd.DataFrame(index=last.index)
    out[i18n.t("eval_unit", lang)] = res.units[_name_col(lang)].reindex(last.index)
    out[i18n.t("eval_score", lang)] = last["score"]
    out[i18n.t("eval_grade", lang)] = last["grade"]
    out[i18n.t("eval_rank", lang)] = last["rank"]
    for d in dims:
        out[str(l1.at[d, "level1_name_zh" if lang == "zh" else "level1_name_en"])] = last[d]
    if len(res.topsis):
        tp = res.topsis.xs(year, level="year") if year in res.topsis.index.unique(
            "year") else pd.DataFrame(columns=["closeness"])
        out[i18n.t("eval_topsis", lang)] = tp["closeness"].reindex(last.index)
    if res.coupling is not None and year in res.coupling.index.unique("year"):
        out[i18n.t("eval_coupling_d", lang)] = res.coupling.xs(year, level="year")["D"].reindex(
            last.index)
    out = out.sort_values(i18n.t("eval_score", lang), ascending=False, na_position="last")
    out.index.name = "unit"
    out.attrs["year"] = year
    return out


def write_excel(results: dict[str, EvaluationResult], path: str | Path, lang: str = "en"
                ) -> Path:
    """Write one workbook with every table of each result (sheet names prefixed by key)."""
    from cocontrol.xlsxreport import write_workbook

    all_sheets: dict[str, pd.DataFrame] = {}
    for key, res in results.items():
        pre = f"{key}_" if len(results) > 1 else ""
        sheets = {
            "ranking": latest_ranking(res, lang),
            "scores": res.scores,
            "level2": res.level2_scores,
            "contrib": res.contributions,
            "changes": res.changes,
            "weights": res.weights,
            "values": res.values,
            "normalized": res.normalized,
            "topsis": res.topsis,
            "coupling": res.coupling if res.coupling is not None else pd.DataFrame(),
            "trends": res.trends,
            "peers": res.peers,
            "missing": res.missing,
            "ahp": res.ahp_checks,
            "settings": pd.DataFrame({"key": list(res.settings) + ["note"] * len(res.notes),
                                      "value": [str(v) for v in res.settings.values()]
                                      + res.notes}),
        }
        for name, df in sheets.items():
            all_sheets[(pre + name)[:31]] = df
    return write_workbook({k: safe_frame(v) for k, v in all_sheets.items()}, path)


# ----------------------------------------------------------------------------- figures
def _wrap(text: str, width: int) -> str:
    """Break a long axis label into lines of about ``width`` characters (<br>)."""
    if len(text) <= width:
        return text
    if " " in text:
        lines, cur = [], ""
        for w in text.split():
            if cur and len(cur) + 1 + len(w) > width:
                lines.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}".strip()
        lines.append(cur)
        return "<br>".join(lines)
    return "<br>".join(text[i:i + width] for i in range(0, len(text), width))


def radar_figure(res: EvaluationResult, lang: str = "en", max_units: int = 20) -> go.Figure:
    """Small-multiple radar charts, one per unit, of the second-level sub-indices."""
    year = int(res.scores.index.get_level_values("year").max())
    l2 = res.level2_scores.xs(year, level="year").dropna(how="all")
    l2 = l2.loc[[u for u in _top_units(res, max_units) if u in l2.index]]
    meta = res.system.level2()
    theta = [_wrap(str(meta.at[c, "level2_name_zh" if lang == "zh" else "level2_name_en"]),
                   6 if lang == "zh" else 14) for c in l2.columns]
    n = len(l2)
    cols = min(3, max(n, 1))  # 3 per row: room for the axis labels
    rows = int(np.ceil(n / cols)) or 1
    names = res.units[_name_col(lang)].reindex(l2.index).astype(str).tolist()
    fig = make_subplots(rows=rows, cols=cols, specs=[[{"type": "polar"}] * cols] * rows,
                        subplot_titles=names, vertical_spacing=0.08)
    for k, (_unit, row) in enumerate(l2.iterrows()):
        r_, c_ = divmod(k, cols)
        fig.add_trace(go.Scatterpolar(r=list(row.to_numpy()) + [row.iloc[0]],
                                      theta=theta + [theta[0]], fill="toself",
                                      name=names[k], showlegend=False),
                      row=r_ + 1, col=c_ + 1)
    fig.update_polars(radialaxis=dict(range=[0, 100], showticklabels=False),
                      angularaxis=dict(tickfont=dict(size=9)),
                      domain=None)
    # room for the axis labels: small multiples with gaps, long labels wrapped
    for k in range(n):
        r_, c_ = divmod(k, cols)
        key = "polar" if k == 0 else f"polar{k + 1}"
        x0, x1 = c_ / cols + 0.06, (c_ + 1) / cols - 0.06
        y1 = 1 - r_ / rows - 0.09 / rows
        y0 = 1 - (r_ + 1) / rows + 0.07 / rows
        fig.layout[key].domain = dict(x=[x0, x1], y=[y0, y1])
    fig.update_layout(height=420 * rows, title=f"{i18n.t('eval_radar', lang)} ({year})",
                      margin=dict(l=70, r=70, t=90, b=40))
    return fig


MAX_UNITS_IN_CHARTS = 40


def _top_units(res: EvaluationResult, n: int) -> pd.Index:
    """The ``n`` best-scoring units of the latest year (charts of large panels stay legible)."""
    year = int(res.scores.index.get_level_values("year").max())
    return res.scores.xs(year, level="year")["score"].dropna().sort_values(
        ascending=False).index[:n]


def contribution_figure(res: EvaluationResult, lang: str = "en",
                        max_units: int = MAX_UNITS_IN_CHARTS) -> go.Figure:
    """Stacked horizontal bars: points contributed by each second-level criterion."""
    year = int(res.scores.index.get_level_values("year").max())
    c = res.contributions.xs(year, level="year").dropna(how="all")
    c = c.loc[c.index.intersection(_top_units(res, max_units))]
    t = res.system.table
    by2 = c.T.groupby(t["level2_id"].reindex(c.columns).to_numpy(), sort=False).sum().T
    order = res.scores.xs(year, level="year")["score"].reindex(by2.index).sort_values().index
    by2 = by2.loc[order]
    meta = res.system.level2()
    names = res.units[_name_col(lang)].reindex(by2.index).astype(str)
    fig = go.Figure()
    for col in by2.columns:
        fig.add_trace(go.Bar(y=names, x=by2[col], orientation="h",
                             name=str(meta.at[col, "level2_name_zh" if lang == "zh"
                                               else "level2_name_en"])))
    fig.update_layout(barmode="stack", title=f"{i18n.t('eval_contrib', lang)} ({year})",
                      height=max(350, 28 * len(by2) + 150),
                      xaxis_title=i18n.t("eval_points", lang))
    return fig


def change_figure(res: EvaluationResult, lang: str = "en") -> go.Figure | None:
    """Bars of the first-to-last-year change of the index, split by first-level dimension."""
    years = sorted(res.scores.index.unique("year"))
    if len(years) < 2:
        return None
    ch = change_between(res, years[0], years[-1]).dropna(subset=["total"])
    ch = ch.loc[ch.index.intersection(_top_units(res, MAX_UNITS_IN_CHARTS))]
    t = res.system.table
    l1 = res.system.level1()
    parts = ch.drop(columns="total").T.groupby(
        t["level1_id"].reindex(ch.columns.drop("total")).to_numpy(), sort=False).sum().T
    names = res.units[_name_col(lang)].reindex(parts.index).astype(str)
    fig = go.Figure()
    for d in parts.columns:
        fig.add_trace(go.Bar(x=names, y=parts[d], name=str(
            l1.at[d, "level1_name_zh" if lang == "zh" else "level1_name_en"])))
    fig.add_trace(go.Scatter(x=names, y=ch["total"], mode="markers",
                             name=i18n.t("eval_total", lang),
                             marker=dict(color="black", symbol="diamond", size=9)))
    fig.update_layout(barmode="relative", yaxis_title=i18n.t("eval_points", lang),
                      title=f"{i18n.t('eval_change', lang)} {years[0]} → {years[-1]}")
    return fig


def trend_figure(res: EvaluationResult, lang: str = "en") -> go.Figure:
    s = res.scores["score"].unstack("year")
    s = s.loc[s.index.intersection(_top_units(res, 20))]
    names = res.units[_name_col(lang)].reindex(s.index).astype(str)
    fig = go.Figure()
    for unit, row in s.iterrows():
        fig.add_trace(go.Scatter(x=[str(y) for y in row.index], y=row.to_numpy(),
                                 mode="lines+markers", name=names[unit]))
    fig.update_layout(title=i18n.t("eval_trend", lang), yaxis_title=i18n.t("eval_index_axis", lang),
                      yaxis_range=[0, 100])
    return fig


def _cols(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.rename(columns=lambda c: i18n.value("col_", c, lang) if isinstance(c, str)
                     else c)


def _by_name(df: pd.DataFrame, res: EvaluationResult, lang: str) -> pd.DataFrame:
    """``df`` indexed by unit (and year) with the unit's name first, as in the ranking: the
    same identifier in every table."""
    d = df.reset_index()
    if "unit" in d.columns:
        names = res.units[_name_col(lang)].reindex(d["unit"]).astype(str).to_numpy()
        d = d.drop(columns="unit")
        d.insert(0, i18n.t("eval_unit", lang), names)
    if "group" in d.columns:
        d["group"] = [i18n.value("grp_", g, lang) for g in d["group"]]
    return d


def add_to_report(rep: HtmlReport, res: EvaluationResult, lang: str = "en",
                  title: str | None = None, illustrative: bool = False) -> HtmlReport:
    """Append the sections of one evaluation to an :class:`HtmlReport`."""
    lang = i18n.check_lang(lang)
    tx = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rep.heading(title or res.system.name(lang), level=2)
    if illustrative:
        rep.note(tx("eval_illustrative"))
    bands = "; ".join(f"≥ {g[0]:g}: {g[2] if lang == 'zh' else g[1]}"
                      for g in res.system.grades)
    rep.note(tx("eval_template_note") + bands)
    s = res.settings
    rep.paragraph(f"{tx('eval_settings')}: " + tx(
        "eval_settings_text", weighting=i18n.value("ew_", s["weighting"], lang),
        normalization=i18n.value("en_", s["normalization"], lang),
        missing=i18n.value("em_", s["missing"], lang),
        coupling=i18n.value("ec_", s["coupling_formula"], lang)), cls="small")
    for n in res.notes:
        rep.note(n, verbatim=not isinstance(n, i18n.Msg))
    rk = latest_ranking(res, lang)
    rep.heading(f"{tx('eval_ranking')} ({rk.attrs['year']})", level=3)
    rep.table(rk.head(200), index=False)
    if len(rk) > 20:
        rep.paragraph(tx("eval_charts_note", bars=MAX_UNITS_IN_CHARTS, n=len(rk)), cls="small")
    rep.figure(radar_figure(res, lang))
    rep.figure(contribution_figure(res, lang))
    fig = change_figure(res, lang)
    if fig is not None:
        rep.figure(fig)
    rep.figure(trend_figure(res, lang))
    year = rk.attrs["year"]
    if res.coupling is not None:
        rep.heading(tx("eval_coupling"), level=3)
        cc = res.coupling.xs(year, level="year", drop_level=False) if year in \
            res.coupling.index.unique("year") else res.coupling
        rep.table(_cols(_by_name(cc, res, lang), lang), index=False, decimals=3)
    rep.heading(tx("eval_peers"), level=3)
    peers = _by_name(res.peers.xs(year, level="year", drop_level=False), res, lang)
    rep.table(_cols(peers, lang), index=False, max_rows=200, decimals=2)
    rep.heading(tx("eval_weights"), level=3)
    l1, l2 = res.system.level1(), res.system.level2()
    w = res.weights
    wt = pd.DataFrame({
        tx("col_level1"): [str(l1.at[x, "level1_name_zh" if lang == "zh" else "level1_name_en"])
                           for x in w["level1_id"]],
        tx("col_level2"): [str(l2.at[x, "level2_name_zh" if lang == "zh" else "level2_name_en"])
                           for x in w["level2_id"]],
        tx("col_indicator_name"): w[_name_col(lang)].to_numpy(),
        tx("unit"): [i18n.value("eunit_", u, lang) for u in w["unit"]],
        tx("col_direction"): [i18n.value("dir_", d, lang) for d in w["direction"]],
        tx("col_subsystem"): [i18n.value("sub_", x, lang) for x in w["subsystem"]],
        tx("sc_target"): w["target"].to_numpy(),
        tx("col_weight"): w["weight"].to_numpy()})
    rep.table(wt, index=False, decimals={tx("col_weight"): 4})
    if len(res.ahp_checks):
        rep.heading(tx("eval_ahp"), level=3)
        ah = res.ahp_checks.copy()
        ah["parent"] = [str(l1.at[x, "level1_name_zh" if lang == "zh" else "level1_name_en"])
                        if x in l1.index else tx("eval_root") if x == "root" else
                        str(l2.at[x, "level2_name_zh" if lang == "zh" else "level2_name_en"])
                        if x in l2.index else x for x in ah["parent"]]
        ah["consistent"] = [tx("yes" if bool(v) else "no") for v in ah["consistent"]]
        rep.table(_cols(ah, lang), index=False, decimals=4)
    if len(res.missing):
        rep.heading(tx("eval_missing"), level=3)
        ms = _by_name(res.missing.set_index("unit"), res, lang)
        names = w[_name_col(lang)]
        ms["indicator"] = [str(names.get(x, x)) for x in ms["indicator"]]
        ms["action"] = [i18n.tr(a, lang) for a in ms["action"]]
        rep.table(_cols(ms, lang), index=False)
    basis = res.system.meta.get("policy_basis") or []
    if basis:
        rep.heading(tx("eval_basis"), level=3)
        bt = _cols(pd.DataFrame(basis), lang)
        rep.table(bt, index=False, verbatim=tuple(bt.columns))
    return rep


def write_html(results: dict[str, EvaluationResult], path: str | Path, lang: str = "en",
               illustrative: bool = False, assets: str = "inline", pdf: bool = False) -> Path:
    rep = HtmlReport(i18n.t("eval_title", lang), lang, assets=assets)
    for res in results.values():
        add_to_report(rep, res, lang, illustrative=illustrative)
    return rep.write(path, pdf=pdf)
