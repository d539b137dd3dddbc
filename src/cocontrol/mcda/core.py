"""Multi-criteria decision analysis: normalisation, weighting (AHP, entropy, CRITIC), TOPSIS, VIKOR.

Everything is vectorised over alternatives (rows) and criteria (columns). Bad input raises
:class:`cocontrol.errors.InputError` naming the criterion / alternative and what was expected.

Sources
-------
* Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
  J. Math. Psychol. 15, 234-281; Saaty, T. L. (1980). The Analytic Hierarchy Process.
  McGraw-Hill (random index table, CR <= 0.10 rule).
* Aczél, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements.
  J. Math. Psychol. 27, 93-102 (geometric mean of group judgements).
* Hwang, C. L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and
  Applications. Springer (vector normalisation, entropy weights, TOPSIS).
* Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in
  multiple criteria problems: the CRITIC method. Comput. Oper. Res. 22(7), 763-770.
* Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: a comparative
  analysis of VIKOR and TOPSIS. Eur. J. Oper. Res. 156, 445-455.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, Text

#: Saaty's random consistency index RI by matrix order n: n = 1..10 from Saaty (1980), the
#: table used with the CR <= 0.10 rule; n = 11..15 are the values of Saaty's later, larger
#: simulations as commonly reproduced in the AHP literature (check them against your own
#: reference before relying on levels with more than 10 elements).
#: RI(1) = RI(2) = 0: matrices of order 1 and 2 are always consistent.
RANDOM_INDEX_SAATY: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
    10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

#: Saaty's threshold: judgements with CR above it should be revised.
CR_THRESHOLD = 0.10

_SRC = Text("<decision matrix>", "<决策矩阵>")
_PAIR = Text("<pairwise matrix>", "<判断矩阵>")
_PAIRS = Text("<pairwise matrices>", "<判断矩阵组>")
_WEIGHTS = Text("<weights>", "<权重>")
_WHAT = {"criterion type": Text("criterion type", "指标类型"), "weight": Text("weight", "权重")}


def _expert(k: int) -> Text:
    return Text(f"<pairwise matrix of expert {k}>", f"<专家{k}的判断矩阵>")


# ----------------------------------------------------------------------------- helpers
def _as_frame(matrix, what: str = _SRC, allow_nan: bool = False) -> pd.DataFrame:
    """Return a float DataFrame copy of ``matrix`` (alternatives x criteria), validated."""
    if isinstance(matrix, pd.DataFrame):
        df = matrix.copy()
    else:
        arr = np.asarray(matrix, dtype=float)
        if arr.ndim != 2:
            raise InputError(Problem(file=what, message=M("msg.mcda_2d"),
                                     value=f"{arr.ndim}-D", expected=M("exp.mcda_2d")))
        df = pd.DataFrame(arr, columns=[f"C{j + 1}" for j in range(arr.shape[1])],
                          index=[f"A{i + 1}" for i in range(arr.shape[0])])
    problems = []
    if all(pd.api.types.is_numeric_dtype(t) for t in df.dtypes):
        cols = []  # fast path: already numeric
        df = df.astype(float)
    else:
        cols = list(df.columns)
    for c in cols:
        col = pd.to_numeric(df[c], errors="coerce")
        bad = col.isna() & df[c].notna()
        for idx in df.index[bad.to_numpy()][:5]:
            problems.append(Problem(file=what, message=M("msg.mcda_nan"), row=None,
                                    column=str(c), value=f"{idx}: {df.at[idx, c]!r}",
                                    expected=M("exp.mcda_number")))
        df[c] = col.astype(float)
    if problems:
        raise InputError(problems)
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise InputError(Problem(file=what, message=M("msg.mcda_empty"),
                                 expected=M("exp.mcda_empty")))
    if not allow_nan:
        values = df.to_numpy()
        if not np.isfinite(values).all():
            rows, cols = np.nonzero(~np.isfinite(values))
            probs = [Problem(file=what, message=M("msg.mcda_inf"),
                             column=str(df.columns[j]), value=f"alternative {df.index[i]}",
                             expected=M("exp.mcda_inf"))
                     for i, j in list(zip(rows, cols, strict=True))[:20]]
            raise InputError(probs)
    return df


def _types(types, columns: pd.Index) -> np.ndarray:
    """Criterion types as an int array of +1 (benefit) / -1 (cost), aligned with ``columns``."""
    n = len(columns)
    if types is None:
        return np.ones(n, dtype=int)
    if isinstance(types, Mapping):
        missing = [c for c in columns if c not in types]
        if missing:
            raise InputError(Problem(file=_SRC, message=M("msg.mcda_no_type"),
                                     column=str(missing[0]), expected=M("exp.mcda_no_type")))
        seq = [types[c] for c in columns]
    elif isinstance(types, pd.Series | pd.DataFrame):
        seq = _labelled(types, columns, "criterion type")
    elif isinstance(types, str | int | float):
        seq = [types] * n
    else:
        seq = list(types)
    if len(seq) != n:
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_n_types"), value=len(seq), expected=str(n)))
    out = np.empty(n, dtype=int)
    for j, t in enumerate(seq):
        key = str(t).strip().lower()
        if key in ("1", "+1", "1.0", "benefit", "max", "positive", "正向"):
            out[j] = 1
        elif key in ("-1", "-1.0", "cost", "min", "negative", "逆向", "负向"):
            out[j] = -1
        else:
            raise InputError(Problem(file=_SRC, message=M("msg.mcda_type"),
                                     column=str(columns[j]), value=t,
                                     expected=M("exp.mcda_type")))
    return out


def _labelled(values, columns: pd.Index, what: str) -> list | None:
    """Values of a labelled input (Series, mapping, or a two-column table label/value) in the
    order of ``columns``; ``None`` for an unlabelled sequence. Labels must match the criteria
    exactly: a missing or an unknown label is an error, never a positional fallback."""
    if isinstance(values, pd.DataFrame):
        if values.shape[1] == 1:
            values = values.iloc[:, 0]
        elif values.shape[1] == 2:
            values = values.set_index(values.columns[0]).iloc[:, 0]
        else:
            raise InputError(Problem(file=_SRC, message=M("msg.mcda_label_table", what=_WHAT.get(what, what)), value=list(values.columns),
                                     expected=M("exp.mcda_label_table")))
    if isinstance(values, pd.Series | Mapping):
        keys = list(values.index if isinstance(values, pd.Series) else values.keys())
        have, want = set(map(str, keys)), set(map(str, columns))
        if len(keys) != len(have):
            raise InputError(Problem(file=_SRC, message=M("msg.mcda_label_twice", what=_WHAT.get(what, what)),
                                     value=sorted(str(k) for k in keys if keys.count(k) > 1)[:5],
                                     expected=M("exp.mcda_label_twice")))
        if have != want:
            raise InputError(Problem(
                file=_SRC, message=M("msg.mcda_labels", what=_WHAT.get(what, what)),
                value=f"missing: {sorted(want - have)[:5]}; unknown: {sorted(have - want)[:5]}",
                expected=Seq(list(map(str, columns)), quote=True)))
        lookup = {str(k): v for k, v in (values.items())}
        return [lookup[str(c)] for c in columns]
    return None


def _weights(weights, columns: pd.Index) -> np.ndarray:
    """Weights aligned with ``columns`` by label (labelled input) or given in criterion order
    (a plain sequence), non-negative, rescaled to sum to 1."""
    seq = _labelled(weights, columns, "weight")
    if seq is not None:
        w = np.array(seq, dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
    if w.shape[0] != len(columns):
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_n_weights"), value=w.shape[0],
                                 expected=str(len(columns))))
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        j = int(np.argmax(~np.isfinite(w) | (w < 0))) if w.size else 0
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_weight"), column=str(columns[j]),
                                 value=w[j], expected=M("exp.mcda_weight")))
    return w / w.sum()


# ----------------------------------------------------------------------------- normalisation
def normalize(matrix, types=None, method: str = "minmax", targets=None) -> pd.DataFrame:
    """Normalise a decision matrix so that, for every criterion, **higher is better**.

    Parameters
    ----------
    matrix : array-like or DataFrame
        Alternatives x criteria, in the criteria's own units.
    types : sequence of +1/-1 (or "benefit"/"cost"), optional
        Direction of each criterion; default all benefit.
    method : {"minmax", "vector", "target"}
        * ``minmax`` (linear scale transformation, Hwang & Yoon 1981):
          benefit ``(x - min) / (max - min)``, cost ``(max - x) / (max - min)``; a criterion on
          which all alternatives are equal gets 1 for everyone (no one is worse).
        * ``vector`` (Hwang & Yoon 1981): ``r = x / sqrt(sum x^2)``; cost criteria are returned
          as ``1 - r`` so that higher is better (same convention as pymcdm; TOPSIS distances
          are identical to the classic form that keeps ``r`` and takes the minimum as ideal).
        * ``target`` (achievement of a target value ``t`` > 0, capped at 1): benefit
          ``clip(x / t, 0, 1)``; cost ``1`` if ``x <= t`` else ``t / x``.
    targets : sequence or mapping, required for ``method="target"``
        Target value per criterion, in the criterion's unit.

    Returns
    -------
    DataFrame of the same shape, dimensionless, in [0, 1] for minmax and target.
    """
    df = _as_frame(matrix)
    t = _types(types, df.columns)
    x = df.to_numpy(dtype=float)
    if method == "minmax":
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = hi - lo
        safe = np.where(span > 0, span, 1.0)
        r = np.where(t > 0, (x - lo) / safe, (hi - x) / safe)
        r = np.where(span > 0, r, 1.0)
    elif method == "vector":
        norm = np.sqrt((x ** 2).sum(axis=0))
        safe = np.where(norm > 0, norm, 1.0)
        r = x / safe
        r = np.where(t > 0, r, 1.0 - r)
    elif method == "target":
        if targets is None:
            raise InputError(Problem(file=_SRC, message=M("msg.mcda_targets"), expected=M("exp.mcda_targets")))
        tv = _targets(targets, df.columns)
        with np.errstate(divide="ignore", invalid="ignore"):
            ben = np.clip(x / tv, 0.0, 1.0)
            cost = np.where(x <= tv, 1.0, tv / np.where(x > 0, x, 1.0))
        r = np.where(t > 0, ben, cost)
    else:
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_norm"),
                                 value=method, expected=M("exp.mcda_norm")))
    return pd.DataFrame(r, index=df.index, columns=df.columns)


def _targets(targets, columns: pd.Index) -> np.ndarray:
    if isinstance(targets, pd.Series) and set(columns) <= set(targets.index):
        tv = targets.reindex(columns).to_numpy(dtype=float)
    elif isinstance(targets, Mapping):
        tv = np.array([targets.get(c, np.nan) for c in columns], dtype=float)
    else:
        tv = np.asarray(targets, dtype=float).ravel()
    if tv.shape[0] != len(columns):
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_n_targets"), value=tv.shape[0],
                                 expected=str(len(columns))))
    bad = ~np.isfinite(tv) | (tv <= 0)
    if bad.any():
        j = int(np.argmax(bad))
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_target"),
                                 column=str(columns[j]), value=tv[j],
                                 expected=M("exp.mcda_target")))
    return tv


# ----------------------------------------------------------------------------- weights
def equal_weights(matrix) -> pd.Series:
    """Equal weights ``1/n`` for the ``n`` criteria of ``matrix``."""
    df = _as_frame(matrix, allow_nan=True)
    n = df.shape[1]
    return pd.Series(np.full(n, 1.0 / n), index=df.columns, name="weight")


def entropy_weights(matrix, types=None) -> pd.Series:
    """Shannon-entropy objective weights (Hwang & Yoon 1981, pp. 52-54).

    ``p_ij = x_ij / sum_i x_ij``; ``e_j = -(1/ln m) sum_i p_ij ln p_ij`` (with ``0 ln 0 = 0``);
    ``d_j = 1 - e_j``; ``w_j = d_j / sum_k d_k``.

    Parameters
    ----------
    matrix : array-like or DataFrame
        Alternatives x criteria. Without ``types`` the raw values are used and must be >= 0
        (Hwang & Yoon's form). With ``types`` the matrix is first min-max normalised with
        direction (common practice in Chinese evaluation studies, which makes the method
        usable with negative values and cost criteria).
    types : sequence of +1/-1, optional

    Returns
    -------
    Series of weights summing to 1. If no criterion varies, equal weights are returned.
    """
    df = _as_frame(matrix)
    m = df.shape[0]
    if types is not None:
        x = normalize(df, types, "minmax").to_numpy()
    else:
        x = df.to_numpy(dtype=float)
        if (x < 0).any():
            j = int(np.argmax((x < 0).any(axis=0)))
            raise InputError(Problem(file=_SRC, message=M("msg.mcda_entropy"), column=str(df.columns[j]),
                                     expected=M("exp.mcda_entropy")))
    if m < 2:
        return equal_weights(df)
    s = x.sum(axis=0)
    p = x / np.where(s > 0, s, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    e = np.where(s > 0, e, 1.0)  # an all-zero column carries no information
    d = np.clip(1.0 - e, 0.0, None)
    if d.sum() <= 0:
        return equal_weights(df)
    return pd.Series(d / d.sum(), index=df.columns, name="weight")


def critic_weights(matrix, types=None) -> pd.Series:
    """CRITIC objective weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    The matrix is min-max normalised with direction; ``C_j = sigma_j * sum_k (1 - r_jk)``
    where ``sigma_j`` is the standard deviation of criterion ``j`` and ``r_jk`` the Pearson
    correlation between criteria ``j`` and ``k``; ``w_j = C_j / sum C``. A criterion that does
    not vary gets weight 0 (its correlation is undefined and its contrast is zero).
    """
    df = _as_frame(matrix)
    x = normalize(df, types, "minmax").to_numpy()
    if x.shape[0] < 2:
        return equal_weights(df)
    sd = x.std(axis=0, ddof=1)
    varying = sd > 0
    c = np.zeros(x.shape[1])
    if varying.sum() >= 1:
        xv = x[:, varying]
        r = np.atleast_2d(np.corrcoef(xv, rowvar=False))
        c[varying] = sd[varying] * (1.0 - r).sum(axis=0)
    if c.sum() <= 0:
        return equal_weights(df)
    return pd.Series(c / c.sum(), index=df.columns, name="weight")


# ----------------------------------------------------------------------------- AHP
@dataclass
class AHPResult:
    """Result of the AHP eigenvector method (Saaty 1977, 1980).

    Attributes
    ----------
    weights : Series
        Normalised principal right eigenvector (sums to 1).
    lambda_max : float
        Principal eigenvalue.
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)``.
    cr : float
        Consistency ratio ``CI / RI(n)`` with Saaty's random index; 0 for n <= 2.
    consistent : bool
        ``cr <= 0.10`` (Saaty's rule); ``False`` means the judgements should be revised.
    matrix : DataFrame
        The (possibly aggregated) pairwise comparison matrix used.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    matrix: pd.DataFrame = field(repr=False, default=None)

    @property
    def n(self) -> int:
        return len(self.weights)


def _pairwise(pairwise, what: str = _PAIR, tol: float = 1e-3) -> pd.DataFrame:
    if isinstance(pairwise, pd.DataFrame):
        a = pairwise.astype(float)
        if list(a.index) != list(a.columns):
            if len(a.index) == len(a.columns):
                a.index = a.columns
    else:
        arr = np.asarray(pairwise, dtype=float)
        names = [f"C{j + 1}" for j in range(arr.shape[-1])] if arr.ndim == 2 else []
        rows = [f"C{i + 1}" for i in range(arr.shape[0])] if arr.ndim == 2 else []
        a = pd.DataFrame(arr, index=rows, columns=names) if arr.ndim == 2 else None
        if a is None:
            raise InputError(Problem(file=what, message=M("msg.mcda_square"),
                                     value=f"shape {arr.shape}", expected="n x n"))
    if a.columns.has_duplicates:
        raise InputError(Problem(file=what, message=M("msg.mcda_pair_twice"),
                                 value=sorted({str(c) for c in a.columns[a.columns.duplicated()]}),
                                 expected=M("exp.mcda_pair_twice")))
    v = a.to_numpy()
    if v.shape[0] != v.shape[1]:
        raise InputError(Problem(file=what, message=M("msg.mcda_square"),
                                 value=f"{v.shape[0]} rows x {v.shape[1]} columns",
                                 expected=M("exp.mcda_square")))
    problems = []
    if not np.isfinite(v).all() or (v <= 0).any():
        i, j = np.argwhere(~np.isfinite(v) | (v <= 0))[0]
        problems.append(Problem(file=what, message=M("msg.mcda_judgement"),
                                row=int(i) + 2, column=str(a.columns[j]), value=v[i, j],
                                expected=M("exp.mcda_judgement")))
    else:
        if not np.allclose(np.diag(v), 1.0):
            i = int(np.argmax(np.abs(np.diag(v) - 1.0)))
            problems.append(Problem(file=what, message=M("msg.mcda_diagonal"),
                                    row=i + 2, column=str(a.columns[i]), value=v[i, i],
                                    expected="1"))
        rel = np.abs(v * v.T - 1.0)
        if (rel > tol * 10).any():
            i, j = np.argwhere(rel > tol * 10)[0]
            problems.append(Problem(file=what, message=M("msg.mcda_reciprocal", i=a.index[i], j=a.columns[j]), row=int(i) + 2,
                                    column=str(a.columns[j]), value=v[i, j],
                                    expected=f"1/{v[j, i]:g}"))
    if problems:
        raise InputError(problems)
    return a


def ahp_weights(pairwise) -> AHPResult:
    """Priority weights from a reciprocal pairwise comparison matrix (Saaty 1977, 1980).

    Weights are the principal right eigenvector normalised to sum 1; consistency is
    ``CI = (lambda_max - n)/(n - 1)``, ``CR = CI / RI(n)`` with :data:`RANDOM_INDEX_SAATY`;
    ``CR > 0.10`` is flagged (``consistent=False``) rather than raised, so that the caller
    can report it.
    """
    a = _pairwise(pairwise)
    v = a.to_numpy()
    n = v.shape[0]
    if n == 1:
        return AHPResult(pd.Series([1.0], index=a.columns, name="weight"), 1.0, 0.0, 0.0,
                         True, a)
    vals, vecs = np.linalg.eig(v)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ci = max((lam - n) / (n - 1), 0.0)
    ri = RANDOM_INDEX_SAATY.get(n)
    if ri is None:
        raise InputError(Problem(file=_PAIR, message=M("msg.mcda_ri"), value=n,
                                 expected=M("exp.mcda_ri")))
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(pd.Series(w, index=a.columns, name="weight"), lam, ci, cr,
                     bool(cr <= CR_THRESHOLD), a)


def ahp_group(pairwise_list: Sequence, expert_weights: Sequence[float] | None = None
              ) -> AHPResult:
    """Group AHP: aggregate individual judgements by the element-wise (weighted) geometric
    mean (Aczél & Saaty 1983), then apply :func:`ahp_weights`.

    The geometric mean preserves reciprocity (``a_ji = 1/a_ij``), which the arithmetic mean
    does not. ``expert_weights`` (default equal) are normalised to sum 1.
    """
    if len(pairwise_list) == 0:
        raise InputError(Problem(file=_PAIRS, message=M("msg.mcda_no_judgements"),
                                 expected=M("exp.mcda_no_judgements")))
    mats = [_pairwise(p, what=_expert(k + 1))
            for k, p in enumerate(pairwise_list)]
    shape = mats[0].shape
    for k, m in enumerate(mats[1:], start=2):
        if m.shape != shape:
            raise InputError(Problem(file=_expert(k),
                                     message=M("msg.mcda_expert_size"),
                                     value=f"{m.shape}", expected=f"{shape}"))
    # matched by label, never by position: expert k may list the criteria in another order
    labels = mats[0].columns
    for k, m in enumerate(mats[1:], start=2):
        if set(m.columns) != set(labels):
            raise InputError(Problem(file=_expert(k), message=M("msg.mcda_expert_labels", k=k),
                                     value=Seq(list(map(str, m.columns)), quote=True),
                                     expected=Seq(list(map(str, labels)), quote=True)))
    mats = [m.reindex(index=labels, columns=labels) for m in mats]
    ew = np.full(len(mats), 1.0 / len(mats)) if expert_weights is None else \
        np.asarray(expert_weights, dtype=float) / float(np.sum(expert_weights))
    logs = np.stack([np.log(m.to_numpy()) for m in mats])
    agg = np.exp(np.tensordot(ew, logs, axes=1))
    return ahp_weights(pd.DataFrame(agg, index=mats[0].index, columns=mats[0].columns))


def combine_weights(subjective, objective, alpha: float = 0.5, rule: str = "linear"
                    ) -> pd.Series:
    """Combine subjective (e.g. AHP) and objective (e.g. entropy, CRITIC) weights.

    Rules (both results sum to 1):

    * ``linear``: ``w = alpha * w_s + (1 - alpha) * w_o`` (``alpha`` in [0, 1] is the share of
      the subjective judgement);
    * ``multiplicative``: ``w_j = w_s,j * w_o,j / sum_k w_s,k * w_o,k`` (``alpha`` unused);
    * ``geometric``: ``w_j ∝ w_s,j^alpha * w_o,j^(1 - alpha)``.
    """
    if not 0.0 <= alpha <= 1.0:
        raise InputError(Problem(file=_WEIGHTS, message=M("msg.mcda_alpha"), value=alpha,
                                 expected=M("exp.mcda_share")))
    s = subjective if isinstance(subjective, pd.Series) else pd.Series(np.asarray(subjective,
                                                                                  float))
    o = objective if isinstance(objective, pd.Series) else pd.Series(np.asarray(objective,
                                                                                float))
    if set(s.index) != set(o.index) or len(s) != len(o):
        raise InputError(Problem(file=_WEIGHTS, message=M("msg.mcda_cover"),
                                 value=sorted(map(str, set(s.index) ^ set(o.index)))[:5],
                                 expected=M("exp.mcda_cover")))
    o = o.reindex(s.index)
    sv = _weights(s.to_numpy(float), s.index)
    ov = _weights(o.to_numpy(float), s.index)
    if rule == "linear":
        w = alpha * sv + (1 - alpha) * ov
    elif rule == "multiplicative":
        w = sv * ov
    elif rule == "geometric":
        with np.errstate(divide="ignore"):
            w = np.power(sv, alpha) * np.power(ov, 1 - alpha)
    else:
        raise InputError(Problem(file=_WEIGHTS, message=M("msg.mcda_rule"),
                                 value=rule, expected=M("exp.mcda_rule")))
    if w.sum() <= 0:
        raise InputError(Problem(file=_WEIGHTS, message=M("msg.mcda_zero"),
                                 expected=M("exp.mcda_zero")))
    return pd.Series(w / w.sum(), index=s.index, name="weight")


# ----------------------------------------------------------------------------- ranking
def topsis_details(matrix, weights, types=None, normalization: str = "vector") -> pd.DataFrame:
    """TOPSIS (Hwang & Yoon 1981) with its intermediate distances.

    ``r`` = normalised matrix (higher is better, see :func:`normalize`); ``v = w * r``;
    ``v+ = max_i v``, ``v- = min_i v``; ``D+ = ||v - v+||``, ``D- = ||v - v-||``;
    closeness ``C = D- / (D+ + D-)`` in [0, 1] (1 = ideal). When every alternative is equal
    (``D+ = D- = 0``), ``C = 0.5``.

    Returns
    -------
    DataFrame with columns ``d_plus``, ``d_minus``, ``closeness``, ``rank`` (1 = best).
    """
    df = _as_frame(matrix)
    w = _weights(weights, df.columns)
    r = normalize(df, types, normalization).to_numpy()
    v = r * w
    dp = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    dm = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    tot = dp + dm
    c = np.where(tot > 0, dm / np.where(tot > 0, tot, 1.0), 0.5)
    out = pd.DataFrame({"d_plus": dp, "d_minus": dm, "closeness": c}, index=df.index)
    out["rank"] = out["closeness"].rank(ascending=False, method="min").astype(int)
    return out


def topsis(matrix, weights, types=None, normalization: str = "vector") -> pd.Series:
    """TOPSIS relative closeness to the ideal solution (Hwang & Yoon 1981), one per alternative.

    ``normalization`` is ``"vector"`` (the original method, default) or ``"minmax"``; it is
    always explicit here, unlike pymcdm whose TOPSIS defaults to min-max normalisation.
    """
    return topsis_details(matrix, weights, types, normalization)["closeness"]


def vikor(matrix, weights, types=None, v: float = 0.5) -> pd.DataFrame:
    """VIKOR compromise ranking (Opricovic & Tzeng 2004).

    ``f*_j`` / ``f-_j`` = best / worst value of criterion ``j`` (max/min for benefit, min/max
    for cost); ``S_i = sum_j w_j (f*_j - f_ij)/(f*_j - f-_j)``, ``R_i = max_j`` of the same
    terms; ``Q_i = v (S_i - S*)/(S- - S*) + (1 - v)(R_i - R*)/(R- - R*)``. Lower is better
    for S, R and Q. A criterion on which all alternatives are equal contributes 0 (pymcdm
    raises instead); a degenerate ``S- = S*`` or ``R- = R*`` term contributes 0.

    Returns
    -------
    DataFrame with columns ``S``, ``R``, ``Q`` and ``rank`` (by Q, 1 = best).
    """
    if not 0.0 <= v <= 1.0:
        raise InputError(Problem(file=_SRC, message=M("msg.mcda_vikor_v"), value=v,
                                 expected=M("exp.mcda_between")))
    df = _as_frame(matrix)
    w = _weights(weights, df.columns)
    t = _types(types, df.columns)
    x = df.to_numpy(dtype=float)
    best = np.where(t > 0, x.max(axis=0), x.min(axis=0))
    worst = np.where(t > 0, x.min(axis=0), x.max(axis=0))
    span = best - worst
    safe = np.where(span != 0, span, 1.0)
    terms = np.where(span != 0, w * (best - x) / safe, 0.0)
    s = terms.sum(axis=1)
    r = terms.max(axis=1)

    def _scaled(a: np.ndarray) -> np.ndarray:
        d = a.max() - a.min()
        return (a - a.min()) / d if d > 0 else np.zeros_like(a)

    q = v * _scaled(s) + (1 - v) * _scaled(r)
    out = pd.DataFrame({"S": s, "R": r, "Q": q}, index=df.index)
    out["rank"] = out["Q"].rank(ascending=True, method="min").astype(int)
    return out
