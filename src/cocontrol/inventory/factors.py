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

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

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


#: PM2.5 components: without a speciation fraction they are "not estimated", never missing
SPECIATION = ("BC", "OC")


def bundled_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled factors split into the default table (one row per key: the abated factor
    where both an abated and an unabated one are bundled) and the unabated rows."""
    ef = refdata.table("ef_air")
    keys = list(zip(*(_blank(ef[c]) for c in ("sector", "fuel", "process", "species")),
                    strict=True))
    seen = Counter(keys)
    unabated = (ef["basis"] == "unabated").to_numpy()
    alt = unabated & np.array([seen[k] > 1 for k in keys], dtype=bool)
    return ef[~alt], ef[unabated]


class _Indexed(NamedTuple):
    """A factor table with its row positions per (sector, fuel, process), in table order, and
    its species factorized (a code per row, -1 where missing; the distinct species)."""

    frame: pd.DataFrame
    rows_of: dict[tuple, list[int]]
    species_codes: np.ndarray
    species_values: list


def _indexed(table: pd.DataFrame) -> _Indexed:
    rows_of: dict[tuple, list[int]] = {}
    keys = zip(table["sector"].tolist(), _blank(table["fuel"]), _blank(table["process"]),
               strict=True)
    for i, key in enumerate(keys):
        rows_of.setdefault(key, []).append(i)
    codes, values = pd.factorize(table["species"])
    return _Indexed(table, rows_of, codes, list(values))


class _Bundled(NamedTuple):
    """What :func:`resolve` reads of the bundled tables, derived once (read only)."""

    default: _Indexed  # bundled_tables()
    unabated: _Indexed
    keys: frozenset  # ("fuel|process", species) of every bundled factor
    fuels: dict  # {code: row} of fuels.csv
    chains: dict  # sector: itself and its parents


@lru_cache(maxsize=4)
def _bundled(table) -> _Bundled:
    """The bundled tables as ``table`` (:func:`cocontrol.refdata.table`, read once per
    function: a test that patches it gets tables of its own)."""
    default, unabated = bundled_tables()
    return _Bundled(_indexed(default), _indexed(unabated),
                    frozenset(_factor_keys(refdata.table("ef_air"))),
                    _rows_by_code(refdata.table("fuels").set_index("code")), _parent_chain())


def _factor_keys(table: pd.DataFrame) -> set:
    """("fuel|process", species) of every factor of ``table``."""
    key = table["fuel"].fillna("") + "|" + table["process"].fillna("")
    return set(zip(key.tolist(), table["species"].tolist(), strict=True))


def resolve(combos: pd.DataFrame, user_factors: pd.DataFrame, *, factor_sets=("user", "default"),
            so2_method: str = "factor", grid_factor: float, heat_factor: float,
            grid_source: str = "", heat_source: str = "",
            species: tuple[str, ...] | None = None) -> FactorTable:
    """Resolve factors for unique combinations (columns sector, fuel, process, unit).
    ``species``: default every species of the registry (:mod:`cocontrol.registry`)."""
    if species is None:
        species = refdata.SPECIES
    bundled = _bundled(refdata.table)
    combos = _numbered(combos, bundled.fuels)
    S = len(species)
    sidx = {s: i for i, s in enumerate(species)}
    generic_user = user_factors[user_factors["source_id"].isna()] if len(user_factors) else \
        user_factors
    user = _indexed(generic_user) if "user" in factor_sets and len(generic_user) else None
    sets = _sets(factor_sets, user, bundled.default)
    sets_u = _sets(factor_sets, user, bundled.unabated)
    ranked = _rank(combos, sets, bundled.chains, sidx, S)
    ranked_u = _rank(combos, sets_u, bundled.chains, sidx, S)

    extra = [_fuel_co2(combos, bundled.fuels, _user_combos(sets, ranked, "CO2", sidx)),
             _scope2(combos, grid_factor, heat_factor, grid_source, heat_source)]
    if so2_method == "sulfur_balance":
        extra.append(_sulfur_balance(combos, bundled.fuels,
                                     _user_combos(sets, ranked, "SO2", sidx)))
    # only the species asked (CO2 may not be); computed factors are unabated
    extras = [e[e["species"].isin(species)].assign(basis="unabated") for e in extra if len(e)]
    cover, kept = _replaced(extras, len(combos), sidx, S)
    best = _winner_rows(sets, ranked, ~cover[ranked.combo, ranked.column])
    if extras:  # a computed factor replaces the one looked up; a later one an earlier one
        best = pd.concat([best, *(e[m] for e, m in zip(extras, kept, strict=True))],
                         ignore_index=True)

    best, mult, conv_problems = _to_multiplier(best, combos, sidx, S)
    mult_u = _unabated_multiplier(sets_u, ranked_u, ~cover[ranked_u.combo, ranked_u.column],
                                  extras, kept, combos, sidx, S)
    cols = np.array(_columns(best["species"], sidx), dtype=np.intp)
    combo_of = best["combo"].to_numpy(int)
    abated = np.zeros((len(combos), S), dtype=bool)
    ab = np.array([isinstance(b, str) and b == "abated" for b in best["basis"].tolist()],
                  dtype=bool)
    abated[combo_of[ab], cols[ab]] = True

    # Applicable species: some factor exists for this fuel/process in any set or sector.
    applicable = _applicable(combos, user_factors, species, bundled.keys)
    have = np.isfinite(mult)
    # explicitly not estimated in the bundled data (tier NE: the cited source gives none)
    ne = ~np.isfinite(best["t_per_activity"].to_numpy()) & best["value"].isna().to_numpy()
    known_ne = np.zeros_like(have)
    known_ne[combo_of[ne], cols[ne]] = True
    reasons = [pd.DataFrame({"combo": best["combo"].to_numpy()[ne],
                             "species": best["species"].to_numpy()[ne],
                             "reason": best["source"][ne].astype(str).to_numpy()})]
    sector, what = combos["sector"].tolist(), _what(combos)
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
                           f"{sector[i]} × {what[i]} (a PM2.5 component: "
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
            f"missing factor: no {sp} factor for {sector[int(k)]} × "
            f"{what[int(k)]}" for k, sp in zip(mm["combo"], mm["species"],
                                               strict=True)])], ignore_index=True)
    prov = best[["combo", "species", "set", "method", "value", "unit", "source",
                 "t_per_activity", "basis"]].take(_by_combo_species(best)) \
        .reset_index(drop=True)
    return FactorTable(combos=combos, species=tuple(species), multiplier=mult,
                       provenance=prov, missing=missing, multiplier_unabated=mult_u,
                       abated=abated, not_estimated=not_est.reset_index(drop=True),
                       not_applicable=not_applicable)


def _numbered(combos: pd.DataFrame, fuels: dict) -> pd.DataFrame:
    """``combos`` numbered (``combo``), with the scope (2: purchased electricity or heat, else
    1) and whether the fuel is biogenic (``fuels``: the bundled fuels by code)."""
    combos = combos.reset_index(drop=True).copy()
    combos["combo"] = np.arange(len(combos))
    rows = [fuels.get(f) for f in combos["fuel"].tolist()]
    combos["scope"] = np.where([r is not None and r["kind"] in ("electricity", "heat")
                                for r in rows], 2, 1)
    combos["biogenic"] = np.array([r is not None and str(r["biogenic"]).lower() == "true"
                                   for r in rows], dtype=bool)
    return combos


def _what(combos: pd.DataFrame) -> list[str]:
    """Per combo its fuel, else its process: what its factors are for (in messages)."""
    return [f if isinstance(f, str) else str(p)
            for f, p in zip(combos["fuel"].tolist(), combos["process"].tolist(), strict=True)]


def _columns(col: pd.Series, sidx: dict) -> list[int]:
    """The column of every species of ``col`` (each one asked for: a KeyError if not)."""
    return [sidx[s] for s in col.tolist()]


def _by_combo_species(best: pd.DataFrame) -> np.ndarray:
    """The row order of ``best`` by combo, then species (each pair once: one order only)."""
    sp = best["species"].tolist()
    rank = {s: i for i, s in enumerate(sorted(set(sp)))}
    return np.lexsort((np.array([rank[s] for s in sp], dtype=np.int64),
                       best["combo"].to_numpy(dtype=np.int64)))


def _blank(col: pd.Series) -> list:
    """The values of ``col``, a missing one as "" (a missing fuel or process matches "")."""
    values = col.to_numpy(dtype=object)  # may be the column's own array: not written to
    return np.where(pd.isna(values), "", values).tolist()


def _sets(factor_sets, user: _Indexed | None, bundled: _Indexed
          ) -> list[tuple[_Indexed, str, int]]:
    """The factor sets asked for, first the one that wins, with their first priority."""
    out = []
    if "user" in factor_sets and user is not None:
        out.append((user, "user", 0))
    if "default" in factor_sets:
        out.append((bundled, "default", 100))
    return out


def _candidates(combos: pd.DataFrame, rows_of: dict, chains,
                priority0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(combo, table row, priority) of every factor (``rows_of``: a table's rows per key) that
    matches a combo, lower priority first: the sector itself (priority0), its parents (+1 a
    level, at most 6 levels), then "*" (+9); within a level combos in order, a combo's rows
    in table order."""
    fuel_process = list(zip(_blank(combos["fuel"]), _blank(combos["process"]), strict=True))
    sectors = [chains[s] if s in chains else [s] if pd.notna(s) else []  # no sector: "*" only
               for s in combos["sector"].tolist()]
    ks: list[int] = []
    rs: list[int] = []
    ps: list[int] = []
    for depth in range(6):
        level = [(k, c[depth]) for k, c in enumerate(sectors) if depth < len(c)]
        if not level:
            break
        for k, sector in level:
            rows = rows_of.get((sector, *fuel_process[k]), ())
            ks += [k] * len(rows)
            rs += rows
            ps += [priority0 + depth] * len(rows)
    for k, (fuel, process) in enumerate(fuel_process):
        rows = rows_of.get(("*", fuel, process), ())
        ks += [k] * len(rows)
        rs += rows
        ps += [priority0 + 9] * len(rows)
    combo = combos["combo"].to_numpy()[np.asarray(ks, dtype=np.intp)]
    return combo, np.asarray(rs, dtype=np.intp), np.asarray(ps, dtype=np.int64)


