"""Link between inventory species and the precursors of a linear air-quality model.

PM2.5 of the receptor in year t (µg/m³) is

    PM(t) = C0 + Σ_p J_p · (E_p(t) − E_p(base year))                                  (1)

with J_p = ∂PM2.5/∂E_p of the model's :meth:`jacobian` for the city's own emissions (source
region = the city) and E_p the city's scope-1 emissions of precursor p. Precursors are linear
combinations of inventory species, E_p = Σ_s M[p, s] E_s (table :func:`default_mapping`), so
(1) becomes PM(t) = C0 + Σ_s a_s (E_s(t) − E_s(base)) with a_s = Σ_p J_p M[p, s]. Emissions
outside the city (regional background) are held at their base-year level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocontrol.airquality import LinearSourceReceptor, city_model
from cocontrol.errors import InputError, Problem


def default_mapping(om_oc_ratio: float = 1.4, om_share_of_primary: float | None = None
                    ) -> pd.DataFrame:
    """Species → precursor factors ``precursor, species, factor``.

    SO2, NOx, NH3, BC map one to one, VOCs → NMVOC. Primary organic matter OM = ``om_oc_ratio``
    × OC; the model's ``PM25`` precursor (primary PM2.5 other than BC and OM) = PM2.5 − BC − OM.
    If the inventory has no OC (``om_share_of_primary`` given), OM is taken as that share of
    primary PM2.5 other than BC: OM = θ (PM2.5 − BC), PM25 = (1 − θ)(PM2.5 − BC).
    """
    rows = [("SO2", "SO2", 1.0), ("NOx", "NOx", 1.0), ("NH3", "NH3", 1.0),
            ("NMVOC", "VOCs", 1.0), ("BC", "BC", 1.0)]
    if om_share_of_primary is None:
        rows += [("OM", "OC", om_oc_ratio), ("PM25", "PM2.5", 1.0), ("PM25", "BC", -1.0),
                 ("PM25", "OC", -om_oc_ratio)]
    else:
        th = float(om_share_of_primary)
        rows += [("OM", "PM2.5", th), ("OM", "BC", -th), ("PM25", "PM2.5", 1 - th),
                 ("PM25", "BC", -(1 - th))]
    return pd.DataFrame(rows, columns=["precursor", "species", "factor"])


def precursor_emissions(E: np.ndarray, species: tuple[str, ...], mapping: pd.DataFrame
                        ) -> pd.DataFrame:
    """Precursor emissions (rows) by year (columns) from species emissions E (S × T), t/yr."""
    idx = {s: i for i, s in enumerate(species)}
    out: dict[str, np.ndarray] = {}
    for p, s, f in mapping[["precursor", "species", "factor"]].itertuples(index=False):
        if s in idx:
            out[p] = out.get(p, 0.0) + f * E[idx[s]]
    return pd.DataFrame(out).T


@dataclass
class AirQualityLink:
    """A linear air-quality model bound to the inventory species (Eq. 1)."""

    model: LinearSourceReceptor
    receptor: str
    source_region: str
    mapping: pd.DataFrame
    species_coef: pd.Series  # µg/m³ per t/yr of each inventory species
    pm25_base: float  # µg/m³, base year
    E_base: np.ndarray  # (S,) base-year scope-1 emissions, t/yr

    def pm25(self, E: np.ndarray) -> np.ndarray:
        """PM2.5 (µg/m³) by year for species emissions E (S × T, t/yr)."""
        return self.pm25_base + self.species_coef.to_numpy() @ (E - self.E_base[:, None])

    def predict_change_table(self, E_year: np.ndarray, species: tuple[str, ...]
                             ) -> pd.DataFrame:
        """The tidy emission-change table (t/yr) the model's ``predict`` takes, for one year."""
        pe = precursor_emissions(np.stack([self.E_base, E_year], axis=1), species,
                                 self.mapping)
        return pd.DataFrame({"source_region": self.source_region, "precursor": pe.index,
                             "change_t": (pe[1] - pe[0]).to_numpy()})


def link(model: LinearSourceReceptor, receptor: str, source_region: str,
         species: tuple[str, ...], E_base: np.ndarray, mapping: pd.DataFrame | None = None
         ) -> AirQualityLink:
    """Bind ``model`` (``jacobian()`` of PM2.5 at ``receptor`` for emissions of
    ``source_region``) to inventory species through ``mapping``."""
    mapping = default_mapping() if mapping is None else mapping
    jac = model.jacobian("PM25", receptors=[receptor])
    jac = jac[jac["source_region"] == source_region].groupby("precursor")["value"].sum()
    coef = pd.Series(0.0, index=list(species))
    for p, s, f in mapping[["precursor", "species", "factor"]].itertuples(index=False):
        if s in coef.index and p in jac.index:
            coef[s] += f * float(jac[p])
    base = model.base_concentration()
    base = base[(base["receptor"] == receptor) & (base["component"] != "O3")]
    if base.empty:
        raise InputError(Problem(file="<air-quality model>", value=receptor,
                                 message="the model has no base concentration for the receptor"))
    return AirQualityLink(model, receptor, source_region, mapping, coef,
                          float(base["base"].sum()), np.asarray(E_base, float))


def city_link(city: str, pm25_base_ugm3: float, local_share, species: tuple[str, ...],
              E_base: np.ndarray, mapping: pd.DataFrame | None = None,
              component_fractions=None) -> AirQualityLink:
    """TM5-FASST scaled to the city (:func:`cocontrol.airquality.city_model`) with the city's
    base-year precursor emissions taken from the inventory (scope 1)."""
    mapping = default_mapping() if mapping is None else mapping
    pe = precursor_emissions(np.asarray(E_base, float)[:, None], species, mapping)[0]
    local = {p: float(v) for p, v in pe.items() if v > 0}
    model = city_model(city, pm25_base_ugm3, local_share, local, component_fractions)
    return link(model, city, city, species, E_base, mapping)
