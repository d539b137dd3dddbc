"""Small helpers shared by the metric functions: column checks and wide/long pivots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, Text


def require_columns(df: pd.DataFrame, columns: Iterable[str | None], file: str,
                    what: str = "column") -> None:
    """Raise InputError listing every required column that ``df`` lacks."""
    have = [str(c) for c in df.columns]
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise InputError([
            Problem(file=file, column=c, message=M("msg.met_required_missing", what=Text(what, _WHAT_ZH.get(what, what)), c=c),
                    expected=M("exp.met_one_of_columns", columns=Seq(have, quote=True)) if have
                    else M("exp.met_header_row"))
            for c in missing
        ])


def numeric_columns(df: pd.DataFrame, columns: Sequence[str], file: str,
                    allow_nan: bool = True) -> pd.DataFrame:
    """Convert ``columns`` to float; non-numeric cells raise InputError with row numbers.

    Row numbers are as seen in Excel (header = row 1), assuming ``df`` has a RangeIndex.
    """
    out = df.copy()
    problems: list[Problem] = []
    for c in columns:
        raw = out[c]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            out[c] = raw.astype(float)
            if not allow_nan:
                for pos in np.flatnonzero(out[c].isna().to_numpy())[:20]:
                    problems.append(Problem(file=file, row=int(pos) + 2, column=c,
                                            message=M("msg.met_value_empty"), expected=M("msg.met_number")))
            continue
        num = pd.to_numeric(raw, errors="coerce")
        cand = num.isna() & raw.notna()
        bad = pd.Series(False, index=raw.index)
        if cand.any():
            bad[cand] = raw[cand].astype("string").str.strip() != ""
        for pos in np.flatnonzero(bad.to_numpy())[:20]:
            problems.append(Problem(file=file, row=int(pos) + 2, column=c,
                                    message=M("msg.met_value_not_number"),
                                    value=raw.iloc[pos], expected=M("msg.met_number")))
        if not allow_nan:
            for pos in np.flatnonzero((num.isna() & ~bad).to_numpy())[:20]:
                problems.append(Problem(file=file, row=int(pos) + 2, column=c,
                                        message=M("msg.met_value_empty"), expected=M("msg.met_number")))
        out[c] = num.astype(float)
    if problems:
        raise InputError(problems)
    return out


_WHAT_ZH = {"column": "列", "key": "键", "species": "物种", "sheet": "工作表"}


def check_unique(df: pd.DataFrame, keys: Sequence[str], file: str) -> None:
    """Raise InputError when the key columns do not identify rows uniquely."""
    if not keys:
        return
    dup = df.duplicated(list(keys), keep=False)
    if dup.any():
        pos = np.flatnonzero(dup.to_numpy())
        raise InputError([
            Problem(file=file, row=int(p) + 2, column=", ".join(keys),
                    message=M("msg.met_duplicate_row_same_key"),
                    value=tuple(df.iloc[p][list(keys)].tolist()),
                    expected=M("exp.met_one_row_per", keys=Seq(list(keys), " × ", quote=True)))
            for p in pos[:20]
        ])
