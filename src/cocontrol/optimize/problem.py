"""Problem data of the dual-target optimisation: decision pairs and their linearisation.

A *pair* k is a measure of the library applied in one region (or city-wide); its decision is
the penetration path p[k, t] over the scenario years t. The scenario engine maps penetrations
to emissions and costs; it is multilinear in the penetrations of different measures (a fuel
switch and an end-of-pipe control on the same coal multiply), so the optimiser works on a
linearisation around a point P0 (sequential linear programming, see ``slp.py``):

    q(P) ≈ q(P0) + Σ_k g_q[k, t] · (p[k, t] − P0[k, t])        for every year t

for each quantity q: scope-1 emissions of each species (t/yr), electricity added (MWh/yr),
the annual net cost of all measures (yuan/yr) and, through the linear air-quality model,
annual-mean PM2.5 (µg/m³). Years do not interact in the engine, so one engine run per pair
with the pair's whole path perturbed by a step h gives the column g[k, :] of every year at once
(forward difference; exact for the multilinear part of the engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.progress import track
from cocontrol.scenario import measures as mlib
from cocontrol.scenario import spec as sspec
from cocontrol.scenario.actions import handler, power_lines
from cocontrol.scenario.engine import Base, Run, prepare, run

CANDIDATES = "_optimisation_candidates"
FD_STEP = 0.05


# ------------------------------------------------------------------ preparation
def prepare_base(project, measures: list[str] | None = None,
                 base_scenario: str = "baseline") -> Base:
    """Prepare the scenario engine with every candidate measure (switch targets and
    control penalties must be known to the engine before any run).

    Parameters
    ----------
    project
        Project folder or a loaded :class:`~cocontrol.project.loader.Project`.
    measures
        Candidate measure ids; default: every measure used in the project's scenarios.
    base_scenario
        Scenario the optimised measures are added to (default ``baseline``).
    """
    from cocontrol.project.loader import Project, load_project

    if not isinstance(project, Project):  # convenience: a folder is read by the I/O layer
        project = load_project(project)
    sset = sspec.from_project(project)
    if base_scenario not in sset.scenarios:
        raise InputError(Problem(file="scenarios.yaml", column="scenarios", value=base_scenario,
                                 message=M("msg.opt_base_scenario_not_found"),
                                 expected=Seq(sset.scenarios, ", ", quote=True)))
    if measures is None:
        measures = sorted({m for sc in sset.scenarios.values() for m in sc.measures})
    if not measures:
        raise InputError(Problem(file="optimisation.yaml", column="optimisation.measures",
                                 message=M("msg.opt_no_candidates"),
                                 expected=M("msg.opt_candidates_expected")))
    sset.scenarios[CANDIDATES] = sspec.Scenario(
        CANDIDATES, {m: sspec.MeasureUse(m, 0.0) for m in measures})
    base = prepare(project, sset)
    base.__dict__["_opt_candidates"] = list(measures)
    base.__dict__["_opt_base_scenario"] = base_scenario
    return base


def _affected_lines(base: Base, mid: str) -> np.ndarray:
    return handler(base.lib.at[mid, "action"]).selected(base, mid)


def make_pairs(base: Base, measures: list[str] | None = None, region_level: str | None = None,
               integer_steps: dict[str, int] | None = None) -> pd.DataFrame:
    """Decision pairs (measure × region).

    ``region_level`` None: one city-wide pair per measure (key = measure id); else a level of
    the regions table (``district``, ``park`` ...) and one pair per region of that level with
    activity on the measure's lines (key = (measure id, region)). Lines outside every region of
    that level are not covered (reported in ``attrs['uncovered']``).

    Returns ``key, measure, region, category, action, sector, max_penetration, start_year,
    full_year, magnitude, steps`` (``steps`` = 0 continuous, n > 0: p ∈ {0, 1/n, …, 1} × max).
    """
    measures = measures if measures is not None else base.__dict__.get(
        "_opt_candidates", list(base.lib.index))
    lib = base.lib
    A = base.A0[:, None] * base.growth
    active = A.sum(axis=1) > 0
    rows, uncovered = [], []
    steps = integer_steps or {}
    for mid in measures:
        if mid not in lib.index:
            raise InputError(Problem(file="<measures>", value=mid,
                                     message=M("msg.opt_measure_not_found"),
                                     expected=M("msg.opt_measure_id")))
        idx = _affected_lines(base, mid)
        idx = idx[active[idx]]
        if len(idx) == 0:
            continue
        m = lib.loc[mid]
        common = {"measure": mid, "category": m["category"], "action": m["action"],
                  "sector": m["sector"] if isinstance(m["sector"], str) else "(all)",
                  "max_penetration": float(m["max_penetration"]),
                  "start_year": int(m["start_year"]), "full_year": int(m["full_year"]),
                  "magnitude": float(m["magnitude"]), "steps": int(steps.get(mid, 0))}
        if region_level is None:
            rows.append({"key": mid, "region": "(all)", **common})
            continue
        regs = base.lines[region_level].to_numpy()[idx]
        ok = np.array([isinstance(r, str) and r != "(none)" for r in regs])
        if (~ok).any():
            uncovered.append(mid)
        for r in sorted(set(regs[ok])):
            rows.append({"key": (mid, r), "region": r, **common})
    out = pd.DataFrame(rows)
    out.attrs["uncovered"] = uncovered
    return out


def upper_bounds(pairs: pd.DataFrame, years: list[int], base_year: int) -> np.ndarray:
    """Upper bound of p[k, t]: max_penetration × the library's deployment ramp (0 at
    ``start_year``, full at ``full_year``); 0 in the base year."""
    y = np.asarray(years, float)[None, :]
    s = pairs["start_year"].to_numpy(float)[:, None]
    f = pairs["full_year"].to_numpy(float)[:, None]
    frac = np.where(f > s, np.clip((y - s) / np.maximum(f - s, 1e-9), 0, 1), (y >= s) * 1.0)
    ub = pairs["max_penetration"].to_numpy(float)[:, None] * frac
    ub[:, np.asarray(years) <= base_year] = 0.0
    return ub


def pools(base: Base, pairs: pd.DataFrame) -> list[list[int]]:
    """Groups of competing switches: switch pairs of the same region whose measures select
    overlapping lines (Σ magnitude × p ≤ 1 in each group)."""
    sw = pairs.index[pairs["action"] == "switch"].to_numpy()
    groups: list[list[int]] = []
    by_region: dict[str, list[int]] = {}
    for i in sw:
        by_region.setdefault(pairs.at[i, "region"], []).append(int(i))
    for members in by_region.values():
        parent = {i: i for i in members}

        def find(i, parent=parent):
            while parent[i] != i:
                i = parent[i]
            return i

        sel = {i: set(base.selection(pairs.at[i, "measure"]).tolist()) for i in members}
        for a_i, a in enumerate(members):
            for b in members[a_i + 1:]:
                if sel[a] & sel[b]:
                    parent[find(a)] = find(b)
        g: dict[int, list[int]] = {}
        for i in members:
            g.setdefault(find(i), []).append(i)
        groups += [sorted(v) for v in g.values() if len(v) > 1]
    return groups


def measure_links(user: pd.DataFrame | None = None) -> pd.DataFrame:
    """Links between measures: ``first, second, kind, source``; kind ``equal`` (companion:
    same penetration path) or ``requires`` (p_first ≤ p_second: the first needs the second).
    Bundled: the companion pairs of docs/measures.md; a user table is appended."""
    links = refdata.bundled_frame("optimize/measure_links.csv")
    if user is not None and len(user):
        links = pd.concat([links, user], ignore_index=True)
    bad = ~links["kind"].isin(["equal", "requires"])
    if bad.any():
        raise InputError([Problem(file="measure links", row=int(i) + 2, column="kind",
                                  value=links.at[i, "kind"], message=M("msg.opt_unknown_link_kind"),
                                  expected=M("msg.opt_link_kinds")) for i in links.index[bad]])
    return links


def link_rows(pairs: pd.DataFrame, links: pd.DataFrame) -> list[tuple[int, int, str]]:
    """(pair index a, pair index b, kind) for every link whose two measures are pairs of the
    same region."""
    pos = {(m, r): i for i, (m, r) in enumerate(zip(pairs["measure"], pairs["region"],
                                                     strict=True))}
    out = []
    for a, b, kind in links[["first", "second", "kind"]].itertuples(index=False):
        for r in pairs.loc[pairs["measure"] == a, "region"]:
            if (b, r) in pos:
                out.append((pos[(a, r)], pos[(b, r)], kind))
    return out


# ------------------------------------------------------------------ evaluation
def discount_weights(years: list[int], rate: float) -> np.ndarray:
    """Weight of each scenario year's annual cost in the present value (base = first year):
    the cost of a year is held until the next scenario year, as in
    :func:`cocontrol.scenario.discounted_cost`."""
    w = np.zeros(len(years))
    for i, y in enumerate(years):
        span = (years[i + 1] - y) if i + 1 < len(years) else 1
        w[i] = sum(1.0 / (1 + rate) ** (y + k - years[0]) for k in range(span))
    return w


def _unit_costs(base: Base) -> pd.Series:
    lib = base.lib
    rate = base.settings.discount_rate

    def f(col):  # required by measures.validate: a blank cost is an error, never 0
        return pd.to_numeric(lib[col], errors="coerce")

    # a blank lifetime is allowed only with capex 0, where the recovery factor multiplies nothing
    life = pd.to_numeric(lib["lifetime"], errors="coerce").where(f("capex") != 0, 1.0)
    crf = np.array([mlib.crf(rate, float(n)) for n in life])
    return f("capex") * crf + f("fixed_opex") + f("variable_opex")


def annual_cost(base: Base, r: Run) -> np.ndarray:
    """Net annual cost of all measures of a run by year (yuan/yr): the same sum as
    :func:`cocontrol.scenario.costs` (annualised capex + opex + energy cost change)."""
    eff = r.measure_effects
    T = len(base.years)
    if eff.empty:
        return np.zeros(T)
    uc = base.__dict__.get("_opt_uc")
    if uc is None:
        uc = base.__dict__["_opt_uc"] = _unit_costs(base)
    c = eff["affected"].to_numpy(float) * uc.reindex(eff["measure"]).to_numpy(float) \
        + eff["energy_cost_change_yuan"].to_numpy(float)
    yi = np.searchsorted(np.asarray(base.years), eff["year"].to_numpy(int))
    return np.bincount(yi, weights=c, minlength=T)


@dataclass
class Outcome:
    """Engine results at penetrations P: scope-1 emissions by species and year (t/yr),
    added electricity (MWh/yr), annual net cost (yuan/yr)."""

    emissions: np.ndarray  # (S, T)
    electricity: np.ndarray  # (T,)
    cost: np.ndarray  # (T,)
    run: Run | None = None


@dataclass
class Evaluator:
    """Runs the scenario engine for penetration matrices P (pairs × years)."""

    base: Base
    pairs: pd.DataFrame
    scenario: str = "baseline"
    n_runs: int = 0
    _scope1: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self._scope1 = (self.base.lines["scope"] == 1).to_numpy()

    @property
    def scenario_measures(self) -> list[str]:
        """Measures the base scenario applies by itself."""
        return list(self.base.scenarios[self.scenario].measures)

    def penetrations(self, P: np.ndarray, tol: float = 0.0) -> dict:
        """The engine's ``penetrations`` argument for P. Pairs at zero are left out (faster)
        unless the base scenario uses the same measure: then the zero must be passed so that
        it replaces the scenario's own setting."""
        keys = self.pairs["key"].tolist()
        own = set(self.scenario_measures)
        return {k: P[i].copy() for i, (k, m) in enumerate(zip(keys, self.pairs["measure"],
                                                             strict=True))
                if np.abs(P[i]).max() > tol or m in own}

    def evaluate(self, P: np.ndarray, keep_run: bool = False) -> Outcome:
        r = run(self.base, self.scenario, penetrations=self.penetrations(P))
        self.n_runs += 1
        E = r.emissions[self._scope1].sum(axis=0)
        return Outcome(E, r.added_electricity.sum(axis=0), annual_cost(self.base, r),
                       r if keep_run else None)


