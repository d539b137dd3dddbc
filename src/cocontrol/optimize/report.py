"""HTML and Excel report of an optimisation (thin layer over ``results``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import i18n
from cocontrol.htmlreport import HtmlReport
from cocontrol.optimize import results as R
from cocontrol.optimize.slp import Plan
from cocontrol.project.cells import safe_frame

# Words: cocontrol/data/i18n/catalogue.yaml (keys inv_*, sc_*, cge_*, opt_*, eval_*).


def _fig_lines(years, series: dict[str, np.ndarray], title: str, limit: float | None = None):
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, y in series.items():
        fig.add_trace(go.Scatter(x=list(years), y=list(map(float, y)), mode="lines+markers",
                                 name=name))
    if limit is not None:
        fig.add_hline(y=limit, line_dash="dash", annotation_text=f"{limit:g}")
    fig.update_layout(title=title, height=360, margin=dict(l=40, r=20, t=50, b=40))
    return fig


def _names(project, lang: str):
    """Name look-ups of the report: sector, measure, region (project names, else codes)."""
    regions = i18n.region_names(getattr(project, "regions", None), lang)
    regions["(all)"] = i18n.t("opt_all_regions", lang)
    return (lambda c: i18n.name("sectors", c, lang),
            lambda c: i18n.name("measures", c, lang),
            lambda c: regions.get(c, c))


def _cols(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Columns in words (``col_<name>`` keys of the catalogue; others as they are)."""
    return df.rename(columns=lambda c: i18n.value("col_", c, lang) if isinstance(c, str)
                     else c)


def _fig_portfolio(plan: Plan, lang: str, measure_name):
    """Penetration over time by measure (city-wide: mean over regions weighted equally)."""
    import plotly.graph_objects as go

    pen = plan.penetrations()
    g = pen.groupby(["measure", "year"])["penetration"].mean().unstack("year")
    g = g[g.max(axis=1) > 1e-6]
    fig = go.Figure(go.Heatmap(z=g.to_numpy(), x=[str(c) for c in g.columns],
                               y=[measure_name(m) for m in g.index], colorscale="Blues",
                               zmin=0, zmax=1,
                               colorbar=dict(title=i18n.t("opt_penetration", lang))))
    fig.update_layout(title=i18n.t("opt_portfolio", lang), height=max(300, 22 * len(g) + 120),
                      margin=dict(l=20, r=20, t=50, b=40))
    fig.update_yaxes(automargin=True)
    return fig


def _fig_pareto(tab: pd.DataFrame, plan: Plan | None, lang: str):
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(
        x=tab["pm25_ugm3"], y=tab["cost_pv_yuan"] / 1e8, mode="markers+text",
        text=[str(p) for p in tab["point"]], textposition="top center",
        marker=dict(size=12, color=tab["co2_t"] / 1e6, colorscale="Viridis", showscale=True,
                    colorbar=dict(title=i18n.t("opt_co2_mt", lang)))))
    if plan is not None and plan.pm25 is not None:
        y = tab.attrs.get("year", plan.years[-1])
        i = plan.years.index(y)
        fig.add_trace(go.Scatter(x=[float(plan.pm25[i])], y=[plan.cost_pv / 1e8], mode="markers",
                                 marker=dict(symbol="star", size=16, color="red"),
                                 name=i18n.t("opt_plan", lang)))
    fig.update_layout(title=i18n.t("opt_pareto", lang), xaxis_title=i18n.t("opt_pm_axis", lang),
                      yaxis_title=i18n.t("opt_pv_axis", lang), height=420, showlegend=False)
    return fig


def _targets_text(plan: Plan, lang: str) -> list[str]:
    t = plan.targets
    out = []
    if t.pm25_max is not None:
        out.append(i18n.t("opt_t_pm25", lang, limit=f"{t.pm25_max:g}", year=t.pm25_year))
    if t.co2_peak_by is not None:
        out.append(i18n.t("opt_t_peak", lang, year=t.co2_peak_by))
    for y, v in sorted(t.co2_caps.items()):
        out.append(i18n.t("opt_t_co2cap", lang, year=y, value=f"{v:,.0f}"))
    for sp, y, v in t.caps:
        out.append(i18n.t("opt_t_cap", lang, species=sp, year=y, value=f"{v:,.0f}"))
    if t.budget is not None:
        out.append(i18n.t("opt_t_budget", lang, value=f"{v:,.0f}" if (v := t.budget) else "0"))
    return out


