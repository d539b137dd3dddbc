"""Labelled, serialisable results, with their schema declared once as data.

Every stage returns (or can turn its result into) a :class:`Result`: one or more tidy tables
whose columns are *named dimensions* (region, sector, fuel, source, species, year, measure,
scenario, receptor, ...) and *values* with their units, plus the :class:`Provenance` of the
numbers. A result can be written and read back without loss:

* :meth:`Result.to_frame` — a tidy DataFrame (a copy) of one table;
* :meth:`Result.to_dict` / :meth:`Result.to_json` — plain JSON (missing values as ``null``,
  never 0; ±infinity, e.g. the unit cost of a measure that abates nothing, as the text
  ``"Infinity"``/``"-Infinity"``);
* :meth:`Result.to_parquet` — Parquet (one file per table; provenance in the file's key-value
  metadata), written with DuckDB.

The columns of every table of every result kind are declared in :data:`RESULTS` (like the
input schema of :mod:`cocontrol.project.schema`); ``docs/results-schema.md`` is generated from
it (:func:`render_markdown`) and a test checks it is up to date.

>>> r = Result("air_quality", {"concentrations": pd.DataFrame({
...     "receptor": ["city"], "component": ["PM2.5"], "unit": ["ug/m3"], "base": [50.0],
...     "change": [-2.5], "value": [47.5], "model": ["toy"]})})
>>> Result.from_json(r.to_json()).to_frame().equals(r.to_frame())
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.provenance import Provenance

__all__ = ["DIMENSIONS", "RESULTS", "Dim", "Labelled", "Result", "ResultSchema", "TableSchema",
           "Value", "render_markdown"]

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- schema as data
@dataclass(frozen=True)
class Dim:
    """A named dimension (a label column)."""

    name: str
    dtype: str  # "str" or "int"
    description_en: str
    description_zh: str


@dataclass(frozen=True)
class Value:
    """A value column: dtype ``float`` (default), ``int``, ``Int64`` (integer with missing
    values), ``bool`` or ``str``; ``unit`` is the unit, or ``"[col]"`` when column ``col`` of
    the table gives it row by row."""

    name: str
    unit: str
    description_en: str
    description_zh: str = ""
    dtype: str = "float"


@dataclass(frozen=True)
class TableSchema:
    name: str
    description_en: str
    dims: tuple[str, ...]
    values: tuple[Value, ...]
    optional: tuple[str, ...] = ()  # dims or values that may be absent

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.dims, *(v.name for v in self.values))


@dataclass(frozen=True)
class ResultSchema:
    kind: str
    title_en: str
    title_zh: str
    produced_by: str
    tables: tuple[TableSchema, ...]

    def table(self, name: str) -> TableSchema:
        for t in self.tables:
            if t.name == name:
                return t
        raise CocontrolError(M("msg.res_no_table", kind=repr(self.kind), name=repr(name),
                               known=Seq([t.name for t in self.tables], ", ", quote=True)))


D = Dim
DIMENSIONS: dict[str, Dim] = {d.name: d for d in (
    D("region", "str", "Region code at the grouping level (regions table)", "区域编码"),
    D("region_id", "str", "Region/facility a source belongs to (regions table)", "所属区域/设施"),
    D("source_id", "str", "Emission source (activity table)", "排放源编码"),
    D("sector", "str", "Sector code (sectors.csv)", "部门编码"),
    D("fuel", "str", "Fuel code (fuels.csv); empty for a process", "燃料编码"),
    D("process", "str", "Process code (processes.csv); empty for fuel use", "工艺编码"),
    D("scope", "int", "1 direct emissions, 2 indirect CO2 of purchased electricity/heat",
      "范围：1 直接排放，2 外购电力热力间接排放"),
    D("species", "str", "Species code (species.csv; one spelling), or CO2e",
      "污染物/温室气体编码"),
    D("year", "int", "Year", "年份"),
    D("scenario", "str", "Scenario name (scenarios.yaml)", "情景名称"),
    D("measure", "str", "Measure id (measures library)", "措施编码"),
    D("category", "str", "Measure category: structural, energy, efficiency, end_of_pipe",
      "措施类别"),
    D("receptor", "str", "Receptor of an air-quality model (city or region)", "受体"),
    D("component", "str", "Concentration component: PM2.5 components, the PM2.5 total, O3",
      "浓度组分"),
    D("pollutant", "str", "Pollutant of a co-control metric (a species or APeq)", "污染物"),
    D("constraint", "str", "Kind of optimisation target row", "约束类型"),
    D("target", "str", "Target description", "目标"),
    D("iteration", "int", "Sequential-LP iteration", "迭代次数"),
    D("combination", "str", "Policy combination (instrument codes joined by +)", "政策组合"),
    D("indicator", "str", "Indicator code", "指标编码"),
    D("unit", "str", "Evaluated unit (city, park or enterprise)", "评价对象"),
    D("point", "int", "Point of a Pareto front (1, 2, ...)", "帕累托前沿点序号"),
    D("path", "str", "Path of a dynamic CGE run: baseline or policy", "动态路径：基准或政策"),
)}

V = Value
_T = "[unit]"
#: Estimation status of an emission cell (issue 9 item 5: missing is not zero).
_ESTIMATE = V("estimate", "", 'Estimation status: empty = estimated; "not estimated" = no '
              "factor for the species on any line of the cell (value empty; the reasons are in "
              'Inventory.not_estimated); "partial: N line(s) not estimated" = the value sums '
              "the lines that have a factor",
              "估算状态：空 = 已估算；not estimated = 该单元所有排放线均无该物种排放因子（数值为空，"
              "原因见Inventory.not_estimated）；partial: N line(s) not estimated = 数值仅为有因子"
              "排放线之和", "str")
#: Values of a co-control metrics row (measure metrics and package metrics).
_METRIC_VALUES: tuple[Value, ...] = (
    V("P_base", "[P_unit]", "Pollutant without the measure", "无措施污染物"),
    V("P_scen", "[P_unit]", "Pollutant with the measure", "有措施污染物"),
    V("P_reduction", "[P_unit]", "Pollutant reduction", "污染物减排量"),
    V("CO2_base_t", "t", "CO2 without the measure", "无措施CO2"),
    V("CO2_scen_t", "t", "CO2 with the measure", "有措施CO2"),
    V("CO2_reduction_t", "t", "CO2 reduction", "CO2减排量"),
    V("x_norm", "1", "Normalised pollutant reduction", "标准化污染物减排"),
    V("y_norm", "1", "Normalised CO2 reduction", "标准化CO2减排"),
    V("quadrant", "", "Quadrant I–IV of the coordinate system", "象限", "str"),
    V("quadrant_label", "", "Quadrant label", "象限说明", "str"),
    V("els", "1", "Cross-elasticity ΔP/P ÷ ΔCO2/CO2", "交叉弹性"),
    V("sign_dP", "", "Sign of the pollutant change", "污染物变化符号", "str"),
    V("sign_dCO2", "", "Sign of the CO2 change", "CO2变化符号", "str"),
    V("sign_pair", "", "Sign pair", "符号对", "str"),
    V("els_meaning", "", "Meaning of the sign pair", "含义", "str"),
    V("P_unit", "", "Unit of the pollutant columns", "污染物单位", "str"),
    V("APeq_SO2e_t", "t", "APeq as t SO2-equivalent", "大气污染当量（SO2当量t）"),
)

RESULTS: dict[str, ResultSchema] = {r.kind: r for r in (
    ResultSchema(
        "inventory", "Integrated inventory", "综合排放清单", "Inventory.result()",
        (TableSchema("emissions", "Emissions by source line, species and year",
                     ("source_id", "region_id", "sector", "fuel", "process", "scope", "species",
                      "year"),
                     (V("value", _T, "Emission (controlled; measured values applied); empty "
                        "(null) when not estimated, never 0", "排放量（未估算时为空，从不记为0）"),
                      V("unit", "", "Mass unit of value", "单位", "str"), _ESTIMATE),
                     optional=("source_id", "region_id", "sector", "fuel", "process", "scope",
                               "estimate")),),
    ),
    ResultSchema(
        "scenario_run", "Scenario run", "情景运行结果", "Run.result()",
        (TableSchema("emissions", "Emissions by region, sector, fuel/process, scope, species and "
                     "year in one scenario",
                     ("scenario", "region_id", "sector", "fuel", "process", "scope", "species",
                      "year"),
                     (V("value", _T, "Emission; empty (null) when not estimated, never 0",
                        "排放量（未估算时为空，从不记为0）"),
                      V("unit", "", "Mass unit of value", "单位", "str"), _ESTIMATE),
                     optional=("region_id", "sector", "fuel", "process", "scope", "estimate")),
         TableSchema("measures", "Effects of each measure by year",
                     ("scenario", "measure", "region", "year"),
                     (V("affected", _T, "Activity affected (in the measure's cost basis)",
                        "受影响的活动水平"),
                      V("unit", "", "Unit of affected (cost basis)", "单位", "str"),
                      V("energy_cost_change_yuan", "yuan", "Value of the change in energy use",
                        "能源费用变化")),
                     optional=("region",))),
    ),
    ResultSchema(
        "air_quality", "Air-quality response", "空气质量响应", "ResponseModel.response()",
        (TableSchema("concentrations", "Annual-mean concentrations by receptor and component",
                     ("receptor", "component"),
                     (V("unit", "", "µg/m³ (ug/m3) for PM2.5 and its components, ppbv for O3",
                        "单位", "str"),
                      V("base", _T, "Base-case concentration", "基准浓度"),
                      V("change", _T, "Change due to the emission changes", "浓度变化"),
                      V("value", _T, "base + change", "浓度"),
                      V("model", "", "Model name", "模型", "str"),
                      V("extrapolated", "", "Outside the range the model was fitted on",
                        "超出拟合范围", "bool")),
                     optional=("extrapolated",)),),
    ),
    ResultSchema(
        "metrics", "Co-control metrics of measures", "措施协同控制指标",
        "cocontrol.metrics.measure_metrics()",
        (TableSchema("reductions", "Reduction of each measure in the year (scenario without "
                     "the measure − with it; > 0 = reduction)", ("measure", "species"),
                     (V("reduction_t", "t", "Emission reduction", "减排量"),)),
         TableSchema("metrics", "Co-control coordinate system, cross-elasticity and APeq of "
                     "each measure and pollutant", ("measure", "pollutant"),
                     _METRIC_VALUES,
                     optional=("APeq_SO2e_t",)),
         TableSchema("ranking", "Ranking of the measures by unit cost",
                     ("measure",),
                     (V("overall_rank", "1", "Overall rank", "综合排名", "int"),
                      V("cost_yuan", "yuan", "Annual net cost", "年净成本"),
                      V("CO2_reduction_t", "t", "CO2 reduction", "CO2减排量"),
                      V("APeq_reduction", "eq", "Reduction of air-pollution equivalents",
                        "大气污染当量减排量"),
                      V("yuan_per_t_CO2", "yuan/t", "Unit cost of CO2", "单位CO2减排成本"),
                      V("yuan_per_APeq", "yuan/eq", "Unit cost of APeq", "单位当量减排成本"),
                      V("yuan_per_cocontrol_eq", "yuan/eq", "Unit cost of the co-control "
                        "equivalent", "协同当量单位成本"),
                      V("weight_eq_per_t_CO2", "eq/t", "Weight of CO2 in the co-control "
                        "equivalent", "CO2权重"),
                      V("quadrant", "", "Quadrant", "象限", "str"),
                      V("quadrant_label", "", "Quadrant label", "象限说明", "str"),
                      V("rank_CO2_cost", "1", "Rank by CO2 unit cost", "CO2成本排名", "Int64"),
                      V("rank_APeq_cost", "1", "Rank by APeq unit cost", "当量成本排名", "Int64"),
                      V("rank_cocontrol_cost", "1", "Rank by co-control unit cost",
                        "协同成本排名", "Int64"))),
         *(TableSchema(f"mac_{k}", f"Marginal abatement cost curve of {t}", ("measure",),
                       (V("target", "", "Abated quantity of the curve", "曲线对象", "str"),
                        V("on_curve", "", "On the curve (positive reduction)", "是否在曲线上",
                          "bool"),
                        V("unit_cost", "[unit_cost_unit]", "Unit cost", "单位成本"),
                        V("unit_cost_unit", "", "Unit of unit_cost", "单位", "str"),
                        V("CO2_reduction_t", "t", "CO2 reduction", "CO2减排量"),
                        V("APeq_reduction", "eq", "APeq reduction", "当量减排量"),
                        V("cum_start", f"[{t} unit]", "Cumulative reduction at the start of the "
                          "bar", "累计起点"),
                        V("cum_end", f"[{t} unit]", "Cumulative reduction at its end",
                          "累计终点"),
                        V("co_benefit", "", "Co-benefit (the other quantity)", "协同效益"),
                        V("cum_co_benefit", "", "Cumulative co-benefit", "累计协同效益"),
                        V("cost_yuan", "yuan", "Annual net cost", "年净成本")))
           for k, t in (("co2", "CO2"), ("apeq", "APeq")))),
    ),
    ResultSchema(
        "package_metrics", "Co-control metrics of measure packages", "措施组合协同控制指标",
        "cocontrol.metrics.package_result()",
        (TableSchema("metrics", "Co-control metrics of each scenario (a whole package of "
                     "measures, all interactions included) against the reference scenario in "
                     "the year", ("scenario", "pollutant"), _METRIC_VALUES,
                     optional=("APeq_SO2e_t",)),),
    ),
    ResultSchema(
        "pareto_front", "Pareto front of cost, PM2.5 and CO2", "成本—PM2.5—CO2帕累托前沿",
        "cocontrol.optimize.pareto.pareto_result()",
        (TableSchema("front", "Non-dominated plans of the ε-constraint method (engine values "
                     "in the evaluation year)", ("point",),
                     (V("eps_pm25_ugm3", "ug/m3", "ε level of PM2.5", "PM2.5约束水平"),
                      V("eps_co2_t", "t", "ε level of CO2 (empty: no CO2 level)",
                        "CO2约束水平"),
                      V("cost_pv_yuan", "yuan", "Present value of the plan's net cost",
                        "净成本现值"),
                      V("pm25_ugm3", "ug/m3", "Annual-mean PM2.5 of the plan", "PM2.5年均浓度"),
                      V("co2_t", "t", "Scope-1 CO2 of the plan", "CO2排放量"),
                      V("converged", "", "The sequential LP converged", "是否收敛", "bool"))),),
    ),
    ResultSchema(
        "optimisation_plan", "Optimisation plan", "优化方案", "Plan.result()",
        (TableSchema("penetrations", "Optimal penetration of every measure in every region "
                     "and year", ("measure", "region", "sector", "category", "year"),
                     (V("penetration", "fraction", "Penetration 0–1", "渗透率"),)),
         TableSchema("pathway", "Engine values of the plan by year", ("year",),
                     (V("pm25_ugm3", "ug/m3", "Annual-mean PM2.5 (empty without an "
                        "air-quality model)", "PM2.5年均浓度"),
                      V("co2_t", "t", "Scope-1 CO2", "CO2排放量"),
                      V("cost_yuan", "yuan", "Annual net cost of the measures", "年净成本"))),
         TableSchema("targets", "Targets checked with the scenario engine",
                     ("constraint", "target", "year"),
                     (V("limit", _T, "Limit", "限值"), V("value", _T, "Value", "数值"),
                      V("shortfall", _T, "value − limit (> 0: missed)", "差距"),
                      V("unit", "", "Unit", "单位", "str"), V("met", "", "Target met", "是否达标",
                                                             "bool"))),
         TableSchema("iterations", "Sequential-LP history", ("iteration",),
                     (V("max_rel_error", "1", "Largest relative difference engine vs LP",
                        "最大相对误差"),
                      V("objective", "", "LP objective", "目标函数值"),
                      V("engine_runs", "1", "Engine runs so far", "引擎运行次数", "int")))),
    ),
    ResultSchema(
        "cge_solution", "CGE policy combinations", "CGE政策组合", "CombinationResult.result()",
        (TableSchema("changes", "Indicator change of every combination against the baseline",
                     ("combination", "indicator"),
                     (V("value", _T, "Change", "变化"),
                      V("unit", "", "Unit of the change (%, percentage points ...)", "单位",
                        "str"))),
         TableSchema("levels", "Indicator levels of every combination",
                     ("combination", "indicator"), (V("value", "", "Level", "水平值"),)),
         TableSchema("judgements", "Discriminant-matrix class of each multi-instrument "
                     "combination and indicator", ("combination", "indicator"),
                     (V("class", "", "Class", "类别", "str"),))),
    ),
    ResultSchema(
        "cge_dynamic", "Recursive-dynamic CGE paths", "递推动态CGE路径",
        "DynamicResult.result()",
        (TableSchema("levels", "Indicator levels of the baseline and the policy path by year",
                     ("path", "year", "indicator"), (V("value", "", "Level (unit in the "
                                                       "indicator name)", "水平值"),)),
         TableSchema("changes", "Indicator change of the policy path against the baseline "
                     "by year", ("year", "indicator"),
                     (V("value", _T, "Change", "变化"),
                      V("unit", "", "Unit of the change (%, percentage points ...)", "单位",
                        "str"))),
         TableSchema("ets", "Whether the emission-trading cap binds in each year of the "
                     "policy path (empty: no cap)", ("year",),
                     (V("binding", "", "binding, slack, or empty without a cap", "配额约束",
                        "str"),))),
    ),
    ResultSchema(
        "evaluation", "Synergy evaluation", "协同度评价", "EvaluationResult.result()",
        (TableSchema("scores", "Score, grade and rank of every evaluated unit and year",
                     ("unit", "year"),
                     (V("score", "points (0–100)", "Synergy score", "协同度得分"),
                      V("grade", "", "Grade", "等级", "str"),
                      V("rank", "1", "Rank within the year (1 = best; empty without a score)",
                        "年内排名", "Int64"),
                      V("complete", "", "Every indicator has a value", "数据完整", "bool"))),
         TableSchema("subindices", "Sub-index of every first-level dimension",
                     ("unit", "year", "indicator"),
                     (V("value", "points (0–100)", "Sub-index of the dimension", "分项指数"),)),
         TableSchema("contributions", "Points of the score contributed by each indicator "
                     "(they add up to the score)", ("unit", "year", "indicator"),
                     (V("points", "points", "Contribution to the score", "得分贡献"),)),
         TableSchema("weights", "Global weight of every indicator", ("indicator",),
                     (V("weight", "1", "Global weight", "综合权重"),))),
    ),
)}


def render_markdown() -> str:
    """The result schema as a Markdown page (``docs/results-schema.md``)."""
    out = ["# Result schema", "",
           "<!-- generated from cocontrol/results.py (RESULTS, DIMENSIONS) by "
           "`python -m cocontrol.results > docs/results-schema.md`; do not edit -->", "",
           "Every result of cocontrol is a set of tidy tables: named dimensions (labels) and "
           "values with units. `to_frame()` gives a table, `to_dict()`/`to_json()` plain JSON "
           "(missing values are `null`, never 0) and `to_parquet()` Parquet files; all three "
           "read back without loss (`Result.from_dict`, `from_json`, `from_parquet`). Each "
           "result carries its provenance: `project_hash` (content hash of the inputs), "
           "`code_version`, `factor_version` (content hash of the bundled reference tables) "
           "and named `assumptions`.", "",
           f"Schema version {SCHEMA_VERSION}.", "", "## Dimensions", "",
           "| name | type | description | 说明 |", "|---|---|---|---|"]
    for d in DIMENSIONS.values():
        out.append(f"| `{d.name}` | {d.dtype} | {d.description_en} | {d.description_zh} |")
    for r in RESULTS.values():
        out += ["", f"## `{r.kind}`: {r.title_en} ({r.title_zh})", "",
                f"Produced by `{r.produced_by}`.", ""]
        for t in r.tables:
            opt = f" Optional columns: {', '.join(f'`{c}`' for c in t.optional)}." \
                if t.optional else ""
            out += [f"### table `{t.name}`", "", t.description_en + "." + opt, "",
                    "Dimensions: " + ", ".join(f"`{d}`" for d in t.dims) + ".", "",
                    "| value | type | unit | description | 说明 |", "|---|---|---|---|---|"]
            for v in t.values:
                unit = f"see `{v.unit[1:-1]}` column" if v.unit.startswith("[") and \
                    v.unit[1:-1] in t.columns else (v.unit or "—")
                out.append(f"| `{v.name}` | {v.dtype} | {unit} | {v.description_en} | "
                           f"{v.description_zh} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- the result


def _normalise(df: pd.DataFrame, spec: TableSchema | None) -> pd.DataFrame:
    """Reset the index and give every declared column its declared dtype."""
    d = df.reset_index(drop=True).copy()
    d.columns = [str(c) for c in d.columns]
    if spec is None:
        return d
    types = {n: DIMENSIONS[n].dtype for n in spec.dims}
    types.update({v.name: v.dtype for v in spec.values})
    for c, t in types.items():
        if c not in d.columns:
            continue
        s = d[c]
        if t == "str":
            v = s.astype(object).where(s.notna(), None)
            if c in spec.dims:  # an empty label is a missing label (e.g. no fuel of a process)
                v = v.where(v != "", None)
            d[c] = v.map(lambda x: x if x is None else str(x)).astype("str")
        elif t == "int":
            if s.isna().any():
                raise CocontrolError(M("msg.res_int_missing", col=repr(c)))
            d[c] = s.astype("int64")
        elif t == "bool":
            d[c] = s.astype(bool)
        elif t == "Int64":  # integer with missing values (e.g. a rank not defined)
            d[c] = pd.to_numeric(s, errors="raise").astype("Int64")
        else:
            d[c] = pd.to_numeric(s, errors="raise").astype("float64")
    return d


def _check(kind: str, name: str, df: pd.DataFrame, spec: TableSchema) -> None:
    need = [c for c in spec.columns if c not in spec.optional]
    missing = [c for c in need if c not in df.columns]
    unknown = [c for c in df.columns if c not in spec.columns]
    if missing or unknown:
        raise CocontrolError(M("msg.res_schema_columns", kind=kind, name=name,
                               missing=str(missing), unknown=str(unknown)))


def _jsonable(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        if math.isnan(v):
            return None  # missing: not estimated, never 0
        if math.isinf(v):  # JSON has no infinity: kept as text, read back as ±inf
            return "Infinity" if v > 0 else "-Infinity"
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


class Result(Mapping):
    """A labelled result: named tidy tables (a read-only mapping name → DataFrame) plus
    provenance and free metadata.

    ``kind`` is a key of :data:`RESULTS`; every table must have exactly the declared columns
    (optional ones may be absent). ``result[name]`` returns the table itself (do not modify
    it; :meth:`to_frame` returns a copy).
    """

    def __init__(self, kind: str, tables: Mapping[str, pd.DataFrame],
                 provenance: Provenance | None = None, meta: Mapping | None = None):
        if kind not in RESULTS:
            raise CocontrolError(M("msg.res_unknown_kind", kind=repr(kind),
                                   known=Seq(RESULTS, ", ", quote=True)))
        self.kind = kind
        schema = RESULTS[kind]
        self._tables: dict[str, pd.DataFrame] = {}
        for name, df in tables.items():
            spec = schema.table(name)
            d = _normalise(df, spec)
            _check(kind, name, d, spec)
            self._tables[name] = d
        self.provenance = provenance or Provenance.of()
        self.meta = dict(meta or {})

    # mapping protocol
    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self._tables[name]
        except KeyError:
            raise KeyError(M("msg.res_no_table", kind=repr(self.kind), name=repr(name),
                             known=Seq(self._tables, ", ", quote=True))) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: {len(v)} rows" for k, v in self._tables.items())
        return f"<Result {self.kind} ({parts})>"

    @property
    def schema(self) -> ResultSchema:
        return RESULTS[self.kind]

    def to_frame(self, table: str | None = None) -> pd.DataFrame:
        """A tidy copy of ``table`` (default: the first table)."""
        name = table or next(iter(self._tables))
        return self[name].copy()

    # --------------------------------------------------------------- JSON
    def to_dict(self) -> dict:
        """Plain-Python form (JSON-ready): ``kind, schema_version, provenance, meta, tables``;
        each table as ``{"columns": [...], "dtypes": {...}, "data": {column: [values]}}``."""
        tabs = {}
        for name, df in self._tables.items():
            tabs[name] = {
                "columns": list(df.columns),
                "dtypes": {c: str(df[c].dtype) for c in df.columns},
                "data": {c: [_jsonable(v) for v in df[c].tolist()] for c in df.columns},
            }
        return {"kind": self.kind, "schema_version": SCHEMA_VERSION,
                "provenance": self.provenance.to_dict(), "meta": _plain(self.meta),
                "tables": tabs}

    @classmethod
    def from_dict(cls, d: Mapping) -> Result:
        if int(d.get("schema_version", SCHEMA_VERSION)) != SCHEMA_VERSION:
            raise CocontrolError(M("msg.res_schema_version", found=d.get("schema_version"),
                                   version=SCHEMA_VERSION))
        tables = {}
        for name, t in d["tables"].items():
            df = pd.DataFrame({c: t["data"][c] for c in t["columns"]}, columns=t["columns"])
            tables[name] = _restore(df, t.get("dtypes", {}))
        return cls(d["kind"], tables, Provenance.from_dict(d["provenance"]), d.get("meta"))

    def to_json(self, path: str | Path | None = None, indent: int | None = None) -> str:
        """JSON text of :meth:`to_dict` (also written to ``path`` if given)."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> Result:
        s = str(text_or_path)
        if not s.lstrip().startswith("{"):
            s = Path(s).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(s))

    # --------------------------------------------------------------- Parquet
    def to_parquet(self, path: str | Path) -> list[Path]:
        """Write Parquet: ``path`` itself for a one-table result, else a folder ``path`` with
        ``<table>.parquet`` per table. Provenance, meta and dtypes travel in each file's
        key-value metadata (key ``cocontrol``). Returns the files written."""
        from cocontrol import parquet

        path = Path(path)
        files = []
        if len(self._tables) == 1:
            targets = {next(iter(self._tables)): path}
        else:
            path.mkdir(parents=True, exist_ok=True)
            targets = {n: path / f"{n}.parquet" for n in self._tables}
        head = {"kind": self.kind, "schema_version": SCHEMA_VERSION,
                "provenance": self.provenance.to_dict(), "meta": _plain(self.meta)}
        for name, target in targets.items():
            df = self._tables[name]
            meta = dict(head, table=name, dtypes={c: str(df[c].dtype) for c in df.columns})
            parquet.write(df, target, json.dumps(meta, ensure_ascii=False))
            files.append(target)
        return files

    @classmethod
    def from_parquet(cls, path: str | Path) -> Result:
        from cocontrol import parquet

        path = Path(path)
        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        if not files:
            raise CocontrolError(M("msg.res_no_parquet", path=path))
        tables, head = {}, None
        for f in files:
            df, meta = parquet.read(f)
            meta = json.loads(meta)
            head = head or meta
            tables[meta["table"]] = _restore(df, meta.get("dtypes", {}))
        order = [t.name for t in RESULTS[head["kind"]].tables]
        tables = {n: tables[n] for n in sorted(tables, key=lambda n: order.index(n)
                                               if n in order else len(order))}
        return cls(head["kind"], tables, Provenance.from_dict(head["provenance"]),
                   head.get("meta"))


