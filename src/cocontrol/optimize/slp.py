"""Sequential linear programming around the scenario engine, and the infeasibility report.

1. Linearise the engine at P (one run per pair, ``problem.linearise``).
2. Solve the LP/MILP on the linearisation (``lp.build_and_solve``) → P_new and the values it
   promises (PM2.5, CO2 by year, discounted cost).
3. Run the engine at P_new. If PM2.5, CO2 and cost agree with the promise within ``tol``
   (relative), stop: the plan's numbers are the engine's. Otherwise linearise at P_new and
   repeat. Measures that do not interact make the engine linear in P, so one iteration is
   exact.

If the LP is infeasible, a penalised-slack version (every target row gets a slack, the sum of
slacks normalised by each target's scale is minimised) is solved by the same SLP; the engine
values of its plan give the minimal relaxation of each target, reported in an
:class:`~cocontrol.errors.InfeasibleError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol.errors import InfeasibleError, ModelError
from cocontrol.i18n import Msg
from cocontrol.optimize import lp as lpm
from cocontrol.optimize.airlink import AirQualityLink
from cocontrol.optimize.problem import (
    Evaluator,
    Linearisation,
    Outcome,
    discount_weights,
    linearise,
    link_rows,
    measure_links,
    pools,
    upper_bounds,
)
from cocontrol.progress import report, scoped
from cocontrol.provenance import Provenance
from cocontrol.results import Labelled, Result


@dataclass
class Setup:
    """A prepared optimisation problem: engine, pairs, static constraints, AQ link."""

    ev: Evaluator
    aq: AirQualityLink | None
    ub: np.ndarray
    pools: list[list[int]]
    links: list[tuple[int, int, str]]
    disc: np.ndarray
    apeq_w: np.ndarray  # (S,) equivalents per t of each species
    reference: Outcome  # engine at P = 0 (the base scenario)

    @property
    def base(self):
        return self.ev.base

    @property
    def pairs(self) -> pd.DataFrame:
        return self.ev.pairs

    @property
    def years(self) -> list[int]:
        return self.ev.base.years

    def species_index(self, s: str) -> int:
        return list(self.base.species).index(s)

    def pm25(self, E: np.ndarray) -> np.ndarray | None:
        return None if self.aq is None else self.aq.pm25(E)

    def lpdata(self, lin: Linearisation, caps_species: list[str]) -> lpm.LPData:
        ic = self.species_index("CO2")
        E0, gE = lin.at.emissions, lin.g_emissions
        pm = None
        if self.aq is not None:  # ∂PM2.5/∂E at the expansion point (constant if linear)
            pm = lpm.Quantity(self.aq.pm25(E0), np.einsum("kst,st->kt", gE,
                                                          self.aq.gradient(E0)))
        ap = lpm.Quantity(self.apeq_w @ E0, np.einsum("kst,s->kt", gE, self.apeq_w))
        sp = {s: lpm.Quantity(E0[self.species_index(s)], gE[:, self.species_index(s)])
              for s in caps_species}
        pr = self.pairs
        return lpm.LPData(self.years, lin.P0, self.ub, pr["max_penetration"].to_numpy(float),
                          pr["steps"].to_numpy(int), pr["magnitude"].to_numpy(float),
                          self.disc, lpm.Quantity(lin.at.cost, lin.g_cost),
                          lpm.Quantity(E0[ic], gE[:, ic]), pm, ap, sp, self.pools, self.links)


def setup(ev: Evaluator, aq: AirQualityLink | None = None,
          user_links: pd.DataFrame | None = None) -> Setup:
    """Static parts of the problem for the pairs of ``ev``."""
    from cocontrol.metrics.cocontrol import pev_table

    base = ev.base
    pairs = ev.pairs.reset_index(drop=True)
    ev.pairs = pairs
    ub = upper_bounds(pairs, base.years, base.project.manifest.base_year)
    pev = pev_table(available=list(base.species)).set_index("species")["pev_kg_per_eq"]
    apeq_w = np.array([1000.0 / float(pev[s]) if s in pev.index else 0.0
                       for s in base.species])
    ref = ev.evaluate(np.zeros((len(pairs), len(base.years))))
    return Setup(ev, aq, ub, pools(base, pairs), link_rows(pairs, measure_links(user_links)),
                 discount_weights(base.years, base.settings.discount_rate), apeq_w, ref)


@dataclass
class Plan(Labelled):
    """An optimised plan, re-checked with the scenario engine (labelled result
    ``optimisation_plan``: :meth:`result`, ``to_frame``, ``to_dict``, ``to_parquet``).

    ``P`` (pairs × years) are the penetrations; ``outcome`` the engine's results for them;
    ``pm25``/``co2`` (by year) and ``cost_pv`` are the engine's values, ``promised`` what the
    last LP promised (equal within ``tol`` when ``converged``)."""

    setup: Setup
    targets: lpm.Targets
    objective: str
    P: np.ndarray
    outcome: Outcome
    promised: dict
    iterations: int
    converged: bool
    lp: lpm.LPResult
    history: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return self.setup.years

    @property
    def co2(self) -> np.ndarray:
        return self.outcome.emissions[self.setup.species_index("CO2")]

    @property
    def pm25(self) -> np.ndarray | None:
        return self.setup.pm25(self.outcome.emissions)

    @property
    def cost_pv(self) -> float:
        return float(self.setup.disc @ self.outcome.cost)

    def penetrations(self) -> pd.DataFrame:
        """Tidy table ``measure, region, sector, category, year, penetration``."""
        pr = self.setup.pairs
        K, T = self.P.shape
        df = pd.DataFrame({
            "measure": np.repeat(pr["measure"].to_numpy(), T),
            "region": np.repeat(pr["region"].to_numpy(), T),
            "sector": np.repeat(pr["sector"].to_numpy(), T),
            "category": np.repeat(pr["category"].to_numpy(), T),
            "year": np.tile(self.years, K), "penetration": self.P.ravel()})
        return df

    def result(self) -> Result:
        """Labelled result: penetrations, the engine's pathway, the targets checked and the
        SLP history."""
        pm = self.pm25
        path = pd.DataFrame({"year": self.years,
                             "pm25_ugm3": np.full(len(self.years), np.nan) if pm is None else pm,
                             "co2_t": self.co2, "cost_yuan": self.outcome.cost})
        hist = pd.DataFrame(self.history, columns=["iteration", "max_rel_error", "objective",
                                                   "engine_runs"])
        b = self.setup.base
        aq = self.setup.aq
        prov = Provenance.of(b.project, gwp=b.project.manifest.gwp, objective=self.objective,
                             air_quality=None if aq is None else aq.model.name)
        return Result("optimisation_plan",
                      {"penetrations": self.penetrations(), "pathway": path,
                       "targets": violations(self), "iterations": hist}, prov,
                      {"objective": self.objective, "converged": bool(self.converged),
                       "cost_pv_yuan": self.cost_pv, "notes": list(self.notes)})

    def penetration_dict(self, tol: float = 1e-9) -> dict:
        """Penetrations as the scenario engine's ``penetrations`` argument."""
        return self.setup.ev.penetrations(self.P, tol)