@dataclass
class Linearisation:
    """Values at P0 and per-unit-penetration gradients (pairs × years) of each quantity."""

    P0: np.ndarray  # (K, T)
    at: Outcome
    g_emissions: np.ndarray  # (K, S, T) t per unit penetration
    g_electricity: np.ndarray  # (K, T) MWh
    g_cost: np.ndarray  # (K, T) yuan/yr


def touched_lines(base: Base, pairs: pd.DataFrame) -> list[np.ndarray]:
    """Boolean masks of the lines each pair acts on: its selected lines in its region, the
    lines a switch moves activity to, the lines of a control's energy penalty, and all power
    lines (plus every electricity line) when it changes electricity demand or generation."""
    from cocontrol.scenario.engine import region_mask

    lines = base.lines
    N = len(lines)
    power = power_lines(base)
    elec_lines = (lines["fuel"] == "electricity").to_numpy()
    lib = base.lib
    out = []
    for mid, region in zip(pairs["measure"], pairs["region"], strict=True):
        rmask = np.ones(N, bool) if region == "(all)" else region_mask(base, region)
        h = handler(lib.at[mid, "action"])  # the action's own lines (cocontrol.scenario.actions)
        m = h.lines(base, mid, rmask)
        electric = h.electric or bool((h.electricity_lines(base, mid) & rmask).any())
        if electric or (m & power).any():
            m |= power | elec_lines
        out.append(m)
    return out