def _violations_table(rep: pd.DataFrame, lang: str) -> pd.DataFrame:
    d = rep.drop(columns=[c for c in ("constraint",) if c in rep.columns]).copy()
    if "target" in d.columns:
        d["target"] = [i18n.tr(x, lang) for x in d["target"]]
    if "met" in d.columns:
        d["met"] = [i18n.t("yes" if bool(x) else "no", lang) for x in d["met"]]
    return _cols(d, lang)


def _note(rep: HtmlReport, n) -> None:
    """A catalogue message in the report's language; the user's own text as written."""
    rep.note(n, verbatim=not isinstance(n, i18n.Msg))


def build(plan: Plan | None, lang: str = "en", pareto: tuple | None = None,
          settings_notes: list[str] | None = None, health_kw: dict | None = None,
          infeasible=None, whatif: list | None = None, project=None
          ) -> tuple[HtmlReport, dict[str, pd.DataFrame]]:
    """Assemble the report and the tables (sheets of the Excel file). ``project``: names
    of regions and the project's name in ``lang``."""
    lang = i18n.check_lang(lang)
    tx = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    sec_name, mea_name, reg_name = _names(project, lang)
    title = tx("opt_title")
    if project is not None:
        title += f" — {i18n.project_name(project.manifest, lang)}"
    rep = HtmlReport(title, lang)
    if project is not None and project.manifest.illustrative:
        rep.note(tx("illustrative"))
    sheets: dict[str, pd.DataFrame] = {}
    rep.heading(tx("opt_targets"))
    if plan is not None:
        rep.bullets(_targets_text(plan, lang))
    for n in settings_notes or []:
        _note(rep, n)
    if infeasible is not None:
        rep.heading(tx("opt_infeasible"))
        _note(rep, infeasible.args[0] if infeasible.args else str(infeasible))
        if infeasible.report is not None:
            rep.table(_violations_table(infeasible.report, lang), index=False)
            sheets["infeasible"] = infeasible.report
    if plan is None:
        return rep, sheets
    rep.heading(tx("opt_solver"))
    h = pd.DataFrame(plan.history)
    rep.paragraph(tx("opt_solver_text", objective=i18n.value("obj_", plan.objective, lang),
                     n=plan.iterations,
                     state=tx("opt_converged" if plan.converged else "opt_not_conv"),
                     build=f"{plan.lp.build_s:.2f}", solve=f"{plan.lp.solve_s:.2f}",
                     status=i18n.value("lpstatus_", plan.lp.status, lang),
                     gap="" if plan.lp.mip_gap is None else tx("opt_mip_gap",
                                                              gap=f"{plan.lp.mip_gap:.6f}")))
    rep.table(_cols(h, lang), index=False,
              decimals={tx("col_max_rel_error"): 6, tx("col_objective"): 0})
    sheets["solver"] = h
    for n in plan.notes:
        _note(rep, n)
    summ = R.summary(plan)
    sheets["summary"] = summ
    rep.heading(tx("opt_summary"))
    s = plan.setup
    if s.aq is not None:
        fig = _fig_lines(plan.years, {tx("opt_base"): s.aq.pm25(s.reference.emissions),
                                      tx("opt_plan"): plan.pm25},
                         tx("opt_pm_chart"), plan.targets.pm25_max)
        fig.update_yaxes(rangemode="tozero")
        rep.figure(fig)
    fig = _fig_lines(plan.years, {tx("opt_base"): summ["CO2_base_scenario_Mt"],
                                  tx("opt_plan"): summ["CO2_plan_Mt"]}, tx("opt_co2_chart"))
    fig.update_yaxes(rangemode="tozero")
    rep.figure(fig)
    shown = summ.copy()
    if "WHO2021_level" in shown:
        shown["WHO2021_level"] = [i18n.value("who_", v, lang) for v in shown["WHO2021_level"]]
    shown = shown.set_index("year").T
    shown.index = [i18n.value("col_", c, lang) for c in shown.index]
    shown.index.name = tx("col_indicator")
    rep.table(shown, by_row=True)
    port = R.portfolio(plan)
    sheets["portfolio"] = port.reset_index() if not port.empty else port
    rep.heading(tx("opt_portfolio"))
    if not port.empty:
        rep.figure(_fig_portfolio(plan, lang, mea_name))
        pt = port.reset_index()
        pt["sector"] = [sec_name(c) for c in pt["sector"]]
        pt["measure"] = [mea_name(c) for c in pt["measure"]]
        pt["region"] = [reg_name(c) for c in pt["region"]]
        rep.table(_cols(pt, lang), index=False, decimals=2)
    cs = R.cost_by_sector(plan)
    if not cs.empty:
        import plotly.graph_objects as go

        rep.heading(tx("opt_cost_sector"))
        fig = go.Figure([go.Bar(x=[str(c) for c in cs.columns], y=cs.loc[sec].to_numpy(),
                                name=sec_name(sec)) for sec in cs.index])
        fig.update_layout(barmode="relative", height=380, yaxis_title=tx("opt_1e8_yuan_yr"),
                          margin=dict(l=40, r=20, t=30, b=40))
        rep.figure(fig)
        ct = cs.copy()
        ct.index = [sec_name(c) for c in ct.index]
        ct.index.name = tx("sector")
        rep.table(ct, decimals=3)
        sheets["cost_by_sector"] = cs.reset_index()
        sheets["costs"] = R.cost_table(plan)
    es = R.emissions_by_sector(plan)
    sheets["emissions_by_sector"] = es
    y_t = plan.targets.pm25_year or plan.years[-1]
    piv = es[es["year"] == y_t].pivot_table(index="sector", columns="species",
                                            values="change", aggfunc="sum")
    piv = piv.loc[(piv.abs() > 1e-9).any(axis=1)]
    if not piv.empty:
        piv.index = [sec_name(c) for c in piv.index]
        piv.index.name = tx("sector")
        rep.heading(tx("opt_em_sector") + f" — {y_t}")
        rep.table(piv, decimals=0)
    rk = R.ranking(plan, pareto[1] if pareto else None)
    if not rk.empty:
        rep.heading(tx("opt_ranking"))
        rep.paragraph(tx("opt_ranking_note", year=rk.attrs.get("year", "")))
        rt = rk.copy()
        rt["measure"] = [mea_name(c) for c in rt["measure"]]
        rt["sector"] = [sec_name(c) for c in rt["sector"]]
        rt["region"] = [reg_name(c) for c in rt["region"]]
        rt["category"] = [i18n.value("cat_", c, lang) for c in rt["category"]]
        rep.table(_cols(rt, lang), index=False)
        sheets["ranking"] = rk
    if health_kw:
        hl = R.health(plan, **health_kw)
        if not hl.empty:
            rep.heading(tx("opt_health"))
            ht = hl.drop(columns=[c for c in ("assumptions_version", "crf", "vsl_option")
                                  if c in hl.columns]).set_index("year").T
            ht.index = [i18n.value("col_", c, lang) for c in ht.index]
            ht.index.name = tx("col_indicator")
            rep.table(ht, by_row=True)
            meta = [f"{c}: {hl[c].iloc[0]}" for c in ("crf", "vsl_option", "assumptions_version")
                    if c in hl.columns]
            rep.paragraph("; ".join(meta), cls="small", verbatim=True)
            sheets["health"] = hl
    if pareto is not None and len(pareto[0]):
        rep.heading(tx("opt_pareto"))
        rep.figure(_fig_pareto(pareto[0], plan, lang))
        pt = pareto[0].copy()
        if "converged" in pt:
            pt["converged"] = [tx("yes" if bool(x) else "no") for x in pt["converged"]]
        rep.table(_cols(pt, lang), index=False)
        sheets["pareto"] = pareto[0]
    for j, (title, err) in enumerate(whatif or []):
        rep.heading(title)
        _note(rep, err.args[0] if err.args else str(err))
        if getattr(err, "report", None) is not None:
            rep.table(_violations_table(err.report, lang), index=False)
            sheets[f"whatif{j + 1}"] = err.report
    sheets["penetrations"] = plan.penetrations()
    return rep, sheets


def write_excel(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write the sheets atomically: bilingual frozen headers, units row, number formats."""
    from cocontrol.xlsxreport import write_workbook

    return write_workbook({k: safe_frame(v) for k, v in sheets.items()}, path, index=False)
