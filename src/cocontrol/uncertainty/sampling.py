"""Sampling uniforms for every parameter: Monte Carlo or Latin hypercube, with correlations
between parameters through a Gaussian copula.

``sample(names, n, method, seed, correlation)`` returns an ``n × p`` array of uniforms; the
parameters' distributions turn them into multipliers (:meth:`Distribution.ppf`). A correlation
group — one factor used by many lines — is *one* parameter, so those lines share one draw.

* ``mc``: independent uniforms from ``numpy.random.default_rng(seed)``.
* ``lhs``: Latin hypercube (McKay, Beckman & Conover 1979) by ``scipy.stats.qmc``: each
  parameter's n values fall one in each of n equal-probability strata.
* correlation: uniforms → standard normals z, then z L^T with L the Cholesky factor of the
  correlation matrix, then back to uniforms Φ(z) (the normal-score correlation is the one
  given; margins are unchanged, the LHS stratification of correlated parameters is not kept).

Draws are reproducible: the same (names, n, method, seed, correlation) give the same numbers,
and chunk c of a distributed run uses its own child seed ``SeedSequence(seed).spawn``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.stats import qmc

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M

METHODS = ("mc", "lhs")


def sample(names: list[str], n: int, method: str = "lhs", seed: int = 0,
           correlation: dict[tuple[str, str], float] | None = None) -> np.ndarray:
    """Uniforms (n × len(names)) for the named parameters."""
    if method not in METHODS:
        raise InputError(Problem(file="<uncertainty>", column="method", value=method,
                                 message=M("msg.unc_unknown_sampling_method"), expected=M("msg.unc_mc_lhs")))
    if n < 1:
        raise InputError(Problem(file="<uncertainty>", column="draws", value=n,
                                 message=M("msg.unc_need_at_least_one"), expected=">= 1"))
    p = len(names)
    if p == 0:
        return np.empty((n, 0))
    if method == "mc":
        u = np.random.default_rng(seed).random((n, p))
    else:
        u = qmc.LatinHypercube(d=p, seed=np.random.default_rng(seed)).random(n)
    if correlation:
        u = _correlate(u, names, correlation)
    return u


def correlation_matrix(names: list[str], correlation: dict[tuple[str, str], float]
                       ) -> np.ndarray:
    """The p × p matrix of the given pairwise correlations (checked positive definite)."""
    idx = {nm: i for i, nm in enumerate(names)}
    C = np.eye(len(names))
    for (a, b), rho in correlation.items():
        miss = [x for x in (a, b) if x not in idx]
        if miss:
            raise InputError(Problem(file="<uncertainty>", column="correlations",
                                     value=", ".join(miss), message=M("msg.unc_unknown_parameter"),
                                     expected=M("msg.unc_parameter_ids_model")))
        if not -1 < rho < 1:
            raise InputError(Problem(file="<uncertainty>", column="correlations",
                                     value=rho, message=M("msg.unc_correlation_out_range"),
                                     expected=M("msg.unc_1_rho_1_use")))
        C[idx[a], idx[b]] = C[idx[b], idx[a]] = rho
    if np.linalg.eigvalsh(C).min() <= 0:
        raise InputError(Problem(file="<uncertainty>", column="correlations",
                                 message=M("msg.unc_correlations_are_not_positive"),
                                 expected=M("msg.unc_consistent_set_pairwise_correlations")))
    return C


def _correlate(u: np.ndarray, names: list[str], correlation) -> np.ndarray:
    C = correlation_matrix(names, correlation)
    z = stats.norm.ppf(np.clip(u, 1e-12, 1 - 1e-12))
    return stats.norm.cdf(z @ np.linalg.cholesky(C).T)


def chunk_seeds(seed: int, n_chunks: int) -> list[int]:
    """Independent child seeds of ``seed`` for chunks 0..n-1 (numpy SeedSequence.spawn)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n_chunks)]
