"""Synergy index: normalise, weight, aggregate, grade, rank, decompose (see
``docs/methods/evaluation.md``).

The synergy index of unit ``i`` in year ``t`` is

    S_it = 100 * sum_j W_j * r_ijt

with ``r`` the normalised indicator (0..1, higher is better) and ``W_j`` the global weight of
third-level indicator ``j`` (product of local weights down the hierarchy, sum 1). Because
the normalisation is pooled over all units and years and the weights are fixed over the
panel, scores are comparable across years, the contributions ``100 W_j r_ijt`` add up to the
score exactly and the change between two years splits exactly into ``100 W_j Δr_ij``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.evaluation.data import DATA, OPTIONS, handle_missing
from cocontrol.evaluation.system import IndicatorSystem
from cocontrol.i18n import Msg, Seq, Text
from cocontrol.i18n import Msg as M
from cocontrol.mcda import combine_weights, critic_weights, entropy_weights, topsis
from cocontrol.progress import report, track
from cocontrol.provenance import Provenance
from cocontrol.results import Labelled, Result

WEIGHTINGS = ("template", "ahp", "equal", "entropy", "critic", "combined")
NORMALIZATIONS = ("minmax", "vector", "target")

try:  # owned by the metrics engineer; optional until it exists
    from cocontrol.metrics.coupling import coupling_coordination
except ImportError:  # pragma: no cover - depends on the state of the repository
    coupling_coordination = None


@dataclass
class EvaluationResult(Labelled):
    """Everything an evaluation produces (all tables are pandas DataFrames).

    ``scores``: index (unit, year): ``score`` (0-100), ``grade``, ``rank`` (within year, 1 =
    best), one column per first-level dimension (sub-index 0-100), ``complete`` (bool).
    ``contributions``: index (unit, year), one column per indicator, points of the score;
    rows add up to ``scores.score``. ``changes``: contributions to the score change between
    consecutive years (long). ``weights``: one row per indicator with local and global weights.
    """

    system: IndicatorSystem
    values: pd.DataFrame
    normalized: pd.DataFrame
    weights: pd.DataFrame
    scores: pd.DataFrame
    contributions: pd.DataFrame
    level2_scores: pd.DataFrame
    changes: pd.DataFrame
    trends: pd.DataFrame
    peers: pd.DataFrame
    topsis: pd.DataFrame
    coupling: pd.DataFrame | None
    missing: pd.DataFrame
    ahp_checks: pd.DataFrame
    units: pd.DataFrame
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def result(self) -> Result:
        """The labelled result ``evaluation`` (docs/results-schema.md)."""
        sc = self.scores.reset_index()
        dims = [c for c in sc.columns if c not in ("unit", "year", "score", "grade", "rank",
                                                   "complete")]
        sub = sc.melt(id_vars=["unit", "year"], value_vars=dims, var_name="indicator")
        con = self.contributions.reset_index().melt(id_vars=["unit", "year"],
                                                    var_name="indicator", value_name="points")
        w = self.weights["weight"].rename_axis("indicator").reset_index()
        prov = Provenance.of(None, indicator_system=getattr(self.system, "id", None),
                             **{k: v for k, v in self.settings.items()
                                if isinstance(v, (str, int, float))})
        return Result("evaluation", {"scores": sc[["unit", "year", "score", "grade", "rank",
                                                   "complete"]],
                                     "subindices": sub, "contributions": con, "weights": w},
                      prov, {"notes": list(self.notes)})


# ----------------------------------------------------------------------------- pieces
def normalize_panel(values: pd.DataFrame, system: IndicatorSystem, method: str = "minmax"
                    ) -> pd.DataFrame:
    """Normalise every indicator over the whole panel (all units and years), NaN-tolerant.

    Same formulas as :func:`cocontrol.mcda.normalize` (higher is better): ``minmax`` with the
    panel minimum and maximum, ``vector`` with the panel Euclidean norm, ``target`` against
    the system's target values (capped at 1).
    """
    if method not in NORMALIZATIONS:
        raise InputError(Problem(file=OPTIONS, message=M("msg.eval_norm"),
                                 value=method, expected=Seq(list(NORMALIZATIONS), quote=True)))
    x = values[system.ids].to_numpy(dtype=float)
    t = system.types.reindex(system.ids).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
            span = hi - lo
            safe = np.where(span > 0, span, 1.0)
            r = np.where(t > 0, (x - lo) / safe, (hi - x) / safe)
            r = np.where(span > 0, r, np.where(np.isnan(x), np.nan, 1.0))
        elif method == "vector":
            neg = np.nanmin(x, axis=0) < 0
            if neg.any():
                raise InputError([Problem(file=DATA, message=M("msg.eval_vector_neg"), column=i,
                                          expected=M("exp.eval_vector_neg")) for i, n in zip(system.ids, neg,
                                                                        strict=True) if n])
            norm = np.sqrt(np.nansum(x ** 2, axis=0))
            r = x / np.where(norm > 0, norm, 1.0)
            r = np.where(t > 0, r, 1.0 - r)
        else:
            tv = system.targets.reindex(system.ids).to_numpy(dtype=float)
            if np.isnan(tv).any():
                miss = [i for i, v in zip(system.ids, tv, strict=True) if np.isnan(v)]
                raise InputError([Problem(file=system.source, message=M("msg.eval_target"), column="target",
                                          value=m, expected=M("exp.eval_target")) for m in miss])
            ben = np.clip(x / tv, 0.0, 1.0)
            cost = np.where(x <= tv, 1.0, tv / np.where(x > 0, x, 1.0))
            r = np.where(t > 0, ben, cost)
            r = np.where(np.isnan(x), np.nan, r)
    return pd.DataFrame(r, index=values.index, columns=system.ids)


def indicator_weights(system: IndicatorSystem, normalized: pd.DataFrame,
                      weighting: str = "template", alpha: float = 0.5
                      ) -> tuple[pd.Series, pd.DataFrame, list[str]]:
    """Global indicator weights (sum 1), the AHP consistency checks, and notes.

    * ``template``: local weights given in the system (equal where blank);
    * ``ahp``: local weights from the system's AHP matrices where given (else as template);
    * ``equal``: ``1/n`` for each of the ``n`` indicators;
    * ``entropy`` / ``critic``: objective weights from the normalised panel (complete rows);
    * ``combined``: ``alpha * subjective + (1 - alpha) * entropy`` with the subjective part
      from AHP if the system has matrices, else from the template weights.
    """
    notes: list[str] = []
    if isinstance(weighting, pd.Series):  # user-supplied global weights
        return _custom_weights(weighting, system), pd.DataFrame(
            columns=["parent", "n", "lambda_max", "ci", "cr", "consistent"]), notes
    if weighting not in WEIGHTINGS:
        raise InputError(Problem(file=OPTIONS, message=M("msg.eval_weighting"), value=weighting,
                                 expected=M("exp.eval_weighting", methods=Seq(list(WEIGHTINGS), quote=True))))
    use_ahp = weighting in ("ahp", "combined") and bool(system.ahp)
    _, checks = system.local_weights(use_ahp=use_ahp)
    checks_df = pd.DataFrame(checks, columns=["parent", "n", "lambda_max", "ci", "cr",
                                              "consistent"])
    for c in checks:
        if not c["consistent"]:
            notes.append(Msg("eval_n_ahp_inconsistent", parent=c["parent"],
                             cr=f"{c['cr']:.3f}"))
    if weighting == "ahp" and not system.ahp:
        notes.append(Msg("eval_n_no_ahp"))
    ids = system.ids
    if weighting in ("template", "ahp"):
        return system.global_weights(use_ahp=use_ahp), checks_df, notes
    if weighting == "equal":
        return pd.Series(1.0 / len(ids), index=ids, name="weight"), checks_df, notes
    complete = normalized[ids].dropna()
    if len(complete) < 2:
        raise InputError(Problem(file=DATA, message=M("msg.eval_objective"), value=len(complete),
                                 expected=M("exp.eval_objective")))
    if weighting == "critic":
        w = critic_weights(complete)
    else:
        w = entropy_weights(complete)
    if weighting == "combined":
        w = combine_weights(system.global_weights(use_ahp=use_ahp), w, alpha=alpha,
                            rule="linear")
    return w.rename("weight"), checks_df, notes


def _custom_weights(weights: pd.Series, system: IndicatorSystem) -> pd.Series:
    """Validate user-supplied global weights (one per indicator, >= 0) and rescale to sum 1."""
    src = weights.attrs.get("file", Text("<weights>", "<权重>"))
    w = pd.to_numeric(weights, errors="coerce")
    problems = [Problem(file=src, message=M("msg.eval_no_weight"), column="weight",
                        value=i, expected=M("exp.eval_no_weight"))
                for i in system.ids if i not in w.index or np.isnan(w.get(i, np.nan))]
    problems += [Problem(file=src, message=M("msg.eval_not_in_system"), column="indicator",
                         value=i, expected=M("exp.eval_not_in_system"))
                 for i in w.index if i not in system.ids]
    problems += [Problem(file=src, message=M("msg.eval_weight_neg"), column="weight",
                         value=f"{i}: {v}", expected=">= 0") for i, v in w.items() if v < 0]
    if problems:
        raise InputError(problems)
    w = w.reindex(system.ids)
    if w.sum() <= 0:
        raise InputError(Problem(file=src, message=M("msg.eval_weights_zero"), column="weight",
                                 expected=M("exp.eval_weights_zero")))
    return (w / w.sum()).rename("weight")


def read_weights(path) -> pd.Series:
    """Read user weights from a CSV/Excel table with columns ``indicator, weight``."""
    from cocontrol.evaluation.data import read_table

    df, sheet = read_table(path)
    df.columns = [str(c).strip() for c in df.columns]
    if not {"indicator", "weight"} <= set(df.columns):
        raise InputError(Problem(file=str(path), sheet=sheet, message=M("msg.eval_weights_table"), column="indicator, weight",
                                 expected=M("exp.eval_weights_table")))
    s = pd.Series(pd.to_numeric(df["weight"], errors="coerce").to_numpy(),
                  index=df["indicator"].astype(str).str.strip().to_numpy(), name="weight")
    bad = s.isna()
    if bad.any():
        raise InputError([Problem(file=str(path), sheet=sheet, row=int(i) + 2, column="weight",
                                  message=M("msg.eval_weight_nan"), value=df.at[i, "weight"],
                                  expected=M("exp.eval_number_ge0")) for i in df.index[bad.to_numpy()]])
    s.attrs["file"] = str(path)
    return s


def grade(scores: pd.Series, system: IndicatorSystem, lang: str = "en") -> pd.Series:
    """Grade label of each 0-100 score from the system's grade bands (lower bounds)."""
    bands = sorted(system.grades)  # ascending lower bounds
    lows = np.array([b[0] for b in bands])
    labels = np.array([b[2] if lang == "zh" else b[1] for b in bands] + [""], dtype=object)
    s = scores.to_numpy(dtype=float)
    idx = np.searchsorted(lows, np.round(s, 9), side="right") - 1
    idx = np.where(np.isnan(s) | (idx < 0), len(bands), idx)
    return pd.Series(labels[idx], index=scores.index, name="grade")


