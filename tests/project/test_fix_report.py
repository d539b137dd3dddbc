"""The validation report row by row with the cell to fix in Excel (cocontrol.project.fixreport):
problems found by the real validator on a demo-city copy with errors planted by hand; the
expected cells are counted by hand from the planted rows and the schema's column order."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from cocontrol.errors import InputError, Problem
from cocontrol.project import Project
from cocontrol.project.fixreport import fix_workbook, validation_report
from cocontrol.project.schema import ACTIVITY

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="module")
def broken():
    """Demo city with two planted errors in activity.csv: data row 3 (file row 4) has the value
    '12,5x' and data row 5 (file row 6) the sector 'powr'."""
    files = {p.name: p.read_bytes() for p in DEMO.iterdir() if p.is_file()}
    df = pd.read_csv(io.BytesIO(files["activity.csv"]), dtype=str, keep_default_na=False)
    df.loc[2, "value"] = "12,5x"
    df.loc[4, "sector"] = "powr"
    files["activity.csv"] = df.to_csv(index=False).encode()
    with pytest.raises(InputError) as e:
        Project.from_files(files)
    return files, e.value.problems


def test_rows_name_the_cells_of_the_users_file_and_the_fix_workbook(broken):
    files, problems = broken
    rows = validation_report(problems, files)
    assert rows[0].severity == "error"
    by = {(r.row, r.column): r for r in rows if r.table == "activity"}
    value = by[(4, "value")]
    # activity.csv header: source_id,region_id,sector,fuel,process,year,value,... -> G
    assert value.cell == "G4" and value.value == "12,5x"
    # the fix workbook: schema order (value is column 7 = G), data row 3 on sheet row 3 + 2 = 5
    assert [c.name for c in ACTIVITY.columns].index("value") == 6
    assert (value.fix_sheet, value.fix_cell) == ("activity", "G5")
    sector = by[(6, "sector")]
    assert sector.cell == "C6" and sector.fix_cell == "C7"
    assert all(r.message for r in rows)


def test_report_in_chinese_translates_catalogue_messages():
    from cocontrol.i18n import Msg, t

    p = Problem("project.yaml", Msg("err_template_exists"), severity="warning")
    (en,), (zh,) = validation_report([p], {}), validation_report([p], {}, lang="zh")
    assert en.message == t("err_template_exists", "en")
    assert zh.message == t("err_template_exists", "zh") and zh.message != en.message
    assert en.cell is None and en.fix_cell is None and en.table is None  # no cell in a YAML


def test_fix_workbook_marks_the_cells_and_links_them(broken):
    files, problems = broken
    wb = load_workbook(io.BytesIO(fix_workbook(files, problems)))
    assert wb.sheetnames[0] == "problems"
    act = wb["activity"]
    assert act["G5"].value == "12,5x" and act["C7"].value == "powr"  # the user's values
    assert act["G5"].fill.fgColor.rgb.endswith("FF9999") and act["G5"].comment is not None
    assert act["A3"].value == "PP1_U1"  # first data row of the demo on sheet row 3
    assert act["G3"].value == 1160641.515  # a number in Excel, not text
    links = [c.hyperlink.location if c.hyperlink.location else c.hyperlink.target
             for c in wb["problems"]["H"][1:] if c.hyperlink is not None]
    assert "'activity'!G5" in "".join(links) and "'activity'!C7" in "".join(links)
    # every data row of the user's activity table is in the workbook
    n = len(pd.read_csv(io.BytesIO(files["activity.csv"]), dtype=str))
    assert act.max_row == n + 2
