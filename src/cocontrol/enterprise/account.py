"""Enterprise carbon–pollution account (企业碳污一体化账户).

From the integrated inventory, the account of one enterprise holds:

* annual emissions of every species of its own sources (scope 1, and scope-2 CO2 of purchased
  energy apart), exactly the inventory's lines of that enterprise;
* monthly emissions from a monthly activity profile (production or energy by month), scaled so
  that the months add up to the annual total exactly;
* intensities per product and per value added, numerator and denominator both converted:
  I = E / Q  (t/t, kg/t, t/MWh, t/1e4 yuan …);
* the comparison with a benchmark, r = I / I_benchmark, and the five-level carbon-efficiency
  grade of r (rules as data: ``data/enterprise/carbon_grades.yaml``);
* the comparison with peers (enterprises of the same sector): rank of the intensity per value
  added;
* the stored environmental performance grade (A–D) with its date and basis.

A species with no factor in the inventory is "not estimated" (NaN with the reason), never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from cocontrol.enterprise._common import Strict, benchmarks, bundled_yaml, convert_ratio
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq


class PerformanceGrade(Strict):
    """A stored environmental performance grade (环保绩效分级) of an enterprise."""

    enterprise_id: str
    grade: Literal["A", "B", "C", "D"]
    date: dt.date
    basis: str = Field(min_length=3)
    assessed_by: str = ""


@dataclass(frozen=True)
class GradeRule:
    level: int
    max_ratio: float | None
    colour: str
    label_en: str
    label_zh: str


def grade_rules(rules: dict | None = None) -> list[GradeRule]:
    """The carbon-efficiency grade rules (bundled by default), checked: levels 1..n with
    increasing bounds and an open last level."""
    raw = rules if rules is not None else bundled_yaml("carbon_grades.yaml")
    levels = raw.get("levels") if isinstance(raw, dict) else None
    if not levels:
        raise InputError(Problem(file="carbon_grades.yaml", column="levels",
                                 message=Msg("msg.ent_no_grade_levels"),
                                 expected=Msg("exp.ent_grade_levels")))
    out = [GradeRule(int(lv["level"]), None if lv.get("max_ratio") is None
                     else float(lv["max_ratio"]), str(lv["colour"]), str(lv["label_en"]),
                     str(lv["label_zh"])) for lv in levels]
    bounds = [r.max_ratio for r in out[:-1]]
    if (any(b is None for b in bounds) or out[-1].max_ratio is not None
            or bounds != sorted(bounds) or len(set(bounds)) != len(bounds)):
        raise InputError(Problem(file="carbon_grades.yaml", column="levels.max_ratio",
                                 value=[r.max_ratio for r in out],
                                 message=Msg("msg.ent_grade_bounds"),
                                 expected=Msg("exp.ent_grade_bounds")))
    return out


def carbon_grade(ratio: float, rules: list[GradeRule] | None = None) -> GradeRule:
    """Grade of r = intensity / benchmark; a ratio exactly on a bound takes the better level."""
    if ratio is None or not np.isfinite(ratio) or ratio < 0:
        raise InputError(Problem(file="<carbon grade>", value=ratio,
                                 message=Msg("msg.ent_no_ratio"),
                                 expected=Msg("exp.ent_ratio")))
    rules = rules or grade_rules()
    for r in rules:
        if r.max_ratio is None or ratio <= r.max_ratio:
            return r
    raise AssertionError("unreachable: the last level is open")


@dataclass
class EnterpriseAccount:
    enterprise_id: str
    name: str
    sector: str
    annual: pd.DataFrame  # species, year, scope, value, unit, status
    monthly: pd.DataFrame | None = None  # species, month, value, unit
    intensities: pd.DataFrame | None = None  # year, species, denominator, value, unit
    benchmark: pd.DataFrame | None = None  # year, intensity, benchmark, ratio, level, colour
    peers: pd.DataFrame | None = None
    performance: PerformanceGrade | None = None
    lines: int = 0
    notes: list[str] = field(default_factory=list)

    def total(self, species: str, year: int, scope: int = 1) -> float:
        a = self.annual
        v = a[(a["species"] == species) & (a["year"] == year) & (a["scope"] == scope)]
        if v.empty:
            raise InputError(Problem(file="<account>", column="species", value=species,
                                     message=Msg("msg.ent_not_in_account", year=year),
                                     expected=Msg("exp.ent_one_of",
                                                  items=Seq(sorted(a["species"].unique()),
                                                            quote=True))))
        return float(v["value"].iloc[0])

    def to_dict(self) -> dict:
        def rec(df):
            return None if df is None else df.replace({np.nan: None}).to_dict("records")
        return {"enterprise_id": self.enterprise_id, "name": self.name, "sector": self.sector,
                "annual": rec(self.annual), "monthly": rec(self.monthly),
                "intensities": rec(self.intensities), "benchmark": rec(self.benchmark),
                "peers": rec(self.peers), "lines": self.lines, "notes": list(self.notes),
                "performance": None if self.performance is None
                else self.performance.model_dump(mode="json")}


def _check_enterprise(inventory, enterprise_id: str) -> np.ndarray:
    if "enterprise" not in inventory.lines:
        raise InputError(Problem(file="regions.csv", column="level",
                                 message=Msg("msg.ent_no_enterprise_level"),
                                 expected=Msg("exp.ent_enterprise_regions")))
    mask = (inventory.lines["enterprise"] == enterprise_id).to_numpy()
    if not mask.any():
        known = sorted(set(inventory.lines["enterprise"]) - {"(none)"})
        raise InputError(Problem(file="regions.csv", column="region_id", value=enterprise_id,
                                 message=Msg("msg.ent_no_lines"),
                                 expected=Seq(known[:20], quote=True)))
    return mask


def _annual(inventory, enterprise_id: str) -> pd.DataFrame:
    frames = []
    for scope in (1, 2):
        a = inventory.aggregate(["enterprise"], scope=scope, unit="t")
        a = a[a["enterprise"] == enterprise_id].drop(columns="enterprise")
        if scope == 2:
            a = a[a["species"] == "CO2"]
        frames.append(a.assign(scope=scope))
    out = pd.concat(frames, ignore_index=True)
    missing = _not_estimated(inventory, enterprise_id)
    out["status"] = np.where(out["species"].isin(missing), "not estimated", "estimated")
    out.loc[out["status"] == "not estimated", "value"] = np.nan
    out["reason"] = out["species"].map(missing)
    return out[["species", "year", "scope", "value", "unit", "status", "reason"]]


def _not_estimated(inventory, enterprise_id: str) -> dict[str, str]:
    """Species with no factor on any line of the enterprise: {species: reason}."""
    mask = _check_enterprise(inventory, enterprise_id) & (
        inventory.lines["scope"].to_numpy() == 1)
    ef = inventory.ef[mask]
    out = {}
    for j, s in enumerate(inventory.species):
        if np.isnan(ef[:, j]).all():
            out[s] = Msg("msg.ent_no_factor_any_source")
    return out


def _monthly(annual: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Months from a profile ``month (YYYY-MM), value`` (production or energy by month)."""
    need = {"month", "value"}
    if not need <= set(profile.columns):
        raise InputError(Problem(file="<monthly profile>", column=", ".join(sorted(need)),
                                 message=Msg("msg.ent_missing_columns"),
                                 expected=Seq(["month", "value"], quote=True)))
    p = profile.copy()
    try:
        p["period"] = pd.PeriodIndex(p["month"].astype(str), freq="M")
    except Exception as e:
        raise InputError(Problem(file="<monthly profile>", column="month",
                                 message=Msg("msg.ent_month_format"),
                                 expected=Msg("exp.ent_month_format"))) from e
    if (p["value"] < 0).any() or p["value"].isna().any():
        raise InputError(Problem(file="<monthly profile>", column="value",
                                 message=Msg("msg.ent_monthly_values")))
    p["year"] = p["period"].dt.year
    sums = p.groupby("year")["value"].transform("sum")
    if (sums <= 0).any():
        raise InputError(Problem(file="<monthly profile>", column="value",
                                 message=Msg("msg.ent_profile_zero")))
    p["share"] = p["value"] / sums
    a = annual[annual["scope"] == 1]
    years = sorted(set(a["year"]) & set(p["year"]))
    if not years:
        raise InputError(Problem(file="<monthly profile>", column="month",
                                 message=Msg("msg.ent_no_month_in_years"),
                                 expected=Seq(sorted(set(a["year"])))))
    m = p[p["year"].isin(years)].merge(a, on="year")
    m["value"] = m["value_y"] * m["share"]
    return m[["species", "month", "value", "unit", "status"]].sort_values(
        ["species", "month"]).reset_index(drop=True)


