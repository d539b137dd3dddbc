"""A plan's probability of success and a robust variant: the least-cost plan (of the
optimiser) whose targets hold with a chosen probability.

Method (chance constraints by back-off, checked by sample average on fresh draws):

1. Solve the deterministic plan x₀ for the targets (limits L_i).
2. Draw K members of the uncertainty model with the plan's penetrations; estimate the joint
   probability p̂ that every target holds (:func:`cocontrol.uncertainty.attainment`).
3. While p̂ < p*: tighten each limit by the back-off b_i = Q_α(y_i) − y_i(central), the
   α-quantile of the target quantity y_i over the draws minus its central value (α starts at
   p* and rises by p* − p̂ after each round), solve again with L_i − b_i, and go to 2.
4. When the tightened targets cannot be met, the limits between the last feasible and the
   infeasible set are bisected (``bisect`` steps): the result is then the most robust plan
   the measures allow, reported with ``met=False`` and its probability.
5. The accepted plan is re-assessed on an independent sample (another seed) so the
   probability reported is not the one the back-off was tuned on.

Back-off (constraint tightening by the spread of the uncertain outcome) is the usual
tractable approximation of a chance constraint P(y(x, ξ) ≤ L) ≥ p; the sample-average check
follows Luedtke & Ahmed (2008), *A sample approximation approach for optimization with
probabilistic constraints*, SIAM J. Optim. 19(2): 674–699. The result is the least-cost plan
for the tightened targets, not the exact optimum of the chance-constrained problem; every
round is reported (limits, cost, probability).

Targets handled: PM2.5 limit (every scenario year from its first year on, as the optimiser
states it), CO2 and species caps. A CO2 peak target has no limit to tighten: it is assessed,
never backed off (stated in the notes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol.errors import InfeasibleError, InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.uncertainty.analysis import Target, attainment
from cocontrol.uncertainty.ensemble import KINDS, AQLink, EnsembleResult, build_model


def aq_from_link(link) -> AQLink:
    """The uncertainty model's PM2.5 link from the optimiser's (a linear, or linearised at
    the base, ``optimize.airlink.AirQualityLink``): one component, PM2.5 = C₀ + Σ_s c_s
    (E_s − E_s,0), the species as their own precursors."""
    species = list(link.species_coef.index)
    S = len(species)
    return AQLink(["PM2.5"], np.array([float(link.pm25_base)]),
                  link.species_coef.to_numpy(float)[None, :], species, np.eye(S),
                  np.asarray(link.E_base, float), getattr(link.model, "name", ""))


def targets_of(t, years: list[int]) -> list[Target]:
    """The optimiser's targets (``optimize.lp.Targets``) as targets assessed on draws."""
    out: list[Target] = []
    if t.pm25_max is not None:
        first = t.pm25_year if t.pm25_year is not None else years[0]
        out += [Target(kind="pm25_max", year=y, value=float(t.pm25_max)) for y in years
                if y >= first]
    if t.co2_peak_by is not None and t.co2_peak_by in years:
        out.append(Target(kind="peak_by", year=int(t.co2_peak_by), species="CO2"))
    out += [Target(kind="cap", year=int(y), value=float(v), species="CO2")
            for y, v in sorted(t.co2_caps.items())]
    out += [Target(kind="cap", year=int(y), value=float(v), species=s) for s, y, v in t.caps]
    return out


def plan_paths(plan) -> dict:
    """A plan's penetrations as paths shared by every member (1 × T arrays), the form
    :func:`cocontrol.scenario.run_batch` (and ``build_model(penetrations=)``) takes."""
    return {k: np.asarray(v, float).reshape(1, -1) for k, v in plan.penetration_dict().items()}


@dataclass
class RobustPlan:
    """The accepted plan, the deterministic plan it started from, the probabilities of both
    (in-sample and on fresh draws), the tightened targets and every round."""

    plan: object
    deterministic: object
    probability: float
    targets: object
    rounds: pd.DataFrame
    assessment: pd.DataFrame  # attainment of the accepted plan on the independent sample
    deterministic_assessment: pd.DataFrame
    met: bool
    notes: list[str] = field(default_factory=list)

    @property
    def price_of_robustness(self) -> float:
        """Extra present-value cost of the robust plan over the deterministic one (yuan)."""
        return float(self.plan.cost_pv - self.deterministic.cost_pv)


def _quantity(res: EnsembleResult, t: Target) -> np.ndarray:
    j = res.years.index(t.year)
    return res.pm25[:, j] if t.kind == "pm25_max" else res.series(t.species)[:, j]


