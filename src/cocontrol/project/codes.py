"""Codes people write: aliases (Chinese names, common spellings) and did-you-mean.

The alias table ``data/code_aliases.csv`` (``kind, alias, code, note``; every row says where
the name comes from) maps what people write in their tables (原煤, 吨, Steel, PM25) to the
codes of the reference tables. Matching is exact after trimming, then case-insensitive
against the codes themselves and the aliases. Anything else is reported with the nearest
codes (:func:`nearest`).
"""

from __future__ import annotations

import difflib
from functools import cache

import pandas as pd

from cocontrol import io, refdata

KINDS = ("sector", "fuel", "process", "species", "unit", "technology")


@cache
def _aliases() -> dict[str, dict[str, str]]:
    df = refdata.bundled_table("code_aliases.csv")
    out: dict[str, dict[str, str]] = {k: {} for k in KINDS}
    for kind, alias, code in df[["kind", "alias", "code"]].itertuples(index=False):
        out[str(kind)][str(alias).strip()] = str(code).strip()
    return out


def alias_table() -> pd.DataFrame:
    """The alias table (a copy)."""
    return refdata.bundled_table("code_aliases.csv").drop(columns=[io.ROW])


def resolve(value: str, kind: str, codes: set[str]) -> str | None:
    """The code ``value`` stands for (itself, an alias, or a case variant), or None."""
    v = value.strip()
    if v in codes:
        return v
    al = _aliases().get(kind, {})
    if v in al:
        return al[v]
    low = v.lower()
    for c in codes:
        if c.lower() == low:
            return c
    for a, c in al.items():
        if a.lower() == low:
            return c
    return None


def nearest(value, codes, n: int = 3, kind: str | None = None) -> list[str]:
    """Up to ``n`` codes nearest to ``value`` (spelling, then substring of names)."""
    v = str(value).strip().lower()
    pool = {str(c).lower(): str(c) for c in codes}
    if kind:
        for a, c in _aliases().get(kind, {}).items():
            if c in codes:
                pool.setdefault(a.lower(), c)
    hits = difflib.get_close_matches(v, list(pool), n=n * 2, cutoff=0.55)
    out: list[str] = []
    for h in hits:
        if pool[h] not in out:
            out.append(pool[h])
    if len(out) < n and v:
        for k, c in pool.items():
            if (v in k or k in v) and len(k) > 1 and c not in out:
                out.append(c)
    return out[:n]


def map_column(s: pd.Series, kind: str, codes: set[str]) -> tuple[pd.Series, dict[str, str]]:
    """``s`` with aliases replaced by codes; also ``{alias: code}`` of what was replaced."""
    vals = s.to_numpy(dtype=object)
    uniq = {v for v in vals if isinstance(v, str) and v not in codes}
    mapping = {}
    for v in uniq:
        c = resolve(v, kind, codes)
        if c is not None and c != v:
            mapping[v] = c
    if not mapping:
        return s, {}
    return s.map(lambda x: mapping.get(x, x) if isinstance(x, str) else x), mapping
