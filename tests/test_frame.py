"""The integer-code factorisation of the engine's pivot (``cocontrol._frame``) against pandas'
own: ``pd.factorize`` (codes in order of first appearance) and ``groupby(...).ngroup()``.
Property tests (hypothesis), with codes first seen after the rows searched first."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cocontrol import _frame


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 3000), st.integers(0, 2**32 - 1),
       st.sampled_from([0, 1, 7]))
def test_first_order_is_pandas_factorize(radix, n, seed, late):
    """Codes and uniques of pd.factorize, also when some codes occur only after the first
    ``HEAD_ROWS`` rows (``late`` codes planted at the end of a long array)."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, radix, n).astype(np.int8)
    if late:
        head = np.zeros(_frame.HEAD_ROWS, dtype=np.int8)  # only code 0 at first
        tail = rng.integers(0, radix, late).astype(np.int8)
        codes = np.concatenate([head, codes, tail])
    got = _frame._first_order(codes, radix, np.int8)
    want_codes, want_uniq = pd.factorize(codes)
    assert got is not None
    assert np.array_equal(got[0], want_codes)
    assert np.array_equal(got[1], want_uniq)


def test_first_rows_of_an_absent_code():
    """A code that never occurs has no first row (``len``), one first seen late its row."""
    codes = np.zeros(_frame.HEAD_ROWS + 10, dtype=np.int8)
    codes[-3] = 2
    first = _frame._first_rows(codes, 4)
    assert first.tolist() == [0, len(codes), len(codes) - 3, len(codes)]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 400), st.integers(0, 2**32 - 1), st.booleans())
def test_factorize_columns_is_groupby_ngroup(n, seed, categorical):
    """Lines of a long table (runs of rows, repeated keys, missing values) numbered as
    ``groupby(dropna=False, sort=False).ngroup()`` numbers them, with the same labels."""
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 5, n)
    df = pd.DataFrame({
        "a": np.repeat(np.array(["x", "y", "z", "w", "v"], dtype=object)[k], 1),
        "b": np.where(rng.random(n) < 0.2, None, rng.integers(0, 3, n).astype(str)),
    })
    df = df.loc[np.repeat(np.arange(n), rng.integers(1, 4, n))].reset_index(drop=True)
    if categorical:
        df["a"] = df["a"].astype("category")
    codes, labels = _frame.factorize_columns(df, ["a", "b"])
    want = df.groupby(["a", "b"], dropna=False, sort=False, observed=True).ngroup()
    assert np.array_equal(codes, want.to_numpy())
    back = labels.astype(object).iloc[codes].reset_index(drop=True)
    expect = df.astype(object)
    assert back["a"].tolist() == expect["a"].tolist()
    assert [None if pd.isna(v) else v for v in back["b"]] == \
        [None if pd.isna(v) else v for v in expect["b"]]


def test_labels_origin_names_the_source_categories():
    """The origin of a categorical column's labels: category k of the labels is category
    ``origin[k]`` of the table's column (used to find region rows without hashing ids)."""
    col = pd.Series(pd.Categorical(["c", "a", "c", "b"], categories=["a", "b", "c", "d"]))
    out, origin = _frame._labels_and_origin(col, np.arange(4))
    assert list(out.categories) == ["c", "a", "b"]
    assert [col.cat.categories[i] for i in origin] == list(out.categories)
    missing = pd.Series(pd.Categorical([None, None], categories=["a"]))
    out, origin = _frame._labels_and_origin(missing, np.arange(2))
    assert origin is None and out.isna().all()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 300), st.integers(0, 2**32 - 1))
def test_factorize_rows_is_factorize_columns(n, seed):
    """Without looking for runs: the same codes and labels as with runs."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "a": pd.Categorical(rng.choice(["p", "q", "r"], n)),
        "b": pd.Categorical(np.where(rng.random(n) < 0.3, None, rng.choice(["u", "v"], n))),
    })
    pairs = [_frame._codes(df[c]) for c in ["a", "b"]]
    got_codes, got = _frame.factorize_rows(df, ["a", "b"], pairs)
    want_codes, want = _frame.factorize_columns(df, ["a", "b"])
    assert np.array_equal(got_codes, want_codes)
    pd.testing.assert_frame_equal(got, want)
