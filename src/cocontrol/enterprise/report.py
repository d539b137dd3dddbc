"""HTML and Excel outputs of the enterprise stage: footprint report, account, permit
compliance, project library for banks and the screening report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from cocontrol import io
from cocontrol.enterprise.account import EnterpriseAccount
from cocontrol.enterprise.product_footprint import FootprintResult
from cocontrol.enterprise.screening import ScreeningResult
from cocontrol.htmlreport import HtmlReport
from cocontrol.i18n import Msg, tr
from cocontrol.project.cells import safe_frame

_T = {
    "footprint": ("Product carbon footprint (cradle to gate)", "产品碳足迹（从摇篮到大门）"),
    "by_stage": ("Contribution by life-cycle stage", "各生命周期阶段贡献"),
    "by_input": ("Contribution by input", "各输入贡献"),
    "total": ("Footprint per functional unit", "单位功能单位碳足迹"),
    "method": ("Method: ISO 14067:2018 and the GHG Protocol Product Standard; uncertainty by "
               "IPCC 2006 Vol. 1 Ch. 3 Approach 1 (95 % half-width).",
               "方法：ISO 14067:2018 与温室气体核算体系产品标准；不确定性按IPCC 2006第1卷第3章"
               "方法1（95%置信区间半宽）。"),
    "account": ("Enterprise carbon–pollution account", "企业碳污一体化账户"),
    "annual": ("Annual emissions", "年度排放"),
    "intensity": ("Intensities", "排放强度"),
    "benchmark": ("Comparison with the benchmark", "与基准值对比"),
    "peers": ("Peers of the same sector", "同行业对标"),
    "grade": ("Environmental performance grade", "环保绩效分级"),
    "compliance": ("Permit compliance", "排污许可合规状态"),
    "screening": ("Screening of a proposed plant", "新建项目准入筛查"),
    "verdict": ("Verdict", "结论"),
    "pass": ("pass", "通过"),
    "fail": ("fail", "不通过"),
    "incomplete": ("incomplete (some checks not assessed)", "不完整（部分检查未评估）"),
    "not_estimated": ("not estimated (no air-quality settings)", "未估算（无空气质量设置）"),
    "library": ("Synergy project library", "减污降碳协同项目库"),
}


def _t(key: str, lang: str) -> str:
    en, zh = _T[key]
    return zh if lang == "zh" else en


def footprint_html(results: list[FootprintResult], lang: str = "en") -> HtmlReport:
    """The footprint report as an :class:`HtmlReport` (``.html()`` for its text)."""
    rep = HtmlReport(_t("footprint", lang), lang)
    rep.note(_t("method", lang))
    for r in results:
        rep.heading(f"{r.product}: {r.value_kg:,.1f} kg CO2e / {r.functional_unit} "
                    f"(± {r.uncertainty_pct:.1f} %)")
        for n in r.notes:
            rep.paragraph(tr(n, lang), cls="small")
        st = r.by_stage()
        rep.figure(go.Figure(go.Bar(x=st["stage"], y=st["kg_co2e_per_fu"]),
                             layout={"title": _t("by_stage", lang),
                                     "yaxis": {"title": "kg CO2e", "rangemode": "tozero"}}))
        rep.heading(_t("by_input", lang), 3)
        rep.table(r.contributions, index=False)
    return rep


def footprint_report(results: list[FootprintResult], path: str | Path, lang: str = "en"
                     ) -> Path:
    return footprint_html(results, lang).write(path)


def footprint_bytes(results: list[FootprintResult]) -> bytes:
    """The footprint workbook (a summary sheet, one sheet of contributions per product) as
    .xlsx bytes; every cell through :func:`safe_frame`."""
    summary = pd.DataFrame([{"product": r.product, "functional_unit": r.functional_unit,
                             "kg_co2e": r.value_kg, "uncertainty_pct_95": r.uncertainty_pct,
                             "low": r.interval_kg[0], "high": r.interval_kg[1],
                             "allocation_share": r.allocation_share, "gwp": r.gwp}
                            for r in results])
    return io.workbook_bytes([("summary", safe_frame(summary))]
                             + [(r.product[:31], safe_frame(r.contributions)) for r in results])


def footprint_excel(results: list[FootprintResult], path: str | Path) -> Path:
    return io.write_bytes(Path(path), footprint_bytes(results))


def footprint_summary(results: list[FootprintResult]) -> pd.DataFrame:
    """One row per footprint: product, functional unit, kg CO2e, 95 % half-width, share."""
    return pd.DataFrame([{"product": r.product, "functional_unit": r.functional_unit,
                          "kg_co2e": r.value_kg, "uncertainty_pct_95": r.uncertainty_pct,
                          "allocation_share": r.allocation_share} for r in results],
                        columns=["product", "functional_unit", "kg_co2e",
                                 "uncertainty_pct_95", "allocation_share"])


def screening_table(results: list[ScreeningResult]) -> pd.DataFrame:
    """The checks of every screened plant in one table, with the plant and its verdict."""
    return pd.concat([r.checks.assign(plant=r.plant, verdict=r.verdict) for r in results],
                     ignore_index=True)


def bank_bytes(projects, ranking: pd.DataFrame, fmt: str = "xlsx") -> bytes:
    """The bank export (:func:`~cocontrol.enterprise.projects.bank_export`) as the bytes of an
    .xlsx or a UTF-8 (BOM) .csv file; every cell through :func:`safe_frame` (formula-safe)."""
    from cocontrol.enterprise.projects import bank_export

    tab = bank_export(projects, ranking)
    if fmt == "xlsx":
        return io.workbook_bytes([(None, safe_frame(tab))])
    if fmt == "csv":
        return safe_frame(tab).to_csv(index=False).encode("utf-8-sig")
    raise ValueError(Msg("msg.ent_bank_format", fmt=repr(fmt)))


def bank_file(projects, ranking: pd.DataFrame, path: str | Path) -> Path:
    """:func:`bank_bytes` written atomically to ``path`` (.xlsx, otherwise .csv)."""
    path = Path(path)
    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    return io.write_bytes(path, bank_bytes(projects, ranking, fmt))


def account_report(acc: EnterpriseAccount, compliance: pd.DataFrame | None, path: str | Path,
                   lang: str = "en") -> Path:
    rep = HtmlReport(f"{_t('account', lang)}: {acc.name}", lang)
    rep.heading(_t("annual", lang))
    rep.table(acc.annual.pivot_table(index=["species", "scope", "unit"], columns="year",
                                     values="value", dropna=False))
    if acc.intensities is not None:
        rep.heading(_t("intensity", lang))
        rep.table(acc.intensities, index=False, float_format="{:,.6g}")
    if acc.benchmark is not None:
        rep.heading(_t("benchmark", lang))
        rep.table(acc.benchmark.drop(columns=["colour"]), index=False, float_format="{:,.4f}")
    if acc.peers is not None and len(acc.peers):
        rep.heading(_t("peers", lang))
        rep.table(acc.peers, index=False, float_format="{:,.4f}")
    if acc.performance is not None:
        g = acc.performance
        rep.heading(_t("grade", lang))
        rep.paragraph(f"{g.grade} ({g.date.isoformat()}): {g.basis}")
    if compliance is not None:
        rep.heading(_t("compliance", lang))
        rep.table(compliance, index=False, float_format="{:,.3f}")
    return rep.write(path)


def screening_html(results: list[ScreeningResult], lang: str = "en") -> HtmlReport:
    """The screening report as an :class:`HtmlReport` (``.html()`` for its text): per plant
    its verdict, notes, emissions (t/yr), checks and ΔPM2.5 (not estimated when absent)."""
    rep = HtmlReport(_t("screening", lang), lang)
    for r in results:
        rep.heading(f"{r.plant}: {_t('verdict', lang)} {_verdict(r.verdict, lang)}")
        for n in r.notes:
            rep.paragraph(tr(n, lang), cls="small")
        rep.table(r.emissions.rename("t/yr").to_frame())
        rep.table(r.checks.assign(check=[tr(c, lang) for c in r.checks["check"]],
                                  basis=[tr(b, lang) for b in r.checks["basis"]]),
                  index=False, float_format="{:,.3f}")
        rep.paragraph("ΔPM2.5 = " + (_t("not_estimated", lang) if r.delta_pm25_ugm3 is None
                                     else f"{r.delta_pm25_ugm3:+.4f} µg/m³"))
    return rep


def _verdict(v: str, lang: str) -> str:
    return {"pass": _t("pass", lang), "fail": _t("fail", lang),
            "incomplete": _t("incomplete", lang)}.get(v, v)


def screening_report(results: list[ScreeningResult], path: str | Path, lang: str = "en"
                     ) -> Path:
    return screening_html(results, lang).write(path)


def library_report(ranking: pd.DataFrame, path: str | Path, lang: str = "en") -> Path:
    rep = HtmlReport(_t("library", lang), lang)
    rep.table(ranking, index=False, float_format="{:,.2f}")
    return rep.write(path)