def _intensities(annual: pd.DataFrame, denominators: pd.DataFrame, unit: dict[str, str]
                 ) -> pd.DataFrame:
    """Intensity rows for every (year, denominator) and CO2/CO2e and each air pollutant."""
    rows = []
    a = annual[(annual["scope"] == 1)]
    for r in denominators.itertuples(index=False):
        q = float(r.value)
        if q <= 0:
            raise InputError(Problem(file="<production/value added>", column="value",
                                     value=q, message=Msg("msg.ent_denominator")))
        for s in a[a["year"] == r.year].itertuples(index=False):
            to = unit.get(r.item, f"t/{r.unit}")
            v = np.nan if np.isnan(s.value) else convert_ratio(
                s.value / q, f"t/{r.unit}", to, "intensity unit")
            rows.append({"year": r.year, "species": s.species, "denominator": r.item,
                         "value": v, "unit": to, "status": s.status})
    return pd.DataFrame(rows, columns=["year", "species", "denominator", "value", "unit",
                                       "status"])


def enterprise_account(inventory, enterprise_id: str, *, production: pd.DataFrame | None = None,
                       value_added: pd.DataFrame | None = None,
                       monthly_profile: pd.DataFrame | None = None,
                       benchmark: str | None = None, product: str | None = None,
                       peers_value_added: pd.DataFrame | None = None,
                       performance: PerformanceGrade | None = None,
                       intensity_units: dict[str, str] | None = None) -> EnterpriseAccount:
    """The carbon–pollution account of one enterprise.

    Parameters
    ----------
    inventory
        A computed :class:`~cocontrol.inventory.Inventory` (or a scenario run's inventory view).
    production
        ``year, product, value, unit`` output of the enterprise (e.g. MWh supplied, t clinker).
    value_added
        ``year, value, unit`` (e.g. unit ``1e4 yuan``).
    monthly_profile
        ``month, value``: production or energy by month; months add up to the annual total.
    benchmark, product
        Bundled benchmark id (``benchmarks.csv``) and the product of ``production`` it applies
        to: gives ratio r = I/I_b and the carbon-efficiency grade.
    peers_value_added
        ``enterprise_id, year, value, unit`` of other enterprises: peer ranking of CO2 per value
        added among enterprises of the same sector.
    intensity_units
        Output unit per denominator (a product or ``value_added``), e.g.
        ``{"electricity": "kg/kWh", "value_added": "t/1e4 yuan"}``; default t per the
        denominator's own unit.
    """
    mask = _check_enterprise(inventory, enterprise_id)
    lines = inventory.lines[mask]
    co2 = inventory.emissions[mask, inventory.species.index("CO2")].sum(axis=1) \
        if "CO2" in inventory.species else np.ones(mask.sum())
    sector = str(lines["sector"].iloc[int(np.nanargmax(np.nan_to_num(co2)))])
    name = enterprise_id
    if inventory.regions is not None:
        rg = inventory.regions.set_index("region_id")
        if enterprise_id in rg.index:
            name = str(rg.loc[enterprise_id, "name"])
    annual = _annual(inventory, enterprise_id)
    acc = EnterpriseAccount(enterprise_id, name, sector, annual, lines=int(mask.sum()),
                            performance=performance)
    if performance is not None and performance.enterprise_id != enterprise_id:
        raise InputError(Problem(file="<performance grade>", column="enterprise_id",
                                 value=performance.enterprise_id,
                                 message=Msg("msg.ent_grade_other"),
                                 expected=enterprise_id))
    if monthly_profile is not None:
        acc.monthly = _monthly(annual, monthly_profile)
    dens = []
    if production is not None and len(production):
        dens.append(production.assign(item=production["product"]))
    if value_added is not None and len(value_added):
        dens.append(value_added.assign(item="value_added"))
    if dens:
        acc.intensities = _intensities(annual, pd.concat(dens, ignore_index=True),
                                       intensity_units or {})
    if benchmark is not None:
        acc.benchmark = _benchmark_table(acc, benchmark, product)
    if peers_value_added is not None and value_added is not None:
        acc.peers = peer_ranking(inventory, sector, pd.concat(
            [peers_value_added, value_added.assign(enterprise_id=enterprise_id)],
            ignore_index=True))
    return acc


