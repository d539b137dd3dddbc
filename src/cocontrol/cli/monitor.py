"""``cocontrol monitor``: monitoring, prediction and early warning (thin shell).

Subcommands: ``run`` (a project's monitoring folder: nowcasts, alerts, cases, notices, network
design, report), ``check`` (validate a series upload), ``template`` (write the upload template),
``forecast`` (one series), ``anomalies`` (enterprise hourly data), ``aggregate`` (hourly station
or CEMS data with the completeness rules).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from cocontrol.cli.common import (
    Format,
    Lang,
    emit,
    fail,
    label,
    lang_option,
    say,
    ui_lang,
    wrote,
)
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEMO = EXAMPLES / "demo-city"

monitor_app = typer.Typer(help="Monitoring, forecasts and early warning against the dual "
                          "targets (监测预测预警)", no_args_is_help=True)


class HourlyKind(str, Enum):
    station = "station"
    cems = "cems"


def run_project(project_dir: Path, out: Path, lang: str = "en", n_paths: int = 1000,
                with_measures: bool = True, illustrative_workflow: bool = False,
                quick: bool = False, pdf: bool | None = False, network: bool = True,
                pathway: str | None = "policy") -> tuple[object, list[Path]]:
    """``pdf=None``: PDF notices when Chromium is available (else a note in the notice)."""
    # library call used by ``monitor run`` and the demo: returns the run and the files
    from cocontrol.monitoring.forecast import MODELS
    from cocontrol.monitoring.io import read_inputs
    from cocontrol.monitoring.runner import run
    from cocontrol.project import load_project
    from cocontrol.report.monitoring import monitoring_report, notice_html, write_notice_json

    project = load_project(project_dir)
    inputs = read_inputs(project_dir / "monitoring",
                         known_entities=_known_entities(project, project_dir))
    res = run(inputs, project, models=("snaive", "theta") if quick else MODELS,
              n_paths=n_paths, with_measures=with_measures, lang=lang,
              illustrative_workflow=illustrative_workflow, network=network,
              pathway=pathway if pathway in _scenario_names(project_dir) else None)
    out.mkdir(parents=True, exist_ok=True)
    files = [monitoring_report(res, out / f"monitoring_report_{lang}.html", lang)]
    if pdf is None:
        from cocontrol.report.pdf import chromium_path

        try:
            chromium_path()
            pdf = True
        except CocontrolError:
            pdf = False
    for per, nt in res.notices.items():
        if not pdf:
            nt["pdf"] = ("PDF not produced: run with --pdf (needs Chromium, "
                         "scripts/ensure-chromium.sh)")
        for lg in ("zh", "en"):
            files.append(notice_html(nt, out / f"notice_{per}_{lg}.html", lg, pdf=pdf))
            if pdf:
                files.append(files[-1].with_suffix(".pdf"))
        files.append(write_notice_json(nt, out / f"notice_{per}.json"))
    alerts = [a.to_dict() for a in res.alerts]
    p = out / "monitoring_alerts.json"
    p.write_text(json.dumps(alerts, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    files.append(p)
    p = out / "monitoring_cases.json"
    p.write_text(json.dumps([c.model_dump(mode="json") for c in res.cases], ensure_ascii=False,
                            indent=1), encoding="utf-8")
    files.append(p)
    return res, files


def _scenario_names(project_dir: Path) -> set[str]:
    import yaml

    p = project_dir / "scenarios.yaml"
    if not p.exists():
        return set()
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    return set((data.get("scenarios") or {}).keys())


def _known_entities(project, project_dir: Path) -> set[str]:
    ids = set(project.regions["region_id"].astype(str))
    loc = project_dir / "monitoring" / "locations.csv"
    if loc.exists():
        import pandas as pd

        ids |= set(pd.read_csv(loc)["id"].astype(str))
    return ids


def _print_run(res) -> None:
    import pandas as pd

    from cocontrol.cli.common import print_df

    rows = [{"target": a.target.id, "level": a.level, "set by": a.reason,
             "shortfall": a.shortfall, "P(miss)": a.probability,
             "model": a.forecast.chosen if a.forecast else "-"} for a in res.alerts]
    print_df(pd.DataFrame(rows), title=label("cli.t_alerts"), float_fmt="{:,.2f}")
    for k, n in res.nowcasts.items():
        say("msg.cli_mon_nowcast", k=k, mape=f"{100 * n.mape:.1f}",
            years=", ".join(str(int(y)) for y in n.backtest_total()["year"]))
    say("msg.cli_mon_findings", findings=len(res.findings), cases=len(res.cases))
    if res.network is not None:
        say("msg.cli_mon_network", sites=", ".join(
            f"{r.site} {r.coverage:.3f}" for r in res.network.steps.itertuples()))


@monitor_app.command("run")
def run_cmd(
    project: Path = typer.Argument(..., help="project folder with a monitoring/ subfolder"),
    out: Path = typer.Option(Path("out/monitoring"), help="output folder"),
    lang: Lang | None = lang_option(),
    paths: int = typer.Option(1000, help="forecast sample paths"),
    measures: bool = typer.Option(True, help="rank the scenarios' measures for each gap"),
    pdf: bool = typer.Option(False, help="also print the notices to PDF (needs Chromium)"),
) -> None:
    """Nowcasts, alerts (with drivers and measures), cases, notices and the network design."""
    try:
        res, files = run_project(project, out, ui_lang(lang), paths, measures, pdf=pdf)
    except CocontrolError as e:
        fail(e, ui_lang(lang))
    _print_run(res)
    for f in files:
        wrote(f)


@monitor_app.command("check")
def check_cmd(series: Path = typer.Argument(..., help="series upload (.csv or .xlsx)")) -> None:
    """Validate an indicator-series upload and summarise it."""
    from cocontrol.cli.common import print_df
    from cocontrol.monitoring.io import read_series

    try:
        s = read_series(series)
    except CocontrolError as e:
        fail(e)
    d = s.data
    summ = d.groupby(["entity", "indicator"]).agg(
        rows=("value", "size"), not_estimated=("value", lambda v: int(v.isna().sum())),
        first=("year", "min"), last=("year", "max"), unit=("unit", "first")).reset_index()
    print_df(summ, title=label("cli.t_series_values", name=series.name, n=len(d)))


@monitor_app.command("template")
def template_cmd(path: Path = typer.Argument(Path("series_template.csv"))) -> None:
    """Write the indicator-series upload template (CSV; Chinese headers are accepted too)."""
    from cocontrol.monitoring.series import template_frame
    from cocontrol.project.cells import safe_frame

    safe_frame(template_frame()).to_csv(path, index=False, encoding="utf-8-sig")
    wrote(path)


@monitor_app.command("forecast")
def forecast_cmd(
    series: Path = typer.Argument(..., help="series upload"),
    indicator: str = typer.Option(..., "--indicator"),
    entity: str = typer.Option(..., "--entity"),
    to: int = typer.Option(..., "--to", help="target year"),
    fmt: Format = typer.Option(Format.table, "--format"),
    output: Path | None = typer.Option(None, "--output"),
) -> None:
    """Forecast one monthly series to a year (model chosen by rolling-origin CV)."""
    from cocontrol.monitoring.forecast import forecast_to
    from cocontrol.monitoring.io import read_series

    try:
        s = read_series(series)
        y = s.monthly(indicator, entity).dropna()
        if y.empty:
            raise CocontrolError(Msg("msg.cli_mon_no_monthly", indicator=indicator,
                                     entity=entity, file=series.name))
        fr = forecast_to(y, to, name=f"{entity} {indicator}")
    except CocontrolError as e:
        fail(e)
    from cocontrol.cli.common import print_df

    print_df(fr.scores, title=label("cli.t_model_selection", chosen=fr.chosen),
             float_fmt="{:,.3f}")
    emit(fr.forecast.frame(), fmt, output, title=label("cli.t_forecast"))


@monitor_app.command("anomalies")
def anomalies_cmd(
    hourly: Path = typer.Argument(..., help="facility, time, conc_<pollutant>, production_kw, "
                                  "treatment_kw"),
    limits: Path | None = typer.Option(None, help="permits table: facility, pollutant, limit, "
                                       "unit, basis"),
    fmt: Format = typer.Option(Format.table, "--format"),
    output: Path | None = typer.Option(None, "--output"),
) -> None:
    """Run the enterprise anomaly rules (thresholds: data/monitoring/anomaly_rules.csv)."""
    import pandas as pd

    from cocontrol.monitoring.anomaly import Finding, scan_enterprise
    from cocontrol.monitoring.io import read_table

    try:
        h = read_table(hourly, ["facility", "time"])
        lim = read_table(limits, ["facility", "pollutant", "limit", "unit", "basis"]) \
            if limits else None
        found = scan_enterprise(h, lim)
    except CocontrolError as e:
        fail(e)
    df = pd.DataFrame([f.model_dump() for f in found], columns=list(Finding.model_fields))
    emit(df[["rule", "entity", "signal", "start", "end", "hours", "value", "threshold",
             "unit"]] if fmt == Format.table else df, fmt, output, title=label("cli.t_findings"))


@monitor_app.command("aggregate")
def aggregate_cmd(
    hourly: Path = typer.Argument(..., help="hourly station or CEMS table"),
    kind: HourlyKind = typer.Option(HourlyKind.station, "--kind"),
    fmt: Format = typer.Option(Format.table, "--format"),
    output: Path | None = typer.Option(None, "--output"),
) -> None:
    """Aggregate hourly data with the completeness rules (GB 3095-2012, HJ 663-2013,
    HJ 75-2017; data/monitoring/completeness.csv)."""
    from cocontrol.monitoring.hourly import cems_monthly, station_daily, station_monthly
    from cocontrol.monitoring.io import read_table

    try:
        if kind == HourlyKind.station:
            h = read_table(hourly, ["station", "time", "pollutant", "value"])
            out = station_monthly(station_daily(h, hourly.name))
        else:
            h = read_table(hourly, ["facility", "time", "pollutant", "conc", "flow"])
            out = cems_monthly(h, hourly.name)
    except CocontrolError as e:
        fail(e)
    emit(out, fmt, output, title=label("cli.t_aggregation", kind=kind.value))


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")


def demo(out: Path, lang: str) -> list[Path]:
    """Monitoring step of ``cocontrol demo`` on the embedded demo city."""
    res, files = run_project(DEMO, out / "monitoring", lang, n_paths=500,
                             illustrative_workflow=True, pdf=None)
    _print_run(res)
    return files
