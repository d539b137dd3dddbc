"""User-supplied linear sensitivity matrix (µg/m³ per t/yr).

File layout (CSV or one Excel sheet), one row per coefficient::

    receptor, [component], source_region, precursor, [sector], ugm3_per_t

``component`` defaults to ``PM2.5`` (a total-PM2.5 sensitivity; ``PM25`` is read as ``PM2.5``) and ``sector`` to all sectors.
An optional base-concentration table (``receptor, [component], base_ugm3``) gives the
base-case concentrations; without it the model still predicts the changes.

Every problem is reported with the file, sheet, row (header = row 1) and column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.airquality.base import (
    ALL_SECTORS,
    GAS_COMPONENTS,
    PM25,
    PM_COMPONENTS,
    PRECURSORS,
    LinearSourceReceptor,
    canonical_component,
    canonical_precursor,
)
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

VALUE_COLUMN = "ugm3_per_t"
_COMPONENTS = (*PM_COMPONENTS, PM25, *GAS_COMPONENTS)


def _read_table(path: str | Path, sheet: str | int | None) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise InputError(Problem(str(p), M("msg.aq_file_not_found")))
    from cocontrol import io

    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return io.read_excel(p, sheet_name=sheet if sheet is not None else 0)
    return io.read_csv(p)


def _text_col(df: pd.DataFrame, col: str, file: str, sheet, problems: list[Problem],
              default: str | None = None) -> pd.Series:
    if col not in df.columns:
        if default is not None:
            return pd.Series(default, index=df.index)
        problems.append(Problem(file, M("msg.aq_missing_column", col=col), sheet=sheet, column=col))
        return pd.Series("", index=df.index)
    s = df[col]
    empty = s.isna() | (s.astype(str).str.strip() == "")
    if default is not None:
        return s.astype(str).str.strip().where(~empty, default)
    for i in np.flatnonzero(empty.to_numpy()):
        problems.append(Problem(file, M("msg.aq_empty_cell"), sheet=sheet, row=int(i) + 2, column=col,
                                expected=M("msg.aq_name")))
    return s.astype(str).str.strip()


def validate_matrix(df: pd.DataFrame, file: str = "<matrix>", sheet: str | None = None
                    ) -> pd.DataFrame:
    """Validate a sensitivity table; return ``receptor, component, source_region, precursor,
    sector, coef`` (µg/m³ per t/yr) or raise :class:`InputError` listing every problem."""
    df = df.reset_index(drop=True)
    df.columns = [str(c).strip() for c in df.columns]
    problems: list[Problem] = []
    rec = _text_col(df, "receptor", file, sheet, problems)
    src = _text_col(df, "source_region", file, sheet, problems)
    comp = _text_col(df, "component", file, sheet, problems, default=PM25).map(
        canonical_component)
    sec = _text_col(df, "sector", file, sheet, problems, default=ALL_SECTORS)
    prec_raw = _text_col(df, "precursor", file, sheet, problems)
    prec = prec_raw.map(canonical_precursor)
    if "precursor" in df.columns:
        for i in np.flatnonzero(prec.isna().to_numpy()):
            problems.append(Problem(file, M("msg.aq_unknown_precursor"), sheet=sheet, row=int(i) + 2,
                                    column="precursor", value=df["precursor"].iloc[i],
                                    expected=M("msg.aq_one_of", items=Seq(list(PRECURSORS), quote=True), more="")))
    if "component" in df.columns:
        for i in np.flatnonzero(~comp.isin(_COMPONENTS).to_numpy()):
            problems.append(Problem(file, M("msg.aq_unknown_component"), sheet=sheet, row=int(i) + 2,
                                    column="component", value=comp.iloc[i],
                                    expected=M("msg.aq_one_of", items=Seq(list(_COMPONENTS), quote=True), more="")))
    if VALUE_COLUMN not in df.columns:
        problems.append(Problem(file, M("msg.aq_missing_column2", value_column=VALUE_COLUMN), sheet=sheet,
                                column=VALUE_COLUMN,
                                expected=M("msg.aq_sensitivity_g_m_per")))
        raise InputError(problems)
    val = pd.to_numeric(df[VALUE_COLUMN], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(~np.isfinite(val)):
        problems.append(Problem(file, M("msg.aq_not_number"), sheet=sheet, row=int(i) + 2,
                                column=VALUE_COLUMN, value=df[VALUE_COLUMN].iloc[i],
                                expected=M("msg.aq_number_g_m_per")))
    out = pd.DataFrame({"receptor": rec, "component": comp, "source_region": src,
                        "precursor": prec, "sector": sec, "coef": val})
    key = ["receptor", "component", "source_region", "precursor", "sector"]
    dup = out.duplicated(key, keep="first").to_numpy()
    for i in np.flatnonzero(dup):
        first = int(np.flatnonzero((out[key] == out[key].iloc[i]).all(axis=1).to_numpy())[0])
        problems.append(Problem(file, M("msg.aq_duplicate_coefficient_same_key", first_2=first + 2),
                                sheet=sheet, row=int(i) + 2, column=VALUE_COLUMN,
                                value="/".join(str(out[k].iloc[i]) for k in key)))
    # PM25 totals and PM2.5 components must not both be given for one receptor (double count)
    both = set(out.loc[out["component"] == PM25, "receptor"]) & set(
        out.loc[out["component"].isin(PM_COMPONENTS), "receptor"])
    for r in sorted(both):
        problems.append(Problem(file, M("msg.aq_receptor_has_both_pm2"), sheet=sheet,
                                column="component", value=r))
    # a sector-specific and an all-sector coefficient for one key would be added twice
    gen = out[out["sector"] == ALL_SECTORS][key[:-1]].drop_duplicates()
    mixed = out[out["sector"] != ALL_SECTORS].merge(gen, on=key[:-1])
    for r in mixed.drop_duplicates(key[:-1]).itertuples():
        problems.append(Problem(file, M("msg.aq_both_sector_specific_all"),
                                sheet=sheet, column="sector",
                                value=f"{r.receptor}/{r.component}/{r.source_region}/"
                                      f"{r.precursor}"))
    if problems:
        raise InputError(problems)
    return out


def _validate_base(df: pd.DataFrame, file: str, sheet) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    problems: list[Problem] = []
    rec = _text_col(df, "receptor", file, sheet, problems)
    comp = _text_col(df, "component", file, sheet, problems, default=PM25).map(
        canonical_component)
    if "base_ugm3" not in df.columns:
        problems.append(Problem(file, M("msg.aq_missing_column_base_ugm3"), sheet=sheet,
                                column="base_ugm3", expected=M("msg.aq_base_concentration_g_m")))
        raise InputError(problems)
    v = pd.to_numeric(df["base_ugm3"], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(~np.isfinite(v) | (v < 0)):
        problems.append(Problem(file, M("msg.aq_base_concentration_number_0"), sheet=sheet,
                                row=int(i) + 2, column="base_ugm3", value=df["base_ugm3"].iloc[i]))
    if problems:
        raise InputError(problems)
    return pd.DataFrame({"receptor": rec, "component": comp, "base": v})


def sensitivity_matrix_model(matrix: pd.DataFrame, base: pd.DataFrame | None = None,
                             file: str = "<matrix>", base_file: str = "<base>",
                             name: str = "user sensitivity matrix") -> LinearSourceReceptor:
    """Linear model from an in-memory sensitivity table (validated as :func:`validate_matrix`).

    Coefficients for total PM2.5 (component ``PM2.5``) stay totals: ``predict`` reports one
    ``PM2.5`` row per receptor whose base comes from ``base`` (component ``PM2.5``).
    """
    coef = validate_matrix(matrix, file=file)
    b = _validate_base(base, base_file, None) if base is not None else None
    _check_base_matches(coef, b, base_file)
    return LinearSourceReceptor(coef, b, name=name, metadata={"file": file, "base_file": base_file})


def read_sensitivity_matrix(path: str | Path, sheet: str | int | None = None,
                            base: str | Path | pd.DataFrame | None = None,
                            base_sheet: str | int | None = None) -> LinearSourceReceptor:
    """Read a user sensitivity matrix (CSV or Excel) into a linear model.

    Parameters
    ----------
    path, sheet
        The coefficient table (see module docstring); ``sheet`` for Excel files.
    base, base_sheet
        Optional base concentrations (file or DataFrame with ``receptor, [component],
        base_ugm3``).

    Raises
    ------
    InputError
        Naming file, sheet, row and column of every problem.
    """
    df = _read_table(path, sheet)
    coef = validate_matrix(df, file=str(path), sheet=None if sheet is None else str(sheet))
    b = None
    if base is not None:
        bdf = base if isinstance(base, pd.DataFrame) else _read_table(base, base_sheet)
        b = _validate_base(bdf, "<base>" if isinstance(base, pd.DataFrame) else str(base),
                           None if base_sheet is None else str(base_sheet))
        _check_base_matches(coef, b, "<base>" if isinstance(base, pd.DataFrame) else str(base))
    return LinearSourceReceptor(coef, b, name=f"sensitivity matrix {Path(path).name}",
                             metadata={"file": str(path)})


def _check_base_matches(coef: pd.DataFrame, base: pd.DataFrame | None, file: str) -> None:
    """A receptor with per-component coefficients needs per-component base values."""
    if base is None:
        return
    comp_rec = set(coef.loc[coef["component"].isin(PM_COMPONENTS), "receptor"])
    bad = base[(base["component"] == PM25) & base["receptor"].isin(comp_rec)]
    probs = [Problem(file, M("msg.aq_base_given_as_total"),
                     row=int(i) + 2, column="component", value=r)
             for i, r in zip(bad.index, bad["receptor"], strict=True)]
    if probs:
        raise InputError(probs)
