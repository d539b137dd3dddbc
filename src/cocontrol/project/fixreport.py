"""The validation report of uploaded project files, row by row, with where to fix each problem
in Excel.

:func:`validation_report` turns the :class:`~cocontrol.errors.Problem` records of a validation
(``cocontrol validate``, an upload to the service) into rows a page or a table shows: severity,
file, sheet, row, column, the value found, the message and what is expected in the asked
language, and two places to fix it:

* ``cell``: the cell in the user's own file (``C5`` = the column's position in the file's header
  row, the row number as the user sees it, header = row 1), for CSV opened in Excel too;
* ``fix_sheet``/``fix_cell``: the cell in the *fix workbook* of :func:`fix_workbook`, the
  project's input template (``cocontrol template``: one sheet per table, row 1 column names,
  row 2 Chinese headings, data from row 3) filled with the user's rows, every problem cell
  marked red with the message as a comment and a first sheet ``problems`` whose rows link to
  the cells (``#'activity'!C5``).

A problem not tied to a table cell (a YAML key, a missing file) has no cell: ``None``.

>>> from cocontrol.errors import Problem
>>> files = {"regions.csv": b"region_id,parent_id,level\\ncity,,city\\nd1,city,distrct\\n"}
>>> p = Problem("regions.csv", "unknown level", row=3, column="level", value="distrct")
>>> r = validation_report([p], files)[0]
>>> r.table, r.cell, r.fix_sheet, r.fix_cell
('regions', 'C3', 'regions', 'C4')
"""

from __future__ import annotations

import io as _io
from dataclasses import asdict, dataclass

import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cocontrol import i18n
from cocontrol.errors import InputError, Problem
from cocontrol.project.io import OTHER_TABLES, ROW, read_folder
from cocontrol.project.schema import TABLES

__all__ = ["ReportRow", "fix_workbook", "validation_report"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_BAD = PatternFill("solid", fgColor="FF9999")
_WARN = PatternFill("solid", fgColor="FFE699")
#: first data row of a template sheet (row 1 names, row 2 Chinese headings)
FIRST_ROW = 3


@dataclass(frozen=True)
class ReportRow:
    severity: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: object
    message: str
    expected: str | None
    table: str | None  # the input table the problem is in (regions, activity, ...)
    cell: str | None  # cell in the user's own file, e.g. "C5"
    fix_sheet: str | None  # sheet of the fix workbook
    fix_cell: str | None  # cell in the fix workbook

    def to_dict(self) -> dict:
        d = asdict(self)
        v = d["value"]
        d["value"] = None if v is None else v if isinstance(v, bool | int | float | str) \
            else str(v)
        return d


def _table_of(p: Problem) -> str | None:
    base = p.file.replace("\\", "/").rsplit("/", 1)[-1]
    stem, _, ext = base.rpartition(".")
    names = (*TABLES, *OTHER_TABLES)
    if ext.lower() in ("csv", "xlsx", "txt") and stem in names:
        return stem
    if base == "inputs.xlsx" and p.sheet in names:
        return p.sheet
    return None


def _read(files: dict[str, bytes]) -> dict[str, pd.DataFrame]:
    try:
        raw, _ = read_folder(files)
    except InputError:
        return {}
    return {k: v for k, v in raw["tables"].items() if v is not None}


def _locate(df: pd.DataFrame | None, p: Problem, spec_cols: list[str] | None):
    """(cell in the user's file, data position i or None, column position in the schema)."""
    if df is None:
        return None, None, None
    cols = [c for c in df.columns if c != ROW]
    pos = None
    if p.row is not None and ROW in df.columns:
        hit = [i for i, r in enumerate(df[ROW].tolist()) if int(r) == int(p.row)]
        pos = hit[0] if hit else None
    cell = None
    if p.row is not None and p.column in cols:
        cell = f"{get_column_letter(cols.index(p.column) + 1)}{int(p.row)}"
    elif p.row is not None and p.row == 1 and p.column is None:
        cell = "A1"
    spec_pos = spec_cols.index(p.column) if spec_cols and p.column in spec_cols else None
    return cell, pos, spec_pos


def _text(v, lang: str) -> str | None:
    return None if v is None else i18n.tr(v, lang)


def validation_report(problems: list[Problem], files: dict[str, bytes], lang: str = "en"
                      ) -> list[ReportRow]:
    """One row per problem (errors first, then warnings and notes; by file and row), with the
    cell to fix in the user's file and in :func:`fix_workbook`."""
    lang = i18n.check_lang(lang)
    tables = _read(files)
    out = []
    for p in problems:
        table = _table_of(p)
        spec = TABLES.get(table) if table else None
        spec_cols = [c.name for c in spec.columns] if spec else None
        cell, pos, spec_pos = _locate(tables.get(table) if table else None, p, spec_cols)
        fix_cell = None
        if spec is not None and pos is not None:
            fix_cell = f"{get_column_letter((spec_pos or 0) + 1)}{pos + FIRST_ROW}"
        elif spec is not None and p.row == 1:  # a header problem: the heading row
            fix_cell = f"{get_column_letter((spec_pos or 0) + 1)}1"
        out.append(ReportRow(p.severity, p.file, p.sheet, p.row, p.column, p.value,
                             _text(p.message, lang) or "", _text(p.expected, lang), table,
                             cell, table if spec is not None else None, fix_cell))
    out.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.file,
                            r.row if r.row is not None else 0))
    return out


def _number(v):
    if not isinstance(v, str):
        return v
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f


def fix_workbook(files: dict[str, bytes], problems: list[Problem], lang: str = "en") -> bytes:
    """The input template filled with the user's rows, problem cells marked (red: error,
    yellow: warning) with the message as a comment, and a ``problems`` sheet linking to each
    cell. Returns the .xlsx content. Columns not in the schema are not carried over."""
    from cocontrol.project.template import build_workbook

    lang = i18n.check_lang(lang)
    tables = _read(files)
    frames = {}
    for name, spec in TABLES.items():
        df = tables.get(name)
        if df is not None:
            df = df.reindex(columns=[c.name for c in spec.columns])
            for c in spec.columns:  # numbers as numbers in Excel; what does not parse as is
                if c.dtype in ("float", "int"):
                    df[c.name] = [_number(v) for v in df[c.name]]
            frames[name] = df
    wb = build_workbook(frames)
    rows = validation_report(problems, files, lang)
    ws = wb.create_sheet("problems", 0)
    heads = [("severity", "严重程度"), ("file", "文件"), ("row", "行"), ("column", "列"),
             ("value", "值"), ("message", "问题"), ("expected", "应为"), ("cell", "单元格")]
    ws.append([f"{en} {zh}" for en, zh in heads])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for j, w in enumerate((10, 18, 6, 16, 16, 60, 40, 16), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    for r in rows:
        ref = f"{r.fix_sheet}!{r.fix_cell}" if r.fix_cell else None
        ws.append([r.severity, r.file + (f" [{r.sheet}]" if r.sheet else ""), r.row, r.column,
                   None if r.value is None else str(r.value), r.message, r.expected, ref])
        if ref:
            link = ws.cell(ws.max_row, 8)
            link.hyperlink = f"#'{r.fix_sheet}'!{r.fix_cell}"
            link.font = Font(color="0563C1", underline="single")
            target = wb[r.fix_sheet][r.fix_cell]
            target.fill = _BAD if r.severity == "error" else _WARN
            text = r.message + (f" — {r.expected}" if r.expected else "")
            old = target.comment.text + "\n" if target.comment else ""
            target.comment = Comment(old + text, "cocontrol")
    buf = _io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