def _slopes(scores: pd.Series) -> pd.DataFrame:
    """Least-squares slope of the score over years, per unit (points per year), vectorised."""
    d = scores.dropna().reset_index()
    d.columns = ["unit", "year", "score"]
    if d.empty:
        return pd.DataFrame(columns=["first_year", "last_year", "first_score", "last_score",
                                     "change", "slope_per_year", "n_years"])
    g = d.groupby("unit")
    ym = g["year"].transform("mean")
    sm = g["score"].transform("mean")
    d["cov"] = (d["year"] - ym) * (d["score"] - sm)
    d["var"] = (d["year"] - ym) ** 2
    agg = d.groupby("unit").agg(first_year=("year", "min"), last_year=("year", "max"),
                                n_years=("year", "size"), cov=("cov", "sum"),
                                var=("var", "sum"))
    first = d.loc[g["year"].idxmin(), ["unit", "score"]].set_index("unit")["score"]
    last = d.loc[g["year"].idxmax(), ["unit", "score"]].set_index("unit")["score"]
    agg["first_score"] = first
    agg["last_score"] = last
    agg["change"] = agg["last_score"] - agg["first_score"]
    agg["slope_per_year"] = np.where(agg["var"] > 0, agg["cov"] / agg["var"].where(
        agg["var"] > 0, 1.0), np.nan)
    return agg[["first_year", "last_year", "first_score", "last_score", "change",
                "slope_per_year", "n_years"]]


