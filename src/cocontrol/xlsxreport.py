"""Excel workbooks people can read: bilingual frozen headers, a units row, number formats,
column widths.

Row 1 of every sheet is the header in Chinese and English (``部门 Sector``: words of the
catalogue, else the column name), row 2 the unit of each column, both frozen with the first
column; numbers carry an Excel number format (thousands separators, fixed decimals chosen from
the column's magnitude, years without separators) so that values stay numbers, not text.
Written atomically (temporary file, then rename).

>>> unit_of("CO2_reduction_t"), unit_of("PM2.5_plan_ugm3"), unit_of("cost_pv_yuan")
('t', 'µg/m³', 'yuan')
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import i18n

_SUFFIX_UNITS = (
    ("_ugm3", "µg/m³"), ("_1e8_yuan_per_yr", "1e8 yuan/yr"), ("_1e8_yuan", "1e8 yuan"),
    ("_yuan_per_t", "yuan/t"), ("_yuan", "yuan"), ("_Mt", "Mt"), ("_kt", "kt"), ("_t", "t"),
    ("_pct", "%"), ("_%", "%"), ("_mtce", "Mtce"), ("_Mtce", "Mtce"), ("_s", "s"),
)


def unit_of(column) -> str:
    """A unit guessed from a column name's suffix (``_t``, ``_Mt``, ``_yuan``, ``_ugm3`` ...)
    or a trailing ``(unit)``; ``""`` when none."""
    s = str(column)
    m = re.search(r"\(([^()]*)\)\s*$", s)
    if m:
        return m.group(1)
    for suf, u in _SUFFIX_UNITS:
        if s.endswith(suf):
            return u
    return ""


def _header(column):
    if isinstance(column, tuple):
        return " / ".join(str(_header(c)) for c in column if str(c) != "")
    if isinstance(column, Integral) and not isinstance(column, bool):
        return int(column)  # a year stays a number (readers find column 2020)
    if isinstance(column, float) and column.is_integer():
        return int(column)
    s = str(column)
    if i18n.has(f"col_{s}"):
        return i18n.both(f"col_{s}")
    return i18n.both(s) if i18n.has(s) else s


def _is_year_col(name, values) -> bool:
    from cocontrol.htmlreport import is_year_label

    nums = [v for v in values if isinstance(v, Real) and not isinstance(v, bool)
            and not (isinstance(v, float) and math.isnan(v))]
    return is_year_label(name) and bool(nums) and all(float(v).is_integer()
                                                       and 1900 <= v <= 2200 for v in nums)


def _number_format(values, year: bool) -> str | None:
    from cocontrol.htmlreport import decimals_for

    nums = [v for v in values if isinstance(v, Real) and not isinstance(v, bool)]
    if not nums:
        return None
    if year:
        return "0"
    if all(isinstance(v, Integral) for v in nums):
        return "#,##0"
    d = decimals_for(nums)
    return "#,##0" if d == 0 else "#,##0." + "0" * d


def _cell(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, list | dict | tuple | set):
        return str(v)
    return v


def _numeric_cells(col: pd.Series) -> bool:
    """A numeric column, also when some cells read "not estimated" (never 0 or blank)."""
    if pd.api.types.is_numeric_dtype(col):
        return True
    marks = {i18n.t("not_estimated", "en"), i18n.t("not_estimated", "zh"),
             i18n.both("not_estimated")}
    vals = [v for v in col if not (isinstance(v, float) and v != v) and v is not None]
    nums = [v for v in vals if isinstance(v, int | float) and not isinstance(v, bool)]
    return bool(nums) and all(v in marks for v in vals if isinstance(v, str)) and \
        len(nums) + sum(isinstance(v, str) for v in vals) == len(vals)


def write_sheet(wb, name: str, df: pd.DataFrame, units: dict | None = None,
                index: bool | None = None, plain: bool = False) -> None:
    """Add sheet ``name`` (≤ 31 characters) with ``df`` formatted as described above.

    ``plain``: column names exactly as in ``df`` and no units row (sheets in a standard
    exchange format, e.g. IAMC), still with number formats, widths and a frozen header."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    if index is None:
        index = not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
    d = df
    if index:
        names = [n if n is not None else "" for n in df.index.names]
        d = df.copy()
        d.index = d.index.set_names([f"__i{k}" for k in range(len(names))])
        d = d.reset_index()
        d.columns = [*names, *df.columns]
    ws = wb.create_sheet(name[:31])
    units = units or {}
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    unit_fill = PatternFill("solid", fgColor="F2F2F2")
    cols = list(d.columns)
    first = 2 if plain else 3
    # numeric columns without a unit of their own: the frame's unit column says it
    row_unit = ""
    if "unit" in d.columns:
        u_vals = {str(u) for u in d["unit"].dropna()}
        row_unit = u_vals.pop() if len(u_vals) == 1 else (i18n.both("xlsx_see_unit")
                                                          if u_vals else "")
    for j, c in enumerate(cols, start=1):
        h = ws.cell(1, j, c if plain else _header(c))
        h.font = Font(bold=True)
        h.fill = head_fill
        h.alignment = Alignment(wrap_text=True, vertical="top")
        if not plain:
            u_txt = units.get(c, unit_of(c))
            if not u_txt and row_unit and c != "unit" and _numeric_cells(d.iloc[:, j - 1]):
                u_txt = row_unit
            u = ws.cell(2, j, u_txt)
            u.font = Font(italic=True, color="555555")
            u.fill = unit_fill
    for i, row in enumerate(d.itertuples(index=False, name=None), start=first):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, _cell(v))
    for j, c in enumerate(cols, start=1):
        vals = d.iloc[:, j - 1].tolist()
        year = _is_year_col(_header(c), vals)
        fmt = _number_format(vals, year)
        if fmt:
            for i in range(first, len(d) + first):
                ws.cell(i, j).number_format = fmt
        sample = [len(str(v)) for v in vals[:200] if v is not None]
        width = max([len(str(ws.cell(1, j).value)) * (1.6 if not str(c).isascii() else 1.0),
                     len(str(ws.cell(2, j).value or "")), *(s + 2 for s in sample)] or [8])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 1))
    ws.freeze_panes = ("B" if len(cols) > 1 else "A") + str(first)
    ws.row_dimensions[1].height = 30
    keys = wb["_keys"] if "_keys" in wb.sheetnames else None
    if keys is None:
        keys = wb.create_sheet("_keys")
        keys.append(["sheet", "column", "key", "units_row"])
        keys.sheet_state = "hidden"
    for j, c in enumerate(cols, start=1):
        keys.append([ws.title, j, str(c), 0 if plain else 1])


