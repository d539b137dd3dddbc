"""``cocontrol init``: a complete project skeleton for a new city, valid as written.

The skeleton has every input table (CSV with an English header row, the loader's column names,
and a Chinese header row in 【】 that the loader skips; or one ``inputs.xlsx`` workbook with
``--excel``), the code lists (``codes.csv`` or the workbook's ``codes`` sheet), drivers and
elasticities for the chosen sectors, and ``scenarios.yaml`` / ``optimisation.yaml`` with every
key commented (unit, meaning, where to find the number). Every number in it is an EXAMPLE
(``illustrative: true`` in ``project.yaml``) so that ``validate``, ``inventory``, ``run`` and
``optimize`` work at once; the analyst then replaces the rows with the city's own data
(``docs/new-city.md``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg
from cocontrol.project.cells import safe_frame
from cocontrol.project.schema import TABLES

EX = "EXAMPLE (replace): "

#: Example activity rows per sector: (source_id, fuel, process, value, unit, where to look).
SECTOR_ROWS: dict[str, list[tuple]] = {
    "power": [("power_units", "raw_coal_cn", None, 1_000_000, "t",
               "coal burned by the city's coal power units, t/yr; plant statistics or the "
               "city energy balance table (能源平衡表), 火力发电 row")],
    "heat_supply": [("heat_boilers", "raw_coal_cn", None, 200_000, "t",
                     "coal of district-heating boiler houses (供热锅炉), t/yr"),
                    ("heat_boilers", "natural_gas_cn", None, 20_000, "kNm3",
                     "gas of district-heating boiler houses, thousand Nm3/yr")],
    "cement": [("cement_kilns", None, "clinker", 1_500_000, "t",
                "clinker output, t/yr; cement plants' statistics (熟料产量)")],
    "other_industry": [("industry_boilers", "raw_coal_cn", None, 300_000, "t",
                        "coal of industrial boilers and furnaces, t/yr; energy balance table"),
                       ("industry_boilers", "natural_gas_cn", None, 50_000, "kNm3",
                        "gas of industry, thousand Nm3/yr"),
                       ("industry_power", "electricity", None, 2_000_000, "MWh",
                        "electricity bought by industry, MWh/yr (scope 2); grid company")],
    "residential": [("households", "raw_coal_cn", None, 150_000, "t",
                     "scattered coal of households (散煤), t/yr; rural energy survey"),
                    ("households", "natural_gas_cn", None, 100_000, "kNm3",
                     "household gas, thousand Nm3/yr; gas company"),
                    ("households", "electricity", None, 1_500_000, "MWh",
                     "household electricity, MWh/yr (scope 2); grid company")],
    "road_passenger": [("cars", "gasoline", None, 300_000, "t",
                        "gasoline sold for road transport, t/yr; fuel sales statistics")],
    "road_freight": [("trucks", "diesel", None, 400_000, "t",
                      "diesel of road freight, t/yr; fuel sales statistics")],
}

#: Example controls. No dust control on the cement kilns: the bundled clinker PM factors
#: (EMEP/EEA 2.A.1 Tier 1) describe EU plants that already have dust abatement, so a fabric
#: filter or an ultra-low-emission retrofit on them would abate twice (the engine refuses
#: it); declare one only together with an uncontrolled clinker factor in factors.csv.
CONTROL_ROWS: dict[str, list[tuple]] = {
    "power": [("power_units", "ule_power", 1.0)],
    "heat_supply": [("heat_boilers", "wet_fgd", 1.0), ("heat_boilers", "fabric_filter", 1.0)],
    "cement": [("cement_kilns", "sncr", 1.0)],
    "other_industry": [("industry_boilers", "fabric_filter", 0.8)],
}

#: Example elasticities: sector -> (driver, elasticity, annual intensity change).
ELASTICITIES: dict[str, tuple[str, float, float]] = {
    "power": ("gdp", 0.5, -0.01), "heat_supply": ("population", 1.0, 0.0),
    "cement": ("gdp", 0.3, -0.02), "other_industry": ("gdp", 0.6, -0.02),
    "residential": ("population", 1.0, 0.0), "road_passenger": ("gdp", 0.8, -0.01),
    "road_freight": ("gdp", 0.7, -0.01),
}

#: Measures of the example policy scenario, by the sector they act on.
POLICY_MEASURES: dict[str, list[tuple[str, float]]] = {
    "power": [("power_heat_rate_improvement", 0.5), ("renewable_power_local", 0.2)],
    "heat_supply": [("heat_supply_ule", 1.0)],
    # cement_ule would abate the already-abated bundled clinker PM a second time (see above)
    "cement": [("clinker_substitution", 0.3), ("cement_energy_efficiency", 0.5)],
    "other_industry": [("small_coal_boiler_to_gas", 0.5), ("boiler_sncr", 1.0)],
    "residential": [("scattered_coal_to_gas", 0.5)],
    "road_passenger": [("nev_passenger", 0.5)],
    "road_freight": [("freight_road_to_rail", 0.1), ("hdv_battery_electric", 0.1)],
}

DEFAULT_SECTORS = tuple(SECTOR_ROWS)


def slug(name: str) -> str:
    """A region code from a city name: lower case, ``_`` for anything but letters/digits."""
    s = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    return s or "city"


def _zh_header(name: str) -> list[str]:
    return [f"【{c.description_zh.split('（')[0].split('；')[0].split('，')[0]}】"
            for c in TABLES[name].columns]


def table_rows(name: str, city_id: str, city: str, city_zh: str, base_year: int,
               sectors: tuple[str, ...]) -> pd.DataFrame:
    """The skeleton rows of one input table (columns of the schema)."""
    cols = [c.name for c in TABLES[name].columns]
    rows: list[dict] = []
    if name == "regions":
        rows.append({"region_id": city_id, "level": "city", "name": city, "name_zh": city_zh})
    elif name == "activity":
        for sec in sectors:
            for sid, fuel, proc, value, unit, where in SECTOR_ROWS.get(sec, []):
                rows.append({"source_id": sid, "region_id": city_id, "sector": sec,
                             "fuel": fuel, "process": proc, "year": base_year, "value": value,
                             "unit": unit, "note": EX + where})
    elif name == "controls":
        for sec in sectors:
            for sid, tech, share in CONTROL_ROWS.get(sec, []):
                rows.append({"source_id": sid, "technology": tech, "share": share})
    return pd.DataFrame(rows, columns=cols)


def _csv_text(df: pd.DataFrame, zh: list[str] | None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(df.columns)
    if zh:
        w.writerow(zh)
    for r in df.itertuples(index=False):
        w.writerow(["" if (v is None or (isinstance(v, float) and v != v)) else
                    (int(v) if isinstance(v, float) and v.is_integer() else v) for v in r])
    return buf.getvalue()


def drivers_frame(base_year: int) -> pd.DataFrame:
    """Example GDP (1e8 yuan, constant prices) and population (1e4 persons) to 2060."""
    years = sorted({base_year, 2025, 2030, 2035, 2040, 2050, 2060} - {y for y in (2025,)
                                                                       if y <= base_year})
    years = [y for y in years if y >= base_year]
    gdp, pop, rows = 1000.0, 300.0, []
    growth = {2025: 0.05, 2030: 0.045, 2035: 0.04, 2040: 0.035, 2050: 0.03, 2060: 0.02}
    prev = base_year
    for y in years:
        if y > prev:
            g = next(v for k, v in sorted(growth.items()) if k >= y)
            gdp *= (1 + g) ** (y - prev)
            pop *= (1 - 0.002) ** (y - prev)
            prev = y
        rows.append({"driver": "gdp", "year": y, "value": round(gdp, 1), "unit": "1e8 yuan",
                     "source": EX + "GDP at constant base-year prices; statistical yearbook "
                     "(统计年鉴) and the city's five-year plan growth target"})
        rows.append({"driver": "population", "year": y, "value": round(pop, 1),
                     "unit": "1e4 persons", "source": EX + "resident population (常住人口); "
                     "census, statistical yearbook, territorial spatial plan (国土空间规划)"})
    return pd.DataFrame(rows).sort_values(["driver", "year"]).reset_index(drop=True)


def elasticities_frame(sectors: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for sec in sectors:
        drv, e, ic = ELASTICITIES.get(sec, ("gdp", 1.0, 0.0))
        rows.append({"sector": sec, "driver": drv, "elasticity": e, "intensity_change": ic,
                     "source": EX + f"activity of {sec} grows with {drv}^{e} and changes "
                     f"{ic:+.1%}/yr per unit of {drv}; fit to the city's last 5-10 years or "
                     "take from the sector plan"})
    return pd.DataFrame(rows)


def project_yaml(city: str, city_zh: str, base_year: int) -> str:
    return f"""\