def _promise(d: lpm.LPData, P: np.ndarray) -> dict:
    out = {"co2": d.co2.at(P, d.P0), "cost": d.cost.at(P, d.P0)}
    out["cost_pv"] = float(d.disc @ out["cost"])
    if d.pm25 is not None:
        out["pm25"] = d.pm25.at(P, d.P0)
    for s, q in d.species.items():
        out[s] = q.at(P, d.P0)
    return out


def _actual(s: Setup, o: Outcome, species: list[str]) -> dict:
    out = {"co2": o.emissions[s.species_index("CO2")], "cost": o.cost,
           "cost_pv": float(s.disc @ o.cost)}
    if s.aq is not None:
        out["pm25"] = s.aq.pm25(o.emissions)
    for sp in species:
        out[sp] = o.emissions[s.species_index(sp)]
    return out


def _rel_error(prom: dict, act: dict) -> float:
    err = 0.0
    for k, v in prom.items():
        a = np.atleast_1d(act[k])
        v = np.atleast_1d(v)
        if k == "cost_pv":
            continue  # implied by the annual costs
        scale = np.maximum(np.abs(a).max(initial=0.0), 1e-9)
        if k == "cost":  # annual costs can be ~0: scale by the largest annual cost
            scale = max(scale, 1.0)
        err = max(err, float(np.abs(v - a).max(initial=0.0) / scale))
    return err


