"""Scenario engine: projections plus measures, vectorised over source lines.

For every scenario year t (line n, species s):

    A[n,t] = A0[n] × growth[n,t]                      (drivers and elasticities)
    measures, in the order structural → energy → efficiency → end-of-pipe:
      reduce     A[n,t] ← A[n,t] × (1 − p_t·m)
      switch     moved = A[n,t]·p_t·m;  A[n,t] −= moved;  A[target,t] += moved × conv × ratio
      control    R[n,s,t] ← (1 − p_t)·R[n,s,t] + p_t·(1 − η_k,s)   for species the technology abates
                 + energy penalty (own fuel of the source, or electricity), + NH3 slip
      factor     F[n,s,t] ← F[n,s,t] × (1 − p_t·m)
    electricity  extra demand met locally (share α) raises local power plants' fuel use by
                 α·ΔD × heat rate; the rest stays as purchased electricity (scope 2)
      renewable  local power fuel use × (1 − p_t·m)
    E[n,s,t] = A[n,t] × EF[n,s] × F[n,s,t] × R[n,s,t]  (+ NH3 slip)

p_t is the penetration ramped linearly from 0 at the start year to its value at the full
year. Switching to electricity is therefore never emission-free: it adds local generation or
scope-2 purchases. Base-year emissions equal the inventory exactly (measured values included,
through a calibration factor per line and species).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import _buffers, refdata, units
from cocontrol._frame import factorize_columns
from cocontrol.errors import InputError, MissingFactorError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.inventory import Inventory, compute
from cocontrol.inventory import factors as fmod
from cocontrol.inventory.engine import _grid_value, add_line_attributes
from cocontrol.project.loader import Project, load_project
from cocontrol.provenance import Provenance
from cocontrol.results import Labelled, Result
from cocontrol.scenario import measures as mlib
from cocontrol.scenario import spec as sspec
from cocontrol.scenario.actions import handler
from cocontrol.scenario.drivers import growth_factors

try:  # multi-threaded single-pass products (optional)
    import numexpr as _ne
except ImportError:  # pragma: no cover - numpy fallback
    _ne = None

GJ_PER_MWH = 3.6
GJ_PER_TCE = 29.3076
ORDER = {c: i for i, c in enumerate(mlib.CATEGORIES)}
LINE_KEYS = ["source_id", "region_id", "sector", "fuel", "process", "unit"]


def _target_unit(fuel: str | None, process: str | None) -> str:
    if process:
        return str(refdata.table("processes").set_index("code").at[process, "activity_unit"])
    f = refdata.table("fuels").set_index("code").loc[fuel]
    if f["kind"] == "electricity":
        return "MWh"
    if f["kind"] == "heat":
        return "GJ"
    return str(f["ncv_unit"]).split("/")[1]


def _gj_per_unit(unit: str, fuel) -> float:
    if not isinstance(fuel, str):
        return np.nan
    try:
        return fmod.activity_per_denominator(unit, "GJ", fuel)
    except units.UnitError:
        return np.nan


@dataclass
class Base:
    """Everything scenario runs share, prepared once from a project."""

    project: Project
    inventory: Inventory
    settings: sspec.Settings
    scenarios: dict[str, sspec.Scenario]
    targets: list[dict]
    measures: pd.DataFrame
    lines: pd.DataFrame
    A0: np.ndarray  # (N,)
    ef: np.ndarray  # (N, S) calibrated to the base-year inventory
    R0: np.ndarray  # (N, S) base control factor
    growth: np.ndarray  # (N, T)
    gj: np.ndarray  # (N,) GJ per activity unit (NaN for processes)
    drivers: pd.DataFrame | None
    targets_of: dict = field(default_factory=dict)  # (measure id) -> (matched idx, target idx)
    penalty_of: dict = field(default_factory=dict)  # measure id -> (fuel idx, elec idx)
    notes: list[str] = field(default_factory=list)
    #: (N, S) species with a factor / species that apply to the line (see Inventory)
    estimated: np.ndarray | None = None
    applicable: np.ndarray | None = None
    #: (N, S) the factor in use already describes abated plants (a control measure on such a
    #: cell would abate twice: refused at prepare by the control handler)
    abated: np.ndarray | None = None

    @property
    def years(self) -> list[int]:
        return self.settings.years

    @property
    def species(self) -> tuple[str, ...]:
        return self.inventory.species

    @property
    def lib(self) -> pd.DataFrame:
        """The measures library indexed by id (cached)."""
        c = self.__dict__.get("_lib")
        if c is None:
            c = self.__dict__["_lib"] = self.measures.set_index("id")
        return c

    def selection(self, mid: str) -> np.ndarray:
        """Indices of the lines measure ``mid`` applies to (cached)."""
        cache = self.__dict__.setdefault("_sel", {})
        if mid not in cache:
            cache[mid] = np.flatnonzero(select(self.lines, _row(self.lib.loc[mid])))
        return cache[mid]


def select(lines: pd.DataFrame, m: pd.Series) -> np.ndarray:
    """Boolean mask of the lines a measure applies to (sector may be a parent sector)."""
    mask = np.ones(len(lines), bool)
    if m["sector"]:
        mask &= ((lines["sector"] == m["sector"]) | (lines["sector_parent"] == m["sector"])
                 ).to_numpy()
    for c in ("fuel", "process"):
        if m[c]:
            mask &= (lines[c] == m[c]).to_numpy()
    if not m["fuel"] or m["fuel"] not in ("electricity", "heat"):
        mask &= (lines["scope"] == 1).to_numpy()
    return mask


def prepare(project: Project | str | Path, scenario_set: sspec.ScenarioSet | None = None
            ) -> Base:
    """Load the project (if a path), compute the base inventory and build the line set
    extended with every target line any scenario's measures can move activity to."""
    if not isinstance(project, Project):  # convenience: a folder is read by the I/O layer
        project = load_project(project)
    m = project.manifest
    if scenario_set is None:
        scenario_set = sspec.from_project(project)
    lib = mlib.library(project.measures)
    used = {mid for sc in scenario_set.scenarios.values() for mid in sc.measures}
    unknown = sorted(used - set(lib["id"]))
    if unknown:
        raise InputError([Problem(file="scenarios.yaml", column="measures", value=u,
                                  message=M("msg.scn_measure_not_found_library"),
                                  expected=M("msg.scn_id_measures_csv_bundled"))
                          for u in unknown])
    inv = compute(project)
    bi = inv.years.index(m.base_year)
    lines = inv.lines.copy()
    for c in LINE_KEYS:
        lines[c] = lines[c].astype(object).where(lines[c].notna(), None)
    A0 = inv.activity[:, bi].copy()
    ef = np.nan_to_num(inv.ef).copy()
    R0 = np.ones_like(ef)
    if len(inv.ctrl_lines):
        R0[inv.ctrl_lines] = inv.ctrl_factor[:, :, bi]
    # calibration to measured emissions: E_inv = A0 × ef × R0 × K
    model = A0[:, None] * ef * R0
    E_inv = inv.emissions[:, :, bi]
    K = np.divide(E_inv, model, out=np.ones_like(model), where=model > 0)
    ef = ef * K

    mused = lib[lib["id"].isin(used)]
    new_rows = []
    for _, mm in mused.iterrows():  # lines each action may move activity to (its handler)
        mm = _row(mm)
        new_rows += handler(mm["action"]).new_lines(lines, mm, select)
    ef_new = np.empty((0, ef.shape[1]))
    if new_rows:
        cand = pd.DataFrame(new_rows).drop_duplicates()
        have = set(map(tuple, lines[LINE_KEYS].astype(object).itertuples(index=False)))
        cand = cand[[tuple(r) not in have for r in cand[LINE_KEYS].itertuples(index=False)]]
        if len(cand):
            ccodes, cuniq = factorize_columns(cand, ["sector", "fuel", "process", "unit"])
            cuniq = cuniq.astype(object).where(cuniq.notna(), None)
            grid, gsrc = _grid_value(m.grid_factor, "cn_national_2022")
            heat, hsrc = _grid_value(m.heat_factor, "cn_heat_default")
            ft = fmod.resolve(cuniq, project.factors, factor_sets=tuple(m.factor_sets),
                              so2_method=m.so2_method, grid_factor=grid, heat_factor=heat,
                              grid_source=gsrc, heat_source=hsrc, species=inv.species)
            if len(ft.missing):
                probs = [Problem(file="measures.csv", column="to_fuel",
                                 value=" × ".join(str(x) for x in ft.combos.iloc[int(k)][
                                     ["sector", "fuel", "process"]] if isinstance(x, str)),
                                 message=M("msg.scn_no_factor_line_measure", sp=sp),
                                 expected=M("msg.scn_factor_factors_csv_that"))
                         for k, sp in ft.missing.itertuples(index=False)]
                raise MissingFactorError(InputError(probs).args[0])
            ef_new = ft.multiplier[ccodes]
            est_new = np.isfinite(ef_new)
            app_new = ~ft.not_applicable[ccodes]
            abated_new = ft.abated[ccodes]
            ef_new = np.nan_to_num(ef_new)
            cand = cand.assign(scope=ft.combos["scope"].to_numpy()[ccodes],
                               biogenic=ft.combos["biogenic"].to_numpy()[ccodes])
            base_cols = [c for c in lines.columns if c in LINE_KEYS + ["scope", "biogenic"]]
            lines = pd.concat([lines[base_cols], cand[base_cols]], ignore_index=True)
    else:
        lines = lines[[c for c in lines.columns if c in LINE_KEYS + ["scope", "biogenic"]]]
    n_new = len(lines) - len(A0)
    A0 = np.concatenate([A0, np.zeros(n_new)])
    est, app = inv.estimated, inv.applicable
    abated = getattr(inv, "abated", np.zeros_like(est))
    if n_new:
        est, app = np.vstack([est, est_new]), np.vstack([app, app_new])
        abated = np.vstack([abated, abated_new])
    ef = np.vstack([ef, ef_new]) if n_new else ef
    R0 = np.vstack([R0, np.ones((n_new, R0.shape[1]))]) if n_new else R0
    add_line_attributes(lines, project.regions)
    for c in LINE_KEYS + ["sector_parent"]:
        lines[c] = lines[c].astype(object).where(lines[c].notna(), None)

    drivers = project.drivers
    elast = project.elasticities
    years = scenario_set.settings.years
    growth = growth_factors(lines["sector"], lines["sector_parent"], elast, drivers, years,
                            m.base_year)
    gj = np.array([_gj_per_unit(u, f) for u, f in zip(lines["unit"], lines["fuel"],
                                                       strict=True)])
    base = Base(project=project, inventory=inv, settings=scenario_set.settings,
                scenarios=scenario_set.scenarios, targets=scenario_set.targets, measures=lib,
                lines=lines, A0=A0, ef=ef, R0=R0, growth=growth, gj=gj, drivers=drivers,
                estimated=est, applicable=app)
    base.abated = abated
    _index_targets(base, mused)
    warm(base)
    return base


