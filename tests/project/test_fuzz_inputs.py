"""Property-based fuzzing of a project's files: every mutation either loads or raises the
project's InputError, never another exception (issue 9 item 2).

The project is a small copy of the demo city (its YAML files as they are, its tables cut to a
few consistent rows) held in memory as ``{file name: bytes}`` and read with
:meth:`Project.from_files`, the same reader and validation as a folder, without disk I/O.
Mutations: cell values (types, codes, units, Chinese text, '#', extreme numbers), headings
(misspelt, Chinese, duplicated, removed), rows (empty table, duplicated rows, truncation),
encodings (UTF-8 with BOM as Excel's "CSV UTF-8" writes it, GB 18030, UTF-16, binary), a
table as .xlsx (whole, truncated, damaged) and YAML (unknown, misspelt or removed keys,
values of the wrong type, extreme numbers, truncated or non-UTF-8 text).

Exceptions found and fixed on the way are listed in the report of issue 9.
"""

from __future__ import annotations

import io as _stdio
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocontrol.errors import InputError
from cocontrol.project import Project

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
TABLES = ("regions", "activity", "controls", "factors", "measured", "drivers", "elasticities")
YAMLS = ("project.yaml", "scenarios.yaml", "optimisation.yaml")
COUNT = {"mutations": 0, "loaded": 0, "input_error": 0}
_LOAD = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMP = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
#: examples per property; 2,000 mutations in all at scale 1 (COCONTROL_FUZZ_SCALE=0.1 for a
#: quick run, 5 for a long one)
SCALE = float(os.environ.get("COCONTROL_FUZZ_SCALE", "1"))
N = {"table": 600, "workbook": 300, "yaml": 700, "combined": 400}


