"""Checks of the bundled reference tables (src/cocontrol/data/*.csv) and the embedded demo.

Schema checks follow docs/data-schema.md; spot checks compare values with the publications
cited in each test (IPCC 2006 Guidelines, EMEP/EEA guidebook 2023, IPCC AR5/AR6, MEE/NBS,
Environmental Protection Tax Law). Hand calculations are written out in the tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cocontrol import units

DATA = Path(__file__).resolve().parents[2] / "src" / "cocontrol" / "data"
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"

COLUMNS = {
    "species": ["code", "name_en", "name_zh", "group", "iamc", "aliases", "source"],
    "gwp": ["set", "species", "value", "source"],
    "fuels": ["code", "name_en", "name_zh", "kind", "ncv", "ncv_unit", "carbon_content",
              "oxidation", "sulfur_content", "so2_ash_retention", "biogenic", "source"],
    "sectors": ["code", "name_en", "name_zh", "parent", "iamc", "nfr", "source"],
    "processes": ["code", "name_en", "name_zh", "sector", "activity_unit", "source"],
    "ef_air": ["sector", "fuel", "process", "species", "value", "unit", "tier", "source",
               "basis", "basis_note"],
    "control_tech": ["code", "name_en", "name_zh", "category", "energy_penalty",
                     "penalty_carrier", "nh3_slip", "source"],
    "control_removal": ["technology", "species", "efficiency", "source"],
    # `default` is an added last column (documented in docs/reference-data.md)
    "pev": ["species", "pollutant_zh", "pev_kg", "source", "default"],
    "grid": ["code", "year", "value", "unit", "source"],
}
KEYS = {
    "species": ["code"], "gwp": ["set", "species"], "fuels": ["code"], "sectors": ["code"],
    "processes": ["code"], "ef_air": ["sector", "fuel", "process", "species", "basis"],
    "control_tech": ["code"], "control_removal": ["technology", "species"],
    "pev": ["species", "pollutant_zh"], "grid": ["code"],
}
SPECIES = ["SO2", "NOx", "PM2.5", "PM10", "VOCs", "CO", "NH3", "BC", "OC", "CO2", "CH4", "N2O"]


def read(name: str) -> pd.DataFrame:
    # same reading options as cocontrol.refdata.table
    return pd.read_csv(DATA / f"{name}.csv", comment="#", skipinitialspace=True,
                       keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return {name: read(name) for name in COLUMNS}


def _ef(t, sector, fuel="", process="", species="NOx") -> pd.Series:
    e = t["ef_air"].fillna({"fuel": "", "process": ""})
    row = e[(e.sector == sector) & (e.fuel == fuel) & (e.process == process)
            & (e.species == species)]
    assert len(row) == 1, (sector, fuel, process, species)
    return row.iloc[0]


# ----------------------------------------------------------------------------- schema
@pytest.mark.parametrize("name", list(COLUMNS))
def test_columns_exactly_as_schema(t, name):
    assert list(t[name].columns) == COLUMNS[name]


@pytest.mark.parametrize("name", list(COLUMNS))
def test_keys_unique_and_sources_present(t, name):
    df = t[name]
    assert not df.duplicated(KEYS[name]).any(), df[df.duplicated(KEYS[name], keep=False)]
    src = df["source"].astype(str).str.strip()
    assert (df["source"].notna() & (src != "")).all(), f"{name}: row without source"


@pytest.mark.parametrize("name", list(COLUMNS))
def test_no_hash_in_files(name):
    # refdata.table reads with comment="#": a '#' would silently cut a row
    assert "#" not in (DATA / f"{name}.csv").read_text(encoding="utf-8")


def test_species_codes_exact(t):
    sp = t["species"]
    assert list(sp["code"]) == SPECIES
    assert set(sp["group"]) == {"air", "ghg"}
    assert set(sp.loc[sp.group == "ghg", "code"]) == {"CO2", "CH4", "N2O"}
    assert sp.set_index("code").loc["VOCs", "iamc"] == "VOC"


def test_codes_lowercase_ascii(t):
    for name in ("fuels", "sectors", "processes", "control_tech", "grid"):
        codes = t[name]["code"]
        assert codes.str.fullmatch(r"[a-z0-9_]+").all(), name


def test_referential_integrity(t):
    sectors, fuels = set(t["sectors"].code), set(t["fuels"].code)
    procs, species = set(t["processes"].code), set(SPECIES)
    parents = set(t["sectors"].parent.dropna())
    assert parents <= sectors
    assert set(t["processes"].sector) <= sectors
    e = t["ef_air"]
    assert set(e.sector) <= sectors | {"*"}
    assert set(e.fuel.dropna()) <= fuels
    assert set(e.process.dropna()) <= procs
    assert set(e.species) <= species
    assert set(t["control_removal"].technology) <= set(t["control_tech"].code)
    # plus the 2.5-10 µm bin that PM10 removal is computed from (inventory.engine.combine_pm10)
    assert set(t["control_removal"].species) <= species | {"PM2.5-10"}
    assert set(t["gwp"].species) == {"CO2", "CH4", "N2O"}
    assert set(t["pev"].species) <= species


def test_sector_hierarchy_has_no_cycles(t):
    parent = dict(zip(t["sectors"].code, t["sectors"].parent, strict=True))
    for code in parent:
        seen, cur = set(), code
        while isinstance(cur, str):
            assert cur not in seen, f"cycle at {code}"
            seen.add(cur)
            cur = parent[cur]


def test_fuel_properties(t):
    f = t["fuels"]
    assert set(f.kind) <= {"solid", "liquid", "gas", "biomass", "electricity", "heat"}
    comb = f[~f.kind.isin(["electricity", "heat"])]
    assert (comb.ncv > 0).all() and (comb.carbon_content > 0).all()
    assert ((comb.oxidation > 0) & (comb.oxidation <= 1)).all()
    assert (comb.loc[comb.kind == "gas", "ncv_unit"] == "GJ/kNm3").all()
    assert (comb.loc[comb.kind != "gas", "ncv_unit"] == "GJ/t").all()
    for u in comb.ncv_unit:
        num, den = u.split("/")
        assert units.factor(num, "GJ") == 1.0 and units.is_known(den)
    s = f.sulfur_content.dropna()
    assert ((s >= 0) & (s <= 10)).all()
    r = f.so2_ash_retention.dropna()
    assert ((r >= 0) & (r <= 1)).all()
    assert set(f.biogenic.astype(str).str.lower()) <= {"true", "false"}
    assert set(f.loc[f.biogenic.astype(str).str.lower() == "true", "code"]) == {"biomass", "biogas"}


def test_process_activity_units_parse(t):
    for u in t["processes"].activity_unit:
        assert units.is_known(u), u


def test_ef_air_rows_well_formed(t):
    e = t["ef_air"]
    has_fuel, has_proc = e.fuel.notna(), e.process.notna()
    assert (has_fuel ^ has_proc).all(), "exactly one of fuel/process"
    # missing is not zero: a factor the cited source does not give is empty (tier NE)
    assert ((e.value >= 0) | (e.value.isna() & (e.tier == "NE"))).all()
    assert e.loc[e.tier == "NE", "value"].isna().all()
    assert set(e.basis) <= {"abated", "unabated", "n/a"} and e.basis_note.notna().all()
    # fuel CO2 is computed from fuels.csv, never a row (docs/data-schema.md)
    assert not ((e.species == "CO2") & has_fuel).any()
    assert "kg/Mg" not in set(e.unit) and "g/Mg" not in set(e.unit)


def test_ef_air_units_parse(t):
    """Every unit is mass of species per activity, convertible by cocontrol.units.factor."""
    for u in t["ef_air"].unit.unique():
        num, den = u.split("/", 1)
        assert units.factor(num, "kg") > 0, u
        assert any(units.dimension_ok(den, ref) for ref in
                   ("t", "GJ", "head", "vkm", "m**2", "Nm3")), u
    assert units.factor("g/GJ", "kg/TJ") == pytest.approx(1.0)
    assert units.factor("kg/t", "t/t") == pytest.approx(1e-3)


def _to_common(e: pd.DataFrame) -> pd.DataFrame:
    """Values converted to kg per the row's own denominator (for within-pair comparisons)."""
    e = e.fillna({"fuel": "", "process": ""}).copy()
    e["kg"] = [v * units.factor(u.split("/", 1)[0], "kg") for v, u in zip(e.value, e.unit,
                                                                           strict=True)]
    e["den"] = [u.split("/", 1)[1] for u in e.unit]
    return e


