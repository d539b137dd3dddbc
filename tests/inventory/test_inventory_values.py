"""Inventory values checked by hand calculation with cited factors.

Factors used (bundled tables, each row carries its source):
- hard coal NCV 25.8 GJ/t, carbon content 25.8 kg C/GJ, oxidation 1.0:
  IPCC 2006 Vol.2 Ch.1 Tables 1.2 and 1.3 (other bituminous coal).
- power × hard coal: NOx 209 g/GJ, SO2 820 g/GJ: EMEP/EEA Guidebook 2023, 1.A.1.a Table 3-2.
- CH4 1 kg/TJ, N2O 1.5 kg/TJ: IPCC 2006 Vol.2 Ch.2 Table 2.2 (energy industries, coal).
- clinker CO2 0.52 t/t: IPCC 2006 Vol.3 Ch.2 Eq.2.4 (CaO 65 %, CKD correction 1.02).
- wet FGD SO2 removal 0.97, SCR NOx removal 0.80: HJ 2301-2017 (typical values).
- grid factor 0.5366 tCO2/MWh: MEE & NBS 2024 announcement, 2022 national average.
- GWP100 AR6: CH4 27.9, N2O 273 (IPCC AR6 WG1 Table 7.15).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

C2CO2 = 44 / 12  # IPCC 2006 Vol.2 Eq. 2.1


def val(inv, species, year=2020, by="source_id", key="U1", kind="controlled", scope=1):
    d = inv.aggregate(by, kind=kind, scope=scope)
    d = d[(d[by] == key) & (d["species"] == species) & (d["year"] == year)]
    return float(d["value"].sum())


def test_fuel_co2_from_carbon_content(tiny_inventory):
    # 1000 t × 25.8 GJ/t × 25.8 kg C/GJ × 44/12 × 1.0 / 1000 = 2440.68 t CO2
    expected = 1000 * 25.8 * 25.8 * C2CO2 / 1000
    assert val(tiny_inventory, "CO2") == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(2440.68, abs=0.01)


def test_uncontrolled_and_controlled_air_pollutants(tiny_inventory):
    gj = 1000 * 25.8
    assert val(tiny_inventory, "SO2", kind="uncontrolled") == pytest.approx(gj * 820e-6)
    assert val(tiny_inventory, "NOx", kind="uncontrolled") == pytest.approx(gj * 209e-6)
    # controlled = uncontrolled × (1 − Σ share × η)
    assert val(tiny_inventory, "SO2") == pytest.approx(gj * 820e-6 * (1 - 1.0 * 0.97))
    assert val(tiny_inventory, "NOx") == pytest.approx(gj * 209e-6 * (1 - 0.5 * 0.80))


def test_ch4_n2o_and_co2e(tiny_inventory):
    tj = 25.8
    assert val(tiny_inventory, "CH4") == pytest.approx(tj * 1.0 / 1000)
    assert val(tiny_inventory, "N2O") == pytest.approx(tj * 1.5 / 1000)
    co2e = val(tiny_inventory, "CO2e")
    assert co2e == pytest.approx(val(tiny_inventory, "CO2") + 27.9 * tj / 1000
                                 + 273 * tj * 1.5 / 1000)


def test_process_co2_clinker(tiny_inventory):
    assert val(tiny_inventory, "CO2", key="K1") == pytest.approx(500 * 0.52)


def test_scope2_reported_apart(tiny_inventory):
    # 100 MWh × 0.5366 t/MWh = 53.66 t, only in scope 2
    assert val(tiny_inventory, "CO2", key="E1EL", scope=2) == pytest.approx(53.66)
    assert val(tiny_inventory, "CO2", key="E1EL", scope=1) == 0.0
    direct = tiny_inventory.total(scope=1).loc["CO2", 2020]
    assert direct == pytest.approx(1000 * 25.8 * 25.8 * C2CO2 / 1000 + 260
                                   + 100 * 25.8 * 25.8 * C2CO2 / 1000)


def test_user_factor_overrides_default_and_is_reported(tiny_inventory):
    # user PM2.5 factor 5 kg/t for residential hard coal instead of EMEP 398 g/GJ
    assert val(tiny_inventory, "PM2.5", key="R1") == pytest.approx(100 * 5 / 1000)
    rep = tiny_inventory.factor_report()
    row = rep[(rep["sector"] == "residential") & (rep["species"] == "PM2.5")]
    assert row["set"].iloc[0] == "user" and row["source"].iloc[0] == "test: user factor"
    other = rep[(rep["sector"] == "residential") & (rep["species"] == "PM10")]
    assert other["set"].iloc[0] == "default" and "EMEP" in other["source"].iloc[0]


def test_measured_replaces_computed_and_keeps_it(tiny_inventory):
    # 2021: 2 kt coal → computed SO2 = 2000 × 25.8 × 820e-6 × 0.03; CEMS says 0.5 t
    computed = 2000 * 25.8 * 820e-6 * 0.03
    assert val(tiny_inventory, "SO2", year=2021) == pytest.approx(0.5)
    mc = tiny_inventory.measured_cells
    assert mc["computed_t"].iloc[0] == pytest.approx(computed)
    assert mc["measured_t"].iloc[0] == pytest.approx(0.5)
    # other species of the same source stay computed
    assert val(tiny_inventory, "NOx", year=2021) == pytest.approx(2000 * 25.8 * 209e-6 * 0.6)


def test_sulfur_balance(tiny, tmp_path):
    from tinyproject import MANIFEST, write_project

    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    p = write_project(tmp_path / "sb", manifest=MANIFEST.replace("so2_method: factor",
                                                                 "so2_method: sulfur_balance"))
    inv = compute(load_project(p))
    # hard coal default S = 1.0 %, ash retention 0.05 (fuels.csv):
    # SO2 = 1000 t × 0.01 × 2 (64/32) × (1 − 0.05) × (1 − 0.97 FGD) = 0.57 t
    expected = 1000 * 0.01 * 2 * 0.95 * 0.03
    assert val(inv, "SO2") == pytest.approx(expected)


def test_activity_units_converted(tiny_inventory):
    # 2021 activity given as 2 kt equals 2000 t
    nox_2021 = val(tiny_inventory, "NOx", year=2021)
    nox_2020 = val(tiny_inventory, "NOx", year=2020)
    assert nox_2021 == pytest.approx(2 * nox_2020)


def test_compute_arrays_matches_engine(tiny_inventory):
    from cocontrol.inventory import compute_arrays

    inv = tiny_inventory
    other = compute_arrays(inv.lines, inv.activity, inv.ef, inv.years,
                           ctrl_lines=inv.ctrl_lines, ctrl_factor=inv.ctrl_factor)
    measured_lines = set(getattr(inv, "_measured_lines", []))
    keep = [i for i in range(len(inv.lines)) if i not in measured_lines]
    np.testing.assert_allclose(other.emissions[keep], inv.emissions[keep])
    # its tables mark the cells without a factor as the engine's do (NaN factor: not
    # estimated); K1 (clinker) has no measured value
    k1 = other.aggregate("source_id").query("source_id == 'K1'")
    ref = inv.aggregate("source_id").query("source_id == 'K1'")
    assert k1["estimate"].tolist() == ref["estimate"].tolist()


def test_per_source_user_factors(tiny, tmp_path):
    # factors.csv rows with a source_id serve that source only, before any sector factor:
    # R1 (residential hard coal, 100 t) NOx 0.1 kg/GJ for any sector: 100 × 25.8 × 0.1 kg
    # = 0.258 t; U1 (power, 1000 t) SO2 2 kg/t, uncontrolled by definition (schema), so
    # its wet FGD (η 0.97, HJ 2301-2017) still applies: 1000 × 2 kg × 0.03 = 0.06 t; the
    # other species and sources keep the defaults
    import pandas as pd
    from tinyproject import FACTORS, write_project

    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    src = pd.DataFrame({"sector": ["*", "power"], "fuel": ["hard_coal", "hard_coal"],
                        "process": [None, None], "species": ["NOx", "SO2"],
                        "value": [0.1, 2.0], "unit": ["kg/GJ", "kg/t"],
                        "source": ["test: R1 stack test", "test: U1 CEMS factor"],
                        "source_id": ["R1", "U1"]})
    p = write_project(tmp_path / "p", factors=pd.concat([FACTORS, src], ignore_index=True))
    inv = compute(load_project(p))
    assert val(inv, "NOx", key="R1") == pytest.approx(100 * 25.8 * 0.1 / 1000)
    assert val(inv, "SO2", key="U1", kind="uncontrolled") == pytest.approx(1000 * 2 / 1000)
    assert val(inv, "SO2", key="U1") == pytest.approx(1000 * 2 / 1000 * (1 - 0.97))
    # unchanged elsewhere: R1's SO2 and U1's NOx keep the defaults of the plain project
    base = compute(load_project(tiny))
    assert val(inv, "SO2", key="R1") == pytest.approx(val(base, "SO2", key="R1"))
    assert val(inv, "NOx", key="U1") == pytest.approx(val(base, "NOx", key="U1"))
    # U1's second line (2021, in kt) gets the factor too: 2 kt × 1000 × 2 kg/t = 4 t
    assert val(inv, "SO2", year=2021, key="U1", kind="uncontrolled") == pytest.approx(4.0)
    rep = inv.factor_report()  # source-specific rows first, one clean row index
    assert rep.index.equals(pd.RangeIndex(len(rep)))
    assert rep["set"].iloc[0] == "user (source-specific)"
    sf = inv.source_factors.drop_duplicates().set_index(["source_id", "species"])
    assert sf.loc[("U1", "SO2"), "source"] == "test: U1 CEMS factor"
    assert sf.loc[("R1", "NOx"), "unit"] == "kg/GJ"


def test_year_index_of_rows_inside_outside_and_between_project_years():
    from cocontrol.inventory.engine import year_index

    yrs = [2020, 2021, 2025]
    # all rows inside the range: look-up table; a year between project years is -1
    assert year_index(np.array([2025, 2020, 2022, 2021]), yrs).tolist() == [2, 0, -1, 1]
    # rows outside the range (before the first, after the last project year): -1
    assert year_index(np.array([2019, 2020, 2026, 2025, 2022]), yrs).tolist() == [
        -1, 0, -1, 2, -1]
    # years as floats (a column read with blanks) and no project years at all
    assert year_index(np.array([2021.0, 2030.0]), yrs).tolist() == [1, -1]
    assert year_index(np.array([2021]), []).tolist() == [-1]
    # years beyond the int16 look-up table (>= 2**16): the offset table
    assert year_index(np.array([70001, 70000, 70005]), [70000, 70001, 70010]).tolist() == [
        1, 0, -1]


def test_activity_rows_of_other_years_are_left_out():
    import pandas as pd

    from cocontrol.inventory.engine import build_lines

    act = pd.DataFrame({"source_id": ["A", "A", "A", "B"], "region_id": "R",
                        "sector": "power", "fuel": "hard_coal", "process": None,
                        "year": [2020, 2019, 2021, 2021], "value": [1.0, 50.0, 2.0, 4.0],
                        "unit": "t"})
    lines, A, _ = build_lines(act, [2020, 2021])
    assert lines["source_id"].tolist() == ["A", "B"]
    assert A.tolist() == [[1.0, 2.0], [0.0, 4.0]]  # 2019 is not a project year
    # one line, three rows for two project years: not one row per line and year
    lines, A, _ = build_lines(act[act["source_id"] == "A"], [2020, 2021])
    assert A.tolist() == [[1.0, 2.0]]
    # a line whose rows come back after another line's: summed per line and year
    act2 = pd.DataFrame({"source_id": ["A", "A", "B", "B", "A", "A"], "region_id": "R",
                         "sector": "power", "fuel": "hard_coal", "process": None,
                         "year": [2020, 2021] * 3, "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                         "unit": "t"})
    assert build_lines(act2, [2020, 2021])[1].tolist() == [[6.0, 8.0], [3.0, 4.0]]
    # years as objects (not numbers), rows in reverse year order
    act3 = act2.iloc[[1, 0]].assign(year=pd.Series([2021, 2020], dtype=object).values)
    assert build_lines(act3, [2020, 2021])[1].tolist() == [[1.0, 2.0]]


def test_a_source_factor_fills_a_not_estimated_species(tmp_path):
    # EMEP 1.A.1.a Table 3-2 gives no NH3 for power × hard coal (not estimated on U1's two
    # lines); a source-specific factor for U1 estimates it: the not-estimated table drops
    # the row, OC (no speciation fraction) stays on both lines
    import pandas as pd
    from tinyproject import FACTORS, write_project

    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    nh3 = pd.DataFrame({"sector": ["power"], "fuel": ["hard_coal"], "process": [None],
                        "species": ["NH3"], "value": [0.01], "unit": ["kg/t"],
                        "source": ["test: U1 NH3 slip measured"], "source_id": ["U1"]})
    p = write_project(tmp_path / "p", factors=pd.concat([FACTORS, nh3], ignore_index=True))
    ne = compute(load_project(p)).not_estimated
    power = ne[ne["sector"] == "power"].set_index("species")["n_lines"].to_dict()
    assert power == {"OC": 2}


def test_prepared_factor_is_nan_to_num_of_the_factor():
    # engine.prepare: EF0 = np.nan_to_num(EF) (docstring), also for an infinite factor
    from cocontrol.inventory.engine import prepare

    ef = np.array([[np.inf, np.nan, 2.0]])
    ef0, F = prepare(ef, np.isfinite(ef), np.empty(0, np.int64), np.empty((0, 3, 1)))
    assert ef0.tolist() == np.nan_to_num(ef).tolist() and F is None


def test_measured_difference_and_units_by_hand(tiny, tmp_path):
    # U1 SO2 2021 computed: 2 kt × 1000 × 25.8 GJ/t × 820 g/GJ (EMEP/EEA 1.A.1.a) × (1 − 0.97
    # wet FGD) = 1.26936 t; measured 0.5 t: difference (0.5 / 1.26936 − 1) × 100 %
    from tinyproject import MEASURED, write_project

    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    inv = compute(load_project(tiny))
    computed = 2000 * 25.8 * 820e-6 * 0.03
    row = inv.measured_cells.iloc[0]
    assert row["computed_t"] == pytest.approx(computed)
    assert row["difference_%"] == pytest.approx((0.5 / computed - 1) * 100)
    # below 1 t computed (2020: 1000 t coal, 0.63468 t SO2) the difference is still given
    two = pd.concat([MEASURED, MEASURED.assign(year=2020, value=0.7)], ignore_index=True)
    cells = compute(load_project(write_project(tmp_path / "two", measured=two))
                    ).measured_cells.set_index("year")
    c20 = 1000 * 25.8 * 820e-6 * 0.03
    assert cells.loc[2020, "difference_%"] == pytest.approx((0.7 / c20 - 1) * 100)
    # the same measurement in kg gives the same emissions
    kg = MEASURED.assign(value=500.0, unit="kg")
    inv_kg = compute(load_project(write_project(tmp_path / "kg", measured=kg)))
    assert val(inv_kg, "SO2", year=2021) == pytest.approx(0.5)


def test_aggregate_species_subset_and_not_applicable_zeros(tiny_inventory):
    sub = tiny_inventory.aggregate("source_id", species=["SO2"])
    assert set(sub["species"]) == {"SO2"}
    # a species no factor set gives for a line's fuel or process is 0 there, estimated
    # (not "not estimated"): e.g. SO2 of the clinker process K1
    agg = tiny_inventory.aggregate("source_id")
    blank = agg[agg["estimate"] == ""]
    assert not blank["value"].isna().any() and (blank["value"] == 0).any()


def test_display_helpers_and_labelled_exports(tiny_inventory):
    from cocontrol.inventory.inventory import estimate_label, shown

    # an empty value is shown "not estimated", a number stays a number; no value column:
    # unchanged
    df = pd.DataFrame({"species": ["OC", "SO2"], 2020: [np.nan, 1.5]})
    out = shown(df, [2020])
    assert out[2020].tolist() == ["not estimated", 1.5]
    assert shown(df[["species"]], [2020]).equals(df[["species"]])
    assert estimate_label("") == "" and estimate_label(None) == ""
    assert estimate_label("not estimated", "zh") == "未估算"
    # IAMC rows carry the region's name from regions.csv (tinyproject: city C "Tiny")
    assert set(tiny_inventory.to_iamc()["region"]) == {"Tiny"}
    # the labelled result holds masses of the species, no CO2e sum
    em = tiny_inventory.result().to_frame()
    assert "CO2e" not in set(em["species"])


def test_workbook_scope2_sheet_holds_co2_only(tiny_inventory, tmp_path):
    # purchased electricity carries CO2 only (scope 2): 100 MWh × 0.5366 t/MWh, no CO2e row
    path = tiny_inventory.to_excel(tmp_path / "inv.xlsx")
    s2 = pd.read_excel(path, sheet_name="scope2_indirect", header=None, skiprows=2)
    assert s2[1].tolist() == ["CO2"]  # columns: sector, species, unit, 2020, 2021, estimate
    assert s2[0].tolist() == ["cement"] and s2[3].tolist() == pytest.approx([53.66])
