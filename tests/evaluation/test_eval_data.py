"""Reading indicator values, computed indicators (joint decline, elasticity)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.evaluation import fill_computed_indicators, load_system, load_values


def test_fill_computed_indicators_hand():
    """Unit u: value added 100 -> 110 (10^4 yuan). CO2 100 -> 99 t: intensity 1.0 -> 0.9
    (d_c = 0.10). SO2 10 -> 8.8 t: 0.1 -> 0.08 (d = 0.20). NOx 20 -> 20.9 t: 0.2 -> 0.19
    (d = 0.05). Joint decline = 100 * mean(min(.20,.10), min(.05,.10)) = 7.5 %.
    Elasticity = ln(mean(0.8, 0.95)) / ln(0.9) = ln(0.875)/ln(0.9) = 1.26739."""
    em = pd.DataFrame({"unit": "u", "year": [2020] * 3 + [2021] * 3,
                       "species": ["CO2", "SO2", "NOx"] * 2,
                       "value": [100, 10, 20, 99, 8.8, 20.9]})
    va = pd.DataFrame({"unit": "u", "year": [2020, 2021], "value_added": [100.0, 110.0]})
    out = fill_computed_indicators(em, va).set_index(["unit", "year", "indicator"])
    assert out.at[("u", 2021, "joint_decline_rate"), "value"] == pytest.approx(7.5)
    assert out.at[("u", 2021, "elasticity_pollutant_carbon"), "value"] == pytest.approx(
        np.log(0.875) / np.log(0.9))
    assert np.isnan(out.at[("u", 2020, "joint_decline_rate"), "value"])
    assert "no previous year" in out.at[("u", 2020, "joint_decline_rate"), "source"]


def test_elasticity_undefined_when_carbon_intensity_rises_and_units_converted():
    em = pd.DataFrame({"unit": "u", "year": [2020, 2020, 2021, 2021],
                       "species": ["CO2", "NOx", "CO2", "NOx"],
                       "value": [1.0, 20.0, 1.2, 18.0],
                       "mass_unit": ["kt", "t", "kt", "t"], "value_added": 10.0})
    out = fill_computed_indicators(em).set_index(["year", "indicator"])
    assert np.isnan(out.at[(2021, "elasticity_pollutant_carbon"), "value"])
    assert "did not decline" in out.at[(2021, "elasticity_pollutant_carbon"), "source"]
    # CO2 intensity +20 % (d = -0.2), NOx -10 %: joint = min(0.1, -0.2) = -20 %
    assert out.at[(2021, "joint_decline_rate"), "value"] == pytest.approx(-20.0)


def test_load_values_long_and_wide_agree(tmp_path):
    s = load_system("park")
    rng = np.random.default_rng(0)
    rows = [{"unit": u, "year": y, "indicator": i, "value": float(rng.uniform(1, 9))}
            for u in ("a", "b") for y in (2022, 2023) for i in s.ids]
    long = pd.DataFrame(rows)
    p1 = tmp_path / "long.csv"
    long.to_csv(p1, index=False)
    wide = long.pivot(index=["unit", "year"], columns="indicator", values="value").reset_index()
    p2 = tmp_path / "wide.xlsx"
    wide.to_excel(p2, index=False, sheet_name="values")
    v1, u1 = load_values(p1, s)
    v2, _ = load_values(p2, s)
    pd.testing.assert_frame_equal(v1, v2, check_names=False)
    assert list(u1["group"]) == ["all", "all"]


def test_load_values_errors_name_row_and_column(tmp_path):
    s = load_system("park")
    wide = pd.DataFrame({"unit": ["a", "a", "b"], "year": [2022, 2022, "20x3"]})
    for i in s.ids:
        wide[i] = 1.0
    wide[s.ids[0]] = wide[s.ids[0]].astype(object)
    wide.loc[2, s.ids[0]] = "n/a?"
    wide["mystery"] = 1
    p = tmp_path / "bad.csv"
    wide.to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        load_values(p, s)
    got = {(x.row, x.column) for x in e.value.problems}
    assert (None, "mystery") in got          # unknown column
    assert (4, "year") in got                # Excel-style row: header = 1
    assert (4, s.ids[0]) in got              # not a number
    assert (3, "unit") in got                # duplicate unit-year
    assert all(x.file == str(p) for x in e.value.problems)


def test_load_values_computed_fill_and_absent_indicator(tmp_path):
    s = load_system("park")
    rows = [{"unit": "a", "year": 2021, "indicator": i, "value": 1.0} for i in s.ids
            if i != "joint_decline_rate"]
    with pytest.raises(InputError, match="no value for any unit"):
        load_values(pd.DataFrame(rows), s)
    comp = pd.DataFrame({"unit": ["a"], "year": [2021], "indicator": ["joint_decline_rate"],
                         "value": [3.0]})
    v, _ = load_values(pd.DataFrame(rows), s, computed=comp)
    assert v.at[("a", 2021), "joint_decline_rate"] == 3.0


def test_emissions_from_inventory_demo_city():
    """Joint decline and elasticity straight from a cocontrol inventory (examples/demo-city,
    2020 and 2022) with an assumed value added (test input, not data)."""
    inv_mod = pytest.importorskip("cocontrol.inventory")
    from pathlib import Path

    from cocontrol.evaluation import emissions_from_inventory
    from cocontrol.project import load_project
    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
    if not (demo / "project.yaml").exists():
        pytest.skip("examples/demo-city not present")
    inv = inv_mod.compute(load_project(demo), strict=False)
    em = emissions_from_inventory(inv, level="enterprise")
    assert {"unit", "year", "species", "value", "mass_unit"} <= set(em.columns)
    assert {"CO2", "SO2", "NOx"} <= set(em["species"])
    units = em["unit"].unique()
    va = pd.DataFrame({"unit": np.repeat(units, 2), "year": [2020, 2022] * len(units),
                       "value_added": 100.0})  # constant VA: intensity ratio = emission ratio
    out = fill_computed_indicators(em, va).set_index(["unit", "year", "indicator"])
    u = units[0]
    w = em[em["unit"] == u].pivot_table(index="year", columns="species", values="value")
    d = 1 - w.loc[2022] / w.loc[2020]
    pols = [p for p in ("SO2", "NOx", "PM2.5", "VOCs") if p in w.columns]
    expected = 100 * np.mean([min(d[p], d["CO2"]) for p in pols])
    assert out.at[(u, 2022, "joint_decline_rate"), "value"] == pytest.approx(expected)


def test_pollutant_not_emitted_is_left_out():
    """VOCs = 0 in both years: left out, joint decline from SO2 only (d = 0.2, d_c = 0.1)."""
    em = pd.DataFrame({"unit": "u", "year": [2020] * 3 + [2021] * 3,
                       "species": ["CO2", "SO2", "VOCs"] * 2,
                       "value": [100, 10, 0, 90, 8, 0], "value_added": 1.0})
    out = fill_computed_indicators(em).set_index(["year", "indicator"])
    assert out.at[(2021, "joint_decline_rate"), "value"] == pytest.approx(10.0)
    assert out.at[(2021, "elasticity_pollutant_carbon"), "value"] == pytest.approx(
        np.log(0.8) / np.log(0.9))
