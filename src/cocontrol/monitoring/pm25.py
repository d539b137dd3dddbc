"""PM2.5 effect of each scenario measure: the measures named for a PM2.5 gap are those that
lower the annual-mean concentration most, not those that cut the most tonnes.

For a measure m of scenario k in year y the scenario engine gives its emission reduction by
inventory species, ΔE_s (t, scope 1, :func:`cocontrol.scenario.marginal_effects`: the scenario
without m minus the scenario with it). Precursor changes follow the one mapping of the
air-quality stage (:func:`cocontrol.airquality.precursors.default_mapping`),
ΔP_p = Σ_s M[p, s] ΔE_s, and the city's air-quality model (any model of the
:class:`cocontrol.airquality.ResponseModel` protocol, built by
:func:`cocontrol.airquality.registry.create` from the project's ``optimisation.yaml``
``air_quality`` section with the base-year precursor emissions of the inventory) gives the
change of annual-mean PM2.5 at the city: effect_m = −ΔPM2.5(−ΔP) in µg/m³ (positive = cleaner
air). For a linear model (TM5-FASST scaled to the city, the default) effects add up; for a
non-linear model each measure is evaluated alone and the sum is an approximation (noted).
Method page: docs/methods/monitoring.md §4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.airquality import PM25
from cocontrol.airquality.base import LinearSourceReceptor
from cocontrol.airquality.precursors import default_mapping
from cocontrol.airquality.registry import create

COLUMNS = ["scenario", "measure", "reduction"]


def precursor_matrix(species: list[str], mapping: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Precursors and the matrix M (precursor × species) of ``mapping``."""
    prec = list(dict.fromkeys(mapping["precursor"]))
    M = np.zeros((len(prec), len(species)))
    for p, s, f in mapping[["precursor", "species", "factor"]].itertuples(index=False):
        if s in species:
            M[prec.index(p), species.index(s)] += float(f)
    return prec, M


def city_response(model, city: str, prec: list[str], dP: np.ndarray) -> float:
    """Change of annual-mean PM2.5 (µg/m³) at ``city`` for precursor changes ``dP`` (t) of
    the city's own emissions.

    A linear model answers through its Jacobian (as the optimiser's link does): a precursor
    the model has no PM2.5 coefficient for (VOCs in TM5-FASST, which acts on O3 only) has no
    PM2.5 effect in that model; a city the model has no coefficient for at all is NaN (not
    estimated). Any other model of the protocol answers through ``predict``."""
    keep = np.abs(dP) > 0
    if not keep.any():
        return 0.0
    if callable(getattr(model, "jacobian", None)):
        jac = model.jacobian(PM25, receptors=[city])
        jac = jac[jac["source_region"] == city].groupby("precursor")["value"].sum()
        if jac.empty:  # the model knows no PM2.5 response of this city: not estimated, not 0
            return float("nan")
        return float(sum(float(jac.get(p, 0.0)) * d for p, d in zip(prec, dP, strict=True)))
    tab = pd.DataFrame({"source_region": city, "precursor": np.array(prec)[keep],
                        "change_t": dP[keep]})
    r = model.predict(tab)
    r = r[(r["receptor"] == city) & (r["component"] == PM25)]
    if r.empty:
        return float("nan")
    return float(r["change"].sum())


def measure_pm25_effects(project, year: int, base=None) -> tuple[pd.DataFrame, str]:
    """PM2.5 reduction (µg/m³) of every measure of every non-baseline scenario in ``year``
    (the first scenario year at or after it), and a note saying how it was computed.

    Empty with the reason in the note when the project has no ``air_quality`` settings (the
    effect is then *not estimated*, never 0)."""
    from cocontrol.scenario import marginal_effects, prepare

    aq = (project.optimisation_data() or {}).get("air_quality")
    if not aq:
        return pd.DataFrame(columns=COLUMNS), (
            "PM2.5 effect of the measures not estimated: the project has no air_quality "
            "section in optimisation.yaml (city, pm25_base_ugm3, local_share)")
    base = base or prepare(project)
    later = [y for y in base.years if y >= year]
    if not later:
        return pd.DataFrame(columns=COLUMNS), f"scenario years end before {year}"
    year = later[0]
    mapping = default_mapping(float(aq.get("om_oc_ratio", 1.4)), aq.get("om_share_of_primary"))
    species = list(base.species)
    prec, M = precursor_matrix(species, mapping)
    tot0 = base.inventory.total(unit="t").reindex(species)[base.years[0]].to_numpy(float)
    P0 = M @ np.nan_to_num(tot0)
    name = str(aq.get("model", "tm5fasst_city"))
    params = {"pm25_base_ugm3": aq.get("pm25_base_ugm3"), "local_share": aq.get("local_share"),
              **dict(aq.get("params") or {})}
    city = str(aq["city"])
    model = create(name, params, city=city,
                   base_precursors_t={p: float(v) for p, v in zip(prec, P0, strict=True)})
    parts = []
    for sc in base.scenarios:
        if sc == "baseline":
            continue
        me = marginal_effects(base, sc)
        parts.append(me[me["year"] == year].assign(scenario=sc))
    red = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["scenario", "measure", "species", "reduction_t"])
    out = pm25_effects(red, model, city, mapping)
    linear = isinstance(model, LinearSourceReceptor)
    note = (f"measures ranked by their effect on annual-mean PM2.5 at {city} in {year} "
            f"({model.name}; precursors by cocontrol.airquality default_mapping)"
            + ("" if linear else "; non-linear model: each measure alone, the cumulative "
               "sum is an approximation"))
    return out, note


def pm25_effects(reductions: pd.DataFrame, model, city: str,
                 mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """PM2.5 reduction (µg/m³ at ``city``) of each measure from its emission reductions.

    ``reductions``: scenario, measure, species, reduction_t (t, positive = less emitted);
    species the mapping does not use (CO2, CO2_scope2, ...) do not act on PM2.5. Returns
    scenario, measure, reduction (µg/m³, positive = cleaner air), in the order of the input.
    """
    mapping = default_mapping() if mapping is None else mapping
    species = list(dict.fromkeys(mapping["species"]))
    prec, M = precursor_matrix(species, mapping)
    rows = []
    for (sc, mid), g in reductions.groupby(["scenario", "measure"], sort=False):
        dE = g.groupby("species")["reduction_t"].sum().reindex(species).fillna(0.0)
        dP = M @ dE.to_numpy(float)  # precursor reduction (t)
        rows.append((sc, str(mid), -city_response(model, city, prec, -dP)))
    return pd.DataFrame(rows, columns=COLUMNS)