def test_pm25_le_pm10_and_bc_le_pm25(t):
    e = _to_common(t["ef_air"])
    key = ["sector", "fuel", "process"]
    p = e.pivot_table(index=key, columns="species", values="kg", aggfunc="first")
    d = e.pivot_table(index=key, columns="species", values="den", aggfunc="first")
    both = p["PM2.5"].notna() & p["PM10"].notna()
    assert (d.loc[both, "PM2.5"] == d.loc[both, "PM10"]).all(), "PM pair in different units"
    assert (p.loc[both, "PM2.5"] <= p.loc[both, "PM10"] * (1 + 1e-9)).all()
    # every PM2.5 factor has a PM10 factor
    assert not (p["PM2.5"].notna() & p["PM10"].isna()).any()
    bc = p["BC"].notna() & p["PM2.5"].notna() & (d["BC"] == d["PM2.5"])
    assert (p.loc[bc, "BC"] <= p.loc[bc, "PM2.5"] * (1 + 1e-9)).all()


def test_species_coverage_consistent_per_fuel(t):
    """The engine treats a species as applicable to a fuel when any sector has a factor for it;
    every sector that has factors for a fuel must then cover the same species (zeros are explicit
    and sourced)."""
    # OC comes from a speciation ratio where one is published (CEDS): not estimated elsewhere
    e = t["ef_air"].dropna(subset=["fuel"])
    e = e[e.species != "OC"]
    per_fuel = e.groupby("fuel")["species"].agg(set)
    for (sector, fuel), g in e.groupby(["sector", "fuel"]):
        assert set(g.species) == per_fuel[fuel], (sector, fuel)
    zeros = e[e.value == 0]
    assert zeros.source.str.contains("ZERO|ASSUMPTION").all()