def _slp(s: Setup, t: lpm.Targets, objective: str, P: np.ndarray, lin: Linearisation | None,
         slack: bool, max_iter: int, tol: float, lp_kw: dict, progress=None) -> Plan:
    species = sorted({sp for sp, _, _ in t.caps})
    history = []
    stage = "slp.relaxed" if slack else "slp"
    for it in range(1, max_iter + 1):
        report(progress, stage, it - 1, None, Msg("msg.prog_iteration", it=it, max=max_iter))
        if lin is None:
            # the first LP may reuse the last linearisation of this setup (any expansion
            # point is valid: the plan is accepted only when the engine agrees with the LP)
            c = s.__dict__.get("_lin_cache")
            lin = c if it == 1 and c is not None else linearise(
                s.ev, P, progress=scoped(progress, stage))
            s.__dict__["_lin_cache"] = lin
        d = s.lpdata(lin, species)
        res = lpm.build_and_solve(d, t, objective, slack=slack, **lp_kw)
        out = s.ev.evaluate(res.P, keep_run=True)
        prom, act = _promise(d, res.P), _actual(s, out, species)
        err = _rel_error(prom, act)
        history.append({"iteration": it, "max_rel_error": err, "objective": res.objective,
                        "build_s": res.build_s, "solve_s": res.solve_s,
                        "engine_runs": s.ev.n_runs})
        P = res.P
        if err <= tol:
            report(progress, stage, it, it, Msg("msg.prog_converged", it=it))
            return Plan(s, t, objective, P, out, prom, it, True, res, history)
        lin = None
    plan = Plan(s, t, objective, P, out, prom, max_iter, False, res, history)
    plan.notes.append(Msg("opt_not_converged", n=max_iter, err=f"{err:.2e}"))
    return plan


def violations(plan: Plan, tol: float = 1e-6) -> pd.DataFrame:
    """Engine-checked target violations of a plan: ``constraint, target, year, limit, value,
    shortfall, unit`` (shortfall > 0 = the target is missed by that much)."""
    s, t, yrs = plan.setup, plan.targets, np.asarray(plan.years)
    rows = []
    pm = plan.pm25
    if t.pm25_max is not None and pm is not None:
        for i in np.flatnonzero(yrs >= (t.pm25_year or yrs[0])):
            rows.append(("pm25", Msg("opt_c_pm25"), int(yrs[i]), t.pm25_max,
                         float(pm[i]), "µg/m³"))
    co2 = plan.co2
    if t.co2_peak_by is not None:
        for i in np.flatnonzero(yrs[:-1] >= t.co2_peak_by):
            rows.append(("co2_peak", Msg("opt_c_peak", by=t.co2_peak_by, year=int(yrs[i + 1]),
                                         prev=int(yrs[i])), int(yrs[i + 1]), float(co2[i]),
                         float(co2[i + 1]), "t CO2"))
    for y, v in sorted(t.co2_caps.items()):
        rows.append(("co2_cap", Msg("opt_c_co2cap"), int(y), float(v),
                     float(co2[list(yrs).index(y)]), "t CO2"))
    for sp, y, mx in t.caps:
        e = plan.outcome.emissions[s.species_index(sp), list(yrs).index(int(y))]
        rows.append(("cap", Msg("opt_c_cap", species=sp), int(y), float(mx), float(e), "t"))
    if t.budget is not None:
        rows.append(("budget", Msg("opt_c_budget"), int(yrs[0]), float(t.budget),
                     plan.cost_pv, "yuan"))
    df = pd.DataFrame(rows, columns=["constraint", "target", "year", "limit", "value", "unit"])
    df["shortfall"] = df["value"] - df["limit"]
    scale = np.maximum(np.abs(df["limit"].to_numpy(float)), 1.0)
    df["met"] = df["shortfall"].to_numpy() <= tol * scale
    return df[["constraint", "target", "year", "limit", "value", "shortfall", "unit", "met"]]