# cocontrol project manifest 项目清单 (docs/data-schema.md). Every key is required unless marked.
name: {city}                # city name in English (reports in en)
name_zh: {city_zh}          # 城市中文名 (reports in zh)
base_year: {base_year}            # base year of the inventory and of the scenarios; one of years
years: [{base_year}]              # inventory years with activity data (add e.g. {base_year + 2} later)
gwp: AR6                    # GWP100 set for CO2e: AR5 or AR6 (IPCC assessment report)
factor_sets: [user, default]   # factor search order: factors.csv first, then bundled defaults
so2_method: factor          # factor (emission factors) or sulfur_balance (sulfur content, %)
grid_factor: cn_national_2022  # scope-2 electricity CO2: a code of grid.csv or a number in
                            # tCO2/MWh (MEE/NBS national or provincial grid factor)
heat_factor: cn_heat_default   # purchased heat CO2: a code of grid.csv or tCO2/GJ
currency: yuan              # currency of all costs
price_year: {base_year}           # price year of the costs (constant prices)
illustrative: true          # true while the tables hold EXAMPLE rows: every report says so.
                            # Set to false once every row is the city's own data.
"""


def scenarios_yaml(sectors: tuple[str, ...], base_year: int) -> str:
    measures = [m for s in sectors for m in POLICY_MEASURES.get(s, [])]
    years = ", ".join(str(y) for y in [base_year] + list(range(2025, 2061, 5)) if y >= base_year)
    years = ", ".join(dict.fromkeys(years.split(", ")))
    mlines = "\n".join(f"      {mid}: {p:g}" for mid, p in measures) or "      {}"
    # the base year, then every fifth year, so that target years such as 2030 are scenario
    # years whatever the base year (the loader rejects a target year between two points)
    years = ", ".join(str(y) for y in sorted({base_year, *range(2025, 2061, 5)})
                      if y >= base_year)
    return f"""\
