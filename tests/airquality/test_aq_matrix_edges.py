"""User sensitivity matrix (airquality/matrix.py): cases where planted bugs survived (make
mutate): per-component matrices and bases, mixed sector rows, the first sheet of a
workbook, zero base concentrations and which problems are reported. Hand values: the change
at a receptor is Σ coefficient × emission change (µg/m³ per t/yr × t/yr)."""

from __future__ import annotations

import pandas as pd
import pytest

from cocontrol.airquality import read_sensitivity_matrix
from cocontrol.airquality.matrix import sensitivity_matrix_model, validate_matrix
from cocontrol.errors import InputError


def _m(rows, cols=("receptor", "component", "source_region", "precursor", "sector",
                   "ugm3_per_t")):
    return pd.DataFrame(rows, columns=list(cols))


COMP = _m([["A", "SO4", "A", "SO2", "*", 2e-4], ["A", "NO3", "A", "NOx", "*", 1e-4]])


def test_matrix_per_component_with_base_per_component():
    base = pd.DataFrame({"receptor": ["A", "A"], "component": ["SO4", "NO3"],
                         "base_ugm3": [8.0, 0.0]})  # 0 µg/m³ is a valid base
    m = sensitivity_matrix_model(COMP, base=base)
    e = pd.DataFrame({"source_region": ["A", "A"], "precursor": ["SO2", "NOx"],
                      "change_t": [-1000.0, 2000.0]})
    r = m.predict(e).set_index("component")
    assert r.loc["SO4", "change"] == pytest.approx(-0.2)  # 2e-4 x -1000
    assert r.loc["NO3", "change"] == pytest.approx(0.2)   # 1e-4 x 2000
    assert r.loc["SO4", "value"] == pytest.approx(7.8)
    assert sensitivity_matrix_model(COMP).jacobian()["value"].sum() == pytest.approx(3e-4)


def test_total_base_for_a_per_component_receptor_is_an_error():
    base = pd.DataFrame({"receptor": ["A"], "base_ugm3": [40.0]})
    with pytest.raises(InputError, match="per PM2.5 component") as e:
        sensitivity_matrix_model(COMP, base=base)
    assert e.value.problems[0].row == 2


def test_unknown_component_is_reported():
    bad = _m([["A", "SO5", "A", "SO2", "*", 2e-4]])
    with pytest.raises(InputError) as e:
        validate_matrix(bad, file="m.csv")
    p = e.value.problems[0]
    assert p.column == "component" and p.value == "SO5" and p.row == 2


def test_all_sector_and_sector_rows_of_one_key_are_an_error_each_key_once():
    rows = [["A", "PM2.5", "A", "SO2", "*", 1e-4], ["A", "PM2.5", "A", "SO2", "power", 1e-4],
            ["A", "PM2.5", "A", "SO2", "steel", 1e-4], ["A", "PM2.5", "A", "NOx", "*", 1e-4],
            ["A", "PM2.5", "A", "NOx", "power", 1e-4], ["A", "PM2.5", "A", "NH3", "*", 1e-4],
            ["A", "PM2.5", "B", "NH3", "power", 1e-4]]
    with pytest.raises(InputError) as e:
        validate_matrix(_m(rows))
    got = sorted(p.value for p in e.value.problems)
    assert got == ["A/PM2.5/A/NOx", "A/PM2.5/A/SO2"]


def test_sector_rows_next_to_all_sector_rows_of_other_keys_are_valid():
    rows = [["A", "PM2.5", "A", "SO2", "*", 1e-4], ["A", "PM2.5", "A", "NOx", "power", 2e-4]]
    out = validate_matrix(_m(rows))
    assert out["sector"].tolist() == ["*", "power"]


def test_an_extra_index_column_is_ignored(tmp_path):
    m = _m([["A", "PM2.5", "A", "SO2", "*", 1e-4]]).assign(index=[5])
    base = pd.DataFrame({"index": [9], "receptor": ["A"], "base_ugm3": [0.5]})
    model = sensitivity_matrix_model(m, base=base)
    assert model.base_concentration()["base"].tolist() == [0.5]


def test_workbook_without_sheet_uses_the_first_sheet(tmp_path):
    x = tmp_path / "m.xlsx"
    with pd.ExcelWriter(x) as w:
        _m([["A", "PM2.5", "A", "SO2", "*", 1e-4]]).to_excel(w, sheet_name="first", index=False)
        pd.DataFrame({"note": ["not a matrix"]}).to_excel(w, sheet_name="notes", index=False)
    assert read_sensitivity_matrix(x).receptors == ["A"]


def test_base_file_errors_name_no_sheet_for_csv(tmp_path):
    mp = tmp_path / "m.csv"
    _m([["A", "PM2.5", "A", "SO2", "*", 1e-4]]).to_csv(mp, index=False)
    bp = tmp_path / "b.csv"
    pd.DataFrame({"receptor": ["A"], "base_ugm3": [-1.0]}).to_csv(bp, index=False)
    with pytest.raises(InputError) as e:
        read_sensitivity_matrix(mp, base=bp)
    p = e.value.problems[0]
    assert p.sheet is None and p.file == str(bp) and p.row == 2


def test_a_frame_index_is_never_read_as_a_column():
    # rows are read by position and columns by name: a receptor held in the frame's index
    # (e.g. after set_index) is not a receptor column, in the matrix and in the base table
    m = _m([["A", "PM2.5", "A", "SO2", "*", 1e-4]])
    with pytest.raises(InputError) as e:
        validate_matrix(m.set_index("receptor"))
    assert [p.column for p in e.value.problems] == ["receptor"]
    base = pd.DataFrame({"receptor": ["A"], "base_ugm3": [40.0]}).set_index("receptor")
    with pytest.raises(InputError) as e:
        sensitivity_matrix_model(m, base=base)
    assert [p.column for p in e.value.problems] == ["receptor"]