def fuzz(kind: str):
    return settings(max_examples=max(1, int(N[kind] * SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def base_tables() -> dict[str, pd.DataFrame]:
    """The demo's tables cut to a few rows that still refer to each other."""
    t = {n: pd.read_csv(DEMO / f"{n}.csv", dtype=str, keep_default_na=False)
         for n in TABLES}
    act = t["activity"]
    act = act[act["source_id"].isin(["PP1_U1", "SINTER1", "RES_D1_COAL", "KILN1"])
              | (act.index < 3)]
    t["activity"] = act
    src = set(act["source_id"])
    regs = t["regions"]
    keep = set(act["region_id"])
    parent = dict(zip(regs["region_id"], regs["parent_id"], strict=True))
    for r in list(keep):
        while parent.get(r):
            r = parent[r]
            keep.add(r)
    t["regions"] = regs[regs["region_id"].isin(keep)]
    for n in ("controls", "measured"):
        t[n] = t[n][t[n]["source_id"].isin(src)]
    t["factors"] = t["factors"].iloc[:3]
    return t


@cache
def base_files() -> dict[str, bytes]:
    f = {n: (DEMO / n).read_bytes() for n in YAMLS}
    for n, df in base_tables().items():
        f[f"{n}.csv"] = df.to_csv(index=False).encode("utf-8")
    return f


def check(files: dict[str, bytes]) -> None:
    COUNT["mutations"] += 1
    try:
        Project.from_files(files)
    except InputError as e:
        assert e.problems, "an InputError names at least one problem"
        for p in e.problems:
            assert p.file and p.message
            str(p)  # renders
        COUNT["input_error"] += 1
        return
    COUNT["loaded"] += 1


def test_base_copy_loads():
    p = Project.from_files(base_files())
    assert len(p.activity) >= 4 and p.scenarios is not None and p.optimisation is not None


# ------------------------------------------------------------------ strategies
CODES = ["power", "steel", "Steel", "原煤", "raw_coal_cn", "hard_coal", "吨", "t", "kt", "SO2",
         "PM25", "pm2.5", "NOx", "wet_fgd", "SCR", "city", "district", "PP1_U1", "gdp", "*",
         "unknown_code", "kg/t", "g/GJ", "MWh", "tce", "Nm3", "1e8 yuan", "%", "kt/yr", "μg/m³"]
NUMBERS = ["0", "-1", "1e308", "-1e308", "1e309", "inf", "-inf", "nan", "NaN", "1e-320",
           "-0", "2020", "2020.5", "99999", "1,000", "１２３", "0x10", "1e30", "3.4e+38", "",
           " ", "TRUE", "2020-01-01", "12%"]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
VALUE = st.one_of(st.sampled_from(CODES), st.sampled_from(NUMBERS), TEXT,
                  st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.integers(min_value=-10**20, max_value=10**20).map(str),
                  st.just("#comment"), st.just('"quoted, with comma"'), st.just("a\nb"))


def _csv(df: pd.DataFrame, enc: str = "utf-8") -> bytes:
    return df.to_csv(index=False).encode(enc, errors="replace")


@st.composite
def table_mutation(draw):
    name = draw(st.sampled_from(TABLES))
    df = base_tables()[name].copy()
    kind = draw(st.sampled_from(["cell", "cell", "cell", "column", "rows", "header", "encoding",
                                 "truncate", "bytes"]))
    files = dict(base_files())
    key = f"{name}.csv"
    if kind == "cell" and len(df):
        i = draw(st.integers(0, len(df) - 1))
        c = draw(st.sampled_from(list(df.columns)))
        df.iloc[i, df.columns.get_loc(c)] = draw(VALUE)
        files[key] = _csv(df)
    elif kind == "column":
        c = draw(st.sampled_from(list(df.columns)))
        how = draw(st.sampled_from(["drop", "dup", "blank", "extra"]))
        if how == "drop":
            df = df.drop(columns=[c])
        elif how == "blank":
            df[c] = ""
        elif how == "extra":
            df[draw(st.sampled_from(["notes", "sulphur_content", "valeu", "年份", "x"]))] = "1"
        files[key] = _csv(df) if how != "dup" else _csv(df).replace(
            b"\n", b"," + c.encode() + b"\n", 1)
    elif kind == "rows":
        how = draw(st.sampled_from(["empty", "dup", "header_only", "many_blank"]))
        if how == "empty":
            files[key] = b""
        elif how == "header_only":
            files[key] = _csv(df.iloc[:0])
        elif how == "dup":
            files[key] = _csv(pd.concat([df, df]))
        else:
            files[key] = _csv(df) + b",,,,\n" * 3
    elif kind == "header":
        from cocontrol.project.schema import SCENARIO_TABLES
        from cocontrol.project.schema import TABLES as SPECS

        spec = {**SPECS, **SCENARIO_TABLES}[name]
        c = draw(st.sampled_from(list(df.columns)))
        col = next((x for x in spec.columns if x.name == c), None)
        new = draw(st.sampled_from(["zh", "upper", "space", "typo"])) if col else "typo"
        rename = {"zh": col.description_zh.split("（")[0] if col else c, "upper": c.upper(),
                  "space": f" {c} ", "typo": c[:-1] or "x"}[new]
        files[key] = _csv(df.rename(columns={c: rename}))
    elif kind == "encoding":
        enc = draw(st.sampled_from(["utf-8-sig", "gb18030", "utf-16", "latin-1", "utf-8"]))
        if name == "regions":  # Chinese names in the table
            df = df.assign(name=df["name_zh"])
        files[key] = _csv(df, enc)
    elif kind == "truncate":
        data = _csv(df)
        files[key] = data[:draw(st.integers(0, max(0, len(data) - 1)))]
    else:
        data = bytearray(_csv(df))
        for _ in range(draw(st.integers(1, 4))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        files[key] = bytes(data)
    return files


@cache
def xlsx_bytes(name: str) -> bytes:
    buf = _stdio.BytesIO()
    base_tables()[name].to_excel(buf, index=False)
    return buf.getvalue()


@st.composite
def xlsx_mutation(draw):
    name = draw(st.sampled_from(TABLES))
    files = dict(base_files())
    del files[f"{name}.csv"]
    data = xlsx_bytes(name)
    how = draw(st.sampled_from(["whole", "truncate", "flip", "csv_named_xlsx", "inputs"]))
    if how == "truncate":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif how == "flip":
        b = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
        data = bytes(b)
    elif how == "csv_named_xlsx":
        data = base_files()[f"{name}.csv"]
    if how == "inputs":
        buf = _stdio.BytesIO()
        with pd.ExcelWriter(buf) as xw:
            base_tables()[name].to_excel(xw, sheet_name=draw(st.sampled_from(
                [name, name[:-1], name.upper(), "Sheet1"])), index=False)
        files["inputs.xlsx"] = buf.getvalue()
    else:
        files[f"{name}.xlsx"] = data
    return files


YAML_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
              st.floats(allow_nan=True, allow_infinity=True), TEXT,
              st.sampled_from(["baseline", "policy", "2030", "CO2", "sinter_ule", "t", "kt",
                               "1e400"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6)


def _paths(doc, prefix=()):
    """Every key path of a nested YAML document."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            out += _paths(v, prefix + (i,))
    return out


def _base_doc(fname: str):
    import copy

    return copy.deepcopy(_parsed(fname))


@cache
def _parsed(fname: str):
    return yaml.load(base_files()[fname], Loader=_LOAD)


@st.composite
def yaml_mutation(draw):
    fname = draw(st.sampled_from(YAMLS))
    files = dict(base_files())
    kind = draw(st.sampled_from(["value", "value", "key", "key", "delete", "text", "encoding"]))
    if kind in ("text", "encoding"):
        text = files[fname]
        if kind == "text":
            cut = draw(st.integers(0, len(text)))
            files[fname] = text[:cut] + draw(st.sampled_from([b"", b"\t", b": :", b"[", b"\x00",
                                                               b"{a: 1", b"- x\n"]))
        else:
            files[fname] = text.decode("utf-8").encode(draw(st.sampled_from(
                ["utf-16", "gb18030", "utf-8-sig"])))
        return files
    doc = _base_doc(fname)
    paths = [p for p in _paths(doc) if p]
    path = draw(st.sampled_from(paths))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    if kind == "value":
        parent[last] = draw(YAML_VALUE)
    elif kind == "key" and isinstance(parent, dict):
        new = draw(st.sampled_from([str(last)[:-1] or "x", str(last).upper(), str(last) + "s",
                                    "unknown_key", 2030]))
        parent[new] = parent.pop(last)
    elif isinstance(parent, dict):
        del parent[last]
    elif isinstance(parent, list):
        parent.pop(last)
    files[fname] = yaml.dump(doc, Dumper=_DUMP, allow_unicode=True).encode("utf-8")
    return files


# ------------------------------------------------------------------ properties
@fuzz("table")
@given(table_mutation())
def test_table_mutations_load_or_raise_input_error(files):
    check(files)


@fuzz("workbook")
@given(xlsx_mutation())
def test_workbook_mutations_load_or_raise_input_error(files):
    check(files)


@fuzz("yaml")
@given(yaml_mutation())
def test_yaml_mutations_load_or_raise_input_error(files):
    check(files)


@fuzz("combined")
@given(st.lists(st.one_of(table_mutation(), yaml_mutation()), min_size=2, max_size=3))
def test_combined_mutations_load_or_raise_input_error(many):
    files = dict(base_files())
    for m in many:  # several files damaged at once
        for k, v in m.items():
            if v != base_files().get(k):
                files[k] = v
    check(files)


@pytest.mark.parametrize("name", TABLES)
def test_missing_file_or_table(name):
    files = dict(base_files())
    del files[f"{name}.csv"]
    check(files)


def test_count_of_mutations():
    """Runs last in this module: at least 2,000 mutations were checked at scale 1."""
    print(f"\nfuzz: {COUNT['mutations']} mutations, {COUNT['loaded']} loaded, "
          f"{COUNT['input_error']} InputError")
    assert COUNT["loaded"] + COUNT["input_error"] == COUNT["mutations"]
    if SCALE >= 1 and COUNT["mutations"]:
        assert COUNT["mutations"] >= 2000
