"""Excel template: one documented sheet per input table, plus reference code lists.

Row 1 holds the column names (what the loader reads), row 2 the Chinese headers in 【】
(skipped by the loader), then one example row. A ``README`` sheet documents every column
(type, unit, required, English and Chinese descriptions) and a ``codes`` sheet lists allowed
codes (sectors, fuels, processes, species, technologies, levels).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cocontrol import refdata
from cocontrol.project.hierarchy import LEVELS
from cocontrol.project.schema import TABLES

_HEAD = PatternFill("solid", fgColor="DDEBF7")
_REQ = PatternFill("solid", fgColor="FCE4D6")


def write_template(folder: str | Path) -> Path:
    """Write ``template.xlsx`` (all input tables as sheets) and ``project.yaml`` to ``folder``.

    The workbook can be filled in and saved as ``inputs.xlsx`` in a project folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme.append(["table 表", "column 列", "required 必填", "type 类型", "unit 单位",
                   "allowed codes 代码表", "description", "说明"])
    for c in readme[1]:
        c.font = Font(bold=True)
        c.fill = _HEAD
    for spec in TABLES.values():
        for col in spec.columns:
            readme.append([spec.name, col.name, "yes 是" if col.required else "no 否",
                           col.dtype, col.unit, col.codes or "", col.description_en,
                           col.description_zh])
        ws = wb.create_sheet(spec.name)
        ws.append([c.name for c in spec.columns])
        ws.append([f"【{c.description_zh.split('（')[0].split('；')[0]}】" for c in spec.columns])
        ws.append([c.example for c in spec.columns])
        for j, col in enumerate(spec.columns, start=1):
            ws.cell(1, j).font = Font(bold=True)
            ws.cell(1, j).fill = _REQ if col.required else _HEAD
            ws.column_dimensions[get_column_letter(j)].width = max(12, len(col.name) + 4)
    codes = wb.create_sheet("codes")
    lists = {
        "level": pd.DataFrame({"code": LEVELS}),
        "sector": refdata.table("sectors")[["code", "name_en", "name_zh"]],
        "fuel": refdata.table("fuels")[["code", "name_en", "name_zh"]],
        "process": refdata.table("processes")[["code", "name_en", "name_zh"]],
        "species": refdata.table("species")[["code", "name_en", "name_zh"]],
        "technology": refdata.table("control_tech")[["code", "name_en", "name_zh"]],
    }
    col = 1
    for title, df in lists.items():
        codes.cell(1, col, title).font = Font(bold=True)
        for i, row in enumerate(df.itertuples(index=False), start=2):
            for k, v in enumerate(row):
                codes.cell(i, col + k, v)
        col += df.shape[1] + 1
    out = folder / "template.xlsx"
    tmp = folder / ".template.tmp.xlsx"
    wb.save(tmp)
    tmp.replace(out)
    manifest = folder / "project.yaml"
    if not manifest.exists():
        manifest.write_text(
            "# cocontrol project manifest (see docs/data-schema.md)\n"
            "name: My City\nname_zh: 我的城市\nbase_year: 2020\nyears: [2020]\n"
            "gwp: AR6            # AR5 | AR6\n"
            "factor_sets: [user, default]\n"
            "so2_method: factor  # factor | sulfur_balance\n"
            "grid_factor: cn_national_2022   # code in grid.csv or tCO2/MWh\n"
            "heat_factor: cn_heat_default    # code in grid.csv or tCO2/GJ\n"
            "currency: yuan\nprice_year: 2020\n", encoding="utf-8")
    return out
