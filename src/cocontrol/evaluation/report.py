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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.xlsx")
    with pd.ExcelWriter(tmp) as xw:
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
                safe_frame(df).to_excel(xw, sheet_name=(pre + name)[:31],
                            index=not isinstance(df.index, pd.RangeIndex))
    tmp.replace(path)
    return path


# ----------------------------------------------------------------------------- figures
def radar_figure(res: EvaluationResult, lang: str = "en", max_units: int = 20) -> go.Figure:
    """Small-multiple radar charts, one per unit, of the second-level sub-indices."""
    year = int(res.scores.index.get_level_values("year").max())
    l2 = res.level2_scores.xs(year, level="year").dropna(how="all")
    l2 = l2.loc[[u for u in _top_units(res, max_units) if u in l2.index]]
    meta = res.system.level2()
    theta = [str(meta.at[c, "level2_name_zh" if lang == "zh" else "level2_name_en"])
             for c in l2.columns]
    n = len(l2)
    cols = min(4, max(n, 1))
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
                      angularaxis=dict(tickfont=dict(size=8)))
    fig.update_layout(height=330 * rows, title=f"{i18n.t('eval_radar', lang)} ({year})",
                      margin=dict(l=40, r=40, t=80, b=20))
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
                      height=max(350, 28 * len(by2) + 150), xaxis_title="points")
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
    fig.add_trace(go.Scatter(x=names, y=ch["total"], mode="markers", name="total",
                             marker=dict(color="black", symbol="diamond", size=9)))
    fig.update_layout(barmode="relative", yaxis_title="points",
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
    fig.update_layout(title=i18n.t("eval_trend", lang), yaxis_title="0-100",
                      yaxis_range=[0, 100])
    return fig


def add_to_report(rep: HtmlReport, res: EvaluationResult, lang: str = "en",
                  title: str | None = None, illustrative: bool = False) -> HtmlReport:
    """Append the sections of one evaluation to an :class:`HtmlReport`."""
    rep.heading(title or res.system.name(lang), level=2)
    if illustrative:
        rep.note(i18n.t("eval_illustrative", lang))
    bands = "; ".join(f"≥ {g[0]:g}: {g[2] if lang == 'zh' else g[1]}"
                      for g in res.system.grades)
    rep.note(i18n.t("eval_template_note", lang) + bands)
    s = res.settings
    rep.paragraph(f"{i18n.t('eval_settings', lang)}: weighting = {s['weighting']}, "
                  f"normalisation = {s['normalization']}, missing = {s['missing']}, "
                  f"coupling = {s['coupling_formula']}.", cls="small")
    for n in res.notes:
        rep.note(n)
    rk = latest_ranking(res, lang)
    rep.heading(f"{i18n.t('eval_ranking', lang)} ({rk.attrs['year']})", level=3)
    rep.table(rk.head(200), index=False)
    if len(rk) > 20:
        rep.paragraph(f"Charts show the best-scoring units only (radar 20, bars "
                      f"{MAX_UNITS_IN_CHARTS}, trends 20) of {len(rk)}; the workbook has all.",
                      cls="small")
    rep.figure(radar_figure(res, lang))
    rep.figure(contribution_figure(res, lang))
    fig = change_figure(res, lang)
    if fig is not None:
        rep.figure(fig)
    rep.figure(trend_figure(res, lang))
    if res.coupling is not None:
        rep.heading(i18n.t("eval_coupling", lang), level=3)
        year = rk.attrs["year"]
        cc = res.coupling.xs(year, level="year") if year in res.coupling.index.unique(
            "year") else res.coupling
        rep.table(cc.round(3))
    rep.heading(i18n.t("eval_peers", lang), level=3)
    year = rk.attrs["year"]
    rep.table(res.peers.xs(year, level="year").round(2).head(200))
    rep.heading(i18n.t("eval_weights", lang), level=3)
    w = res.weights[["level1_id", "level2_id", _name_col(lang), "unit", "direction",
                     "subsystem", "target", "weight"]]
    rep.table(w, float_format="{:,.4f}")
    if len(res.ahp_checks):
        rep.heading(i18n.t("eval_ahp", lang), level=3)
        rep.table(res.ahp_checks, float_format="{:,.4f}", index=False)
    if len(res.missing):
        rep.heading(i18n.t("eval_missing", lang), level=3)
        rep.table(res.missing, index=False)
    basis = res.system.meta.get("policy_basis") or []
    if basis:
        rep.heading(i18n.t("eval_basis", lang), level=3)
        rep.table(pd.DataFrame(basis), index=False)
    return rep


def write_html(results: dict[str, EvaluationResult], path: str | Path, lang: str = "en",
               illustrative: bool = False) -> Path:
    rep = HtmlReport(i18n.t("eval_title", lang), lang)
    for res in results.values():
        add_to_report(rep, res, lang, illustrative=illustrative)
    return rep.write(path)
