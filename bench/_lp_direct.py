"""The optimisation LP of ``cocontrol.optimize.lp.build_and_solve`` (cost objective, no
slacks) built directly as one sparse matrix for HiGHS (``highspy``), without linopy: the
reference of bench/optimize.py for the build and solve times of the modelling layer.

Same variables, rows, row scaling and objective scaling as ``build_and_solve``, so the two
must reach the same optimal objective (checked by the bench)."""

from __future__ import annotations

import time

import highspy
import numpy as np
import scipy.sparse as sp

from cocontrol.optimize import lp as lpm


class _Rows:
    """Accumulates rows lo ≤ Σ a·x ≤ hi as COO triplets."""

    def __init__(self):
        self.r, self.c, self.v, self.lo, self.hi = [], [], [], [], []
        self.n = 0

    def add(self, rows, cols, vals, lo, hi):
        """``rows`` local row ids (0..m−1) of every nonzero; lo/hi per local row."""
        m = len(lo)
        self.r.append(np.asarray(rows, np.int64) + self.n)
        self.c.append(np.asarray(cols, np.int64))
        self.v.append(np.asarray(vals, float))
        self.lo.append(np.broadcast_to(np.asarray(lo, float), (m,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, float), (m,)))
        self.n += m


def build(d: lpm.LPData, t: lpm.Targets) -> tuple[highspy.Highs, dict]:
    K, T = d.P0.shape
    years = np.asarray(d.years)
    inf = highspy.kHighsInf
    pid = np.arange(K * T).reshape(K, T)  # p[k, t]
    ints = np.flatnonzero(d.steps > 0)
    nz = len(ints) * T
    zid = K * T + np.arange(nz).reshape(len(ints), T)
    ncol = K * T + nz
    lower = np.zeros(ncol)
    upper = np.empty(ncol)
    upper[:K * T] = d.ub.ravel()
    if d.lb is not None:
        lower[:K * T] = d.lb.ravel()
    if len(ints):
        upper[K * T:] = np.floor(d.ub[ints] * d.steps[ints, None]
                                 / np.maximum(d.pmax[ints, None], 1e-12) + 1e-9).ravel()
    rows = _Rows()
    if len(ints):  # steps·p − pmax·z = 0
        m = len(ints) * T
        loc = np.arange(m)
        rows.add(np.r_[loc, loc], np.r_[pid[ints].ravel(), zid.ravel()],
                 np.r_[np.repeat(d.steps[ints].astype(float), T),
                       -np.repeat(d.pmax[ints], T)], np.zeros(m), np.zeros(m))
    if T > 1:  # p[k, t] − p[k, t−1] ≥ 0
        m = K * (T - 1)
        loc = np.arange(m)
        rows.add(np.r_[loc, loc], np.r_[pid[:, 1:].ravel(), pid[:, :-1].ravel()],
                 np.r_[np.ones(m), -np.ones(m)], np.zeros(m), np.full(m, inf))
    if d.pools:  # Σ magnitude·p ≤ 1 per pool and period
        g = np.repeat(np.arange(len(d.pools)), [len(x) for x in d.pools])
        mem = np.concatenate([np.asarray(x) for x in d.pools])
        r = (g[:, None] * T + np.arange(T)[None, :]).ravel()
        rows.add(r, pid[mem].ravel(), np.repeat(d.magnitude[mem], T),
                 np.full(len(d.pools) * T, -inf), np.ones(len(d.pools) * T))
    for kind, lo_v, hi_v in (("equal", 0.0, 0.0), ("requires", -inf, 0.0)):
        lst = [(a, b) for a, b, k in d.links if k == kind]
        if lst:
            a = np.array([x for x, _ in lst])
            b = np.array([y for _, y in lst])
            m = len(lst) * T
            loc = np.arange(m)
            rows.add(np.r_[loc, loc], np.r_[pid[a].ravel(), pid[b].ravel()],
                     np.r_[np.ones(m), -np.ones(m)], np.full(m, lo_v), np.full(m, hi_v))

    def quantity_rows(q: lpm.Quantity, sel: np.ndarray, scale: np.ndarray, rhs: np.ndarray,
                      sel_minus: np.ndarray | None = None):
        """Σ_k g[k, sel]·p[k, sel] (− the same at sel_minus) ≤ rhs, rows divided by scale."""
        m = len(sel)
        r = np.repeat(np.arange(m)[None, :], K, axis=0).ravel()
        cols = pid[:, sel].ravel()
        vals = (q.grad[:, sel] / scale[None, :]).ravel()
        if sel_minus is not None:
            r = np.r_[r, r]
            cols = np.r_[cols, pid[:, sel_minus].ravel()]
            vals = np.r_[vals, (-q.grad[:, sel_minus] / scale[None, :]).ravel()]
        rows.add(r, cols, vals, np.full(m, -inf), rhs / scale)

    if t.pm25_max is not None and d.pm25 is not None:
        sel = np.flatnonzero(years >= (t.pm25_year or years[0]))
        c = d.pm25.const(d.P0)
        sc = np.full(len(sel), abs(t.pm25_max) or 1.0)
        quantity_rows(d.pm25, sel, sc, t.pm25_max - c[sel])
    co2_c = d.co2.const(d.P0)
    if t.co2_peak_by is not None:
        sel = np.flatnonzero(years[:-1] >= t.co2_peak_by)
        if len(sel):
            scale = float(np.abs(d.co2.value0).max()) or 1.0
            quantity_rows(d.co2, sel + 1, np.full(len(sel), scale),
                          co2_c[sel] - co2_c[sel + 1], sel_minus=sel)
    if t.co2_caps:
        sel = np.array([list(years).index(y) for y in sorted(t.co2_caps)])
        lim = np.array([t.co2_caps[y] for y in sorted(t.co2_caps)], float)
        quantity_rows(d.co2, sel, np.where(lim != 0, np.abs(lim), 1.0), lim - co2_c[sel])
    cost_scale = max(float((np.abs(d.cost.grad) * d.ub).sum(axis=0) @ d.disc), 1.0)
    cost = np.zeros(ncol)
    cost[:K * T] = (d.cost.grad * d.disc[None, :]).ravel() / cost_scale
    A = sp.csc_matrix((np.concatenate(rows.v), (np.concatenate(rows.r), np.concatenate(rows.c))),
                      shape=(rows.n, ncol))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = ncol, rows.n
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_ = np.concatenate(rows.lo)
    lp.row_upper_ = np.concatenate(rows.hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    if len(ints):
        lp.integrality_ = [highspy.HighsVarType.kContinuous] * (K * T) + \
            [highspy.HighsVarType.kInteger] * nz
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    cost_pv_const = float((d.cost.const(d.P0) * d.disc).sum())
    return h, {"cost_scale": cost_scale, "K": K, "T": T, "const": cost_pv_const}


def build_and_solve(d: lpm.LPData, t: lpm.Targets, time_limit: float = 120.0,
                    mip_gap: float = 1e-4) -> dict:
    t0 = time.perf_counter()
    h, info = build(d, t)
    build_s = time.perf_counter() - t0
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    t1 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t1
    status = h.modelStatusToString(h.getModelStatus())
    obj = h.getInfo().objective_function_value * info["cost_scale"]
    P = np.asarray(h.getSolution().col_value[:info["K"] * info["T"]]).reshape(info["K"],
                                                                              info["T"])
    return {"build_s": build_s, "solve_s": solve_s, "status": status, "objective": obj,
            "P": P}
