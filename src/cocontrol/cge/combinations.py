"""Policy combinations: every combination against the baseline, the synergy–antagonism
discriminant matrix and a multi-criteria ranking (TOPSIS or VIKOR) with rank stability.

Discriminant matrix (definitions in ``docs/methods/policy-combinations.md``). For an indicator,
let ``e_C`` be the *improvement* of a combination against the baseline (change times the
indicator's direction: positive = better) and ``e_1 .. e_k`` the improvements of its members
alone; ``S = sum e_i``, ``B = max e_i`` (best member), ``W = min e_i`` (worst member):

================== =========================================  =======================
class              condition                                   meaning
================== =========================================  =======================
strong synergy     ``e_C > max(S, B)``                         1 + 1 > 2
weak synergy       ``B < e_C <= S``                            better than the best, not above the sum
weak antagonism    ``W <= e_C <= B``                           between the worst and the best member
strong antagonism  ``e_C < W``                                 worse than the worst member
================== =========================================  =======================

Comparisons use a tolerance ``tol = atol + rtol * max(|S|, |B|, |W|)``: ``e_C`` within ``tol``
of a boundary counts as *on* the boundary. With ``ties="conservative"`` (default) the intervals
are exactly as in the table (strict ``>``/``<`` at the sum, the best member and the worst member);
with ``ties="optimistic"`` a value on the sum or on the best member gets the better class. An indicator on which
neither the combination nor any member has an effect (all ``|e| <= atol``) is *not judged*.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol.cge.policies import Economy, Instrument
from cocontrol.cge.satellite import INDICATORS
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.progress import track
from cocontrol.provenance import Provenance
from cocontrol.results import Labelled, Result

CLASSES = ("strong_synergy", "weak_synergy", "weak_antagonism", "strong_antagonism")
NOT_JUDGED = "not_judged"
CLASS_LABELS = {
    "strong_synergy": ("strong synergy", "强协同"),
    "weak_synergy": ("weak synergy", "弱协同"),
    "weak_antagonism": ("weak antagonism", "弱拮抗"),
    "strong_antagonism": ("strong antagonism", "强拮抗"),
    NOT_JUDGED: ("not judged (no effect)", "不判别（无影响）"),
}
DIMENSIONS = ("environment", "energy", "economy")


@dataclass(frozen=True)
class DiscriminantMatrix:
    """Configurable synergy–antagonism classification (see the module docstring).

    Parameters
    ----------
    atol : absolute tolerance in the indicator's unit (e.g. percentage points)
    rtol : relative tolerance against the largest of ``|S|, |B|, |W|``
    ties : ``"conservative"`` (default) – a value on a boundary gets the worse class except at
        the worst member (``e_C = S`` is weak synergy, ``e_C = B`` weak antagonism, ``e_C = W``
        weak antagonism: "below the worst" is strict); ``"optimistic"`` – boundary values get
        the better class (``e_C = S`` strong synergy, ``e_C = B`` weak synergy)
    """

    atol: float = 1e-6
    rtol: float = 1e-6
    ties: str = "conservative"

    def __post_init__(self):
        if self.ties not in ("conservative", "optimistic"):
            raise InputError(Problem(file="<discriminant matrix>", column="ties",
                                     value=self.ties, message=M("msg.cge_unknown_tie_rule"),
                                     expected=M("msg.cge_conservative_optimistic")))
        if self.atol < 0 or self.rtol < 0:
            raise InputError(Problem(file="<discriminant matrix>", message=M("msg.cge_negative_tolerance"),
                                     expected=M("msg.cge_atol_0_rtol_0")))

    def classify(self, combo: float, members) -> str:
        """Class of one judgement: ``combo`` and ``members`` are improvements (higher = better)."""
        return str(self.classify_array(np.array([combo]), np.atleast_2d(np.asarray(members,
                                                                                 float)))[0])

    def classify_array(self, combo: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`classify`: ``combo`` (m,), ``members`` (m, k) with NaN padding."""
        e = np.asarray(combo, float)
        m = np.asarray(members, float)
        S = np.nansum(m, axis=1)
        B = np.nanmax(m, axis=1)
        W = np.nanmin(m, axis=1)
        tol = self.atol + self.rtol * np.maximum.reduce([np.abs(S), np.abs(B), np.abs(W)])
        top = np.maximum(S, B)
        if self.ties == "conservative":
            strong = e > top + tol
            weak_s = ~strong & (e > B + tol)
        else:  # optimistic: boundary values go to the better class
            strong = e >= top - tol
            weak_s = ~strong & (e >= B - tol)
        strong_a = ~strong & ~weak_s & (e < W - tol)
        out = np.where(strong, "strong_synergy",
                       np.where(weak_s, "weak_synergy",
                                np.where(strong_a, "strong_antagonism", "weak_antagonism")))
        none = (np.abs(e) <= self.atol) & (np.nanmax(np.abs(m), axis=1) <= self.atol)
        return np.where(none, NOT_JUDGED, out).astype(object)


