"""Project files: where each input lives in a folder or workbook, and typing of text tables.

A table NAME is read from ``NAME.csv``, ``NAME.xlsx`` (first sheet), or the sheet NAME of
``inputs.xlsx``. Every cell is read as text (:mod:`cocontrol.io`) and converted here, so that
a bad cell becomes a :class:`~cocontrol.errors.Problem` naming file, sheet, row and column
rather than a crash. Codes written as Chinese names or common spellings are mapped through
the alias table (:mod:`cocontrol.project.codes`).

The returned frame carries the origin of each row in ``_row`` (the row number the user sees:
header is row 1) and the table's file/sheet in ``df.attrs``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import io, refdata, units
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq, Text, did_you_mean
from cocontrol.project import codes
from cocontrol.project.models import suggest
from cocontrol.project.schema import FREE_TEXT, TableSpec

ROW = io.ROW

#: YAML files a project folder can hold: name -> what it is
YAML_FILES = {
    "project.yaml": "project manifest",
    "scenarios.yaml": "scenarios, measures and targets",
    "optimisation.yaml": "optimisation settings",
    "instruments.yaml": "CGE policy instruments",
    "evaluation.yaml": "evaluation indicator system",
}
#: Tables of a project beyond the inventory tables (read as text; typed by their stage)
OTHER_TABLES = ("measures", "drivers", "elasticities", "species", "region_stats")
#: Sheets of the template workbook that are documentation, not data
DOC_SHEETS = ("README", "codes", "readme")

_CODE_KIND = {"sectors": "sector", "fuels": "fuel", "processes": "process",
              "species": "species", "control_tech": "technology"}


def locate(folder: Path, name: str, book_sheets: list[str] | None = None
           ) -> tuple[Path, str | None] | None:
    """Where table ``name`` lives in ``folder``: (file, sheet) or None."""
    for ext in ("csv", "xlsx"):
        p = folder / f"{name}.{ext}"
        if p.exists():
            return p, None
    if book_sheets is not None and name in book_sheets:
        return folder / "inputs.xlsx", name
    return None


def read_raw(path: Path, sheet: str | None, data: bytes | None = None) -> pd.DataFrame:
    """Read a CSV or an Excel sheet with every cell as text (blank cells as NA)."""
    df = io.read_table(path, sheet, data=data)
    # Template workbooks carry a second, Chinese header row: drop it if present.
    if len(df) and _is_zh_header(df.drop(columns=[ROW]).iloc[0]):
        df = df.iloc[1:].reset_index(drop=True)
    return df


def _is_zh_header(row: pd.Series) -> bool:
    vals = [str(v) for v in row.to_numpy() if isinstance(v, str)]
    return bool(vals) and all(v.startswith("【") for v in vals)


def text_frame(df: pd.DataFrame, file: str, sheet: str | None = None) -> pd.DataFrame:
    """A frame given as Python objects, as the text a file would hold (exact: floats by
    their shortest round-trip repr), with ``_row`` numbered as in a file."""
    out = pd.DataFrame(index=range(len(df)))
    for c in df.columns:
        vals = df[c].to_numpy(dtype=object)
        out[str(c).strip()] = [io._cell_text(v) if not (isinstance(v, float) and np.isnan(v))
                               and v is not pd.NA and v is not pd.NaT else None
                               for v in vals]
    if ROW not in out.columns:
        out[ROW] = np.arange(len(out)) + 2
    out.attrs["file"] = file
    out.attrs["sheet"] = sheet
    return out


def coerce(df: pd.DataFrame, spec: TableSpec, file: str, sheet: str | None,
           species=None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check columns and convert types; return the typed frame and the problems found.
    ``species``: the species registry of the project (default: the registered species)."""
    problems: list[Problem] = []
    df = _zh_headers(df, spec, file, sheet, problems)
    names = [c.name for c in spec.columns]
    known = set(names) | {ROW}
    unknown = [c for c in df.columns if c not in known and not str(c).startswith("Unnamed")
               and c != "" and str(c).lower() not in FREE_TEXT]
    missing = [c for c in spec.required if c not in df.columns]
    for c in missing:
        near = [u for u in unknown if suggest(u, [c])]
        hint = Msg("msg.meant_to_be", near=near[0], name=c) if near else ""
        problems.append(Problem(file=file, sheet=sheet, row=1, column=c,
                                message=Msg("msg.required_column", column=c, hint=hint),
                                expected=Msg("exp.columns", items=Seq(spec.required,
                                                                      quote=True))))
    for c in unknown:
        near = suggest(c, names)
        problems.append(Problem(file=file, sheet=sheet, row=1, column=c,
                                message=Msg("msg.unknown_column", column=c,
                                            hint=did_you_mean(near)),
                                expected=Msg("exp.columns_free", items=Seq(names,
                                                                           quote=True))))
    out = pd.DataFrame({ROW: df[ROW].to_numpy()})
    rows = df[ROW].to_numpy()
    for col in spec.columns:
        if col.name not in df.columns:
            out[col.name] = np.full(len(df), np.nan) if col.dtype != "str" else \
                np.full(len(df), None, dtype=object)
            continue
        raw = df[col.name]
        vals = [v.strip() if isinstance(v, str) else (None if v is None or
                                                        (isinstance(v, float) and np.isnan(v))
                                                        else str(v).strip())
                for v in raw.to_numpy(dtype=object)]
        vals = [v if v else None for v in vals]
        s = pd.Series(vals, dtype=object)
        if col.dtype == "str":
            if col.codes in _CODE_KIND:
                allowed = set(species.codes if species is not None else refdata.SPECIES) \
                    if col.codes == "species" else refdata.codes(col.codes)
                s, mapped = codes.map_column(s, _CODE_KIND[col.codes], allowed)
                if col.codes == "species" and species is not None:  # the project's spellings
                    s, more = _map_species(s, species, allowed)
                    mapped.update(more)
                _note_aliases(mapped, col.name, file, sheet, problems)
            elif col.name == "unit":
                s, mapped = _map_units(s)
                _note_aliases(mapped, col.name, file, sheet, problems)
            out[col.name] = s.to_numpy(dtype=object)
            blank = s.isna().to_numpy()
        else:
            num = pd.to_numeric(s.map(_number_text), errors="coerce")
            num = num.astype(float)
            bad = (num.isna() & s.notna()).to_numpy()
            for i in np.flatnonzero(bad)[:200]:
                problems.append(Problem(file=file, sheet=sheet, row=int(rows[i]),
                                        column=col.name, value=s.iat[i],
                                        message=Msg("msg.not_number"),
                                        expected=Msg("exp.number")))
            inf = ~np.isfinite(num.to_numpy()) & num.notna().to_numpy()
            for i in np.flatnonzero(inf)[:200]:
                problems.append(Problem(file=file, sheet=sheet, row=int(rows[i]),
                                        column=col.name, value=s.iat[i],
                                        message=Msg("msg.not_finite"),
                                        expected=Msg("exp.number")))
            num = num.where(np.isfinite(num.to_numpy()))
            if col.dtype == "int":
                f = num.to_numpy()
                frac = np.isfinite(f) & (f != np.floor(np.nan_to_num(f)))
                for i in np.flatnonzero(frac)[:200]:
                    problems.append(Problem(file=file, sheet=sheet, row=int(rows[i]),
                                            column=col.name, value=s.iat[i],
                                            message=Msg("msg.not_whole"),
                                            expected=Msg("exp.year")))
                big = np.isfinite(f) & ((f < 1000) | (f > 3000)) & ~frac
                if col.name == "year":
                    for i in np.flatnonzero(big)[:200]:
                        problems.append(Problem(file=file, sheet=sheet, row=int(rows[i]),
                                                column=col.name, value=s.iat[i],
                                                message=Msg("msg.not_year"),
                                                expected=Msg("exp.eg", example=2020)))
            out[col.name] = num.to_numpy(dtype=float)
            blank = s.isna().to_numpy()
        if col.required:
            for i in np.flatnonzero(blank)[:200]:
                problems.append(Problem(file=file, sheet=sheet, row=int(rows[i]),
                                        column=col.name, message=Msg("msg.required_empty"),
                                        expected=Text(col.description_en,
                                                      col.description_zh)))
    out.attrs["file"] = file
    out.attrs["sheet"] = sheet
    return out, problems


