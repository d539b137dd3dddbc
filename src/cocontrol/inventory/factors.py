"""Emission-factor resolution: which factor serves every source line and species.

Look-up order for each (sector, fuel or process, species), first hit wins:

1. a user factor for this very source (``factors.source_id``),
2. a user factor for the sector, then for its parent sectors, then for ``*`` (any sector),
3. the bundled default (EMEP/EEA 2023 Tier 1, IPCC 2006) for the sector, its parents, ``*``,
4. for CO2 of a fuel: NCV × carbon content × 44/12 × oxidation (IPCC 2006 Vol.2 Eq. 2.1 with
   Table 1.2/1.3 defaults); for purchased electricity and heat: the grid/heat factor (scope 2).

With ``so2_method: sulfur_balance`` SO2 of a fuel with a known sulfur content is
``2 × S × (1 − ash retention)`` per t of fuel (64/32 = 2, stoichiometric) in place
of a *default* factor (a user factor still comes first).

A species is *applicable* to a fuel or process when some factor for that fuel or process
exists in any set; an applicable species with no factor for the source's sector is a missing
factor and an error — never a silent zero. Species with no factor anywhere for that fuel or
process are reported as "not applicable".

Every bundled factor says whether it describes unabated plants or plants that already have
typical abatement (``ef_air.csv`` columns ``basis`` and ``basis_note``; user factors are
uncontrolled by definition, see ``project/schema.py``). The default is the factor for plants as
they typically are; the unabated alternative (where one is bundled) is resolved as well, so that
the inventory engine can use it for a source with a declared control (never abating twice).

Missing is not zero: a species without a factor is *not estimated* (``multiplier`` NaN, with the
reason in ``not_estimated``) when the bundled data says so (tier ``NE``) or when it is a PM2.5
component (BC, OC) without a speciation fraction; it is *missing* (an error) when factors for
that fuel or process exist elsewhere; it is *not applicable* (0) only when no factor set gives
that species for the fuel or process at all.

Work is done once per unique (sector, fuel, process, unit) combination, so a national
inventory with millions of sources resolves a few thousand combinations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from cocontrol import refdata, units
from cocontrol.errors import Problem
from cocontrol.i18n import Msg

#: C -> CO2 as IPCC 2006 Vol.2 Ch.2 Eq. 2.1 and Table 1.4 state it: 44/12 (94.6 t CO2/TJ for
#: other bituminous coal from 25.8 kg C/GJ; 44.0095/12.011 would give 94.54, 0.07 % off).
C_TO_CO2 = 44 / 12
#: S -> SO2 by the stoichiometric ratio 64/32 = 2 (the "2 × S" of sulfur-balance formulas).
S_TO_SO2 = 64 / 32

KEYS = ["sector", "fuel", "process"]


@dataclass
class FactorTable:
    """Resolved factors per combination.

    ``multiplier[k, s]``: t of species s per unit of activity for combination k (NaN where not
    applicable). ``provenance``: tidy table (combo, species, method, value, unit, source).
    """

    combos: pd.DataFrame  # sector, fuel, process, unit, scope, biogenic
    species: tuple[str, ...]
    multiplier: np.ndarray
    provenance: pd.DataFrame
    missing: pd.DataFrame  # combo, species of applicable species without factor
    #: t per activity unit of the unabated factor (user or bundled basis "unabated"); NaN where
    #: none is known
    multiplier_unabated: np.ndarray | None = None
    #: True where the default factor is bundled and describes already-abated plants
    abated: np.ndarray | None = None
    #: combo, species, reason of species that are not estimated (never shown as 0)
    not_estimated: pd.DataFrame | None = None
    #: True where no factor set gives the species for the fuel or process (0 by definition)
    not_applicable: np.ndarray | None = None


def _parent_chain() -> dict[str, list[str]]:
    sec = refdata.table("sectors")
    parent = dict(zip(sec["code"], sec["parent"], strict=True))
    chains = {}
    for code in sec["code"]:
        chain, cur = [], code
        while isinstance(cur, str) and cur and cur in parent and len(chain) < 20:
            chain.append(cur)
            cur = parent[cur]
        chains[code] = chain
    return chains


def _split_unit(u: str) -> tuple[str, str]:
    num, den = u.split("/", 1)
    return num.strip(), den.strip()


@lru_cache(maxsize=65536)
def activity_per_denominator(act_unit: str, den_unit: str, fuel: str | None) -> float:
    """How many ``den_unit`` one ``act_unit`` of activity is, bridging mass/volume and energy
    with the fuel's net calorific value (IPCC 2006 Vol.2 Table 1.2)."""
    if units.dimension_ok(act_unit, den_unit):
        return units.factor(act_unit, den_unit)
    if not isinstance(fuel, str):
        raise units.UnitError(Msg("msg.inv_cannot_convert", a=repr(act_unit), b=repr(den_unit)))
    f = _fuel_row(fuel)
    ncv = float(f["ncv"])
    if not np.isfinite(ncv) or ncv <= 0:  # first: such a fuel has no NCV unit either
        raise units.UnitError(Msg("msg.inv_no_ncv", fuel=fuel, a=act_unit, b=den_unit))
    ncv_num, ncv_den = _split_unit(str(f["ncv_unit"]))
    if units.dimension_ok(act_unit, ncv_den) and units.dimension_ok(den_unit, ncv_num):
        return units.factor(act_unit, ncv_den) * ncv * units.factor(ncv_num, den_unit)
    if units.dimension_ok(act_unit, ncv_num) and units.dimension_ok(den_unit, ncv_den):
        return units.factor(act_unit, ncv_num) / ncv * units.factor(ncv_den, den_unit)
    raise units.UnitError(Msg("msg.inv_cannot_convert_fuel", a=repr(act_unit), fuel=fuel,
                              b=repr(den_unit)))


