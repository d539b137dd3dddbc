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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M


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
                                     message=M("msg.scn2_driver_not_found_drivers"),
                                     expected=", ".join(d.index)))
                continue
            path = d.loc[r.driver]
            d0 = float(path[base_year])
            if d0 <= 0:
                probs.append(Problem(file=file, row=int(rows[i]), column="driver", value=r.driver,
                                     message=M("msg.scn2_driver_zero_negative_base"),
                                     expected=M("msg.scn2_positive_base_year_value")))
                continue
            g = (path[years].to_numpy(float) / d0) ** float(r.elasticity)
        ic = float(r.intensity_change) if pd.notna(r.intensity_change) else 0.0
        factor_by_key[r.sector] = g * (1.0 + ic) ** t
    if probs:
        raise InputError(probs)
    keys = list(factor_by_key)
    row = row_of_lines(sectors, sector_parent, keys)
    for i, key in enumerate(keys):
        out[row == i] = factor_by_key[key]
    return out


def row_of_lines(sectors: pd.Series, sector_parent: pd.Series, keys: list[str]) -> np.ndarray:
    """Index into ``keys`` of the row each line follows: its sector's, else its parent
    sector's, else ``*``; −1 for none."""
    n = len(sectors)
    row = np.full(n, -1)
    sec = sectors.astype(object).to_numpy()
    par = sector_parent.astype(object).to_numpy()
    done = np.zeros(n, bool)
    for key_arr in (sec, par):
        for i, key in enumerate(keys):
            hit = (key_arr == key) & ~done
            row[hit] = i
            done |= hit
    if "*" in keys:
        row[~done] = keys.index("*")
    return row


@dataclass(frozen=True)
class GrowthParts:
    """The terms of the growth factors, kept apart so that they can be varied (sampling of
    drivers and elasticities): row r of the elasticity table has driver ``driver[r]`` (None
    for a pure trend), elasticity ``eps[r]``, intensity change ``ic[r]`` (1/yr) and the
    driver's log-ratio path ``log_ratio[r]`` = ln(D_t / D_0) over ``years``; line n follows
    row ``row_of_line[n]`` (−1: no row, growth 1).
    """

    keys: tuple[str, ...]
    driver: tuple[str | None, ...]
    eps: np.ndarray
    ic: np.ndarray
    log_ratio: np.ndarray  # rows × T
    t: np.ndarray  # years since the base year
    row_of_line: np.ndarray

    def factors(self, driver_scale: np.ndarray | None = None,
                eps_scale: np.ndarray | None = None,
                trend_scale: np.ndarray | None = None) -> np.ndarray:
        """Growth factors K × N × T of K members:

            G_k[n,t] = exp(ε_r u^ε_kr · u^D_kr · ln(D_t/D_0)) × ((1 + g_r) u^g_kr)^(t − t0)

        with r the row of line n; ``driver_scale`` (K × rows) scales the log growth of the
        row's driver (one draw per driver: the caller repeats it over the rows that share
        it), ``eps_scale`` the elasticity and ``trend_scale`` the annual factor (1 + g).
        All ones give :func:`growth_factors` (to rounding).
        """
        R = len(self.keys)
        sizes = {np.shape(a)[0] for a in (driver_scale, eps_scale, trend_scale)
                 if a is not None}
        K = max(sizes) if sizes else 1

        def _s(a):
            return np.ones((K, R)) if a is None else np.broadcast_to(
                np.asarray(a, float).reshape(-1, R), (K, R))

        du, eu, tu = _s(driver_scale), _s(eps_scale), _s(trend_scale)
        expo = (self.eps[None, :] * eu * du)[:, :, None] * self.log_ratio[None]
        trend = ((1.0 + self.ic)[None, :] * tu)[:, :, None] ** self.t[None, None, :]
        per_row = np.exp(expo) * trend  # K × rows × T
        ones = np.ones((K, 1, len(self.t)))
        table = np.concatenate([per_row, ones], axis=1)  # last row: lines without a row
        idx = np.where(self.row_of_line >= 0, self.row_of_line, R)
        return table[:, idx, :]


def growth_parts(sectors: pd.Series, sector_parent: pd.Series, elasticities: pd.DataFrame,
                 drivers: pd.DataFrame, years: list[int], base_year: int) -> GrowthParts:
    """The terms of :func:`growth_factors` (same lookup: sector row, then the parent
    sector's row, then ``*``). Inputs are those :func:`growth_factors` validated."""
    n = len(sectors)
    t = np.array(years, dtype=float) - base_year
    if elasticities is None or elasticities.empty:
        return GrowthParts((), (), np.zeros(0), np.zeros(0), np.zeros((0, len(years))), t,
                           np.full(n, -1))
    yrs = sorted(set(years) | {base_year})
    d = interpolate(drivers, yrs) if drivers is not None and len(drivers) else pd.DataFrame()
    keys, drv, eps, ic, lr = [], [], [], [], []
    for r in elasticities.itertuples(index=False):
        has = isinstance(r.driver, str) and bool(r.driver)
        if has:
            path = d.loc[r.driver]
            lr.append(np.log(path[years].to_numpy(float) / float(path[base_year])))
        else:
            lr.append(np.zeros(len(years)))
        keys.append(r.sector)
        drv.append(r.driver if has else None)
        eps.append(float(r.elasticity) if has else 0.0)
        ic.append(float(r.intensity_change) if pd.notna(r.intensity_change) else 0.0)
    pos = {k: i for i, k in enumerate(keys)}  # a later row of the same key wins, as above
    order = list(pos)
    r = row_of_lines(sectors, sector_parent, order)
    row = np.where(r >= 0, np.array([pos[k] for k in order] + [-1])[r], -1)
    return GrowthParts(tuple(keys), tuple(drv), np.array(eps), np.array(ic), np.array(lr), t,
                       row)
