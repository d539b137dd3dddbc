"""HTML and Excel report of an optimisation (thin layer over ``results``)."""

from __future__ import annotations

import os
import tempfile
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


def _fig_portfolio(plan: Plan, lang: str):
    """Penetration over time by measure (city-wide: mean over regions weighted equally)."""
    import plotly.graph_objects as go

    pen = plan.penetrations()
    g = pen.groupby(["measure", "year"])["penetration"].mean().unstack("year")
    g = g[g.max(axis=1) > 1e-6]
    fig = go.Figure(go.Heatmap(z=g.to_numpy(), x=[str(c) for c in g.columns],
                               y=list(g.index), colorscale="Blues", zmin=0, zmax=1,
                               colorbar=dict(title="p")))
    fig.update_layout(title=i18n.t("opt_portfolio", lang), height=max(300, 22 * len(g) + 120),
                      margin=dict(l=220, r=20, t=50, b=40))
    return fig


def _fig_pareto(tab: pd.DataFrame, plan: Plan | None, lang: str):
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(
        x=tab["pm25_ugm3"], y=tab["cost_pv_yuan"] / 1e8, mode="markers+text",
        text=[str(p) for p in tab["point"]], textposition="top center",
        marker=dict(size=12, color=tab["co2_t"] / 1e6, colorscale="Viridis", showscale=True,
                    colorbar=dict(title="CO2 Mt"))))
    if plan is not None and plan.pm25 is not None:
        y = tab.attrs.get("year", plan.years[-1])
        i = plan.years.index(y)
        fig.add_trace(go.Scatter(x=[float(plan.pm25[i])], y=[plan.cost_pv / 1e8], mode="markers",
                                 marker=dict(symbol="star", size=16, color="red"),
                                 name=i18n.t("opt_plan", lang)))
    fig.update_layout(title=i18n.t("opt_pareto", lang), xaxis_title="PM2.5 µg/m³",
                      yaxis_title="PV cost 1e8 yuan", height=420, showlegend=False)
    return fig


def _targets_text(plan: Plan) -> list[str]:
    t = plan.targets
    out = []
    if t.pm25_max is not None:
        out.append(f"PM2.5 annual mean ≤ {t.pm25_max:g} µg/m³ from {t.pm25_year} on")
    if t.co2_peak_by is not None:
        out.append(f"CO2 (scope 1) does not rise after {t.co2_peak_by} (peak by then)")
    for y, v in sorted(t.co2_caps.items()):
        out.append(f"CO2 in {y} ≤ {v:,.0f} t")
    for sp, y, v in t.caps:
        out.append(f"{sp} in {y} ≤ {v:,.0f} t")
    if t.budget is not None:
        out.append(f"budget: present value of net costs ≤ {t.budget:,.0f} yuan")
    return out


