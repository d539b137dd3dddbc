"""Indicator time series of monitored units (region, park, enterprise, facility, station).

Upload template (CSV or Excel; English or Chinese headers; one row per value)::

    entity    对象     id of a region/park/enterprise/facility (regions.csv) or a station
    indicator 指标     code of data/monitoring/indicators.csv (energy, coal, electricity, CO2,
                       SO2, NOx, PM2.5, VOCs, pm25_conc, o3_mda8_p90, good_day_ratio, gdp,
                       value_added, production)
    sector    行业     optional breakdown (sector code), blank = total of the unit
    fuel      燃料     optional breakdown (fuel code), blank = all fuels
    period    时期     2024-03 (month) or 2024 (year)
    value     数值     number; blank = not estimated (never read as 0)
    unit      计量单位  any unit convertible to the indicator's reference unit (pint)
    source    来源     where the value comes from (required)
    note      备注     optional
    valid_days 有效天数 optional, days behind a monthly concentration or day share

Values are converted to the reference unit of their indicator on loading; the original value,
unit, file and row are kept with every value. Annual values derived from months follow the
indicator's ``annual`` rule: ``sum`` (flows, all 12 months needed), ``day_weighted_mean``
(concentrations and day shares; all 12 months needed, weights = valid days or days of the
month), ``not_derivable`` (O3 90th percentile: only an annual value or hourly data gives it).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg
from cocontrol.monitoring._common import MonitoringError, convertible, factor, indicators
from cocontrol.project.io import ROW, coerce
from cocontrol.project.schema import Column, TableSpec

SERIES_SPEC = TableSpec(
    name="series", title_en="Indicator series", title_zh="指标时间序列",
    columns=(
        Column("entity", "str", True, "id of the monitored unit or station", "监测对象编号"),
        Column("indicator", "str", True, "indicator code", "指标代码"),
        Column("sector", "str", False, "sector code (blank = total)", "行业（空=合计）"),
        Column("fuel", "str", False, "fuel code (blank = all fuels)", "燃料（空=全部）"),
        Column("period", "str", True, "YYYY-MM or YYYY", "时期（年-月或年）"),
        Column("value", "float", False, "value (blank = not estimated)", "数值（空=未估算）"),
        Column("unit", "str", True, "unit of the value", "计量单位"),
        Column("source", "str", True, "source of the value", "数据来源"),
        Column("note", "str", False, "note", "备注"),
        Column("valid_days", "float", False, "valid days behind a monthly mean", "有效天数"),
    ),
    key=("entity", "indicator", "sector", "fuel", "period"),
)

#: Chinese (and alternative English) headers accepted for each template column.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "entity": ("对象", "监测对象", "对象编号", "单位编号", "区域编号", "unit_id", "region_id"),
    "indicator": ("指标", "指标代码"),
    "sector": ("行业", "部门"),
    "fuel": ("燃料", "能源品种"),
    "period": ("时期", "时间", "期间", "年月"),
    "value": ("数值", "值"),
    "unit": ("计量单位", "单位"),
    "source": ("来源", "数据来源"),
    "note": ("备注", "说明"),
    "valid_days": ("有效天数",),
}

_PERIOD = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})月?)?$")

COLUMNS = ["entity", "indicator", "sector", "fuel", "year", "month", "value", "unit",
           "value_original", "unit_original", "valid_days", "source", "file", "row"]


def canonical_headers(columns) -> dict[str, str]:
    """Map user headers (English or Chinese, case-insensitive) to template column names."""
    lookup = {c.name: c.name for c in SERIES_SPEC.columns}
    for canon, alts in HEADER_ALIASES.items():
        for a in alts:
            lookup[a] = canon
    out = {}
    for c in columns:
        key = str(c).strip()
        out[c] = lookup.get(key, lookup.get(key.lower(), key))
    return out


def parse_period(text: str) -> tuple[int, int] | None:
    """``"2024-03"`` -> (2024, 3); ``"2024"`` -> (2024, 0); Excel dates -> (year, month)."""
    s = str(text).strip()
    m = _PERIOD.match(s)
    if m:
        y = int(m.group(1))
        mo = int(m.group(2)) if m.group(2) else 0
        return (y, mo) if 0 <= mo <= 12 else None
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError):
        return None
    if ts.day != 1 or ts.hour or ts.minute:
        return None
    return ts.year, ts.month


@dataclass
class SeriesTable:
    """Validated indicator series in reference units, every value with its source.

    ``data`` columns: entity, indicator, sector, fuel, year, month (0 = annual value),
    value (reference unit; NaN = not estimated), unit (reference unit), value_original,
    unit_original, valid_days, source, file, row.
    """

    data: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)

    def __post_init__(self):
        for c in ("sector", "fuel"):
            self.data[c] = self.data[c].fillna("").astype(str)

    # ------------------------------------------------------------------ selection
    def select(self, indicator: str, entity: str | None = None, sector: str | None = "",
               fuel: str | None = "") -> pd.DataFrame:
        """Rows of one indicator; ``sector``/``fuel`` "" = totals, None = any breakdown."""
        d = self.data[self.data["indicator"] == indicator]
        if entity is not None:
            d = d[d["entity"] == entity]
        if sector is not None:
            d = d[d["sector"] == sector]
        if fuel is not None:
            d = d[d["fuel"] == fuel]
        return d

    def monthly(self, indicator: str, entity: str, sector: str = "", fuel: str = "",
                start: str | None = None, end: str | None = None) -> pd.Series:
        """Monthly values as a Series on a complete monthly PeriodIndex (gaps = NaN)."""
        d = self.select(indicator, entity, sector, fuel)
        d = d[d["month"] > 0]
        if d.empty:
            return pd.Series(dtype=float, name=indicator,
                             index=pd.PeriodIndex([], freq="M"))
        idx = pd.PeriodIndex([pd.Period(year=int(y), month=int(m), freq="M")
                              for y, m in zip(d["year"], d["month"], strict=True)], freq="M")
        s = pd.Series(d["value"].to_numpy(float), index=idx, name=indicator).sort_index()
        lo = pd.Period(start, "M") if start else s.index.min()
        hi = pd.Period(end, "M") if end else s.index.max()
        return s.reindex(pd.period_range(lo, hi, freq="M"))

    def annual(self, indicator: str, entity: str, sector: str = "", fuel: str = ""
               ) -> pd.DataFrame:
        """Annual values: given annual rows, else derived from 12 months by the indicator's
        rule. Columns: year, value (NaN = not estimated), how (given | from 12 months | not
        estimated: reason)."""
        rule = indicators().at[indicator, "annual"]
        d = self.select(indicator, entity, sector, fuel)
        rows = {}
        for y, g in d.groupby("year"):
            ann = g[g["month"] == 0]
            mon = g[g["month"] > 0]
            if len(ann):
                v = float(ann["value"].iloc[0])
                rows[int(y)] = (v, "given" if np.isfinite(v) else "not estimated: empty value")
                continue
            rows[int(y)] = derive_annual(mon, int(y), rule)
        out = pd.DataFrame([(y, v, h) for y, (v, h) in sorted(rows.items())],
                           columns=["year", "value", "how"])
        out.attrs["unit"] = indicators().at[indicator, "reference_unit"]
        return out

    def annual_value(self, indicator: str, entity: str, year: int, sector: str = "",
                     fuel: str = "") -> float:
        a = self.annual(indicator, entity, sector, fuel)
        m = a[a["year"] == year]
        return float(m["value"].iloc[0]) if len(m) else float("nan")

    def entities(self) -> list[str]:
        return sorted(self.data["entity"].unique().tolist())

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (copy), with a ``period`` label column."""
        d = self.data.copy()
        d.insert(4, "period", [f"{y:04d}-{m:02d}" if m else f"{y:04d}"
                               for y, m in zip(d["year"], d["month"], strict=True)])
        return d

    def concat(self, other: SeriesTable) -> SeriesTable:
        """Both tables together; a key present in both is an error (no silent override)."""
        both = pd.concat([self.data, other.data], ignore_index=True)
        key = ["entity", "indicator", "sector", "fuel", "year", "month"]
        dup = both.duplicated(key, keep=False)
        if dup.any():
            r = both[dup].iloc[0]
            raise InputError(Problem(file=str(r["file"]), row=None if pd.isna(r["row"])
                                     else int(r["row"]), message=Msg("msg.mon_value_twice"),
                                     value=tuple(r[key].tolist())))
        return SeriesTable(both, self.warnings + other.warnings)