class _Ranked(NamedTuple):
    """The winner of every (combo, species) asked for: its set (position in the sets), combo,
    table row, priority and species column, in the order of a stable sort by priority;
    ``index``: their positions among all candidates of the sets, one after the other."""

    set_no: np.ndarray
    combo: np.ndarray
    row: np.ndarray
    priority: np.ndarray
    column: np.ndarray
    index: pd.Index


def _rank(combos: pd.DataFrame, sets: list, chains, sidx: dict, S: int) -> _Ranked:
    """Candidates of every set ranked as numbers: stable by priority, the first of a (combo,
    species) wins (a species not asked for is no candidate)."""
    parts = [_candidates(combos, t.rows_of, chains, p0) for t, _, p0 in sets]
    combo = np.concatenate([combos["combo"].to_numpy()[:0], *(p[0] for p in parts)])
    row = np.concatenate([np.zeros(0, np.intp), *(p[1] for p in parts)])
    prio = np.concatenate([np.zeros(0, np.int64), *(p[2] for p in parts)])
    column = np.concatenate([np.zeros(0, np.int64), *(
        _species_columns(t, sidx)[p[1]] for (t, _, _), p in zip(sets, parts, strict=True))])
    set_no = np.repeat(np.arange(len(parts)), [len(p[0]) for p in parts])
    asked = np.flatnonzero(column >= 0)
    by_prio = np.argsort(prio[asked], kind="stable")
    ranked = asked[by_prio]
    first = np.sort(np.unique(combo[ranked].astype(np.int64) * max(S, 1) + column[ranked],
                              return_index=True)[1])
    win = ranked[first]
    index = _take(_take(_take(pd.RangeIndex(len(combo)), asked), by_prio), first)
    return _Ranked(set_no[win], combo[win], row[win], prio[win], column[win], index)