def _benchmark_table(acc: EnterpriseAccount, benchmark: str, product: str | None
                     ) -> pd.DataFrame:
    bm = benchmarks()
    if benchmark not in bm.index:
        raise InputError(Problem(file="<account>", column="benchmark", value=benchmark,
                                 message=Msg("msg.ent_unknown_benchmark"),
                                 expected=Seq(list(bm.index), quote=True)))
    b = bm.loc[benchmark]
    if b["kind"] != "carbon_intensity":
        raise InputError(Problem(file="<account>", column="benchmark", value=benchmark,
                                 message=Msg("msg.ent_not_carbon_benchmark")))
    it = acc.intensities
    if it is None or product is None or product not in set(it["denominator"]):
        raise InputError(Problem(file="<account>", column="product", value=product,
                                 message=Msg("msg.ent_benchmark_production"),
                                 expected=Msg("exp.ent_benchmark_production")))
    rows = []
    for r in it[(it["denominator"] == product) & (it["species"] == b["species"])].itertuples():
        i_b = convert_ratio(r.value, r.unit, b["unit"], "intensity unit")
        ratio = i_b / float(b["value"])
        g = carbon_grade(ratio)
        rows.append({"year": r.year, "intensity": i_b, "unit": b["unit"],
                     "benchmark": float(b["value"]), "benchmark_id": benchmark,
                     "ratio": ratio, "level": g.level, "colour": g.colour,
                     "label_en": g.label_en, "label_zh": g.label_zh,
                     "source": b["source"]})
    return pd.DataFrame(rows)