def derive_annual(months: pd.DataFrame, year: int, rule: str) -> tuple[float, str]:
    """Annual value of one year from its monthly rows (value, valid_days) by ``rule``."""
    if rule == "not_derivable":
        return float("nan"), "not estimated: annual value cannot be derived from months"
    have = months.dropna(subset=["value"])
    got = sorted(set(have["month"].astype(int)))
    if len(got) < 12:
        miss = sorted(set(range(1, 13)) - set(got))
        return float("nan"), f"not estimated: month(s) {miss} missing"
    v = have["value"].to_numpy(float)
    if rule == "sum":
        return float(v.sum()), "from 12 months"
    if rule == "day_weighted_mean":
        days = np.array([calendar.monthrange(year, int(m))[1] for m in have["month"]], float)
        w = have["valid_days"].to_numpy(float)
        w = np.where(np.isfinite(w), w, days)
        return float((v * w).sum() / w.sum()), "from 12 months (weighted by valid days)"
    raise MonitoringError(Msg("msg.mon_unknown_rule", rule=repr(rule)))


def validate_series(raw: pd.DataFrame, file: str = "<series>", sheet: str | None = None,
                    known_entities: set[str] | None = None) -> SeriesTable:
    """Check an uploaded table (every cell as text, ``_row`` = user's row numbers) and return
    the series in reference units; raise one :class:`InputError` listing every problem."""
    raw = raw.rename(columns=canonical_headers(raw.columns))
    if ROW not in raw.columns:
        raw = raw.assign(**{ROW: np.arange(len(raw)) + 2})
    df, problems = coerce(raw, SERIES_SPEC, file, sheet)
    # unknown columns are errors here (a mistyped "value" column must not be ignored)
    problems = [Problem(**{**p.to_dict(), "severity": "error", "message": p.message})
                if p.severity == "warning" and getattr(p.message, "key", None)
                == "msg.unknown_column" else p
                for p in problems]
    cat = indicators()
    out_rows = []
    seen: dict[tuple, int] = {}
    errors = [p for p in problems if p.severity == "error"]
    if any(p.message.startswith("required column") for p in errors):
        raise InputError(errors)
    for i in range(len(df)):
        r = df.iloc[i]
        row = int(r[ROW])
        ok = True

        def bad(col, msg, value=None, expected=None, _row=row):
            problems.append(Problem(file=file, sheet=sheet, row=_row, column=col, message=msg,
                                    value=value, expected=expected))

        ind = r["indicator"]
        if pd.isna(ind):
            continue  # reported by coerce
        if ind not in cat.index:
            alias = {str(z): c for c, z in cat["name_zh"].items()}
            if ind in alias:
                ind = alias[ind]
            else:
                bad("indicator", "unknown indicator", ind, ", ".join(cat.index))
                continue
        ref = cat.at[ind, "reference_unit"]
        per = parse_period(r["period"]) if pd.notna(r["period"]) else None
        if pd.notna(r["period"]) and per is None:
            bad("period", "not a month or a year", r["period"], "YYYY-MM or YYYY, e.g. 2024-03")
            ok = False
        unit = r["unit"]
        f = np.nan
        if pd.notna(unit):
            if convertible(str(unit), ref):
                f = factor(str(unit), ref)
            else:
                bad("unit", f"unit cannot be converted to {ref} (indicator {ind})", unit,
                    f"a unit of the same dimension as {ref}")
                ok = False
        v = r["value"]
        if pd.notna(v) and cat.at[ind, "kind"] in ("flow", "concentration", "percentile") \
                and v < 0:
            bad("value", "negative value", v, "a value >= 0")
            ok = False
        if ind == "good_day_ratio" and pd.notna(v) and np.isfinite(f) and not 0 <= v * f <= 100:
            bad("value", "share of good days outside 0-100 %", v, "0..100 percent")
            ok = False
        if per is not None and per[1] == 0 and pd.notna(r["valid_days"]):
            bad("valid_days", "valid days are given for monthly values only", r["valid_days"])
            ok = False
        if known_entities is not None and pd.notna(r["entity"]) \
                and r["entity"] not in known_entities:
            bad("entity", "unknown unit (not in regions.csv nor a station)", r["entity"])
            ok = False
        if not ok or per is None or pd.isna(r["entity"]) or pd.isna(unit) or pd.isna(r["source"]):
            continue
        key = (r["entity"], ind, r["sector"] if pd.notna(r["sector"]) else "",
               r["fuel"] if pd.notna(r["fuel"]) else "", per)
        if key in seen:
            bad("period", f"duplicate of row {seen[key]}", r["period"],
                "one value per entity, indicator, sector, fuel and period")
            continue
        seen[key] = row
        out_rows.append((key[0], ind, key[2], key[3], per[0], per[1],
                         v * f if pd.notna(v) else np.nan, ref, v, unit, r["valid_days"],
                         r["source"], file, row))
    errs = [p for p in problems if p.severity == "error"]
    if errs:
        raise InputError(errs)
    data = pd.DataFrame(out_rows, columns=COLUMNS)
    data["year"] = data["year"].astype(int)
    data["month"] = data["month"].astype(int)
    return SeriesTable(data, [p for p in problems if p.severity != "error"])


def from_frame(df: pd.DataFrame, file: str = "<frame>") -> SeriesTable:
    """Validate an in-memory frame with the template's columns (values as numbers or text)."""
    raw = df.copy()
    for c in raw.columns:
        raw[c] = raw[c].map(lambda x: "" if x is None or (isinstance(x, float) and np.isnan(x))
                            else str(x))
    raw = raw.replace("", np.nan)
    return validate_series(raw, file=file)


def template_frame() -> pd.DataFrame:
    """An example upload (bilingual: English header; Chinese headers are accepted too)."""
    return pd.DataFrame([
        ["demo_city", "electricity", "", "", "2024-01", 1.52e6, "MWh", "grid company, monthly"],
        ["demo_city", "CO2", "", "", "2023", 2.9e7, "t", "annual inventory 2023"],
        ["station_01", "pm25_conc", "", "", "2024-01", 78, "ug/m**3", "national station"],
    ], columns=["entity", "indicator", "sector", "fuel", "period", "value", "unit", "source"])