def zh_header(description_zh: str) -> str:
    """The short Chinese heading of a column (as in the template's second header row)."""
    return description_zh.split("（")[0].split("；")[0].split("，")[0].strip()


def _zh_headers(df: pd.DataFrame, spec: TableSpec, file: str, sheet: str | None,
                problems: list[Problem]) -> pd.DataFrame:
    """Columns headed in Chinese (the template's headings, with or without 【】, or the
    full description) renamed to their codes."""
    names = {c.name for c in spec.columns}
    ren = {}
    for c in spec.columns:
        d = c.description_zh
        for h in dict.fromkeys((d.split("（")[0].split("；")[0], zh_header(d), d)):
            for col in df.columns:
                if col in names or col == ROW or col in ren:
                    continue
                bare = str(col).strip().strip("【】[]").strip()
                if bare == h and c.name not in df.columns and c.name not in ren.values():
                    ren[col] = c.name
    if ren:
        df = df.rename(columns=ren)
        problems.append(Problem(file=file, sheet=sheet, row=1, severity="info",
                                message=Msg("msg.zh_headings", pairs=Seq(
                                    [f"{a} → {b}" for a, b in ren.items()], quote=True))))
    return df


def _number_text(v):
    """Numbers as people type them: thousands separators, full-width digits, a trailing %
    is not accepted (the unit is in the column's description)."""
    if not isinstance(v, str):
        return v
    t = v.replace(",", "").replace("\u00a0", "").replace(" ", "")
    t = t.translate(_FULLWIDTH)
    return t


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋ｅＥ", "0123456789.-+eE")