def peer_ranking(inventory, sector: str, value_added: pd.DataFrame) -> pd.DataFrame:
    """CO2 (scope 1) per value added of every enterprise of ``sector`` with value added given,
    ranked (1 = lowest intensity) with the percentile, per year."""
    a = inventory.aggregate(["enterprise", "sector"], species=["CO2"], co2e=False, unit="t")
    main = a.groupby(["enterprise", "sector"])["value"].sum().reset_index()
    main = main.sort_values("value").drop_duplicates("enterprise", keep="last")
    members = set(main.loc[main["sector"] == sector, "enterprise"])
    co2 = a.groupby(["enterprise", "year"], as_index=False)["value"].sum()
    va = value_added[value_added["enterprise_id"].isin(members)]
    rows = []
    for r in va.itertuples(index=False):
        e = co2[(co2["enterprise"] == r.enterprise_id) & (co2["year"] == r.year)]
        if e.empty:
            continue
        rows.append({"enterprise_id": r.enterprise_id, "year": r.year,
                     "co2_per_value_added": convert_ratio(float(e["value"].iloc[0])
                                                          / float(r.value), f"t/{r.unit}",
                                                          "t/wan_yuan", "value added unit"),
                     "unit": "t/1e4 yuan"})
    out = pd.DataFrame(rows, columns=["enterprise_id", "year", "co2_per_value_added", "unit"])
    out["rank"] = out.groupby("year")["co2_per_value_added"].rank(method="min").astype("Int64")
    out["n_peers"] = out.groupby("year")["enterprise_id"].transform("count")
    out["percentile"] = out.groupby("year")["co2_per_value_added"].rank(pct=True)
    return out.sort_values(["year", "rank"]).reset_index(drop=True)