class Labelled:
    """Mixin for a stage's result object: :meth:`result` builds the :class:`Result`; the
    export methods delegate to it, so existing attributes of the object keep working."""

    def result(self) -> Result:  # pragma: no cover - implemented by each stage
        raise NotImplementedError

    def to_frame(self, table: str | None = None) -> pd.DataFrame:
        return self.result().to_frame(table)

    def to_dict(self) -> dict:
        return self.result().to_dict()

    def to_json(self, path: str | Path | None = None, indent: int | None = None) -> str:
        return self.result().to_json(path, indent)

    def to_parquet(self, path: str | Path) -> list[Path]:
        return self.result().to_parquet(path)


def _restore(df: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    for c, t in dtypes.items():
        if c not in df.columns:
            continue
        if t in ("str", "object") or t.startswith("string"):
            df[c] = df[c].astype(object).where(df[c].notna(), None).astype("str")
        elif t in ("float64", "Int64"):
            v = df[c].astype(object).where(df[c].notna(), np.nan).replace(
                {"Infinity": np.inf, "-Infinity": -np.inf})
            df[c] = pd.to_numeric(v).astype(t)
        else:
            df[c] = df[c].astype(t)
    return df


def _plain(x):
    """Meta as plain JSON values (tuples → lists, numpy scalars → Python)."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return _jsonable(x)


if __name__ == "__main__":  # python -m cocontrol.results > docs/results-schema.md
    import sys

    sys.stdout.write(render_markdown())
