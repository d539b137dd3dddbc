"""Differences between two versions of a project (two sets of project files).

A version is a set of files (``{name: bytes}``, as the service stores it). :func:`diff_files`
compares two of them and says, in terms a user checks:

* **files** added, removed or changed (by SHA-256 of the content);
* **tables** row by row: rows are aligned by the table's key columns from the schema
  (``activity``: source, sector, fuel, process, year), never by position; a row is *added*,
  *removed*, or *changed* with every changed cell (column, old, new). Numbers are compared as
  numbers (``1.2e6`` and ``1200000`` are the same value), text as trimmed text; a blank cell
  is blank (``None``), never 0. A table whose key is not unique in a version, or that has no
  declared key, is compared as a multiset of whole rows (added/removed only). A table moved
  from ``activity.csv`` to ``activity.xlsx`` or a sheet of ``inputs.xlsx`` is the same table;
* **YAML files** (project.yaml, scenarios.yaml, optimisation.yaml ...) key path by key path
  (``scenarios.policy.measures[2].penetration``); lists of mappings that carry an ``id``,
  ``name``, ``code`` or ``measure`` are aligned by it.

>>> a = {"project.yaml": b"name: A\\nbase_year: 2020\\n",
...      "regions.csv": b"region_id,parent_id,level\\ncity,,city\\nd1,city,district\\n"}
>>> b = {"project.yaml": b"name: B\\nbase_year: 2020\\n",
...      "regions.csv": b"region_id,parent_id,level\\ncity,,city\\nd2,city,district\\n"}
>>> d = diff_files(a, b)
>>> [(c.path, c.old, c.new) for c in d.yaml]
[('name', 'A', 'B')]
>>> [(r.kind, r.key) for r in d.tables[0].rows]
[('removed', {'region_id': 'd1'}), ('added', {'region_id': 'd2'})]
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import asdict, dataclass, field

import pandas as pd

from cocontrol.errors import InputError
from cocontrol.project.io import ROW, read_folder
from cocontrol.project.schema import TABLES

__all__ = ["CellChange", "RowChange", "TableDiff", "VersionDiff", "YamlChange", "diff_files"]

#: keys that identify the items of a YAML list of mappings (first one present in all items)
ITEM_KEYS = ("id", "name", "code", "measure", "scenario")


@dataclass(frozen=True)
class CellChange:
    column: str
    old: object
    new: object


@dataclass(frozen=True)
class RowChange:
    """One row of a table that differs. ``row_a``/``row_b`` are the row numbers as the user
    sees them in each version's file (header = row 1); ``values`` are the whole row (of the
    new version for added and changed rows, of the old one for removed rows)."""

    kind: str  # "added", "removed" or "changed"
    key: dict
    row_a: int | None
    row_b: int | None
    cells: tuple[CellChange, ...] = ()
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TableDiff:
    table: str
    origin_a: str | None  # "activity.csv", "inputs.xlsx [activity]"; None: not in the version
    origin_b: str | None
    key: tuple[str, ...]  # the columns rows were aligned by; () when compared as whole rows
    aligned_by: str  # "key" or "whole rows"
    columns_added: tuple[str, ...]
    columns_removed: tuple[str, ...]
    rows_a: int
    rows_b: int
    rows: tuple[RowChange, ...]

    def count(self, kind: str) -> int:
        return sum(r.kind == kind for r in self.rows)

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.columns_added or self.columns_removed
                    or self.origin_a != self.origin_b)


@dataclass(frozen=True)
class YamlChange:
    file: str
    path: str  # "scenarios.policy.measures[coal_to_gas].penetration"
    kind: str  # "added", "removed" or "changed"
    old: object = None
    new: object = None


@dataclass(frozen=True)
class VersionDiff:
    files_added: tuple[str, ...]
    files_removed: tuple[str, ...]
    files_changed: tuple[str, ...]
    tables: tuple[TableDiff, ...]
    yaml: tuple[YamlChange, ...]
    problems: tuple[str, ...] = ()  # files that could not be read (compared by content only)

    @property
    def identical(self) -> bool:
        return not (self.files_added or self.files_removed or self.files_changed)

    def summary(self) -> dict:
        """Counts for a heading: files, and table rows added/removed/changed, YAML keys."""
        return {"files_added": len(self.files_added), "files_removed": len(self.files_removed),
                "files_changed": len(self.files_changed),
                "rows_added": sum(t.count("added") for t in self.tables),
                "rows_removed": sum(t.count("removed") for t in self.tables),
                "rows_changed": sum(t.count("changed") for t in self.tables),
                "yaml_changes": len(self.yaml)}

    def to_dict(self) -> dict:
        """Plain JSON-able dict (missing values as None)."""
        d = asdict(self)
        d["summary"] = self.summary()
        return d


# ------------------------------------------------------------------ values
def _canon(v):
    """A cell as compared: None for blank, a float for a number, else trimmed text."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    if s == "":
        return None
    try:
        f = float(s)
    except ValueError:
        return s
    return f if math.isfinite(f) else s


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _shown(v):
    """A cell as shown: the text as written (None for blank)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


# ------------------------------------------------------------------ tables
def _records(df: pd.DataFrame) -> list[dict]:
    cols = [c for c in df.columns if c != ROW]
    rows = df[ROW].tolist() if ROW in df.columns else [None] * len(df)
    return [{"_row": None if r is None else int(r), **{c: _shown(v) for c, v in zip(cols, vals,
                                                                             strict=True)}}
            for r, vals in zip(rows, df[cols].itertuples(index=False, name=None), strict=True)]


def _keyed(recs: list[dict], key: tuple[str, ...]) -> dict | None:
    out = {}
    for r in recs:
        k = tuple(_canon(r.get(c)) for c in key)
        if k in out:
            return None  # not unique: compared as whole rows
        out[k] = r
    return out


def _table_diff(name: str, a: pd.DataFrame | None, b: pd.DataFrame | None) -> TableDiff:
    ra = _records(a) if a is not None else []
    rb = _records(b) if b is not None else []
    cols_a = [c for c in (a.columns if a is not None else []) if c != ROW]
    cols_b = [c for c in (b.columns if b is not None else []) if c != ROW]
    spec = TABLES.get(name)
    key = tuple(c for c in (spec.key if spec else ()) if c in cols_a or c in cols_b)
    ka, kb = (_keyed(ra, key), _keyed(rb, key)) if key else (None, None)
    common = [c for c in cols_b if c in cols_a]
    rows: list[RowChange] = []
    if ka is not None and kb is not None:
        for k, r in ka.items():
            if k not in kb:
                rows.append(RowChange("removed", {c: r.get(c) for c in key}, r["_row"], None,
                                      values=_plain(r)))
        for k, r in kb.items():
            old = ka.get(k)
            if old is None:
                rows.append(RowChange("added", {c: r.get(c) for c in key}, None, r["_row"],
                                      values=_plain(r)))
                continue
            cells = tuple(CellChange(c, old.get(c), r.get(c)) for c in common
                          if not _same(_canon(old.get(c)), _canon(r.get(c))))
            if cells:
                rows.append(RowChange("changed", {c: r.get(c) for c in key}, old["_row"],
                                      r["_row"], cells, _plain(r)))
        aligned = "key"
    else:
        cols = common or cols_a or cols_b

        def sig(r):
            return tuple(_canon(r.get(c)) for c in cols)

        left = Counter(sig(r) for r in rb)
        for r in ra:  # rows of a not matched in b
            s = sig(r)
            if left[s]:
                left[s] -= 1
            else:
                rows.append(RowChange("removed", {}, r["_row"], None, values=_plain(r)))
        left = Counter(sig(r) for r in ra)
        for r in rb:
            s = sig(r)
            if left[s]:
                left[s] -= 1
            else:
                rows.append(RowChange("added", {}, None, r["_row"], values=_plain(r)))
        key, aligned = (), "whole rows"
    return TableDiff(name, a.attrs.get("origin") if a is not None else None,
                     b.attrs.get("origin") if b is not None else None, key, aligned,
                     tuple(c for c in cols_b if c not in cols_a),
                     tuple(c for c in cols_a if c not in cols_b), len(ra), len(rb), tuple(rows))


def _plain(r: dict) -> dict:
    return {k: v for k, v in r.items() if k != "_row"}


# ------------------------------------------------------------------ YAML
def _item_key(items: list) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for k in ITEM_KEYS:
        vals = [i.get(k) for i in items]
        if all(isinstance(v, str | int) for v in vals) and len(set(vals)) == len(vals):
            return k
    return None


def _yaml_diff(file: str, a, b, path: str = "") -> list[YamlChange]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in [*a, *(k for k in b if k not in a)]:
            p = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append(YamlChange(file, p, "removed", old=a[k]))
            elif k not in a:
                out.append(YamlChange(file, p, "added", new=b[k]))
            else:
                out += _yaml_diff(file, a[k], b[k], p)
        return out
    if isinstance(a, list) and isinstance(b, list):
        ka, kb = _item_key(a), _item_key(b)
        if ka is not None and ka == kb:
            da = {i[ka]: i for i in a}
            db = {i[kb]: i for i in b}
            return _yaml_diff(file, da, db, path) if path else _yaml_diff(file, da, db)
        out = []
        for i in range(max(len(a), len(b))):
            p = f"{path}[{i}]"
            if i >= len(b):
                out.append(YamlChange(file, p, "removed", old=a[i]))
            elif i >= len(a):
                out.append(YamlChange(file, p, "added", new=b[i]))
            else:
                out += _yaml_diff(file, a[i], b[i], p)
        return out
    if type(a) is type(b) and a == b:
        return []
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
            a, bool) and not isinstance(b, bool) and a == b:
        return []
    return [YamlChange(file, path or "(document)", "changed", old=a, new=b)]


# ------------------------------------------------------------------ versions
def _read(files: dict[str, bytes]) -> tuple[dict, list[str]]:
    try:
        raw, problems = read_folder(files)
    except InputError as e:  # unreadable: compared by content only
        return {"manifest": None, "tables": {}, "docs": {}, "origins": {}}, [str(p) for p in
                                                                             e.problems]
    for name, df in raw["tables"].items():
        if df is not None:
            df.attrs["origin"] = raw["origins"].get(name)
    return raw, [str(p) for p in problems if p.severity == "error"]


def diff_files(a: dict[str, bytes], b: dict[str, bytes]) -> VersionDiff:
    """What changed from the files ``a`` (older version) to ``b`` (newer version)."""
    sha = {k: hashlib.sha256(v).hexdigest() for k, v in a.items()}
    shb = {k: hashlib.sha256(v).hexdigest() for k, v in b.items()}
    added = tuple(sorted(set(shb) - set(sha)))
    removed = tuple(sorted(set(sha) - set(shb)))
    changed = tuple(sorted(k for k in set(sha) & set(shb) if sha[k] != shb[k]))
    if not (added or removed or changed):
        return VersionDiff((), (), (), (), ())
    raw_a, pa = _read(a)
    raw_b, pb = _read(b)
    tables = []
    for name in dict.fromkeys([*raw_a["tables"], *raw_b["tables"]]):
        ta, tb = raw_a["tables"].get(name), raw_b["tables"].get(name)
        td = _table_diff(name, ta, tb)
        if td.changed:
            tables.append(td)
    yaml: list[YamlChange] = []
    ma, mb = raw_a.get("manifest"), raw_b.get("manifest")
    if ma is not False and mb is not False and (ma is not None or mb is not None):
        yaml += _yaml_diff("project.yaml", ma or {}, mb or {})
    for f in dict.fromkeys([*raw_a["docs"], *raw_b["docs"]]):
        da, db = raw_a["docs"].get(f), raw_b["docs"].get(f)
        if da is False or db is False:
            continue
        yaml += _yaml_diff(f, da if da is not None else {}, db if db is not None else {})
    return VersionDiff(added, removed, changed, tuple(tables), tuple(yaml),
                       tuple(dict.fromkeys([*pa, *pb])))
