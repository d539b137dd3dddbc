"""CLI of the scenario stage and the demo report."""

from __future__ import annotations

import json

import pytest
from scenariofixture import write_scenario_project
from typer.testing import CliRunner

from cocontrol.cli import app


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_scenario_project(tmp_path_factory.mktemp("cli") / "p")


def test_run_table_and_iamc(project):
    r = CliRunner().invoke(app, ["run", str(project), "-s", "enhanced"])
    assert r.exit_code == 0, r.output
    assert "CO2 peak" in r.output and "SO2 cap 2030" in r.output
    r = CliRunner().invoke(app, ["run", str(project), "-s", "policy", "--iamc",
                                 "--format", "csv"])
    assert r.exit_code == 0 and "Emissions|SO2" in r.stdout and "policy" in r.stdout


def test_run_unknown_scenario_is_a_clear_error(project):
    r = CliRunner().invoke(app, ["run", str(project), "-s", "nope"])
    assert r.exit_code == 1
    assert "unknown scenario 'nope'" in r.output


def test_compare_and_measures(project, tmp_path):
    r = CliRunner().invoke(app, ["compare", str(project), "--year", "2030",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {x["sign_pair"] for x in rows} <= {"(-,-)", "(-,+)", "(+,-)", "(+,+)", "(0,-)",
                                              "(-,0)", "(0,0)", "(+,0)", "(0,+)"}
    out = tmp_path / "m.xlsx"
    r = CliRunner().invoke(app, ["measures", str(project), "-s", "enhanced", "--year", "2030",
                                 "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0 and out.exists()


def test_demo_stages_write_reports(tmp_path):
    from cocontrol.cli import inventory, scenario

    files = inventory.demo(tmp_path, "en") + scenario.demo(tmp_path, "zh")
    names = {p.name for p in files}
    assert {"inventory_report.html", "inventory.xlsx", "scenario_report.html",
            "scenarios.xlsx"} <= names
    html = (tmp_path / "scenario_report.html").read_text(encoding="utf-8")
    assert "协同控制效应坐标系" in html and 'src="assets/' not in html