def _draws(model, n: int, seed: int, method: str) -> EnsembleResult:
    from cocontrol.uncertainty.distributed import run_draws

    return run_draws(model, n, method=method, seed=seed, chunk=min(n, 1000))


def robust_plan(setup, targets, probability: float = 0.9, *, draws: int = 500, seed: int = 0,
                method: str = "lhs", kinds: tuple[str, ...] = KINDS, aq: AQLink | None = None,
                max_rounds: int = 6, bisect: int = 3, progress=None,
                **optimise_kw) -> RobustPlan:
    """The least-cost plan of ``setup`` (``optimize.slp.Setup``) whose ``targets``
    (``optimize.lp.Targets``) all hold with probability ≥ ``probability`` under the
    uncertainty model of the setup's base scenario (:func:`build_model` with ``kinds``).

    ``aq`` defaults to the setup's own air-quality link (:func:`aq_from_link`).
    ``optimise_kw`` goes to :func:`cocontrol.optimize.optimise`. Raises
    :class:`InfeasibleError` when even the deterministic targets cannot be met; when the
    tightened targets become infeasible the last feasible round is returned with
    ``met=False`` and the reason in the notes.
    """
    from cocontrol.optimize import optimise

    _check(probability, draws)
    base, scenario = setup.base, setup.ev.scenario
    years = list(base.years)
    if aq is None and setup.aq is not None:
        aq = aq_from_link(setup.aq)
    checks = targets_of(targets, years)
    if not checks:
        raise InputError(Problem(file="<robust>", column="targets",
                                 message=M("msg.unc_no_target_hold_with")))
    if any(t.kind == "pm25_max" for t in checks) and aq is None:
        raise InputError(Problem(file="<robust>", column="targets", value="pm25_max",
                                 message=M("msg.unc_pm2_5_targets_need"),
                                 expected=M("msg.unc_air_quality_settings_optimisation")))
    notes = []
    if targets.co2_peak_by is not None:
        notes.append("the CO2 peak target is assessed on every draw but has no limit to "
                     "tighten (back-off applies to PM2.5 and caps)")
    if targets.budget is not None:
        notes.append("the budget stays a deterministic constraint (costs are sampled in the "
                     "assessment only)")

    def assess(plan, s):
        model = build_model(base, scenario, kinds=kinds, aq=aq,
                            penetrations=plan_paths(plan))
        res = _draws(model, draws, s, method)
        central = model.evaluate(np.full((1, len(model.params)), 0.5))
        return res, central, attainment(res, checks)

    if progress:
        progress("robust", 0, max_rounds, "deterministic plan")
    first = optimise(setup, targets, **optimise_kw)
    plan, tight, level = first, targets, probability
    rounds, accepted = [], None
    best = None  # (probability, plan, targets): the most robust feasible plan seen

    def record(r, plan, tight, alpha, stage):
        res, central, prob = assess(plan, seed)
        p_all = float(prob["probability"].iloc[-1])
        rounds.append({"round": r, "stage": stage, "alpha": alpha, "pm25_max": tight.pm25_max,
                       "co2_caps": dict(tight.co2_caps), "caps": list(tight.caps),
                       "cost_pv_yuan": plan.cost_pv, "probability_all": p_all,
                       "std_error": float(prob["std_error"].iloc[-1])})
        return res, central, prob, p_all

    for r in range(max_rounds):
        res, central, prob, p_all = record(len(rounds), plan, tight, level, "back-off")
        if best is None or p_all > best[0]:
            best = (p_all, plan, tight)
        if progress:
            progress("robust", r + 1, max_rounds, f"P = {p_all:.3f}")
        if p_all >= probability:
            accepted = plan
            break
        feasible_t, target_t = tight, _tighten(targets, checks, res, central, level)
        level = min(0.999, level + (probability - p_all))
        try:
            plan, tight = optimise(setup, target_t, **optimise_kw), target_t
        except InfeasibleError as e:
            notes.append(f"round {r + 1}: the tightened targets cannot be met ({e})")
            # bisect between the last feasible and the infeasible limits: the most robust
            # plan the measures allow
            lo, hi = 0.0, 1.0
            for _ in range(bisect):
                mid = (lo + hi) / 2
                t_mid = _between(feasible_t, target_t, mid)
                try:
                    pl = optimise(setup, t_mid, **optimise_kw)
                except InfeasibleError:
                    hi = mid
                    continue
                lo = mid
                *_, p_mid = record(len(rounds), pl, t_mid, level, "bisection")
                if p_mid > best[0]:
                    best = (p_mid, pl, t_mid)
                if p_mid >= probability:
                    accepted, tight = pl, t_mid
                    break
            break
    met = accepted is not None
    final = accepted if met else best[1]
    if not met:
        tight = best[2]
        notes.append(f"the probability {probability:g} is not reached: the most robust "
                     f"feasible plan found has P = {best[0]:.3f} (tuned sample)")
    _, _, fresh = assess(final, seed + 1)
    _, _, det_fresh = assess(first, seed + 1)
    if met and float(fresh["probability"].iloc[-1]) < probability:
        notes.append("on the independent sample the probability is below the target "
                     "(within sampling error of the tuned sample): raise draws to confirm")
    return RobustPlan(final, first, probability, tight, pd.DataFrame(rounds), fresh,
                      det_fresh, met, notes)


