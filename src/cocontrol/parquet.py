"""Parquet files of result tables, written and read with DuckDB.

Why DuckDB and not pyarrow: pandas 3 stores strings in pyarrow arrays as soon as pyarrow can
be imported, and that slowed the scenario what-if chain (prepare → run every scenario →
measure metrics of the demo city) by 1.45× (measured 25.0 s → 36.7 s and 20.0 s → 29.0 s in
two alternating runs, issue 10). DuckDB reads and writes pandas frames without pyarrow and
leaves pandas' string storage alone. It is imported only when a Parquet file is written or read.

A file's key-value metadata holds one key, ``cocontrol``, with a JSON text (the result kind,
table name, dtypes and provenance).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M

KEY = "cocontrol"


def _duckdb():
    try:
        import duckdb
    except ImportError as e:  # pragma: no cover - duckdb is a core dependency
        raise CocontrolError(M("msg.pq_needs_duckdb")) from e
    return duckdb


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def write(df: pd.DataFrame, path: str | Path, metadata: str | None = None) -> Path:
    """Write ``df`` (no index) to ``path``, with ``metadata`` under key ``cocontrol`` when
    given.

    The file is written to a temporary file of its own next to its target and renamed, so a
    reader never sees half a file and two writers of the same target (a retried Dask task)
    never share a temporary file.
    """
    import os
    import tempfile

    duckdb = _duckdb()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    kv = f", KV_METADATA {{{KEY}: {_sql_text(metadata)}}}" if metadata is not None else ""
    con = duckdb.connect()
    try:
        con.register("result_table", df.reset_index(drop=True))
        con.execute(f"COPY result_table TO {_sql_text(str(tmp))} (FORMAT PARQUET{kv})")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    tmp.replace(path)
    return path


def read(path: str | Path) -> tuple[pd.DataFrame, str]:
    """The table and the ``cocontrol`` metadata text of a file written by :func:`write`."""
    duckdb = _duckdb()
    path = Path(path)
    if not path.is_file():
        raise CocontrolError(M("msg.pq_not_found", path=path))
    con = duckdb.connect()
    try:
        df = con.execute(f"SELECT * FROM read_parquet({_sql_text(str(path))})").df()
        kv = con.execute(f"SELECT key, value FROM parquet_kv_metadata({_sql_text(str(path))})"
                         ).fetchall()
    finally:
        con.close()
    meta = {(k.decode() if isinstance(k, bytes) else k): v for k, v in kv}
    if KEY not in meta:
        raise CocontrolError(M("msg.pq_not_result", path=path, key=KEY))
    v = meta[KEY]
    return df, v.decode("utf-8") if isinstance(v, bytes) else str(v)
