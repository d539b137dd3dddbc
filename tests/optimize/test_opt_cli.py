"""``cocontrol optimize`` and the demo (Demo City: least-cost path to 35 µg/m³ with the CO2
peak by 2030)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from typer.testing import CliRunner

from cocontrol.cli import optimize as cli_opt

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


def _app():
    app = typer.Typer()

    @app.callback()
    def _cb() -> None:
        pass

    cli_opt.register(app)
    return app


def test_optimize_csv_portfolio(tmp_path):
    out = tmp_path / "portfolio.csv"
    r = CliRunner().invoke(_app(), ["optimize", str(DEMO), "--region-level", "none",
                                    "--format", "csv", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert "converged" in r.output
    df = pd.read_csv(out)
    assert {"sector", "measure", "region"} <= set(df.columns)
    assert (df.drop(columns=["sector", "measure", "region"]).to_numpy() <= 1 + 1e-9).all()


def test_optimize_infeasible_exits_1_with_explanation(tmp_path):
    r = CliRunner().invoke(_app(), ["optimize", str(DEMO), "--region-level", "none",
                                    "--pm25-target", "20", "--target-year", "2030"])
    assert r.exit_code == 1
    assert "Infeasible" in r.output and "PM2.5" in r.output and "2030" in r.output
    assert "Traceback" not in r.output


def test_optimize_bad_settings_exit_1(tmp_path):
    p = tmp_path / "p"
    import shutil

    shutil.copytree(DEMO, p)
    (p / "optimisation.yaml").write_text("air_quality:\n  city: demo_city\n"
                                         "  pm25_base_ugm3: -3\n  local_share: 1.5\n",
                                         encoding="utf-8")
    r = CliRunner().invoke(_app(), ["optimize", str(p)])
    assert r.exit_code == 1
    assert "local_share" in r.output and "pm25_base_ugm3" in r.output


def test_demo_writes_report_and_workbook(tmp_path):
    paths = cli_opt.demo(tmp_path, "zh")
    names = {p.name for p in paths}
    assert names == {"optimisation_report.html", "optimisation.xlsx"}
    html = (tmp_path / "optimisation_report.html").read_text(encoding="utf-8")
    assert "帕累托" in html and "35" in html
    assert 'src="assets/' not in html and len(html) > 1_000_000  # plotly.js inlined
    from cocontrol.xlsxreport import read_workbook

    xl = read_workbook(tmp_path / "optimisation.xlsx")  # bilingual headers, units row
    assert {"summary", "portfolio", "ranking", "pareto", "health", "solver", "whatif1"} <= set(xl)
    w = xl["whatif1"]
    assert not w[w["constraint"] == "pm25"]["met"].all()
    summ = xl["summary"].set_index("year")
    assert summ.loc[2030, "PM2.5_plan_ugm3"] <= 35 + 1e-6
    co2 = summ["CO2_plan_Mt"]
    assert (co2.loc[2030:].diff().dropna() <= 1e-9).all()  # CO2 peak by 2030
    assert xl["solver"]["max_rel_error"].iloc[-1] <= 1e-6


def test_target_year_outside_scenario_years_is_reported():
    r = CliRunner().invoke(_app(), ["optimize", str(DEMO), "--region-level", "none",
                                    "--target-year", "2031", "--co2-peak-by", "2033"])
    assert r.exit_code == 1
    assert "2031" in r.output and "2033" in r.output and "scenario year" in r.output


def test_settings_links_are_validated_and_used(tmp_path):
    from cocontrol.errors import InputError
    from cocontrol.optimize import settings as st

    bad = {"optimisation": {"links": [{"first": "a", "second": "b", "kind": "before"}]}}
    try:
        st.parse(bad)
        raise AssertionError("expected InputError")
    except InputError as e:
        assert "optimisation.links[0]" in str(e)
    ok = st.parse({"optimisation": {"links": [{"first": "a", "second": "b",
                                                "kind": "requires"}]}})
    assert ok.links[0]["kind"] == "requires"
