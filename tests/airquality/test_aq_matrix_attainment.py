"""User sensitivity matrix (validation errors name file/row/column) and attainment against
GB 3095-2012 Table 1 (PM2.5 annual Grade II 35 µg/m³, Grade I 15 µg/m³) and the WHO 2021
guideline (annual AQG 5 µg/m³; IT-1 35, IT-2 25, IT-3 15, IT-4 10 µg/m³)."""

import pandas as pd
import pytest

from cocontrol.airquality import attainment, read_sensitivity_matrix, tm5fasst_china
from cocontrol.airquality.matrix import sensitivity_matrix_model
from cocontrol.errors import InputError

MATRIX = """receptor,source_region,precursor,sector,ugm3_per_t
CityA,CityA,SO2,*,2.0e-4
CityA,CityA,NOx,*,1.0e-4
CityA,Upwind,SO2,*,5.0e-5
CityB,CityA,SO2,*,3.0e-5
"""


def _write(tmp_path, text, name="m.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_matrix_predicts_linear_changes(tmp_path):
    base = pd.DataFrame({"receptor": ["CityA", "CityB"], "base_ugm3": [50.0, 30.0]})
    m = read_sensitivity_matrix(_write(tmp_path, MATRIX), base=base)
    e = pd.DataFrame({"source_region": ["CityA", "CityA", "Upwind"],
                      "precursor": ["SO2", "NOx", "SO2"], "change_t": [-10000, -20000, -4000]})
    r = m.predict(e).set_index("receptor")
    # hand calculation: A: 2e-4*-1e4 + 1e-4*-2e4 + 5e-5*-4e3 = -2 - 2 - 0.2 = -4.2
    assert r.loc["CityA", "change"] == pytest.approx(-4.2)
    assert r.loc["CityA", "value"] == pytest.approx(45.8)
    assert r.loc["CityB", "change"] == pytest.approx(-0.3)
    assert (r["component"] == "PM2.5").all() and len(r) == 2
    jac = m.jacobian().set_index(["receptor", "source_region", "precursor"])["value"]
    assert jac[("CityA", "CityA", "SO2")] == pytest.approx(2.0e-4)


def test_matrix_validation_names_file_row_column(tmp_path):
    bad = MATRIX.replace("CityA,CityA,NOx,*,1.0e-4", "CityA,CityA,NOy,*,abc") + \
        "CityA,CityA,SO2,*,9e-4\n,Up,NH3,*,1e-5\n"
    p = _write(tmp_path, bad, "bad.csv")
    with pytest.raises(InputError) as ei:
        read_sensitivity_matrix(p)
    msgs = [str(x) for x in ei.value.problems]
    assert any("bad.csv, row 3, column precursor" in s and "NOy" in s for s in msgs)
    assert any("bad.csv, row 3, column ugm3_per_t" in s and "abc" in s for s in msgs)
    assert any("row 6" in s and "duplicate" in s and "row 2" in s for s in msgs)
    assert any("row 7, column receptor" in s and "empty" in s for s in msgs)


def test_matrix_missing_column_and_excel_sheet(tmp_path):
    p = _write(tmp_path, "receptor,source_region,precursor\nA,A,SO2\n", "nocol.csv")
    with pytest.raises(InputError, match="missing column 'ugm3_per_t'"):
        read_sensitivity_matrix(p)
    x = tmp_path / "m.xlsx"
    pd.read_csv(_write(tmp_path, MATRIX)).to_excel(x, sheet_name="sens", index=False)
    m = read_sensitivity_matrix(x, sheet="sens")
    assert set(m.receptors) == {"CityA", "CityB"}
    with pytest.raises(InputError, match="m.xlsx"):
        read_sensitivity_matrix(x, sheet="nope")


def test_matrix_mixed_totals_and_components_rejected():
    df = pd.DataFrame({"receptor": ["A", "A"], "component": ["PM25", "SO4"],
                       "source_region": ["A", "A"], "precursor": ["SO2", "SO2"],
                       "ugm3_per_t": [1e-4, 1e-4]})
    with pytest.raises(InputError, match="both PM2.5 totals and PM2.5 component"):
        sensitivity_matrix_model(df)


@pytest.mark.parametrize("pm, grade2, grade1, who", [
    (35.0, True, False, "IT-1"), (35.0001, False, False, "above IT-1"),
    (25.0, True, False, "IT-2"), (15.0, True, True, "IT-3"), (10.0, True, True, "IT-4"),
    (5.0, True, True, "AQG"), (5.0001, True, True, "IT-4"), (0.0, True, True, "AQG"),
])
def test_attainment_boundaries(pm, grade2, grade1, who):
    a = attainment(pm).iloc[0]
    assert bool(a["meets_gb3095_grade2"]) is grade2
    assert bool(a["meets_gb3095_grade1"]) is grade1
    assert a["who2021_level"] == who
    assert a["gb3095_grade2_gap_ugm3"] == pytest.approx(pm - 35.0)
    assert bool(a["meets_who2021_aqg"]) is (pm <= 5.0)


def test_attainment_integer_rounding_half_even():
    # 35.4 -> 35 attains; 35.5 -> 36 (half to even) fails; 34.5 -> 34 attains
    a = attainment({"x": 35.4, "y": 35.5, "z": 34.5}, rounding="integer")
    assert list(a["meets_gb3095_grade2"]) == [True, False, True]


def test_attainment_component_breakdown_from_prediction():
    m = tm5fasst_china()
    e = pd.DataFrame({"source_region": ["CHN"], "precursor": ["SO2"], "change_t": [-1e6]})
    r = m.predict(e)
    a = attainment(r).loc["CHN"]
    pm = r.set_index("component").loc["PM2.5", "value"]
    assert a["PM25_ugm3"] == pytest.approx(pm)
    comps = ["SO4", "NO3", "NH4", "BC", "POM", "other"]
    assert sum(a[f"{c}_ugm3"] for c in comps) == pytest.approx(pm)
    assert sum(a[f"{c}_share"] for c in comps) == pytest.approx(1.0)


def test_sector_specific_coefficients_match_on_sector():
    df = pd.DataFrame({"receptor": ["A", "A"], "source_region": ["A", "A"],
                       "precursor": ["NOx", "NOx"], "sector": ["power", "transport"],
                       "ugm3_per_t": [1e-5, 4e-5]})
    m = sensitivity_matrix_model(df, base=pd.DataFrame({"receptor": ["A"], "base_ugm3": [40.0]}))
    e = pd.DataFrame({"source_region": ["A", "A"], "precursor": ["NOx", "NOx"],
                      "sector": ["power", "transport"], "change_t": [-1000.0, -1000.0]})
    r = m.predict(e).set_index("component")
    assert r.loc["PM2.5", "change"] == pytest.approx(-0.05)  # -0.01 - 0.04
    assert r.loc["PM2.5", "value"] == pytest.approx(39.95)
    # without a sector the change cannot be attributed: clear error, not a silent zero
    with pytest.raises(InputError, match="A/NOx"):
        m.predict(e.drop(columns="sector"))
    j = m.jacobian().set_index("sector")["value"]
    assert j["transport"] == pytest.approx(4e-5)