def test_control_tables(t):
    ct, cr = t["control_tech"], t["control_removal"]
    assert ((cr.efficiency >= 0) & (cr.efficiency <= 1)).all()
    assert ((ct.energy_penalty >= 0) & (ct.energy_penalty < 0.1)).all()
    assert set(ct.penalty_carrier) <= {"electricity", "own_fuel"}
    slip = ct.set_index("code").nh3_slip
    assert slip[["scr", "sncr"]].gt(0).all()
    assert slip.drop(index=[c for c in slip.index if c in ("scr", "sncr") or c.startswith("ule")]
                     ).isna().all()
    # every technology abates something
    assert set(ct.code) == set(cr.technology)
    # PM2.5 components go with PM2.5, and PM10 removal has its 2.5-10 µm bin
    # (inventory.engine.combine_pm10): BC + OC <= PM2.5 <= PM10 hold after any control
    for tech, g in cr.groupby("technology"):
        e = g.set_index("species")["efficiency"]
        if "PM2.5" in e:
            assert e.get("BC") == e["PM2.5"] and e.get("OC") == e["PM2.5"], tech
        if "PM10" in e:
            assert "PM2.5-10" in e, tech
    # particulate removal: PM2.5 efficiency never above PM10 for filters (finer is harder),
    # except packages derived from concentration limits
    p = cr.pivot_table(index="technology", columns="species", values="efficiency")
    filt = p.loc[["esp", "fabric_filter", "wet_esp", "multicyclone"]]
    assert (filt["PM2.5"] <= filt["PM10"]).all()


def test_pev_table(t):
    p = t["pev"]
    assert (p.pev_kg > 0).all()
    d = p[p["default"].astype(str).str.lower() == "true"]
    assert not d.species.duplicated().any(), "one default entry per species"
    assert set(d.species) == {"SO2", "NOx", "CO", "PM10", "NH3", "VOCs"}


