"""Scenario report: pathways by scenario, targets, co-control coordinate system, MAC curves,
package metrics and an LMDI decomposition waterfall."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cocontrol import i18n, units
from cocontrol.htmlreport import HtmlReport, fmt_number
from cocontrol.metrics.lmdi import lmdi
from cocontrol.metrics.measures import measure_metrics, package_metrics
from cocontrol.project.cells import safe_frame
from cocontrol.scenario import (
    check_targets,
    costs,
    energy,
    peak,
    totals,
)
from cocontrol.scenario.drivers import interpolate
from cocontrol.scenario.engine import Base, Run

# Words: cocontrol/data/i18n/catalogue.yaml (keys inv_*, sc_*, cge_*, opt_*, eval_*).

PATH_SPECIES = [("CO2", "Mt"), ("SO2", "kt"), ("NOx", "kt"), ("PM2.5", "kt"), ("VOCs", "kt"),
                ("NH3", "kt")]


def pathways(runs: dict[str, Run]) -> pd.DataFrame:
    """Tidy totals (scope 1) of every run: scenario, species, year, value, unit."""
    rows = []
    for name, r in runs.items():
        t = totals(r)
        for sp, u in PATH_SPECIES + [("CO2e", "Mt")]:
            f = units.factor("t", u)
            for y in t.columns:
                rows.append({"scenario": name, "species": sp, "year": int(y),
                             "value": float(t.loc[sp, y]) * f, "unit": u})
    return pd.DataFrame(rows)


def co2_decomposition(base: Base, r: Run, start: int, end: int) -> pd.DataFrame:
    """Additive LMDI-I of fuel-combustion CO2 (scope 1) between two years with the identity
    C = GDP × (E/GDP) × (E_i/E) × (E_ij/E_i) × (C_ij/E_ij) (activity, energy intensity,
    sector structure, fuel mix, emission factor; Ang 2015)."""
    lines = base.lines
    fuel = np.isfinite(base.gj) & (lines["scope"] == 1).to_numpy()
    co2 = r.emissions[:, base.species.index("CO2"), :]
    df = []
    for y in (start, end):
        t = base.years.index(y)
        d = pd.DataFrame({"sector": lines["sector"].to_numpy()[fuel],
                          "fuel": lines["fuel"].to_numpy()[fuel],
                          "E": r.activity[fuel, t] * base.gj[fuel],
                          "C": co2[fuel, t]}).groupby(["sector", "fuel"], as_index=False).sum()
        d["year"] = y
        df.append(d)
    d = pd.concat(df, ignore_index=True)
    gdp = interpolate(base.drivers, base.years).loc["gdp"] if base.drivers is not None and \
        "gdp" in set(base.drivers["driver"]) else pd.Series(1.0, index=base.years)
    E = d.groupby("year")["E"].transform("sum")
    Ei = d.groupby(["year", "sector"])["E"].transform("sum")
    d["activity"] = d["year"].map(gdp).astype(float)
    d["energy_intensity"] = E / d["activity"]
    d["structure"] = Ei / E
    d["fuel_mix"] = np.where(Ei > 0, d["E"] / Ei.where(Ei > 0, 1), np.nan)
    d["emission_factor"] = np.where(d["E"] > 0, d["C"] / d["E"].where(d["E"] > 0, 1), np.nan)
    return lmdi(d, ["activity", "energy_intensity", "structure", "fuel_mix", "emission_factor"],
                group_cols=[], sub_cols=["sector", "fuel"], base=start, end=end)


def _measure_name(base: Base, mid: str, lang: str) -> str:
    """Name of a measure (the project's own library first, then the bundled one)."""
    lib = base.lib
    col = "name_zh" if lang == "zh" else "name_en"
    if mid in lib.index and col in lib.columns and isinstance(lib.at[mid, col], str) \
            and lib.at[mid, col]:
        return str(lib.at[mid, col])
    return i18n.name("measures", mid, lang)


def scenario_label(name: str, lang: str) -> str:
    """A scenario's name in ``lang`` (baseline/policy/enhanced have catalogue names; the
    project's own scenario names are shown as written)."""
    return i18n.value("scn_", name, lang)


def target_label(tg: dict, lang: str) -> str:
    """The words of one target of scenarios.yaml."""
    typ = tg.get("type")
    sp = str(tg.get("species", "CO2"))
    if typ == "co2_peak":
        return i18n.t("tg_peak", lang, species=sp, by=tg.get("by"))
    if typ == "cap":
        return i18n.t("tg_cap", lang, species=sp, year=tg.get("year"))
    if typ == "intensity":
        return i18n.t("tg_intensity", lang, species=sp, per=i18n.value("drv_", tg.get("per"),
                                                                          lang),
                      year=tg.get("year"))
    if typ == "energy_cap":
        what = tg.get("kind") or ", ".join(i18n.names("fuels", tg.get("fuels") or [], lang))
        return i18n.t("tg_energy", lang, what=i18n.value("fkind_", what, lang),
                      year=tg.get("year"))
    return str(typ)


def _mac_figure(mac: pd.DataFrame, target: str, lang: str, names: dict) -> go.Figure:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    on = mac[mac["on_curve"]]
    width = on["cum_end"] - on["cum_start"]
    col = "CO2_reduction_t" if target == "CO2" else "APeq_reduction"
    unit = "t CO2" if target == "CO2" else "APeq"
    other = "APeq" if target == "CO2" else "t CO2"
    label = [names.get(m, m) for m in on["measure"]]
    fig = go.Figure(go.Bar(
        x=(on["cum_start"] + width / 2), y=on["unit_cost"], width=width,
        hovertext=[t("sc_mac_hover", measure=n, value=f"{v:,.0f}", target=target,
                     co=f"{c:,.0f}", other=other)
                   for n, v, c in zip(label, on[col], on["co_benefit"], strict=True)],
        hoverinfo="text", name="",
        marker_color=np.where(on["co_benefit"] > 0, "#2a9d8f", "#e76f51")))
    # label the widest blocks only (hover for the rest): no piled-up labels
    top = set(width.sort_values(ascending=False).index[:8])
    for k, (x, y, n) in enumerate(zip(on["cum_start"] + width / 2, on["unit_cost"], label,
                                      strict=True)):
        if on.index[k] in top:
            fig.add_annotation(x=x, y=y, text=n[:18] + ("…" if len(n) > 18 else ""),
                               showarrow=False, yshift=10 if y >= 0 else -10,
                               font=dict(size=9), textangle=-30)
    fig.update_layout(title=t("sc_mac_title", target=target), showlegend=False,
                      xaxis_title=t("sc_mac_x", unit=unit),
                      yaxis_title=t("sc_mac_y", unit=unit), height=460)
    return fig


def coordinate_figure(rk: pd.DataFrame, names: dict, lang: str, top_n: int = 12) -> go.Figure:
    """Co-control coordinate system of measures: CO2 reduction (x) against APeq reduction
    (y). The ``top_n`` measures farthest from the origin carry labels, every point has a
    hover text."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    x = rk["CO2_reduction_t"].to_numpy(float)
    y = rk["APeq_reduction"].to_numpy(float)
    sx = np.nanmax(np.abs(x)) or 1.0
    sy = np.nanmax(np.abs(y)) or 1.0
    dist = np.hypot(x / sx, y / sy)
    order = np.argsort(-np.nan_to_num(dist))
    labelled = set(order[:top_n].tolist())
    label = [names.get(m, m) for m in rk["measure"]]
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="markers", marker=dict(size=9, color="#2a6f97"),
        hovertext=[t("sc_coord_hover", measure=n, co2=f"{a:,.0f}", apeq=f"{b:,.0f}")
                   for n, a, b in zip(label, x, y, strict=True)], hoverinfo="text", name=""))
    for k in sorted(labelled):
        n = label[k]
        fig.add_annotation(x=x[k], y=y[k], text=n[:20] + ("…" if len(n) > 20 else ""),
                           showarrow=True, arrowhead=0, arrowwidth=0.6, ax=25 + 10 * (k % 3),
                           ay=-18 - 12 * (k % 4), font=dict(size=9))
    fig.add_hline(y=0, line_color="grey")
    fig.add_vline(x=0, line_color="grey")
    fig.update_layout(xaxis_title=t("sc_coord_x"), yaxis_title=t("sc_coord_y"), height=600,
                      showlegend=False)
    return fig


def scenario_report(base: Base, runs: dict[str, Run], path: str | Path, *, lang: str = "en",
                    year: int = 2030, focus: str | None = None, reference: str = "baseline",
                    illustrative: bool = False, name: str | None = None,
                    assets: str = "inline", pdf: bool = False, progress=None
                    ) -> tuple[Path, dict[str, pd.DataFrame]]:
    """Write the scenario HTML report; returns its path and the tables shown (raw, for the
    workbook). ``name``: the project's name in ``lang``; ``progress``: a
    :mod:`cocontrol.progress` callback (marginal effects of the measures)."""
    lang = i18n.check_lang(lang)
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    focus = focus or list(runs)[-1]
    rep = HtmlReport(f"{t('sc_title')} — {name or base.project.name}", lang=lang,
                     assets=assets)
    if illustrative:
        rep.note(t("illustrative"))
    tables: dict[str, pd.DataFrame] = {}
    pw = pathways(runs)
    tables["pathways"] = pw
    rep.heading(t("sc_paths"))
    for sp, u in PATH_SPECIES:
        d = pw[pw["species"] == sp]
        fig = go.Figure([go.Scatter(x=g["year"], y=g["value"], name=scenario_label(s, lang),
                                    mode="lines+markers")
                         for s, g in d.groupby("scenario", sort=False)])
        fig.update_layout(title=t("sc_path_title", species=sp, unit=u), height=320,
                          margin={"t": 40})
        fig.update_yaxes(rangemode="tozero")
        rep.figure(fig)
    pk = pd.DataFrame([{"scenario": n, "peak_year": peak(r)[0],
                        "peak_CO2_Mt": peak(r)[1] / 1e6} for n, r in runs.items()])
    tables["peak"] = pk
    rep.heading(t("sc_peak")).table(pd.DataFrame({
        t("scenario"): [scenario_label(n, lang) for n in pk["scenario"]],
        t("sc_peak_year"): pk["peak_year"].to_numpy(),
        t("sc_peak_mt"): pk["peak_CO2_Mt"].to_numpy()}), index=False, decimals=2)
    if base.targets:
        parts = []
        for n, r in runs.items():
            tg = check_targets(base, r)
            tg["scenario"] = n
            tg["label"] = [target_label(x, lang) for x in base.targets][:len(tg)]
            parts.append(tg)
        tg = pd.concat(parts, ignore_index=True)
        tables["targets"] = tg.drop(columns="label")
        shown = pd.DataFrame({
            t("scenario"): [scenario_label(n, lang) for n in tg["scenario"]],
            t("sc_target"): tg["label"],
            t("sc_value"): [f"{v:.0f}" if u == "year" else fmt_number(v, 2)
                            for v, u in zip(tg["value"], tg["unit"], strict=True)],
            t("sc_limit"): [f"{v:.0f}" if u == "year" else fmt_number(v, 2)
                            for v, u in zip(tg["limit"], tg["unit"], strict=True)],
            t("unit"): [t("unit_year") if u == "year" else u for u in tg["unit"]],
            t("sc_passed"): [t("yes") if ok else t("no") for ok in tg["passed"]],
            t("sc_margin"): [f"{v:.0f}" if u == "year" else fmt_number(v, 2)
                             for v, u in zip(tg["margin"], tg["unit"], strict=True)],
            t("sc_note"): [t("sc_note_rising") if isinstance(x, str) and x else ""
                           for x in tg["note"]]})
        rep.heading(t("sc_targets")).table(shown, index=False)
    if reference in runs:
        pm = pd.concat([package_metrics(base, n, reference, year, lang=lang)
                        for n in runs if n != reference], ignore_index=True)
        tables["packages"] = pm
        rep.heading(f"{t('sc_pkg')} ({year})")
        cols = {"scenario": t("scenario"), "pollutant": t("sc_pollutant"),
                "P_reduction": t("sc_p_reduction"), "P_unit": t("unit"),
                "CO2_reduction_t": t("sc_co2_reduction_t"), "quadrant_label": t("sc_quadrant"),
                "els": t("sc_els"), "sign_pair": t("sc_sign_pair"),
                "els_meaning": t("sc_els_meaning")}
        shown = pm[[c for c in cols if c in pm.columns]].copy()
        shown["scenario"] = [scenario_label(n, lang) for n in shown["scenario"]]
        rep.table(shown.rename(columns=cols), index=False,
                  verbatim=(t("sc_sign_pair"), t("unit")))
    if runs[focus].penetration:
        mm = measure_metrics(base, focus, year, full=runs[focus], lang=lang,
                             progress=progress)
        tables.update({f"measures_{k}": v for k, v in mm.items()})
        rk = mm["ranking"]
        names = {m: _measure_name(base, m, lang) for m in rk["measure"]}
        rep.heading(f"{t('sc_coord')}: {scenario_label(focus, lang)}, {year}")
        rep.paragraph(t("sc_coord_note", n=min(12, len(rk))), cls="small")
        rep.figure(coordinate_figure(rk, names, lang))
        cols = {"overall_rank": t("sc_rank_col"), "measure": t("measure"),
                "quadrant_label": t("sc_quadrant"), "cost_yuan": t("sc_cost_yuan"),
                "CO2_reduction_t": t("sc_co2_reduction_t"),
                "APeq_reduction": t("sc_apeq_reduction"), "yuan_per_t_CO2": t("sc_yuan_t_co2"),
                "yuan_per_APeq": t("sc_yuan_apeq"),
                "yuan_per_cocontrol_eq": t("sc_yuan_cceq")}
        shown = rk[[c for c in cols if c in rk.columns]].copy()
        shown["measure"] = [names[m] for m in shown["measure"]]
        rep.heading(t("sc_rank")).table(shown.rename(columns=cols), index=False)
        rep.figure(_mac_figure(mm["mac_co2"], "CO2", lang, names))
        rep.figure(_mac_figure(mm["mac_apeq"], "APeq", lang, names))
        c = costs(base, runs[focus])
        tables["costs"] = c
    start = base.years[0]
    dec = co2_decomposition(base, runs[focus], start, year)
    tables["lmdi"] = dec
    eff = dec.iloc[0]
    factors = ["activity", "energy_intensity", "structure", "fuel_mix", "emission_factor"]
    fig = go.Figure(go.Waterfall(
        x=[f"CO2 {start}"] + [t(f"lmdi_{n}") for n in factors] + [f"CO2 {year}"],
        measure=["absolute"] + ["relative"] * len(factors) + ["total"],
        y=[eff["V_start"] / 1e6] + [eff[n] / 1e6 for n in factors] + [eff["V_end"] / 1e6]))
    fig.update_layout(title=t("sc_lmdi_title", scenario=scenario_label(focus, lang)),
                      height=420, yaxis_title=t("sc_mt_co2"))
    rep.heading(t("sc_lmdi")).figure(fig)
    rep.paragraph(t("sc_lmdi_note", err=fmt_number(float(eff["closure_error"]), 6)),
                  cls="small")
    en = energy(base, runs[focus], unit="Mtce")
    tables["energy"] = en
    return rep.write(path, pdf=pdf), tables


def write_excel(base: Base, runs: dict[str, Run], tables: dict[str, pd.DataFrame],
                path: str | Path) -> Path:
    """Scenario workbook: the report's tables plus IAMC pathways of every run."""
    from cocontrol.xlsxreport import write_workbook

    iamc = pd.concat([r.inventory().to_iamc(scenario=n) for n, r in runs.items()],
                     ignore_index=True)
    return write_workbook({k: safe_frame(v) for k, v in {**tables, "iamc": iamc}.items()},
                          path, index=False)
