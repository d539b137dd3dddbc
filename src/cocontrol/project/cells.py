"""Spreadsheet formula-injection neutralising for every CSV and Excel export.

A text cell that starts with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), a tab or a
carriage return is read by Excel, WPS and LibreOffice as a formula when a CSV is opened, and
openpyxl writes a string starting with ``=`` as a formula into an .xlsx. A region, measure or
project name typed by one user could then run ``=HYPERLINK(...)`` or a DDE command on the
computer of another user who opens an export (OWASP "CSV Injection"; CWE-1236; ASVS 5.0
requirement 1.2.10, which also names the NUL character).

:func:`neutralise` prefixes such a text with an apostrophe (the OWASP recommendation), so it is
shown as text; numbers, including negative ones, and non-text values are left alone. Use
:func:`safe_frame` on every frame just before ``to_csv``/``to_excel``: it treats the values of
text columns, the column labels and the index labels. Numeric columns are untouched, so the
numbers written are exactly the numbers computed.
"""

from __future__ import annotations

import re

import pandas as pd

_START = tuple("=+-@\t\r\0\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?\s*$")


def dangerous(value: object) -> bool:
    """True for a text that a spreadsheet would evaluate as a formula."""
    return (isinstance(value, str) and value.startswith(_START)
            and not (value[0] in "+-" and _NUMBER.match(value.replace(",", ""))))


def neutralise(value: object) -> object:
    """``value`` made inert for a spreadsheet (``'=1+2``); other values unchanged."""
    return "'" + value if dangerous(value) else value


def _labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_labels(level) for level in index.levels], verify_integrity=False)
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return index.map(neutralise)
    return index


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` safe to write as CSV or Excel (text values and labels neutralised)."""
    out = df.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype) \
                or isinstance(s.dtype, pd.CategoricalDtype):
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype(object)
            out[col] = s.map(neutralise)
    out.columns = _labels(out.columns)
    out.index = _labels(out.index)
    return out
