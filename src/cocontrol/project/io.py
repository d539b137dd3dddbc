"""Reading project tables from CSV or Excel with the same columns.

A table NAME is read from ``NAME.csv``, ``NAME.xlsx`` (first sheet), or the sheet NAME of
``inputs.xlsx``. Every cell is read as text and converted here, so that a bad cell becomes a
:class:`~cocontrol.errors.Problem` naming file, sheet, row and column rather than a crash.

The returned frame carries the origin of each row in ``_row`` (the row number the user sees:
header is row 1) and the table's file/sheet in ``df.attrs``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.errors import Problem
from cocontrol.project.schema import TableSpec

ROW = "_row"


def locate(folder: Path, name: str) -> tuple[Path, str | None] | None:
    """Where table ``name`` lives in ``folder``: (file, sheet) or None."""
    csv = folder / f"{name}.csv"
    if csv.exists():
        return csv, None
    xlsx = folder / f"{name}.xlsx"
    if xlsx.exists():
        return xlsx, None
    book = folder / "inputs.xlsx"
    if book.exists():
        import openpyxl

        wb = openpyxl.load_workbook(book, read_only=True)
        try:
            if name in wb.sheetnames:
                return book, name
        finally:
            wb.close()
    return None


def read_raw(path: Path, sheet: str | None) -> pd.DataFrame:
    """Read a CSV or an Excel sheet with every cell as text (blank cells as NA)."""
    if path.suffix.lower() == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                         skipinitialspace=True, encoding="utf-8-sig", comment=None)
    else:
        df = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="openpyxl")
        # Template workbooks carry a second, Chinese header row: drop it if present.
        if len(df) and _is_zh_header(df.iloc[0]):
            df = df.iloc[1:]
            df.index = df.index + 0
            offset = 3
        else:
            offset = 2
        df.columns = [str(c).strip() for c in df.columns]
        df[ROW] = np.arange(len(df)) + offset
        return df.reset_index(drop=True)
    df.columns = [str(c).strip() for c in df.columns]
    offset = 2
    # Skeleton CSVs (cocontrol init) carry the template's Chinese header row: skip it.
    if len(df) and _is_zh_header(df.iloc[0]):
        df = df.iloc[1:].reset_index(drop=True)
        offset = 3
    df[ROW] = np.arange(len(df)) + offset
    return df


def _is_zh_header(row: pd.Series) -> bool:
    vals = [str(v) for v in row.to_numpy() if isinstance(v, str)]
    return bool(vals) and all(v.startswith("【") for v in vals)


def coerce(df: pd.DataFrame, spec: TableSpec, file: str, sheet: str | None
           ) -> tuple[pd.DataFrame, list[Problem]]:
    """Check columns and convert types; return the typed frame and the problems found."""
    problems: list[Problem] = []
    missing = [c for c in spec.required if c not in df.columns]
    for c in missing:
        problems.append(Problem(file=file, sheet=sheet, column=c, message="required column "
                                f"'{c}' is missing", expected=f"columns {', '.join(spec.required)}"))
    known = {c.name for c in spec.columns} | {ROW}
    for c in df.columns:
        if c not in known and not c.startswith("Unnamed"):
            problems.append(Problem(file=file, sheet=sheet, column=c, severity="warning",
                                    message=f"unknown column '{c}' is ignored",
                                    expected=", ".join(x.name for x in spec.columns)))
    out = pd.DataFrame({ROW: df[ROW].to_numpy()})
    for col in spec.columns:
        if col.name not in df.columns:
            out[col.name] = np.nan if col.dtype != "str" else pd.NA
            continue
        raw = df[col.name]
        s = raw.astype("string").str.strip()
        s = s.mask(s == "")
        if col.dtype == "str":
            out[col.name] = s.to_numpy(dtype=object)
            blank = s.isna().to_numpy()
        else:
            num = pd.to_numeric(s, errors="coerce")
            bad = num.isna() & s.notna()
            for i in np.flatnonzero(bad.to_numpy())[:200]:
                problems.append(Problem(file=file, sheet=sheet, row=int(df[ROW].iat[i]),
                                        column=col.name, value=s.iat[i],
                                        message="not a number", expected="a number"))
            if col.dtype == "int":
                frac = num.notna() & (num != np.floor(num.fillna(0)))
                for i in np.flatnonzero(frac.to_numpy())[:200]:
                    problems.append(Problem(file=file, sheet=sheet, row=int(df[ROW].iat[i]),
                                            column=col.name, value=s.iat[i],
                                            message="not a whole number", expected="a year"))
            out[col.name] = num.to_numpy(dtype=float)
            blank = s.isna().to_numpy()
        if col.required:
            for i in np.flatnonzero(blank)[:200]:
                problems.append(Problem(file=file, sheet=sheet, row=int(df[ROW].iat[i]),
                                        column=col.name, message="required value is empty",
                                        expected=col.description_en))
    out.attrs["file"] = file
    out.attrs["sheet"] = sheet
    return out, problems