def build(plan: Plan | None, lang: str = "en", pareto: tuple | None = None,
          settings_notes: list[str] | None = None, health_kw: dict | None = None,
          infeasible=None, whatif: list | None = None
          ) -> tuple[HtmlReport, dict[str, pd.DataFrame]]:
    """Assemble the report and the tables (sheets of the Excel file)."""
    rep = HtmlReport(i18n.t("opt_title", lang), lang)
    sheets: dict[str, pd.DataFrame] = {}
    rep.heading(i18n.t("opt_targets", lang))
    if plan is not None:
        for line in _targets_text(plan):
            rep.paragraph("• " + line)
    for n in settings_notes or []:
        rep.note(n)
    if infeasible is not None:
        rep.heading(i18n.t("opt_infeasible", lang))
        rep.note(str(infeasible))
        if infeasible.report is not None:
            rep.table(infeasible.report, index=False, float_format="{:,.4g}")
            sheets["infeasible"] = infeasible.report
    if plan is None:
        return rep, sheets
    rep.heading(i18n.t("opt_solver", lang))
    h = pd.DataFrame(plan.history)
    rep.paragraph(
        f"Objective: {plan.objective}. Sequential LP iterations: {plan.iterations} "
        f"({'converged' if plan.converged else 'NOT converged'}); the PM2.5, CO2 and costs "
        "below are the scenario engine's values for the chosen penetrations and equal the "
        "LP's promise to a relative tolerance of 1e-6. Last LP: build "
        f"{plan.lp.build_s:.2f} s, solve {plan.lp.solve_s:.2f} s, status {plan.lp.status}"
        + (f", MIP gap {plan.lp.mip_gap:.2e}" if plan.lp.mip_gap is not None else "") + ".")
    rep.table(h, index=False, float_format="{:,.3g}")
    sheets["solver"] = h
    for n in plan.notes:
        rep.note(n)
    summ = R.summary(plan)
    sheets["summary"] = summ
    rep.heading(i18n.t("opt_summary", lang))
    s = plan.setup
    if s.aq is not None:
        rep.figure(_fig_lines(plan.years, {i18n.t("opt_base", lang): s.aq.pm25(
            s.reference.emissions), i18n.t("opt_plan", lang): plan.pm25},
            i18n.t("opt_pm_chart", lang), plan.targets.pm25_max))
    rep.figure(_fig_lines(plan.years, {i18n.t("opt_base", lang): summ["CO2_base_scenario_Mt"],
                                       i18n.t("opt_plan", lang): summ["CO2_plan_Mt"]},
                          i18n.t("opt_co2_chart", lang)))
    rep.table(summ.set_index("year").T, float_format="{:,.2f}")
    port = R.portfolio(plan)
    sheets["portfolio"] = port.reset_index() if not port.empty else port
    rep.heading(i18n.t("opt_portfolio", lang))
    if not port.empty:
        rep.figure(_fig_portfolio(plan, lang))
        rep.table(port, float_format="{:.2f}")
    cs = R.cost_by_sector(plan)
    if not cs.empty:
        import plotly.graph_objects as go

        rep.heading(i18n.t("opt_cost_sector", lang))
        fig = go.Figure([go.Bar(x=[str(c) for c in cs.columns], y=cs.loc[sec].to_numpy(),
                                name=str(sec)) for sec in cs.index])
        fig.update_layout(barmode="relative", height=380, yaxis_title="1e8 yuan/yr",
                          margin=dict(l=40, r=20, t=30, b=40))
        rep.figure(fig)
        rep.table(cs, float_format="{:,.3f}")
        sheets["cost_by_sector"] = cs.reset_index()
        sheets["costs"] = R.cost_table(plan)
    es = R.emissions_by_sector(plan)
    sheets["emissions_by_sector"] = es
    y_t = plan.targets.pm25_year or plan.years[-1]
    piv = es[es["year"] == y_t].pivot_table(index="sector", columns="species",
                                            values="change", aggfunc="sum")
    piv = piv.loc[(piv.abs() > 1e-9).any(axis=1)]
    if not piv.empty:
        rep.heading(i18n.t("opt_em_sector", lang) + f" — {y_t}")
        rep.table(piv, float_format="{:,.0f}")
    rk = R.ranking(plan, pareto[1] if pareto else None)
    if not rk.empty:
        rep.heading(i18n.t("opt_ranking", lang))
        rep.paragraph(
            f"Contribution of each measure in {rk.attrs.get('year', '')}: PM2.5 and CO2 the "
            "plan loses when the engine re-runs it without that measure; cost = present value "
            "(yuan). Order: first point of the Pareto front (cheapest first) at which the "
            "measure enters, then yuan per µg/m³ (negative = net saving).")
        rep.table(rk, index=False, float_format="{:,.4g}")
        sheets["ranking"] = rk
    if health_kw:
        hl = R.health(plan, **health_kw)
        if not hl.empty:
            rep.heading(i18n.t("opt_health", lang))
            rep.table(hl.set_index("year").T, float_format="{:,.4g}")
            sheets["health"] = hl
    if pareto is not None and len(pareto[0]):
        rep.heading(i18n.t("opt_pareto", lang))
        rep.figure(_fig_pareto(pareto[0], plan, lang))
        rep.table(pareto[0], index=False, float_format="{:,.4g}")
        sheets["pareto"] = pareto[0]
    for j, (title, err) in enumerate(whatif or []):
        rep.heading(title)
        rep.note(str(err))
        if getattr(err, "report", None) is not None:
            rep.table(err.report, index=False, float_format="{:,.4g}")
            sheets[f"whatif{j + 1}"] = err.report
    sheets["penetrations"] = plan.penetrations()
    return rep, sheets


def write_excel(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write the sheets atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp) as xw:
            for name, df in sheets.items():
                safe_frame(df).to_excel(xw, sheet_name=name[:31], index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
