"""Checks of the input tables against each other and the bundled code lists.

Every check appends :class:`~cocontrol.errors.Problem` records naming file, sheet, row,
column, the value found and what was expected; nothing raises here.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from cocontrol import refdata, units
from cocontrol.errors import Problem
from cocontrol.i18n import Msg, Seq, did_you_mean
from cocontrol.io import ROW
from cocontrol.project import codes as codes_mod
from cocontrol.project.hierarchy import LEVELS, RANK
from cocontrol.project.models import Manifest


class _Checker:
    """Collects problems for one table with its file/sheet already filled in."""

    def __init__(self, df: pd.DataFrame, problems: list[Problem]):
        self.df = df
        self.file = df.attrs.get("file", "?")
        self.sheet = df.attrs.get("sheet")
        self.problems = problems

    def flag(self, mask, column: str, message: str, expected: str, severity: str = "error",
             limit: int = 500) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = self.df[ROW].to_numpy()
        vals = self.df[column].to_numpy(dtype=object) if column in self.df else [None] * len(mask)
        for i in np.flatnonzero(mask)[:limit]:
            v = vals[i]
            if isinstance(v, float) and np.isnan(v):
                v = None
            self.problems.append(Problem(file=self.file, sheet=self.sheet, row=int(rows[i]),
                                         column=column, value=v, message=message,
                                         expected=expected, severity=severity))

    def codes(self, column: str, allowed: set[str], what: str, allow_blank: bool = True,
              extra: tuple[str, ...] = ()) -> None:
        s = self.df[column]
        ok = s.isin(allowed | set(extra)) | (s.isna() if allow_blank else False)
        sample = Seq(sorted(allowed)[:12], quote=True)
        more = " ..." if len(allowed) > 12 else ""
        bad = ~ok.to_numpy()
        if not bad.any():
            return
        kind = {"control technology": "technology"}.get(what, what)
        rows = self.df[ROW].to_numpy()
        vals = s.to_numpy(dtype=object)
        near_of: dict = {}
        for i in np.flatnonzero(bad)[:500]:
            v = vals[i]
            if isinstance(v, float) and np.isnan(v):
                v = None
            if v is None:  # a required blank is reported when the table is read
                continue
            if v not in near_of:
                near_of[v] = codes_mod.nearest(v, allowed, kind=kind)
            near = near_of[v]
            msg = Msg("msg.unknown_code", kind=Msg(f"kind.{what}"), hint=did_you_mean(near))
            self.problems.append(Problem(
                file=self.file, sheet=self.sheet, row=int(rows[i]), column=column, value=v,
                message=msg, expected=Msg("exp.code_list", kind=Msg(f"kind.{what}"),
                                          sample=sample, more=more)))


def _check_regions(df: pd.DataFrame, problems: list[Problem]) -> None:
    ck = _Checker(df, problems)
    ck.flag(df["region_id"].duplicated(keep="first").to_numpy(), "region_id",
            Msg("msg.region_twice"), Msg("exp.region_once"))
    ck.codes("level", set(LEVELS), "level", allow_blank=False)
    ids = set(df["region_id"].dropna())
    has_parent = df["parent_id"].notna()
    ck.flag((has_parent & ~df["parent_id"].isin(ids)).to_numpy(), "parent_id",
            Msg("msg.parent_not_found"), Msg("exp.region_of_table"))
    roots = df[~has_parent]
    if len(roots) != 1:
        problems.append(Problem(file=ck.file, sheet=ck.sheet, column="parent_id",
                                message=Msg("msg.one_root", n=len(roots)),
                                expected=Msg("exp.one_root")))
    lvl = dict(zip(df["region_id"], df["level"], strict=False))
    bad_order = [
        (lvl.get(p) in RANK and lv in RANK and RANK[lvl[p]] >= RANK[lv])
        for p, lv in zip(df["parent_id"], df["level"], strict=True)
    ]
    ck.flag(np.array(bad_order, dtype=bool), "parent_id",
            Msg("msg.parent_level"), Msg("exp.level_order"))
    # cycles
    parent = dict(zip(df["region_id"], df["parent_id"], strict=False))
    for rid in df["region_id"].dropna():
        seen, cur = set(), rid
        while isinstance(cur, str) and cur in parent:
            if cur in seen:
                problems.append(Problem(file=ck.file, sheet=ck.sheet, column="parent_id",
                                        value=rid, message=Msg("msg.cycle"),
                                        expected=Msg("exp.tree")))
                break
            seen.add(cur)
            cur = parent[cur]
        else:
            continue
        break


def _check_activity(df: pd.DataFrame, m: Manifest, region_ids: set[str],
                    problems: list[Problem]) -> None:
    ck = _Checker(df, problems)
    ck.codes("sector", refdata.codes("sectors"), "sector", allow_blank=False)
    ck.codes("fuel", refdata.codes("fuels"), "fuel")
    ck.codes("process", refdata.codes("processes"), "process")
    both = df["fuel"].notna() & df["process"].notna()
    neither = df["fuel"].isna() & df["process"].isna()
    ck.flag(both.to_numpy(), "process", Msg("msg.fuel_and_process"),
            Msg("exp.fuel_or_process_not_both"))
    ck.flag(neither.to_numpy(), "fuel", Msg("msg.no_fuel_no_process"),
            Msg("exp.fuel_or_process"))
    ck.flag((df["value"] < 0).to_numpy(), "value", Msg("msg.negative_activity"),
            Msg("exp.not_negative"))
    ck.flag((df["region_id"].notna() & ~df["region_id"].isin(region_ids)).to_numpy(),
            "region_id", Msg("msg.region_not_found"), Msg("exp.region_of_regions"))
    ck.flag((df["year"].notna() & ~df["year"].isin(m.years)).to_numpy(), "year",
            Msg("msg.year_not_listed"), Msg("exp.one_of", items=str(m.years)))
    ck.flag(((df["sulfur_content"] < 0) | (df["sulfur_content"] > 10)).to_numpy(),
            "sulfur_content", Msg("msg.sulfur_range"), Msg("exp.percent_0_10"))
    ck.flag(((df["so2_ash_retention"] < 0) | (df["so2_ash_retention"] > 1)).to_numpy(),
            "so2_ash_retention", Msg("msg.ash_range"), Msg("exp.fraction"))
    _check_units(df, ck)
    key = ["source_id", "sector", "fuel", "process", "year"]
    dup = df.duplicated(subset=key, keep="first") & df[key[:2] + ["year"]].notna().all(axis=1)
    ck.flag(dup.to_numpy(), "source_id", Msg("msg.activity_twice"),
            Msg("exp.row_per_activity"))


UNKNOWN_UNIT = Msg("msg.unknown_unit")


def _unit_kind(unit: str) -> str | None:
    for kind, ref in (("mass", "t"), ("energy", "GJ"), ("volume", "Nm3"), ("count", "head"),
                      ("electricity", "MWh")):
        if units.dimension_ok(unit, ref):
            return "energy" if kind == "electricity" else kind
    return None


def _check_units(df: pd.DataFrame, ck: _Checker) -> None:
    fuels = refdata.table("fuels").set_index("code")
    procs = refdata.table("processes").set_index("code")
    combos = df[["fuel", "process", "unit"]].drop_duplicates()
    bad_pairs: dict[tuple, str] = {}
    for fuel, proc, unit in combos.itertuples(index=False):
        if not isinstance(unit, str):
            continue
        if not units.is_known(unit):
            bad_pairs[(fuel, proc, unit)] = UNKNOWN_UNIT
            continue
        if isinstance(fuel, str) and fuel in fuels.index:
            kind = fuels.at[fuel, "kind"]
            if kind == "electricity":
                ok = units.dimension_ok(unit, "MWh")
                exp = Msg("exp.electricity_unit")
            elif kind == "heat":
                ok = units.dimension_ok(unit, "GJ")
                exp = Msg("exp.heat_unit")
            else:
                ok = _unit_kind(unit) in ("mass", "energy", "volume")
                exp = Msg("exp.fuel_unit")
            if not ok:
                bad_pairs[(fuel, proc, unit)] = exp
        elif isinstance(proc, str) and proc in procs.index:
            ref = str(procs.at[proc, "activity_unit"])
            if not units.dimension_ok(unit, ref):
                bad_pairs[(fuel, proc, unit)] = Msg("exp.process_unit", unit=ref)
    if not bad_pairs:
        return
    keys = list(zip(df["fuel"], df["process"], df["unit"], strict=True))
    msgs = [bad_pairs.get(k) for k in keys]
    mask = np.array([m is not None for m in msgs])
    for exp in set(m for m in msgs if m):
        sub = mask & np.array([m == exp for m in msgs])
        if exp is UNKNOWN_UNIT:
            ck.flag(sub, "unit", Msg("msg.unknown_unit"), Msg("exp.units"))
        else:
            ck.flag(sub, "unit", Msg("msg.unit_not_suited"), exp)


def _check_controls(df: pd.DataFrame, activity: pd.DataFrame, m: Manifest,
                    problems: list[Problem]) -> None:
    ck = _Checker(df, problems)
    ck.codes("technology", refdata.codes("control_tech"), "control technology",
             allow_blank=False)
    ck.flag((df["source_id"].notna() & ~df["source_id"].isin(set(activity["source_id"])))
            .to_numpy(), "source_id", Msg("msg.source_not_found"), Msg("exp.source_of_activity"))
    ck.flag(((df["share"] < 0) | (df["share"] > 1)).to_numpy(), "share",
            Msg("msg.share_range"), Msg("exp.fraction"))
    ck.flag((df["year"].notna() & ~df["year"].isin(m.years)).to_numpy(), "year",
            Msg("msg.year_not_listed"), Msg("exp.one_of_or_blank", items=str(m.years)))
    ck.flag(df.duplicated(subset=["source_id", "technology", "year"]).to_numpy(), "technology",
            Msg("msg.technology_twice"), Msg("exp.row_per_technology"))
    # Σ share of the technologies abating one species on one source must not exceed 1:
    # the technologies are applied to parallel parts of the source's activity.
    rem = refdata.table("control_removal")[["technology", "species"]]
    d = df[df["technology"].isin(rem["technology"]) & df["share"].notna()]
    if d.empty:
        return
    years = pd.Series(m.years, name="y")
    d = d.assign(_k=1).merge(years.to_frame().assign(_k=1), on="_k").drop(columns="_k")
    d = d[d["year"].isna() | (d["year"] == d["y"])]
    # a year-specific row replaces the all-years row of the same source and technology
    d = d.assign(_all=d["year"].isna()).sort_values("_all", kind="stable").drop_duplicates(
        ["source_id", "technology", "y"])
    tot = d.merge(rem, on="technology").groupby(["source_id", "y", "species"])["share"].sum()
    over = tot[tot > 1 + 1e-9]
    if over.empty:
        return
    for (sid, y, sp), share in over.head(200).items():
        rows = df.loc[df["source_id"] == sid, ROW].astype(int).tolist()
        problems.append(Problem(
            file=ck.file, sheet=ck.sheet, row=rows[0] if rows else None, column="share",
            value=round(float(share), 4),
            message=Msg("msg.shares_over_one", species=sp, source=sid, year=int(y),
                        rows=Seq(map(str, rows[:8]))),
            expected=Msg("exp.shares_over_one")))


def _check_factors(df: pd.DataFrame, problems: list[Problem],
                   species: frozenset[str] | None = None) -> None:
    ck = _Checker(df, problems)
    ck.codes("sector", refdata.codes("sectors"), "sector", allow_blank=False, extra=("*",))
    ck.codes("fuel", refdata.codes("fuels"), "fuel")
    ck.codes("process", refdata.codes("processes"), "process")
    ck.codes("species", set(species or refdata.SPECIES), "species", allow_blank=False)
    ck.flag((df["value"] < 0).to_numpy(), "value", Msg("msg.negative_factor"),
            Msg("exp.not_negative"))
    both = df["fuel"].notna() == df["process"].notna()
    ck.flag(both.to_numpy(), "fuel", Msg("msg.factor_fuel_or_process"),
            Msg("exp.fuel_or_process"))
    bad = [not (isinstance(u, str) and "/" in u and units.is_known(u.split("/", 1)[0])
                and units.dimension_ok(u.split("/", 1)[0], "t"))
           for u in df["unit"]]
    ck.flag(np.array(bad, dtype=bool) & df["unit"].notna().to_numpy(), "unit",
            Msg("msg.factor_unit"), Msg("exp.factor_unit"))


def _check_measured(df: pd.DataFrame, activity: pd.DataFrame, m: Manifest,
                    problems: list[Problem], species: frozenset[str] | None = None) -> None:
    ck = _Checker(df, problems)
    ck.codes("species", set(species or refdata.SPECIES), "species", allow_blank=False)
    ck.flag((df["source_id"].notna() & ~df["source_id"].isin(set(activity["source_id"])))
            .to_numpy(), "source_id", Msg("msg.source_not_found"), Msg("exp.source_of_activity"))
    ck.flag((df["value"] < 0).to_numpy(), "value", Msg("msg.negative_emission"),
            Msg("exp.not_negative"))
    ck.flag((df["year"].notna() & ~df["year"].isin(m.years)).to_numpy(), "year",
            Msg("msg.year_not_listed"), Msg("exp.one_of", items=str(m.years)))
    bad = [isinstance(u, str) and not units.dimension_ok(u, "t") for u in df["unit"]]
    ck.flag(np.array(bad, dtype=bool), "unit", Msg("msg.not_mass_unit"), Msg("exp.t_kt_kg"))
    ck.flag(df.duplicated(subset=["source_id", "species", "year"]).to_numpy(), "source_id",
            Msg("msg.measured_twice"), Msg("exp.row_per_measured"))


def _check_region_stats(df: pd.DataFrame, region_ids: set[str], problems: list[Problem]
                        ) -> None:
    """region_stats.csv: a region of the regions table, a known indicator, a value > 0 in a
    unit convertible to the indicator's reference unit, one row per region, indicator, year."""
    from cocontrol.project.schema import REGION_INDICATORS

    ck = _Checker(df, problems)
    ck.flag((df["region_id"].notna() & ~df["region_id"].isin(region_ids)).to_numpy(),
            "region_id", Msg("msg.region_not_found"), Msg("exp.region_of_regions"))
    ck.flag((df["indicator"].notna() & ~df["indicator"].isin(set(REGION_INDICATORS)))
            .to_numpy(), "indicator", Msg("msg.region_stat_unknown"),
            Seq(sorted(REGION_INDICATORS), quote=True))
    ck.flag((df["value"].notna() & ~(df["value"] > 0)).to_numpy(), "value",
            Msg("msg.region_stat_not_positive"), Msg("exp.positive_value"))
    bad = [isinstance(u, str) and ind in REGION_INDICATORS
           and not units.dimension_ok(u, REGION_INDICATORS[ind])
           for u, ind in zip(df["unit"], df["indicator"], strict=True)]
    ck.flag(np.array(bad, dtype=bool), "unit", Msg("msg.region_stat_unit"),
            Msg("exp.currency_unit"))
    ck.flag(df.duplicated(subset=["region_id", "indicator", "year"]).to_numpy(), "year",
            Msg("msg.region_stat_twice"), Msg("exp.row_per_region_stat"))


