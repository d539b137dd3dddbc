"""Fast factorisation of several columns at once (categorical-aware, no object tuples)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column (missing values included as a code) and their radix.

    A categorical column gives its codes as they are (−1 for a missing value, any integer
    width; no hashing, no copy); other columns are factorised (missing values a code of
    their own). Codes lie in ``[-1, radix - 1)``: one more than a radix digit after a +1."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.array.codes, len(col.cat.categories) + 1
    codes, uniq = pd.factorize(col, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), len(uniq) + 1


def _run_starts(codes: list[np.ndarray], n: int) -> np.ndarray:
    """First row of every run of consecutive rows equal in every column (row 0 included)."""
    brk = np.empty(n, bool)
    if n == 0:
        return np.zeros(0, np.int64)
    brk[0] = True
    if len(codes) == 0 or n == 1:
        brk[1:] = False
        return np.flatnonzero(brk)
    np.not_equal(codes[0][1:], codes[0][:-1], out=brk[1:])
    if len(codes) > 1:
        tmp = np.empty(n - 1, bool)
        for c in codes[1:]:
            np.not_equal(c[1:], c[:-1], out=tmp)
            np.logical_or(brk[1:], tmp, out=brk[1:])
    return np.flatnonzero(brk)


def _radix_key(codes: list[np.ndarray], radices: list[int], at: np.ndarray
               ) -> tuple[np.ndarray, int | None]:
    """One int64 key per row of ``at``, a bijection of the column codes there (mixed radix of
    the codes + 1, compressed before it would overflow), and the radix: the key lies in
    ``[0, radix)``."""
    key = codes[0][at].astype(np.int64)
    key += 1
    radix = radices[0]
    for c, n in zip(codes[1:], radices[1:], strict=True):
        if radix * n >= 2**62:  # compress before overflow
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            radix = int(key.max()) + 1 if len(key) else 1
        key *= n
        key += c[at]
        key += 1
        radix *= n
    return key, radix


def _first_order(codes: np.ndarray, radix: int, dtype=np.int64
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """``pd.factorize(codes)`` for codes in ``[0, radix)`` with a radix not much larger than
    the number of codes: the rank of every code's first appearance (of ``dtype``) and the
    codes in that order, by a scatter over the radix (no hashing). ``None`` when the radix
    is too large."""
    n = len(codes)
    if n == 0 or radix > 4 * n + 4096:
        return None
    first = _first_rows(codes, radix)
    used = np.flatnonzero(first < n)
    fp = first[used]
    if len(fp) > 1 and not (fp[1:] > fp[:-1]).all():
        used = used[np.argsort(fp, kind="stable")]
    rank = np.empty(radix, dtype=dtype)
    rank[used] = np.arange(len(used))
    return rank.take(codes), used


#: radix up to which the first row of every code is looked for in the first rows first
SMALL_RADIX = 256
HEAD_ROWS = 1 << 15


def _first_rows(codes: np.ndarray, radix: int) -> np.ndarray:
    """The first row of every code in ``[0, radix)`` (``len(codes)`` where it does not
    occur): one scatter over the rows, or, for a few codes in many rows, a scatter over the
    first rows and a count of the others (a code first seen later is then searched for)."""
    n = len(codes)
    first = np.full(radix, n, dtype=np.int64)
    head = n if radix > SMALL_RADIX else min(n, HEAD_ROWS)
    first[codes[:head][::-1]] = np.arange(head - 1, -1, -1)  # the earliest row wins
    if head < n:
        later = first == n
        if later.any():
            rest = codes[head:]
            for k in np.flatnonzero(later & (np.bincount(rest, minlength=radix) > 0)):
                first[k] = head + int(np.argmax(rest == k))
    return first


def _factorize(key: np.ndarray, radix: int) -> tuple[np.ndarray, int]:
    """Codes of ``key`` (in ``[0, radix)``) in order of first appearance and their count."""
    dense = _first_order(key, radix)
    if dense is not None:
        return dense[0], len(dense[1])
    group, uniq = pd.factorize(key)
    return group.astype(np.int64, copy=False), len(uniq)


def _regular(starts: np.ndarray, n: int) -> np.ndarray | slice:
    """``starts`` as ``slice(0, n, step)`` when they are exactly 0, step, 2 × step, … (one
    run of ``step`` rows per group, the usual long layout), else as they are."""
    if len(starts) < 2 or starts[0] != 0:
        return starts
    step = int(starts[1])
    if step * len(starts) != n or not np.array_equal(starts, np.arange(0, n, step)):
        return starts
    return slice(0, n, step)


def _distinct(codes: np.ndarray, radix: int) -> bool:
    """True when the codes (in ``[-1, radix - 1)``) are all different, missing included
    (two missing values are the same key): a count over the radix, no hashing."""
    if len(codes) <= 1:
        return True
    if radix > 4 * len(codes) + 4096:
        return False
    return int(np.bincount(codes + 1, minlength=radix).max()) <= 1


class Runs:
    """Groups of runs of consecutive rows: ``group[r]`` is the group of run r, which starts
    at row ``starts[r]``; :meth:`rows` gives the group of every row."""

    __slots__ = ("_first", "_origins", "_pairs", "distinct_first", "group", "n", "starts")

    def __init__(self, group: np.ndarray, starts: np.ndarray, n: int, pairs=None, first=None,
                 origins=None, distinct_first: bool = False):
        self.group, self.starts, self.n = group, starts, n
        self._pairs, self._first = pairs, first  # column: (codes, radix); first row of groups
        self._origins = origins or {}  # column: positions of its labels in the table's
        #: True when the groups' values of the first column are all different (found by
        #: the factorisation: then no composite key was built)
        self.distinct_first = distinct_first

    def origin(self, col: str) -> np.ndarray | None:
        """For a categorical column of the table whose labels frame column is categorical:
        the position of every label category among the table column's categories (the
        labels' category k is the table's category ``origin[k]``); None otherwise."""
        return self._origins.get(col)

    def codes(self, col: str) -> tuple[np.ndarray, int]:
        """(codes of ``col`` at the first row of every group, radix)."""
        c, radix = self._pairs[col]
        return c[self._first], radix

    def lengths(self) -> np.ndarray:
        return np.diff(np.append(self.starts, self.n))

    def rows(self) -> np.ndarray:
        """The group of every row."""
        if len(self.starts) == self.n:
            return self.group
        return np.repeat(self.group, self.lengths())


def factorize_runs(df: pd.DataFrame, cols: list[str], pairs=None, side=None
                   ) -> tuple[Runs, pd.DataFrame]:
    """:func:`factorize_columns` by runs: the groups of the runs of consecutive rows equal in
    every column (a :class:`Runs`, with the codes of every group's first row), and a frame of
    the unique combinations. ``pairs``: the columns' (codes, radix) when the caller has them
    (codes of any bijection of the values, missing values a code of their own). ``side``: an
    executor (``concurrent.futures``) that makes the labels of every column after the first
    two while this thread makes those two (numpy gathers, which release the GIL)."""
    n = len(df)
    pairs = [_codes(df[c]) for c in cols] if pairs is None else pairs
    codes = [p[0] for p in pairs]
    starts = _run_starts(codes, n)
    at = _regular(starts, n)  # the run starts as a slice when evenly spaced (views, no gather)
    distinct = _distinct(codes[0][at], pairs[0][1])
    if distinct:  # every run its own group (the usual case: one run per source): no
        # composite key at all
        run_group, n_groups = np.arange(len(starts), dtype=np.int64), len(starts)
    else:
        run_group, n_groups = _factorize(*_radix_key(codes, [p[1] for p in pairs], at))
    if n_groups == len(starts):  # every run its own group, in order
        rows = at
    else:
        rows = np.empty(n_groups, dtype=np.int64)
        rows[run_group[::-1]] = starts[::-1]  # first run (hence first row) of every group
    jobs = {c: side.submit(_labels_and_origin, df[c], rows) for c in cols[2:]} \
        if side is not None else {}
    labels, origins = {}, {}
    for c in cols:  # labels from the first row of every group only
        labels[c], first = jobs[c].result() if c in jobs else _labels_and_origin(df[c], rows)
        if first is not None:
            origins[c] = first
    return Runs(run_group, starts, n, dict(zip(cols, pairs, strict=True)), rows, origins,
                distinct), pd.DataFrame(labels)


def factorize_rows(df: pd.DataFrame, cols: list[str], pairs
                   ) -> tuple[np.ndarray, pd.DataFrame]:
    """:func:`factorize_columns` without looking for runs of equal rows (for a table whose
    consecutive rows differ as a rule, such as the lines of an inventory by combination):
    the radix key of every row, numbered in order of first appearance. ``pairs``: the
    columns' (codes, radix), codes of any bijection of the values (missing values a code of
    their own)."""
    n = len(df)
    if not cols or n == 0:
        return factorize_columns(df, cols, pairs)
    codes, radices = [p[0] for p in pairs], [p[1] for p in pairs]
    group, n_groups = _factorize(*_radix_key(codes, radices, slice(None)))
    rows = np.empty(n_groups, dtype=np.int64)
    rows[group[::-1]] = np.arange(n - 1, -1, -1)  # the first row of every group
    return group, pd.DataFrame({c: _labels(df[c], rows) for c in cols})


def factorize_columns(df: pd.DataFrame, cols: list[str], pairs=None
                      ) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the unique combinations of ``cols`` and a frame of those combinations.

    Equivalent to ``df.groupby(cols, dropna=False).ngroup()`` (in order of first appearance)
    but works on integer codes of one column at a time (categorical codes as they are).
    Long tables repeat a key on consecutive rows (one row per year of a line): the runs of
    rows equal in every column are found first, by comparing each column's codes with the
    previous row, and the composite (radix) key is built and hashed on the first row of
    every run only, so it stays fast and light for millions of rows. Missing values form
    their own group. Output columns are categorical (object when they hold missing values).
    ``pairs``: the columns' (codes, radix) when the caller has them (see
    :func:`factorize_runs`).
    """
    if not cols:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=[0])
    runs, labels = factorize_runs(df, cols, pairs)
    return runs.rows(), labels


