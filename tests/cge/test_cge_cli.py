"""`cocontrol cge` CLI and the demo report."""

from openpyxl import load_workbook
from typer.testing import CliRunner

from cocontrol.cli import app
from cocontrol.cli.cge import demo

runner = CliRunner()


def test_cli_single_combination_csv():
    r = runner.invoke(app, ["cge", "-p", "EEI", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "energy_intensity" in r.output and "co2" in r.output


def test_cli_unknown_policy_is_input_error():
    r = runner.invoke(app, ["cge", "-p", "NOPE"])
    assert r.exit_code == 1
    assert "unknown instrument code" in r.output


def test_cli_bad_sam_is_input_error(tmp_path):
    p = tmp_path / "sam.csv"
    p.write_text("account,A,B\nA,1,2\nB,3,4\n", encoding="utf-8")
    r = runner.invoke(app, ["cge", "--sam", str(p)])
    assert r.exit_code == 1
    assert "required account" in r.output


def test_demo_writes_report_and_workbook(tmp_path):
    paths = demo(tmp_path, "zh")
    names = sorted(p.name for p in paths)
    assert names == ["cge_report.html", "cge_results.xlsx"]
    text = (tmp_path / "cge_report.html").read_text(encoding="utf-8")
    assert "强协同" in text and "TOPSIS" in text and "示例数据" in text
    wb = load_workbook(tmp_path / "cge_results.xlsx", read_only=True)
    assert {"matrix", "ranking", "class_shares", "stability", "instruments"} <= set(
        wb.sheetnames)


def test_cli_all_combinations_xlsx_and_report(tmp_path):
    x = tmp_path / "res.xlsx"
    h = tmp_path / "rep.html"
    r = runner.invoke(app, ["cge", "--all-combinations", "--rank", "vikor", "--weights",
                            "dimensions", "--w-env", "2", "--format", "xlsx", "--output",
                            str(x), "--report", str(h)])
    assert r.exit_code == 0, r.output
    assert x.exists() and h.exists()
    wb = load_workbook(x, read_only=True)
    ws = wb["ranking"]
    assert ws.max_row == 65  # header, units row + 63 combinations


def test_cli_dynamic_csv():
    r = runner.invoke(app, ["cge", "-p", "SUB", "--to-year", "2022", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if ln[:4].isdigit()]
    assert [ln[:4] for ln in lines] == ["2020", "2021", "2022"]