def _changes(contrib: pd.DataFrame) -> pd.DataFrame:
    """Contribution of each indicator to the score change between consecutive years."""
    years = sorted(contrib.index.unique("year"))
    frames = []
    for y0, y1 in zip(years[:-1], years[1:], strict=True):
        a = contrib.xs(y0, level="year")
        b = contrib.xs(y1, level="year")
        d = b.sub(a).dropna(how="all")
        if d.empty:
            continue
        long = d.stack().dropna()
        long = long.rename("change_points").reset_index()
        long.columns = ["unit", "indicator", "change_points"]
        long.insert(1, "year_from", y0)
        long.insert(2, "year_to", y1)
        frames.append(long)
    if not frames:
        return pd.DataFrame(columns=["unit", "year_from", "year_to", "indicator",
                                     "change_points"])
    return pd.concat(frames, ignore_index=True)


def change_between(result: EvaluationResult, year_from: int, year_to: int) -> pd.DataFrame:
    """Contribution of every indicator to each unit's score change from ``year_from`` to
    ``year_to`` (points); columns = indicators plus ``total`` (= score change, exactly)."""
    c = result.contributions
    d = c.xs(year_to, level="year").sub(c.xs(year_from, level="year"))
    d["total"] = d.sum(axis=1, min_count=len(c.columns))
    return d


