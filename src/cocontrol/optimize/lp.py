"""The linear (or mixed-integer) programme on linearised coefficients, built with linopy and
solved with HiGHS. Pure arrays in, arrays out: the benchmark builds it from synthetic data.

Variables p[k, t] ∈ [0, ub[k, t]] (penetration of pair k in year t); for a lumpy pair with n
steps also an integer z[k, t] ∈ {0..n} with n·p[k, t] = max_k · z[k, t]. Every quantity q is
linear: q[t] = c_q[t] + Σ_k g_q[k, t] p[k, t] with c_q[t] = q(P0)[t] − Σ_k g_q[k, t] P0[k, t].
See docs/methods/optimisation.md for the formulation.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from cocontrol import io
from cocontrol.errors import ModelError
from cocontrol.i18n import Msg as M

log = logging.getLogger(__name__)
# The library configures no logging; the command line quiets linopy (cocontrol.cli.main).


@dataclass
class Quantity:
    """A linearised quantity by year: value at P0 (T,) and gradient (K, T)."""

    value0: np.ndarray
    grad: np.ndarray

    def const(self, P0: np.ndarray) -> np.ndarray:
        return self.value0 - (self.grad * P0).sum(axis=0)

    def at(self, P: np.ndarray, P0: np.ndarray) -> np.ndarray:
        return self.value0 + (self.grad * (P - P0)).sum(axis=0)


@dataclass
class LPData:
    """Everything the LP needs, as arrays over pairs K and years T."""

    years: list[int]
    P0: np.ndarray  # (K, T)
    ub: np.ndarray  # (K, T)
    pmax: np.ndarray  # (K,)
    steps: np.ndarray  # (K,) int, 0 = continuous
    magnitude: np.ndarray  # (K,) for pools
    disc: np.ndarray  # (T,) discount weights of annual costs
    cost: Quantity  # yuan/yr
    co2: Quantity  # t/yr scope 1
    pm25: Quantity | None = None  # µg/m³
    apeq: Quantity | None = None  # equivalents/yr
    species: dict[str, Quantity] = field(default_factory=dict)  # for caps, t/yr
    pools: list[list[int]] = field(default_factory=list)
    links: list[tuple[int, int, str]] = field(default_factory=list)
    lb: np.ndarray | None = None  # (K, T) lower bounds (fixing lumpy pairs for duals)


@dataclass
class Targets:
    """Targets of the optimisation.

    pm25_max
        Annual-mean PM2.5 limit (µg/m³), from ``pm25_year`` on (every later scenario year).
    co2_peak_by
        CO2 (scope 1) does not increase from this year on (so it peaks by then).
    co2_caps, caps
        ``{year: t}`` for CO2; ``[(species, year, max_t)]`` for any species (scope 1).
    budget
        Present value of the net cost of all measures (yuan, base-year value), at most.
    """

    pm25_max: float | None = None
    pm25_year: int | None = None
    co2_peak_by: int | None = None
    co2_caps: dict[int, float] = field(default_factory=dict)
    caps: list[tuple[str, int, float]] = field(default_factory=list)
    budget: float | None = None


@dataclass
class Row:
    """One target constraint row, for the infeasibility report and shadow prices."""

    name: str  # constraint group
    target: str
    year: int
    limit: float
    unit: str
    scale: float  # slack normalisation


@dataclass
class LPResult:
    P: np.ndarray
    status: str
    objective: float
    build_s: float
    solve_s: float
    mip_gap: float | None
    slacks: dict[str, np.ndarray] = field(default_factory=dict)
    duals: dict[str, np.ndarray] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)


class LPInfeasible(Exception):
    """The linear programme has no solution (internal; turned into InfeasibleError)."""


def _da(a, dims, K, T):
    coords = {"pair": np.arange(K), "period": np.arange(T)}
    return xr.DataArray(a, dims=dims, coords={d: coords[d] for d in dims})


def build_and_solve(d: LPData, t: Targets, objective: str = "cost", *,
                    slack: bool | set[str] = False,
                    eps_pm25: tuple[int, float] | None = None,
                    eps_co2: tuple[int, float] | None = None,
                    carbon_price: float = 80.0, apeq_price: float = 1.2,
                    time_limit: float = 60.0, mip_gap: float = 1e-4,
                    obj_year: int | None = None,
                    eps_pm25_levels: list[float] | None = None) -> LPResult:
    """Build the LP/MILP and solve it with HiGHS.

    Parameters
    ----------
    objective
        ``cost``: minimise the discounted net cost Σ_t w_t cost[t] (yuan); ``cocontrol``:
        maximise Σ_t w_t (apeq_price · ΔAPeq[t] + carbon_price · ΔCO2[t]) reductions
        (yuan-valued co-control benefit) under the budget; ``min_pm25`` / ``min_co2``:
        minimise PM2.5 / CO2 in the year of index ``obj_year`` (ends of a Pareto front).
    slack
        True: add a slack s ≥ 0 to every target row and minimise Σ s / scale (+1e-9 × cost),
        the minimal relaxation of the targets; a set of constraint groups (``pm25``,
        ``co2_peak``, ``co2_cap``, ``cap<j>``, ``budget``): soften only those.
    eps_pm25, eps_co2
        ε-constraints (year index, limit) for the Pareto front.
    eps_pm25_levels
        Solve the same model for each of these PM2.5 limits (the ε row's right-hand side is
        updated, the model is built once); returns a list of results (None = infeasible).
    """
    import linopy

    t0 = time.perf_counter()
    K, T = d.P0.shape
    years = np.asarray(d.years)
    m = linopy.Model()
    lower = 0.0 if d.lb is None else _da(d.lb, ("pair", "period"), K, T)
    p = m.add_variables(lower=lower, upper=_da(d.ub, ("pair", "period"), K, T), name="p")
    ints = np.flatnonzero(d.steps > 0)
    if len(ints):
        zub = np.floor(d.ub[ints] * d.steps[ints, None] / np.maximum(d.pmax[ints, None], 1e-12)
                       + 1e-9)
        z = m.add_variables(lower=0, upper=xr.DataArray(
            zub, dims=("pair", "period"), coords={"pair": ints, "period": np.arange(T)}),
            integer=True, name="z")
        m.add_constraints(p.sel(pair=ints) * xr.DataArray(d.steps[ints].astype(float),
                                                          dims="pair", coords={"pair": ints})
                          - z * xr.DataArray(d.pmax[ints], dims="pair", coords={"pair": ints})
                          == 0, name="lumpy")
    if T > 1:  # no un-building: p[k, t] ≥ p[k, t−1]
        m.add_constraints(p.isel(period=slice(1, None))
                          - p.isel(period=slice(0, -1)).assign_coords(period=np.arange(1, T))
                          >= 0, name="monotone")
    if d.pools:  # Σ magnitude × p ≤ 1 over competing switches (padded member table)
        width = max(len(g) for g in d.pools)
        idx = np.zeros((len(d.pools), width), dtype=int)
        coef = np.zeros((len(d.pools), width))
        for g, members in enumerate(d.pools):
            idx[g, :len(members)] = members
            coef[g, :len(members)] = d.magnitude[members]
        sel = p.isel(pair=xr.DataArray(idx, dims=("pool", "member")))
        m.add_constraints((sel * xr.DataArray(coef, dims=("pool", "member"))).sum("member")
                          <= 1.0, name="exclusive")
    eq = [(a, b) for a, b, k in d.links if k == "equal"]
    req = [(a, b) for a, b, k in d.links if k == "requires"]
    for name, lst, sign in (("companion", eq, "=="), ("precedence", req, "<=")):
        if lst:
            a = xr.DataArray(np.array([x for x, _ in lst]), dims="link")
            b = xr.DataArray(np.array([y for _, y in lst]), dims="link")
            pb = p.isel(pair=b).assign_coords(pair=("link", a.values))  # same labels
            m.add_constraints(p.isel(pair=a) - pb, sign, 0.0, name=name)

    def lin(q: Quantity):
        return (_da(q.grad, ("pair", "period"), K, T) * p).sum("pair"), q.const(d.P0)

    slacks: dict[str, object] = {}
    rows: dict[str, list[Row]] = {}

    def soft(name: str) -> bool:
        return slack is True or (isinstance(slack, set) and name in slack)

    row_scale: dict[str, np.ndarray] = {}

    def add(name: str, lhs, rhs: np.ndarray, rws: list[Row]):
        """lhs (dims 'period' restricted to selected positions) ≤ rhs, with slack if asked.
        Rows are divided by their scale (numerics of HiGHS); slacks are in those units."""
        sc = np.array([abs(r.scale) if r.scale and np.isfinite(r.scale) else 1.0
                       for r in rws])
        row_scale[name] = sc
        per = lhs.indexes["period"]
        inv = xr.DataArray(1.0 / sc, dims="period", coords={"period": per})
        rhs_da = xr.DataArray(np.asarray(rhs, float) / sc, dims="period",
                              coords={"period": per})
        if not soft(name):
            # a row without any measure acting on it (e.g. a year where no measure can act
            # yet) is dropped by linopy: check it here, or a violated target is "optimal"
            empty = ((lhs.coeffs == 0) | (lhs.vars < 0)).all("_term").values
            if (empty & (rhs_da.values < -1e-9)).any():
                raise LPInfeasible(M("msg.opt_fixed_row_violated", name=name))
        if soft(name):
            s = m.add_variables(lower=0.0, coords=[per], name=f"s_{name}")
            slacks[name] = s
            m.add_constraints(lhs * inv - s <= rhs_da, name=name)
        else:
            m.add_constraints(lhs * inv <= rhs_da, name=name)
        rows[name] = rws

    cost_c = d.cost.const(d.P0)
    disc = xr.DataArray(d.disc, dims="period", coords={"period": np.arange(T)})
    cost_pv = (_da(d.cost.grad * d.disc[None, :], ("pair", "period"), K, T) * p).sum()
    cost_pv_const = float((cost_c * d.disc).sum())
    if t.pm25_max is not None and d.pm25 is not None:
        sel = np.flatnonzero(years >= (t.pm25_year or years[0]))
        L, c = lin(d.pm25)
        add("pm25", L.sel(period=sel), t.pm25_max - c[sel],
            [Row("pm25", "PM2.5 annual mean", int(years[i]), t.pm25_max, "µg/m³",
                 t.pm25_max) for i in sel])
    co2_l, co2_c = lin(d.co2)
    if t.co2_peak_by is not None:
        sel = np.flatnonzero(years[:-1] >= t.co2_peak_by)  # rows: year i+1 ≤ year i
        if len(sel):
            lhs = (co2_l.isel(period=sel + 1)
                   - co2_l.isel(period=sel).assign_coords(period=sel + 1))
            scale = float(np.abs(d.co2.value0).max()) or 1.0
            add("co2_peak", lhs, co2_c[sel] - co2_c[sel + 1],
                [Row("co2_peak", f"CO2 not above its {years[i]} level", int(years[i + 1]),
                     np.nan, "t CO2", scale) for i in sel])
    if t.co2_caps:
        sel = np.array([list(years).index(y) for y in sorted(t.co2_caps)])
        lim = np.array([t.co2_caps[y] for y in sorted(t.co2_caps)], float)
        add("co2_cap", co2_l.sel(period=sel), lim - co2_c[sel],
            [Row("co2_cap", "CO2 cap", int(years[i]), float(v), "t CO2", float(v) or 1.0)
             for i, v in zip(sel, lim, strict=True)])
    for j, (sp, y, mx) in enumerate(t.caps):
        if sp not in d.species:
            raise ModelError(M("msg.opt_cap_not_linearised", sp=sp))
        L, c = lin(d.species[sp])
        i = list(years).index(int(y))
        add(f"cap{j}", L.sel(period=[i]), np.array([mx - c[i]]),
            [Row(f"cap{j}", f"{sp} cap", int(y), float(mx), "t", float(mx) or 1.0)])
    cost_scale = max(float((np.abs(d.cost.grad) * d.ub).sum(axis=0) @ d.disc), 1.0)
    if t.budget is not None:
        bs = max(abs(t.budget), cost_scale)
        row_scale["budget"] = np.array([bs])
        if soft("budget"):
            sb = m.add_variables(lower=0.0, name="s_budget")
            slacks["budget"] = sb
            m.add_constraints(cost_pv * (1 / bs) - sb <= (t.budget - cost_pv_const) / bs,
                              name="budget")
        else:
            m.add_constraints(cost_pv * (1 / bs) <= (t.budget - cost_pv_const) / bs,
                              name="budget")
        rows["budget"] = [Row("budget", "budget (present value)", int(years[0]), t.budget,
                              "yuan", bs)]
    if eps_pm25 is not None and d.pm25 is not None:
        L, c = lin(d.pm25)
        i, v = eps_pm25
        sc = max(abs(v), 1.0)
        m.add_constraints(L.sel(period=[i]) * (1 / sc) <= (v - c[i]) / sc, name="eps_pm25")
    if eps_co2 is not None:
        i, v = eps_co2
        sc = max(abs(v), 1.0)
        m.add_constraints(co2_l.sel(period=[i]) * (1 / sc) <= (v - co2_c[i]) / sc,
                          name="eps_co2")

    obj_scale = 1.0
    if slack is True or (isinstance(slack, set) and slack):
        obj = 0
        for s_ in slacks.values():  # rows are scaled: one unit of slack = one row scale
            obj = obj + s_.sum()
        obj = obj + cost_pv * (1e-9 / cost_scale)
        m.add_objective(obj)
    elif objective == "cost":
        obj_scale = 1.0 / cost_scale
        m.add_objective(cost_pv * obj_scale)
    elif objective == "cocontrol":
        if d.apeq is None:
            raise ModelError(M("msg.opt_needs_apeq"))
        ga = _da(d.apeq.grad * apeq_price + d.co2.grad * carbon_price, ("pair", "period"),
                 K, T)
        gw = ga * disc
        obj_scale = 1.0 / max(float(np.abs(gw).max()), 1e-12)
        m.add_objective((gw * p).sum() * obj_scale)  # minimise −benefit
    elif objective in ("min_pm25", "min_co2"):
        q = d.pm25 if objective == "min_pm25" else d.co2
        if q is None:
            raise ModelError(M("msg.opt_no_aq_model"))
        i = T - 1 if obj_year is None else obj_year
        obj_scale = 1.0 / max(float(np.abs(q.grad[:, i]).max()), 1e-12)
        m.add_objective((_da(q.grad[:, i] * obj_scale, ("pair",), K, T)
                         * p.isel(period=i)).sum() + cost_pv * (1e-9 / cost_scale))
    else:
        raise ModelError(M("msg.opt_unknown_objective", objective=repr(objective)))
    build_s = time.perf_counter() - t0

    def solve_current(build_s: float) -> LPResult:
        t1 = time.perf_counter()
        try:
            with io.quiet_stdout():
                status, cond = m.solve(solver_name="highs", io_api="direct", time_limit=time_limit,
                                       mip_rel_gap=mip_gap, output_flag=False,
                                       log_to_console=False, progress=False)
        except Exception as e:  # noqa: BLE001 - a solver failure becomes a plain ModelError
            raise ModelError(M("msg.opt_highs_failed", detail=e)) from e
        solve_s = time.perf_counter() - t1
        cond = str(cond)
        if cond in ("infeasible", "infeasible_or_unbounded"):
            raise LPInfeasible(cond)
        if status != "ok" and cond != "time_limit":
            raise ModelError(M("msg.opt_highs_stopped", status=status, cond=cond))
        P = np.asarray(p.solution.values, float)
        if np.isnan(P).any():
            raise ModelError(M("msg.opt_highs_time_limit", s=time_limit))
        gap = None
        if len(ints):
            try:
                gap = float(m.solver_model.getInfo().mip_gap)
            except Exception:  # noqa: BLE001
                gap = None
        obj_val = float(m.objective.value) / obj_scale
        res = LPResult(np.clip(P, 0.0, d.ub), cond, obj_val, build_s, solve_s, gap, rows=rows)
        for name, sv in slacks.items():
            res.slacks[name] = np.atleast_1d(np.asarray(sv.solution.values, float)) \
                * row_scale[name]
        if len(ints) and not slacks and rows:
            # shadow prices of a MILP: the LP with the lumpy pairs fixed at their optimum
            from dataclasses import replace

            Pf = np.clip(P, 0.0, d.ub)
            lb = np.zeros_like(d.ub) if d.lb is None else d.lb.copy()
            ub = d.ub.copy()
            lb[ints], ub[ints] = Pf[ints], Pf[ints]
            try:
                fixed = build_and_solve(replace(d, steps=np.zeros_like(d.steps), lb=lb, ub=ub),
                                        t, objective, eps_pm25=eps_pm25, eps_co2=eps_co2,
                                        carbon_price=carbon_price, apeq_price=apeq_price,
                                        time_limit=time_limit, obj_year=obj_year)
                res.duals = fixed.duals
            except (LPInfeasible, ModelError):
                pass
        if not len(ints) and not slacks:
            for name in rows:
                try:
                    res.duals[name] = np.atleast_1d(np.asarray(
                        m.constraints[name].dual.values, float)) / row_scale[name] / obj_scale
                except Exception:  # noqa: BLE001
                    pass
        return res

    if eps_pm25_levels is None:
        return solve_current(build_s)
    # ε sweep on one model: only the right-hand side of the ε row changes
    if eps_pm25 is None:
        raise ModelError(M("msg.opt_eps_levels"))
    c_eps = d.pm25.const(d.P0)
    i, v0 = eps_pm25
    sc = max(abs(v0), 1.0)  # the row scale used when the model was built
    out = []
    for j, v in enumerate(eps_pm25_levels):
        t2 = time.perf_counter()
        m.constraints["eps_pm25"].update(rhs=(v - c_eps[i]) / sc)
        b = build_s + time.perf_counter() - t2 if j == 0 else time.perf_counter() - t2
        try:
            out.append(solve_current(b))
        except LPInfeasible:
            out.append(None)
    return out