def _take(index: pd.Index, positions: np.ndarray) -> pd.Index:
    """``index`` at ``positions`` as a frame's filter or sort gives it (unchanged when all)."""
    if len(positions) == len(index) and (positions == np.arange(len(index))).all():
        return index
    return index.take(positions)


def _species_columns(t: _Indexed, sidx: dict) -> np.ndarray:
    """The column (``sidx``) of the species of every row of ``t``, -1 if not asked for."""
    lut = np.array([sidx.get(s, -1) for s in t.species_values] + [-1], dtype=np.int64)
    return lut[t.species_codes]  # code -1 (no species): the last entry


def _user_combos(sets: list, ranked: _Ranked, sp: str, sidx: dict) -> set:
    """The combos whose factor for ``sp`` is a user factor."""
    if sp not in sidx or not sets or sets[0][1] != "user":
        return set()
    return set(ranked.combo[(ranked.set_no == 0) & (ranked.column == sidx[sp])].tolist())


#: columns of a set's candidates (then ``method``, :func:`_best`)
CANDIDATE_COLUMNS = ["combo", "species", "value", "unit", "source", "priority", "set", "basis"]


def _winners(table: pd.DataFrame, set_name: str, combo: np.ndarray, rows: np.ndarray,
             priority: np.ndarray) -> pd.DataFrame:
    """The rows ``rows`` of ``table`` as candidates of ``set_name`` (CANDIDATE_COLUMNS)."""
    col = {c: table[c].array.take(rows) for c in ("species", "value", "unit", "source")}
    basis = table["basis"].array.take(rows) if "basis" in table.columns else "unabated"
    return pd.DataFrame({"combo": combo, **col, "priority": priority, "set": set_name,
                         "basis": basis})  # user factors: uncontrolled by definition (schema)


