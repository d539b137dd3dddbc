"""Link between inventory species and the precursors of an air-quality model.

Any model of the air-quality protocol (:class:`~cocontrol.airquality.ResponseModel`) can be
linked; a linear model (one with ``jacobian()``) is used exactly as below, any other model
through its ``predict`` with the gradient taken by finite differences at every SLP point (the
SLP re-checks every plan with the model itself, so the plan's PM2.5 is the model's).

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

from cocontrol.airquality import PM25, ResponseModel
from cocontrol.airquality.base import canonical_component
from cocontrol.airquality.precursors import default_mapping  # noqa: F401 (moved there)
from cocontrol.airquality.registry import create
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg


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
    """An air-quality model bound to the inventory species (Eq. 1 for a linear model).

    ``species_coef`` is ∂PM2.5/∂E of every species at the base (µg/m³ per t/yr): exact and
    constant for a linear model; for another model the gradient at each point comes from
    :meth:`gradient`.
    """

    model: ResponseModel
    receptor: str
    source_region: str
    mapping: pd.DataFrame
    species_coef: pd.Series  # µg/m³ per t/yr of each inventory species
    pm25_base: float  # µg/m³, base year
    E_base: np.ndarray  # (S,) base-year scope-1 emissions, t/yr
    linear: bool = True
    species: tuple[str, ...] = ()

    def pm25(self, E: np.ndarray) -> np.ndarray:
        """PM2.5 (µg/m³) by year for species emissions E (S × T, t/yr)."""
        if self.linear:
            return self.pm25_base + self.species_coef.to_numpy() @ (E - self.E_base[:, None])
        E = np.asarray(E, float)
        return np.array([self._pm_of(self.predict_change_table(E[:, t], self.species))
                         for t in range(E.shape[1])])

    def gradient(self, E: np.ndarray) -> np.ndarray:
        """∂PM2.5/∂E_s (µg/m³ per t/yr) at species emissions E (S × T): (S, T)."""
        E = np.asarray(E, float)
        T = E.shape[1]
        if self.linear:
            return np.repeat(self.species_coef.to_numpy()[:, None], T, axis=1)
        idx = {s: i for i, s in enumerate(self.species)}
        out = np.zeros((len(self.species), T))
        for t in range(T):
            tab = self.predict_change_table(E[:, t], self.species)
            pe = precursor_emissions(E[:, t][:, None], self.species, self.mapping)[0]
            pm0 = self._pm_of(tab)
            dp = {}
            for i, p in enumerate(tab["precursor"]):
                h = max(1e-4 * abs(float(pe.get(p, 0.0))), 1e-3)  # t/yr
                bumped = tab.copy()
                bumped.loc[i, "change_t"] += h
                dp[p] = (self._pm_of(bumped) - pm0) / h
            for p, s, f in self.mapping[["precursor", "species", "factor"]].itertuples(
                    index=False):
                if s in idx and p in dp:
                    out[idx[s], t] += f * dp[p]
        return out

    def _pm_of(self, change_table: pd.DataFrame) -> float:
        r = self.model.predict(change_table)
        r = r[(r["receptor"] == self.receptor)
              & (r["component"].map(canonical_component) == PM25)]
        if r.empty:
            raise InputError(Problem(file="<air-quality model>", value=self.receptor,
                                     message=Msg("msg.opt_model_no_pm25", model=self.model.name)))
        return float(r["value"].iloc[0])

    def predict_change_table(self, E_year: np.ndarray, species: tuple[str, ...]
                             ) -> pd.DataFrame:
        """The tidy emission-change table (t/yr) the model's ``predict`` takes, for one year."""
        pe = precursor_emissions(np.stack([self.E_base, E_year], axis=1), species,
                                 self.mapping)
        return pd.DataFrame({"source_region": self.source_region, "precursor": pe.index,
                             "change_t": (pe[1] - pe[0]).to_numpy()})


def link(model: ResponseModel, receptor: str, source_region: str,
         species: tuple[str, ...], E_base: np.ndarray, mapping: pd.DataFrame | None = None
         ) -> AirQualityLink:
    """Bind ``model`` (PM2.5 at ``receptor`` for emissions of ``source_region``) to inventory
    species through ``mapping``: exactly through ``jacobian()`` when the model is linear,
    else through ``predict`` (finite differences)."""
    mapping = default_mapping() if mapping is None else mapping
    if not callable(getattr(model, "jacobian", None)):
        E_base = np.asarray(E_base, float)
        lk = AirQualityLink(model, receptor, source_region, mapping,
                            pd.Series(0.0, index=list(species)), np.nan, E_base,
                            linear=False, species=tuple(species))
        lk.pm25_base = float(lk.pm25(E_base[:, None])[0])
        lk.species_coef = pd.Series(lk.gradient(E_base[:, None])[:, 0], index=list(species))
        return lk
    jac = model.jacobian(PM25, receptors=[receptor])
    jac = jac[jac["source_region"] == source_region].groupby("precursor")["value"].sum()
    coef = pd.Series(0.0, index=list(species))
    for p, s, f in mapping[["precursor", "species", "factor"]].itertuples(index=False):
        if s in coef.index and p in jac.index:
            coef[s] += f * float(jac[p])
    base = model.base_concentration()
    base = base[(base["receptor"] == receptor) & (base["component"] != "O3")]
    if base.empty:
        raise InputError(Problem(file="<air-quality model>", value=receptor,
                                 message=Msg("msg.opt_no_base_concentration")))
    return AirQualityLink(model, receptor, source_region, mapping, coef,
                          float(base["base"].sum()), np.asarray(E_base, float),
                          species=tuple(species))


def city_link(city: str, pm25_base_ugm3: float, local_share, species: tuple[str, ...],
              E_base: np.ndarray, mapping: pd.DataFrame | None = None,
              component_fractions=None) -> AirQualityLink:
    """TM5-FASST scaled to the city (:func:`cocontrol.airquality.city_model`) with the city's
    base-year precursor emissions taken from the inventory (scope 1)."""
    return model_link("tm5fasst_city", {"pm25_base_ugm3": pm25_base_ugm3,
                                        "local_share": local_share,
                                        "component_fractions": component_fractions},
                      city, species, E_base, mapping)


def model_link(name: str, params: dict, city: str, species: tuple[str, ...],
               E_base: np.ndarray, mapping: pd.DataFrame | None = None) -> AirQualityLink:
    """The registered air-quality model ``name`` (:mod:`cocontrol.airquality.registry`) built
    for ``city`` with the city's base-year precursor emissions from the inventory (scope 1),
    linked to the inventory species."""
    mapping = default_mapping() if mapping is None else mapping
    pe = precursor_emissions(np.asarray(E_base, float)[:, None], species, mapping)[0]
    model = create(name, params, city=city, base_precursors_t={p: float(v)
                                                               for p, v in pe.items()})
    return link(model, city, city, species, E_base, mapping)
