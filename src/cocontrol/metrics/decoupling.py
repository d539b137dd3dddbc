"""Tapio (2005) decoupling elasticity and the eight decoupling states (脱钩状态).

The elasticity of a pressure variable ``y`` (CO2, a pollutant) with respect to a driver ``x``
(GDP, or CO2 when studying pollutant vs CO2) between a base year 0 and an end year T is::

    e = (%Δy) / (%Δx),   %Δy = (y_T - y_0) / y_0,   %Δx = (x_T - x_0) / x_0

Tapio (2005, Fig. 2 and Table 2) names eight states from the signs of Δx and Δy and the value of
e, with boundaries 0.8 and 1.2 (configurable here as ``lower`` and ``upper``); the rows with
a zero change are our conventions (below), Tapio gives none:

=================  =====  =====  ===================  ==============================================
state              Δx     Δy     e                    中文
=================  =====  =====  ===================  ==============================================
strong decoupling   > 0    <= 0  e <= 0               强脱钩
strong decoupling   = 0    < 0   e = -inf             强脱钩
weak decoupling     > 0    > 0   0 < e < lower        弱脱钩
expansive coupling  > 0    > 0   lower <= e <= upper  扩张连接
expansive negative  > 0    > 0   e > upper            扩张负脱钩
decoupling
strong negative     < 0    >= 0  e <= 0               强负脱钩
decoupling
strong negative     = 0    > 0   e = +inf             强负脱钩
decoupling
weak negative       < 0    < 0   0 < e < lower        弱负脱钩
decoupling
recessive coupling  < 0    < 0   lower <= e <= upper  衰退连接
recessive           < 0    < 0   e > upper            衰退脱钩
decoupling
no change           = 0    = 0   NaN                  无变化
=================  =====  =====  ===================  ==============================================

Treatment of boundaries and zero changes (Tapio gives open intervals; these are our documented
conventions, tested in tests/metrics/test_metrics_decoupling.py):

- The coupling band is closed: e = lower and e = upper exactly are *coupling* (expansive or
  recessive). A value within ``tol`` (relative, default 1e-9) of a boundary counts as on it, so
  that e.g. 8 % / 10 % = 0.7999999999999999 in floating point is classified as 0.8.
- Δx > 0 and Δy = 0 (e = 0): strong decoupling — the pressure is stable while the economy grows,
  which the OECD (2002, "Indicators to measure decoupling of environmental pressure from economic
  growth", SG/SD(2002)1, p. 4) calls absolute decoupling ("stable or decreasing").
- Δx < 0 and Δy = 0 (e = 0): strong negative decoupling (the pressure does not fall although the
  economy shrinks; by symmetry with the previous rule).
- Δx = 0 and Δy < 0: strong decoupling (e = -inf from the growth side; pressure falls without
  growth). Δx = 0 and Δy > 0: strong negative decoupling. e is reported as ±inf.
- Δx = 0 and Δy = 0: state "no change" (e = NaN); it is none of the eight states.
- A base value x_0 <= 0 or y_0 <= 0, or a missing value: state "undefined" (e = NaN).

Source: Tapio, P. (2005). Towards a theory of decoupling: degrees of decoupling in the EU and the
case of road traffic in Finland between 1970 and 2001. Transport Policy 12(2): 137-151.
doi:10.1016/j.tranpol.2005.01.001.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.metrics._table import check_unique, numeric_columns, require_columns

__all__ = ["STATES", "tapio_elasticity", "tapio_state", "decoupling"]

# code -> (english, chinese)
STATES: dict[str, tuple[str, str]] = {
    "strong_decoupling": ("strong decoupling", "强脱钩"),
    "weak_decoupling": ("weak decoupling", "弱脱钩"),
    "expansive_coupling": ("expansive coupling", "扩张连接"),
    "expansive_negative_decoupling": ("expansive negative decoupling", "扩张负脱钩"),
    "strong_negative_decoupling": ("strong negative decoupling", "强负脱钩"),
    "weak_negative_decoupling": ("weak negative decoupling", "弱负脱钩"),
    "recessive_coupling": ("recessive coupling", "衰退连接"),
    "recessive_decoupling": ("recessive decoupling", "衰退脱钩"),
    "no_change": ("no change", "无变化"),
    "undefined": ("undefined (base value <= 0 or missing)", "无法计算(基期值≤0或缺失)"),
}


def tapio_elasticity(x0, x1, y0, y1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentage changes and Tapio elasticity.

    Returns ``(pct_x, pct_y, e)`` as fractions (0.1 = +10 %) and e = pct_y / pct_x, with e = ±inf
    when pct_x = 0 and pct_y != 0, and NaN when both are 0 or a base value is <= 0.
    """
    x0, x1, y0, y1 = (np.asarray(v, dtype=float) for v in (x0, x1, y0, y1))
    with np.errstate(divide="ignore", invalid="ignore"):
        px = np.where(x0 > 0, (x1 - x0) / x0, np.nan)
        py = np.where(y0 > 0, (y1 - y0) / y0, np.nan)
        e = py / px
    e = np.where((px == 0) & (py == 0), np.nan, e)
    return px, py, e


