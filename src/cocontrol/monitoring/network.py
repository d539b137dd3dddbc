"""Urban CO2 monitoring network design (SCREENING): greedy maximum coverage of emissions.

A candidate site k "sees" source j when wind carries the source's plume over the site. For a
wind rose with sector frequencies f_θ (direction the wind blows FROM, n sectors of width
360/n degrees) the sensitivity of site k to source j is::

    s_jk = Σ_θ f_θ · 1[bearing(j → k) within the downwind sector of θ] · g(d_jk)
    g(d) = min(1, σ_z(d_0) / σ_z(d)),  d ≤ d_max;  g = 0 beyond d_max

g is the ground-level, crosswind-integrated concentration of a ground-level Gaussian plume,
C_y = √(2/π) Q / (u σ_z) (Seinfeld & Pandis, *Atmospheric Chemistry and Physics*, 3rd ed.,
ch. 18), normalised to 1 at d_0 = 1 km; σ_z is the Briggs (1973) open-country curve for
neutral stability class D, σ_z = 0.06 x (1 + 0.0015 x)^(-1/2) (x in m). A source within
``d_min`` of the site counts as seen in every wind (g = 1).

The coverage of a set S of sites is the emission-weighted sensitivity of the best site::

    C(S) = Σ_j E_j · max_{k∈S} s_jk / Σ_j E_j

C is monotone and submodular, so adding sites greedily (each step the site with the largest
gain) reaches at least (1 - 1/e) of the best coverage for the same number of sites
(Nemhauser, Wolsey & Fisher 1978). This is a screening method for choosing candidates to
study; it ignores terrain, stability distribution, source height, background and the
transport model inversion that a real network design uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocontrol.i18n import Msg as M
from cocontrol.monitoring._common import MonitoringError

SCREENING = ("SCREENING estimate: sector footprint with a Briggs class-D plume; not a "
             "network design study", "筛选性估算：基于风向扇区与Briggs中性类高斯烟羽的简化足迹，"
             "不能替代正式站点布设论证")


def sigma_z_class_d(x_m: np.ndarray) -> np.ndarray:
    """Briggs (1973) open-country σ_z for stability class D (m), x in m."""
    x = np.asarray(x_m, float)
    return 0.06 * x * (1 + 0.0015 * x) ** -0.5


def sensitivity(sources: pd.DataFrame, sites: pd.DataFrame, wind: pd.DataFrame,
                d_max_km: float = 30.0, d_min_km: float = 0.5, d0_km: float = 1.0
                ) -> np.ndarray:
    """s_jk (sources x sites). ``sources``/``sites`` have x_km, y_km (east, north);
    ``wind`` has direction_deg (FROM, sector centre) and frequency (sums to 1)."""
    for name, df in (("sources", sources), ("sites", sites)):
        miss = [c for c in ("x_km", "y_km") if c not in df.columns]
        if miss:
            raise MonitoringError(M("msg.mon_table_lacks", table=M(f"mon_table.{name}"),
                                            miss=str(miss)))
    f = wind["frequency"].to_numpy(float)
    if not np.isclose(f.sum(), 1.0, atol=1e-3):
        raise MonitoringError(M("msg.mon_wind_sum", total=f"{f.sum():.4f}"))
    theta = wind["direction_deg"].to_numpy(float)
    width = 360.0 / len(theta)
    dx = sites["x_km"].to_numpy(float)[None, :] - sources["x_km"].to_numpy(float)[:, None]
    dy = sites["y_km"].to_numpy(float)[None, :] - sources["y_km"].to_numpy(float)[:, None]
    d = np.hypot(dx, dy)
    bearing = np.degrees(np.arctan2(dx, dy)) % 360.0  # from source to site, clockwise from N
    s = np.zeros_like(d)
    for th, fr in zip(theta, f, strict=True):
        downwind = (th + 180.0) % 360.0
        diff = np.abs((bearing - downwind + 180.0) % 360.0 - 180.0)
        s += fr * (diff <= width / 2)
    g = np.minimum(1.0, sigma_z_class_d(d0_km * 1000.0) /
                   sigma_z_class_d(np.maximum(d, 1e-6) * 1000.0))
    g = np.where(d <= d_max_km, g, 0.0)
    out = s * g
    return np.where(d <= d_min_km, 1.0, out)


def coverage(sens: np.ndarray, emissions: np.ndarray, chosen) -> float:
    idx = list(chosen)
    if not idx:
        return 0.0
    e = np.asarray(emissions, float)
    return float(e @ sens[:, idx].max(axis=1) / e.sum())


@dataclass
class NetworkDesign:
    steps: pd.DataFrame          # order, site, coverage, gain
    candidate_sets: pd.DataFrame  # set, sites, coverage
    sensitivity: np.ndarray
    label: tuple[str, str] = SCREENING


def greedy_sites(sources: pd.DataFrame, sites: pd.DataFrame, wind: pd.DataFrame,
                 n_sites: int = 5, emission_col: str = "emission",
                 candidate_sets: dict[str, list[str]] | None = None, **kw) -> NetworkDesign:
    """Greedy maximum-coverage choice of ``n_sites`` sites (``sites`` has site, x_km, y_km);
    ``candidate_sets`` (name -> site ids, e.g. the existing stations) are scored too."""
    e = sources[emission_col].to_numpy(float)
    if not np.isfinite(e).all() or (e < 0).any() or e.sum() <= 0:
        raise MonitoringError(M("msg.mon_source_emissions"))
    S = sensitivity(sources, sites, wind, **kw)
    ids = sites["site"].astype(str).tolist()
    chosen: list[int] = []
    rows = []
    cur = 0.0
    for step in range(min(n_sites, len(ids))):
        best, best_c = None, cur
        for k in range(len(ids)):
            if k in chosen:
                continue
            c = coverage(S, e, chosen + [k])
            if c > best_c + 1e-15:
                best, best_c = k, c
        if best is None:
            break
        chosen.append(best)
        rows.append((step + 1, ids[best], best_c, best_c - cur))
        cur = best_c
    steps = pd.DataFrame(rows, columns=["order", "site", "coverage", "gain"])
    sets = []
    for name, members in (candidate_sets or {}).items():
        unknown = [m for m in members if m not in ids]
        if unknown:
            raise MonitoringError(M("msg.mon_unknown_sites", name=name, sites=str(unknown)))
        sets.append((name, ", ".join(members), coverage(S, e, [ids.index(m) for m in members])))
    sets.append(("greedy", ", ".join(steps["site"]), cur))
    return NetworkDesign(steps, pd.DataFrame(sets, columns=["set", "sites", "coverage"]), S)