def _map_units(s: pd.Series) -> tuple[pd.Series, dict[str, str]]:
    uniq = {v for v in s.to_numpy(dtype=object) if isinstance(v, str)}
    mapping = {}
    for v in uniq:
        if units.is_known(v):
            continue
        c = codes.resolve(v, "unit", set())
        if c is not None:
            mapping[v] = c
    if not mapping:
        return s, {}
    return s.map(lambda x: mapping.get(x, x) if isinstance(x, str) else x), mapping


def _note_aliases(mapped: dict[str, str], column: str, file: str, sheet: str | None,
                  problems: list[Problem]) -> None:
    for a, c in sorted(mapped.items()):
        problems.append(Problem(file=file, sheet=sheet, column=column, value=a,
                                severity="info",
                                message=Msg("msg.alias", alias=a, code=c),
                                expected=None))


def empty(spec: TableSpec) -> pd.DataFrame:
    cols = {ROW: pd.Series(dtype=float)}
    for c in spec.columns:
        cols[c.name] = pd.Series(dtype=object if c.dtype == "str" else float)
    return pd.DataFrame(cols)


# ------------------------------------------------------------------ folder
class _Folder:
    """The files of a project folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def names(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())

    def label(self, name: str) -> str:
        return str(self.folder / name)

    def data(self, name: str) -> bytes:
        return io.read_bytes(self.folder / name)


class _Memory(_Folder):
    """Files given as ``{name: bytes}`` (an upload, a test), never written to disk."""

    def __init__(self, files: dict[str, bytes | str]):
        self.files = {k: v.encode("utf-8") if isinstance(v, str) else bytes(v)
                      for k, v in files.items()}

    def names(self) -> list[str]:
        return sorted(self.files)

    def label(self, name: str) -> str:
        return name

    def data(self, name: str) -> bytes:
        return self.files[name]


def read_folder(folder: Path | dict) -> tuple[dict, list[Problem]]:
    """Everything a project folder (or ``{file name: bytes}``) holds, as text frames and
    parsed YAML (no validation).

    Returns ``({"manifest": data|None, "tables": {name: frame}, "docs": {file: data},
    "origins": {name: text}}, problems)``; missing optional files are absent.
    """
    src = _Memory(folder) if isinstance(folder, dict) else _Folder(Path(folder))
    present = set(src.names())
    problems: list[Problem] = []
    out: dict = {"manifest": None, "tables": {}, "docs": {}, "origins": {}, "files": {}}
    if "project.yaml" not in present:
        near = [n for n in present if n.endswith((".yaml", ".yml"))
                and suggest(n.rsplit(".", 1)[0], ["project"])]
        problems.append(Problem(file=src.label("project.yaml"),
                                message=Msg("msg.manifest_not_found", hint=Msg(
                                    "msg.meant_to_be", near=near[0], name="project.yaml")
                                    if near else ""),
                                expected=Msg("exp.manifest")))
    else:
        try:
            out["manifest"] = _yaml_cached("project.yaml", src.data("project.yaml"))
        except InputError as e:
            problems += e.problems
            out["manifest"] = False
    book_sheets = None
    book_data = None
    if "inputs.xlsx" in present:
        try:
            book_data = src.data("inputs.xlsx")
            book_sheets = list(io.read_sheets("inputs.xlsx", book_data))
        except InputError as e:
            problems += e.problems
            book_sheets = []
    from cocontrol.project.schema import TABLES

    names = list(TABLES) + list(OTHER_TABLES)
    sheets_cache: dict | None = None
    for name in names:
        fname = next((f"{name}.{e}" for e in ("csv", "xlsx") if f"{name}.{e}" in present),
                     None)
        sheet = None
        if fname is None:
            if book_sheets and name in book_sheets:
                fname, sheet = "inputs.xlsx", name
            else:
                continue
        try:
            if sheet is not None:
                if sheets_cache is None:
                    sheets_cache = io.read_sheets("inputs.xlsx", book_data)
                df = sheets_cache[name]
                if len(df) and _is_zh_header(df.drop(columns=[ROW]).iloc[0]):
                    df = df.iloc[1:].reset_index(drop=True)
            else:
                data = src.data(fname)
                df = _read_cached(fname, data)
        except InputError as e:
            problems += e.problems
            out["tables"][name] = None
            continue
        df.attrs["file"] = fname
        df.attrs["sheet"] = sheet
        out["tables"][name] = df
        out["origins"][name] = fname + (f" [{sheet}]" if sheet else "")
    for fname in YAML_FILES:
        if fname == "project.yaml":
            continue
        alt = fname.replace(".yaml", ".yml")
        use = fname if fname in present else alt if alt in present else None
        if use is None:
            continue
        try:
            out["docs"][fname] = _yaml_cached(use, src.data(use))
        except InputError as e:
            problems += e.problems
            out["docs"][fname] = False
    # files that look like project files but are not (a misspelt name is silently unused)
    known = set(YAML_FILES) | {f"{n}.{e}" for n in names for e in ("csv", "xlsx")} | {
        "inputs.xlsx", "template.xlsx"} | {f.replace(".yaml", ".yml") for f in YAML_FILES}
    stems = [k.rsplit(".", 1)[0] for k in known]
    for n in sorted(present):
        stem, _, suffix = n.rpartition(".")
        if n.startswith((".", "~$")) or suffix.lower() not in ("csv", "xlsx", "yaml", "yml") \
                or n in known:
            continue
        near = suggest(stem, stems)
        if near:
            problems.append(Problem(file=src.label(n), message=Msg(
                "msg.file_name_unknown", hint=did_you_mean(f"{near}.{suffix}")),
                expected=Msg("exp.files_and_tables", files=Seq(sorted(YAML_FILES)),
                             tables=Seq(names, quote=True))))
    for sh in book_sheets or []:
        if sh in names or sh in DOC_SHEETS:
            continue
        near = suggest(sh, names)
        problems.append(Problem(file="inputs.xlsx", sheet=sh,
                                severity="error" if near else "warning",
                                message=Msg("msg.sheet_unknown", hint=did_you_mean(near)),
                                expected=Msg("exp.sheets", items=Seq(names, quote=True))))
    return out, problems


_CACHE_MAX_BYTES = 1 << 20  # only small files are memoised (uploads validated again and again)
_PARSED: dict = {}
_TYPED: dict = {}


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(data).hexdigest()


def _read_cached(fname: str, data: bytes) -> pd.DataFrame:
    """:func:`read_raw` of a file's content, memoised by content for small files (a copy
    is handed out: callers may change it)."""
    if len(data) > _CACHE_MAX_BYTES:
        return read_raw(Path(fname), None, data=data)
    key = (fname, _digest(data))
    hit = _PARSED.get(key)
    if hit is None:
        hit = read_raw(Path(fname), None, data=data)
        hit.attrs["digest"] = key
        if len(_PARSED) > 64:
            _PARSED.clear()
        _PARSED[key] = hit
    return hit.copy()


_YAML: dict = {}


def _yaml_cached(fname: str, data: bytes):
    """Parsed YAML of a file's content, memoised by content (a deep copy is handed out)."""
    import copy

    if len(data) > _CACHE_MAX_BYTES:
        return io.read_yaml(fname, text=io.decode(data, fname))
    key = (fname, _digest(data))
    if key not in _YAML:
        if len(_YAML) > 64:
            _YAML.clear()
        _YAML[key] = io.read_yaml(fname, text=io.decode(data, fname))
    return copy.deepcopy(_YAML[key])