def test_grid_table(t):
    g = t["grid"]
    assert set(g.unit) <= {"tCO2/MWh", "tCO2/GJ"}
    assert ((g.value > 0) & (g.value < 1.5)).all()
    assert {"cn_national_2022", "cn_heat_default"} <= set(g.code)


# ------------------------------------------------------------- spot checks vs publications
def test_gwp_values(t):
    """IPCC AR5 WG1 Ch.8 Table 8.7 (CH4 28, N2O 265); AR6 WG1 Ch.7 Table 7.15 (CH4 27.9, N2O 273)."""
    g = t["gwp"].set_index(["set", "species"]).value
    assert g["AR5", "CH4"] == 28 and g["AR5", "N2O"] == 265
    assert g["AR6", "CH4"] == 27.9 and g["AR6", "N2O"] == 273
    assert g["AR5", "CO2"] == 1 and g["AR6", "CO2"] == 1


def test_ipcc_fuel_defaults(t):
    """IPCC 2006 Vol.2 Ch.1 Table 1.2 (NCV, GJ/t) and Table 1.3 (carbon content, kg C/GJ)."""
    f = t["fuels"].set_index("code")
    assert f.loc["hard_coal", ["ncv", "carbon_content"]].tolist() == [25.8, 25.8]
    assert f.loc["diesel", ["ncv", "carbon_content"]].tolist() == [43.0, 20.2]
    assert f.loc["gasoline", ["ncv", "carbon_content"]].tolist() == [44.3, 18.9]
    assert f.loc["coke", ["ncv", "carbon_content"]].tolist() == [28.2, 29.2]
    assert f.loc["lignite", ["ncv", "carbon_content"]].tolist() == [11.9, 27.6]
    assert f.loc["fuel_oil", ["ncv", "carbon_content"]].tolist() == [40.4, 21.1]
    # natural gas: 48.0 GJ/t (Table 1.2) x 0.7175 kg/Nm3 = 34.44 GJ/kNm3; carbon 15.3 (Table 1.3)
    assert f.loc["natural_gas", "ncv"] == pytest.approx(48.0 * 0.7175, abs=0.01)
    assert f.loc["natural_gas", "carbon_content"] == 15.3
    # China: GB/T 2589-2020 reference coefficients 20 908 kJ/kg raw coal, 38 931 kJ/m3 gas
    assert f.loc["raw_coal_cn", "ncv"] == 20.908
    assert f.loc["natural_gas_cn", "ncv"] == 38.931
    assert (f.loc[~f.kind.isin(["electricity", "heat"]), "oxidation"] == 1.0).all()


def test_fuel_co2_matches_emep_road_co2(t):
    """Cross-check: diesel CO2 by IPCC 2006 Eq.2.1 = 43.0 GJ/t x 20.2 kg C/GJ x 44/12
    = 3 184.9 kg/t; EMEP/EEA 2023 1.A.3.b Table 3-12 gives 3.18 kg CO2/kg diesel."""
    f = t["fuels"].set_index("code")
    co2 = f.loc["diesel", "ncv"] * f.loc["diesel", "carbon_content"] * 44 / 12
    assert co2 == pytest.approx(3184.9, abs=0.05)
    assert co2 / 3180.0 == pytest.approx(1.0, abs=0.005)
    gas = f.loc["gasoline", "ncv"] * f.loc["gasoline", "carbon_content"] * 44 / 12
    assert gas / 3168.0 == pytest.approx(1.0, abs=0.04)  # EMEP Table 3-12: 3.168 kg/kg petrol


