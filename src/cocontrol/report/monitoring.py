"""HTML of monitoring runs and notices (thin layer over :mod:`cocontrol.monitoring`)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cocontrol import i18n, io
from cocontrol.monitoring.anomaly import RULE_LABELS, STATUS_LABELS
from cocontrol.monitoring.network import SCREENING
from cocontrol.monitoring.runner import MonitoringRun
from cocontrol.monitoring.targets import KIND_LABELS
from cocontrol.report import HtmlReport

i18n.register({
    "mon_title": ("Monitoring and early warning", "监测预测预警"),
    "mon_notice_monthly": ("Monthly notice", "月度通报"),
    "mon_notice_quarterly": ("Quarterly notice", "季度通报"),
    "mon_alerts": ("Targets and alerts", "目标与预警"),
    "mon_target": ("Target", "目标"),
    "mon_level": ("Alert", "预警等级"),
    "mon_reason": ("Set by", "判定依据"),
    "mon_latest": ("Latest value", "最新值"),
    "mon_expected": ("Pro-rata trajectory", "时序进度要求值"),
    "mon_target_level": ("Target level", "目标值"),
    "mon_shortfall": ("Shortfall vs trajectory", "进度差距"),
    "mon_probability": ("Probability of missing", "未完成概率"),
    "mon_probability_path": ("... if on the policy scenario path", "按政策情景路径的未完成概率"),
    "mon_forecast": ("Forecast (median)", "预测中位数"),
    "mon_model": ("Model", "预测模型"),
    "mon_skill": ("Skill vs seasonal naive", "相对季节朴素法技巧"),
    "mon_drivers": ("Drivers of the latest change (LMDI)", "最近变化的驱动因素（LMDI分解）"),
    "mon_measures": ("Scenario measures that would close the gap", "可弥补差距的情景措施"),
    "mon_nowcast": ("Nowcasts (carbon from power)", "月度排放快速估算（电碳模型）"),
    "mon_backtest": ("Backtest on held-out years", "留出年份回测"),
    "mon_forecasts": ("Forecast model selection (rolling-origin CV)", "预测模型选择（滚动起点交叉验证）"),
    "mon_findings": ("Enterprise monitoring findings and cases", "企业监测异常与案件"),
    "mon_station": ("Station data completeness (hourly to daily)", "站点数据有效性（小时到日）"),
    "mon_network": ("CO2 monitoring network (screening)", "二氧化碳监测站点布设（筛选）"),
    "mon_notes": ("Notes", "说明"),
    "mon_rankings": ("Rankings", "排名"),
    "mon_cases": ("Cases", "案件"),
    "mon_illustrative": ("ILLUSTRATIVE data (demo city): not real statistics.",
                         "示例数据（示例市）：并非真实统计数据。"),
    "mon_not_estimated": ("– = not estimated", "– 表示未估算"),
})

CASE_COLUMNS_ZH = {"case": "案件编号", "entity": "对象", "rule": "规则", "found": "发现日期",
                   "status": "状态", "owner": "责任单位", "deadline": "整改期限",
                   "overdue": "逾期", "message": "说明"}

LEVEL_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828",
                 "not estimated": "#9e9e9e"}
LEVEL_LABELS = {"green": ("on track", "进展顺利"), "yellow": ("at risk", "预警"),
                "red": ("off track", "严重滞后"), "not estimated": ("not estimated", "未估算")}


def _t(key: str, lang: str) -> str:
    return i18n.t(key, lang)


def _level_cell(level: str, lang: str) -> str:
    c = LEVEL_COLOURS.get(level, "#9e9e9e")
    lab = LEVEL_LABELS.get(level, (level, level))[1 if lang == "zh" else 0]
    return (f'<span style="background:{c};color:#fff;padding:1px 8px;border-radius:3px">'
            f"{html.escape(lab)}</span>")


def _fmt(v, pct=False) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if pct:
        return f"{100 * v:.0f} %"
    return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"


def _alerts_table(alerts: list[dict], lang: str) -> str:
    z = lang == "zh"
    head = [_t(k, lang) for k in ("mon_target", "mon_level", "mon_reason", "mon_latest",
                                  "mon_expected", "mon_target_level", "mon_shortfall",
                                  "mon_probability", "mon_probability_path", "mon_forecast",
                                  "mon_model", "mon_skill")]
    rows = []
    for a in alerts:
        name = a.get("label_zh" if z else "label_en") or a["kind"]
        reason = {"progress": "进度" if z else "progress", "forecast": "预测" if z else "forecast"
                  }.get(a["reason"], a["reason"])
        cells = [f"{html.escape(name)} ({html.escape(a['entity'])}, {a['target_year']})",
                 _level_cell(a["level"], lang), html.escape(reason),
                 f"{_fmt(a['latest_value'])} ({a['latest_year'] or '–'})",
                 _fmt(a["expected_value"]), _fmt(a["target_level"]),
                 _fmt(a["shortfall"], pct=True), _fmt(a["probability_of_missing"], pct=True),
                 _fmt(a.get("probability_of_missing_on_pathway"), pct=True),
                 _fmt(a["forecast_median"]), html.escape(str(a.get("forecast_model", "–"))),
                 _fmt(a.get("forecast_skill_vs_snaive"))]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
            + "".join(rows) + "</table>")


def _alert_dicts(run: MonitoringRun) -> list[dict]:
    return [a.to_dict() | {"label_en": KIND_LABELS[a.target.kind][0],
                           "label_zh": KIND_LABELS[a.target.kind][1]} for a in run.alerts]


def _forecast_figure(a, lang: str) -> go.Figure:
    fr = a.forecast
    h = fr.history
    f = fr.forecast
    x_h = h.index.to_timestamp()
    x_f = f.index.to_timestamp()
    fig = go.Figure()
    fig.add_scatter(x=x_h, y=h.to_numpy(), name="observed / nowcast" if lang != "zh" else "观测/估算")
    fig.add_scatter(x=list(x_f) + list(x_f[::-1]),
                    y=list(f.upper[95]) + list(f.lower[95][::-1]), fill="toself",
                    line={"width": 0}, fillcolor="rgba(42,111,151,0.15)", name="95 %")
    fig.add_scatter(x=list(x_f) + list(x_f[::-1]),
                    y=list(f.upper[80]) + list(f.lower[80][::-1]), fill="toself",
                    line={"width": 0}, fillcolor="rgba(42,111,151,0.3)", name="80 %")
    fig.add_scatter(x=x_f, y=f.mean, name=f"{fr.chosen}", line={"dash": "dash"})
    name = a.target.name_zh if lang == "zh" and a.target.name_zh else a.target.name_en
    unit = fr.unit.replace("ug/m**3", "µg/m³").replace("percent", "%")
    fig.update_layout(title=f"{name or a.target.id}: {fr.name} ({unit})", height=330,
                      margin={"t": 40, "b": 30})
    return fig


def monitoring_report(run: MonitoringRun, path: str | Path, lang: str = "en") -> Path:
    """The monitoring report of a run: alerts with drivers and measures, nowcasts, forecasts,
    enterprise findings, station completeness, network design, notes."""
    z = lang == "zh"
    r = HtmlReport(f"{_t('mon_title', lang)}: {run.entity}", lang=lang)
    if run.illustrative:
        r.note(_t("mon_illustrative", lang))
    r.heading(_t("mon_alerts", lang)).raw(_alerts_table(_alert_dicts(run), lang))
    r.paragraph(_t("mon_not_estimated", lang), cls="small")
    for a in run.alerts:
        name = (a.target.name_zh if z else a.target.name_en) or a.target.id
        r.heading(f"{name} — {LEVEL_LABELS.get(a.level, (a.level,) * 2)[1 if z else 0]}", 3)
        r.paragraph(("依据：" if z else "Basis: ") + a.target.basis, cls="small")
        if a.forecast is not None:
            r.figure(_forecast_figure(a, lang))
        if a.drivers is not None:
            d = a.drivers[["label", "effect", "share_of_change"]].copy()
            d.columns = ["因素" if z else "effect", "贡献" if z else "contribution",
                         "占变化比例" if z else "share of the change"]
            r.paragraph(f"{_t('mon_drivers', lang)}, {a.drivers.attrs.get('emission', '')} "
                        f"({a.drivers.attrs.get('breakdown', '')}): "
                        f"{a.drivers.attrs['period'][0]}–"
                        f"{a.drivers.attrs['period'][1]}, Δ = {a.drivers.attrs['total']:,.0f}; "
                        f"closure error {a.drivers.attrs['closure_error']:.1e}")
            r.table(d, index=False, float_format="{:,.3g}")
        if a.measures is not None and len(a.measures):
            r.paragraph(_t("mon_measures", lang))
            r.table(a.measures, index=False, float_format="{:,.0f}")
        for n in a.notes:
            r.paragraph(n, cls="small")
    if run.nowcasts:
        r.heading(_t("mon_nowcast", lang))
        rows = []
        for k, n in run.nowcasts.items():
            bt = n.backtest_total()
            rows.append({"target": k, "method": n.method, "held-out years":
                         ", ".join(str(int(y)) for y in bt["year"]),
                         "MAPE": 100 * n.mape if np.isfinite(n.mape) else np.nan})
        r.table(pd.DataFrame(rows), index=False, float_format="{:,.1f}")
        n = run.nowcasts.get("CO2")
        if n is not None:
            t = n.total()
            x = pd.PeriodIndex([pd.Period(year=int(y), month=int(m), freq="M")
                                for y, m in zip(t["year"], t["month"], strict=True)]
                               ).to_timestamp()
            fig = go.Figure()
            for kind in ("calibrated", "nowcast"):
                m = (t["kind"] == kind).to_numpy()
                fig.add_bar(x=x[m], y=t["estimate"][m], name=kind)
            fig.update_layout(title="CO2 (t/month)", height=300, margin={"t": 40, "b": 30})
            r.figure(fig)
    fc = [a for a in run.alerts if a.forecast is not None]
    if fc:
        r.heading(_t("mon_forecasts", lang))
        seen = set()
        for a in fc:
            if a.forecast.name in seen:
                continue
            seen.add(a.forecast.name)
            r.paragraph(f"{a.forecast.name} ({a.forecast.unit}): chosen {a.forecast.chosen}")
            r.table(a.forecast.scores, index=False, float_format="{:,.3g}")
    r.heading(_t("mon_findings", lang))
    if run.cases:
        lab = 1 if z else 0
        r.table(pd.DataFrame([{"case": c.id, "status": c.status, "owner": c.owner or "",
                               "deadline": str(c.deadline), "rule":
                               RULE_LABELS[c.finding.rule][lab],
                               "message": c.finding.message_zh if z else c.finding.message_en}
                              for c in run.cases]), index=False)
    else:
        r.paragraph("–")
    if run.station:
        r.heading(_t("mon_station", lang))
        d = run.station["daily"]
        summ = d.groupby(["station", "pollutant", "statistic"]).agg(
            days=("valid", "size"), valid_days=("valid", "sum"),
            mean=("value", "mean")).reset_index()
        r.table(summ, index=False, float_format="{:,.1f}")
        r.table(run.station["monthly"], index=False, float_format="{:,.1f}")
        r.paragraph(d.attrs.get("basis", ""), cls="small")
    if run.network is not None:
        r.heading(_t("mon_network", lang)).note(SCREENING[1 if z else 0])
        r.table(run.network.steps, index=False, float_format="{:,.3f}")
        r.table(run.network.candidate_sets, index=False, float_format="{:,.3f}")
        r.paragraph("coverage = emission-weighted relative sensitivity of the best site "
                    "(1 = a site 1 km downwind in a constant wind); docs/methods/monitoring.md",
                    cls="small")
    if run.notes:
        r.heading(_t("mon_notes", lang))
        r.raw("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in run.notes) + "</ul>")
    return r.write(path)


def notice_html(nt: dict, path: str | Path, lang: str = "en", pdf: bool = False) -> Path:
    """A monthly or quarterly notice (the dict of :func:`cocontrol.monitoring.notice`)."""
    return notice_report(nt, lang).write(path, pdf=pdf)


def notice_pdf(nt: dict, lang: str = "en") -> bytes:
    """The notice as PDF bytes (headless Chromium, :func:`cocontrol.htmlpdf.html_to_pdf`),
    printed from a private temporary folder that is removed afterwards."""
    import tempfile

    from cocontrol.htmlpdf import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="cocontrol-notice-") as tmp:
        html_path = notice_report(nt, lang).write(Path(tmp) / "notice.html")
        return io.read_bytes(html_to_pdf(html_path, Path(tmp) / "notice.pdf"))


def notice_report(nt: dict, lang: str = "en") -> HtmlReport:
    """The notice as an :class:`HtmlReport` (``.html()`` gives the self-contained page)."""
    z = lang == "zh"
    kind = _t("mon_notice_monthly" if nt["kind"] == "monthly" else "mon_notice_quarterly", lang)
    jname = nt.get("jurisdiction_name_zh") if z else nt["jurisdiction_name"]
    r = HtmlReport(f"{jname or nt['jurisdiction']} {kind} {nt['period']}", lang=lang)
    if nt.get("illustrative"):
        r.note(_t("mon_illustrative", lang))
    r.paragraph(("截至 " if z else "As of ") + nt["as_of"], cls="small")
    r.heading(_t("mon_rankings", lang))
    for _ind, rk in nt["rankings"].items():
        r.heading(rk["label_zh" if z else "label_en"], 3)
        df = pd.DataFrame(rk["rows"])
        for c in ("value", "change_vs_last_year", "rank"):
            df[c] = pd.to_numeric(df[c], errors="coerce")
        df["rank"] = df["rank"].astype("Int64")
        if df["change_vs_last_year"].isna().all():
            df = df.drop(columns="change_vs_last_year")
        df = df.drop(columns=["entity", "name" if z else "name_zh"], errors="ignore")
        df = df.rename(columns={"name_zh" if z else "name": "名称" if z else "unit",
                                "value": "数值" if z else "value",
                                "change_vs_last_year": "同比变化" if z else "change vs last year",
                                "rank": "排名" if z else "rank"})
        r.table(df, index=False, float_format="{:,.1f}")
    r.heading(_t("mon_alerts", lang)).raw(_alerts_table(nt["alerts"], lang))
    r.heading(_t("mon_cases", lang))
    c = nt["cases"]
    counts = " · ".join(f"{STATUS_LABELS[k][1 if z else 0]}: {v}"
                        for k, v in c["counts"].items())
    r.paragraph(f"{counts} · {'逾期' if z else 'overdue'}: {c['overdue']}")
    rows = nt["cases_zh"] if z else c["rows"]
    if rows:
        df = pd.DataFrame(rows)
        if z:
            df["overdue"] = df["overdue"].map({True: "是", False: "否"})
            df = df.rename(columns=CASE_COLUMNS_ZH)
        r.table(df, index=False)
    if nt.get("pdf"):
        r.paragraph(nt["pdf"], cls="small")
    return r


def write_notice_json(nt: dict, path: str | Path) -> Path:
    """The notice as JSON (UTF-8), written atomically by :func:`cocontrol.io.write_text`."""
    return io.write_text(path, json.dumps(nt, ensure_ascii=False, indent=1, default=str))