# ----------------------------------------------------------------------------- evaluate
def evaluate(system: IndicatorSystem, values: pd.DataFrame, units: pd.DataFrame | None = None,
             weighting: str = "template", normalization: str = "minmax",
             missing: str = "flag", alpha: float = 0.5, coupling_formula: str = "original",
             lang: str = "en", progress=None) -> EvaluationResult:
    """Evaluate every unit and year with an indicator system.

    Parameters
    ----------
    system : IndicatorSystem
    values : DataFrame
        Index ``(unit, year)``, one column per indicator (see :func:`load_values`), in each
        indicator's unit.
    units : DataFrame, optional
        Index ``unit``: ``name_en, name_zh, group`` (peer group for imputation and comparison).
    weighting : {"template", "ahp", "equal", "entropy", "critic", "combined"} or Series
        A Series (index = indicator ids) gives user-defined global weights (rescaled to 1;
        see :func:`read_weights`); local weights in the weights table are then not used.
    normalization : {"minmax", "vector", "target"}
    missing : {"flag", "impute", "exclude"}
        See :func:`cocontrol.evaluation.data.handle_missing`.
    alpha : float
        Share of the subjective weights in ``combined`` weighting.
    coupling_formula : {"original", "corrected"}
        Coupling degree formula of :func:`cocontrol.metrics.coupling.coupling_coordination`.
    lang : {"en", "zh"}
        Language of grade labels.
    progress : callable, optional
        Callback of :mod:`cocontrol.progress`: stage ``evaluation`` counts the steps done
        (missing values, normalisation, weights, scores, TOPSIS, coupling, peers: 7),
        stage ``evaluation.topsis`` the years ranked.

    Returns
    -------
    EvaluationResult
    """
    steps = 7
    report(progress, "evaluation", 0, steps, "missing values")
    ids = system.ids
    values = values.reindex(columns=ids).astype(float).sort_index()
    if units is None:
        units = pd.DataFrame({"name_en": values.index.unique("unit"),
                              "name_zh": values.index.unique("unit"), "group": "all"},
                             index=pd.Index(values.index.unique("unit"), name="unit"))
    notes: list[str] = []
    filled, mlog = handle_missing(values, missing, units["group"])
    report(progress, "evaluation", 1, steps, "normalisation")
    r = normalize_panel(filled, system, normalization)
    report(progress, "evaluation", 2, steps, "weights")
    w, checks, wnotes = indicator_weights(system, r, weighting, alpha)
    report(progress, "evaluation", 3, steps, "scores")
    notes += wnotes
    w = w.reindex(ids)
    contrib = r.mul(w * 100.0, axis=1)
    complete = r.notna().all(axis=1)
    score = contrib.sum(axis=1).where(complete)
    t = system.table
    # first-level sub-indices (0-100) and second-level points
    dims = {}
    for d, members in t.groupby("level1_id", sort=False).groups.items():
        wd = w[list(members)].sum()
        dims[d] = contrib[list(members)].sum(axis=1).where(complete) / wd if wd > 0 else np.nan
    l2 = {}
    for c, members in t.groupby("level2_id", sort=False).groups.items():
        wc = w[list(members)].sum()
        l2[c] = contrib[list(members)].sum(axis=1).where(complete) / wc if wc > 0 else np.nan
    scores = pd.DataFrame({"score": score}, index=r.index)
    scores["grade"] = grade(scores["score"], system, lang)
    scores["rank"] = scores.groupby(level="year")["score"].rank(ascending=False,
                                                                 method="min").astype("Int64")
    for d, s in dims.items():
        scores[d] = s
    scores["complete"] = complete
    level2_scores = pd.DataFrame(l2, index=r.index)
    report(progress, "evaluation", 4, steps, "TOPSIS")

    # TOPSIS closeness within each year on the (treated) raw values
    tops = []
    types = system.types.reindex(ids).to_numpy()
    # classic TOPSIS uses vector normalisation, which needs non-negative data; rates of decline
    # can be negative, in which case min-max normalisation is used for every year (noted)
    t_norm = "vector" if np.nanmin(filled.to_numpy(dtype=float)) >= 0 else "minmax"
    if t_norm == "minmax":
        notes.append(Msg("eval_n_topsis_minmax"))
    by_year = filled.groupby(level="year")
    for _yr, block in track(by_year, progress, "evaluation.topsis", total=by_year.ngroups,
                            message=lambda g: f"year {g[0]}"):
        b = block.dropna()
        if len(b) >= 2:
            c = topsis(b, w.to_numpy(), types, normalization=t_norm)
            tops.append(pd.DataFrame({"closeness": c.to_numpy()}, index=b.index))
    topsis_df = pd.concat(tops) if tops else pd.DataFrame(columns=["closeness"])
    if len(topsis_df):
        topsis_df["rank"] = topsis_df.groupby(level="year")["closeness"].rank(
            ascending=False, method="min").astype(int)

    # coupling coordination of the pollution and carbon subsystems
    report(progress, "evaluation", 5, steps, "coupling coordination")
    coupling = None
    pol = [i for i in ids if t.at[i, "subsystem"] == "pollution"]
    car = [i for i in ids if t.at[i, "subsystem"] == "carbon"]
    if coupling_coordination is None:
        notes.append(Msg("eval_n_no_coupling_module"))
    elif not pol or not car:
        notes.append(Msg("eval_n_no_subsystems"))
    else:
        u1 = (r[pol] * w[pol]).sum(axis=1) / w[pol].sum()
        u2 = (r[car] * w[car]).sum(axis=1) / w[car].sum()
        ok = r[pol + car].notna().all(axis=1)
        cc = coupling_coordination(u1[ok], u2[ok], formula=coupling_formula, lang=lang)
        coupling = cc.rename(columns={"u1": "u_pollution", "u2": "u_carbon"})

    # trends and peer comparison
    report(progress, "evaluation", 6, steps, "trends and peers")
    trends = _slopes(scores["score"])
    grp = units["group"].reindex(scores.index.get_level_values("unit")).fillna("all")
    yrs = scores.index.get_level_values("year").to_numpy()
    gkeys = [yrs, grp.to_numpy()]
    gb = scores["score"].groupby(gkeys)
    peers = pd.DataFrame(index=scores.index)
    peers["group"] = grp.to_numpy()
    peers["score"] = scores["score"]
    peers["group_rank"] = gb.rank(ascending=False, method="min").astype("Int64")
    peers["group_size"] = gb.transform("count")
    peers["percentile"] = gb.rank(pct=True, method="max") * 100
    peers["group_median"] = gb.transform("median")
    peers["gap_to_median"] = scores["score"] - peers["group_median"]
    peers["gap_to_best"] = scores["score"] - gb.transform("max")
    for d in dims:
        peers[f"{d}_gap_to_median"] = scores[d] - scores[d].groupby(gkeys).transform("median")

    wt = t[["level1_id", "level2_id", "name_en", "name_zh", "unit", "direction",
            "subsystem", "target"]].copy()
    custom = isinstance(weighting, pd.Series)
    if not custom:  # local weights are meaningless for a user's table of global weights
        lw, _ = system.local_weights(use_ahp=weighting in ("ahp", "combined")
                                     and bool(system.ahp))
        wt = wt.join(lw)
    wt["weight"] = w
    settings = {"system": system.meta.get("id"),
                "weighting": f"user table {weighting.attrs.get('file', '')}".strip()
                if custom else weighting,
                "normalization": normalization, "missing": missing, "alpha": alpha,
                "coupling_formula": coupling_formula, "topsis_normalization": t_norm,
                "lang": lang}
    if missing == "flag" and (~complete).any():
        notes.append(Msg("eval_n_flagged", n=int((~complete).sum())))
    report(progress, "evaluation", steps, steps, "done")
    return EvaluationResult(system=system, values=filled, normalized=r, weights=wt,
                            scores=scores, contributions=contrib.where(complete, np.nan),
                            level2_scores=level2_scores, changes=_changes(
                                contrib.where(complete, np.nan)),
                            trends=trends, peers=peers, topsis=topsis_df, coupling=coupling,
                            missing=mlog, ahp_checks=checks, units=units, settings=settings,
                            notes=notes)