def relevant_pairs(touch: list[np.ndarray], k: int) -> np.ndarray:
    """Pairs whose effects can differ when pair k changes: the closure of the pairs acting on
    lines that k, or a pair already in the set, acts on."""
    F = touch[k].copy()
    T = np.stack(touch)
    inset = np.zeros(len(touch), bool)
    while True:
        hit = (T & F).any(axis=1) & ~inset
        if not hit.any():
            return np.flatnonzero(inset)
        inset |= hit
        F |= T[hit].any(axis=0)


def linearise(ev: Evaluator, P0: np.ndarray, step: float = FD_STEP,
              reduced: bool = True, progress=None) -> Linearisation:
    """Forward differences of the engine around P0, one run per pair (all years at once).

    The step is +h where p ≤ 0.5 and −h above, so penetrations stay within 0–1. With
    ``reduced`` the two runs of a pair include only the pairs that can interact with it
    (:func:`relevant_pairs`): lines outside their closure are the same in both runs and cancel
    in the difference, so the result equals full runs (tested) at a fraction of the cost.
    ``progress``: callback of :mod:`cocontrol.progress` (stage ``linearise``, one per pair)."""
    at = ev.evaluate(P0)
    K, T = P0.shape
    S = at.emissions.shape[0]
    gE = np.zeros((K, S, T))
    gEl = np.zeros((K, T))
    gC = np.zeros((K, T))
    h = np.where(P0 <= 0.5, step, -step)
    touch = None
    if reduced:  # the base scenario's own measures take part in the closure, always on
        own = [m for m in ev.scenario_measures if m not in set(ev.pairs["measure"])]
        extra = pd.DataFrame({"measure": own, "region": "(all)"})
        touch = touched_lines(ev.base, pd.concat([ev.pairs[["measure", "region"]], extra],
                                                 ignore_index=True))
    ref_cache: dict[bytes, Outcome] = {}
    for k in track(range(K), progress, "linearise", message="engine runs per pair"):
        if reduced:
            rel = relevant_pairs(touch, k)
            rel = rel[rel < K]
            keep = np.zeros(K, bool)
            keep[rel] = True
            keep[k] = True
            Pk = np.where(keep[:, None], P0, 0.0)
            key = keep.tobytes()
            if key not in ref_cache:
                ref_cache[key] = ev.evaluate(Pk)
            ref = ref_cache[key]
        else:
            Pk, ref = P0.copy(), at
        P = Pk.copy()
        P[k] += h[k]
        o = ev.evaluate(P)
        gE[k] = (o.emissions - ref.emissions) / h[k]
        gEl[k] = (o.electricity - ref.electricity) / h[k]
        gC[k] = (o.cost - ref.cost) / h[k]
    return Linearisation(P0.copy(), at, gE, gEl, gC)
