"""Indicator values per unit and year: reading, validation, missing values.

Accepted layouts (CSV or the first sheet / a sheet ``values`` of an Excel workbook):

* **long**: columns ``unit, year, indicator, value`` (optional ``name_en, name_zh, group,
  source``), one row per unit, year and indicator;
* **wide**: columns ``unit, year`` then one column per indicator id (optional ``name_en,
  name_zh, group``).

``unit`` is the evaluated unit (city, park or enterprise) id; ``group`` its peer group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.evaluation.system import IndicatorSystem
from cocontrol.i18n import Msg, Seq, Text
from cocontrol.i18n import Msg as M

META_COLUMNS = ["name_en", "name_zh", "group"]
IGNORED = {"source", "note", "notes", "remark", "comment"}
MISSING_CHOICES = ("flag", "impute", "exclude")
OPTIONS = Text("<options>", "<选项>")
DATA = Text("<data>", "<数据>")


def read_table(path: str | Path) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV or Excel table (sheet ``values`` if present, else the first sheet)."""
    path = Path(path)
    if not path.exists():
        raise InputError(Problem(file=str(path), message=M("msg.eval_data_not_found"),
                                 expected=M("exp.eval_data_not_found")))
    from cocontrol import io

    if path.suffix.lower() == ".csv":
        return io.read_csv(path, dtype=object), None
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        sheets = io.sheet_names(path)
        if not sheets:
            raise InputError(Problem(file=str(path), message=M("msg.eval_no_sheet")))
        sheet = "values" if "values" in sheets else sheets[0]
        return io.read_excel(path, sheet_name=sheet, dtype=object), sheet
    raise InputError(Problem(file=str(path), message=M("msg.eval_format"),
                             value=path.suffix, expected=Seq([".csv", ".xlsx"], " or ", quote=True)))


