"""Solve the square CGE system with a Newton-type method and explain failures.

``scipy.optimize.root`` with Powell's hybrid method (MINPACK ``hybrd``, forward-difference
Jacobian) first, then Levenberg–Marquardt (MINPACK ``lmdif``) from the best point found. The
solution is accepted only when the largest scaled residual is below ``tol``. Otherwise a
:class:`~cocontrol.errors.ModelError` lists the largest residuals by equation block and
suggests what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import root

from cocontrol.cge.model import CgeModel
from cocontrol.errors import ModelError
from cocontrol.i18n import Msg as M


@dataclass
class Solution:
    """A solved equilibrium: ``values`` holds every model variable (see ``CgeModel.evaluate``)."""

    model: CgeModel
    x: np.ndarray
    values: dict
    max_residual: float
    method: str
    nfev: int

    def __getitem__(self, key):
        return self.values[key]


def diagnose(model: CgeModel, x: np.ndarray, top: int = 8) -> str:
    """Plain-language diagnosis of a non-solution: largest residuals by equation block."""
    try:
        r = model.residuals(x)
    except Exception as e:  # pragma: no cover - defensive
        return f"the equations cannot be evaluated at the last point ({e})"
    r = np.where(np.isfinite(r), r, np.inf)
    lines = []
    per_block: dict[str, float] = {}
    for (block, _label), val in zip(model.eq_labels, r, strict=True):
        per_block[block] = max(per_block.get(block, 0.0), abs(val))
    lines.append("largest residual per equation block:")
    for b, val in sorted(per_block.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {b}: {val:.3g}")
    order = np.argsort(-np.abs(r))[:top]
    lines.append("largest single residuals:")
    for k in order:
        b, lab = model.eq_labels[k]
        lines.append(f"  {b} [{lab}]: {r[k]:.3g}")
    worst = max(per_block, key=per_block.get)
    hints = ["suggestions:"]
    try:
        v = model.evaluate(x)
        if (v["Xg"] < 0).any() or v["Tgov"] - v["Sg"] < 0:
            hints.append("  - government consumption would be negative: subsidies exceed the "
                         "government budget; lower the subsidy rate or recycle revenue to it")
        if (v["Xp"] < 0).any():
            hints.append("  - household consumption would be negative: check transfers, "
                         "taxes and saving rates")
    except Exception:  # pragma: no cover - diagnosis must never fail
        pass
    if "ETS" in worst:
        hints.append("  - the ETS cap may be too tight for the substitution possibilities: "
                     "loosen the cap or raise the energy elasticities")
    if "factor" in worst or "composite" in worst or "domestic" in worst:
        hints.append("  - a market cannot clear: check the SAM (tiny or zero flows), the "
                     "elasticities (very large or very small values) and the size of the shock")
    if "balance of payments" in worst:
        hints.append("  - the trade balance cannot close: try the other exchange-rate closure "
                     "or check the exports/imports of the SAM")
    hints.append("  - apply the shock in smaller steps (e.g. half the tax or subsidy rate) to "
                 "see where the model stops solving")
    return "\n".join(lines + hints)


def solve(model: CgeModel, x0: np.ndarray | None = None, tol: float = 1e-10,
          maxfev: int = 4000) -> Solution:
    """Solve ``model`` from ``x0`` (default: the benchmark point).

    Parameters
    ----------
    tol : largest accepted absolute residual (residuals are relative: log-price gaps and
        market excess demands as a share of benchmark quantities).

    Raises
    ------
    ModelError
        with the diagnosis of :func:`diagnose` when no method reaches ``tol``.
    """
    x = model.x_benchmark() if x0 is None else np.asarray(x0, float)

    def f(z):
        with np.errstate(all="ignore"):
            r = model.residuals(z)
        return np.where(np.isfinite(r), r, 1e6)

    best_x, best = x, np.max(np.abs(f(x)))
    nfev = 0
    method_used = "none"
    if best <= tol:
        method_used = "benchmark"
    else:
        for method, opts in (("hybr", {"xtol": 1e-13, "maxfev": maxfev}),
                             ("lm", {"xtol": 1e-13, "ftol": 1e-15, "maxiter": maxfev})):
            try:
                sol = root(f, best_x, method=method, options=opts)
            except Exception:  # pragma: no cover - scipy internal failure
                continue
            nfev += int(getattr(sol, "nfev", 0) or 0)
            m = np.max(np.abs(f(sol.x)))
            if m < best:
                best_x, best = sol.x, m
            if best <= tol:
                method_used = method
                break
    if not best <= tol:
        raise ModelError(
            M("msg.cge_not_solved", best=f"{best:.3g}", tol=f"{tol:g}",
              diagnosis=diagnose(model, best_x)))
    vals = model.evaluate(best_x)
    return Solution(model, best_x, vals, float(best), method_used, nfev)