def _fuel_row(fuel: str) -> dict:
    """The bundled row of ``fuel`` (a copy: the cached row stays as bundled); an unknown code
    is a :class:`units.UnitError` naming it and the table, never a bare KeyError."""
    try:
        return dict(_fuel_row_cached(fuel))
    except KeyError:
        raise units.UnitError(Msg("msg.inv_unknown_fuel", fuel=repr(fuel))) from None


@lru_cache(maxsize=256)
def _fuel_row_cached(fuel: str) -> dict:
    return refdata.table("fuels").set_index("code").loc[fuel].to_dict()


def _to_t_per_activity(value: float, unit: str, act_unit: str, fuel) -> float:
    num, den = _split_unit(unit)
    return value * units.factor(num, "t") * activity_per_denominator(act_unit, den, fuel)


def _candidates(combos: pd.DataFrame, table: pd.DataFrame, set_name: str, chains,
                priority0: int) -> pd.DataFrame:
    """All factors of ``table`` that match each combo, with a priority (lower wins)."""
    rows = []
    t = table.copy()
    for col in ("fuel", "process"):
        t[col] = t[col].where(t[col].notna(), "")
    base = combos[["combo", "sector", "fuel", "process"]].copy()
    for col in ("fuel", "process"):
        base[col] = base[col].where(base[col].notna(), "")
    parts = []
    for depth in range(6):  # sector itself, its parents, then "*": one merge for all depths
        b = base.copy()
        b["match_sector"] = [c[depth] if depth < len(c) else None
                             for c in (chains.get(s, [s]) for s in b["sector"])]
        b = b[b["match_sector"].notna()]
        if b.empty:
            break
        b["_depth"] = depth
        parts.append(b)
    if parts:  # an inner merge keeps the left rows' order: depth by depth, as one per depth
        m = pd.concat(parts, ignore_index=True).merge(
            t, left_on=["match_sector", "fuel", "process"],
            right_on=["sector", "fuel", "process"], suffixes=("", "_f"))
        m["priority"] = priority0 + m.pop("_depth").to_numpy()
        rows.append(m)
    star = base.merge(t[t["sector"] == "*"], on=["fuel", "process"], suffixes=("", "_f"))
    star["priority"] = priority0 + 9
    rows.append(star)
    out = pd.concat(rows, ignore_index=True)
    out["set"] = set_name
    if "basis" not in out.columns:  # user factors: uncontrolled by definition (schema)
        out["basis"] = "unabated"
    return out[["combo", "species", "value", "unit", "source", "priority", "set", "basis"]]