def _map_species(s: pd.Series, species, allowed: set[str]) -> tuple[pd.Series, dict]:
    """Spellings of the project's species (their aliases in species.csv) as codes."""
    mapping = {v: species.canonical(v) for v in set(s.dropna()) if v not in allowed
               and species.canonical(v) is not None}
    if not mapping:
        return s, {}
    return s.map(lambda x: mapping.get(x, x) if isinstance(x, str) else x), mapping


def coerce_cached(df: pd.DataFrame, spec: TableSpec, file: str, sheet: str | None,
                  species=None) -> tuple[pd.DataFrame, list[Problem]]:
    """:func:`coerce`, memoised for frames read from small files (by their content)."""
    key = df.attrs.get("digest")
    if key is None:
        return coerce(df, spec, file, sheet, species)
    spk = None if species is None else tuple((x.code, x.aliases) for x in species)
    key = (*key, spec.name, file, sheet, spk)
    hit = _TYPED.get(key)
    if hit is None:
        hit = coerce(df, spec, file, sheet, species)
        if len(_TYPED) > 64:
            _TYPED.clear()
        _TYPED[key] = hit
    typed, probs = hit
    out = typed.copy()
    out.attrs.update(typed.attrs)
    out.attrs["digest"] = key
    return out, list(probs)


