"""Distributions of multipliers, specified by a 95 % interval around the central value.

A parameter's multiplier m (central value 1) is given by its 95 % interval [lo, hi] as ratios
to the central value (the way IPCC 2006 Vol. 1 Ch. 3 and the EMEP/EEA guidebook state
uncertainty). Kinds:

* ``normal``: split normal with mode 1 — below 1, σ₋ = (1 − lo)/1.96; above, σ₊ = (hi − 1)/1.96
  (a plain normal when symmetric); truncated at 0 (a multiplier cannot be negative).
* ``lognormal``: split lognormal with median 1 — ln m has σ₋ = −ln(lo)/1.96 below and
  σ₊ = ln(hi)/1.96 above, so the 2.5 %, 50 % and 97.5 % quantiles are exactly lo, 1 and hi
  (a plain lognormal with median 1 when ln(lo) = −ln(hi)).
* ``uniform``: on [lo, hi]; ``triangular``: mode 1 on [lo, hi].

``ppf(u)`` maps uniforms u ∈ (0, 1) to multipliers (inverse CDF), which serves Monte Carlo,
Latin hypercube and Sobol sampling alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

Z95 = float(stats.norm.ppf(0.975))  # 1.959964
KINDS = ("normal", "lognormal", "uniform", "triangular")


@dataclass(frozen=True)
class Distribution:
    kind: Literal["normal", "lognormal", "uniform", "triangular"]
    lower: float
    upper: float
    source: str = ""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Multipliers for uniforms ``u`` (any shape)."""
        u = np.clip(np.asarray(u, dtype=float), 1e-12, 1 - 1e-12)
        lo, hi = self.lower, self.upper
        if self.kind == "uniform":
            return lo + (hi - lo) * u
        if self.kind == "triangular":
            c = (1.0 - lo) / (hi - lo) if hi > lo else 0.5
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        if self.kind == "lognormal":
            s_lo, s_hi = -np.log(lo) / Z95, np.log(hi) / Z95
            return _split(u, s_lo, s_hi, np.exp)
        # split normal truncated at 0: rescale u into the part of the CDF above m = 0
        s_lo, s_hi = (1.0 - lo) / Z95, (hi - 1.0) / Z95
        p0 = _split_cdf0(s_lo, s_hi)
        return _split(p0 + (1 - p0) * u, s_lo, s_hi, lambda z: 1.0 + z)


def _split(u: np.ndarray, s_lo: float, s_hi: float, f) -> np.ndarray:
    """Quantiles of a two-piece distribution with equal mass below and above the mode:
    u < 0.5 uses the lower half (σ₋), u ≥ 0.5 the upper half (σ₊)."""
    z = stats.norm.ppf(u)
    return f(np.where(z < 0, z * s_lo, z * s_hi))


def _split_cdf0(s_lo: float, s_hi: float) -> float:
    """P(m < 0) of the split normal (the part cut off by truncation)."""
    return float(stats.norm.cdf(-1.0 / s_lo)) if s_lo > 0 else 0.0


def from_range(lower: float, upper: float, kind: str = "lognormal", source: str = "",
               what: str = "<uncertainty>") -> Distribution:
    """A multiplier distribution from a 95 % interval [lower, upper] around 1 (checked)."""
    if kind not in KINDS:
        raise InputError(Problem(file=what, column="distribution", value=kind,
                                 message=M("msg.unc_unknown_distribution"), expected=Seq(list(KINDS), quote=True)))
    if not (np.isfinite(lower) and np.isfinite(upper)) or not 0 <= lower <= 1 <= upper:
        raise InputError(Problem(file=what, column="lower_ratio/upper_ratio",
                                 value=f"{lower}-{upper}",
                                 message=M("msg.unc_95_interval_contain_central"),
                                 expected=M("msg.unc_0_lower_1_upper")))
    if kind == "lognormal" and lower <= 0:
        raise InputError(Problem(file=what, column="lower_ratio", value=lower,
                                 message=M("msg.unc_lognormal_interval_needs_lower"),
                                 expected=M("msg.unc_lower_0_distribution_normal")))
    return Distribution(kind, float(lower), float(upper), source)
