"""Scenario report: pathways by scenario, targets, co-control coordinate system, MAC curves,
package metrics and an LMDI decomposition waterfall."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cocontrol import i18n, units
from cocontrol.htmlreport import HtmlReport
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


def _mac_figure(mac: pd.DataFrame, target: str, lang: str) -> go.Figure:
    on = mac[mac["on_curve"]]
    width = on["cum_end"] - on["cum_start"]
    col = "CO2_reduction_t" if target == "CO2" else "APeq_reduction"
    other = "APeq" if target == "CO2" else "t CO2"
    fig = go.Figure(go.Bar(
        x=(on["cum_start"] + width / 2), y=on["unit_cost"], width=width,
        text=on["measure"], hovertext=[f"{m}: {v:,.0f} {target}; co-benefit {c:,.0f} {other}"
                                       for m, v, c in zip(on["measure"], on[col],
                                                          on["co_benefit"], strict=True)],
        marker_color=np.where(on["co_benefit"] > 0, "#2a9d8f", "#e76f51")))
    fig.update_layout(title=f"{i18n.t('sc_mac', lang)}: {target} "
                            "(green = co-benefit, red = trade-off)",
                      xaxis_title=f"cumulative reduction ({'t CO2' if target == 'CO2' else 'APeq'})",
                      yaxis_title=on["unit_cost_unit"].iloc[0] if len(on) else "")
    return fig


def scenario_report(base: Base, runs: dict[str, Run], path: str | Path, *, lang: str = "en",
                    year: int = 2030, focus: str | None = None, reference: str = "baseline",
                    illustrative: bool = False) -> tuple[Path, dict[str, pd.DataFrame]]:
    """Write the scenario HTML report; returns its path and the tables shown."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    focus = focus or list(runs)[-1]
    rep = HtmlReport(f"{t('sc_title')} — {base.project.name}", lang=lang)
    if illustrative:
        rep.note(t("illustrative"))
    tables: dict[str, pd.DataFrame] = {}
    pw = pathways(runs)
    tables["pathways"] = pw
    rep.heading(t("sc_paths"))
    for sp, u in PATH_SPECIES:
        d = pw[pw["species"] == sp]
        fig = go.Figure([go.Scatter(x=g["year"], y=g["value"], name=s, mode="lines+markers")
                         for s, g in d.groupby("scenario", sort=False)])
        fig.update_layout(title=f"{sp} ({u}/yr)", height=320, margin={"t": 40})
        rep.figure(fig)
    pk = pd.DataFrame([{"scenario": n, "peak_year": peak(r)[0],
                        "peak_CO2_Mt": peak(r)[1] / 1e6} for n, r in runs.items()])
    tables["peak"] = pk
    rep.heading(t("sc_peak")).table(pk, index=False)
    if base.targets:
        tg = pd.concat([check_targets(base, r).assign(scenario=n) for n, r in runs.items()],
                       ignore_index=True)
        tables["targets"] = tg
        shown = tg[["scenario", "target", "value", "limit", "unit", "passed", "margin"]].copy()
        for c in ("value", "limit", "margin"):
            shown[c] = [f"{v:,.0f}" if u == "year" else f"{v:,.4g}"
                        for v, u in zip(shown[c], shown["unit"], strict=True)]
        rep.heading(t("sc_targets")).table(shown, index=False)
    if reference in runs:
        pm = pd.concat([package_metrics(base, n, reference, year, lang=lang)
                        for n in runs if n != reference], ignore_index=True)
        tables["packages"] = pm
        rep.heading(f"{t('sc_pkg')} ({year})")
        rep.table(pm[[c for c in ("scenario", "pollutant", "P_reduction", "P_unit",
                                  "CO2_reduction_t", "quadrant", "els", "sign_pair",
                                  "els_meaning") if c in pm.columns]],
                  index=False, float_format="{:,.4g}")
    if runs[focus].penetration:
        mm = measure_metrics(base, focus, year, full=runs[focus], lang=lang)
        tables.update({f"measures_{k}": v for k, v in mm.items()})
        rk = mm["ranking"]
        rep.heading(f"{t('sc_coord')}: {focus}, {year}")
        fig = go.Figure(go.Scatter(x=rk["CO2_reduction_t"], y=rk["APeq_reduction"],
                                   mode="markers+text", text=rk["measure"],
                                   textposition="top center", textfont={"size": 9}))
        fig.add_hline(y=0, line_color="grey")
        fig.add_vline(x=0, line_color="grey")
        fig.update_layout(xaxis_title="CO2 reduction (t/yr)",
                          yaxis_title="air-pollutant equivalent reduction (APeq/yr)",
                          height=600)
        rep.figure(fig)
        rep.heading(t("sc_rank")).table(rk[[
            "overall_rank", "measure", "quadrant", "cost_yuan", "CO2_reduction_t",
            "APeq_reduction", "yuan_per_t_CO2", "yuan_per_APeq", "yuan_per_cocontrol_eq"]],
            index=False, float_format="{:,.4g}")
        rep.figure(_mac_figure(mm["mac_co2"], "CO2", lang))
        rep.figure(_mac_figure(mm["mac_apeq"], "APeq", lang))
        c = costs(base, runs[focus])
        tables["costs"] = c
    start = base.years[0]
    dec = co2_decomposition(base, runs[focus], start, year)
    tables["lmdi"] = dec
    eff = dec.iloc[0]
    names = ["activity", "energy_intensity", "structure", "fuel_mix", "emission_factor"]
    fig = go.Figure(go.Waterfall(
        x=[f"CO2 {start}"] + names + [f"CO2 {year}"],
        measure=["absolute"] + ["relative"] * len(names) + ["total"],
        y=[eff["V_start"] / 1e6] + [eff[n] / 1e6 for n in names] + [eff["V_end"] / 1e6]))
    fig.update_layout(title=f"{t('sc_lmdi')} ({focus}, Mt CO2, fuel combustion)", height=420)
    rep.heading(t("sc_lmdi")).figure(fig)
    rep.paragraph("Identity C = GDP × (E/GDP) × (E_i/E) × (E_ij/E_i) × (C_ij/E_ij), additive "
                  f"LMDI-I (Ang 2015); closure error {eff['closure_error']:.2e} t.", cls="small")
    en = energy(base, runs[focus], unit="Mtce")
    tables["energy"] = en
    return rep.write(path), tables


def write_excel(base: Base, runs: dict[str, Run], tables: dict[str, pd.DataFrame],
                path: str | Path) -> Path:
    """Scenario workbook: the report's tables plus IAMC pathways of every run."""
    path = Path(path)
    tmp = path.with_name(path.stem + ".tmp.xlsx")
    iamc = pd.concat([r.inventory().to_iamc(scenario=n) for n, r in runs.items()],
                     ignore_index=True)
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, df in tables.items():
            safe_frame(df).to_excel(xw, sheet_name=name[:31], index=False)
        safe_frame(iamc).to_excel(xw, sheet_name="iamc", index=False)
    tmp.replace(path)
    return path