def warm(base: Base) -> None:
    """Fill the per-base caches every run uses (compiled measures, their line selections,
    cost-basis and price conversions per line, power and scope lines), so that the first
    run in a process costs what every later run costs."""
    used = {mid for sc in base.scenarios.values() for mid in sc.measures}
    for mid in sorted(used):
        pl = plan(base, mid)
        _lib_row(base, mid)
        if pl.action != "renewable":
            base.selection(mid)
        _per_line(base, f"basis:{pl.basis}",
                  lambda u, f, b=pl.basis: _to_basis(u, b or None, f))
    _per_line(base, "price", lambda u, f: _unit_price(f, u))  # NaN = no price: an error if used
    power_lines(base)
    _is_electricity(base)
    for scope in (1, 2, "all"):
        _scope_lines(base, scope)


def _is_electricity(base: Base) -> np.ndarray:
    """Boolean per line: an electricity line (cached)."""
    c = base.__dict__.get("_is_el")
    if c is None:
        c = base.__dict__["_is_el"] = (base.lines["fuel"].to_numpy() == "electricity")
    return c


def _key_index(lines: pd.DataFrame) -> dict:
    return {tuple(r): i for i, r in enumerate(lines[LINE_KEYS].astype(object)
                                               .itertuples(index=False))}


