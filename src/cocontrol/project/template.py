"""Excel input workbook ``inputs.xlsx``: one documented sheet per input table, code lists.

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


def write_workbook(path: str | Path, frames: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write an input workbook (:func:`build_workbook`) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = build_workbook(frames)
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return path


def build_workbook(frames: dict[str, pd.DataFrame] | None = None) -> Workbook:
    """An input workbook: one sheet per table (row 1 column names, row 2 Chinese headers
    in 【】, then the rows of ``frames`` (columns in the schema's order), or the schema's
    example row), a ``README`` sheet documenting every column and a ``codes`` sheet of allowed
    codes. Frozen header rows. Data row ``i`` (0-based) of a table is on sheet row ``i + 3``."""
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme.append(["table 表", "column 列", "required 必填", "type 类型", "unit 单位",
                   "allowed codes 代码表", "description", "说明"])
    for c in readme[1]:
        c.font = Font(bold=True)
        c.fill = _HEAD
    readme.freeze_panes = "A2"
    for j, w in enumerate((12, 18, 12, 8, 10, 14, 60, 40), start=1):
        readme.column_dimensions[get_column_letter(j)].width = w
    for spec in TABLES.values():
        for col in spec.columns:
            readme.append([spec.name, col.name, "yes 是" if col.required else "no 否",
                           col.dtype, col.unit, col.codes or "", col.description_en,
                           col.description_zh])
        ws = wb.create_sheet(spec.name)
        ws.append([c.name for c in spec.columns])
        ws.append([f"【{c.description_zh.split('（')[0].split('；')[0].split('，')[0]}】"
                   for c in spec.columns])
        if frames is None:
            ws.append([c.example for c in spec.columns])
        else:
            df = frames.get(spec.name)
            for r in (df.itertuples(index=False) if df is not None else []):
                ws.append([None if (v is None or (isinstance(v, float) and v != v)) else v
                           for v in r])
        ws.freeze_panes = "A3"
        for j, col in enumerate(spec.columns, start=1):
            ws.cell(1, j).font = Font(bold=True)
            ws.cell(1, j).fill = _REQ if col.required else _HEAD
            ws.cell(2, j).fill = _REQ if col.required else _HEAD
            ws.column_dimensions[get_column_letter(j)].width = max(12, len(col.name) + 4,
                                                                   2 * len(ws.cell(2, j).value))
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
        for k in range(df.shape[1]):
            codes.column_dimensions[get_column_letter(col + k)].width = 22
        col += df.shape[1] + 1
    codes.freeze_panes = "A2"
    return wb


def write_template(folder: str | Path, force: bool = False) -> Path:
    """Write ``inputs.xlsx`` (every input table as a sheet, README and code lists), the file
    name the loader reads, plus a ``project.yaml`` if there is none.

    The sheets hold the rows of :mod:`cocontrol.project.skeleton` (EXAMPLE data of a city-wide
    project, valid as written). An existing ``inputs.xlsx`` is never overwritten unless
    ``force`` (it may hold the user's data).
    """
    from cocontrol.errors import InputError, Problem
    from cocontrol.i18n import Msg
    from cocontrol.project import skeleton as sk

    folder = Path(folder)
    out = folder / "inputs.xlsx"
    if out.exists() and not force:
        raise InputError(Problem(str(out), Msg("err_template_exists"),
                                 expected=Msg("err_template_exists_expected")))
    manifest = folder / "project.yaml"
    name = folder.resolve().name or "My City"
    frames = {t: sk.table_rows(t, sk.slug(name), name, name, 2020, sk.DEFAULT_SECTORS)
              for t in TABLES}
    write_workbook(out, frames)
    if not manifest.exists():
        manifest.write_text(sk.project_yaml(name, name, 2020), encoding="utf-8")
    return out