def _winner_rows(sets: list, ranked: _Ranked, keep: np.ndarray | None = None) -> pd.DataFrame:
    """The winners (``keep``: those kept) as rows, in their ranking's order, with ``method``."""
    if not sets:  # e.g. factor_sets [user] without user factors: the computed factors only
        # typed as the sets' winners are: untyped (object) combos could index no array
        best = pd.DataFrame(columns=CANDIDATE_COLUMNS).astype(
            {"combo": np.int64, "value": float, "priority": np.int64})
        return best.assign(method=np.where(best["value"].isna(), "not_estimated", "factor"))
    sel = np.arange(len(ranked.combo)) if keep is None else np.flatnonzero(keep)
    frames = [_winners(t.frame, name, ranked.combo[w], ranked.row[w], ranked.priority[w])
              for n, (t, name, _) in enumerate(sets) for w in [sel[ranked.set_no[sel] == n]]]
    best = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if (np.diff(ranked.set_no[sel]) < 0).any():  # a set's winners after another's
        best = best.take(np.argsort(np.argsort(ranked.set_no[sel], kind="stable")))
    best.index = ranked.index if keep is None else ranked.index[sel]
    return best.assign(method=np.where(best["value"].isna(), "not_estimated", "factor"))


def _best(combos, generic_user, bundled, factor_sets, chains, species) -> pd.DataFrame:
    """The winning factor per (combo, species): user before bundled, specific sector first."""
    user = _indexed(generic_user) if "user" in factor_sets and len(generic_user) else None
    sets = _sets(factor_sets, user, _indexed(bundled) if "default" in factor_sets else None)
    sidx = {s: i for i, s in enumerate(species)}
    return _winner_rows(sets, _rank(combos, sets, chains, sidx, len(species)))


