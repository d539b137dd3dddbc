"""Attainment of annual-mean PM2.5 standards, with the component breakdown.

* GB 3095-2012 *Ambient air quality standards* (环境空气质量标准), Table 1 (基本项目浓度限值):
  PM2.5 annual mean Grade I 15 µg/m³, Grade II 35 µg/m³ (24-hour: 35 / 75 µg/m³). Cities are
  assessed against Grade II (二级, residential, commercial, industrial and rural areas).
* WHO global air quality guidelines (2021), Table 0.1 / 3.6: PM2.5 annual AQG level 5 µg/m³;
  interim targets IT-1 35, IT-2 25, IT-3 15, IT-4 10 µg/m³.

A value equal to a limit attains it (the standards are "not to exceed" limits). For official
assessment HJ 663-2013 reports annual PM2.5 as an integer; ``rounding="integer"`` applies
round-half-to-even (GB/T 8170 修约) before the comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.airquality.base import PM25, PM_COMPONENTS
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M

GB3095_GRADE_II_ANNUAL = 35.0  # µg/m³, GB 3095-2012 Table 1
GB3095_GRADE_I_ANNUAL = 15.0  # µg/m³, GB 3095-2012 Table 1
WHO2021_AQG_ANNUAL = 5.0  # µg/m³, WHO 2021 AQG
#: WHO 2021 interim targets and guideline level, strictest last (µg/m³, annual mean).
WHO2021_LEVELS: tuple[tuple[str, float], ...] = (
    ("IT-1", 35.0), ("IT-2", 25.0), ("IT-3", 15.0), ("IT-4", 10.0), ("AQG", 5.0))

SOURCES = {
    "GB3095": "GB 3095-2012 Ambient air quality standards, Table 1 (PM2.5 annual: Grade I 15, "
              "Grade II 35 µg/m³)",
    "WHO2021": "WHO global air quality guidelines 2021, PM2.5 annual: AQG 5 µg/m³; "
               "IT-1 35, IT-2 25, IT-3 15, IT-4 10 µg/m³",
}


def who_level(pm25_ugm3: np.ndarray | float) -> np.ndarray:
    """Strictest WHO 2021 level met (``"AQG"``, ``"IT-4"`` … ``"IT-1"``) or ``"above IT-1"``."""
    x = np.atleast_1d(np.asarray(pm25_ugm3, dtype=float))
    out = np.full(x.shape, "above IT-1", dtype=object)
    for name, lim in WHO2021_LEVELS:  # from loosest to strictest: later overwrites
        out[x <= lim] = name
    out[np.isnan(x)] = None
    return out


def attainment(pm25: pd.DataFrame | pd.Series | float | dict,
               rounding: str = "none") -> pd.DataFrame:
    """Compare annual-mean PM2.5 with GB 3095-2012 Grade II/I and the WHO 2021 guideline.

    Parameters
    ----------
    pm25
        A result of ``ResponseModel.predict`` (rows ``receptor, component, value``: the
        component breakdown is then reported too), a Series or dict of PM2.5 (µg/m³) by
        receptor, or a single number.
    rounding
        ``"none"`` (compare the value as is) or ``"integer"`` (round half to even first, as
        for official reporting under HJ 663-2013).

    Returns
    -------
    DataFrame indexed by receptor with ``PM25_ugm3``, ``gb3095_grade2_limit_ugm3`` (35),
    ``meets_gb3095_grade2``, ``gb3095_grade2_gap_ugm3`` (PM2.5 − 35; > 0 = reduction still
    needed), ``meets_gb3095_grade1``, ``who2021_level``, ``meets_who2021_aqg``,
    ``who2021_aqg_gap_ugm3`` and, when available, each component in µg/m³
    (``SO4_ugm3`` … ``other_ugm3``) and its share of PM2.5 (``SO4_share`` …).
    """
    comps = None
    if isinstance(pm25, pd.DataFrame):
        need = {"receptor", "component", "value"}
        if not need <= set(pm25.columns):
            raise InputError(Problem("<pm25>", M("msg.aq_table_lacks_columns"),
                                     value=sorted(need - set(pm25.columns)),
                                     expected=M("msg.aq_receptor_component_value_g")))
        tot = pm25[pm25["component"] == PM25].set_index("receptor")["value"]
        comps = pm25[pm25["component"].isin(PM_COMPONENTS)].pivot_table(
            index="receptor", columns="component", values="value", aggfunc="sum", sort=False)
        if tot.empty:  # components only
            tot = comps.sum(axis=1)
    elif isinstance(pm25, pd.Series):
        tot = pm25.astype(float)
    elif isinstance(pm25, dict):
        tot = pd.Series(pm25, dtype=float)
    else:
        tot = pd.Series([float(pm25)], index=["receptor"])
    tot = tot.astype(float)
    if rounding == "integer":
        x = np.round(tot.to_numpy())  # numpy rounds half to even
    elif rounding == "none":
        x = tot.to_numpy()
    else:
        raise ValueError(M("msg.aq_rounding_none_integer"))
    out = pd.DataFrame(index=pd.Index(tot.index, name="receptor"))
    out["PM25_ugm3"] = x
    out["gb3095_grade2_limit_ugm3"] = GB3095_GRADE_II_ANNUAL
    out["meets_gb3095_grade2"] = x <= GB3095_GRADE_II_ANNUAL
    out["gb3095_grade2_gap_ugm3"] = x - GB3095_GRADE_II_ANNUAL
    out["meets_gb3095_grade1"] = x <= GB3095_GRADE_I_ANNUAL
    out["who2021_level"] = who_level(x)
    out["meets_who2021_aqg"] = x <= WHO2021_AQG_ANNUAL
    out["who2021_aqg_gap_ugm3"] = x - WHO2021_AQG_ANNUAL
    if comps is not None and not comps.empty:
        comps = comps.reindex(index=out.index, columns=[c for c in PM_COMPONENTS
                                                        if c in comps.columns])
        total = comps.sum(axis=1)
        for c in comps.columns:
            out[f"{c}_ugm3"] = comps[c].to_numpy()
        for c in comps.columns:
            out[f"{c}_share"] = (comps[c] / total).to_numpy()
    out.attrs["sources"] = dict(SOURCES)
    return out