def tapio_state(pct_x, pct_y, lower: float = 0.8, upper: float = 1.2,
                tol: float = 1e-9) -> np.ndarray:
    """Tapio state codes (keys of :data:`STATES`) from percentage changes of x and y.

    Classification uses the signs of the changes and |e| against the coupling band
    [lower, upper] (closed); see the module docstring for zero changes and boundaries.
    """
    if not (0 < lower <= upper):
        raise ValueError(M("msg.met_need_0_lower_upper", lower=lower, upper=upper))
    px = np.asarray(pct_x, dtype=float)
    py = np.asarray(pct_y, dtype=float)
    px, py = np.broadcast_arrays(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = py / px
    # snap values within a relative tolerance of a boundary onto it
    for b in (lower, upper):
        e = np.where(np.abs(e - b) <= tol * b, b, e)
    below = e < lower
    band = (e >= lower) & (e <= upper)
    above = e > upper
    gx, sx, zx = px > 0, px < 0, px == 0
    gy, sy, zy = py > 0, py < 0, py == 0
    conds = [
        np.isnan(px) | np.isnan(py),
        zx & zy,
        (gx & (sy | zy)) | (zx & sy),
        (sx & (gy | zy)) | (zx & gy),
        gx & gy & below,
        gx & gy & band,
        gx & gy & above,
        sx & sy & below,
        sx & sy & band,
        sx & sy & above,
    ]
    choices = ["undefined", "no_change", "strong_decoupling", "strong_negative_decoupling",
               "weak_decoupling", "expansive_coupling", "expansive_negative_decoupling",
               "weak_negative_decoupling", "recessive_coupling", "recessive_decoupling"]
    return np.select(conds, choices, default="undefined").astype(object)


def _periods(years: Sequence[int], base: int | None, end: int | None,
             periods: Sequence[tuple[int, int]] | None) -> list[tuple[int, int]]:
    if periods:
        return [(int(a), int(b)) for a, b in periods]
    if base is not None or end is not None:
        return [(int(base if base is not None else years[0]),
                 int(end if end is not None else years[-1]))]
    return list(zip(years[:-1], years[1:], strict=True))


def decoupling(
    data: pd.DataFrame,
    x: str = "GDP",
    y: str = "CO2",
    region_col: str | None = "region",
    year_col: str = "year",
    base: int | None = None,
    end: int | None = None,
    periods: Sequence[tuple[int, int]] | None = None,
    lower: float = 0.8,
    upper: float = 1.2,
    lang: str = "en",
    file: str = "<table>",
) -> pd.DataFrame:
    """Tapio decoupling of ``y`` from ``x`` for every region and period of a tidy table.

    Parameters
    ----------
    data : DataFrame
        One row per region and year with numeric columns ``x`` and ``y`` (any units; the
        elasticity is unit-free, but use constant-price GDP).
    x, y : str
        Driver and pressure columns, e.g. ``x="GDP", y="CO2"``; ``x="CO2", y="SO2"`` for
        pollutant vs CO2.
    region_col : str or None
        Region column; None when the table is a single series.
    year_col : str
        Year column (integers).
    base, end : int, optional
        A single chosen period base → end. When neither these nor ``periods`` are given,
        consecutive periods of the years present in the table are used.
    periods : list of (int, int), optional
        Explicit list of (base, end) year pairs.
    lower, upper : float
        Coupling band of the elasticity (Tapio 2005: 0.8 and 1.2).
    lang : {"en", "zh"}
        Language of the ``state_label`` column.

    Returns
    -------
    DataFrame
        ``region, base_year, end_year, x_base, x_end, y_base, y_end, pct_x, pct_y, elasticity,
        state, state_label``; percentages as fractions; state codes are keys of :data:`STATES`.
    """
    require_columns(data, [region_col, year_col, x, y], file)
    df = numeric_columns(data, [x, y, year_col], file)
    df = df.dropna(subset=[year_col])
    df[year_col] = df[year_col].astype(int)
    keys = ([region_col] if region_col else []) + [year_col]
    check_unique(df, keys, file)
    if region_col is None:
        df = df.assign(_region="all")
        region_col_eff = "_region"
    else:
        region_col_eff = region_col
    years = sorted(df[year_col].unique().tolist())
    pers = _periods(years, base, end, periods)
    missing = sorted({yr for p in pers for yr in p} - set(years))
    if missing:
        raise InputError(Problem(file=file, column=year_col,
                                 message=M("msg.met_year_s_not_table", missing=str(missing)),
                                 expected=M("msg.met_years_among", years=str(years))))
    wide = df.pivot(index=region_col_eff, columns=year_col, values=[x, y])
    b = np.array([p[0] for p in pers])
    t = np.array([p[1] for p in pers])
    n_r, n_p = len(wide.index), len(pers)
    x0 = wide[x][b].to_numpy().reshape(n_r, n_p)
    x1 = wide[x][t].to_numpy().reshape(n_r, n_p)
    y0 = wide[y][b].to_numpy().reshape(n_r, n_p)
    y1 = wide[y][t].to_numpy().reshape(n_r, n_p)
    px, py, e = tapio_elasticity(x0, x1, y0, y1)
    state = tapio_state(px, py, lower=lower, upper=upper)
    labels = {k: (v[1] if lang == "zh" else v[0]) for k, v in STATES.items()}
    out = pd.DataFrame({
        "region": np.repeat(wide.index.to_numpy(), n_p),
        "base_year": np.tile(b, n_r),
        "end_year": np.tile(t, n_r),
        "x_base": x0.ravel(), "x_end": x1.ravel(),
        "y_base": y0.ravel(), "y_end": y1.ravel(),
        "pct_x": px.ravel(), "pct_y": py.ravel(),
        "elasticity": e.ravel(),
        "state": state.ravel(),
    })
    out["state_label"] = out["state"].map(labels)
    if region_col is None:
        out = out.drop(columns="region")
    out.attrs.update({"x": x, "y": y, "lower": lower, "upper": upper,
                      "method": "Tapio (2005) Transport Policy 12(2):137-151"})
    return out
