"""Differences between two project versions (cocontrol.project.diff), checked against changes
made by hand to copies of the demo city: every expected row, cell and YAML key is written out
here from the edit, not taken from the code."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from cocontrol.project.diff import diff_files

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="module")
def demo() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in DEMO.iterdir() if p.is_file()}


def _csv_edit(data: bytes, fn) -> bytes:
    df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    return fn(df).to_csv(index=False).encode()


def test_identical_versions_have_no_difference(demo):
    d = diff_files(demo, dict(demo))
    assert d.identical and d.tables == () and d.yaml == ()
    assert d.summary() == {"files_added": 0, "files_removed": 0, "files_changed": 0,
                           "rows_added": 0, "rows_removed": 0, "rows_changed": 0,
                           "yaml_changes": 0}


def test_activity_rows_aligned_by_key_not_position(demo):
    # Edit by hand: the value of PP1_U1 raw coal 2020 (row 2 of activity.csv) from
    # 1160641.515 to 1200000; remove PP1_U1 diesel 2022 (row 5); add a new source at the end;
    # then reverse the row order (a position-based diff would report every row).
    def edit(df):
        df = df.copy()
        i = df.index[(df.source_id == "PP1_U1") & (df.fuel == "raw_coal_cn")
                     & (df.year == "2020")][0]
        df.loc[i, "value"] = "1200000"
        df = df[~((df.source_id == "PP1_U1") & (df.fuel == "diesel") & (df.year == "2022"))]
        new = df.iloc[[0]].copy()
        new["source_id"], new["value"] = "NEW_SRC", "10"
        return pd.concat([df, new]).iloc[::-1]

    b = dict(demo, **{"activity.csv": _csv_edit(demo["activity.csv"], edit)})
    d = diff_files(demo, b)
    assert d.files_changed == ("activity.csv",) and not d.files_added and not d.files_removed
    (t,) = d.tables
    assert t.table == "activity" and t.aligned_by == "key"
    assert t.key == ("source_id", "sector", "fuel", "process", "year")
    assert (t.count("added"), t.count("removed"), t.count("changed")) == (1, 1, 1)
    ch = next(r for r in t.rows if r.kind == "changed")
    assert ch.key == {"source_id": "PP1_U1", "sector": "power", "fuel": "raw_coal_cn",
                      "process": None, "year": "2020"}
    assert [(c.column, c.old, c.new) for c in ch.cells] == [("value", "1160641.515", "1200000")]
    assert ch.row_a == 2  # first data row of the original file (header = row 1)
    rm = next(r for r in t.rows if r.kind == "removed")
    assert rm.key["fuel"] == "diesel" and rm.key["year"] == "2022" and rm.row_a == 5
    add = next(r for r in t.rows if r.kind == "added")
    assert add.key["source_id"] == "NEW_SRC" and add.row_b == 2  # reversed: now first
    assert t.rows_b == t.rows_a  # one removed, one added


def test_numbers_compare_as_numbers_blank_is_not_zero(demo):
    def edit(df):
        df = df.copy()
        df.loc[0, "value"] = f"{float(df.loc[0, 'value']):.9e}"  # same number: 1.160641515e+06
        df.loc[1, "sulfur_content"] = "0"  # blank -> 0 is a change
        return df

    b = dict(demo, **{"activity.csv": _csv_edit(demo["activity.csv"], edit)})
    (t,) = diff_files(demo, b).tables
    (ch,) = t.rows
    assert ch.row_a == 3 and [(c.column, c.old, c.new) for c in ch.cells] == [
        ("sulfur_content", None, "0")]


def test_table_moved_to_excel_is_the_same_table(demo):
    regions = pd.read_csv(io.BytesIO(demo["regions.csv"]), dtype=str, keep_default_na=False)
    buf = io.BytesIO()
    regions.replace("", None).to_excel(buf, index=False)
    b = {k: v for k, v in demo.items() if k != "regions.csv"}
    b["regions.xlsx"] = buf.getvalue()
    d = diff_files(demo, b)
    assert d.files_added == ("regions.xlsx",) and d.files_removed == ("regions.csv",)
    (t,) = d.tables  # the origin changed, no row did
    assert (t.origin_a, t.origin_b) == ("regions.csv", "regions.xlsx") and t.rows == ()


def test_yaml_changes_by_key_path(demo):
    text = demo["project.yaml"].decode()
    assert "base_year: 2020" in text and "gwp: AR6" in text
    new = text.replace("gwp: AR6", "gwp: AR5").replace("currency: yuan\n", "") + "extra: 1\n"
    scen = demo["scenarios.yaml"].decode().replace("discount_rate: 0.05", "discount_rate: 0.08")
    b = dict(demo, **{"project.yaml": new.encode(), "scenarios.yaml": scen.encode()})
    d = diff_files(demo, b)
    got = {(c.file, c.path, c.kind, c.old, c.new) for c in d.yaml}
    assert got == {("project.yaml", "gwp", "changed", "AR6", "AR5"),
                   ("project.yaml", "currency", "removed", "yuan", None),
                   ("project.yaml", "extra", "added", None, 1),
                   ("scenarios.yaml", "settings.discount_rate", "changed", 0.05, 0.08)}
    assert d.to_dict()["summary"]["yaml_changes"] == 4


def test_duplicate_keys_fall_back_to_whole_rows():
    a = {"regions.csv": b"region_id,parent_id,level\nc,,city\nd,c,district\nd,c,district\n"}
    b = {"regions.csv": b"region_id,parent_id,level\nc,,city\nd,c,district\nd,c,park\n"}
    (t,) = diff_files(a, b).tables
    assert t.aligned_by == "whole rows" and t.key == ()
    assert [(r.kind, r.row_a, r.row_b, r.values["level"]) for r in t.rows] == [
        ("removed", 4, None, "district"), ("added", None, 4, "park")]
