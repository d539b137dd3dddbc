"""The one I/O layer: every file cocontrol reads or writes goes through here.

Reading
    :func:`read_table` reads a CSV or an Excel sheet with every cell as text, so that a bad
    cell becomes a :class:`~cocontrol.errors.Problem` later instead of a crash here. CSV text is
    UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), or GB 18030 (Excel's
    "CSV" on a Chinese Windows); lines starting with ``#`` *before the header* are comments,
    a ``#`` inside a value is kept (no ``comment="#"``, which would cut user text).
    :func:`read_yaml` reads YAML with the line of a syntax error. Every failure is an
    :class:`~cocontrol.errors.InputError` naming the file (and sheet).

Writing
    :func:`atomic_path` yields a temporary path next to the target and moves it into place
    only when the block completes; :func:`staged_dir` does the same for a set of outputs
    written into a folder (a report with its assets, the demo): nothing that looks finished
    is left behind by an interrupted run.
"""

from __future__ import annotations

import contextlib
import io as _io
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg

ROW = "_row"
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
_ENCODINGS = ("utf-8-sig", "gb18030")


# ------------------------------------------------------------------ reading
def _codes(items):
    from cocontrol.i18n import Seq

    return Seq(items, quote=True)


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(file=str(p), message=Msg("msg.file_not_found"),
                                 expected=Msg("exp.a_file_existing"))) from None
    except IsADirectoryError:
        raise InputError(Problem(file=str(p), message=Msg("msg.a_folder"),
                                 expected=Msg("exp.a_file"))) from None
    except OSError as e:
        raise InputError(Problem(file=str(p), message=Msg("msg.cannot_read_file",
                                                                  detail=e.strerror))
                         ) from None


def decode(data: bytes, file: str) -> str:
    """Text of ``data``: UTF-8 (BOM removed) or GB 18030; InputError if neither."""
    for enc in _ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InputError(Problem(file=file, message=Msg("msg.not_text"),
                             expected=Msg("exp.text_encoding")))


def read_text(path: str | Path) -> str:
    """Text of a file (UTF-8 with or without BOM, or GB 18030)."""
    return decode(read_bytes(path), str(path))


def read_yaml(path: str | Path, text: str | None = None) -> object:
    """Parsed YAML of ``path`` (or of ``text``, named ``path`` in messages)."""
    import yaml

    file = str(path)
    if text is None:
        text = read_text(path)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(Problem(file=file, row=(mark.line + 1) if mark else None,
                                 message=Msg("msg.not_yaml", detail=what),
                                 expected=Msg("exp.yaml_text"))
                         ) from None
    except Exception as e:  # noqa: BLE001 - yaml raises other errors on odd input
        raise InputError(Problem(file=file, message=Msg("msg.not_yaml", detail=e)
                                 )) from None


def read_json(path: str | Path, text: str | None = None) -> object:
    """Parsed JSON (e.g. GeoJSON) of ``path`` (or of ``text``, named ``path`` in messages)."""
    import json

    file = str(path)
    if text is None:
        text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:  # words from the catalogue (the parser's are English)
        raise InputError(Problem(file=file, row=e.lineno,
                                 message=Msg("err_json_invalid", col=e.colno),
                                 value=e.doc[max(e.pos - 10, 0):e.pos + 10] or None,
                                 expected=Msg("exp_json"))) from None


def leading_comments(text: str) -> int:
    """Number of lines at the top of ``text`` that are ``#`` comments or blank."""
    n = 0
    for ln in text.splitlines():
        if ln.lstrip().startswith("#") or not ln.strip():
            n += 1
            continue
        break
    return n


def comment_lines(text: str) -> list[str]:
    """The leading ``#`` comment lines of ``text`` (without the ``#``)."""
    out = []
    for ln in text.splitlines()[:leading_comments(text)]:
        if ln.lstrip().startswith("#"):
            out.append(ln.lstrip()[1:].strip())
    return out


def parse_csv(text: str, file: str = "<text>", index_col=None) -> pd.DataFrame:
    """A CSV text as a frame of strings (blank = NA); ``_row`` = the line the user sees."""
    skip = leading_comments(text)
    body = "\n".join(text.splitlines()[skip:])
    if not body.strip():
        raise InputError(Problem(file=file, message=Msg("msg.table_empty"),
                                 expected=Msg("exp.header_and_rows")))
    try:
        df = pd.read_csv(_io.StringIO(body), dtype=str, keep_default_na=False, na_values=[""],
                         skipinitialspace=True, index_col=index_col)
    except pd.errors.ParserError as e:
        raise InputError(Problem(file=file, message=Msg("msg.cannot_read_table", detail=e),
                                 expected=Msg("exp.csv_rows"))
                         ) from None
    except (ValueError, IndexError, pd.errors.EmptyDataError) as e:
        raise InputError(Problem(file=file, message=Msg("msg.cannot_read_table", detail=e))
                         ) from None
    df.columns = [_header(c) for c in df.columns]
    if index_col is None:
        df[ROW] = list(range(skip + 2, skip + 2 + len(df)))
    _check_header(df, file, None)
    df.attrs["file"] = file
    return df