def test_emep_tier1_spot_values(t):
    """EMEP/EEA guidebook 2023 Tier 1 values, tables named in each line."""
    assert _ef(t, "power", "hard_coal", species="NOx").value == 209  # 1.A.1.a Table 3-2
    assert _ef(t, "power", "hard_coal", species="SO2").value == 820  # 1.A.1.a Table 3-2
    assert _ef(t, "power", "lignite", species="SO2").value == 1680  # 1.A.1.a Table 3-3
    assert _ef(t, "steel", "raw_coal_cn", species="NOx").value == 173  # 1.A.2 Table 3-2
    assert _ef(t, "other_industry", "natural_gas_cn", species="NOx").value == 74  # Table 3-3
    r = _ef(t, "residential", "raw_coal_cn", species="PM2.5")  # 1.A.4.b.i Table 3-3
    assert (r.value, r.unit) == (398, "g/GJ")
    assert _ef(t, "residential", "raw_coal_cn", species="VOCs").value == 484
    # BC = 6.4 % of PM2.5 (Table 3-3): 0.064 x 398 = 25.472 g/GJ
    assert _ef(t, "residential", "raw_coal_cn", species="BC").value == pytest.approx(25.472)
    # road: 1.A.3.b.iii Table 3-6_06 NOx 25.95 g/kg diesel = kg/t
    r = _ef(t, "road_freight", "diesel", species="NOx")
    assert (r.value, r.unit) == (25.95, "kg/t")
    # CNG bus NOx 17.1 g/kg fuel / 48.0 GJ/t = 356.25 g/GJ (Table 3-6_07, IPCC NCV)
    assert _ef(t, "road_passenger", "natural_gas_cn", species="NOx").value == pytest.approx(356.25)
    # agriculture: 3.B.1.a Table 3-2 dairy solid manure total 26.4 kg NH3/head;
    # 3.D.a.1 Table 3-1: 0.085 kg NH3/kg N = 85 kg/t N
    assert _ef(t, "livestock", process="dairy_cattle", species="NH3").value == 26.4
    assert _ef(t, "fertiliser", process="n_fertiliser", species="NH3").value == 85
    # 2.A.5.b Table 3-2: PM10 0.3 kg/m2/yr
    assert _ef(t, "construction_dust", process="building_construction", species="PM10").value == 0.3


def test_ipcc_ch4_n2o_combustion(t):
    """IPCC 2006 Vol.2 Ch.2 Tables 2.2 and 2.5; Ch.3 Table 3.2.2 (kg/TJ)."""
    assert _ef(t, "power", "raw_coal_cn", species="CH4").value == 1  # Table 2.2
    assert _ef(t, "power", "raw_coal_cn", species="N2O").value == 1.5
    assert _ef(t, "residential", "raw_coal_cn", species="CH4").value == 300  # Table 2.5
    assert _ef(t, "residential", "biomass", species="CH4").value == 300
    assert _ef(t, "road_freight", "diesel", species="N2O").value == 3.9  # Table 3.2.2
    assert _ef(t, "road_passenger", "natural_gas_cn", species="CH4").value == 92


def test_process_co2_ipcc(t):
    """IPCC 2006 Vol.3: clinker Eq.2.4 0.65 x 44/56 = 0.510, x CKD 1.02 = 0.52 t/t;
    Table 2.4 lime 0.75; Ch.4 Table 4.1 BOF 1.46, EAF 0.08, coke 0.56, sinter 0.20, pig iron 1.35."""
    clinker = _ef(t, "cement", process="clinker", species="CO2")
    assert clinker.value == pytest.approx(0.65 * 44.0095 / 56.0774 * 1.02, abs=0.005)
    assert clinker.unit == "t/t"
    assert _ef(t, "lime", process="quicklime", species="CO2").value == 0.75
    for proc, v in {"bof_steel": 1.46, "eaf_steel": 0.08, "sinter": 0.20, "pig_iron": 1.35}.items():
        assert _ef(t, "steel", process=proc, species="CO2").value == v
    assert _ef(t, "coking", process="coke_production", species="CO2").value == 0.56


