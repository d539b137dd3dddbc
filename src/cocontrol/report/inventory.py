"""HTML report of an integrated inventory: summary tables and charts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.express as px

from cocontrol import i18n, refdata
from cocontrol.htmlreport import HtmlReport
from cocontrol.inventory import CO2E, Inventory

# Words: cocontrol/data/i18n/catalogue.yaml (keys inv_*, sc_*, cge_*, opt_*, eval_*).


def _sector_label(lang: str) -> pd.Series:
    sec = refdata.table("sectors").set_index("code")
    return sec["name_zh" if lang == "zh" else "name_en"]


def inventory_report(inv: Inventory, path: str | Path, lang: str = "en",
                     illustrative: bool = False, year: int | None = None) -> Path:
    """Write the inventory HTML report (charts with locally served plotly.js)."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    year = year or inv.years[0]
    rep = HtmlReport(f"{t('inventory')} — {inv.name} ({year})", lang=lang)
    if illustrative:
        rep.note(t("illustrative"))
    tot = inv.total(unit="t")[[year]].rename(columns={year: "t"})
    tot["kt"] = tot["t"] / 1e3
    rep.heading(t("inv_totals")).table(tot[["kt"]].rename(columns={"kt": f"kt ({year})"}))

    by = inv.aggregate("sector", unit="kt")
    by = by[by["year"] == year]
    labels = _sector_label(lang)
    by["sector_name"] = by["sector"].map(labels).fillna(by["sector"])
    table = by.pivot_table(index="sector_name", columns="species", values="value",
                           aggfunc="sum")[[*inv.species, CO2E]]
    rep.heading(t("inv_by_sector")).paragraph("kt/yr; CO2e in kt with "
                                              f"{inv.gwp_set} GWP100", cls="small")
    rep.table(table)
    air = by[by["species"].isin(refdata.AIR_SPECIES)]
    rep.figure(px.bar(air, x="species", y="value", color="sector_name",
                      labels={"value": "kt", "species": t("species"), "sector_name": t("sector")},
                      title=t("inv_by_sector") + " (air pollutants, kt)"))
    ghg = by[by["species"].isin(["CO2", "CH4", "N2O", CO2E])]
    rep.figure(px.bar(ghg, x="species", y="value", color="sector_name", log_y=False,
                      labels={"value": "kt", "species": t("species"), "sector_name": t("sector")},
                      title=t("inv_by_sector") + " (GHG, kt)"))
    share = by.copy()
    s = share.groupby("species")["value"].transform("sum")
    share["share_%"] = share["value"] / s.where(s > 0) * 100
    rep.heading(t("inv_shares"))
    rep.figure(px.bar(share, x="species", y="share_%", color="sector_name",
                      labels={"share_%": "%", "species": t("species"),
                              "sector_name": t("sector")}, title=t("inv_shares")))
    for lv in ("district", "park"):
        if (inv.lines[lv] != "(none)").any():
            d = inv.aggregate(lv, unit="kt", species=["SO2", "NOx", "PM2.5", "VOCs", "CO2"],
                              co2e=False)
            d = d[d["year"] == year]
            rep.heading(f"{t('inv_by_district')}: {lv}")
            rep.paragraph(f"(none) = sources not inside any {lv} (e.g. city-wide area sources)",
                          cls="small")
            rep.table(d.pivot_table(index=lv, columns="species", values="value",
                                    aggfunc="sum"))
    s2 = inv.aggregate("sector", scope=2, unit="kt", species=["CO2"], co2e=False)
    s2 = s2[(s2["year"] == year) & (s2["value"] > 0)]
    if len(s2):
        rep.heading(t("inv_scope2")).table(s2.set_index("sector")[["value"]]
                                           .rename(columns={"value": "kt CO2"}))
    if len(inv.measured_cells):
        rep.heading(t("inv_measured")).table(inv.measured_cells, index=False)
    fr = inv.factor_report()
    if len(fr):
        summary = fr.groupby(["set", "method"]).size().rename("combinations").to_frame()
        rep.heading(t("inv_factors")).table(summary)
        rep.table(fr.drop(columns=["t_per_activity"]).head(300), index=False,
                  float_format="{:,.4g}")
    return rep.write(path)