def _header(c) -> str:
    s = str(c).replace("\ufeff", "").strip()
    return s


def _check_header(df: pd.DataFrame, file: str, sheet: str | None) -> None:
    cols = [c for c in df.columns if c != ROW]
    blank = [i + 1 for i, c in enumerate(cols) if c == "" or c.startswith("Unnamed:")]
    dup = sorted({c.rsplit(".", 1)[0] for c in cols if "." in c
                  and c.rsplit(".", 1)[0] in cols and c.rsplit(".", 1)[1].isdigit()})
    probs = []
    if dup:
        probs.append(Problem(file=file, sheet=sheet, row=1, column=", ".join(dup),
                             message=Msg("msg.heading_twice"),
                             expected=Msg("exp.each_column_once")))
    if blank and len(blank) == len(cols):
        probs.append(Problem(file=file, sheet=sheet, row=1, message=Msg("msg.header_empty"),
                             expected=Msg("exp.column_names")))
    if probs:
        raise InputError(probs)


def sheet_names(path: str | Path) -> list[str]:
    """Sheet names of a workbook; InputError when it is not a readable .xlsx."""
    wb = _open_workbook(Path(path))
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open_workbook(path: Path, data: bytes | None = None):
    import openpyxl

    data = read_bytes(path) if data is None else data
    try:
        return openpyxl.load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as e:
        raise InputError(Problem(file=str(path), message=Msg("msg.workbook_damaged",
                                                              detail=type(e).__name__),
                                 expected=Msg("exp.xlsx"))) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types on corrupt files
        raise InputError(Problem(file=str(path), message=Msg(
            "msg.cannot_open_workbook", detail=f"{type(e).__name__}: {e}"),
            expected=Msg("exp.xlsx"))) from None


def read_sheets(path: str | Path, data: bytes | None = None) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a frame of strings (first row = header)."""
    path = Path(path)
    wb = _open_workbook(path, data)
    out = {}
    try:
        for ws in wb.worksheets:
            out[ws.title] = _sheet_frame(ws, str(path))
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - damaged sheet XML
        raise InputError(Problem(file=str(path), message=Msg("msg.workbook_sheet_damaged",
                                                              detail=type(e).__name__),
                                 expected=Msg("exp.xlsx"))) from None
    finally:
        wb.close()
    return out


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, bool):
        return str(v).lower()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    s = str(v)
    return s if s.strip() else None


def _sheet_frame(ws, file: str) -> pd.DataFrame:
    rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        return pd.DataFrame({ROW: pd.Series(dtype=int)})
    header = [_header(h) if h is not None else "" for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = [r[:width] + [None] * (width - len(r[:width])) for r in rows[1:]]
    seen: dict[str, int] = {}
    cols = []
    for h in header:
        if h in seen:
            seen[h] += 1
            cols.append(f"{h}.{seen[h]}")
        else:
            seen[h] = 0
            cols.append(h)
    df = pd.DataFrame(body, columns=cols, dtype=object)
    df = df.astype(object).where(df.notna(), None)
    df[ROW] = list(range(2, 2 + len(df)))
    df.attrs["file"] = file
    df.attrs["sheet"] = ws.title
    return df


def read_table(path: str | Path, sheet: str | int | None = None, data: bytes | None = None
               ) -> pd.DataFrame:
    """A CSV file or one sheet of a workbook (default: the first) as a frame of strings.

    ``_row`` is the row number the user sees (header = 1); ``attrs`` carries ``file`` and
    ``sheet``. ``data``: the file's content when it is not on disk (an upload). Raises
    InputError for a missing, unreadable, damaged or empty file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = read_sheets(path, data)
        if not sheets:
            raise InputError(Problem(file=str(path), message=Msg("msg.no_sheet")))
        if sheet is None or sheet == 0:
            df = next(iter(sheets.values()))
        elif isinstance(sheet, str) and sheet in sheets:
            df = sheets[sheet]
        else:
            raise InputError(Problem(file=str(path), sheet=str(sheet), message=Msg("msg.sheet_not_found"),
                                     expected=Msg("exp.one_of", items=_codes(sheets))))
        _check_header(df, str(path), df.attrs.get("sheet"))
        return df
    if suffix in (".csv", ".txt", ""):
        text = read_text(path) if data is None else decode(data, str(path))
        return parse_csv(text, str(path))
    if suffix == ".xls":
        raise InputError(Problem(file=str(path), message=Msg("msg.xls"),
                                 value=suffix, expected=Msg("exp.save_xlsx")))
    raise InputError(Problem(file=str(path), message=Msg("msg.file_type"), value=suffix,
                             expected=Msg("exp.csv_or_xlsx")))