def _categorical(codes: np.ndarray, cats: pd.Index) -> pd.Categorical:
    """A categorical of ``codes`` into ``cats``, which are unique by construction (the
    uniques of a factorisation or a subset of a categorical's categories): their uniqueness
    is not checked again (hashing every category, the largest cost for a million lines)."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    dtype = pd.CategoricalDtype(cats) if fast is None else fast(cats, False)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _labels(col: pd.Series, rows: np.ndarray) -> pd.Series | pd.Categorical:
    """The values of ``col`` at ``rows`` (:func:`_labels_and_origin` without the origin)."""
    return _labels_and_origin(col, rows)[0]


def _labels_and_origin(col: pd.Series, rows: np.ndarray):
    """The values of ``col`` at ``rows`` as :func:`_column` makes them (categories in order
    of first appearance; a categorical column is relabelled through its codes, without
    hashing its values), and the position of every category of the result among ``col``'s
    categories (None when the result is not such a categorical)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        sub = np.ascontiguousarray(col.array.codes[rows])  # one strided read, then dense
        ncat = len(col.cat.categories)
        in_order = len(sub) == ncat and len(sub) > 0 and sub[0] == 0 and \
            sub[-1] == ncat - 1 and bool((np.diff(sub) == 1).all())
        if in_order:  # every category once, in order
            codes, first = sub, sub
        elif len(sub) and sub.max() < 0:  # every value missing: one NaN label (as below)
            vals = np.full(len(sub), np.nan, dtype=object)
            return pd.Series(vals, dtype=object), None
        else:
            full = len(sub) and sub.min() >= 0  # no missing value
            small = sub.dtype if ncat < np.iinfo(sub.dtype).max else np.int64
            dense = None if not len(sub) else _first_order(sub, ncat, small) if full else \
                _first_order(sub.astype(np.int64) + 1, ncat + 1)
            if dense is None:
                codes, first = pd.factorize(sub)
            else:
                codes, first = dense[0], dense[1] if full else dense[1] - 1  # -1: missing
        if (first < 0).any():  # missing values: object labels, missing as NaN (as
            # pd.factorize(col.iloc[rows], use_na_sentinel=False) gives them)
            cat_vals = np.asarray(col.cat.categories, dtype=object)
            uniq = np.array([cat_vals[k] if k >= 0 else np.nan for k in first], dtype=object)
            return _column(codes, uniq), None
        if not (first < 0).any():
            cats = col.cat.categories
            if in_order or len(first) == len(cats) and \
                    np.array_equal(first, np.arange(len(cats))):
                # already in order of appearance: the same values (no copy of the array)
                cats = pd.Index(np.asarray(cats, dtype=object), dtype=object, copy=False) \
                    if cats.dtype != object else cats
            else:
                cats = pd.Index(np.asarray(cats, dtype=object)[first], dtype=object)
            return _categorical(codes, cats), first
    codes, uniq = pd.factorize(col.iloc[rows], use_na_sentinel=False)
    return _column(codes, uniq), None


def _column(codes: np.ndarray, uniq) -> pd.Series | pd.Categorical:
    """Values of the given codes into ``uniq`` (plain values, not a CategoricalIndex's
    categories), categorical when there are no missing values."""
    vals = np.asarray(uniq, dtype=object)  # unique: the uniques of pd.factorize
    if pd.isna(vals).any():
        return pd.Series(vals[codes], dtype=object)
    return _categorical(codes, pd.Index(vals, dtype=object))
