"""Input-table schema declared once, as data (PyPSA style).

Each column has a type, whether it is required, its unit, and a description in English and
Chinese. The template workbook, the validator and the docs are all generated from this.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "float", "int"
    required: bool
    description_en: str
    description_zh: str
    unit: str = ""
    codes: str | None = None  # name of the reference table holding the allowed codes
    example: object = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    title_en: str
    title_zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default_factory=tuple)
    optional: bool = False

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column

REGIONS = TableSpec(
    "regions", "Regions (hierarchy)", "区域层级",
    (
        C("region_id", "str", True, "Unique code of the region, park, enterprise or facility",
          "区域/园区/企业/设施唯一编码", example="city"),
        C("parent_id", "str", False, "Code of the parent region; blank for the city (root)",
          "上级区域编码；城市（根）留空", example=""),
        C("level", "str", True, "Level: city, district, park, enterprise or facility",
          "层级：'city' 城市、'district' 区县、'park' 园区、'enterprise' 企业、'facility' 设施",
          example="city"),
        C("name", "str", False, "Name (English)", "名称（英文）", example="Demo City"),
        C("name_zh", "str", False, "Name (Chinese)", "名称（中文）", example="示例市"),
    ),
    key=("region_id",),
)

ACTIVITY = TableSpec(
    "activity", "Activity data", "活动水平数据",
    (
        C("source_id", "str", True, "Code of the emission source (unit, boiler, kiln, or an "
          "area source such as residential coal in a district)",
          "排放源编码（机组、锅炉、窑炉，或面源如某区县居民散煤）", example="PP1_U1"),
        C("region_id", "str", True, "Region/facility the source belongs to (regions table)",
          "排放源所属区域/设施（见区域表）", example="pp1"),
        C("sector", "str", True, "Sector code", "部门编码", codes="sectors", example="power"),
        C("fuel", "str", False, "Fuel code (combustion and purchased energy); leave blank for "
          "a process", "燃料编码（燃烧与外购能源）；工艺过程留空", codes="fuels",
          example="hard_coal"),
        C("process", "str", False, "Process code (production, non-combustion); leave blank for "
          "fuel use", "工艺编码（产品产量、非燃烧源）；燃料燃烧留空", codes="processes",
          example=""),
        C("year", "int", True, "Year", "年份", example=2020),
        C("value", "float", True, "Activity level (≥ 0) in the unit of the next column",
          "活动水平（≥0），单位见下一列", example=1.2e6),
        C("unit", "str", True, "Unit of value: t, kt, Mt, GJ, TJ, tce, Nm3, kNm3, MNm3, MWh, "
          "GWh, head, ... (must suit the fuel or process)",
          "活动水平单位：t、kt、Mt、GJ、TJ、tce、Nm3、kNm3、MNm3、MWh、GWh、head 等", example="t"),
        C("sulfur_content", "float", False, "Sulfur content of the fuel, % by mass (only for the "
          "sulfur mass balance; blank = fuel default)", "燃料含硫率，质量%（硫平衡法用）",
          unit="%", example=None),
        C("so2_ash_retention", "float", False, "Fraction of sulfur retained in ash, 0–1 (blank "
          "= fuel default)", "灰渣固硫率，0–1（空=燃料默认值）", unit="fraction", example=None),
        C("note", "str", False, "Free text: data source of this row", "备注：本行数据来源",
          example="2020 energy statistics report"),
    ),
    key=("source_id", "sector", "fuel", "process", "year"),
)

CONTROLS = TableSpec(
    "controls", "Control-technology application", "污染控制技术应用",
    (
        C("source_id", "str", True, "Source the technology is applied to (activity table)",
          "应用该技术的排放源（见活动水平表）", example="PP1_U1"),
        C("technology", "str", True, "Control technology code", "控制技术编码",
          codes="control_tech", example="wet_fgd"),
        C("share", "float", True, "Share of the source's activity under this technology, 0–1",
          "该技术覆盖的活动水平比例，0–1", unit="fraction", example=1.0),
        C("year", "int", False, "Year; blank = every year", "年份；空=所有年份", example=None),
    ),
    key=("source_id", "technology", "year"),
    optional=True,
)

FACTORS = TableSpec(
    "factors", "User emission factors (override defaults)", "用户排放因子（优先于默认值）",
    (
        C("sector", "str", True, "Sector code, or * for any sector", "部门编码，* 表示所有部门",
          codes="sectors", example="power"),
        C("fuel", "str", False, "Fuel code (blank for a process)", "燃料编码（工艺留空）",
          codes="fuels", example="hard_coal"),
        C("process", "str", False, "Process code (blank for a fuel)", "工艺编码（燃料留空）",
          codes="processes", example=""),
        C("species", "str", True, "Species code", "污染物/温室气体编码", codes="species",
          example="NOx"),
        C("value", "float", True, "Uncontrolled emission factor (≥ 0)", "产生系数（控制前，≥0）",
          example=8.5),
        C("unit", "str", True, "Unit: mass of species per activity, e.g. kg/t, g/GJ, t/t, "
          "kg/head", "单位：每单位活动水平的排放质量，如 kg/t、g/GJ", example="kg/t"),
        C("source", "str", True, "Where the factor comes from (publication, table, page)",
          "因子来源（文献、表、页）", example="Stack test report 2020"),
        C("source_id", "str", False, "Only for this source (blank = every matching source)",
          "仅用于该排放源（空=所有匹配排放源）", example=None),
    ),
    key=("source_id", "sector", "fuel", "process", "species"),
    optional=True,
)

MEASURED = TableSpec(
    "measured", "Measured emissions (CEMS, permit execution reports)",
    "实测排放（在线监测、排污许可执行报告）",
    (
        C("source_id", "str", True, "Source (activity table)", "排放源（见活动水平表）",
          example="PP1_U1"),
        C("species", "str", True, "Species code", "污染物编码", codes="species", example="SO2"),
        C("year", "int", True, "Year", "年份", example=2020),
        C("value", "float", True, "Measured annual emission (≥ 0)", "实测年排放量（≥0）",
          example=410.0),
        C("unit", "str", True, "Mass unit: t, kt, kg", "质量单位：t、kt、kg", example="t"),
        C("method", "str", False, "CEMS or permit_report", "在线监测 'CEMS' 或执行报告 'permit_report'",
          example="CEMS"),
    ),
    key=("source_id", "species", "year"),
    optional=True,
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (REGIONS, ACTIVITY, CONTROLS, FACTORS, MEASURED)}

SPECIES = TableSpec(
    "species", "Species declared by the project (beside the registered ones)",
    "项目自定义物种（在已登记物种之外）",
    (
        C("code", "str", True, "Code of the new species (one spelling, used in every table)",
          "新物种编码（唯一写法，各表通用）", example="Hg"),
        C("name_en", "str", True, "Name (English)", "名称（英文）", example="Mercury"),
        C("name_zh", "str", True, "Name (Chinese)", "名称（中文）", example="汞"),
        C("group", "str", True, "Group: air (pollutant) or ghg (greenhouse gas)",
          "类别：air 大气污染物 或 ghg 温室气体", example="air"),
        C("iamc", "str", False, "IAMC variable name (blank = the code)", "IAMC 变量名（空=编码）",
          example="Hg"),
        C("aliases", "str", False, "Other spellings, separated by ;", "其他写法，以 ; 分隔",
          example="mercury"),
        C("gwp_AR6", "float", False, "GWP100, IPCC AR6 (greenhouse gases)",
          "全球增温潜势 GWP100（IPCC AR6，温室气体）", example=None),
        C("gwp_AR5", "float", False, "GWP100, IPCC AR5 (greenhouse gases)",
          "全球增温潜势 GWP100（IPCC AR5，温室气体）", example=None),
        C("source", "str", True, "Where the definition comes from", "定义来源",
          example="Minamata Convention"),
    ),
    key=("code",),
    optional=True,
)

DRIVERS = TableSpec(
    "drivers", "Drivers (GDP, population, sector output paths)", "驱动因子（GDP、人口、行业产量路径）",
    (
        C("driver", "str", True, "Name of the driver (used in the elasticities table)",
          "驱动因子名称（弹性系数表中引用）", example="gdp"),
        C("year", "int", True, "Year", "年份", example=2020),
        C("value", "float", True, "Value of the driver in that year", "该年驱动因子数值",
          example=1600.0),
        C("unit", "str", False, "Unit of the value (e.g. 1e8 yuan, 1e4 persons, Mt)",
          "数值单位（如 亿元、万人、Mt）", example="1e8 yuan"),
        C("source", "str", False, "Where the values come from", "数据来源",
          example="statistical yearbook"),
    ),
    key=("driver", "year"),
    optional=True,
)

ELASTICITIES = TableSpec(
    "elasticities", "Activity elasticities to drivers", "活动水平对驱动因子的弹性",
    (
        C("sector", "str", True, "Sector code (a parent sector applies to its children; * to "
          "every other sector)", "部门编码（上级部门适用于其子部门；* 适用于其余部门）",
          codes="sectors", example="power"),
        C("driver", "str", False, "Driver of the drivers table (blank: intensity trend only)",
          "驱动因子（空=仅强度变化）", example="gdp"),
        C("elasticity", "float", False, "Elasticity of activity to the driver",
          "活动水平对驱动因子的弹性", example=0.3),
        C("intensity_change", "float", False, "Annual change of activity per unit of driver "
          "(e.g. -0.01 = -1 %/yr)", "单位驱动因子活动水平的年变化率（如 -0.01=每年-1%）",
          unit="1/yr", example=-0.01),
        C("source", "str", False, "Where the values come from", "数据来源",
          example="ASSUMPTION"),
    ),
    key=("sector",),
    optional=True,
)

REGION_STATS = TableSpec(
    "region_stats", "Region statistics (GDP per region and year)", "区域统计（各区县各年GDP）",
    (
        C("region_id", "str", True, "Region of the regions table (usually a district)",
          "区域编码（见区域表，通常为区县）", example="fenhe"),
        C("indicator", "str", True, "Indicator: gdp", "指标：gdp（地区生产总值）",
          example="gdp"),
        C("year", "int", True, "Year", "年份", example=2020),
        C("value", "float", True, "Value (> 0) in the unit of the next column",
          "数值（>0），单位见下一列", example=608.0),
        C("unit", "str", True, "Unit of value, a currency: 1e8 yuan, 1e4 yuan, yuan",
          "数值单位（货币）：1e8 yuan（亿元）、1e4 yuan（万元）、yuan", example="1e8 yuan"),
        C("source", "str", True, "Where the value comes from (yearbook, communique, assumption)",
          "数据来源（统计年鉴、公报、假设）", example="district statistical communique 2020"),
    ),
    key=("region_id", "indicator", "year"),
    optional=True,
)

#: indicators of the region statistics table and the reference unit each is converted to
REGION_INDICATORS = {"gdp": "1e4 yuan"}
#: Tables of statistics per region (denominators of intensities on the map)
STATS_TABLES: dict[str, TableSpec] = {REGION_STATS.name: REGION_STATS}

#: Tables of the scenario stage held by a project (the measures table is typed by
#: :func:`cocontrol.scenario.measures.validate`; here its columns are checked).
SCENARIO_TABLES: dict[str, TableSpec] = {t.name: t for t in (DRIVERS, ELASTICITIES)}

#: Columns a user may add to any table for their own notes (kept as text, never used).
FREE_TEXT = ("note", "notes", "comment", "comments", "remark", "备注", "说明")

#: Columns of a measures table (bundled ``data/measures.csv`` or a project's measures.csv);
#: see docs/scenario-schema.md.
MEASURE_COLUMNS = ["id", "name_en", "name_zh", "category", "action", "sector", "fuel",
                   "process", "to_sector", "to_fuel", "to_process", "ratio", "technology",
                   "species", "magnitude", "max_penetration", "start_year", "full_year",
                   "cost_basis", "capex", "fixed_opex", "variable_opex", "lifetime",
                   "price_year", "source"]
