"""Emission intensity per unit of GDP of each region (the map's intensity choropleth).

For region r and year y, with E the emissions (t) and G the GDP of the project's region
statistics (``region_stats.csv``, any currency unit):

    I[r, y] = E[r, y] / G[r, y]        converted to ``unit`` (e.g. t/1e4 yuan, kg/1e4 yuan)

The GDP is converted with :func:`cocontrol.units.factor` to the denominator of ``unit`` and the
emissions from t to its numerator, so ``608 x 1e8 yuan`` is ``6.08e6 x 1e4 yuan``. A region
without a GDP row for the year has no intensity (NaN, "not estimated"), never 0; emissions that
are themselves not estimated (NaN) give NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cocontrol import units
from cocontrol.i18n import Msg as M

#: reference unit of each indicator of region_stats (cocontrol.project.schema.REGION_INDICATORS)
GDP_UNIT = "1e4 yuan"


def region_values(stats: pd.DataFrame | None, indicator: str, year: int,
                  unit: str) -> pd.Series:
    """Value of ``indicator`` per region in ``year``, converted to ``unit`` (index: region_id;
    only regions with a row)."""
    if stats is None or len(stats) == 0:
        return pd.Series(dtype=float, name=indicator)
    rows = stats[(stats["indicator"] == indicator) & (stats["year"] == year)]
    vals = [float(v) * units.factor(str(u), unit) for v, u in zip(rows["value"], rows["unit"],
                                                                  strict=True)]
    return pd.Series(vals, index=rows["region_id"].astype(str).to_numpy(), name=indicator,
                     dtype=float)


def gdp_intensity(emissions_t: Mapping[str, float], stats: pd.DataFrame | None, year: int,
                  unit: str = "t/1e4 yuan") -> pd.DataFrame:
    """Emissions per GDP of each region of ``emissions_t`` (t by region_id) in ``year``.

    Returns one row per region: ``region``, ``emissions_t``, ``gdp`` (in the denominator of
    ``unit``), ``gdp_unit``, ``intensity`` (in ``unit``), ``unit`` and ``gdp_source`` (the
    statistics row's source); NaN where the region has no GDP for the year."""
    if "/" not in str(unit):
        raise ValueError(M("msg.met_intensity_unit", unit=unit))
    num, den = (s.strip() for s in str(unit).split("/", 1))
    to_num = units.factor("t", num)
    gdp = region_values(stats, "gdp", year, den)
    src = {}
    if stats is not None and len(stats):
        rows = stats[(stats["indicator"] == "gdp") & (stats["year"] == year)]
        src = dict(zip(rows["region_id"].astype(str), rows["source"], strict=True))
    out = []
    for r, e in emissions_t.items():
        g = float(gdp.get(str(r), np.nan))
        e = float(e)
        out.append({"region": str(r), "emissions_t": e, "gdp": g, "gdp_unit": den,
                    "intensity": e * to_num / g if np.isfinite(g) and g > 0 else np.nan,
                    "unit": unit, "gdp_source": src.get(str(r))})
    return pd.DataFrame(out, columns=["region", "emissions_t", "gdp", "gdp_unit", "intensity",
                                      "unit", "gdp_source"])