def _between(a, b, lam: float):
    """Targets a + λ (b − a): the limits between a feasible and an infeasible set."""
    def mix(x, y):
        return x + lam * (y - x)

    return dataclasses.replace(
        a, pm25_max=None if a.pm25_max is None else mix(a.pm25_max, b.pm25_max),
        co2_caps={y: mix(v, b.co2_caps[y]) for y, v in a.co2_caps.items()},
        caps=[(s, y, mix(v, vb)) for (s, y, v), (_, _, vb) in zip(a.caps, b.caps,
                                                                  strict=True)])


def _check(probability: float, draws: int) -> None:
    if not 0.5 <= probability < 1.0:
        raise InputError(Problem(file="<robust>", column="probability", value=probability,
                                 message=M("msg.unc_probability_success_out_range"),
                                 expected="0.5 ≤ p < 1"))
    if draws < 50:
        raise InputError(Problem(file="<robust>", column="draws", value=draws,
                                 message=M("msg.unc_too_few_draws_estimate"),
                                 expected="≥ 50"))


def _tighten(original, checks: list[Target], res: EnsembleResult, central: EnsembleResult,
             alpha: float):
    """Original limits minus the back-off of each target at quantile ``alpha``."""
    def backoff(t: Target) -> float:
        return max(0.0, float(np.quantile(_quantity(res, t), alpha)
                              - _quantity(central, t)[0]))

    pm = [backoff(t) for t in checks if t.kind == "pm25_max"]
    pm25 = None if original.pm25_max is None else original.pm25_max - (max(pm) if pm else 0.0)
    caps_co2 = {y: v - backoff(Target(kind="cap", year=int(y), value=float(v), species="CO2"))
                for y, v in original.co2_caps.items()}
    caps = [(s, y, v - backoff(Target(kind="cap", year=int(y), value=float(v), species=s)))
            for s, y, v in original.caps]
    return dataclasses.replace(original, pm25_max=pm25, co2_caps=caps_co2, caps=caps)


def robust_project(project, probability: float = 0.9, *, draws: int = 500, seed: int = 0,
                   method: str = "lhs", kinds: tuple[str, ...] = KINDS, max_rounds: int = 6,
                   time_limit: float = 60.0, progress=None) -> RobustPlan:
    """:func:`robust_plan` of a project (a :class:`~cocontrol.project.Project`, or a folder
    read by the I/O layer) with the targets and air-quality settings of its
    ``optimisation.yaml``; PM2.5 through the city's TM5-FASST link (:func:`aq_link`)."""
    from cocontrol.optimize import settings as st
    from cocontrol.optimize.runner import build_setup, check_targets, targets_from
    from cocontrol.project.loader import Project, load_project
    from cocontrol.uncertainty.ensemble import aq_link

    _check(probability, draws)
    project = project if isinstance(project, Project) else load_project(project)
    s = st.from_project(project)
    stp, _ = build_setup(project, s)
    t = targets_from(s)
    if t.pm25_max is not None and t.pm25_year is None:
        t.pm25_year = stp.years[-1]
    check_targets(t, stp.years)
    aq = None
    if s.air_quality is not None and s.air_quality.model == "tm5fasst_city":
        a = s.air_quality
        aq = aq_link(stp.base, a.city, a.pm25_base_ugm3, a.local_share, a.om_share_of_primary,
                     a.om_oc_ratio, a.source)
    return robust_plan(stp, t, probability, draws=draws, seed=seed, method=method,
                       kinds=kinds, aq=aq, max_rounds=max_rounds, progress=progress,
                       time_limit=time_limit)