def all_combinations(codes: list[str], max_size: int | None = None) -> list[tuple[str, ...]]:
    """All non-empty combinations (2^n - 1 of them), singles first, in input order."""
    n = len(codes)
    if n == 0 or n > 6:
        raise InputError(Problem(file="<instruments>", value=n,
                                 message=M("msg.cge_number_instruments_combination_engine"),
                                 expected=M("msg.cge_1_6_instruments_2")))
    k = n if max_size is None else max_size
    return [c for r in range(1, k + 1) for c in itertools.combinations(codes, r)]


def combo_label(combo: tuple[str, ...]) -> str:
    return "+".join(combo)


@dataclass
class CombinationResult(Labelled):
    """Results of :func:`run_combinations` (DataFrames indexed by combination label);
    :meth:`result` gives the labelled result ``cge_solution``."""

    instruments: list[Instrument]
    combos: list[tuple[str, ...]]
    levels: pd.DataFrame
    changes: pd.DataFrame
    judgements: pd.DataFrame
    shares: pd.DataFrame
    ets_binding: pd.Series
    solve_seconds: pd.Series
    baseline: dict
    matrix: DiscriminantMatrix = field(default_factory=DiscriminantMatrix)

    def result(self) -> Result:
        def tidy(df: pd.DataFrame, value: str) -> pd.DataFrame:
            return (df.rename_axis(index="combination", columns="indicator").stack()
                    .rename(value).reset_index())

        ch = tidy(self.changes, "value")
        ch["unit"] = ch["indicator"].map(lambda k: INDICATORS[k][2] if k in INDICATORS else "")
        lv = tidy(self.levels.apply(pd.to_numeric, errors="coerce"), "value")
        jd = tidy(self.judgements.astype(object), "class")
        prov = Provenance.of(None, instruments="+".join(i.code for i in self.instruments))
        return Result("cge_solution", {"changes": ch, "levels": lv, "judgements": jd}, prov,
                      {"baseline": {str(k): v for k, v in self.baseline.items()
                                    if isinstance(v, (int, float, str))}})


def improvements(changes: pd.DataFrame) -> pd.DataFrame:
    """Changes oriented so that positive = better (direction of :data:`INDICATORS`)."""
    sign = pd.Series({k: INDICATORS[k][4] for k in changes.columns})
    return changes * sign


