"""Classification of regions by the joint change of CO2 and a pollutant between two years.

For each region the changes ΔC = CO2_end − CO2_base and ΔP = P_end − P_base (P: an emission such as
SO2, or the PM2.5 concentration in µg/m³) are put in one of four classes (协同类型):

=======================  ================  =====================  ========================
class                    ΔC                ΔP                     中文
=======================  ================  =====================  ========================
co_reduction             < 0               < 0                    协同减排 (减污降碳协同)
pollution_only           >= 0              < 0                    仅减污
carbon_only              < 0               >= 0                   仅降碳
co_increase              >= 0              >= 0                   同步增长
=======================  ================  =====================  ========================

Zero change: a change counts as a *reduction* only when it is strictly below ``-tol`` (relative
to the base value; default tol = 0, i.e. strictly negative). A zero (or within-tolerance) change is
therefore "not reduced" and goes with the increases, so a region whose CO2 and PM2.5 are both
unchanged is classed ``co_increase`` (no co-benefit shown). Set ``tol`` (e.g. 0.01 = 1 %) to
treat small changes as no change. Missing values give class ``undefined``.

This is the quadrant classification of the co-control effect coordinate system (协同控制效应
坐标系, Mao Xianqiang et al. 2011, "技术减排措施协同控制效应评价研究", 中国人口·资源与环境
21(12); see docs/methods/co-control-metrics.md) applied to observed changes between two years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.metrics._table import check_unique, numeric_columns, require_columns

__all__ = ["JOINT_CLASSES", "joint_change_class", "classify_joint_change"]

JOINT_CLASSES: dict[str, tuple[str, str]] = {
    "co_reduction": ("co-reduction", "协同减排"),
    "pollution_only": ("pollution-only reduction", "仅减污"),
    "carbon_only": ("carbon-only reduction", "仅降碳"),
    "co_increase": ("co-increase", "同步增长"),
    "undefined": ("undefined (missing value)", "无法判断(缺失值)"),
}


def joint_change_class(d_carbon, d_pollutant, base_carbon=None, base_pollutant=None,
                       tol: float = 0.0) -> np.ndarray:
    """Class codes (keys of :data:`JOINT_CLASSES`) from changes of carbon and pollutant.

    A change is a reduction when ``d < -tol * |base|`` (``d < -tol`` when no base is given).
    """
    dc = np.asarray(d_carbon, dtype=float)
    dp = np.asarray(d_pollutant, dtype=float)
    sc = np.abs(np.asarray(base_carbon, dtype=float)) if base_carbon is not None else 1.0
    sp = np.abs(np.asarray(base_pollutant, dtype=float)) if base_pollutant is not None else 1.0
    rc = dc < -tol * sc
    rp = dp < -tol * sp
    nan = np.isnan(dc) | np.isnan(dp)
    out = np.select([nan, rc & rp, ~rc & rp, rc & ~rp], ["undefined", "co_reduction",
                    "pollution_only", "carbon_only"], default="co_increase")
    return out.astype(object)


def classify_joint_change(
    data: pd.DataFrame,
    base: int,
    end: int,
    carbon: str = "CO2",
    pollutant: str = "PM2.5",
    region_col: str = "region",
    year_col: str = "year",
    tol: float = 0.0,
    lang: str = "en",
    file: str = "<table>",
) -> pd.DataFrame:
    """Classify every region of a tidy table by the joint change of ``carbon`` and ``pollutant``.

    Parameters
    ----------
    data : DataFrame
        One row per region and year with numeric ``carbon`` (e.g. t CO2) and ``pollutant`` (e.g.
        t SO2 or µg/m³ PM2.5) columns.
    base, end : int
        The two years compared.
    tol : float
        Relative change below which a change is not counted as a reduction (default 0).

    Returns
    -------
    DataFrame
        ``region, carbon_base, carbon_end, d_carbon, pct_carbon, pollutant_base, pollutant_end,
        d_pollutant, pct_pollutant, class, class_label`` (percentages as fractions).
    """
    require_columns(data, [region_col, year_col, carbon, pollutant], file)
    df = numeric_columns(data, [carbon, pollutant, year_col], file)
    df = df.dropna(subset=[year_col])
    df[year_col] = df[year_col].astype(int)
    check_unique(df, [region_col, year_col], file)
    years = set(df[year_col].unique().tolist())
    missing = sorted({base, end} - years)
    if missing:
        raise InputError(Problem(file=file, column=year_col,
                                 message=M("msg.met_year_s_not_table", missing=str(missing)),
                                 expected=M("msg.met_years_among2", sorted_years=str(sorted(years)))))
    wide = df.pivot(index=region_col, columns=year_col, values=[carbon, pollutant])
    c0, c1 = wide[carbon][base].to_numpy(), wide[carbon][end].to_numpy()
    p0, p1 = wide[pollutant][base].to_numpy(), wide[pollutant][end].to_numpy()
    dc, dp = c1 - c0, p1 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        pc = np.where(c0 != 0, dc / np.abs(c0), np.nan)
        pp = np.where(p0 != 0, dp / np.abs(p0), np.nan)
    cls = joint_change_class(dc, dp, c0, p0, tol=tol)
    labels = {k: (v[1] if lang == "zh" else v[0]) for k, v in JOINT_CLASSES.items()}
    out = pd.DataFrame({
        "region": wide.index.to_numpy(),
        "base_year": base, "end_year": end,
        "carbon_base": c0, "carbon_end": c1, "d_carbon": dc, "pct_carbon": pc,
        "pollutant_base": p0, "pollutant_end": p1, "d_pollutant": dp, "pct_pollutant": pp,
        "class": cls,
    })
    out["class_label"] = out["class"].map(labels)
    out.attrs.update({"carbon": carbon, "pollutant": pollutant})
    return out
