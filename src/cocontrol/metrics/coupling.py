"""Coupling coordination degree (耦合协调度) of two subsystems.

Used here for a pollution-reduction subsystem (``u1``, 减污) and a carbon-reduction
subsystem (``u2``, 降碳), each an index already normalised to [0, 1] (e.g. by an entropy-
weighted indicator system). Two formulas for the coupling degree C are offered:

``formula="original"`` (the normative two-system form, 传统模型)::

    C = 2 * sqrt(u1 * u2) / (u1 + u2)

``formula="corrected"`` (Wang Shujia et al. 2021, modified model, 修正模型), for n = 2::

    C = sqrt( [1 - sqrt((u2 - u1)**2)] * (u1 / max(u1, u2)) * (u2 / max(u1, u2)) )

which is the n = 2 case of their general form
``C = sqrt([1 - Σ_{i>j} sqrt((U_i - U_j)^2) / Σ_{m=1}^{n-1} m] * (Π_i U_i / max U_i)^(1/(n-1)))``.
In both cases ``T = alpha * u1 + beta * u2`` (alpha + beta = 1) and ``D = sqrt(C * T)``.

Sources
-------
- Wang Shujia, Kong Wei, Ren Liang, Zhi Dandan, Dai Binting (王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷),
  2021. 国内耦合协调度模型的误区及修正 (Research on misuses and modification of coupling
  coordination degree model in China). 自然资源学报 Journal of Natural Resources 36(3): 793-810.
  doi:10.31497/zrzyxb.20210319. (The same formula as transcribed in the R package
  ``coupling``, stscl/coupling, vignette "ccd".)
- Grades of D: ten-level scale of Liao Chongbin (廖重斌 1999, 热带地理 19(2)), as tabulated e.g. in
  Tian Shenzhen et al. 2021, 地理学报 76(4), Table 1: intervals (a, b] of width 0.1, D = 0 in the
  lowest grade.

Edge cases (documented, tested)
-------------------------------
- Inputs must lie in [0, 1] (the corrected formula needs |u2 - u1| <= 1); otherwise InputError.
- u1 = u2 = 0: C is 0/0 in both formulas; we set C = 0 and therefore D = 0 (no development means
  no coordination). NaN inputs give NaN outputs and grade "".
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M

__all__ = ["coupling_coordination", "coupling_degree", "grade_coordination", "GRADES"]

# (upper bound, english, chinese); a grade covers (previous upper, upper]; D = 0 -> first grade.
GRADES: list[tuple[float, str, str]] = [
    (0.1, "extreme imbalance", "极度失调"),
    (0.2, "serious imbalance", "严重失调"),
    (0.3, "moderate imbalance", "中度失调"),
    (0.4, "mild imbalance", "轻度失调"),
    (0.5, "on the verge of imbalance", "濒临失调"),
    (0.6, "barely coordinated", "勉强协调"),
    (0.7, "primary coordination", "初级协调"),
    (0.8, "intermediate coordination", "中级协调"),
    (0.9, "good coordination", "良好协调"),
    (1.0, "high-quality coordination", "优质协调"),
]


def _as_array(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    bad = np.isfinite(a) & ((a < 0) | (a > 1))
    if bad.any():
        vals = np.atleast_1d(a)[np.atleast_1d(bad)]
        raise InputError(
            Problem(
                file="<arguments>",
                column=name,
                message=M("msg.met_subsystem_index_normalised_0", name=name),
                value=float(vals[0]),
                expected=M("msg.met_value_between_0_1"),
            )
        )
    return a


def coupling_degree(u1, u2, formula: Literal["original", "corrected"] = "original") -> np.ndarray:
    """Coupling degree C of two subsystems (dimensionless, 0..1).

    Parameters
    ----------
    u1, u2 : array-like
        Subsystem indices in [0, 1].
    formula : {"original", "corrected"}
        ``original``: C = 2 sqrt(u1 u2)/(u1 + u2). ``corrected``: Wang Shujia et al. (2021),
        C = sqrt[(1 - |u2 - u1|) * (u1/max) * (u2/max)].
    """
    a = _as_array(u1, "u1")
    b = _as_array(u2, "u2")
    a, b = np.broadcast_arrays(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        if formula == "original":
            s = a + b
            # sqrt(a)*sqrt(b), not sqrt(a*b): avoids underflow of the product for tiny indices
            c = np.where(s > 0, 2.0 * np.sqrt(a) * np.sqrt(b) / np.where(s > 0, s, 1.0), 0.0)
        elif formula == "corrected":
            m = np.maximum(a, b)
            safe = np.where(m > 0, m, 1.0)
            inner = (1.0 - np.sqrt((b - a) ** 2)) * (a / safe) * (b / safe)
            c = np.where(m > 0, np.sqrt(np.clip(inner, 0.0, None)), 0.0)
        else:
            raise ValueError(M("msg.met_formula_original_corrected_got", formula=repr(formula)))
    nan = np.isnan(a) | np.isnan(b)
    return np.where(nan, np.nan, c)


def grade_coordination(d, lang: str = "en") -> np.ndarray:
    """Ten-level grade of the coupling coordination degree D (intervals (a, b], D=0 lowest)."""
    d = np.asarray(d, dtype=float)
    uppers = np.array([g[0] for g in GRADES])
    labels = np.array([g[2] if lang == "zh" else g[1] for g in GRADES] + [""], dtype=object)
    idx = np.searchsorted(uppers, np.round(d, 12), side="left")
    idx = np.where(np.isnan(d), len(GRADES), np.minimum(idx, len(GRADES) - 1))
    return labels[idx]


def coupling_coordination(
    u1,
    u2,
    alpha: float = 0.5,
    beta: float = 0.5,
    formula: Literal["original", "corrected"] = "original",
    lang: str = "en",
) -> pd.DataFrame:
    """Coupling degree C, comprehensive index T and coupling coordination degree D.

    Parameters
    ----------
    u1 : array-like or scalar
        Pollution-reduction (减污) subsystem index, normalised to [0, 1].
    u2 : array-like or scalar
        Carbon-reduction (降碳) subsystem index, normalised to [0, 1].
    alpha, beta : float
        Weights of u1 and u2 in T = alpha*u1 + beta*u2; must be >= 0 and sum to 1.
    formula : {"original", "corrected"}
        Coupling degree formula (see module docstring; corrected = Wang Shujia et al. 2021,
        自然资源学报 36(3): 793-810).
    lang : {"en", "zh"}
        Language of the ``grade`` label.

    Returns
    -------
    pandas.DataFrame
        Columns ``u1, u2, C, T, D, grade`` (dimensionless); index taken from ``u1`` when it is a
        Series, otherwise a RangeIndex.
    """
    if alpha < 0 or beta < 0 or not np.isclose(alpha + beta, 1.0, rtol=0, atol=1e-9):
        raise InputError(
            Problem(
                file="<arguments>",
                column="alpha, beta",
                message=M("msg.met_weights_two_subsystems_non"),
                value=(alpha, beta),
                expected=M("msg.met_alpha_beta_1_e"),
            )
        )
    index = u1.index if isinstance(u1, pd.Series) else (
        u2.index if isinstance(u2, pd.Series) else None)
    a = np.atleast_1d(_as_array(u1, "u1"))
    b = np.atleast_1d(_as_array(u2, "u2"))
    a, b = np.broadcast_arrays(a, b)
    c = coupling_degree(a, b, formula=formula)
    t = alpha * a + beta * b
    d = np.sqrt(c * t)
    return pd.DataFrame(
        {"u1": a, "u2": b, "C": c, "T": t, "D": d, "grade": grade_coordination(d, lang)},
        index=index,
    )