def write_workbook(sheets: dict[str, pd.DataFrame], path: str | Path,
                   units: dict[str, dict] | None = None, plain: tuple[str, ...] = ("iamc",),
                   index: bool | None = None) -> Path:
    """Write every frame of ``sheets`` to one workbook at ``path`` (atomically); sheets named
    in ``plain`` keep their exact column names and have no units row (see
    :func:`write_sheet`). Read such a workbook back with :func:`read_sheet`."""
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, df in sheets.items():
        if df is None:
            continue
        clean = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip() or "sheet"
        nm = clean[:31]
        k = 2
        while nm in used:
            nm = f"{clean[:28]}_{k}"
            k += 1
        used.add(nm)
        write_sheet(wb, nm, df if isinstance(df, pd.DataFrame) else pd.DataFrame(df),
                    (units or {}).get(name), index=index, plain=name in plain)
    if not wb.sheetnames:
        wb.create_sheet("empty")
    if "_keys" in wb.sheetnames:  # the hidden key sheet last
        wb.move_sheet("_keys", offset=len(wb.sheetnames) - 1 - wb.sheetnames.index("_keys"))
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def read_workbook(path: str | Path) -> dict[str, pd.DataFrame]:
    """Every sheet written by :func:`write_workbook` as a frame with its original column keys
    (from the hidden ``_keys`` sheet) and without the units row."""
    raw = pd.read_excel(path, sheet_name=None, header=None)
    keys = raw.pop("_keys", None)
    out = {}
    for name, df in raw.items():
        k = None if keys is None else keys.iloc[1:][keys.iloc[1:, 0] == name]
        units_row = bool(k is not None and len(k) and int(k.iloc[0, 3]))
        body = df.iloc[(2 if units_row else 1):].reset_index(drop=True)
        if k is not None and len(k) == df.shape[1]:
            cols = [_key(v) for v in k.iloc[:, 2]]
        else:
            cols = list(df.iloc[0])
        body.columns = cols
        out[name] = body.infer_objects().apply(_numeric)
    return out


def _key(v):
    s = str(v)
    return int(s) if s.isdigit() else s


def _numeric(col: pd.Series) -> pd.Series:
    conv = pd.to_numeric(col, errors="coerce")
    return conv if conv.notna().sum() == col.notna().sum() else col


def read_sheet(path: str | Path, sheet: str | int) -> pd.DataFrame:
    """One sheet of :func:`read_workbook` (by name or position)."""
    book = read_workbook(path)
    return book[sheet] if isinstance(sheet, str) else list(book.values())[sheet]