# Scenarios to 2060 情景设置 (docs/scenario-schema.md, docs/measures.md). EXAMPLE values.
settings:
  years: [{years}]   # the base year of project.yaml, then the years of the pathways
                       # (or start/end/step: every target year must be one of them)
  discount_rate: 0.05  # real discount rate for annualised costs and present values (fraction);
                       # look for: the city's or NDRC's social discount rate guidance
  local_electricity_share: 0.5   # share (0-1) of extra electricity demand generated by the
                       # city's own power plants (the rest is imported at the grid factor);
                       # look for: the city's electricity balance (local generation / use)

scenarios:
  baseline:            # no new measures: activity follows drivers.csv and elasticities.csv
    description: No new measures after the base year (EXAMPLE).
    measures: {{}}
  policy:
    extends: baseline  # inherits the measures of baseline
    description: Measures of the city's action plans (EXAMPLE; replace with the plan's list).
    # measure id (src/cocontrol/data/measures.csv or the project's measures.csv): penetration
    # 0-1 reached at the measure's full_year, or {{penetration, start_year, full_year}}
    measures:
{mlines}

targets:               # checked by `cocontrol run`; each needs a source
  - type: co2_peak     # CO2 (scope 1) does not rise after `by`
    by: 2030
    source: "State Council 2021, Action plan for carbon dioxide peaking before 2030 (Guofa [2021] 23)"
  # - type: cap        # emission cap: species, year, max, unit (t, kt, Mt)
  #   species: NOx
  #   year: 2025
  #   max: 10
  #   unit: kt
  #   source: "the city's 14th FYP total-emission target (总量减排目标)"
  # - type: intensity  # CO2 per unit of a driver: species, per, year, max, unit
  # - type: energy_cap # energy cap: kind (solid ...) or fuel, year, max, unit (Mtce)
"""


def optimisation_yaml(city_id: str) -> str:
    return f"""\
# Optimisation settings 优化设置 (docs/methods/optimisation.md). EXAMPLE values.
air_quality:
  city: {city_id}          # receptor name: the city's region_id (regions.csv)
  pm25_base_ugm3: 45       # base-year annual-mean PM2.5, µg/m³; look for: the city's
                           # environmental bulletin (环境状况公报) or the national monitoring network
  local_share: 0.6         # share (0-1) of the city's PM2.5 from its own emissions; look for:
                           # source apportionment (CAMx-PSAT / CMAQ-ISAM, 源解析) of the city
  om_share_of_primary: 0.3 # only if the inventory has no OC: organic matter as a share (0-1) of
                           # primary PM2.5 other than BC; look for: a speciated local inventory
  source: "EXAMPLE: replace with the bulletin and apportionment study cited above"
health:
  population: 2000000      # persons aged 30+ (the age range of the CRF); census (人口普查)
  mortality_rate: 0.0116   # all-cause deaths per person-year of that population; health
                           # statistics yearbook (卫生健康统计年鉴)
  crf: krewski2009         # concentration-response function (bundled data/health)
  vsl: default             # value of a statistical life: default or a number in yuan
  source: "EXAMPLE: replace with the census and health statistics"
optimisation:
  base_scenario: baseline  # scenario of scenarios.yaml the plan starts from
  # measures: [...]        # candidate measures; default: every measure of scenarios.yaml
  region_level: null       # null = one city-wide decision; district, park ... = per region
  integer_steps: {{}}        # measures taken in whole steps, e.g. {{coal_power_small_unit_phaseout: 2}}
