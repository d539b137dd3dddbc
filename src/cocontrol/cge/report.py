"""HTML and Excel reports of a policy-combination analysis (thin layer over the library)."""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

import pandas as pd

from cocontrol import i18n
from cocontrol.cge.combinations import (
    CLASS_LABELS,
    CLASSES,
    NOT_JUDGED,
    CombinationResult,
    rank,
    rank_stability,
)
from cocontrol.cge.satellite import INDICATORS
from cocontrol.project.cells import safe_frame

# Words: cocontrol/data/i18n/catalogue.yaml (keys inv_*, sc_*, cge_*, opt_*, eval_*).

_COLOURS = {
    "strong_synergy": "#1a7f37", "weak_synergy": "#8fd19e", "weak_antagonism": "#f6c177",
    "strong_antagonism": "#d1242f", NOT_JUDGED: "#e5e5e5",
}
_TEXT = {"strong_synergy": "#fff", "strong_antagonism": "#fff"}


def _ind_label(k: str, lang: str) -> str:
    en, zh, unit, _, _ = INDICATORS[k]
    return f"{zh if lang == 'zh' else en} ({unit})"


def _class_label(c: str, lang: str) -> str:
    en, zh = CLASS_LABELS[c]
    return zh if lang == "zh" else en


def matrix_html(judgements: pd.DataFrame, lang: str = "en") -> str:
    """The discriminant matrix as a coloured HTML table (one cell per judgement)."""
    cols = list(judgements.columns)
    head = "".join(f"<th>{html.escape(_ind_label(c, lang))}</th>" for c in cols)
    rows = []
    for idx, r in judgements.iterrows():
        cells = []
        for c in cols:
            k = r[c]
            style = f"background:{_COLOURS[k]};color:{_TEXT.get(k, '#222')};text-align:center"
            cells.append(f'<td style="{style}">{html.escape(_class_label(k, lang))}</td>')
        rows.append(f"<tr><td>{html.escape(str(idx))}</td>{''.join(cells)}</tr>")
    legend = " ".join(
        f'<span style="background:{_COLOURS[k]};color:{_TEXT.get(k, "#222")};padding:2px 6px">'
        f"{html.escape(_class_label(k, lang))}</span>" for k in [*CLASSES, NOT_JUDGED])
    return (f"<p>{legend}</p><table><tr><th>{html.escape(i18n.t('cge_combination', lang))}"
            f"</th>{head}</tr>{''.join(rows)}</table>")


def tables(res: CombinationResult, method: str = "topsis", weights: str = "entropy",
           dimension_weights: dict | None = None, lang: str = "en") -> dict[str, pd.DataFrame]:
    """All report tables as DataFrames (also the sheets of the Excel workbook)."""
    rk = rank(res.changes, method, weights, dimension_weights)
    st = rank_stability(res.changes, method, weights, dimension_weights)
    w = rk.attrs["weights"]
    ins = pd.DataFrame([{"code": i.code, "name": i.label(lang), "kind": i.kind,
                         "params": str(i.params), "source": i.source} for i in res.instruments])
    base = pd.Series(res.baseline, name="baseline").to_frame()
    ch = res.changes.rename(columns=lambda c: _ind_label(c, lang))
    jd = res.judgements.apply(lambda col: col.map(lambda k: _class_label(k, lang)))
    jd.columns = [_ind_label(c, lang) for c in res.judgements.columns]
    shares = res.shares.copy()
    ranking = rk.join(res.changes.rename(columns=lambda c: _ind_label(c, lang)))
    ranking.insert(2, "ets_permit_binding", res.ets_binding.reindex(ranking.index))
    weights_df = pd.DataFrame({"indicator": [_ind_label(k, lang) for k in w.index],
                               "dimension": [INDICATORS[k][3] for k in w.index],
                               "weight": w.to_numpy()})
    return {"instruments": ins, "baseline": base, "changes": ch, "matrix": jd,
            "class_shares": shares, "ranking": ranking, "weights": weights_df,
            "stability": st, "levels": res.levels,
            "solve_seconds": res.solve_seconds.rename("seconds").to_frame()}


