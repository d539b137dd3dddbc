"""Schema and consistency checks of the bundled measures library, fuel prices and the demo
city's scenario inputs (drivers, elasticities, scenarios.yaml).

The library is data: these tests check that every row follows docs/scenario-schema.md, that
every code exists in the reference tables, that units parse, and that the documented hand
calculations behind ratios and costs (stated in each row's ``source``) reproduce the numbers.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cocontrol import refdata, units

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"

COLUMNS = ["id", "name_en", "name_zh", "category", "action", "sector", "fuel", "process",
           "to_sector", "to_fuel", "to_process", "ratio", "technology", "species", "magnitude",
           "max_penetration", "start_year", "full_year", "cost_basis", "capex", "fixed_opex",
           "variable_opex", "lifetime", "price_year", "source"]
ACTIONS = {"reduce", "switch", "control", "factor", "renewable"}
CATEGORIES = {"structural", "energy", "efficiency", "end_of_pipe"}

#: companion measure -> main measure (pairing rule documented in docs/measures.md)
COMPANIONS = {
    "eaf_steel_shift_sinter": "eaf_steel_shift",
    "eaf_steel_shift_bfg": "eaf_steel_shift",
    "clinker_substitution_kiln_fuel": "clinker_substitution",
    "coking_capacity_phaseout_elec": "coking_capacity_phaseout",
    "cement_ule_kiln_fuel": "cement_ule",
}


def _data(name: str) -> pd.DataFrame:
    path = resources.files("cocontrol") / "data" / name
    with resources.as_file(path) as p:
        return pd.read_csv(p, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def lib() -> pd.DataFrame:
    return _data("measures.csv")


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return _data("fuel_prices.csv")


@pytest.fixture(scope="module")
def scen() -> dict:
    return yaml.safe_load((DEMO / "scenarios.yaml").read_text(encoding="utf-8"))


def _m(lib: pd.DataFrame, mid: str) -> pd.Series:
    row = lib[lib["id"] == mid]
    assert len(row) == 1, mid
    return row.iloc[0]


# --------------------------------------------------------------------------- measures.csv
def test_columns_exactly_schema_order(lib):
    assert list(lib.columns[: len(COLUMNS)]) == COLUMNS


def test_size_and_unique_ids(lib):
    assert len(lib) >= 30
    assert lib["id"].is_unique
    assert lib["id"].str.fullmatch(r"[a-z0-9_]+").all()


def test_every_category_and_action_covered(lib):
    assert set(lib["category"]) == CATEGORIES
    assert set(lib["action"]) == ACTIONS


def test_codes_exist_in_reference_tables(lib):
    sectors = refdata.codes("sectors")
    fuels = refdata.codes("fuels")
    processes = refdata.codes("processes")
    techs = refdata.codes("control_tech")
    species = refdata.codes("species")
    for col, ref in (("sector", sectors), ("to_sector", sectors), ("fuel", fuels),
                     ("to_fuel", fuels), ("process", processes), ("to_process", processes),
                     ("technology", techs)):
        used = set(lib[col].dropna())
        assert used <= ref, f"{col}: unknown codes {used - ref}"
    for s in lib["species"].dropna():
        assert set(s.split(";")) <= species, s


def test_ranges_and_timeline(lib):
    mag = lib["magnitude"].fillna(1.0)
    assert ((mag >= 0) & (mag <= 1)).all()
    assert ((lib["max_penetration"] > 0) & (lib["max_penetration"] <= 1)).all()
    assert (lib["start_year"] <= lib["full_year"]).all()
    assert lib["start_year"].between(2020, 2060).all() and lib["full_year"].between(2020, 2060).all()
    assert (lib["lifetime"] > 0).all()
    assert lib["price_year"].eq(2020).all()
    for c in ("capex", "fixed_opex", "variable_opex"):
        assert lib[c].notna().all(), c
    assert (lib["capex"] >= 0).all() and (lib["fixed_opex"] >= 0).all()


def test_each_action_has_its_fields(lib):
    sw = lib[lib["action"] == "switch"]
    assert (sw["to_fuel"].notna() | sw["to_process"].notna()).all()
    assert (sw["ratio"] > 0).all()
    # a switch moves a fuel to a fuel or a process to a process, never across
    assert (sw["fuel"].notna() == sw["to_fuel"].notna()).all()
    ctl = lib[lib["action"] == "control"]
    assert ctl["technology"].notna().all()
    assert lib.loc[lib["action"] == "factor", "species"].notna().all()
    assert lib.loc[lib["action"] != "control", "technology"].isna().all()
    assert lib.loc[lib["action"] != "switch", "ratio"].isna().all()
    # exactly one of fuel/process, so the cost basis refers to one kind of activity line
    assert (lib["fuel"].notna() ^ lib["process"].notna()).all()


def test_every_row_has_a_source(lib):
    src = lib["source"].fillna("").str.strip()
    assert (src.str.len() > 40).all()
    # anything assumed is marked as such at the start of the source (docs/data-schema.md)
    assumed = src.str.contains("ASSUMPTION")
    assert src[assumed].str.startswith(("ASSUMPTION:", "ILLUSTRATIVE:")).all()


def test_cost_basis_parses_and_matches_the_activity_unit(lib):
    fuels = refdata.table("fuels").set_index("code")
    proc = refdata.table("processes").set_index("code")
    kind_unit = {"solid": "t", "liquid": "t", "biomass": "t", "gas": "kNm3",
                 "electricity": "MWh", "heat": "GJ"}
    for r in lib.itertuples(index=False):
        assert units.is_known(r.cost_basis), (r.id, r.cost_basis)
        if r.action == "renewable":
            ref = "MWh"     # the engine costs renewables per MWh of local generation replaced
        elif isinstance(r.fuel, str):
            ref = kind_unit[fuels.at[r.fuel, "kind"]]
        else:
            ref = proc.at[r.process, "activity_unit"]
        assert units.dimension_ok(r.cost_basis, ref), (r.id, r.cost_basis, ref)


def test_companions_share_timeline_and_maximum(lib):
    for comp, main in COMPANIONS.items():
        c, m = _m(lib, comp), _m(lib, main)
        assert (c.start_year, c.full_year, c.max_penetration) == \
            (m.start_year, m.full_year, m.max_penetration), comp
        assert c.capex == c.fixed_opex == c.variable_opex == 0, comp   # costed in the main row
        assert main in c.source or "pairing" in c.source


def test_companion_magnitudes_match_their_main_measure(lib):
    # clinker and kiln coal fall by the same fraction (kiln fuel is proportional to clinker)
    assert _m(lib, "clinker_substitution").magnitude == \
        _m(lib, "clinker_substitution_kiln_fuel").magnitude


def test_library_is_accepted_by_the_scenario_engine_validator():
    mod = pytest.importorskip("cocontrol.scenario.measures")
    if not hasattr(mod, "bundled"):
        pytest.skip("scenario engine without bundled()")
    df = mod.bundled()
    assert len(df) >= 25


# ----------------------------------------------------- hand calculations behind the numbers
# Each value is recomputed from the parameters stated in the row's source text.
NCV_RAW_COAL = 20.908       # GJ/t, GB/T 2589-2020 (fuels.csv raw_coal_cn)
TCE = 29.3076               # GJ/tce, GB/T 2589-2020
NCV_DIESEL, NCV_GASOLINE = 43.0, 44.3   # GJ/t, IPCC 2006 Vol.2 Table 1.2


@pytest.mark.parametrize("mid, expected", [
    # coal stove 0.45 / wall-hung gas boiler 0.88
    ("scattered_coal_to_gas", 0.45 / 0.88),
    # coal stove 0.45 / heat-pump seasonal COP 2.5
    ("scattered_coal_to_electricity", 0.45 / 2.5),
    ("scattered_coal_to_direct_electric", 0.45 / 0.98),
    ("scattered_coal_to_district_heat", 0.45 / 0.95),
    # industrial coal boilers 65 % (NDRC 2014, Fahuanzi [2014] 2451) / gas 0.90, electric 0.97
    ("small_coal_boiler_to_gas", 0.65 / 0.90),
    ("small_coal_boiler_to_electricity", 0.65 / 0.97),
    # BEV 16.5 kWh/100 km vs 7.5 L/100 km gasoline
    ("nev_passenger", 16.5 * 3.6 / (7.5 * 0.737 * NCV_GASOLINE)),
    # e-bus 100 kWh vs 35 L diesel per 100 km
    ("electric_buses", 100 * 3.6 / (35 * 0.84 * NCV_DIESEL)),
    # e-truck 140 kWh vs 35 L diesel per 100 km
    ("hdv_battery_electric", 140 * 3.6 / (35 * 0.84 * NCV_DIESEL)),
    # FCEV 10 kg H2 x 55 kWh/kg electrolysis vs 35 L diesel per 100 km
    ("hdv_hydrogen_fuel_cell", 10 * 55 * 3.6 / (35 * 0.84 * NCV_DIESEL)),
    # rail 3.94 tce/Mtkm (China State Railway 2019) vs truck 2 L/100 tkm
    ("freight_road_to_rail", 3.94 * TCE / 1e6 * 1e3 / (2 * 0.84 * NCV_DIESEL / 100)),
    # EAF 450 kWh/t vs BFG 1.2 kNm3/t x 3.33 GJ/kNm3 (demo city)
    ("eaf_steel_shift_bfg", 450 * 3.6e-3 / (4.8e6 * 3.33 / 4.0e6)),
])
def test_switch_ratios_reproduce_their_derivation(lib, mid, expected):
    assert _m(lib, mid).ratio == pytest.approx(expected, rel=0.03)


@pytest.mark.parametrize("mid, expected", [
    ("cement_energy_efficiency", 1 - 100 / 108.5),   # Fagaichanye [2021] 1609, clinker
    ("coking_energy_efficiency", 1 - 110 / 122.5),   # same, top-charged coke ovens
    ("industrial_boiler_efficiency", 1 - 65 / 71),   # Fahuanzi [2014] 2451, +6 points
    ("fertiliser_efficiency", 1 - 40.2 / 43),        # MARA: 40.2 % (2020) -> 43 % (2025)
    ("power_heat_rate_improvement", 10 / 300),
    ("coal_power_small_unit_phaseout", 1 - 290 / 360),
    ("clinker_substitution", 1 - 0.60 / 0.65),       # IEA & CSI 2018 cement roadmap
    ("low_voc_industrial_coating", 0.75),            # EMEP/EEA 2023 2.D.3.d Table 3-20
])
def test_magnitudes_reproduce_their_derivation(lib, mid, expected):
    assert _m(lib, mid).magnitude == pytest.approx(expected, abs=0.006)


def test_coal_power_cost_conversions():
    # 1 kW x 4,300 h x 0.300 tce/MWh / 0.7134 tce/t = 1.81 t raw coal per kW-yr
    t_per_kw = 4.3 * 0.300 / (NCV_RAW_COAL / TCE)
    assert t_per_kw == pytest.approx(1.81, abs=0.005)
    lib = _data("measures.csv").set_index("id")
    assert lib.at["power_ule", "capex"] == pytest.approx(200 / t_per_kw, rel=0.01)
    assert lib.at["power_wet_fgd", "capex"] == pytest.approx(150 / t_per_kw, rel=0.02)
    # a reduce measure is costed per unit of activity removed: 150 yuan/kW / 1.81 t / (10/300)
    assert lib.at["power_heat_rate_improvement", "capex"] == pytest.approx(
        150 / t_per_kw / (10 / 300), rel=0.01)
    # SCR: Yang et al. 2017, 8.1 yuan/MWh / 0.428 t raw coal per MWh (0.3055 tce/MWh, CEC 2020)
    assert lib.at["power_scr", "variable_opex"] == pytest.approx(
        8.1 / (0.3055 / (NCV_RAW_COAL / TCE)), rel=0.02)


def test_reduce_measures_are_costed_per_unit_removed():
    """Efficiency capex = simple payback years x price of the fuel saved (fuel_prices.csv)."""
    lib = _data("measures.csv").set_index("id")
    coal = _data("fuel_prices.csv").set_index("fuel").at["raw_coal_cn", "price"]
    assert lib.at["cement_energy_efficiency", "capex"] == pytest.approx(4 * coal)
    assert lib.at["industrial_boiler_efficiency", "capex"] == pytest.approx(3 * coal)
    # coal cap: energy-equivalent natural gas for each t of raw coal removed
    gas = _data("fuel_prices.csv").set_index("fuel").at["natural_gas_cn", "price"]
    assert lib.at["coal_cap_reduce", "variable_opex"] == pytest.approx(
        NCV_RAW_COAL / 38.931 * gas, rel=0.01)
    # renewable: 3.99 yuan/W PV (CPIA 2020) at 1,250 h plus 10 % x 2 h storage at 1.5 yuan/Wh
    kw = 1000 / 1250
    assert lib.at["renewable_power_local", "capex"] == pytest.approx(
        kw * 3990 + kw * 0.1 * 2 * 1500, rel=0.01)


def test_ule_levelised_cost_matches_the_tariff_premium():
    # capex annualised at 5 %/15 yr plus variable opex ≈ 10 yuan/MWh ULE premium
    # (NDRC 2015, Fajiage [2015] 2835)
    lib = _data("measures.csv").set_index("id")
    r, n = 0.05, 15
    crf = r * (1 + r) ** n / ((1 + r) ** n - 1)
    t_per_mwh = 0.300 / (NCV_RAW_COAL / TCE)
    # capex is per t/yr, so capex x CRF is yuan per t coal; x t per MWh gives yuan/MWh
    per_mwh = (lib.at["power_ule", "capex"] * crf
               + lib.at["power_ule", "variable_opex"]) * t_per_mwh
    assert per_mwh == pytest.approx(10.0, abs=1.0)


# --------------------------------------------------------------------------- fuel_prices.csv
def test_fuel_prices_schema(prices):
    assert list(prices.columns) == ["fuel", "price", "unit", "price_year", "source"]
    assert prices["fuel"].is_unique
    assert set(prices["fuel"]) <= refdata.codes("fuels")
    assert (prices["price"] > 0).all()
    assert prices["price_year"].eq(2020).all()
    assert (prices["source"].str.len() > 20).all()


def test_fuel_prices_units_match_fuel_kind(prices):
    kind = refdata.table("fuels").set_index("code")["kind"]
    ref = {"solid": "yuan/t", "liquid": "yuan/t", "biomass": "yuan/t", "gas": "yuan/kNm3",
           "electricity": "yuan/MWh", "heat": "yuan/GJ"}
    for r in prices.itertuples(index=False):
        assert units.is_known(r.unit)
        assert units.dimension_ok(r.unit, ref[kind[r.fuel]]), (r.fuel, r.unit)


def test_every_fuel_moved_by_a_measure_or_used_by_the_demo_has_a_price(lib, prices):
    moved = set(lib["fuel"].dropna()) | set(lib["to_fuel"].dropna())
    demo = set(pd.read_csv(DEMO / "activity.csv")["fuel"].dropna())
    missing = (moved | demo) - set(prices["fuel"])
    assert not missing


def test_price_hand_calculations(prices):
    p = prices.set_index("fuel")["price"]
    # 535 yuan/t benchmark for 5,500 kcal/kg = 23.03 GJ/t, scaled by heat content
    assert p["raw_coal_cn"] == pytest.approx(535 * NCV_RAW_COAL / (5.5 * 4.1868), rel=0.02)
    # retail litre prices / density
    assert p["diesel"] == pytest.approx(5.7 / 0.84 * 1000, rel=0.01)
    assert p["gasoline"] == pytest.approx(6.1 / 0.737 * 1000, rel=0.01)
    assert p["natural_gas"] == pytest.approx(p["natural_gas_cn"] * 34.44 / 38.931, rel=0.01)


# --------------------------------------------------------------- demo city scenario inputs
def test_every_scenario_measure_exists_and_respects_its_maximum(lib, scen):
    maxp = lib.set_index("id")["max_penetration"]
    assert {"baseline", "policy", "enhanced"} <= set(scen["scenarios"])
    for name, s in scen["scenarios"].items():
        for mid, v in (s.get("measures") or {}).items():
            assert mid in maxp.index, f"{name}: unknown measure {mid}"
            p = v["penetration"] if isinstance(v, dict) else v
            assert 0 <= p <= maxp[mid] + 1e-12, (name, mid, p)


def _resolved(scen: dict, name: str) -> dict:
    s = scen["scenarios"][name]
    base = _resolved(scen, s["extends"]) if s.get("extends") else {}
    return {**base, **(s.get("measures") or {})}


def _pen(v) -> float:
    return v["penetration"] if isinstance(v, dict) else float(v)


def test_companions_carry_the_same_setting_as_their_main_measure(scen):
    for name in scen["scenarios"]:
        ms = _resolved(scen, name)
        for comp, main in COMPANIONS.items():
            assert (comp in ms) == (main in ms), (name, comp)
            if main in ms:
                assert ms[comp] == ms[main], (name, comp)


def test_switches_of_one_pool_never_exceed_the_whole_activity(lib, scen):
    """Switch measures taking the same fuel of the same sector may not move more than 100 %."""
    sw = lib[lib["action"].isin(["switch"])].set_index("id")
    for name in scen["scenarios"]:
        ms = _resolved(scen, name)
        pools: dict[tuple, float] = {}
        for mid, v in ms.items():
            if mid in sw.index:
                key = (sw.at[mid, "sector"], sw.at[mid, "fuel"], sw.at[mid, "process"])
                pools[key] = pools.get(key, 0.0) + _pen(v) * float(sw.at[mid, "magnitude"])
        for key, total in pools.items():
            assert total <= 1.0 + 1e-9, (name, key, total)


def test_scenario_measure_codes_match_the_demo_activity(lib, scen):
    """Every measure used by the demo scenarios hits at least one demo activity line."""
    act = pd.read_csv(DEMO / "activity.csv")
    sectors = refdata.table("sectors").set_index("code")["parent"]
    act["parent"] = act["sector"].map(sectors)
    used = set().union(*(_resolved(scen, n) for n in scen["scenarios"]))
    for mid in used:
        m = _m(lib, mid)
        hit = np.ones(len(act), bool)
        if isinstance(m.sector, str):
            hit &= (act["sector"] == m.sector) | (act["parent"] == m.sector)
        if isinstance(m.fuel, str):
            hit &= act["fuel"] == m.fuel
        if isinstance(m.process, str):
            hit &= act["process"] == m.process
        assert hit.any(), mid


def test_targets_have_sources_and_known_types(scen):
    for t in scen["targets"]:
        assert t["type"] in {"co2_peak", "cap", "intensity", "energy_cap"}
        if t["type"] == "intensity":
            # both sides are converted (numerator to mass, driver unit to the denominator)
            num, den = t["unit"].split("/", 1)
            assert units.factor("t", num) > 0 and units.factor("1e8 yuan", den) > 0, t
        assert len(str(t.get("source", ""))) > 10, t


def test_drivers_and_elasticities(scen):
    d = pd.read_csv(DEMO / "drivers.csv")
    assert list(d.columns) == ["driver", "year", "value", "unit", "source"]
    assert (d["value"] > 0).all() and d["source"].str.startswith("ILLUSTRATIVE").all()
    for drv in ("gdp", "population"):
        yrs = set(d.loc[d["driver"] == drv, "year"])
        assert {2020, 2030, 2060} <= yrs, drv
    gdp = d[d["driver"] == "gdp"].set_index("year")["value"]
    # 5.5 %/yr over 2021-2025 from 1,600 (hand calculation)
    assert gdp[2025] == pytest.approx(1600 * 1.055 ** 5, rel=1e-3)
    pop = d[d["driver"] == "population"].set_index("year")["value"]
    assert pop[2060] < pop[2020]          # UN WPP 2022 medium variant: China declines
    e = pd.read_csv(DEMO / "elasticities.csv", keep_default_na=False, na_values=[""])
    assert list(e.columns) == ["sector", "driver", "elasticity", "intensity_change", "source"]
    assert set(e["sector"]) - {"*"} <= refdata.codes("sectors")
    assert set(e["driver"].dropna()) <= set(d["driver"])
    assert e["source"].str.len().gt(10).all()
    assert e["intensity_change"].between(-0.1, 0.05).all()


# ------------------------------------------------------------------------- docs/measures.md
DOCS = Path(__file__).resolve().parents[2] / "docs" / "measures.md"


def test_docs_list_every_measure(lib):
    text = DOCS.read_text(encoding="utf-8")
    missing = [mid for mid in lib["id"] if f"`{mid}`" not in text]
    assert not missing


def test_docs_excel_example_rows_are_valid_user_measures(tmp_path):
    import re

    mod = pytest.importorskip("cocontrol.scenario.measures")
    block = re.search(r"```csv\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "measures.csv"
    path.write_text(block, encoding="utf-8")
    user = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert list(user.columns) == COLUMNS
    if hasattr(mod, "validate") and hasattr(mod, "_read"):
        df = mod.validate(mod._read(path))
        assert len(df) == 2


@pytest.mark.parametrize("path", [
    Path(str(resources.files("cocontrol") / "data" / "measures.csv")),
    Path(str(resources.files("cocontrol") / "data" / "fuel_prices.csv")),
    DEMO / "drivers.csv", DEMO / "elasticities.csv",
])
def test_no_comment_character_in_tables(path):
    # the readers skip everything after '#' (pandas comment="#"): a '#' in a source would cut it
    assert "#" not in path.read_text(encoding="utf-8")


def _user_row(**kw) -> pd.DataFrame:
    row = refdata.bundled_table("measures.csv").iloc[[0]].copy()
    row["id"] = "my_measure"
    for k, v in kw.items():
        row[k] = v
    row["_row"] = 2
    row.attrs["file"] = "measures.csv"
    return row


@pytest.mark.parametrize("col", ["capex", "fixed_opex", "variable_opex"])
def test_a_blank_cost_is_an_error_not_a_free_measure(col):
    """A user measure with an empty cost cell would cost 0 yuan and the optimiser would pick
    it for nothing (brief: a missing price is an error, never 0)."""
    from cocontrol.errors import InputError
    from cocontrol.i18n import tr
    from cocontrol.scenario.measures import validate

    with pytest.raises(InputError) as e:
        validate(_user_row(**{col: None}))
    (p,) = e.value.problems
    assert (p.file, p.row, p.column) == ("measures.csv", 2, col)
    assert "never assumed to be 0" in str(p.message)
    assert "不会被默认为 0" in tr(p.message, "zh")


def test_lifetime_may_be_blank_only_without_capex():
    from cocontrol.errors import InputError
    from cocontrol.scenario.measures import validate

    ok = validate(_user_row(capex=0, lifetime=None))  # nothing to annualise
    assert ok["lifetime"].isna().all()
    with pytest.raises(InputError) as e:
        validate(_user_row(capex=500, lifetime=None))
    assert [p.column for p in e.value.problems] == ["lifetime"]


def test_action_column_problems_are_in_both_languages():
    """A switch without a target or ratio, a control without technology, a factor measure
    without species: each problem names its row and column, in English and in Chinese."""
    from cocontrol.errors import InputError
    from cocontrol.i18n import tr
    from cocontrol.scenario.measures import validate

    row = _user_row(action="switch", to_fuel=None, to_process=None, ratio=None,
                    sector="residential", fuel="raw_coal_cn")
    with pytest.raises(InputError) as e:
        validate(row)
    got = {p.column: (str(p.message), tr(p.message, "zh")) for p in e.value.problems}
    assert got["to_fuel"] == ("a switch needs a target", "替代类措施须给出替代目标")
    assert got["ratio"] == ("a switch needs an energy ratio", "替代类措施须给出能量换算比")
    assert all(p.row == 2 for p in e.value.problems)
