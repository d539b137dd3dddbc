"""The results store: result tables as Parquet files (written and read with DuckDB), report
files beside them, metadata in the ``results`` table.

A result is written to ``results/.tmp-<id>/`` and renamed to ``results/<id>/`` before its row
is committed together with the job's final state, so a half-written result is never visible;
:func:`sweep` removes folders without a row (left by a crash) at start-up.

Tables are written through :mod:`cocontrol.parquet` (the library's Parquet writer) with the
library's provenance shape (:class:`cocontrol.provenance.Provenance`: project hash, code version,
factor version, assumptions) in each file's ``cocontrol`` metadata, the same as in the result's
row and in ``GET /api/results/{id}`` (``provenance``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from cocontrol.provenance import Provenance

SAFE = "abcdefghijklmnopqrstuvwxyz0123456789_-."


def _safe(name: str) -> str:
    out = "".join(c if c.lower() in SAFE else "_" for c in name)[:80].strip(".")
    return out or "table"


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns as strings, object/str columns as Python strings (DuckDB reads them directly)."""
    d = df.copy()
    if not isinstance(d.index, pd.RangeIndex):
        d = d.reset_index()
    d.columns = [str(c) for c in d.columns]
    for c in d.columns:
        if not (pd.api.types.is_numeric_dtype(d[c]) or pd.api.types.is_bool_dtype(d[c])
                or pd.api.types.is_datetime64_any_dtype(d[c])):
            d[c] = d[c].astype(object).where(d[c].notna(), None).map(
                lambda v: v if v is None else str(v))
    return d


def write_parquet(df: pd.DataFrame, path: Path, meta: dict | None = None) -> dict:
    """One result table as Parquet through :mod:`cocontrol.parquet` (the library's writer):
    ``meta`` (kind, table, provenance) goes into the file's ``cocontrol`` metadata."""
    import json

    from cocontrol import parquet

    d = _plain(df)
    head = dict(meta or {}, dtypes={c: str(d[c].dtype) for c in d.columns})
    parquet.write(d, path, json.dumps(head, ensure_ascii=False, default=str))
    return {"file": path.name, "rows": int(len(d)), "columns": list(d.columns)}


def file_metadata(path: Path) -> dict:
    """The ``cocontrol`` metadata of a stored table (kind, table, provenance, dtypes)."""
    import json

    import duckdb

    con = duckdb.connect()
    try:
        kv = dict(con.execute("SELECT key, value FROM parquet_kv_metadata(?)",
                              [path.as_posix()]).fetchall())
    finally:
        con.close()
    v = kv.get(b"cocontrol", kv.get("cocontrol"))
    return json.loads(v.decode() if isinstance(v, bytes) else v) if v is not None else {}


def read_parquet(path: Path, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    try:
        sql = f"SELECT * FROM read_parquet('{path.as_posix()}')"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return con.execute(sql).df()
    finally:
        con.close()


def read_result_table(root: Path, result_id: str, file: str) -> pd.DataFrame:
    """One stored table of a result (``root``/``result_id``/``file``, as :func:`write_result`
    laid it out)."""
    return read_parquet(Path(root) / result_id / file)


def write_result(root: Path, result_id: str, tables: dict[str, pd.DataFrame],
                 files: dict[str, bytes], meta: dict | None = None) -> tuple[Path, dict, dict]:
    """Write a result's tables (each with ``meta`` and its name in the file's metadata) and
    files; returns (folder, table index, file index)."""
    tmp = root / f".tmp-{result_id}"
    final = root / result_id
    tmp.mkdir(parents=True, exist_ok=False)
    try:
        index = {}
        for name, df in tables.items():
            index[name] = write_parquet(df, tmp / f"{_safe(name)}.parquet",
                                        dict(meta or {}, table=name))
        findex = {}
        for name, data in files.items():
            fname = _safe(name)
            (tmp / "files").mkdir(exist_ok=True)
            (tmp / "files" / fname).write_bytes(data)
            findex[fname] = {"file": f"files/{fname}", "bytes": len(data)}
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, index, findex


def remove(root: Path, result_id: str) -> None:
    shutil.rmtree(root / result_id, ignore_errors=True)


def sweep(root: Path, known_ids: set[str]) -> list[str]:
    """Delete result folders that have no row (a crash between writing and committing)."""
    removed = []
    if not root.exists():
        return removed
    for p in root.iterdir():
        if p.is_dir() and (p.name.startswith(".tmp-") or p.name not in known_ids):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed


@lru_cache(maxsize=1)
def code_version() -> str:
    """Package version + a digest of the package's source files."""
    from cocontrol import __version__

    return f"{__version__}+{_digest('py')[:12]}"


def provenance(project_hash: str | None, assumptions: dict) -> Provenance:
    """The library's :class:`~cocontrol.provenance.Provenance` of a stored result: the
    project version's content hash, this code version (package version + source digest), the
    bundled reference tables' version and the task's assumptions (values as text)."""
    import json

    from cocontrol.provenance import Provenance, factor_version

    return Provenance(project_hash, code_version(), factor_version(), {
        str(k): v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str,
                                                        ensure_ascii=False)
        for k, v in (assumptions or {}).items() if v is not None})


def _digest(what: str) -> str:
    root = Path(str(resources.files("cocontrol")))
    h = hashlib.sha256()
    paths = sorted(p for p in root.rglob(f"*.{what}") if "__pycache__" not in p.parts)
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()
