"""CLI `cocontrol evaluate` and the evaluation demo on the illustrative examples."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cocontrol.cli import app
from cocontrol.cli.evaluation import EXAMPLES, demo

runner = CliRunner()


def test_evaluate_cli_csv_output(tmp_path):
    out = tmp_path / "scores.csv"
    r = runner.invoke(app, ["evaluate", str(EXAMPLES / "parks_values.csv"), "--system", "park",
                            "--weights", "entropy", "--missing", "impute", "--format", "csv",
                            "--output", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert set(df["unit"]) == {f"park_{c}" for c in "abcdef"}
    assert df["score"].between(0, 100).all()


def test_evaluate_cli_with_emissions_and_xlsx(tmp_path):
    out = tmp_path / "res.xlsx"
    rep = tmp_path / "rep.html"
    r = runner.invoke(app, ["evaluate", str(EXAMPLES / "cities_values.csv"),
                            "--emissions", str(EXAMPLES / "cities_emissions.csv"),
                            "--value-added", str(EXAMPLES / "cities_value_added.csv"),
                            "--weights", "ahp", "--missing", "flag", "--format", "xlsx",
                            "--output", str(out), "--report", str(rep), "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert "ranking" in pd.ExcelFile(out).sheet_names
    assert "协同指数" in rep.read_text(encoding="utf-8")


def test_evaluate_cli_bad_input_exit_1(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,year,indicator,value\na,2021,nonsense,1\n", encoding="utf-8")
    r = runner.invoke(app, ["evaluate", str(bad), "--system", "park"])
    assert r.exit_code == 1
    text = " ".join(r.output.split())  # rich wraps long lines
    assert "bad.csv, row 2, column indicator" in text
    assert "not in the indicator system" in text


def test_demo_writes_report_and_workbook(tmp_path):
    paths = demo(Path(tmp_path), "en")
    names = {p.name for p in paths}
    assert names == {"evaluation_report.html", "evaluation_results.xlsx"}
    html = (tmp_path / "evaluation_report.html").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in html and "scatterpolar" in html
    # one self-contained file: plotly.js inlined, no assets folder needed
    assert 'src="assets/' not in html and len(html) > 1_000_000


def test_template_export_then_evaluate_with_excel_system(tmp_path):
    xlsx = tmp_path / "park_system.xlsx"
    r = runner.invoke(app, ["evaluation-template", "park", "--output", str(xlsx)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "s.json"
    r = runner.invoke(app, ["evaluate", str(EXAMPLES / "parks_values.csv"), "--system",
                            str(xlsx), "--weights", "ahp", "--format", "json", "--output",
                            str(out)])
    assert r.exit_code == 0, r.output
    assert len(pd.read_json(out)) == 18