def _index_targets(base: Base, mused: pd.DataFrame) -> None:
    kidx = _key_index(base.lines)
    probs: list[Problem] = []
    for _, mm in mused.iterrows():
        mm = _row(mm)
        probs += handler(mm["action"]).prepare(base, mm, kidx) or []
    if probs:  # every measure's problems at once
        raise InputError(probs)


def _index_switch(base: Base, mm: pd.Series, kidx: dict) -> None:
    """Target lines and conversion factors of a switch measure."""
    lines = base.lines
    idx = np.flatnonzero(select(lines, mm))
    tu = _target_unit(mm["to_fuel"], mm["to_process"])
    tgt = np.array([kidx[(r.source_id, r.region_id, mm["to_sector"] or r.sector,
                          mm["to_fuel"], mm["to_process"], tu)]
                    for r in lines.iloc[idx].itertuples(index=False)], dtype=np.int64)
    if mm["to_process"]:
        conv = np.array([float(mm["ratio"]) * units.factor(u, tu)
                         for u in lines["unit"].to_numpy()[idx]])
    else:
        gj_tgt = _gj_per_unit(tu, mm["to_fuel"])
        conv = float(mm["ratio"]) * base.gj[idx] / gj_tgt
        if np.isnan(conv).any():
            bad = lines.iloc[idx[np.isnan(conv)]]["source_id"].tolist()[:5]
            raise InputError(Problem(
                file="measures.csv", column="fuel", value=mm["id"],
                message=M("msg.scn_measure_switches_activity_without", join_map_str_bad=str(', '.join(map(str, bad)))),
                expected=M("msg.scn_fuel_lines_with_calorific")))
    base.targets_of[mm["id"]] = (idx, tgt, conv)


def _index_control(base: Base, mm: pd.Series, kidx: dict) -> None:
    """Lines of the energy penalty of a control measure (own fuel, or electricity)."""
    lines = base.lines
    idx = np.flatnonzero(select(lines, mm))
    tech = refdata.table("control_tech").set_index("code").loc[mm["technology"]]
    srcs = set(lines["source_id"].to_numpy()[idx])
    fuel_lines = np.flatnonzero(lines["source_id"].isin(srcs).to_numpy()
                                & np.isfinite(base.gj)
                                & (lines["scope"] == 1).to_numpy())
    elec = np.empty(0, dtype=np.int64)
    if str(tech["penalty_carrier"]) == "electricity":
        src_l = lines.iloc[fuel_lines]
        elec_lines, srcs_fuel = [], []
        for j, r in zip(fuel_lines, src_l.itertuples(index=False), strict=True):
            if r.sector == "power":
                continue
            k = kidx.get((r.source_id, r.region_id, r.sector, "electricity", None,
                          "MWh"))
            if k is not None:
                elec_lines.append(k)
                srcs_fuel.append(j)
        elec = np.array(elec_lines, dtype=np.int64)
        own = np.setdiff1d(fuel_lines, np.array(srcs_fuel, dtype=np.int64))
        base.penalty_of[mm["id"]] = (own, np.array(srcs_fuel, dtype=np.int64), elec)
    else:
        base.penalty_of[mm["id"]] = (fuel_lines, np.empty(0, np.int64), elec)
    if len(fuel_lines) == 0 and float(tech["energy_penalty"] or 0) > 0:
        base.notes.append(f"{mm['id']}: no fuel use recorded for the controlled "
                          "sources, energy penalty not applied")