targets:
  pm25_max: 35             # annual-mean PM2.5 limit, µg/m³ (GB 3095-2012 Grade II: 35)
  pm25_year: 2030          # the limit applies from this year on
  co2_peak_by: 2030        # CO2 (scope 1) does not rise after this year (Guofa [2021] 23)
"""


def _readme(city: str, excel: bool) -> str:
    tables = "inputs.xlsx (sheets regions, activity, controls, factors, measured, README, codes)" \
        if excel else "regions.csv, activity.csv, controls.csv, factors.csv, measured.csv"
    return f"""# {city}: cocontrol project

EXAMPLE rows everywhere (project.yaml has `illustrative: true`). Replace them with the city's
own data, then set `illustrative: false`. Guide: docs/new-city.md.
示例数据：请用本市数据替换各表中的示例行，然后在 project.yaml 中设置 `illustrative: false`。

- {tables}: input tables. Row 1 = column names (do not change), row 2 = Chinese headers in 【】.
- codes{'' if excel else '.csv'}: allowed codes (sector, fuel, process, species, technology, level).
- drivers.csv, elasticities.csv: how activity grows to 2060.
- scenarios.yaml, optimisation.yaml: scenarios, targets and optimisation settings (commented).

Commands: `cocontrol validate .`, `cocontrol inventory .`, `cocontrol run . -s policy`,
`cocontrol optimize . --output out`, `cocontrol report . --out out`.
"""


def code_lists() -> pd.DataFrame:
    """Allowed codes of every coded column: list, code, name_en, name_zh."""
    from cocontrol import refdata
    from cocontrol.project.hierarchy import LEVELS

    parts = [pd.DataFrame({"list": "level", "code": LEVELS, "name_en": LEVELS,
                           "name_zh": [""] * len(LEVELS)})]
    for lst, tab in (("sector", "sectors"), ("fuel", "fuels"), ("process", "processes"),
                     ("species", "species"), ("technology", "control_tech")):
        d = refdata.table(tab)[["code", "name_en", "name_zh"]].copy()
        d.insert(0, "list", lst)
        parts.append(d)
    return pd.concat(parts, ignore_index=True)


def _write(path: Path, text: str, bom: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    tmp.replace(path)


def write_skeleton(folder: str | Path, name: str | None = None, name_zh: str | None = None,
                   base_year: int = 2020, sectors: tuple[str, ...] | None = None,
                   excel: bool = False, force: bool = False) -> list[Path]:
    """Write a project skeleton into ``folder`` (created); returns the files written.

    Refuses (InputError) to write into a folder that already has a ``project.yaml`` unless
    ``force``. ``sectors`` defaults to :data:`DEFAULT_SECTORS`; any sector code is accepted
    (sectors without example rows get an elasticity row only).
    """
    from cocontrol import refdata
    from cocontrol.project.template import write_workbook

    folder = Path(folder)
    if (folder / "project.yaml").exists() and not force:
        raise InputError(Problem(str(folder / "project.yaml"), Msg("err_init_exists"),
                                 expected=Msg("err_init_exists_expected")))
    sectors = tuple(sectors or DEFAULT_SECTORS)
    known = refdata.codes("sectors")
    bad = [s for s in sectors if s not in known]
    if bad:
        raise InputError([Problem("--sectors", Msg("err_unknown_sector"), value=s,
                                  expected=Msg("err_one_of", codes=", ".join(sorted(known))))
                          for s in bad])
    city = name or folder.name
    city_zh = name_zh or city
    city_id = slug(city)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    frames = {t: table_rows(t, city_id, city, city_zh, base_year, sectors) for t in TABLES}
    if excel:
        written.append(write_workbook(folder / "inputs.xlsx", frames))
    else:
        for t, df in frames.items():
            p = folder / f"{t}.csv"
            _write(p, _csv_text(df, _zh_header(t)), bom=True)
            written.append(p)
        p = folder / "codes.csv"
        _write(p, safe_frame(code_lists()).to_csv(index=False), bom=True)
        written.append(p)
    for fname, df in (("drivers.csv", drivers_frame(base_year)),
                      ("elasticities.csv", elasticities_frame(sectors))):
        p = folder / fname
        _write(p, safe_frame(df).to_csv(index=False), bom=True)
        written.append(p)
    for fname, text in (("project.yaml", project_yaml(city, city_zh, base_year)),
                        ("scenarios.yaml", scenarios_yaml(sectors, base_year)),
                        ("optimisation.yaml", optimisation_yaml(city_id)),
                        ("README.md", _readme(city, excel))):
        p = folder / fname
        _write(p, text)
        written.append(p)
    return written