def _replaced(extras: list[pd.DataFrame], K: int, sidx: dict, S: int
              ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Which (combo, species) some computed factor gives (K × S), and per extra its rows that
    no later extra replaces."""
    cover = np.zeros((K, S), dtype=bool)
    kept = []
    for e in reversed(extras):
        k = e["combo"].to_numpy(dtype=np.intp)
        j = np.array(_columns(e["species"], sidx), dtype=np.intp)
        kept.append(~cover[k, j])
        cover[k, j] = True
    return cover, kept[::-1]


def _to_multiplier(best, combos, sidx, S):
    """Conversion to t per activity unit, once per (value unit, activity unit, fuel)."""
    vals, mult, conv_problems = _multiplier(
        best["value"].to_numpy(dtype=float), best["unit"].to_numpy(dtype=object),
        best["combo"].to_numpy(), np.array(_columns(best["species"], sidx), dtype=np.intp),
        combos, S)
    return best.assign(t_per_activity=vals), mult, conv_problems


def _unabated_multiplier(sets: list, ranked: _Ranked, keep: np.ndarray,
                         extras: list[pd.DataFrame], kept: list[np.ndarray],
                         combos: pd.DataFrame, sidx: dict, S: int) -> np.ndarray:
    """The multiplier of the unabated winners ``keep`` and the extras' rows ``kept``, rows in
    the order of a table of them (as :func:`_to_multiplier` converts it)."""
    value = np.full(len(ranked.combo), np.nan)
    unit = np.empty(len(ranked.combo), dtype=object)
    for n, (t, _, _) in enumerate(sets):
        m = ranked.set_no == n
        value[m] = t.frame["value"].to_numpy(dtype=float)[ranked.row[m]]
        unit[m] = t.frame["unit"].to_numpy(dtype=object)[ranked.row[m]]
    parts = [(value[keep], unit[keep], ranked.combo[keep], ranked.column[keep])]
    parts += [(e["value"].to_numpy(dtype=float)[m], e["unit"].to_numpy(dtype=object)[m],
               e["combo"].to_numpy(dtype=np.int64)[m],
               np.array(_columns(e["species"], sidx), dtype=np.intp)[m])
              for e, m in zip(extras, kept, strict=True)]
    return _multiplier(*(np.concatenate([p[i] for p in parts]) for i in range(4)),
                       combos, S)[1]


def _multiplier(value: np.ndarray, unit: np.ndarray, combo: np.ndarray, column: np.ndarray,
                combos: pd.DataFrame, S: int) -> tuple[np.ndarray, np.ndarray, list]:
    """t per activity unit of every factor row (NaN: not estimated), the multiplier (combos ×
    S) and the unit problems (combo, message)."""
    mult = np.full((len(combos), S), np.nan)
    act_unit = combos["unit"].to_numpy(dtype=object)
    fuel_of = combos["fuel"].to_numpy(dtype=object)
    k = combo.astype(np.int64)
    vals = np.full(len(value), np.nan)
    fin = np.isfinite(value)  # the others are not estimated
    direct = fin & (unit == "t/activity")
    vals[direct] = value[direct]
    # one conversion per (value unit, activity unit, fuel), applied to its rows at once
    rest = np.flatnonzero(fin & ~direct)
    keys = list(zip(unit[rest].tolist(), act_unit[k[rest]].tolist(), fuel_of[k[rest]].tolist(),
                    strict=True))
    conv = {key: _conversion(*key) for key in dict.fromkeys(keys)}  # in order of first use
    got = [conv[key] for key in keys]
    conv_problems = [(i, c) for i, c in zip(k[rest], got, strict=True) if isinstance(c, str)]
    num_f = np.array([np.nan if isinstance(c, str) else c[0] for c in got], dtype=float)
    den_f = np.array([np.nan if isinstance(c, str) else c[1] for c in got], dtype=float)
    vals[rest] = value[rest] * num_f * den_f  # (value × to t) × per activity, as one by one
    ok = np.isfinite(vals)
    mult[combo[ok], column[ok]] = vals[ok]
    return vals, mult, conv_problems


def _conversion(unit: str, act_unit: str, fuel) -> tuple[float, float] | str:
    """(to t, activity per denominator) of a factor in ``unit`` for activity in ``act_unit``,
    or the message of the unit error."""
    try:
        num, den = _split_unit(unit)
        return units.factor(num, "t"), activity_per_denominator(act_unit, den, fuel)
    except units.UnitError as e:
        return str(e)


def _applicable(combos, user_factors, species, bundled_keys: frozenset) -> np.ndarray:
    """Per combo and species: some factor exists for the fuel or process (bundled: the keys
    of :func:`_factor_keys`, or a user factor), in any set or sector."""
    keyset = bundled_keys | _factor_keys(user_factors) if len(user_factors) else bundled_keys
    ck = [f + "|" + p for f, p in zip(_blank(combos["fuel"]), _blank(combos["process"]),
                                      strict=True)]
    out = np.array([[(k, s) in keyset for s in species] for k in ck], dtype=bool)
    # fuel CO2 always applies to fossil fuels; scope 2 carries CO2 only
    return out.reshape(len(combos), len(species))  # (0 combos or species: the 2-D shape)


def _rows_by_code(fuels: pd.DataFrame) -> dict:
    """The fuels table as {code: row dict} (one pass instead of a ``.loc`` per combination;
    an unknown code raises KeyError as ``.loc`` does)."""
    cols = fuels.columns.tolist()
    rows = zip(*(fuels[c].tolist() for c in cols), strict=True)
    return {code: dict(zip(cols, row, strict=True))
            for code, row in zip(fuels.index.tolist(), rows, strict=True)}


def _fuel_co2(combos, of: dict, user_co2: set) -> pd.DataFrame:
    """CO2 of fuel combustion from NCV × carbon content × 44/12 × oxidation, where no user
    factor gives CO2 (IPCC 2006 Vol.2 Ch.2 Eq. 2.1; Ch.1 Tables 1.2, 1.3). ``of``: the fuels
    by code; ``user_co2``: the combos with a user CO2 factor."""
    rows = []
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


def _sulfur_balance(combos, of: dict, user_so2: set) -> pd.DataFrame:
    """Default SO2 by sulfur mass balance (per t of fuel) where a sulfur content is known.
    ``of``: the fuels by code; ``user_so2``: the combos with a user SO2 factor."""
    rows = []
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


def _rows_of(activity: pd.DataFrame, lines) -> list[int]:
    """The user's row numbers (``_row``) of the activity rows of ``lines``; a table not read
    from a file (no ``_row``, e.g. a project built in code) by the row a CSV of it would
    have (header 1, first row 2)."""
    if "_line" not in activity:
        return []
    if "_row" in activity:
        return activity.loc[activity["_line"].isin(lines), "_row"].astype(int).tolist()
    return (np.flatnonzero(activity["_line"].isin(lines).to_numpy()) + 2).tolist()


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
        rows = _rows_of(activity, sel)
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