def read_frame(path: str | Path, sheet: str | int | None = None, data: bytes | None = None
               ) -> pd.DataFrame:
    """Like :func:`read_table` with numbers converted where a whole column is numeric
    (for analysis tables whose columns are not declared in the schema); ``data``: the file's
    content when it is not on disk (an upload)."""
    df = read_table(path, sheet, data=data).drop(columns=[ROW], errors="ignore")
    for c in df.columns:
        conv = pd.to_numeric(df[c], errors="coerce")
        if conv.notna().sum() == df[c].notna().sum():
            df[c] = conv
    return df


# ------------------------------------------------------------------ writing
_STDOUT_LOCK = threading.Lock()


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence the C-level stdout for the block (the HiGHS banner, which highspy writes when
    the first ``Highs()`` is made, before any option such as ``output_flag`` can be set; highspy
    1.16 has no option for it). Redirecting a file descriptor is process-wide, so concurrent
    solves take turns (a lock) and never leave stdout redirected."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(fd)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), fd)
                yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` when the block ends
    without an error, delete it otherwise (the target is never half-written)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial" + target.suffix,
                               dir=target.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def workbook_bytes(sheets, index: bool = False) -> bytes:
    """The bytes of an .xlsx workbook (openpyxl) with the given sheets, in order: a dict
    ``{name: frame}`` or ``(name, frame)`` pairs (a name given twice writes into the same
    sheet, as ``pandas.ExcelWriter`` does; ``None`` is pandas' default name ``Sheet1``).
    Nothing touches the file system; the caller makes its cells safe (``safe_frame``)."""
    buf = _io.BytesIO()
    items = sheets.items() if isinstance(sheets, dict) else sheets
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in items:
            frame.to_excel(xw, sheet_name="Sheet1" if name is None else name, index=index)
    return buf.getvalue()


def list_dir(path: str | Path) -> list[Path]:
    """The entries (files and folders) of the folder ``path``, sorted by name."""
    return sorted(Path(path).iterdir(), key=lambda p: p.name)


def make_dir(path: str | Path) -> Path:
    """Create the folder ``path`` and its parents (nothing when it exists); return it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_text(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def copy_file(source: str | Path, target: str | Path) -> Path:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
    return Path(target)


@contextlib.contextmanager
def staged_dir(out: str | Path) -> Iterator[Path]:
    """Yield a hidden staging folder inside ``out``; when the block completes, move every
    entry of it into ``out`` (replacing older ones); on an error, remove it: an interrupted
    run leaves no output that looks finished."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        yield stage
        for entry in sorted(stage.iterdir()):
            dest = out / entry.name
            if dest.is_dir() and not dest.is_symlink():
                if entry.is_dir():
                    _merge_dir(entry, dest)
                    continue
                shutil.rmtree(dest)
            os.replace(entry, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _merge_dir(src: Path, dest: Path) -> None:
    for entry in src.iterdir():
        d = dest / entry.name
        if entry.is_dir() and d.is_dir():
            _merge_dir(entry, d)
        else:
            if d.is_dir():
                shutil.rmtree(d)
            os.replace(entry, d)


def rebase(path: Path, stage: Path, out: Path) -> Path:
    """The final location of a file written at ``path`` inside ``stage``."""
    try:
        return out / Path(path).relative_to(stage)
    except ValueError:
        return Path(path)


# ------------------------------------------------------------------ typed readers
def read_csv(path: str | Path, data: bytes | None = None, **kw) -> pd.DataFrame:
    """``pandas.read_csv`` with pandas' own typing (``kw``) on the text of ``path`` (UTF-8
    with or without BOM, or GB 18030), leading ``#`` comment lines skipped and a ``#``
    inside a value kept; InputError naming the file when it cannot be read."""
    if "comment" in kw:
        raise TypeError("comment= cuts user text at '#': leading comment lines are skipped")
    text = decode(read_bytes(path) if data is None else data, str(path))
    body = "\n".join(text.splitlines()[leading_comments(text):])
    if not body.strip():
        raise InputError(Problem(file=str(path), message=Msg("msg.table_empty"),
                                 expected=Msg("exp.header_and_rows")))
    try:
        return pd.read_csv(_io.StringIO(body), **kw)
    except (pd.errors.ParserError, ValueError, IndexError, pd.errors.EmptyDataError) as e:
        raise InputError(Problem(file=str(path), message=Msg("msg.cannot_read_table", detail=e),
                                 expected=Msg("exp.csv_rows"))
                         ) from None


def read_excel(path: str | Path, **kw):
    """``pandas.read_excel`` (openpyxl) with a damaged or truncated workbook reported as an
    InputError naming the file."""
    data = read_bytes(path)
    _open_workbook(Path(path), data).close()  # plain error for a damaged file
    try:
        return pd.read_excel(_io.BytesIO(data), engine="openpyxl", **kw)
    except ValueError as e:  # e.g. a sheet that does not exist
        raise InputError(Problem(file=str(path), sheet=str(kw.get("sheet_name") or "") or None,
                                 message=Msg("msg.cannot_read_workbook", detail=e))
                         ) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types on damaged parts
        raise InputError(Problem(file=str(path), message=Msg("msg.workbook_sheet_damaged",
                                                              detail=type(e).__name__),
                                 expected=Msg("exp.xlsx"))) from None