def load_values(data: str | Path | pd.DataFrame, system: IndicatorSystem,
                file: str | None = None, sheet: str | None = None,
                computed: pd.DataFrame | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate indicator values and return them as a wide matrix.

    ``computed`` (long ``unit, year, indicator, value``, e.g. from
    :func:`~cocontrol.evaluation.fill_computed_indicators`) fills values that the data leave
    blank or omit.

    Returns
    -------
    values : DataFrame
        Index ``(unit, year)``, one float column per indicator of ``system`` (NaN = missing),
        rows sorted by unit and year.
    units : DataFrame
        Index ``unit``, columns ``name_en, name_zh, group`` (``group`` defaults to ``"all"``).

    Raises
    ------
    InputError
        Listing every problem with file, row (as in Excel: header = row 1), column.
    """
    if isinstance(data, pd.DataFrame):
        df, fname = data.copy(), file or "<data>"
    else:
        df, sheet = read_table(data)
        fname = str(data)
    df.columns = [str(c).strip() for c in df.columns]
    problems: list[Problem] = []
    for c in ("unit", "year"):
        if c not in df.columns:
            problems.append(Problem(file=fname, sheet=sheet, message=M("msg.eval_required_column"),
                                    column=c, expected=M("exp.eval_columns")))
    if problems:
        raise InputError(problems)
    long = {"indicator", "value"} <= set(df.columns)
    ids = set(system.ids)

    def loc(i) -> dict:
        return {"file": fname, "sheet": sheet, "row": int(i) + 2}

    unit_s = df["unit"].map(lambda v: None if pd.isna(v) else str(v).strip())
    for i in df.index[unit_s.isna() | (unit_s == "")][:20]:
        problems.append(Problem(message=M("msg.eval_unit_empty"), column="unit",
                                expected=M("exp.eval_unit_empty"), **loc(i)))
    year = pd.to_numeric(df["year"], errors="coerce")
    bad_year = year.isna() | (year != year.round()) | (year < 1900) | (year > 2200)
    for i in df.index[bad_year][:20]:
        problems.append(Problem(message=M("msg.eval_year"), column="year",
                                value=df.at[i, "year"], expected=M("exp.eval_year"), **loc(i)))
    if long:
        ind = df["indicator"].map(lambda v: None if pd.isna(v) else str(v).strip())
        unknown = ~ind.isin(ids)
        for i in df.index[unknown][:20]:
            problems.append(Problem(message=M("msg.eval_unknown_indicator"),
                                    column="indicator", value=df.at[i, "indicator"],
                                    expected=M("exp.eval_one_of_ids", n=len(ids), system=repr(system.meta.get("id"))), **loc(i)))
        val = pd.to_numeric(df["value"], errors="coerce")
        bad = val.isna() & df["value"].notna() & (df["value"].astype(str).str.strip() != "")
        for i in df.index[bad][:20]:
            problems.append(Problem(message=M("msg.mcda_nan"), column="value",
                                    value=df.at[i, "value"], expected=M("exp.eval_number_blank"), **loc(i)))
        key = pd.DataFrame({"unit": unit_s, "year": year, "indicator": ind})
        dup = key.duplicated(keep="first")
        for i in df.index[dup][:20]:
            problems.append(Problem(message=M("msg.eval_dup_long"),
                                    column="indicator", value=ind[i],
                                    expected=M("exp.eval_dup_long"),
                                    **loc(i)))
        if problems:
            raise InputError(problems)
        tidy = key.assign(value=val.astype(float))
        values = tidy.pivot(index=["unit", "year"], columns="indicator", values="value")
    else:
        extra = [c for c in df.columns if c not in ids and c not in ("unit", "year")
                 and c not in META_COLUMNS and c.lower() not in IGNORED]
        for c in extra:
            problems.append(Problem(file=fname, sheet=sheet, message=M("msg.eval_extra_column"), column=c,
                                    expected=M("exp.eval_extra_column", system=repr(system.meta.get("id")))))
        cols = [c for c in df.columns if c in ids]
        num = df[cols].apply(pd.to_numeric, errors="coerce")
        raw = df[cols]
        bad = num.isna() & raw.notna() & (raw.astype(str).apply(lambda s: s.str.strip()) != "")
        for i, c in zip(*np.nonzero(bad.to_numpy()), strict=True):
            if len(problems) > 40:
                break
            problems.append(Problem(message=M("msg.mcda_nan"), column=cols[c],
                                    value=raw.iat[i, c], expected=M("exp.eval_number_blank"),
                                    **loc(df.index[i])))
        key = pd.DataFrame({"unit": unit_s, "year": year})
        dup = key.duplicated(keep="first")
        for i in df.index[dup][:20]:
            problems.append(Problem(message=M("msg.eval_dup_wide"),
                                    column="unit", value=f"{unit_s[i]} {df.at[i, 'year']}",
                                    expected=M("exp.eval_dup_wide"), **loc(i)))
        if problems:
            raise InputError(problems)
        values = num.astype(float)
        values.index = pd.MultiIndex.from_arrays([unit_s, year.astype(int)],
                                                 names=["unit", "year"])
    values = values.reindex(columns=system.ids).astype(float)
    values.index = pd.MultiIndex.from_arrays(
        [values.index.get_level_values(0).astype(str),
         values.index.get_level_values(1).astype(int)], names=["unit", "year"])
    if computed is not None and len(computed):
        from cocontrol.evaluation.compute import merge_computed
        values = merge_computed(values, computed)
    absent = [c for c in system.ids if values[c].isna().all()]
    if absent:
        raise InputError([Problem(file=fname, sheet=sheet, message=M("msg.eval_absent"), column=c,
                                  expected=M("exp.eval_absent")) for c in absent])
    # complete panel: every unit x every year (absent rows = missing values)
    full = pd.MultiIndex.from_product([sorted(values.index.unique(0)),
                                       sorted(values.index.unique(1))], names=["unit", "year"])
    values = values.reindex(full)
    meta = pd.DataFrame(index=pd.Index(sorted(values.index.unique(0)), name="unit"))
    for c in META_COLUMNS:
        if c in df.columns:
            s = pd.Series(df[c].to_numpy(), index=unit_s.to_numpy()).dropna()
            s = s[~s.index.duplicated()]
            meta[c] = s.reindex(meta.index).astype(object)
    meta["name_en"] = meta.get("name_en", pd.Series(dtype=object)).reindex(meta.index)
    meta["name_en"] = meta["name_en"].where(meta["name_en"].notna(), meta.index.to_series())
    meta["name_zh"] = meta.get("name_zh", pd.Series(dtype=object)).reindex(meta.index)
    meta["name_zh"] = meta["name_zh"].where(meta["name_zh"].notna(), meta["name_en"])
    meta["group"] = meta.get("group", pd.Series(dtype=object)).reindex(meta.index)
    meta["group"] = meta["group"].where(meta["group"].notna(), "all").astype(str)
    return values, meta[["name_en", "name_zh", "group"]]


def handle_missing(values: pd.DataFrame, how: str = "flag", groups: pd.Series | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the user's choice for missing indicator values.

    Parameters
    ----------
    values : DataFrame
        Index ``(unit, year)``, one column per indicator.
    how : {"flag", "impute", "exclude"}
        * ``flag``: keep the gap; the unit-year gets no score (NaN) and is listed.
        * ``impute``: (1) the unit's own value of the most recent earlier year (last
          observation carried forward); if none, (2) the median of the unit's peer group
          (``groups``, default all units) in the same year; if still none, flagged.
        * ``exclude``: drop every unit-year with at least one missing value.
    groups : Series, optional
        Peer group of each unit (index = unit).

    Returns
    -------
    values : DataFrame
        Values after the treatment (same columns).
    log : DataFrame
        One row per missing cell: ``unit, year, indicator, action, value_used``.
    """
    if how not in MISSING_CHOICES:
        raise InputError(Problem(file=OPTIONS, message=M("msg.eval_missing_how"),
                                 value=how, expected=M("exp.eval_missing_how")))
    miss = values.isna()
    cells = miss.stack()
    cells = cells[cells]
    log = pd.DataFrame({"unit": cells.index.get_level_values(0),
                        "year": cells.index.get_level_values(1),
                        "indicator": cells.index.get_level_values(2)})
    if how == "flag":
        log["action"] = Msg("eval_m_flagged")
        log["value_used"] = np.nan
        return values, log
    if how == "exclude":
        log["action"] = Msg("eval_m_excluded")
        log["value_used"] = np.nan
        return values[~miss.any(axis=1)], log
    prev = values.groupby(level="unit").ffill()
    g = pd.Series("all", index=values.index) if groups is None else pd.Series(
        groups.reindex(values.index.get_level_values("unit")).fillna("all").to_numpy(),
        index=values.index)
    med = values.groupby([g.to_numpy(), values.index.get_level_values("year")]).transform(
        "median")
    med.index = values.index
    out = values.fillna(prev).fillna(med)
    if len(log):
        k = pd.MultiIndex.from_frame(log[["unit", "year"]])
        cols = log["indicator"].to_numpy()
        pv = prev.reindex(k).to_numpy()[np.arange(len(log)), prev.columns.get_indexer(cols)]
        mv = med.reindex(k).to_numpy()[np.arange(len(log)), med.columns.get_indexer(cols)]
        log["action"] = [Msg("eval_m_prev") if not np.isnan(a) else Msg("eval_m_median")
                         if not np.isnan(b) else Msg("eval_m_nothing") for a, b in zip(pv, mv,
                                                                                    strict=True)]
        log["value_used"] = np.where(~np.isnan(pv), pv, mv)
    else:
        log["action"] = pd.Series(dtype=object)
        log["value_used"] = pd.Series(dtype=float)
    return out, log
