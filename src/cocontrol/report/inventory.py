"""HTML report of an integrated inventory: summary tables and charts (names, not codes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.express as px

from cocontrol import i18n, refdata
from cocontrol.htmlreport import PALETTE, HtmlReport
from cocontrol.inventory import CO2E, Inventory
from cocontrol.inventory.inventory import reason_label

# Words: cocontrol/data/i18n/catalogue.yaml (keys inv_*).


region_names = i18n.region_names
project_name = i18n.project_name


def _ne(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Empty emission cells read "not estimated" in ``lang`` (never 0.00 or a dash)."""
    return df.astype(object).where(df.notna(), i18n.t("not_estimated", lang))


def inventory_report(inv: Inventory, path: str | Path, lang: str = "en",
                     illustrative: bool = False, year: int | None = None,
                     name: str | None = None, assets: str = "inline",
                     pdf: bool = False) -> Path:
    """Write the inventory HTML report (one self-contained file by default).

    ``name``: the project's name in ``lang`` (default ``inv.name``); ``assets="shared"``
    writes plotly.js once into ``assets/``; ``pdf`` also prints a PDF beside it.
    """
    lang = i18n.check_lang(lang)
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    year = year or inv.years[0]
    rep = HtmlReport(f"{t('inventory')} — {name or inv.name} ({year})", lang=lang,
                     assets=assets)
    if illustrative:
        rep.note(t("illustrative"))
    sp_col, sec_col, kt = t("species"), t("sector"), t("inv_kt")
    tot = inv.total(unit="kt")[[year]]
    tot.index = [str(s) for s in tot.index]
    tot.index.name = sp_col
    rep.heading(t("inv_totals")).table(
        _ne(tot.rename(columns={year: t("inv_kt_year", year=year)}), lang))

    by = inv.aggregate("sector", unit="kt")
    by = by[by["year"] == year]
    by["sector_name"] = i18n.names("sectors", by["sector"], lang)
    table = by.pivot_table(index="sector_name", columns="species", values="value",
                           aggfunc=lambda v: v.sum(min_count=1), dropna=False)
    table = table[[c for c in [*inv.species, CO2E] if c in table.columns]]
    table.index.name = sec_col
    rep.heading(t("inv_by_sector")).paragraph(t("inv_by_sector_note", gwp=inv.gwp_set),
                                              cls="small")
    rep.table(_ne(table, lang))
    labels = {"value": kt, "species": sp_col, "sector_name": sec_col}
    air = by[by["species"].isin(refdata.AIR_SPECIES)]
    rep.figure(px.bar(air, x="species", y="value", color="sector_name", labels=labels,
                      color_discrete_sequence=PALETTE,
                      title=t("inv_by_sector_air")))
    ghg = by[by["species"].isin(["CO2", "CH4", "N2O", CO2E])]
    rep.figure(px.bar(ghg, x="species", y="value", color="sector_name", labels=labels,
                      color_discrete_sequence=PALETTE,
                      title=t("inv_by_sector_ghg")))
    share = by.copy()
    s = share.groupby("species")["value"].transform("sum")
    share["share_%"] = share["value"] / s.where(s > 0) * 100
    rep.heading(t("inv_shares"))
    fig = px.bar(share, x="species", y="share_%", color="sector_name",
                 color_discrete_sequence=PALETTE,
                 labels={**labels, "share_%": t("inv_share_pct")}, title=t("inv_shares"))
    fig.update_yaxes(range=[0, 100])
    rep.figure(fig, share_axis="y")
    names = region_names(inv.regions, lang)
    for lv in ("district", "park"):
        if lv in inv.lines and (inv.lines[lv] != "(none)").any():
            d = inv.aggregate(lv, unit="kt", species=["SO2", "NOx", "PM2.5", "VOCs", "CO2"],
                              co2e=False)
            d = d[d["year"] == year]
            d[lv] = [t("inv_none") if r == "(none)" else names.get(r, r) for r in d[lv]]
            piv = d.pivot_table(index=lv, columns="species", values="value", dropna=False,
                                aggfunc=lambda v: v.sum(min_count=1))
            piv.index.name = t(f"level_{lv}")
            rep.heading(f"{t('inv_by_district')}: {t('level_' + lv)}")
            rep.paragraph(t("inv_none_note", level=t("level_" + lv)), cls="small")
            rep.table(_ne(piv, lang))
    s2 = inv.aggregate("sector", scope=2, unit="kt", species=["CO2"], co2e=False)
    s2 = s2[(s2["year"] == year) & (s2["value"] > 0)]
    if len(s2):
        s2t = pd.DataFrame({sec_col: i18n.names("sectors", s2["sector"], lang),
                            t("inv_kt_co2"): s2["value"].to_numpy()})
        rep.heading(t("inv_scope2")).table(s2t, index=False)
    if len(inv.measured_cells):
        mc = inv.measured_cells.assign(method=[i18n.value("mmethod_", v, lang) for v in
                                               inv.measured_cells["method"]])
        mc = mc.rename(columns={
            "source_id": t("source_id"), "species": sp_col, "year": t("year"),
            "computed_t": t("inv_computed_t"), "measured_t": t("inv_measured_t"),
            "method": t("inv_method"), "difference_%": t("inv_difference_pct")})
        rep.heading(t("inv_measured")).table(mc, index=False)
    if len(inv.not_estimated):
        ne = inv.not_estimated
        rep.heading(t("inv_ne_heading"))
        rep.paragraph(t("inv_ne_note", ne=t("not_estimated")), cls="small")
        tab = pd.DataFrame({
            sec_col: i18n.names("sectors", ne["sector"], lang),
            t("inv_fr_fuel"): [i18n.name("fuels", f, lang) if isinstance(f, str) else ""
                               for f in ne["fuel"]],
            t("inv_fr_process"): [i18n.name("processes", p, lang) if isinstance(p, str)
                                  else "" for p in ne["process"]],
            sp_col: ne["species"].to_numpy(),
            t("inv_ne_reason"): [reason_label(r, lang) for r in ne["reason"]],
            t("inv_fr_n_lines"): ne["n_lines"].to_numpy()})
        rep.table(tab, index=False, verbatim=(t("inv_ne_reason"),))
    if inv.warnings:
        from cocontrol.inventory.plausibility import warnings_table

        rep.heading(t("inv_warnings"))
        tab = warnings_table(inv.warnings, lang)
        rep.table(tab, index=False, verbatim=(t("warn_basis"),))
    fr = inv.factor_report()
    if len(fr):
        fr = fr.assign(set=[i18n.value("fset_", v, lang) for v in fr["set"]],
                       method=[i18n.value("fmethod_", v, lang) for v in fr["method"]],
                       basis=[i18n.value("fbasis_", v, lang) if isinstance(v, str) else ""
                              for v in fr["basis"]])
        summary = fr.groupby(["set", "method"]).size().rename(t("inv_combinations")).to_frame()
        summary.index.names = [t("inv_factor_set"), t("inv_method")]
        rep.heading(t("inv_factors")).table(summary)
        shown = fr.drop(columns=["t_per_activity"]).copy()
        shown["source_id"] = [t("inv_all_matching") if v == "(all matching)" else v
                              for v in shown["source_id"]]
        shown["sector"] = i18n.names("sectors", shown["sector"], lang)
        shown["fuel"] = [i18n.name("fuels", f, lang) if isinstance(f, str) else None
                         for f in shown["fuel"]]
        shown["process"] = [i18n.name("processes", p, lang) if isinstance(p, str) else None
                            for p in shown["process"]]
        shown = shown.rename(columns={c: t(f"inv_fr_{c}") for c in shown.columns})
        rep.table(shown, index=False, decimals={t("inv_fr_value"): 4}, max_rows=300,
                  verbatim=(t("inv_fr_source"), t("inv_fr_unit"), t("inv_fr_activity_unit")))
    return rep.write(path, pdf=pdf)
