"""HTML and Excel reports of a policy-combination analysis (thin layer over the library)."""

from __future__ import annotations

import html
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
    u = i18n.value("cgeunit_", unit, lang)
    return f"{zh}（{u}）" if lang == "zh" else f"{en} ({u})"


def _params_text(params: dict, lang: str) -> str:
    """Instrument parameters as words: ``cap 0.9; sectors ELF, EII`` (no Python dicts)."""
    parts = []
    for k, v in params.items():
        if isinstance(v, list | tuple):
            v = ", ".join(map(str, v))
        elif isinstance(v, dict):
            v = ", ".join(f"{a} {b:g}" if isinstance(b, float) else f"{a} {b}"
                          for a, b in v.items())
        elif isinstance(v, float):
            v = f"{v:g}"
        parts.append(f"{i18n.value('cgep_', k, lang)} {v}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _cols(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.rename(columns=lambda c: i18n.value("col_", c, lang) if isinstance(c, str)
                     else c)


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
    ins = pd.DataFrame([{"code": i.code, "name": i.label(lang),
                         "kind": i18n.value("cgekind_", i.kind, lang),
                         "params": _params_text(i.params, lang), "source": i.source}
                        for i in res.instruments])
    base = pd.Series(res.baseline, name="baseline").to_frame()
    ch = res.changes.rename(columns=lambda c: _ind_label(c, lang))
    jd = res.judgements.apply(lambda col: col.map(lambda k: _class_label(k, lang)))
    jd.columns = [_ind_label(c, lang) for c in res.judgements.columns]
    shares = res.shares.copy()
    ranking = rk.join(res.changes.rename(columns=lambda c: _ind_label(c, lang)))
    ranking.insert(2, "ets_permit_binding", res.ets_binding.reindex(ranking.index))
    weights_df = pd.DataFrame({"indicator": [_ind_label(k, lang) for k in w.index],
                               "dimension": [i18n.value("cgedim_", INDICATORS[k][3], lang)
                                             for k in w.index],
                               "weight": w.to_numpy()})
    return {"instruments": ins, "baseline": base, "changes": ch, "matrix": jd,
            "class_shares": shares, "ranking": ranking, "weights": weights_df,
            "stability": st, "levels": res.levels,
            "solve_seconds": res.solve_seconds.rename("seconds").to_frame()}


def write_xlsx(tabs: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write every table to one workbook (atomic; bilingual frozen headers, units row, number
    formats)."""
    from cocontrol.xlsxreport import write_workbook

    return write_workbook({k: safe_frame(v) for k, v in tabs.items()}, path, index=True)


def write_html(res: CombinationResult, tabs: dict[str, pd.DataFrame], path: str | Path,
               lang: str = "en", method: str = "topsis", dynamic=None, assets: str = "inline",
               pdf: bool = False) -> Path:
    """The HTML report: instruments, baseline, matrix (coloured), shares, ranking, stability."""
    import plotly.graph_objects as go

    from cocontrol.htmlreport import HtmlReport

    lang = i18n.check_lang(lang)
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rep = HtmlReport(t("cge_title"), lang, assets=assets)
    rep.note(t("cge_illustrative"))
    ins = tabs["instruments"].rename(columns={"code": t("cge_code"), "name": t("cge_name"),
                                              "kind": t("cge_kind"), "params": t("cge_params"),
                                              "source": t("cge_source")})
    rep.heading(t("cge_instruments")).table(ins, index=False,
                                            verbatim=(t("cge_source"), t("cge_params")))
    base = tabs["baseline"].copy()
    base.index = [i18n.value("col_", k, lang) for k in base.index]
    base.index.name = t("col_indicator")
    rep.heading(t("cge_baseline")).table(base.rename(columns={"baseline": t("cge_base_value")}),
                                         by_row=True)
    rep.heading(t("cge_matrix")).paragraph(t("cge_matrix_note"))
    rep.raw('<div class="tw">' + matrix_html(res.judgements, lang) + "</div>")
    rep.heading(t("cge_shares"))
    sh = res.shares
    fig = go.Figure()
    for k in CLASSES:
        fig.add_bar(name=_class_label(k, lang), x=list(sh.index), y=sh[f"{k}_share"],
                    marker_color=_COLOURS[k])
    fig.update_layout(barmode="stack", height=420, yaxis_title=t("cge_share_axis"),
                      margin=dict(l=40, r=10, t=20, b=140))
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    rep.figure(fig, share_axis="y")
    shares = sh[[*CLASSES, "judgements", "not_judged"]].rename(
        columns={**{k: _class_label(k, lang) for k in CLASSES},
                 "judgements": t("cge_judgements"), "not_judged": t("cge_not_judged")})
    shares.index.name = t("cge_combination")
    rep.table(shares, decimals=0)
    rep.heading(f"{t('cge_ranking')} ({method.upper()})")
    rk = tabs["ranking"]
    top = rk.head(20)
    fig2 = go.Figure(go.Bar(x=top["score"][::-1], y=list(top.index[::-1]), orientation="h",
                            marker_color="#2a6f97"))
    fig2.update_layout(height=520, margin=dict(l=20, r=10, t=20, b=40),
                       xaxis_title=t("cge_score_axis"))
    fig2.update_xaxes(rangemode="tozero")
    rep.figure(fig2)
    rkt = rk.copy()
    if "ets_permit_binding" in rkt:
        rkt["ets_permit_binding"] = [t("yes") if x is True else t("no") if x is False else x
                                     for x in rkt["ets_permit_binding"]]
    rkt = _cols(rkt, lang)
    rkt.index.name = t("cge_combination")
    rep.table(rkt, decimals=3)
    wt = tabs["weights"].rename(columns={"indicator": t("col_indicator"),
                                         "dimension": t("cge_dimension"),
                                         "weight": t("cge_weight")})
    rep.heading(t("cge_weights")).table(wt, index=False, decimals=3)
    st = tabs["stability"]
    rep.heading(t("cge_stability"))
    rep.paragraph(t("cge_spearman", rho=f"{st.attrs.get('spearman_mean', float('nan')):.3f}"))
    stt = _cols(st, lang)
    stt.index.name = t("cge_combination")
    rep.table(stt, decimals=2)
    if dynamic is not None:
        label, dres = dynamic
        year = int(dres.changes.index.max())
        rep.heading(t("cge_dynamic", year=year) + f": {label}")
        rep.paragraph(t("cge_dynamic_note"), cls="small")
        fig3 = go.Figure()
        for k in ("gdp", "welfare_ev", "energy_intensity", "co2", "so2", "pm25"):
            fig3.add_scatter(x=list(dres.changes.index), y=dres.changes[k], mode="lines+markers",
                             name=_ind_label(k, lang))
        fig3.update_layout(height=420, margin=dict(l=40, r=10, t=20, b=40))
        rep.figure(fig3)
        dt = dres.changes.rename(columns=lambda c: _ind_label(c, lang))
        dt.index.name = t("year")
        rep.table(dt, decimals=2)
    ch = tabs["changes"].copy()
    ch.index.name = t("cge_combination")
    rep.heading(t("cge_changes")).table(ch, decimals=3)
    secs = res.solve_seconds
    rep.heading(t("cge_solve")).paragraph(
        t("cge_solve_text", n=len(secs), total=f"{secs.sum():.2f}",
          mean=f"{1000 * secs.mean():.1f}"), cls="small")
    return rep.write(path, pdf=pdf)
