"""LMDI-I index decomposition (additive and multiplicative) for any product identity.

Identity: ``V = Σ_i V_i`` with ``V_i = Π_k x_{k,i}`` for sub-categories ``i`` (e.g. sector × fuel)
of a group (e.g. a region). Between years 0 and T (Ang 2004; Ang 2005, Table 1; Ang 2015, Table 2,
LMDI-I)::

    additive        ΔV_{x_k} = Σ_i L(V_i^T, V_i^0) · ln(x_{k,i}^T / x_{k,i}^0)
                    ΔV_tot = V^T − V^0 = Σ_k ΔV_{x_k}
    multiplicative  D_{x_k} = exp( Σ_i [L(V_i^T, V_i^0) / L(V^T, V^0)] · ln(x_{k,i}^T / x_{k,i}^0) )
                    D_tot = V^T / V^0 = Π_k D_{x_k}
    L(a, b) = (a − b) / (ln a − ln b),  L(a, a) = a,  L(a, 0) = L(0, a) = 0.

Zero values (Ang, Zhang & Choi 1998, Table 2; generalised by Ang & Liu 2007): the terms are the
limits of the formula when each zero is replaced by a small number δ → 0 ("SV strategy"):

- V_i^0 > 0 and V_i^T > 0: the formula above.
- V_i^0 = 0, V_i^T > 0 (sub-category appears): the factor(s) that are zero in year 0 receive
  V_i^T; every other factor 0. If m factors are zero at once, each receives V_i^T / m (the δ-limit
  with the same δ for every zero value; for m = 1 this is Case 1 of Ang, Zhang & Choi 1998).
- V_i^0 > 0, V_i^T = 0 (sub-category disappears): the factor(s) zero in year T receive −V_i^0
  (split equally among m such factors).
- V_i^0 = V_i^T = 0: all terms 0.

Undefined ratios: a factor that is a ratio 0/0 (e.g. the emission factor C_ij/E_ij of a fuel not
used, or the energy intensity of a sector with no output) is passed as NaN. A NaN in one year is
replaced by the value in the other year (the factor is treated as unchanged, so the whole change
of a fuel that appears is attributed to the fuel-mix factor, not split with the undefined
emission factor); NaN in both years means a ratio of 1. A NaN factor is only allowed in a row
whose value is zero (some other factor is 0 in that year).

With ``zero="delta"`` the literal SV strategy is used instead (zeros replaced by ``delta``), for
comparison; it converges to the limits above as δ → 0 (Ang & Liu 2007).

Exactness: additive terms are computed as ``L_i · ln(x_k^T/x_k^0)`` with
``L_i = (V_i^T − V_i^0) / Σ_k ln(x_k^T/x_k^0)`` (identical to L(V_i^T, V_i^0) in exact arithmetic),
so they sum to V_i^T − V_i^0 to rounding error; multiplicative ln D_k = ΔV_k / L(V^T, V^0), so
Π_k D_k = V^T/V^0 to rounding error. A ``closure_error`` column reports the residual.

Period-wise (``base``/``end``, or ``periods``) and chained (``chained=True``: year-by-year
decompositions between consecutive years, accumulated by summation (additive) or by product
(multiplicative); Ang 2015 section 4.4 "chaining").

Sources
-------
- Ang, B.W. (2004). Decomposition analysis for policymaking in energy: which is the preferred
  method? Energy Policy 32: 1131-1139.
- Ang, B.W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy
  33: 867-871.
- Ang, B.W. (2015). LMDI decomposition approach: a guide for implementation. Energy Policy 86:
  233-238.
- Ang, B.W., Zhang, F.Q., Choi, K.-H. (1998). Factorizing changes in energy and environmental
  indicators through decomposition. Energy 23(6): 489-495 (Table 2, zero-value cases).
- Ang, B.W., Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index
  decomposition approach. Energy Policy 35: 238-246.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.metrics._table import check_unique, numeric_columns, require_columns

__all__ = [
    "log_mean", "lmdi_terms", "lmdi", "co2_identity", "pollutant_identity",
    "decompose_co2", "decompose_pollutant", "CO2_FACTORS", "POLLUTANT_FACTORS", "to_long",
]

CO2_FACTORS = ["activity", "structure", "intensity", "fuel_mix", "emission_factor"]
POLLUTANT_FACTORS = ["activity", "structure", "intensity", "fuel_mix", "emission_factor",
                     "end_of_pipe"]

FACTOR_LABELS: dict[str, tuple[str, str]] = {
    "activity": ("activity (output) effect", "经济规模效应"),
    "structure": ("structure effect", "产业结构效应"),
    "intensity": ("energy intensity effect", "能源强度效应"),
    "fuel_mix": ("fuel mix effect", "能源结构效应"),
    "emission_factor": ("emission factor effect", "排放因子效应"),
    "end_of_pipe": ("end-of-pipe removal effect (1−η)", "末端治理效应(1−η)"),
}


def log_mean(a, b) -> np.ndarray:
    """Logarithmic mean L(a, b) = (a − b)/(ln a − ln b); L(a, a) = a; L(a, 0) = L(0, b) = 0.

    Vectorised; for a ≈ b the series (a + b)/2 − (a − b)²/(12 (a + b)/2) ... is avoided by using
    ``(a − b)/log(a/b)`` except where |a/b − 1| < 1e-8, where L = (a + b)/2 (relative error
    below 1e-16).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = np.broadcast_arrays(a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pos = (a > 0) & (b > 0)
        r = np.where(pos, a / np.where(pos, b, 1.0), 1.0)
        near = pos & (np.abs(r - 1.0) < 1e-8)
        lm = np.where(pos & ~near, (a - b) / np.log(r), 0.0)
        lm = np.where(near, 0.5 * (a + b), lm)
    return np.where(np.isnan(a) | np.isnan(b), np.nan, lm)


def _fill_undefined(x0: np.ndarray, xt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n0, nt = np.isnan(x0), np.isnan(xt)
    x0f = np.where(n0, xt, x0)
    xtf = np.where(nt, x0, xt)
    both = n0 & nt
    return np.where(both, 1.0, x0f), np.where(both, 1.0, xtf)


def lmdi_terms(x0, xt, zero: Literal["limit", "delta"] = "limit",
               delta: float = 1e-20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Additive LMDI-I terms of each sub-category and factor.

    Parameters
    ----------
    x0, xt : array (n, K)
        Factor values of n sub-categories in year 0 and year T (>= 0; NaN = undefined 0/0).
    zero : {"limit", "delta"}
        Analytical limits (default) or literal replacement of zeros by ``delta``.

    Returns
    -------
    terms : array (n, K)
        ΔV contributions (unit of V).
    v0, vt : array (n,)
        V_i in year 0 and T (product of the factors; undefined factors filled as documented).
    """
    x0 = np.asarray(x0, dtype=float)
    xt = np.asarray(xt, dtype=float)
    x0f, xtf = _fill_undefined(x0, xt)
    v0 = np.prod(x0f, axis=-1)
    vt = np.prod(xtf, axis=-1)
    if zero == "delta":
        a = np.where(x0f == 0, delta, x0f)
        b = np.where(xtf == 0, delta, xtf)
        lr = np.log(b / a)
        lm = log_mean(np.prod(b, axis=-1), np.prod(a, axis=-1))
        return lm[..., None] * lr, np.prod(a, axis=-1), np.prod(b, axis=-1)
    if zero != "limit":
        raise ValueError(M("msg.met_zero_limit_delta_got", zero=repr(zero)))
    both = (v0 > 0) & (vt > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.where(both[..., None], np.log(np.where(both[..., None], xtf / x0f, 1.0)), 0.0)
        s = lr.sum(axis=-1)
        small = np.abs(s) < 1e-10
        lm = np.where(small, 0.5 * (v0 + vt), (vt - v0) / np.where(small, 1.0, s))
    terms = np.where(both[..., None], lm[..., None] * lr, 0.0)
    # appearing sub-categories: V^0 = 0 < V^T
    z0 = (x0f == 0)
    app = (v0 == 0) & (vt > 0)
    m0 = np.maximum(z0.sum(axis=-1), 1)
    terms = np.where(app[..., None], vt[..., None] * z0 / m0[..., None], terms)
    # disappearing sub-categories: V^0 > 0 = V^T
    zt = (xtf == 0)
    dis = (v0 > 0) & (vt == 0)
    mt = np.maximum(zt.sum(axis=-1), 1)
    terms = np.where(dis[..., None], -v0[..., None] * zt / mt[..., None], terms)
    return terms, v0, vt


def _group_sum(codes: np.ndarray, n_groups: int, arr: np.ndarray) -> np.ndarray:
    """Sum rows of ``arr`` (n, ...) by integer group codes, vectorised (np.add.at)."""
    out = np.zeros((n_groups,) + arr.shape[1:], dtype=float)
    np.add.at(out, codes, arr)
    return out


def lmdi(
    data: pd.DataFrame,
    factors: Sequence[str],
    year_col: str = "year",
    group_cols: Sequence[str] = ("region",),
    sub_cols: Sequence[str] = (),
    mode: Literal["additive", "multiplicative"] = "additive",
    base: int | None = None,
    end: int | None = None,
    periods: Sequence[tuple[int, int]] | None = None,
    chained: bool = False,
    zero: Literal["limit", "delta"] = "limit",
    delta: float = 1e-20,
    file: str = "<table>",
) -> pd.DataFrame:
    """LMDI-I decomposition of ``V = Σ_i Π_k x_k`` for every group of a tidy table.

    Parameters
    ----------
    data : DataFrame
        One row per group × sub-category × year, one column per factor (values >= 0; an empty
        cell = undefined ratio 0/0, allowed only where another factor is 0).
    factors : list of str
        Factor columns whose product is V_i.
    group_cols : list of str
        Columns identifying the aggregate being decomposed (e.g. region, scenario); may be empty.
    sub_cols : list of str
        Columns identifying sub-categories i (e.g. sector, fuel); may be empty (one per group).
    mode : {"additive", "multiplicative"}
    base, end : int, optional
        Period start and end (default: first and last year of the table).
    periods : list of (int, int), optional
        Explicit periods (overrides base/end).
    chained : bool
        Decompose each consecutive pair of years between base and end and accumulate them
        (rows ``kind="period"`` and one ``kind="chained"`` row per group).
    zero : {"limit", "delta"}
        Zero-value handling (module docstring).

    Returns
    -------
    DataFrame
        Group columns, ``kind, start, end, V_start, V_end, total`` (ΔV or V^T/V^0), one column per
        factor (ΔV_k in the unit of V, or D_k), and ``closure_error`` (Σ ΔV_k − ΔV, or
        Π D_k / D_tot − 1).
    """
    factors = list(factors)
    group_cols = list(group_cols)
    sub_cols = list(sub_cols)
    if not factors:
        raise InputError(Problem(file=file, message=M("msg.met_no_factor_columns_given"),
                                 expected=M("msg.met_at_least_one_factor")))
    require_columns(data, group_cols + sub_cols + [year_col] + factors, file)
    df = numeric_columns(data, factors + [year_col], file)
    df = df.dropna(subset=[year_col]).reset_index(drop=True)
    df[year_col] = df[year_col].astype(int)
    keys = group_cols + sub_cols + [year_col]
    check_unique(df, keys, file)
    problems: list[Problem] = []
    fv = df[factors].to_numpy()
    neg = np.argwhere(fv < 0)
    for r, c in neg[:20]:
        problems.append(Problem(file=file, row=int(r) + 2, column=factors[c],
                                message=M("msg.met_negative_factor_value_lmdi"),
                                value=float(fv[r, c]), expected=M("msg.met_value_0")))
    nanrow = np.isnan(fv).any(axis=1) & ~(fv == 0).any(axis=1)
    for r in np.flatnonzero(nanrow)[:20]:
        c = int(np.flatnonzero(np.isnan(fv[r]))[0])
        problems.append(Problem(
            file=file, row=int(r) + 2, column=factors[c],
            message=M("msg.met_factor_empty_although_no"),
            expected=M("msg.met_number_empty_cell_means")))
    if problems:
        raise InputError(problems)

    years = sorted(df[year_col].unique().tolist())
    if len(years) < 2:
        raise InputError(Problem(file=file, column=year_col,
                                 message=M("msg.met_need_at_least_two"),
                                 value=years))
    y_start = base if base is not None else years[0]
    y_end = end if end is not None else years[-1]
    if periods:
        pers = [(int(a), int(b)) for a, b in periods]
    elif chained:
        span = [y for y in years if y_start <= y <= y_end]
        pers = list(zip(span[:-1], span[1:], strict=True))
    else:
        pers = [(int(y_start), int(y_end))]
    need = sorted({y for p in pers for y in p} - set(years))
    if need or not pers:
        raise InputError(Problem(file=file, column=year_col,
                                 message=M("msg.met_year_s_not_table2", need=str(need)),
                                 expected=M("msg.met_years_among", years=str(years))))

    if not sub_cols and not group_cols:
        df["_row"] = "all"
        sub_cols = ["_row"]
    elif not sub_cols:
        df["_row"] = "all"
        sub_cols = ["_row"]
    row_keys = group_cols + sub_cols
    wide = df.set_index(row_keys + [year_col])[factors].unstack(year_col)
    # X: (n_rows, n_years, K)
    n_rows = len(wide)
    cols = pd.MultiIndex.from_product([factors, years])
    wide = wide.reindex(columns=cols)
    X = wide.to_numpy().reshape(n_rows, len(factors), len(years)).transpose(0, 2, 1)
    ymap = {y: j for j, y in enumerate(years)}
    missing_rows = np.isnan(X).all(axis=2)
    used_years = sorted({ymap[y] for p in pers for y in p})
    miss = np.argwhere(missing_rows[:, used_years])
    if len(miss):
        probs = []
        for r, j in miss[:20]:
            key = wide.index[r]
            key = key if isinstance(key, tuple) else (key,)
            where = {k: v for k, v in zip(row_keys, key, strict=False) if k != "_row"}
            probs.append(Problem(file=file, column=year_col,
                                 message=M("msg.met_no_row_year", where=where, years_used_years_j=str(years[used_years[j]])),
                                 expected=M("msg.met_one_row_per_sub")))
        raise InputError(probs)

    i0 = np.array([ymap[p[0]] for p in pers])
    it = np.array([ymap[p[1]] for p in pers])
    P, K = len(pers), len(factors)
    x0 = X[:, i0, :].reshape(n_rows * P, K)
    xt = X[:, it, :].reshape(n_rows * P, K)
    terms, v0, vt = lmdi_terms(x0, xt, zero=zero, delta=delta)
    terms = terms.reshape(n_rows, P, K)
    v0 = v0.reshape(n_rows, P)
    vt = vt.reshape(n_rows, P)

    if group_cols:
        gidx = wide.index.droplevel(sub_cols) if sub_cols else wide.index
        gcodes, guniq = pd.factorize(gidx)
    else:
        gcodes, guniq = np.zeros(n_rows, dtype=int), pd.Index(["all"])
    G = len(guniq)
    T = _group_sum(gcodes, G, terms)            # (G, P, K)
    V0 = _group_sum(gcodes, G, v0)              # (G, P)
    VT = _group_sum(gcodes, G, vt)
    dV = VT - V0

    def frame(eff: np.ndarray, total: np.ndarray, closure: np.ndarray, kind: str,
              starts, ends, v_s, v_e) -> pd.DataFrame:
        n_p = eff.shape[1]
        out = pd.DataFrame({"kind": kind,
                            "start": np.tile(np.asarray(starts), G),
                            "end": np.tile(np.asarray(ends), G),
                            "V_start": v_s.ravel(), "V_end": v_e.ravel(),
                            "total": total.ravel()})
        for k, f in enumerate(factors):
            out[f] = eff[:, :, k].ravel()
        out["closure_error"] = closure.ravel()
        if group_cols:
            gi = np.repeat(np.arange(G), n_p)
            gvals = guniq.take(gi)
            if isinstance(gvals, pd.MultiIndex):
                for lvl, name in enumerate(group_cols):
                    out.insert(lvl, name, gvals.get_level_values(lvl))
            else:
                out.insert(0, group_cols[0], np.asarray(gvals))
        return out

    starts = [p[0] for p in pers]
    ends = [p[1] for p in pers]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if mode == "additive":
            eff = T
            total = dV
            closure = eff.sum(axis=2) - dV
            res = frame(eff, total, closure, "period", starts, ends, V0, VT)
            if chained and P > 0:
                ceff = eff.sum(axis=1, keepdims=True)
                ctot = VT[:, -1:] - V0[:, :1]
                cl = ceff.sum(axis=2) - ctot
                res = pd.concat([res, frame(ceff, ctot, cl, "chained", [pers[0][0]],
                                            [pers[-1][1]], V0[:, :1], VT[:, -1:])],
                                ignore_index=True)
        elif mode == "multiplicative":
            ok = (V0 > 0) & (VT > 0)
            Lg = log_mean(VT, V0)
            lnD = np.where(ok[..., None], T / np.where(ok, Lg, 1.0)[..., None], np.nan)
            eff = np.exp(lnD)
            total = np.where(ok, VT / np.where(ok, V0, 1.0), np.nan)
            closure = eff.prod(axis=2) / total - 1.0
            res = frame(eff, total, closure, "period", starts, ends, V0, VT)
            if chained and P > 0:
                ceff = np.exp(lnD.sum(axis=1, keepdims=True))
                ctot = np.where(ok.all(axis=1, keepdims=True),
                                VT[:, -1:] / np.where(V0[:, :1] > 0, V0[:, :1], 1.0), np.nan)
                cl = ceff.prod(axis=2) / ctot - 1.0
                res = pd.concat([res, frame(ceff, ctot, cl, "chained", [pers[0][0]],
                                            [pers[-1][1]], V0[:, :1], VT[:, -1:])],
                                ignore_index=True)
        else:
            raise ValueError(M("msg.met_mode_additive_multiplicative_got", mode=repr(mode)))
    res.attrs.update({"mode": mode, "factors": factors, "zero": zero,
                      "method": "LMDI-I (Ang 2004, 2015); zero values per Ang & Liu (2007)"})
    return res


def to_long(result: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Melt an :func:`lmdi` result to one row per effect (for charts and waterfalls)."""
    cols = list(result.columns)
    # without attrs (lost by a copy or a file round trip): the factor columns are the ones
    # lmdi() puts between "total" and "closure_error" (group columns come first)
    factors = result.attrs.get("factors") or cols[cols.index("total") + 1:
                                                  cols.index("closure_error")]
    ids = [c for c in result.columns if c not in factors]
    out = result.melt(id_vars=ids, value_vars=factors, var_name="factor", value_name="effect")
    out["label"] = out["factor"].map(
        lambda f: FACTOR_LABELS.get(f, (f, f))[1 if lang == "zh" else 0])
    return out


# --------------------------------------------------------------------------- built-in identities

def _ratio(num: pd.Series, den: pd.Series) -> np.ndarray:
    """num/den with 0/0 -> NaN (undefined); x/0 for x>0 -> inf (caller reports)."""
    n = num.to_numpy(dtype=float)
    d = den.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = n / d
    return np.where((n == 0) & (d == 0), np.nan, r)


def _complete_grid(df: pd.DataFrame, region_col: str | None, year_col: str, sector_col: str,
                   fuel_col: str, zero_cols: Sequence[str]) -> pd.DataFrame:
    keys = ([region_col] if region_col else []) + [sector_col, fuel_col, year_col]
    levels = [df[k].unique() for k in keys]
    full = pd.MultiIndex.from_product(levels, names=keys)
    out = df.set_index(keys).reindex(full)
    for c in zero_cols:
        out[c] = out[c].fillna(0.0)
    return out.reset_index()


def _sector_table(df, region_col, year_col, sector_col, fuel_col, output_col, file):
    keys = ([region_col] if region_col else []) + [year_col, sector_col]
    g = df.dropna(subset=[output_col]).groupby(keys, sort=False)[output_col]
    spread = g.max() - g.min()
    bad = spread[spread.abs() > 1e-9 * g.max().abs().clip(lower=1.0)]
    if len(bad):
        raise InputError([
            Problem(file=file, column=output_col,
                    message=M("msg.met_sector_output_differs_between", else_k_strict_false=str(dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=False)))),
                    expected=M("msg.met_same_sector_output_on"))
            for k in bad.index[:20]
        ])
    sec = g.first()
    full = df[keys].drop_duplicates().set_index(keys).index
    return sec.reindex(full).fillna(0.0)


def _energy_chain(data: pd.DataFrame, region_col, year_col, sector_col, fuel_col, output_col,
                  energy_col, extra_cols: Sequence[str], file: str) -> pd.DataFrame:
    require_columns(data, [region_col, year_col, sector_col, fuel_col, output_col, energy_col,
                           *extra_cols], file)
    df = numeric_columns(data, [year_col, output_col, energy_col, *extra_cols], file)
    df = df.dropna(subset=[year_col]).reset_index(drop=True)
    df[year_col] = df[year_col].astype(int)
    check_unique(df, ([region_col] if region_col else []) + [sector_col, fuel_col, year_col], file)
    neg = [(c, i) for c in [output_col, energy_col, *extra_cols]
           for i in np.flatnonzero((df[c] < 0).to_numpy())[:5]]
    if neg:
        raise InputError([Problem(file=file, row=int(i) + 2, column=c, value=float(df[c].iloc[i]),
                                  message=M("msg.met_negative_value"), expected=M("msg.met_value_0"))
                          for c, i in neg])
    sec = _sector_table(df, region_col, year_col, sector_col, fuel_col, output_col, file)
    df = _complete_grid(df, region_col, year_col, sector_col, fuel_col, [energy_col, *extra_cols])
    skeys = ([region_col] if region_col else []) + [year_col, sector_col]
    qi = sec.reindex(pd.MultiIndex.from_frame(df[skeys])).fillna(0.0).to_numpy()
    df["_Qi"] = qi
    rkeys = ([region_col] if region_col else []) + [year_col]
    q_total = sec.groupby(level=list(range(len(rkeys)))).sum()
    df["_Q"] = q_total.reindex(pd.MultiIndex.from_frame(df[rkeys]) if len(rkeys) > 1
                               else pd.Index(df[rkeys[0]])).to_numpy()
    df["_Ei"] = df.groupby(skeys, sort=False)[energy_col].transform("sum")
    out = df[([region_col] if region_col else []) + [sector_col, fuel_col, year_col]].copy()
    out["activity"] = df["_Q"].to_numpy()
    out["structure"] = _ratio(df["_Qi"], df["_Q"])
    out["intensity"] = _ratio(df["_Ei"], df["_Qi"])
    out["fuel_mix"] = _ratio(df[energy_col], df["_Ei"])
    return out, df


def _report_inf(out: pd.DataFrame, cols: Sequence[str], file: str, why: dict[str, str]) -> None:
    probs = []
    for c in cols:
        bad = np.flatnonzero(np.isinf(out[c].to_numpy()))
        for r in bad[:10]:
            probs.append(Problem(file=file, column=c, message=why[c],
                                 value=tuple(out.iloc[r][[k for k in out.columns
                                                          if k not in cols]].tolist())))
    if probs:
        raise InputError(probs)


def co2_identity(
    data: pd.DataFrame,
    region_col: str | None = "region",
    year_col: str = "year",
    sector_col: str = "sector",
    fuel_col: str = "fuel",
    output_col: str = "output",
    energy_col: str = "energy",
    emission_col: str = "CO2",
    file: str = "<table>",
) -> pd.DataFrame:
    """Factors of the CO2 identity C = Σ_ij Q · (Q_i/Q) · (E_i/Q_i) · (E_ij/E_i) · (C_ij/E_ij).

    ``output`` Q_i is sector output (e.g. value added, 1e4 yuan at constant prices; repeated on
    every fuel row of the sector), ``energy`` E_ij energy use (e.g. tce) and ``CO2`` C_ij
    emissions (e.g. t CO2). Absent sector × fuel rows are taken as zero. Returns a tidy table
    with the factor columns :data:`CO2_FACTORS` (empty = undefined 0/0).
    """
    out, df = _energy_chain(data, region_col, year_col, sector_col, fuel_col, output_col,
                            energy_col, [emission_col], file)
    out["emission_factor"] = _ratio(df[emission_col], df[energy_col])
    _report_inf(out, ["intensity", "fuel_mix", "emission_factor", "structure"], file, {
        "structure": "sector output > 0 but total output 0",
        "intensity": "energy use > 0 in a sector with zero output",
        "fuel_mix": "inconsistent energy totals",
        "emission_factor": "emissions > 0 from a fuel with zero energy use (put process "
                           "emissions in a separate table)",
    })
    return out


def pollutant_identity(
    data: pd.DataFrame,
    region_col: str | None = "region",
    year_col: str = "year",
    sector_col: str = "sector",
    fuel_col: str = "fuel",
    output_col: str = "output",
    energy_col: str = "energy",
    emission_col: str = "emission",
    generated_col: str | None = "generated",
    removal_col: str | None = None,
    file: str = "<table>",
) -> pd.DataFrame:
    """Factors of P = Σ_ij Q · (Q_i/Q) · (E_i/Q_i) · (E_ij/E_i) · (G_ij/E_ij) · (P_ij/G_ij).

    G_ij is the generated (uncontrolled) emission and P_ij/G_ij = 1 − η the fraction left after
    end-of-pipe removal η. Give either ``generated_col`` (t, uncontrolled) or ``removal_col``
    (η as a fraction 0..1; then G = P/(1 − η)). Returns the factor columns
    :data:`POLLUTANT_FACTORS` (``emission_factor`` = uncontrolled factor G/E, ``end_of_pipe`` =
    1 − η).
    """
    if removal_col:
        extra = [emission_col, removal_col]
    elif generated_col:
        extra = [emission_col, generated_col]
    else:
        raise InputError(Problem(file=file, message=M("msg.met_give_generated_uncontrolled_emission")))
    out, df = _energy_chain(data, region_col, year_col, sector_col, fuel_col, output_col,
                            energy_col, extra, file)
    if removal_col:
        eta = df[removal_col].to_numpy(dtype=float)
        if ((eta < 0) | (eta > 1)).any():
            raise InputError(Problem(file=file, column=removal_col,
                                     message=M("msg.met_removal_efficiency_outside_0"),
                                     expected=M("msg.met_fraction_e_g_0")))
        keep = 1.0 - eta
        out["emission_factor"] = _ratio(df[emission_col],
                                        df[energy_col] * pd.Series(keep, index=df.index))
        out["end_of_pipe"] = keep
        # a fuel not used has no meaningful removal: treat (1-η) as undefined there
        out.loc[(df[energy_col] == 0).to_numpy(), "end_of_pipe"] = np.nan
    else:
        gen = df[generated_col]
        if (df[emission_col] > gen * (1 + 1e-9) + 1e-12).any():
            r = int(np.flatnonzero((df[emission_col] > gen * (1 + 1e-9) + 1e-12).to_numpy())[0])
            raise InputError(Problem(file=file, column=emission_col,
                                     message=M("msg.met_emission_after_control_exceeds"),
                                     value=tuple(out.iloc[r][:4].tolist()),
                                     expected=f"{emission_col} <= {generated_col}"))
        out["emission_factor"] = _ratio(gen, df[energy_col])
        out["end_of_pipe"] = _ratio(df[emission_col], gen)
    _report_inf(out, ["intensity", "emission_factor", "structure"], file, {
        "structure": "sector output > 0 but total output 0",
        "intensity": "energy use > 0 in a sector with zero output",
        "emission_factor": "emissions > 0 from a fuel with zero energy use (put process "
                           "emissions in a separate table)",
    })
    return out


def decompose_co2(data: pd.DataFrame, region_col: str | None = "region", year_col: str = "year",
                  sector_col: str = "sector", fuel_col: str = "fuel", output_col: str = "output",
                  energy_col: str = "energy", emission_col: str = "CO2",
                  file: str = "<table>", **kwargs) -> pd.DataFrame:
    """LMDI decomposition of CO2 into activity, structure, intensity, fuel mix and emission
    factor effects; ``kwargs`` are passed to :func:`lmdi` (mode, base, end, chained, ...)."""
    tab = co2_identity(data, region_col, year_col, sector_col, fuel_col, output_col,
                       energy_col, emission_col, file=file)
    return lmdi(tab, CO2_FACTORS, year_col=year_col,
                group_cols=[region_col] if region_col else [],
                sub_cols=[sector_col, fuel_col], file=file, **kwargs)


def decompose_pollutant(data: pd.DataFrame, region_col: str | None = "region",
                        year_col: str = "year", sector_col: str = "sector", fuel_col: str = "fuel",
                        output_col: str = "output", energy_col: str = "energy",
                        emission_col: str = "emission", generated_col: str | None = "generated",
                        removal_col: str | None = None, file: str = "<table>",
                        **kwargs) -> pd.DataFrame:
    """LMDI decomposition of a pollutant into activity, structure, intensity, fuel mix,
    uncontrolled emission factor and end-of-pipe (1 − η) effects."""
    tab = pollutant_identity(data, region_col, year_col, sector_col, fuel_col, output_col,
                             energy_col, emission_col, generated_col, removal_col, file=file)
    return lmdi(tab, POLLUTANT_FACTORS, year_col=year_col,
                group_cols=[region_col] if region_col else [],
                sub_cols=[sector_col, fuel_col], file=file, **kwargs)
