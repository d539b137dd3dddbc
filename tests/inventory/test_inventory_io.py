"""Excel round trip, template, CLI outputs and the HTML report."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from tinyproject import write_project
from typer.testing import CliRunner

from cocontrol import i18n
from cocontrol.cli import app
from cocontrol.inventory import compute
from cocontrol.project import load_project


def test_excel_project_equals_csv_project(tiny, tmp_path):
    xl = write_project(tmp_path / "xl", excel=True)
    a = compute(load_project(tiny))
    b = compute(load_project(xl))
    pd.testing.assert_frame_equal(a.total(), b.total())


def test_inventory_excel_export_round_trip(tiny_inventory, tmp_path):
    path = tiny_inventory.to_excel(tmp_path / "inv.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert {"total", "by_sector", "factor_sources", "iamc", "measured_vs_computed"} <= set(
        wb.sheetnames)
    ws = openpyxl.load_workbook(path)["by_sector"]
    assert ws.freeze_panes == "B3" and ws["A1"].value == "部门 sector"  # bilingual, frozen
    assert ws["D1"].value == 2020 and ws["D2"].value  # a year header and its units-row cell
    assert ws["D3"].number_format.startswith("#,##0")  # thousands separators, fixed decimals
    from cocontrol.xlsxreport import read_sheet

    back = read_sheet(path, "by_sector")
    orig = tiny_inventory.aggregate("sector", wide=True)
    ne = orig[2020].isna().to_numpy()
    assert ne.any()  # e.g. OC of power coal: written "not estimated", never 0 or blank
    # bilingual like the headers: "未估算 not estimated"
    assert (back[2020].to_numpy()[ne] == i18n.both("not_estimated")).all()
    np.testing.assert_allclose(back[2020].to_numpy()[~ne].astype(float),
                               orig[2020].to_numpy()[~ne])
    assert not list(tmp_path.glob("*.tmp.xlsx"))


def test_template_is_loadable_when_filled(tmp_path):
    from cocontrol.project.template import write_template

    path = write_template(tmp_path / "t")
    wb = openpyxl.load_workbook(path)
    assert {"README", "regions", "activity", "controls", "factors", "measured", "codes"} <= set(
        wb.sheetnames)
    assert wb["activity"]["A2"].value.startswith("【")  # Chinese header row
    # fill the template with the tiny project (keeping the Chinese header row) and load it
    src = write_project(tmp_path / "src")
    for name in ("regions", "activity", "controls", "factors", "measured"):
        ws = wb[name]
        ws.delete_rows(3, ws.max_row)
        df = pd.read_csv(src / f"{name}.csv")
        cols = [c.value for c in ws[1]]
        for row in df.itertuples(index=False):
            d = row._asdict()
            ws.append([None if pd.isna(d.get(c)) else d.get(c) for c in cols])
    proj = tmp_path / "filled"
    proj.mkdir()
    wb.save(proj / "inputs.xlsx")
    (proj / "project.yaml").write_text((src / "project.yaml").read_text())
    p = load_project(proj)
    assert p.activity["_row"].iloc[0] == 3  # row numbers as the user sees them
    pd.testing.assert_frame_equal(compute(p).total(), compute(load_project(src)).total())


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_cli_inventory_formats(tiny, fmt):
    r = CliRunner().invoke(app, ["inventory", str(tiny), "--by", "sector,fuel", "--format", fmt])
    assert r.exit_code == 0, r.output
    if fmt == "json":
        rows = json.loads(r.stdout)
        assert any(x["sector"] == "power" for x in rows)
    if fmt == "csv":
        assert "power" in r.stdout and "SO2" in r.stdout


def test_cli_inventory_xlsx_and_iamc(tiny, tmp_path):
    out = tmp_path / "i.xlsx"
    r = CliRunner().invoke(app, ["inventory", str(tiny), "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0 and out.exists()
    r = CliRunner().invoke(app, ["inventory", str(tiny), "--iamc", "--format", "csv"])
    assert "Emissions|SO2" in r.stdout


def test_cli_report_and_template(tiny, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["report", str(tiny), "--out", str(out), "--lang", "zh"])
    assert r.exit_code == 0, r.output
    html = (out / "inventory_report.html").read_text(encoding="utf-8")
    # self-contained by default: plotly.js inlined, nothing loaded from a CDN or a folder
    assert 'src="assets/' not in html and 'src="http' not in html and len(html) > 1_000_000
    assert "分部门" in html
    r = CliRunner().invoke(app, ["template", str(tmp_path / "tpl")])
    assert r.exit_code == 0 and (tmp_path / "tpl" / "inputs.xlsx").exists()