_MEMO: dict = {}


def _memo(key: tuple, check, problems: list[Problem], *args) -> None:
    """Run ``check(*args, found)``, memoised when every frame of ``key`` carries the digest
    of the small file it was read from (re-validating the same files is then free)."""
    parts = []
    for k in key:
        if isinstance(k, pd.DataFrame):
            d = k.attrs.get("digest")
            if d is None:
                check(*args, problems)
                return
            parts.append(d)
        else:
            parts.append(k)
    parts = tuple(parts)
    hit = _MEMO.get(parts)
    if hit is None:
        hit = []
        check(*args, hit)
        if len(_MEMO) > 256:
            _MEMO.clear()
        _MEMO[parts] = hit
    problems += hit


def validate_tables(m: Manifest, t: dict[str, pd.DataFrame],
                    species: frozenset[str] | None = None) -> list[Problem]:
    """All structural problems of the tables (no factor look-ups); ``species``: the species
    codes of the project (default: the registered ones)."""
    problems: list[Problem] = []
    mk = m.model_dump_json()
    _memo(("regions", t["regions"]), _check_regions, problems, t["regions"])
    _memo(("activity", t["activity"], t["regions"], mk), _check_activity, problems,
          t["activity"], m, set(t["regions"]["region_id"].dropna()))
    _memo(("controls", t["controls"], t["activity"], mk), _check_controls, problems,
          t["controls"], t["activity"], m)
    _memo(("factors", t["factors"], species), partial(_check_factors, species=species),
          problems, t["factors"])
    _memo(("measured", t["measured"], t["activity"], mk, species),
          partial(_check_measured, species=species), problems, t["measured"], t["activity"], m)
    if t.get("region_stats") is not None:
        _memo(("region_stats", t["region_stats"], t["regions"]), _check_region_stats,
              problems, t["region_stats"], set(t["regions"]["region_id"].dropna()))
    if m.base_year not in m.years:
        problems.append(Problem(file="project.yaml", column="base_year", value=m.base_year,
                                message=Msg("msg.base_year"),
                                expected=Msg("exp.one_of", items=str(m.years))))
    return problems
