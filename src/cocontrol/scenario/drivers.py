"""Drivers and activity projections.

Activity of every source line of a sector follows

    A_t = A_0 × (D_t / D_0)^ε × (1 + g)^(t − t0)

with D a driver (GDP, population, a sector output path), ε the sector's elasticity to it and
g the annual change of activity per unit of driver (energy-intensity trend; negative for
improvement). Drivers are interpolated linearly between given years and held constant beyond
the last one. Sectors without an elasticity row keep base-year activity, unless a ``*`` row
gives a default. An explicit path is a driver with elasticity 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem


def interpolate(drivers: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Driver values (rows: driver, columns: years), linear between given years."""
    out = {}
    for name, g in drivers.groupby("driver"):
        g = g.sort_values("year")
        out[name] = np.interp(years, g["year"].to_numpy(float), g["value"].to_numpy(float))
    return pd.DataFrame(out, index=years).T


def growth_factors(sectors: pd.Series, sector_parent: pd.Series, elasticities: pd.DataFrame,
                   drivers: pd.DataFrame, years: list[int], base_year: int,
                   file: str = "elasticities") -> np.ndarray:
    """Growth factor A_t/A_0 for every line (rows) and year (columns).

    A sector row applies to the sector's lines; a parent-sector row applies to its children
    without their own row; ``*`` to every other line.
    """
    n = len(sectors)
    out = np.ones((n, len(years)))
    if elasticities is None or elasticities.empty:
        return out
    yrs = sorted(set(years) | {base_year})
    d = interpolate(drivers, yrs) if drivers is not None and len(drivers) else pd.DataFrame()
    t = np.array(years, dtype=float) - base_year
    factor_by_key: dict[str, np.ndarray] = {}
    probs = []
    file = elasticities.attrs.get("file", file)
    rows = (elasticities["_row"].to_numpy() if "_row" in elasticities.columns
            else np.arange(len(elasticities)) + 2)
    for i, r in enumerate(elasticities.itertuples(index=False)):
        g = np.ones(len(years))
        if isinstance(r.driver, str) and r.driver:
            if r.driver not in d.index:
                probs.append(Problem(file=file, row=int(rows[i]), column="driver", value=r.driver,
                                     message="driver not found in drivers table",
                                     expected=", ".join(d.index)))
                continue
            path = d.loc[r.driver]
            d0 = float(path[base_year])
            if d0 <= 0:
                probs.append(Problem(file=file, row=int(rows[i]), column="driver", value=r.driver,
                                     message="driver is zero or negative in the base year",
                                     expected="a positive base-year value"))
                continue
            g = (path[years].to_numpy(float) / d0) ** float(r.elasticity)
        ic = float(r.intensity_change) if pd.notna(r.intensity_change) else 0.0
        factor_by_key[r.sector] = g * (1.0 + ic) ** t
    if probs:
        raise InputError(probs)
    sec = sectors.astype(object).to_numpy()
    par = sector_parent.astype(object).to_numpy()
    done = np.zeros(n, bool)
    for key_arr in (sec, par):
        for key, f in factor_by_key.items():
            hit = (key_arr == key) & ~done
            out[hit] = f
            done |= hit
    if "*" in factor_by_key:
        out[~done] = factor_by_key["*"]
    return out