def judge(changes: pd.DataFrame, combos: list[tuple[str, ...]],
          matrix: DiscriminantMatrix | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Discriminant-matrix classes of every multi-instrument combination and indicator, and
    the count and share of each class per combination.

    ``changes`` is indexed by combination label and must contain every single instrument.
    """
    matrix = matrix or DiscriminantMatrix()
    imp = improvements(changes)
    multi = [c for c in combos if len(c) > 1]
    if not multi:
        empty = pd.DataFrame(columns=changes.columns)
        return empty, pd.DataFrame(columns=[*CLASSES, "judgements"])
    kmax = max(len(c) for c in multi)
    rows = {}
    for ind in imp.columns:
        e = imp.loc[[combo_label(c) for c in multi], ind].to_numpy(float)
        mem = np.full((len(multi), kmax), np.nan)
        for r, c in enumerate(multi):
            mem[r, :len(c)] = [imp.at[x, ind] for x in c]
        rows[ind] = matrix.classify_array(e, mem)
    jd = pd.DataFrame(rows, index=[combo_label(c) for c in multi])
    counts = pd.DataFrame({k: (jd == k).sum(axis=1) for k in CLASSES})
    counts["judgements"] = counts[list(CLASSES)].sum(axis=1)
    counts["not_judged"] = (jd == NOT_JUDGED).sum(axis=1)
    for k in CLASSES:
        counts[f"{k}_share"] = np.where(counts["judgements"] > 0,
                                        counts[k] / counts["judgements"].where(
                                            counts["judgements"] > 0, 1), 0.0)
    return jd, counts


def run_combinations(economy: Economy, instruments: list[Instrument],
                     matrix: DiscriminantMatrix | None = None,
                     recycling: str | None = None, progress=None) -> CombinationResult:
    """Solve every combination of ``instruments`` (n <= 6) against the baseline.
    ``progress``: callback of :mod:`cocontrol.progress` (stage ``cge.combinations``)."""
    codes = [i.code for i in instruments]
    if len(set(codes)) != len(codes):
        raise InputError(Problem(file="<instruments>", message=M("msg.cge_duplicate_instrument_codes"),
                                 value=codes, expected=M("msg.cge_unique_codes")))
    by_code = {i.code: i for i in instruments}
    combos = all_combinations(codes)
    base = economy.baseline()
    lv, ch, bind, secs = {}, {}, {}, {}
    for c in track(combos, progress, "cge.combinations", message=combo_label):
        t0 = time.perf_counter()
        run = economy.run([by_code[x] for x in c], recycling)
        secs[combo_label(c)] = time.perf_counter() - t0
        lv[combo_label(c)] = run.levels
        ch[combo_label(c)] = economy.changes(run)
        bind[combo_label(c)] = run.ets_binding
    levels_df = pd.DataFrame(lv).T
    changes_df = pd.DataFrame(ch).T.astype(float)
    jd, shares = judge(changes_df, combos, matrix)
    return CombinationResult(instruments, combos, levels_df, changes_df, jd, shares,
                             pd.Series(bind, dtype=object), pd.Series(secs), base.levels,
                             matrix or DiscriminantMatrix())


# ----------------------------------------------------------------------------- ranking
def indicator_weights(changes: pd.DataFrame, method: str = "entropy",
                      dimension_weights: dict[str, float] | None = None) -> pd.Series:
    """Criterion weights: ``entropy`` (Hwang & Yoon 1981, on min–max normalised data with
    direction) or ``dimensions`` (user weights over environment / energy / economy, split
    equally among the indicators of each dimension)."""
    from cocontrol import mcda

    types = [INDICATORS[k][4] for k in changes.columns]
    if method == "entropy":
        return mcda.entropy_weights(changes, types=types)
    if method == "dimensions":
        dw = dimension_weights or {d: 1.0 / 3 for d in DIMENSIONS}
        bad = [d for d in dw if d not in DIMENSIONS]
        if bad or any((not np.isfinite(v)) or v < 0 for v in dw.values()) or \
                sum(dw.values()) <= 0:
            raise InputError(Problem(file="<weights>", value=dw, message=M("msg.cge_invalid_dimension_weights"), expected=M("exp.cge_dimension_weights", dims=Seq(list(DIMENSIONS), quote=True))))
        dims = pd.Series({k: INDICATORS[k][3] for k in changes.columns})
        counts = dims.value_counts()
        w = pd.Series({k: dw.get(dims[k], 0.0) / counts[dims[k]] for k in changes.columns})
        return w / w.sum()
    raise InputError(Problem(file="<weights>", column="method", value=method,
                             message=M("msg.cge_unknown_weighting_method"),
                             expected=M("msg.cge_entropy_dimensions")))


def _score(changes: pd.DataFrame, w: pd.Series, method: str) -> pd.Series:
    """Rank score (higher = better) by the project's MCDA module (swap point)."""
    from cocontrol import mcda

    types = [INDICATORS[k][4] for k in changes.columns]
    if method == "topsis":
        return mcda.topsis(changes, w, types, normalization="vector")
    if method == "vikor":
        return -mcda.vikor(changes, w, types)["Q"]
    raise InputError(Problem(file="<ranking>", column="method", value=method,
                             message=M("msg.cge_unknown_ranking_method"), expected=M("msg.cge_topsis_vikor")))


def rank(changes: pd.DataFrame, method: str = "topsis", weights: str = "entropy",
         dimension_weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Rank combinations: TOPSIS closeness with vector normalisation (Hwang & Yoon 1981) or
    VIKOR ``Q`` (Opricovic & Tzeng 2004, ``v = 0.5``); returns score, rank and weights used."""
    w = indicator_weights(changes, weights, dimension_weights)
    s = _score(changes, w, method)
    out = pd.DataFrame({"score": s, "rank": s.rank(ascending=False, method="min").astype(int)})
    out = out.sort_values("rank")
    out.attrs["weights"] = w
    return out


def _topsis_many(changes: pd.DataFrame, W: np.ndarray) -> np.ndarray:
    """TOPSIS closeness for many weight vectors at once (rows of ``W``), same conventions as
    :func:`cocontrol.mcda.topsis` with vector normalisation (cost criteria as ``1 - r``); used
    only to make the stability analysis fast, and checked against it in the tests."""
    x = changes.to_numpy(float)
    t = np.array([INDICATORS[k][4] for k in changes.columns])
    norm = np.sqrt((x ** 2).sum(axis=0))
    r = x / np.where(norm > 0, norm, 1.0)
    r = np.where(t > 0, r, 1.0 - r)
    ap = (r - r.max(axis=0)) ** 2
    am = (r - r.min(axis=0)) ** 2
    # elementwise products summed along the criteria, not a matrix product: BLAS may sum
    # identical rows in different orders by their position, and two combinations with the
    # same changes (a tie) would then get scores one ulp apart and different ranks
    w2 = (W ** 2)[:, None, :]  # (draws, 1, criteria)
    dp = np.sqrt((ap[None, :, :] * w2).sum(axis=2))
    dm = np.sqrt((am[None, :, :] * w2).sum(axis=2))
    den = dp + dm
    return np.where(den > 0, dm / np.where(den > 0, den, 1.0), 0.0)


def rank_stability(changes: pd.DataFrame, method: str = "topsis", weights: str = "entropy",
                   dimension_weights: dict[str, float] | None = None, spread: float = 0.2,
                   draws: int = 200, seed: int = 0) -> pd.DataFrame:
    """How the ranking moves when the weights move.

    Each draw multiplies every criterion weight by an independent factor uniform in
    ``[1 - spread, 1 + spread]`` and renormalises. Returns, per combination, the base rank, the
    mean/min/max rank over the draws and the share of draws in which the rank is unchanged;
    ``attrs["spearman_mean"]`` is the mean Spearman correlation with the base ranking.
    """
    if not 0 <= spread < 1:
        raise InputError(Problem(file="<ranking>", column="spread", value=spread,
                                 message=M("msg.cge_weight_perturbation_out_range"),
                                 expected=M("msg.cge_0_spread_1")))
    w0 = indicator_weights(changes, weights, dimension_weights)
    base = _score(changes, w0, method).rank(ascending=False, method="min")
    rng = np.random.default_rng(seed)
    W = w0.to_numpy()[None, :] * rng.uniform(1 - spread, 1 + spread, (draws, len(w0)))
    W = W / W.sum(axis=1, keepdims=True)
    if method == "topsis":
        scores = _topsis_many(changes, W)
    else:
        scores = np.vstack([_score(changes, pd.Series(w, index=w0.index), method).to_numpy()
                            for w in W])
    R = np.vstack([pd.Series(sc).rank(ascending=False, method="min").to_numpy()
                   for sc in scores])
    b = base.to_numpy()
    out = pd.DataFrame({"base_rank": b.astype(int), "mean_rank": R.mean(axis=0),
                        "min_rank": R.min(axis=0).astype(int),
                        "max_rank": R.max(axis=0).astype(int),
                        "same_rank_share": (R == b).mean(axis=0)}, index=changes.index)
    rb = b - b.mean()
    rr = R - R.mean(axis=1, keepdims=True)
    rho = (rr @ rb) / np.sqrt((rr ** 2).sum(axis=1) * (rb ** 2).sum())
    out.attrs["spearman_mean"] = float(np.nanmean(rho))
    return out.sort_values("base_rank")