def test_steel_global_average_reproduced(t):
    """IPCC 2006 Vol.3 Ch.4 Table 4.1 global average factor 1.06 t CO2/t steel for a mix of 65 %
    BOF, 30 % EAF and 5 % OHF (OHF 1.72): 0.65 x 1.46 + 0.30 x 0.08 + 0.05 x 1.72 = 1.059."""
    bof = _ef(t, "steel", process="bof_steel", species="CO2").value
    eaf = _ef(t, "steel", process="eaf_steel", species="CO2").value
    assert 0.65 * bof + 0.30 * eaf + 0.05 * 1.72 == pytest.approx(1.06, abs=0.005)


def test_fertiliser_n2o_hand_calculation(t):
    """IPCC 2006 Vol.4 Ch.11: (EF1 0.01 + FracGASF 0.10 x EF4 0.01 + FracLEACH 0.30 x EF5 0.0075)
    kg N2O-N/kg N x 44/28 x 1000 = 20.82 kg N2O per t N."""
    r = _ef(t, "fertiliser", process="n_fertiliser", species="N2O")
    assert r.unit == "kg/t"
    assert r.value == pytest.approx(0.01325 * 44 / 28 * 1000, rel=1e-4)


def test_landfill_and_road_dust_hand_calculations(t):
    # IPCC 2006 Vol.5 Ch.3: MCF 1 x DOC 0.15 x DOCf 0.5 x F 0.5 x 16/12 = 0.05 t CH4/t MSW
    assert _ef(t, "landfill", process="msw_landfilled", species="CH4").value == pytest.approx(0.05)
    # AP-42 Sec.13.2.1 Eq.1: 0.62 x 0.6^0.91 x 3^1.02 = 1.194 g PM10/vkm
    r = _ef(t, "road_dust", process="paved_road_traffic", species="PM10")
    assert r.unit == "g/vkm"
    assert r.value == pytest.approx(0.62 * 0.6 ** 0.91 * 3 ** 1.02, rel=1e-4)
    assert r.value == pytest.approx(1.194, abs=0.001)


def test_power_coal_pm_is_uncontrolled_ap42(t):
    """AP-42 Sec.1.1 Tables 1.1-4/1.1-6: PM10 = 2.3A lb/ton, PM2.5 = 0.6A lb/ton; A = 20 %:
    PM10 = 46 lb/ton = 23 kg/t, PM2.5 = 12 lb/ton = 6 kg/t (1 lb/short ton = 0.5 kg/t)."""
    assert _ef(t, "power", "raw_coal_cn", species="PM10").value == pytest.approx(23.0)
    assert _ef(t, "power", "raw_coal_cn", species="PM2.5").value == pytest.approx(6.0)
    assert _ef(t, "power", "raw_coal_cn", species="PM2.5").unit == "kg/t"


def test_ule_power_efficiency_from_limits(t):
    """ULE SO2 35 mg/m3 (Huanfa [2015] 164) vs uncontrolled 820 g/GJ / 343 Nm3/GJ = 2 391 mg/m3:
    efficiency = 1 - 35/2391 = 0.9854."""
    cr = t["control_removal"].set_index(["technology", "species"]).efficiency
    assert cr["ule_power", "SO2"] == pytest.approx(1 - 35 / (820 / 343 * 1000), abs=1e-4)
    assert cr["ule_power", "NOx"] == pytest.approx(1 - 50 / (209 / 343 * 1000), abs=1e-4)
    # a ULE package removes more than the single technologies it replaces
    assert cr["ule_power", "SO2"] > cr["wet_fgd", "SO2"]
    assert cr["ule_power", "NOx"] > cr["scr", "NOx"]
    # EMEP/EEA 2023 NFR 2.C.3 Table 3-5: modern fabric filter <2.5 um 0.996
    assert cr["fabric_filter", "PM2.5"] == 0.996


def test_pev_statutory_values(t):
    """Environmental Protection Tax Law Annex 2 (air): SO2 0.95, NOx 0.95, CO 16.7, 烟尘 2.18,
    一般性粉尘 4, NH3 9.09 kg; VOCs 0.95 kg (Caishui [2015] 71) as documented default."""
    p = t["pev"].set_index("pollutant_zh").pev_kg
    assert p["二氧化硫"] == 0.95 and p["氮氧化物"] == 0.95 and p["一氧化碳"] == 16.7
    assert p["烟尘"] == 2.18 and p["一般性粉尘"] == 4 and p["氨"] == 9.09
    d = t["pev"][t["pev"]["default"].astype(str).str.lower() == "true"].set_index("species")
    assert d.loc["VOCs", "pev_kg"] == 0.95


