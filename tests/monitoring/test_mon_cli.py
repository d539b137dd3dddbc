"""``cocontrol monitor`` commands on the embedded demo data (thin shell over the library)."""

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cocontrol.cli import monitor as cli_mon

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
runner = CliRunner()


def _app():
    app = typer.Typer()
    cli_mon.register(app)

    @app.callback()
    def _root():  # a group, as cocontrol.cli
        pass
    return app


def test_check_template_and_bad_upload(tmp_path):
    app = _app()
    r = runner.invoke(app, ["monitor", "check", str(DEMO / "monitoring" / "series.csv")])
    assert r.exit_code == 0, r.output
    t = tmp_path / "t.csv"
    assert runner.invoke(app, ["monitor", "template", str(t)]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("entity,indicator,period,value,unit,source\nc,CO2,2023-13,1,t,x\n",
                   encoding="utf-8")
    r = runner.invoke(app, ["monitor", "check", str(bad)])
    assert r.exit_code == 1 and "row 2" in r.output and "period" in r.output
    assert "Traceback" not in r.output


def test_anomalies_and_aggregate_on_demo_data(tmp_path):
    app = _app()
    out = tmp_path / "f.json"
    r = runner.invoke(app, ["monitor", "anomalies", str(DEMO / "monitoring" /
                                                         "enterprise_hourly.csv"),
                            "--limits", str(DEMO / "monitoring" / "permits.csv"),
                            "--format", "json", "--output", str(out)])
    assert r.exit_code == 0, r.output
    rules = {f["rule"] for f in json.loads(out.read_text(encoding="utf-8"))}
    # the injected anomalies of examples/monitoring/make_demo_data.py are all found
    assert {"exceedance", "flatline", "treatment_off", "night_day_ratio"} <= rules
    r = runner.invoke(app, ["monitor", "aggregate", str(DEMO / "monitoring" /
                                                         "station_hourly.csv")])
    assert r.exit_code == 0, r.output


def test_run_writes_report_notices_and_json(tmp_path):
    res, files = cli_mon.run_project(DEMO, tmp_path, "zh", n_paths=100, with_measures=False,
                                     illustrative_workflow=True, quick=True,
                                     network=False, pathway=None)
    names = {f.name for f in files}
    assert {"monitoring_report_zh.html", "notice_2024-06_zh.html", "notice_2024-Q2_en.html",
            "notice_2024-Q2.json", "monitoring_alerts.json"} <= names
    nt = json.loads((tmp_path / "notice_2024-Q2.json").read_text(encoding="utf-8"))
    assert nt["illustrative"] and nt["cases"]["counts"]["closed"] == 1
    assert {a["target"] for a in nt["alerts"]} >= {"pm25_2025", "co2_intensity_2025"}
    assert "示例数据" in (tmp_path / "notice_2024-Q2_zh.html").read_text(encoding="utf-8")
    # the nowcast of CO2 calibrates exactly to the annual totals of the inventory years
    n = res.nowcasts["CO2"]
    tot = n.total().groupby("year")["estimate"].sum()
    ann = res.series.annual("CO2", "demo_city").set_index("year")["value"]
    for y in (2020, 2022):
        assert abs(tot.loc[y] / ann.loc[y] - 1) < 1e-12