def optimise(s: Setup, targets: lpm.Targets, objective: str = "cost", *,
             max_iter: int = 12, tol: float = 1e-6, time_limit: float = 60.0,
             mip_gap: float = 1e-4, P_start: np.ndarray | None = None,
             eps_pm25: tuple[int, float] | None = None,
             eps_co2: tuple[int, float] | None = None,
             carbon_price: float = 80.0, apeq_price: float = 1.2,
             obj_year: int | None = None, explain: bool = True, progress=None) -> Plan:
    """Optimal penetrations for the targets, re-checked with the scenario engine.

    Raises
    ------
    InfeasibleError
        When the targets cannot all be met: ``report`` is the table of :func:`violations` of
        the plan that minimises the (normalised) relaxation of the targets, with the failing
        rows first.
    ModelError
        The solver failed or the co-control objective has no budget.

    ``explain=False`` skips the relaxation problem (used for Pareto ε points).
    ``progress``: callback of :mod:`cocontrol.progress` (stages ``slp``, ``slp.linearise``,
    ``slp.relaxed`` ...; SLP iterations have no known total).
    """
    if objective == "cocontrol" and targets.budget is None:
        raise ModelError(Msg("msg.opt_needs_budget"))
    K, T = s.ub.shape
    P = np.zeros((K, T)) if P_start is None else np.minimum(P_start, s.ub)
    kw = dict(time_limit=time_limit, mip_gap=mip_gap, eps_pm25=eps_pm25, eps_co2=eps_co2,
              carbon_price=carbon_price, apeq_price=apeq_price, obj_year=obj_year)
    try:
        return _slp(s, targets, objective, P, None, False, max_iter, tol, kw, progress)
    except lpm.LPInfeasible:
        if not explain:
            raise InfeasibleError(Msg("msg.opt_targets_not_explained"), None) from None
    try:
        relaxed = _slp(s, targets, objective, P, None, True, max_iter, tol, kw, progress)
    except lpm.LPInfeasible:  # only the ε-constraints or measure rules can cause this
        raise InfeasibleError(Msg("msg.opt_eps_or_rules"), None) from None
    rep = violations(relaxed, tol=1e-4)
    if rep["met"].all():  # the linearisation was the problem, not the targets
        return _slp(s, targets, objective, relaxed.P, None, False, max_iter, tol, kw, progress)
    # the relaxation of each target alone (all other targets kept), when that suffices
    rep["shortfall_if_only_this_relaxed"] = np.nan
    groups = {"pm25": "pm25", "co2_peak": "co2_peak", "co2_cap": "co2_cap",
              "budget": "budget"}
    for j, _ in enumerate(targets.caps):
        groups[f"cap{j}"] = "cap"
    cap_rows = np.flatnonzero(rep["constraint"].to_numpy() == "cap")
    for g, kind in groups.items():
        try:
            alone = _slp(s, targets, objective, relaxed.P, None, {g}, max_iter, tol, kw,
                         progress)
        except lpm.LPInfeasible:
            continue
        va = violations(alone, tol=1e-4)
        if kind == "cap":
            j = int(g[3:])
            rep.loc[cap_rows[j], "shortfall_if_only_this_relaxed"] = max(
                0.0, float(va.loc[cap_rows[j], "shortfall"]))
        else:
            m = (rep["constraint"] == kind).to_numpy()
            rep.loc[m, "shortfall_if_only_this_relaxed"] = np.maximum(
                0.0, va.loc[m, "shortfall"].to_numpy())
    rep = rep.sort_values("met", kind="stable").reset_index(drop=True)
    fail = rep[~rep["met"]]
    parts = [Msg("opt_inf_part", target=r.target, year=r.year, value=f"{r.value:,.4g}",
                 unit=r.unit, limit=f"{r.limit:,.4g}", short=f"{r.shortfall:,.4g}")
             for r in fail.itertuples()]
    alt = rep[rep["shortfall_if_only_this_relaxed"] > 0].groupby("target", sort=False)[
        "shortfall_if_only_this_relaxed"].max()
    alts = [Msg("opt_inf_alt_part", target=k, by=f"{v:,.4g}") for k, v in alt.items()]
    msg = Msg("opt_inf_msg", parts=parts)
    if alts:
        msg = Msg("opt_inf_msg_alt", parts=parts, alts=alts)
    err = InfeasibleError(msg, rep)
    err.plan = relaxed
    raise err
