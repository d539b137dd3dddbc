"""Fast factorisation of several columns at once (categorical-aware, no object tuples)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column (missing values included as a code) and their count.

    A categorical column gives its codes directly (no hashing); other columns are factorised.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):  # one pass: widen and shift NaN (−1) to 0
        return np.add(col.cat.codes.to_numpy(), 1, dtype=np.int64), len(col.cat.categories) + 1
    codes, uniq = pd.factorize(col, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), max(len(uniq), 1)


def _group_runs(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group codes (in order of first appearance) and the first row of every group.

    Long tables repeat a key on consecutive rows (one row per year of a line): only the first
    key of every run of equal keys is hashed, so the composite key is factorised once, on the
    runs, not on every row.
    """
    n = len(key)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    brk = np.empty(n, bool)
    brk[0] = True
    np.not_equal(key[1:], key[:-1], out=brk[1:])
    starts = np.flatnonzero(brk)
    run_group, uniq = pd.factorize(key[starts])
    run_group = run_group.astype(np.int64, copy=False)
    rows = np.empty(len(uniq), dtype=np.int64)
    rows[run_group[::-1]] = starts[::-1]  # first run (hence first row) of every group
    if len(starts) == n:
        return run_group, rows
    lengths = np.diff(np.append(starts, n))
    return np.repeat(run_group, lengths), rows


def factorize_columns(df: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the unique combinations of ``cols`` and a frame of those combinations.

    Equivalent to ``df.groupby(cols, dropna=False).ngroup()`` (in order of first appearance)
    but works on integer codes of one column at a time (categorical codes as they are),
    combined into one radix key that is hashed once per run of equal consecutive keys, so it
    stays fast and light for millions of rows. Missing values form their own group. Output
    columns are categorical (object when they hold missing values).
    """
    if not cols:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=[0])
    key, radix = _codes(df[cols[0]])
    for c in cols[1:]:
        codes, n = _codes(df[c])
        if radix * n >= 2**62:  # compress before overflow
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            radix = int(key.max()) + 1 if len(key) else 1
        key *= n
        key += codes
        radix *= n
    group, rows = _group_runs(key)
    labels = {}
    for c in cols:  # labels from the first row of every group only
        labels[c] = _labels(df[c], rows)
    return group, pd.DataFrame(labels)


def _labels(col: pd.Series, rows: np.ndarray) -> pd.Series | pd.Categorical:
    """The values of ``col`` at ``rows`` as :func:`_column` makes them (categories in order
    of first appearance); a categorical column is relabelled through its codes, without
    hashing its values."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        sub = col.cat.codes.to_numpy()[rows]
        codes, first = pd.factorize(sub)
        if not (first < 0).any():
            cats = pd.Index(np.asarray(col.cat.categories, dtype=object)[first], dtype=object)
            return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats))
    codes, uniq = pd.factorize(col.iloc[rows], use_na_sentinel=False)
    return _column(codes, uniq)


def _column(codes: np.ndarray, uniq) -> pd.Series | pd.Categorical:
    """Values of the given codes into ``uniq`` (plain values, not a CategoricalIndex's
    categories), categorical when there are no missing values."""
    vals = np.asarray(uniq, dtype=object)  # unique: the uniques of pd.factorize
    if pd.isna(vals).any():
        return pd.Series(vals[codes], dtype=object)
    return pd.Categorical.from_codes(codes, categories=pd.Index(vals, dtype=object))