def read_workbook(path: Path) -> tuple[dict, list[Problem]]:
    """A project given as one workbook: a sheet per table, the manifest in a sheet
    ``project`` (columns key, value) or ``project.yaml`` beside the workbook, YAML files
    beside the workbook."""
    problems: list[Problem] = []
    try:
        sheets = io.read_sheets(path)
    except InputError as e:
        return {"manifest": None, "tables": {}, "docs": {}, "origins": {}, "files": {}}, \
            e.problems
    folder = path.parent
    out, probs = read_folder_docs(folder)
    problems += probs
    if "project" in sheets:
        s = sheets["project"]
        if not {"key", "value"} <= set(s.columns):
            problems.append(Problem(file=path.name, sheet="project", row=1,
                                    message=Msg("msg.project_sheet"),
                                    expected=Msg("exp.key_value")))
        else:
            data = {}
            for k, v, r in s[["key", "value", ROW]].itertuples(index=False):
                if k is None:
                    continue
                try:
                    data[str(k).strip()] = io.read_yaml(f"{path.name} [project] row {r}",
                                                        text=str(v)) if v is not None else None
                except InputError as e:
                    problems += e.problems
            out["manifest"] = data
    from cocontrol.project.schema import TABLES

    for name in list(TABLES) + list(OTHER_TABLES):
        if name in sheets:
            df = sheets[name]
            if len(df) and _is_zh_header(df.drop(columns=[ROW]).iloc[0]):
                df = df.iloc[1:].reset_index(drop=True)
            df.attrs["file"] = path.name
            df.attrs["sheet"] = name
            out["tables"][name] = df
            out["origins"][name] = f"{path.name} [{name}]"
    return out, problems


def read_folder_docs(folder: Path) -> tuple[dict, list[Problem]]:
    """Only the YAML files of a folder (manifest included)."""
    problems: list[Problem] = []
    out: dict = {"manifest": None, "tables": {}, "docs": {}, "origins": {}, "files": {}}
    for fname in YAML_FILES:
        p = folder / fname
        if p.exists():
            try:
                data = io.read_yaml(p)
            except InputError as e:
                problems += e.problems
                data = False
            if fname == "project.yaml":
                out["manifest"] = data
            else:
                out["docs"][fname] = data
    return out, problems