def restrict(base: Base, mask: np.ndarray) -> Base:
    """A :class:`Base` with only the lines in ``mask`` (arrays and line indices compacted).

    Used for marginal effects: a run on the restricted base costs in proportion to the
    footprint of a measure, not to the whole project. ``mask`` must be closed under the
    switches and penalties of the measures involved (see ``analysis.footprint``).
    """
    idx = np.flatnonzero(mask)
    pos = np.full(len(mask), -1, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    sub = Base(project=base.project, inventory=base.inventory, settings=base.settings,
               scenarios=base.scenarios, targets=base.targets, measures=base.measures,
               lines=base.lines.iloc[idx].reset_index(drop=True), A0=base.A0[idx],
               ef=base.ef[idx], R0=base.R0[idx], growth=base.growth[idx], gj=base.gj[idx],
               drivers=base.drivers, notes=base.notes)
    for mid, (sel, tgt, conv) in base.targets_of.items():
        keep = mask[sel] & mask[tgt]
        sub.targets_of[mid] = (pos[sel[keep]], pos[tgt[keep]], conv[keep])
    for mid, (own, via, elec) in base.penalty_of.items():
        keep = mask[via] & mask[elec]
        sub.penalty_of[mid] = (pos[own[mask[own]]], pos[via[keep]], pos[elec[keep]])
    sub.__dict__["_lib"] = base.lib
    sub.__dict__["_plans"] = base.__dict__.setdefault("_plans", {})  # line-independent
    sub.__dict__["_rows"] = base.__dict__.setdefault("_rows", {})
    sub.__dict__["_per_line"] = {k: v[idx] for k, v in base.__dict__.get("_per_line",
                                                                         {}).items()}
    sub.__dict__["_sel"] = {mid: pos[s[mask[s]]]
                            for mid, s in base.__dict__.get("_sel", {}).items()}
    return sub


def ramp(years: list[int], penetration: float, start: int, full: int) -> np.ndarray:
    """Penetration path: 0 before ``start``, linear to ``penetration`` at ``full``."""
    y = np.asarray(years, dtype=float)
    if full <= start:
        return np.where(y >= start, penetration, 0.0)
    return penetration * np.clip((y - start) / (full - start), 0.0, 1.0)


@dataclass
class Run(Labelled):
    """Result of one scenario run (arrays over lines × species × years).

    :meth:`result` (and ``to_frame``, ``to_dict``, ``to_json``, ``to_parquet``) give the
    labelled result ``scenario_run`` of ``docs/results-schema.md``.
    """

    name: str
    base: Base
    activity: np.ndarray  # (N, T)
    emissions: np.ndarray  # (N, S, T) t
    records: list = field(repr=False)  # per-measure effects (arrays by year)
    added_electricity: np.ndarray  # (N, T) MWh added by measures on electricity lines
    penetration: dict[str, np.ndarray]

    @property
    def years(self) -> list[int]:
        return self.base.years

    @property
    def measure_effects(self) -> pd.DataFrame:
        """measure, region, year, affected, unit, energy_cost_change_yuan (built on first
        use: a run itself makes no tables)."""
        c = self.__dict__.get("_effects")
        if c is None:
            c = self.__dict__["_effects"] = _records_frame(self.records, self.base.years)
        return c

    def totals_array(self, scope: int | str = 1) -> np.ndarray:
        """Totals by species and year (S × T, t) as an array: the numbers of
        :func:`cocontrol.scenario.totals` without the table (for live what-if loops)."""
        return self.emissions[_scope_lines(self.base, scope)].sum(axis=0)

    def inventory(self) -> Inventory:
        """An :class:`Inventory` view for aggregation, IAMC and Excel export."""
        b = self.base
        return Inventory(lines=b.lines, years=b.years, species=b.species,
                         activity=self.activity, ef=b.ef,
                         ctrl_lines=np.empty(0, np.int64),
                         ctrl_factor=np.empty((0, len(b.species), len(b.years))),
                         gwp_set=b.project.manifest.gwp, name=f"{b.project.name}: {self.name}",
                         regions=b.project.regions, emissions=self.emissions,
                         estimated=b.estimated, applicable=b.applicable)

    def result(self, by: tuple[str, ...] | list[str] = ("region_id", "sector", "fuel",
                                                        "process", "scope"),
               unit: str = "t") -> Result:
        """Labelled result: emissions by ``by``, species and year, and the effects of each
        measure by year (both with a ``scenario`` column)."""
        em = self.inventory().aggregate(list(by), scope="all", unit=unit, co2e=False)
        em.insert(0, "scenario", self.name)
        me = self.measure_effects.copy()
        me.insert(0, "scenario", self.name)
        b = self.base
        prov = Provenance.of(b.project, gwp=b.project.manifest.gwp,
                             scenarios=_settings_hash(b))
        return Result("scenario_run", {"emissions": em, "measures": me}, prov,
                      {"scenario": self.name, "by": list(by)})


def _scope_lines(base: Base, scope: int | str) -> np.ndarray:
    """Indices of the lines of a scope (cached), all lines for ``"all"``."""
    cache = base.__dict__.setdefault("_scope_lines", {})
    if scope not in cache:
        sc = base.lines["scope"].to_numpy()
        cache[scope] = np.arange(len(sc)) if scope == "all" else np.flatnonzero(
            sc == int(scope))
    return cache[scope]


@dataclass(frozen=True)
class _Plan:
    """A library measure compiled for runs: everything a run needs, without tables."""

    id: str
    action: str
    order: int
    magnitude: float
    max_penetration: float
    start_year: int
    full_year: int
    basis: str
    eta: tuple = ()  # control: (species index, removal efficiency) in table order
    pen_f: float = 0.0  # control: energy penalty
    slip: tuple | None = None  # control: (NH3 slip, NOx efficiency) or None
    factor_j: tuple = ()  # factor: species indices (in the order of the measure row)
    #: control: PM10 removed by size bin (inventory.engine.combine_pm10): index of PM10 and the
    #: technology's PM2.5 and 2.5-10 µm efficiencies (None when it has no coarse bin)
    pm10_j: int | None = None
    e25: float | None = None
    coarse: float | None = None


def plan(base: Base, mid: str) -> _Plan:
    """The compiled plan of measure ``mid`` (cached on the base)."""
    cache = base.__dict__.setdefault("_plans", {})
    p = cache.get(mid)
    if p is not None:
        return p
    mm = base.lib.loc[mid]
    sidx = {s: i for i, s in enumerate(base.species)}
    basis = mm["cost_basis"] if isinstance(mm["cost_basis"], str) else ""
    kw = handler(mm["action"]).compile(base, mm, sidx)
    p = cache[mid] = _Plan(mid, mm["action"], ORDER[mm["category"]], float(mm["magnitude"]),
                           float(mm["max_penetration"]), int(mm["start_year"]),
                           int(mm["full_year"]), basis, **kw)
    return p


def run(base: Base, scenario: str | sspec.Scenario, *,
        exclude: set[str] | frozenset = frozenset(), elec_offset: np.ndarray | None = None,
        penetrations: dict[str, float | np.ndarray] | None = None) -> Run:
    """Run a scenario.

    ``exclude`` drops measures; ``penetrations`` overrides them (a number, or a path over the
    years). On a base restricted to part of the lines (:func:`restrict`, used for marginal
    effects) ``elec_offset`` is the extra electricity demand of the lines left out (MWh/yr).
    Many runs at once: :func:`cocontrol.scenario.run_batch`.
    """
    sc = base.scenarios[scenario] if isinstance(scenario, str) else scenario
    T = len(base.years)
    entries = _entries(base, sc, exclude, {
        k: np.broadcast_to(np.asarray(v, dtype=float), (T,))[None, :]
        for k, v in (penetrations or {}).items()})
    off = None if elec_offset is None else np.asarray(elec_offset, float)[None]
    A, E, added, records, pens = _simulate(base, entries, 1, off)
    return Run(sc.name, base, A[0], E[0], [_member(r, 0) for r in records], added[0],
               {k: v[0] for k, v in pens.items()})


@dataclass
class BatchRun:
    """K runs of one scenario at once (:func:`run_batch`); every array has the member axis
    first. Member k is exactly the run with member k's penetrations (and factors)."""

    name: str
    base: Base
    activity: np.ndarray  # (K, N, T)
    emissions: np.ndarray  # (K, N, S, T) t
    records: list = field(repr=False)  # per-measure effects, arrays K × T
    added_electricity: np.ndarray  # (K, N, T) MWh
    penetration: dict  # key -> (K or 1) × T paths

    def __len__(self) -> int:
        return self.emissions.shape[0]

    @property
    def years(self) -> list[int]:
        return self.base.years

    def totals(self, scope: int | str = 1) -> np.ndarray:
        """Totals by member, species and year (K × S × T, t); member k equals
        ``run(...).totals_array(scope)`` of its run."""
        return self.emissions[:, _scope_lines(self.base, scope)].sum(axis=1)

    def member(self, k: int) -> Run:
        """Member k as a :class:`Run` (views of the batch arrays)."""
        return Run(self.name, self.base, self.activity[k], self.emissions[k],
                   [_member(r, k) for r in self.records], self.added_electricity[k],
                   {key: v[min(k, len(v) - 1)] for key, v in self.penetration.items()})


def run_batch(base: Base, scenario: str | sspec.Scenario,
              penetrations: dict | None = None, *, ef_scale: np.ndarray | None = None,
              exclude: set[str] | frozenset = frozenset(),
              elec_offset: np.ndarray | None = None,
              growth: np.ndarray | None = None) -> BatchRun:
    """Run K variants of a scenario in one vectorised call (leading ensemble axis).

    Parameters
    ----------
    penetrations
        Measure id, or (measure id, region) pair, → penetrations of the K members: an array
        K × T (a path over the scenario years per member), a 1-D array of K numbers (one
        penetration per member, every year), or a scalar (the same for all). A path shared by
        every member is a 1 × T array. Each named measure replaces the scenario's own
        setting of it, as in :func:`run`.
    ef_scale
        Optional multipliers of the emission factors, broadcastable to K × N × S (lines ×
        species), e.g. K sampled factor sets for Monte Carlo.
    growth
        Optional activity growth factors A_t/A_0 replacing the base's (drivers and
        elasticities), broadcastable to K × N × T (lines × years), e.g. K sampled driver
        paths and elasticities (:func:`cocontrol.scenario.drivers.GrowthParts.factors`).
    exclude, elec_offset
        As in :func:`run`.

    Returns a :class:`BatchRun`; member k equals ``run(base, scenario, penetrations=<member
    k's values>)`` (same operations in the same order: identical numbers). Memory is about
    K × N × S × T × 8 bytes: split very large ensembles into chunks.
    """
    sc = base.scenarios[scenario] if isinstance(scenario, str) else scenario
    T = len(base.years)
    paths = {}
    for key, v in (penetrations or {}).items():
        a = np.asarray(v, dtype=float)
        if a.ndim == 0:
            a = np.full((1, T), float(a))
        elif a.ndim == 1:
            a = np.repeat(a[:, None], T, axis=1)
        if a.ndim != 2 or a.shape[1] != T:
            raise InputError(Problem(file="<penetrations>", value=str(key),
                                     message=M("msg.scn_penetrations_shape", np_shape_v=str(np.shape(v))),
                                     expected=M("msg.scn_k_years_k_numbers", t=T)))
        paths[key] = a
    sizes = {a.shape[0] for a in paths.values()} - {1}
    ef = None
    if ef_scale is not None:
        es = np.asarray(ef_scale, dtype=float)
        es = es.reshape((1,) * (3 - es.ndim) + es.shape)  # numpy broadcasting to K × N × S
        ef = base.ef[None] * es
        sizes |= {ef.shape[0]} - {1}
    gr = None
    if growth is not None:
        gr = np.asarray(growth, dtype=float)
        gr = gr.reshape((1,) * (3 - gr.ndim) + gr.shape)
        if gr.shape[1:] not in ((len(base.lines), T), (1, T), (len(base.lines), 1), (1, 1)):
            raise InputError(Problem(file="<growth>", value=str(np.shape(growth)),
                                     message=M("msg.scn_growth_factors_wrong_shape"),
                                     expected=M("msg.scn_k_lines_years", len_base_lines=len(base.lines), t=T)))
        sizes |= {gr.shape[0]} - {1}
    if len(sizes) > 1:
        raise InputError(Problem(file="<penetrations>", value=sorted(sizes),
                                 message=M("msg.scn_members_different_ensemble_sizes"),
                                 expected=M("msg.scn_every_array_with_same")))
    K = sizes.pop() if sizes else 1
    entries = _entries(base, sc, exclude, paths)
    off = None if elec_offset is None else np.asarray(elec_offset, float)
    A, E, added, records, pens = _simulate(base, entries, K, off, ef, growth=gr)
    return BatchRun(sc.name, base, A, E, records, added, pens)


def _member(rec: dict, k: int) -> dict:
    """The effects record of member k (arrays by year)."""
    return {**rec, "affected": rec["affected"][k],
            "energy_cost_change_yuan": rec["energy_cost_change_yuan"][k]}


def _simulate(base: Base, entries: list, K: int, elec_offset: np.ndarray | None,
              ef: np.ndarray | None = None, out: np.ndarray | None = None,
              growth: np.ndarray | None = None):
    """The engine on K members at once (leading axis k of every array; K = 1 for a run).

    Penetration paths are (K or 1) × T. Only what varies is stored: activity (K, N, T), the
    control factor R and the factor multiplier F on the lines that control and factor
    measures touch; emissions E (K, N, S, T) are written once, in place. The operations and
    their order are those of one run, so a member equals the run with its penetrations.
    """
    years = base.years
    T = len(years)
    lines = base.lines
    N = len(lines)
    A = _alloc(K, N, T, pooled=True)
    A[...] = base.A0[:, None] * (base.growth if growth is None else growth)
    added = _alloc(K, N, T, pooled=True)
    added[...] = 0.0
    plans = [plan(base, u.id) for u, _, _ in entries]
    hands = [handler(pl.action) for pl in plans]
    # store what varies: the control factor R only on the lines and species that control
    # measures change, the factor multiplier F only on those of factor measures
    blocks = {}
    for b in ("R", "F"):
        mine = [(pl, h) for pl, h in zip(plans, hands, strict=True) if h.block == b]
        blocks[b] = _Sub(base, [pl for pl, _ in mine],
                         [j for pl, h in mine for j in h.block_species(pl)], K)
    ctl, fac = blocks["R"], blocks["F"]
    R = ctl.values(base.R0)
    F = fac.values(None)
    slip = np.zeros((K, len(ctl.lines), T))
    records, pens, renewables = [], {}, []
    state = RunState(A, base.species, None, base=base, added=added, R=R, F=F, ctl=ctl,
                     fac=fac, slip=slip, renewables=renewables,
                     is_electricity=_is_electricity(base))
    for (u, region, p), pl, h in zip(entries, plans, hands, strict=True):
        pens[u.id if region is None else (u.id, region)] = p
        rmask = None if region is None else region_mask(base, region)
        n_rec = len(records)

        def _rec(i, affected, dact, dact_idx, _pl=pl):
            records.append(_record(base, _pl, i, affected, dact, dact_idx))

        state.record, state.plan, state.rmask, state.region = _rec, pl, rmask, region
        h.apply(state, u.id, _lib_row(base, u.id), h.run_lines(base, u.id, rmask), p)
        for rec in records[n_rec:]:
            rec["region"] = region
    _electricity_balance(base, A, added, elec_offset, renewables, records)
    E = _emissions(base, A, F, R, slip, ctl, fac, ef, out)
    return A, E, added, records, pens


#: Size of the chunk of emissions worked on at once (fits in a 2-core machine's cache).
CHUNK_BYTES = 1 << 21


def release_buffers() -> None:
    """Drop the kept buffers of result arrays (their memory goes back to the system)."""
    _buffers.release()


def _alloc(K: int, *shape: int, pooled: bool = False) -> np.ndarray:
    """An uninitialised K × shape array; with several members the member axis is the
    innermost in memory (long inner loops for every element-wise product). ``pooled``
    arrays reuse a kept buffer when one is free."""
    n = K * int(np.prod(shape))
    flat = _buffers.empty(n) if pooled else np.empty(n)
    if K == 1:
        return flat.reshape((1, *shape))
    nd = len(shape)
    return flat.reshape((*shape, K)).transpose(nd, *range(nd))


class _Sub:
    """The lines and species that a group of measures changes, and their positions."""

    def __init__(self, base: Base, plans: list, species: list[int], K: int):
        N = len(base.lines)
        m = np.zeros(N, bool)
        for pl in plans:
            m[base.selection(pl.id)] = True
        self.lines = np.flatnonzero(m)
        self.species = np.array(sorted(set(species)), dtype=np.int64)
        self.pos = np.full(N, -1, dtype=np.int64)
        self.pos[self.lines] = np.arange(len(self.lines))
        self.jpos = {int(j): i for i, j in enumerate(self.species)}
        self.K, self.T = K, len(base.years)

    def values(self, start: np.ndarray | None) -> np.ndarray:
        """K × lines × species × T, from ``start`` (N × S) or ones."""
        shape = (len(self.lines), len(self.species), self.T)
        out = _alloc(self.K, *shape)
        if start is None:
            out[...] = 1.0
        else:
            out[...] = start[np.ix_(self.lines, self.species)][:, :, None]
        return out

    def cells(self):
        """Index of the (line, species) block in a K × N × S × T array."""
        return (slice(None), self.lines[:, None], self.species[None, :])


def _emissions(base: Base, A, F, R, slip, ctl: _Sub, fac: _Sub, ef=None, out=None
               ) -> np.ndarray:
    """E = A × EF × F × R (+ NH3 slip), written into one (K, N, S, T) array.

    F = 1 and R = R0 outside the blocks that measures change, so E = ((A × EF) × F) × R is
    computed as A × EF over every cell (in place), × F on the factor block, × R0 over every
    cell except the control block, which takes its own R: the same products, in the same
    order, as the dense formula, without dense F and R arrays. The work goes by chunks of
    lines small enough to stay in cache (one pass over the output in memory)."""
    K, N, T = A.shape
    S = len(base.species)
    ef = base.ef[None] if ef is None else ef  # (1 or K, N, S)
    E = _alloc(K, N, S, T, pooled=True) if out is None else out
    step = max(1, CHUNK_BYTES // (8 * K * S * T))
    fl, cl = fac.lines, ctl.lines
    for l0 in range(0, N, step):
        l1 = min(N, l0 + step)
        Ec = E[:, l0:l1]
        np.multiply(A[:, l0:l1, None, :], ef[:, l0:l1, :, None], out=Ec)
        f0, f1 = np.searchsorted(fl, (l0, l1))
        if F.size and f1 > f0:
            cells = (slice(None), (fl[f0:f1] - l0)[:, None], fac.species[None, :])
            Ec[cells] *= F[:, f0:f1]
        c0, c1 = np.searchsorted(cl, (l0, l1))
        block = None
        if R.size and c1 > c0:
            cells = (slice(None), (cl[c0:c1] - l0)[:, None], ctl.species[None, :])
            block = Ec[cells]
        Ec *= base.R0[None, l0:l1, :, None]
        if block is not None:
            Ec[cells] = block * R[:, c0:c1]
    sidx = {s: i for i, s in enumerate(base.species)}
    if "NH3" in sidx and "NOx" in sidx and slip.any():
        jn = sidx["NOx"]
        nox = A[:, cl] * ef[:, cl, jn, None]
        if jn in fac.jpos:  # (A × EF) × F of NOx on the controlled lines
            inf = fac.pos[cl] >= 0
            f_nox = np.ones((K, len(cl), T))
            f_nox[:, inf] = F[:, fac.pos[cl[inf]], fac.jpos[jn], :]
            nox = nox * f_nox
        E[:, cl, sidx["NH3"], :] += slip * nox
    return E


@dataclass
class RunState:
    """What an action's handler may change in a run: activity ``A`` (K × N × T, K members
    of a batch, 1 for a run) and the per-measure effects (``record``). The penetration ``p``
    given to the handler is (K or 1) × T.

    The bundled actions also use the compiled ``plan`` of the measure, its region mask
    ``rmask`` (None: every region), the control-factor block ``R`` on the lines and species
    of ``ctl``, the factor block ``F`` on those of ``fac``, NH3 ``slip``, the electricity
    demand ``added`` by measures and the ``renewables`` applied in the electricity balance.
    """

    A: np.ndarray
    species: tuple[str, ...]
    record: object  # record(idx, affected (K × n × T), d_activity (K × m × T), d_idx (m,))
    base: Base | None = None
    plan: _Plan | None = None
    rmask: np.ndarray | None = None
    region: str | None = None
    added: np.ndarray | None = None  # K × N × T MWh
    R: np.ndarray | None = None  # K × ctl lines × ctl species × T
    F: np.ndarray | None = None  # K × fac lines × fac species × T
    ctl: _Sub | None = None
    fac: _Sub | None = None
    slip: np.ndarray | None = None  # K × ctl lines × T
    renewables: list | None = None
    is_electricity: np.ndarray | None = None  # per line


def _lib_row(base: Base, mid: str) -> pd.Series:
    """The library row of measure ``mid`` (cached on the base)."""
    cache = base.__dict__.setdefault("_rows", {})
    r = cache.get(mid)
    if r is None:
        r = cache[mid] = base.lib.loc[mid]
    return r


def _entries(base: Base, sc, exclude, penetrations):
    """(use, region, penetration paths) triples in application order; paths are
    (K or 1) × T arrays.

    ``penetrations`` maps a measure id, or a (measure id, region) pair, to penetration paths
    (already (K or 1) × T); every measure named there replaces the scenario's own setting of
    it. A region is a code of the regions table at any level; the measure then applies only
    to the lines in that region.
    """
    lib = base.lib
    years = base.years
    named = {k[0] if isinstance(k, tuple) else k for k in (penetrations or {})}
    out = []
    for u in sc.measures.values():
        if u.id in exclude or u.id in named:
            continue
        pl = plan(base, u.id)
        pen = min(u.penetration, pl.max_penetration)
        p = ramp(years, pen, int(u.start_year or pl.start_year),
                 int(u.full_year or pl.full_year))
        out.append((u, None, p[None, :]))
    for key, val in (penetrations or {}).items():
        mid, region = key if isinstance(key, tuple) else (key, None)
        if mid in exclude:
            continue
        if mid not in lib.index:
            raise InputError(Problem(file="<penetrations>", value=mid,
                                     message=M("msg.scn_measure_not_found_library")))
        p = np.array(val, dtype=float)
        out.append((sspec.MeasureUse(mid, float(p.max(initial=0.0))), region, p))
    out.sort(key=lambda e: plan(base, e[0].id).order)
    return out


def region_mask(base: Base, region: str) -> np.ndarray:
    """Boolean mask of the lines inside ``region`` (a region code at any hierarchy level)."""
    cache = base.__dict__.setdefault("_region_masks", {})
    if region not in cache:
        lines = base.lines
        m = (lines["region_id"] == region).to_numpy().copy()
        for lv in ("city", "district", "park", "enterprise", "facility"):
            if lv in lines:
                m |= (lines[lv] == region).to_numpy()
        if not m.any():
            raise InputError(Problem(file="<penetrations>", value=region,
                                     message=M("msg.scn_region_has_no_source"),
                                     expected=M("msg.scn_region_id_regions_table")))
        cache[region] = m
    return cache[region]


def _row(mm: pd.Series) -> pd.Series:
    """A measure row with blank selectors/targets as None."""
    r = mm.copy()
    for c in ("sector", "fuel", "process", "to_sector", "to_fuel", "to_process", "technology"):
        v = r.get(c)
        r[c] = v if isinstance(v, str) and v else None
    return r


def _per_line(base: Base, key: str, fn, default: float = np.nan) -> np.ndarray:
    """A per-line array computed once per unique (unit, fuel) and cached on the base;
    ``default`` where the conversion does not exist (e.g. a process line in energy units)."""

    def safe(u, f):
        try:
            return fn(u, f)
        except (units.UnitError, ValueError, KeyError, TypeError):
            return default

    cache = base.__dict__.setdefault("_per_line", {})
    if key not in cache:
        lines = base.lines
        codes, uniq = factorize_columns(lines, ["unit", "fuel"])
        uniq = uniq.astype(object)
        vals = np.array([safe(u, f if isinstance(f, str) else None)
                         for u, f in zip(uniq["unit"], uniq["fuel"], strict=True)], dtype=float)
        cache[key] = vals[codes]
    return cache[key]


def _record(base: Base, pl: _Plan, idx, affected, dact, dact_idx) -> dict:
    """Per-measure effects by year (K × T): affected activity (cost basis) and the value of
    the change in energy use (fuel prices). ``affected`` and ``dact`` are K × lines × T."""
    K, T = affected.shape[0] if np.ndim(affected) == 3 else dact.shape[0], len(base.years)
    basis = pl.basis
    aff = np.zeros((K, T))
    if len(idx):
        conv = _per_line(base, f"basis:{basis}", lambda u, f: _to_basis(u, basis or None, f))
        aff = (affected * conv[idx][None, :, None]).sum(axis=1)
    cost = np.zeros((K, T))
    if len(dact_idx):
        price = _per_line(base, "price", lambda u, f: _unit_price(f, u))
        p = price[dact_idx]
        unpriced = ~np.isfinite(p) & (np.abs(dact) > 0).any(axis=(0, 2))
        if unpriced.any():
            ln = base.lines.iloc[np.asarray(dact_idx)[unpriced]]
            raise InputError([Problem(
                file="fuel_prices.csv", column="fuel", value=f"{f} ({u})",
                message=M("msg.scn_measure_changes_use_which", pl_id=pl.id, f=f, u=u),
                expected=M("msg.scn_row_fuel_with_price", f=f, u=u))
                for f, u in sorted(set(zip(ln["fuel"].astype(str), ln["unit"].astype(str),
                                              strict=True)))])
        p = np.where(np.isfinite(p), p, 0.0)  # unpriced lines whose use does not change
        cost = (dact * p[None, :, None]).sum(axis=1)
    return {"measure": pl.id, "affected": aff, "unit": basis, "energy_cost_change_yuan": cost,
            "region": None}


def _records_frame(records: list[dict], years: list[int]) -> pd.DataFrame:
    cols = ["measure", "region", "year", "affected", "unit", "energy_cost_change_yuan"]
    if not records:
        return pd.DataFrame(columns=cols)
    T = len(years)
    n = len(records)
    return pd.DataFrame({
        "measure": np.repeat([r["measure"] for r in records], T),
        "region": np.repeat(np.array([r["region"] for r in records], dtype=object), T),
        "year": np.tile(years, n),
        "affected": np.concatenate([np.broadcast_to(r["affected"], (T,)) for r in records]),
        "unit": np.repeat([r["unit"] for r in records], T),
        "energy_cost_change_yuan": np.concatenate([r["energy_cost_change_yuan"]
                                                   for r in records]),
    })[cols]


@lru_cache(maxsize=4096)
def _to_basis(unit: str, basis, fuel) -> float:
    if not isinstance(basis, str) or not basis:
        return 1.0
    try:
        return fmod.activity_per_denominator(unit, basis, fuel if isinstance(fuel, str) else None)
    except units.UnitError:
        return np.nan


@lru_cache(maxsize=4096)
def _unit_price(f, u) -> float:
    """Price of one activity unit ``u`` of fuel ``f`` in yuan; 0 for a process line (no fuel
    bought), NaN when the fuel has no price or the price unit cannot be converted (an error
    once a measure changes the use of that fuel: see :func:`_record`)."""
    if not isinstance(f, str):
        return 0.0
    prices = _prices()
    if f not in prices.index:
        return np.nan
    pr = prices.loc[f]
    num, den = str(pr["unit"]).split("/", 1)
    try:
        return float(pr["price"]) * units.factor(num, "yuan") * \
            fmod.activity_per_denominator(u, den, f)
    except units.UnitError:
        return np.nan


def refdata_prices() -> pd.DataFrame:
    """The bundled fuel prices (``data/fuel_prices.csv``, indexed by fuel; a new frame on
    every call)."""
    return _prices().copy(deep=False)


@lru_cache(maxsize=1)
def _prices() -> pd.DataFrame:
    return refdata.bundled_frame("fuel_prices.csv").set_index("fuel")


def power_lines(base: Base) -> np.ndarray:
    """Indices of the local power plants' fuel lines (scope 1, with an energy content)."""
    c = base.__dict__.get("_power_lines")
    if c is None:
        lines = base.lines
        c = base.__dict__["_power_lines"] = np.flatnonzero(
            (lines["sector"] == "power").to_numpy() & np.isfinite(base.gj)
            & (lines["scope"] == 1).to_numpy())
    return c


def _electricity_balance(base: Base, A, added, elec_offset, renewables, records):
    """Meet extra electricity demand locally (share α) and apply renewable measures.

    Arrays carry the leading member axis (K × lines × T)."""
    power = power_lines(base)
    alpha = base.settings.local_electricity_share
    demand = added.sum(axis=1) + (0 if elec_offset is None else elec_offset)
    if len(power) == 0:
        return
    hr_gj = base.settings.power_heat_rate_tce_per_mwh * GJ_PER_TCE  # GJ fuel per MWh
    gj_pw = base.gj[power][None, :, None]
    energy = (A[:, power] * gj_pw).sum(axis=1)
    gen = energy / hr_gj  # MWh generated locally
    if alpha > 0 and np.any(demand != 0):  # (members without extra demand: exact no-ops)
        local = alpha * demand
        el = np.flatnonzero(added.any(axis=(0, 2)))
        A[:, el] -= alpha * added[:, el]  # the locally met part is no longer purchased
        scale = np.divide(local, gen, out=np.zeros_like(gen), where=gen > 0)
        A[:, power] *= (1 + scale)[:, None, :]
        gen = gen + np.where(gen > 0, local, 0.0)
    K, T = A.shape[0], A.shape[2]
    for mid, share, rmask, region in renewables:
        pw = power if rmask is None else power[rmask[power]]
        gen_r = gen if rmask is None else \
            (A[:, pw] * base.gj[pw][None, :, None]).sum(axis=1) / hr_gj
        before = A[:, pw].copy()
        A[:, pw] *= (1 - share)[:, None, :]
        replaced = gen_r * share
        d = A[:, pw] - before
        rec = _record(base, plan(base, mid), np.empty(0, np.int64), np.zeros((K, 0, T)), d,
                      pw)
        rec["affected"] = np.broadcast_to(replaced, (K, T))
        rec["unit"] = "MWh"
        rec["region"] = region
        records.append(rec)


def _settings_hash(base: Base) -> str:
    """Content hash of the scenario settings, scenarios and measures library of a base."""
    import hashlib
    import json

    h = hashlib.sha256()
    h.update(json.dumps(repr(base.settings), default=str).encode())
    h.update(json.dumps({n: repr(s) for n, s in base.scenarios.items()}, sort_keys=True
                        ).encode())
    h.update(base.measures.drop(columns=[c for c in base.measures.columns
                                         if str(c).startswith("_")])
             .to_csv(index=False).encode())
    return "sha256:" + h.hexdigest()[:12]