#: PM2.5 components: without a speciation fraction they are "not estimated", never missing
SPECIATION = ("BC", "OC")


def bundled_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled factors split into the default table (one row per key: the abated factor
    where both an abated and an unabated one are bundled) and the unabated rows."""
    ef = refdata.table("ef_air")
    key = ["sector", "fuel", "process", "species"]
    k = ef[key].astype(object).where(ef[key].notna(), "")
    dup = k.duplicated(keep=False)
    alt = dup & (ef["basis"] == "unabated")
    return ef[~alt.to_numpy()], ef[(ef["basis"] == "unabated").to_numpy()]


def resolve(combos: pd.DataFrame, user_factors: pd.DataFrame, *, factor_sets=("user", "default"),
            so2_method: str = "factor", grid_factor: float, heat_factor: float,
            grid_source: str = "", heat_source: str = "",
            species: tuple[str, ...] | None = None) -> FactorTable:
    """Resolve factors for unique combinations (columns sector, fuel, process, unit).
    ``species``: default every species of the registry (:mod:`cocontrol.registry`)."""
    if species is None:
        species = refdata.SPECIES
    combos = combos.reset_index(drop=True).copy()
    combos["combo"] = np.arange(len(combos))
    chains = _parent_chain()
    fuels = refdata.table("fuels").set_index("code")
    kind = combos["fuel"].map(fuels["kind"]).fillna("process")
    combos["scope"] = np.where(kind.isin(["electricity", "heat"]), 2, 1)
    bio = combos["fuel"].map(fuels["biogenic"].astype(str).str.lower() == "true")
    combos["biogenic"] = bio.fillna(False).astype(bool)

    generic_user = user_factors[user_factors["source_id"].isna()] if len(user_factors) else \
        user_factors
    default_tab, unabated_tab = bundled_tables()
    best = _best(combos, generic_user, default_tab, factor_sets, chains, species)
    best_u = _best(combos, generic_user, unabated_tab, factor_sets, chains, species)

    extra = [_fuel_co2(combos, fuels, best), _scope2(combos, grid_factor, heat_factor,
                                                       grid_source, heat_source)]
    if so2_method == "sulfur_balance":
        extra.append(_sulfur_balance(combos, fuels, best))
    for e in extra:
        if len(e):
            e = e[e["species"].isin(species)]  # only the species asked (CO2 may not be)
            e = e.assign(basis="unabated")
            best = _override(best, e)
            best_u = _override(best_u, e)

    S = len(species)
    sidx = {s: i for i, s in enumerate(species)}
    best, mult, conv_problems = _to_multiplier(best, combos, sidx, S)
    best_u, mult_u, _ = _to_multiplier(best_u, combos, sidx, S)
    abated = np.zeros((len(combos), S), dtype=bool)
    ab = best[best["basis"] == "abated"]
    abated[ab["combo"].to_numpy(int), ab["species"].map(sidx).to_numpy(int)] = True

    # Applicable species: some factor exists for this fuel/process in any set or sector.
    applicable = _applicable(combos, user_factors, species)
    have = np.isfinite(mult)
    # explicitly not estimated in the bundled data (tier NE: the cited source gives none)
    ne = best[~np.isfinite(best["t_per_activity"].to_numpy()) & best["value"].isna()]
    known_ne = np.zeros_like(have)
    known_ne[ne["combo"].to_numpy(int), ne["species"].map(sidx).to_numpy(int)] = True
    reasons = [pd.DataFrame({"combo": ne["combo"].to_numpy(), "species": ne["species"].to_numpy(),
                             "reason": ne["source"].astype(str).to_numpy()})]
    # PM2.5 components without a speciation fraction: not estimated wherever PM2.5 applies
    if "PM2.5" in sidx:
        pm_app = applicable[:, sidx["PM2.5"]] | np.isfinite(mult[:, sidx["PM2.5"]])
        for sp in SPECIATION:
            if sp not in sidx:
                continue
            j = sidx[sp]
            gap = pm_app & ~have[:, j] & ~known_ne[:, j]
            applicable[:, j] |= pm_app
            known_ne[:, j] |= gap
            k = np.flatnonzero(gap)
            reasons.append(pd.DataFrame({
                "combo": k, "species": sp,
                "reason": [f"no {sp} fraction of PM2.5 bundled for "
                           f"{combos.at[i, 'sector']} × {_what(combos, i)} (a PM2.5 component: "
                           "not estimated, never 0)" for i in k]}))
    not_applicable = ~applicable & ~have & ~known_ne
    mult[not_applicable] = 0.0  # not applicable to this fuel/process in any factor set
    miss_k, miss_s = np.nonzero(applicable & ~have & ~known_ne)
    missing = pd.DataFrame({"combo": miss_k, "species": [species[j] for j in miss_s]})
    for k, msg in conv_problems:
        missing.loc[len(missing)] = [k, "unit: " + msg]
    not_est = pd.concat(reasons, ignore_index=True)
    if len(missing):  # a missing factor (strict=False) is not estimated as well
        mm = missing[~missing["species"].str.startswith("unit:")]
        not_est = pd.concat([not_est, mm.assign(reason=[
            f"missing factor: no {sp} factor for {combos.at[int(k), 'sector']} × "
            f"{_what(combos, int(k))}" for k, sp in zip(mm["combo"], mm["species"],
                                                       strict=True)])], ignore_index=True)
    prov = best[["combo", "species", "set", "method", "value", "unit", "source",
                 "t_per_activity", "basis"]].sort_values(["combo", "species"]) \
        .reset_index(drop=True)
    return FactorTable(combos=combos, species=tuple(species), multiplier=mult,
                       provenance=prov, missing=missing, multiplier_unabated=mult_u,
                       abated=abated, not_estimated=not_est.reset_index(drop=True),
                       not_applicable=not_applicable)


def _what(combos: pd.DataFrame, i: int) -> str:
    f = combos.at[i, "fuel"]
    return f if isinstance(f, str) else str(combos.at[i, "process"])


def _best(combos, generic_user, bundled, factor_sets, chains, species) -> pd.DataFrame:
    """The winning factor per (combo, species): user before bundled, specific sector first."""
    cands = []
    if "user" in factor_sets and len(generic_user):
        cands.append(_candidates(combos, generic_user, "user", chains, 0))
    if "default" in factor_sets:
        cands.append(_candidates(combos, bundled, "default", chains, 100))
    cand = pd.concat(cands, ignore_index=True) if cands else pd.DataFrame(
        columns=["combo", "species", "value", "unit", "source", "priority", "set", "basis"])
    cand = cand[cand["species"].isin(species)]
    best = cand.sort_values("priority", kind="stable").drop_duplicates(["combo", "species"])
    return best.assign(method=np.where(best["value"].isna(), "not_estimated", "factor"))


def _override(best: pd.DataFrame, e: pd.DataFrame) -> pd.DataFrame:
    keep = ~pd.MultiIndex.from_arrays([best["combo"], best["species"]]).isin(
        pd.MultiIndex.from_arrays([e["combo"], e["species"]]))
    return pd.concat([best[keep], e], ignore_index=True)


def _to_multiplier(best, combos, sidx, S):
    """Conversion to t per activity unit, once per (value unit, activity unit, fuel)."""
    mult = np.full((len(combos), S), np.nan)
    act_unit = combos["unit"].to_numpy(dtype=object)
    fuel_of = combos["fuel"].to_numpy(dtype=object)
    conv_problems = []
    val = best["value"].to_numpy(dtype=float)
    unit = best["unit"].to_numpy(dtype=object)
    k = best["combo"].to_numpy(dtype=np.int64)
    vals = np.full(len(best), np.nan)
    fin = np.isfinite(val)  # the others are not estimated
    direct = fin & (unit == "t/activity")
    vals[direct] = val[direct]
    # one conversion per (value unit, activity unit, fuel), applied to its rows at once
    rest = np.flatnonzero(fin & ~direct)
    conv: dict = {}
    num_f = np.full(len(rest), np.nan)
    den_f = np.full(len(rest), np.nan)
    for r, i in enumerate(rest):
        key = (unit[i], act_unit[k[i]], fuel_of[k[i]])
        if key not in conv:
            try:
                num, den = _split_unit(key[0])
                conv[key] = (units.factor(num, "t"),
                             activity_per_denominator(key[1], den, key[2]))
            except units.UnitError as e:
                conv[key] = str(e)
        c = conv[key]
        if isinstance(c, str):
            conv_problems.append((k[i], c))
        else:
            num_f[r], den_f[r] = c
    vals[rest] = val[rest] * num_f * den_f  # (value × to t) × per activity, as one by one
    best = best.assign(t_per_activity=vals)
    ok = np.isfinite(vals)
    mult[best["combo"].to_numpy()[ok], best["species"].map(sidx).to_numpy()[ok]] = vals[ok]
    return best, mult, conv_problems


def _applicable(combos, user_factors, species) -> np.ndarray:
    ef = refdata.table("ef_air")
    tabs = [ef[["fuel", "process", "species"]]]
    if len(user_factors):
        tabs.append(user_factors[["fuel", "process", "species"]])
    t = pd.concat(tabs, ignore_index=True)
    t["key"] = t["fuel"].fillna("") + "|" + t["process"].fillna("")
    keyset = set(zip(t["key"], t["species"], strict=True))
    ck = (combos["fuel"].fillna("") + "|" + combos["process"].fillna("")).to_numpy()
    out = np.zeros((len(combos), len(species)), dtype=bool)
    for j, s in enumerate(species):
        out[:, j] = [(k, s) in keyset for k in ck]
    # fuel CO2 always applies to fossil fuels; scope 2 carries CO2 only
    return out


def _rows_by_code(fuels: pd.DataFrame) -> dict:
    """The fuels table as {code: row dict} (one pass instead of a ``.loc`` per combination;
    an unknown code raises KeyError as ``.loc`` does)."""
    return fuels.to_dict("index")


def _fuel_co2(combos, fuels, best) -> pd.DataFrame:
    """CO2 of fuel combustion from NCV × carbon content × 44/12 × oxidation, where no user
    factor gives CO2 (IPCC 2006 Vol.2 Ch.2 Eq. 2.1; Ch.1 Tables 1.2, 1.3)."""
    user_co2 = set(best.loc[(best["species"] == "CO2") & (best["set"] == "user"), "combo"])
    rows = []
    of = _rows_by_code(fuels)
    for k, fuel in zip(combos["combo"], combos["fuel"], strict=True):
        if not isinstance(fuel, str) or k in user_co2:
            continue
        f = of[fuel]
        if f["kind"] in ("electricity", "heat") or not np.isfinite(float(f["carbon_content"])):
            continue
        cc, ox = float(f["carbon_content"]), float(f["oxidation"])
        biogenic = str(f["biogenic"]).lower() == "true"
        value = 0.0 if biogenic else cc * C_TO_CO2 * ox  # kg CO2/GJ
        src = (f"computed: carbon content {cc:g} kg C/GJ × 44/12 × oxidation {ox:g} "
               f"[{f['source']}]")
        if biogenic:
            src = "biogenic CO2: reported as memo item, not in totals (IPCC 2006 Vol.2 §1.4.1)"
        rows.append({"combo": k, "species": "CO2", "value": value, "unit": "kg/GJ",
                     "source": src, "priority": 50, "set": "default",
                     "method": "carbon_content" if not biogenic else "biogenic_memo"})
    return pd.DataFrame(rows)


def _scope2(combos, grid, heat, gsrc, hsrc) -> pd.DataFrame:
    rows = []
    for k, fuel, scope in zip(combos["combo"], combos["fuel"], combos["scope"], strict=True):
        if scope != 2:
            continue
        if fuel == "electricity":
            rows.append({"combo": k, "species": "CO2", "value": grid, "unit": "t/MWh",
                         "source": gsrc, "priority": 0, "set": "grid", "method": "scope2"})
        else:
            rows.append({"combo": k, "species": "CO2", "value": heat, "unit": "t/GJ",
                         "source": hsrc, "priority": 0, "set": "grid", "method": "scope2"})
    return pd.DataFrame(rows)


def _sulfur_balance(combos, fuels, best) -> pd.DataFrame:
    """Default SO2 by sulfur mass balance (per t of fuel) where a sulfur content is known."""
    user_so2 = set(best.loc[(best["species"] == "SO2") & (best["set"] == "user"), "combo"])
    rows = []
    of = _rows_by_code(fuels)
    for k, fuel in zip(combos["combo"], combos["fuel"], strict=True):
        if not isinstance(fuel, str) or k in user_so2:
            continue
        f = of[fuel]
        s, r = float(f["sulfur_content"]), float(f["so2_ash_retention"])
        if not (np.isfinite(s) and np.isfinite(r)):
            continue
        rows.append({"combo": k, "species": "SO2", "value": s / 100 * S_TO_SO2 * (1 - r),
                     "unit": "t/t", "priority": 40, "set": "default", "method": "sulfur_balance",
                     "source": f"sulfur balance: S {s:g} % × 64/32 × (1 − retention {r:g}) "
                               f"[{f['source']}]"})
    return pd.DataFrame(rows)


def missing_problems(ft: FactorTable, lines: pd.DataFrame, activity: pd.DataFrame
                     ) -> list[Problem]:
    """Turn missing factors into problems naming the activity rows concerned."""
    if ft.missing.empty:
        return []
    out = []
    file = activity.attrs.get("file", "activity")
    sheet = activity.attrs.get("sheet")
    for (k, sp), _ in ft.missing.groupby(["combo", "species"]):
        c = ft.combos.iloc[int(k)]
        sel = lines.index[lines["combo"] == k]
        rows = activity.loc[activity["_line"].isin(sel), "_row"].astype(int).tolist() if \
            "_line" in activity else []
        what = c["fuel"] if isinstance(c["fuel"], str) else c["process"]
        if sp.startswith("unit:"):
            out.append(Problem(file=file, sheet=sheet, row=rows[0] if rows else None,
                               column="unit", value=c["unit"],
                               message=Msg("msg.inv_unit_problem", detail=sp[6:]),
                               expected=Msg("msg.inv_unit_expected")))
            continue
        out.append(Problem(
            file=file, sheet=sheet, row=rows[0] if rows else None, column="sector",
            value=f"{c['sector']} × {what}",
            message=Msg("msg.inv_no_factor", sp=sp, sector=c["sector"], what=what, n=len(rows),
                        rows=", ".join(map(str, rows[:6])) + (" ..." if len(rows) > 6 else "")),
            expected=Msg("msg.inv_factor_row", sector=c["sector"], what=what, sp=sp,
                         kind="fuel" if isinstance(c["fuel"], str) else "process")))
    return out