def write_xlsx(tabs: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write every table to one workbook (temp file then rename: never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in tabs.items():
                safe_frame(df).to_excel(xw, sheet_name=name[:31])
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def write_html(res: CombinationResult, tabs: dict[str, pd.DataFrame], path: str | Path,
               lang: str = "en", method: str = "topsis", dynamic=None) -> Path:
    """The HTML report: instruments, baseline, matrix (coloured), shares, ranking, stability."""
    import plotly.graph_objects as go

    from cocontrol.htmlreport import HtmlReport

    t = i18n.t
    rep = HtmlReport(t("cge_title", lang), lang)
    rep.note(t("cge_illustrative", lang))
    rep.heading(t("cge_instruments", lang)).table(tabs["instruments"], index=False)
    rep.heading(t("cge_baseline", lang)).table(tabs["baseline"], float_format="{:,.4g}")
    rep.heading(t("cge_matrix", lang)).paragraph(t("cge_matrix_note", lang))
    rep.raw(matrix_html(res.judgements, lang))
    rep.heading(t("cge_shares", lang))
    sh = res.shares
    fig = go.Figure()
    for k in CLASSES:
        fig.add_bar(name=_class_label(k, lang), x=list(sh.index), y=sh[f"{k}_share"],
                    marker_color=_COLOURS[k])
    fig.update_layout(barmode="stack", height=420, yaxis_title="share",
                      margin=dict(l=40, r=10, t=20, b=140))
    rep.figure(fig)
    rep.table(sh[[*CLASSES, "judgements", "not_judged"]], float_format="{:,.0f}")
    rep.heading(f"{t('cge_ranking', lang)} ({method.upper()})")
    rk = tabs["ranking"]
    top = rk.head(20)
    fig2 = go.Figure(go.Bar(x=top["score"][::-1], y=list(top.index[::-1]), orientation="h",
                            marker_color="#2a6f97"))
    fig2.update_layout(height=520, margin=dict(l=200, r=10, t=20, b=40),
                       xaxis_title="score (higher = better)")
    rep.figure(fig2)
    rep.table(rk, float_format="{:,.3f}")
    rep.heading(t("cge_weights", lang)).table(tabs["weights"], index=False,
                                              float_format="{:,.3f}")
    st = tabs["stability"]
    rep.heading(t("cge_stability", lang))
    rep.paragraph(f"mean Spearman rank correlation with the base ranking: "
                  f"{st.attrs.get('spearman_mean', float('nan')):.3f}")
    rep.table(st, float_format="{:,.2f}")
    if dynamic is not None:
        label, dres = dynamic
        year = int(dres.changes.index.max())
        rep.heading(t("cge_dynamic", lang).format(year=year) + f": {label}")
        rep.paragraph(t("cge_dynamic_note", lang), cls="small")
        fig3 = go.Figure()
        for k in ("gdp", "welfare_ev", "energy_intensity", "co2", "so2", "pm25"):
            fig3.add_scatter(x=list(dres.changes.index), y=dres.changes[k], mode="lines+markers",
                             name=_ind_label(k, lang))
        fig3.update_layout(height=420, margin=dict(l=40, r=10, t=20, b=40))
        rep.figure(fig3)
        rep.table(dres.changes.rename(columns=lambda c: _ind_label(c, lang)),
                  float_format="{:,.2f}")
    rep.heading(t("cge_changes", lang)).table(tabs["changes"], float_format="{:,.3f}")
    secs = res.solve_seconds
    rep.heading(t("cge_solve", lang)).paragraph(
        f"{len(secs)} combinations solved in {secs.sum():.2f} s "
        f"(mean {1000 * secs.mean():.1f} ms). Powell hybrid method (MINPACK hybrd) with "
        "Levenberg–Marquardt fallback; residual tolerance 1e-10.", cls="small")
    return rep.write(path)