def test_grid_values(t):
    """MEE and NBS: national average electricity CO2 factor 2021 0.5568, 2022 0.5366 kgCO2/kWh."""
    g = t["grid"].set_index("code").value
    assert g["cn_national_2021"] == 0.5568
    assert g["cn_national_2022"] == 0.5366
    assert g["cn_heat_default"] == 0.11


# ------------------------------------------------------------------------ demo project
@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return {n: pd.read_csv(DEMO / f"{n}.csv", keep_default_na=False, na_values=[""])
            for n in ("regions", "activity", "controls", "factors", "measured")}


def test_demo_manifest_illustrative():
    m = yaml.safe_load((DEMO / "project.yaml").read_text(encoding="utf-8"))
    assert m["illustrative"] is True
    assert m["base_year"] == 2020 and 2020 in m["years"]
    g = read("grid").set_index("code")
    assert m["grid_factor"] in g.index and m["heat_factor"] in g.index
    assert (DEMO / "README.md").exists()


def test_demo_uses_only_bundled_codes(demo):
    sectors, fuels = set(read("sectors").code), set(read("fuels").code)
    procs, techs = set(read("processes").code), set(read("control_tech").code)
    a = demo["activity"]
    assert set(a.sector) <= sectors
    assert set(a.fuel.dropna()) <= fuels
    assert set(a.process.dropna()) <= procs
    assert set(demo["controls"].technology) <= techs
    f = demo["factors"]
    assert set(f.sector) <= sectors | {"*"}
    assert set(f.fuel.dropna()) <= fuels and set(f.process.dropna()) <= procs
    assert set(f.species) <= set(SPECIES) and set(demo["measured"].species) <= set(SPECIES)
    assert set(a.region_id) <= set(demo["regions"].region_id)


def test_demo_every_value_documented(demo):
    a, f = demo["activity"], demo["factors"]
    assert a.note.notna().all() and a.note.str.startswith("ILLUSTRATIVE").all()
    assert f.source.notna().all() and (f.source.str.len() > 20).all()
    assert 200 <= len(a) <= 600
    assert (a.value >= 0).all()


def test_demo_has_required_source_types(demo):
    a = demo["activity"]
    need_sectors = {"power", "steel", "coking", "cement", "other_industry", "residential",
                    "road_passenger", "road_freight", "coating", "livestock", "fertiliser",
                    "road_dust", "construction_dust", "landfill"}
    assert need_sectors <= set(a.sector)
    assert (a.fuel == "electricity").any()  # scope 2
    lv = demo["regions"].level.value_counts()
    assert lv["district"] >= 3 and lv["park"] >= 3 and lv["enterprise"] >= 6


def test_demo_control_shares_not_above_one(demo):
    """Σ share of technologies abating one species on one source and year ≤ 1."""
    c = demo["controls"].copy()
    rem = read("control_removal")[["technology", "species"]]
    years = pd.DataFrame({"y": [2020, 2022]})
    c = c.merge(years, how="cross")
    c = c[c.year.isna() | (c.year == c.y)]
    tot = c.merge(rem, on="technology").groupby(["source_id", "y", "species"]).share.sum()
    assert (tot <= 1 + 1e-9).all(), tot[tot > 1]


def test_demo_regions_tree(demo):
    r = demo["regions"]
    assert (r.parent_id.isna()).sum() == 1
    assert set(r.parent_id.dropna()) <= set(r.region_id)
    assert not r.region_id.duplicated().any()


def test_demo_loads_with_project_loader():
    """The demo passes the project validation of cocontrol.project (no problem reported)."""
    project = pytest.importorskip("cocontrol.project")
    p = project.load_project(DEMO)  # raises InputError listing every problem otherwise
    assert p is not None
