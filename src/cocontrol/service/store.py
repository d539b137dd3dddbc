"""The results store: result tables as Parquet files (written and read with DuckDB), report
files beside them, metadata in the ``results`` table.

A result is written to ``results/.tmp-<id>/`` and renamed to ``results/<id>/`` before its row
is committed together with the job's final state, so a half-written result is never visible;
:func:`sweep` removes folders without a row (left by a crash) at start-up.

TODO(core): when the labelled result schema (to_frame/Parquet) is on main, write through it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

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


def write_parquet(df: pd.DataFrame, path: Path) -> dict:
    import duckdb

    d = _plain(df)
    con = duckdb.connect()
    try:
        con.register("frame", d)
        con.execute(f"COPY frame TO '{path.as_posix()}' (FORMAT PARQUET)")
    finally:
        con.close()
    return {"file": path.name, "rows": int(len(d)), "columns": list(d.columns)}


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


def write_result(root: Path, result_id: str, tables: dict[str, pd.DataFrame],
                 files: dict[str, bytes]) -> tuple[Path, dict, dict]:
    """Write a result's tables and files; returns (folder, table index, file index)."""
    tmp = root / f".tmp-{result_id}"
    final = root / result_id
    tmp.mkdir(parents=True, exist_ok=False)
    try:
        index = {}
        for name, df in tables.items():
            index[name] = write_parquet(df, tmp / f"{_safe(name)}.parquet")
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


@lru_cache(maxsize=1)
def factor_version() -> str:
    """Digest of the bundled reference data (factors, prices, GWPs, measures ...)."""
    return f"bundled:{_digest('data')[:16]}"


def _digest(what: str) -> str:
    root = Path(str(resources.files("cocontrol")))
    h = hashlib.sha256()
    if what == "py":
        paths = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    else:
        paths = sorted(p for p in (root / "data").rglob("*") if p.is_file())
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()
