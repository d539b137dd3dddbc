"""Linear source–receptor model with regional transport, built from TM5-FASST.

National model (:func:`tm5fasst_china`)
    TM5-FASST (Van Dingenen et al. 2018, Atmos. Chem. Phys. 18, 16173) gives, for each source
    region r and precursor p, the decrease ``A[r,p,c]`` of the population-weighted annual mean
    of component c in the receptor region for a 20 % cut of the emissions of p in r. As in
    rfasst (JGCRI, ``m2_conc.R``), the change for any emission level is

        ΔC_c = Σ_{r,p} A[r,p,c] × (E_new − E_base)/E_base × 5          (1)

    (× the urban increment for BC and POM). The model is linear, so (1) is written per tonne:
    ∂C_c/∂E_{r,p} = 5 A[r,p,c] / E_base[r,p] (µg/m³ per t/yr). The project's table
    ``data/airquality/tm5fasst_china.csv`` holds the receptor CHN, the source region CHN and
    the upwind regions with any PM2.5 coefficient ≥ 0.001 µg/m³, their base emissions and CHN's
    base concentrations, each value with its source.

City model (:func:`city_model`)
    Scales the national model to a city through the local share f_c of the city's PM2.5
    (from source apportionment), see ``docs/methods/air-quality-response.md``:

        C_city,c = C0_c + f_c C0_c Σ_p w_{c,p} ΔE_city,p / E_city,p
                        + (1 − f_c) C0_c ΔC_CHN,c(ΔE_regional) / C_CHN,base,c           (2)

    with w_{c,p} = A[CHN,p,c] / Σ_q A[CHN,q,c] the precursor weights of China's own chemistry.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from cocontrol import refdata
from cocontrol.airquality.base import (
    ALL_SECTORS,
    PM25,
    PM25_OTHER,
    PM_COMPONENTS,
    LinearSourceReceptor,
    canonical_component,
    canonical_precursor,
)
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

DATA_FILE = "tm5fasst_china.csv"
TM5FASST_SOURCE = ("Van Dingenen et al. 2018, Atmos. Chem. Phys. 18, 16173 (TM5-FASST); "
                   "coefficients as distributed in JGCRI/rfasst commit bcf2e447")
#: TM5-FASST source regions in the bundled table (codes of Van Dingenen et al. 2018).
REGION_NAMES = {
    "CHN": "China (incl. Hong Kong, Macao)", "COR": "Republic of Korea",
    "JPN": "Japan", "MON": "Mongolia and DPR Korea", "TWN": "Taiwan, China",
    "RUE": "Russia, eastern part", "RUS": "Russia (western), Armenia, Azerbaijan, Georgia",
    "KAZ": "Kazakhstan", "NDE": "India, Sri Lanka, Maldives",
    "RSEA": "Cambodia, Laos, Myanmar", "THA": "Thailand", "VNM": "Viet Nam",
    "GOLF": "Gulf states and Iran", "TUR": "Turkey", "USA": "United States",
    "Ship": "international shipping",
}


@lru_cache(maxsize=1)
def tm5fasst_table() -> pd.DataFrame:
    """The bundled TM5-FASST China table (a copy is returned by :func:`tm5fasst_data`)."""
    d = refdata.bundled(f"airquality/{DATA_FILE}")
    for c in ("receptor", "source_region", "precursor", "component"):
        d[c] = d[c].fillna("").astype(str)
    # one spelling inside cocontrol (the file keeps TM5-FASST's NMVOC, PM25 ...)
    d["precursor"] = d["precursor"].map(lambda p: canonical_precursor(p) or p)
    d["component"] = d["component"].map(canonical_component)
    return d


def tm5fasst_data() -> pd.DataFrame:
    """The bundled TM5-FASST China table with its ``source`` column (for reports)."""
    return tm5fasst_table().copy()


def _fasst_parts() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Series]:
    d = tm5fasst_table()
    coef = d[d["kind"] == "coef20"][["receptor", "source_region", "precursor", "component",
                                     "value"]]
    emis = d[d["kind"] == "base_emission"][["source_region", "precursor", "value"]]
    conc = d[d["kind"] == "base_concentration"][["receptor", "component", "value"]]
    ui = d[d["kind"] == "urban_increment"].set_index("component")["value"]
    return coef, emis, conc, ui


def per_tonne_coefficients(urban_increment: bool = True) -> pd.DataFrame:
    """TM5-FASST CHN-receptor coefficients per tonne.

    Returns ``receptor, component, source_region, precursor, coef20, base_emission_t, coef``
    with ``coef`` = 5 × coef20 / base_emission_t (× urban increment for BC/POM when
    ``urban_increment``), in µg/m³ (ppbv for O3) per t/yr. Pairs with zero base emission
    (NH3 from shipping) are left out.
    """
    coef, emis, _, ui = _fasst_parts()
    m = coef.rename(columns={"value": "coef20"}).merge(
        emis.rename(columns={"value": "base_emission_t"}), on=["source_region", "precursor"],
        how="left", validate="many_to_one")
    # a source without base emissions (ships' NH3) has no per-tonne coefficient; rfasst sets
    # such non-finite relative changes to zero
    m = m[m["base_emission_t"] > 0].reset_index(drop=True)
    m["coef"] = 5.0 * m["coef20"] / m["base_emission_t"]
    if urban_increment:
        f = m["component"].map(ui).fillna(1.0)
        m["coef"] = m["coef"] * f
    return m


def tm5fasst_china(urban_increment: bool = True, include_o3: bool = True
                   ) -> LinearSourceReceptor:
    """China (receptor CHN) linear source–receptor model from TM5-FASST.

    Parameters
    ----------
    urban_increment
        Multiply BC and POM changes by TM5-FASST's urban increment for CHN, as rfasst does.
    include_o3
        Also report annual-mean O3 (ppbv), driven by NOx, VOCs and SO2.

    Returns
    -------
    LinearSourceReceptor
        Receptor ``CHN``; source regions ``CHN`` and the upwind regions of
        :data:`REGION_NAMES`; precursors SO2, NOx, NH3, VOCs, BC, OM (t/yr). The base
        concentrations are TM5-FASST's CHN base-case values (year-2000 emissions); ``other``
        is dust + sea salt and does not respond to emissions.
    """
    m = per_tonne_coefficients(urban_increment)
    if not include_o3:
        m = m[m["component"] != "O3"]
    m = m.assign(sector=ALL_SECTORS)
    _, _, conc, _ = _fasst_parts()
    c = conc.set_index("component")["value"]
    base = pd.DataFrame({"receptor": "CHN",
                         "component": ["SO4", "NO3", "NH4", "BC", "POM", "other"],
                         "base": [c["SO4"], c["NO3"], c["NH4"], c["BC"], c["POM"],
                                  c["DUST"] + c["SS"]]})
    if include_o3:
        base.loc[len(base)] = ["CHN", "O3", c["O3"]]
    return LinearSourceReceptor(
        m[["receptor", "component", "source_region", "precursor", "sector", "coef"]], base,
        name="TM5-FASST China (linear)",
        metadata={"source": TM5FASST_SOURCE, "urban_increment": urban_increment,
                  "base_emissions_t": base_emissions().to_dict()})


def base_emissions() -> pd.Series:
    """TM5-FASST base emissions (t/yr) by (source_region, precursor)."""
    _, emis, _, _ = _fasst_parts()
    return emis.set_index(["source_region", "precursor"])["value"].rename("base_t")


def local_precursor_weights() -> pd.DataFrame:
    """w_{c,p} = A[CHN→CHN,p,c] / Σ_q A[CHN→CHN,q,c]: each precursor's share of the
    linear response of component c to China's own emissions (dimensionless, rows sum to 1).
    Used to split a city's local contribution between its precursors (Eq. 2)."""
    coef, _, _, _ = _fasst_parts()
    own = coef[(coef["source_region"] == "CHN") & coef["component"].isin(PM_COMPONENTS)]
    w = own.pivot_table(index="component", columns="precursor", values="value",
                        aggfunc="sum", fill_value=0.0)
    return w.div(w.sum(axis=1), axis=0)


def default_component_fractions() -> dict[str, float]:
    """Component fractions of PM2.5 in TM5-FASST's CHN base case (``other`` = dust + sea
    salt); the default split of a city's PM2.5 when no speciation is available."""
    _, _, conc, _ = _fasst_parts()
    c = conc.set_index("component")["value"]
    v = {"SO4": c["SO4"], "NO3": c["NO3"], "NH4": c["NH4"], "BC": c["BC"], "POM": c["POM"],
         "other": c["DUST"] + c["SS"]}
    tot = sum(v.values())
    return {k: float(x / tot) for k, x in v.items()}


_REQUIRED_LOCAL = ("SO2", "NOx", "NH3", "BC", "OM")


def city_model(city: str, pm25_base_ugm3: float, local_share: float | Mapping[str, float],
               local_base_emissions_t: Mapping[str, float],
               component_fractions: Mapping[str, float] | None = None,
               urban_increment: bool = True) -> LinearSourceReceptor:
    """Scale the national TM5-FASST model to a city through its local share (Eq. 2).

    Parameters
    ----------
    city
        Receptor name; also the source-region name of the city's own emissions.
    pm25_base_ugm3
        Observed (or modelled) annual-mean PM2.5 of the city in the base year, µg/m³.
    local_share
        Fraction (0–1) of the city's PM2.5 due to its own emissions, from source
        apportionment (e.g. CAMx-PSAT/CMAQ-ISAM or brute-force runs). A number applies to every
        component; a mapping gives it per component (keys among SO4, NO3, NH4, BC, POM, other;
        key ``PM2.5`` = default for the rest).
    local_base_emissions_t
        The city's base-year emissions in t/yr by precursor; SO2, NOx, NH3, BC and OM are
        required, PM2.5_other (primary PM2.5 other than BC and OM) is optional and, if given, makes
        the local part of ``other`` proportional to it.
    component_fractions
        Speciation of the city's base PM2.5 (fractions summing to 1). Default: TM5-FASST's
        China base-case composition (:func:`default_component_fractions`).
    urban_increment
        Apply TM5-FASST's urban increment to the regional BC/POM response.

    Returns
    -------
    LinearSourceReceptor
        Receptor ``city``; source regions ``city`` (local emissions) and the TM5-FASST regions
        (``CHN`` = the rest of China, plus upwind regions). Do not include the city's own change
        in ``CHN`` as well. O3 is not scaled to the city.

    Raises
    ------
    InputError
        For shares outside 0–1, missing or non-positive base emissions, or fractions that do
        not sum to 1.
    """
    src = "city_model"
    probs: list[Problem] = []
    if not (pm25_base_ugm3 > 0):
        probs.append(Problem(src, M("msg.aq_base_pm2_5_positive"), column="pm25_base_ugm3",
                             value=pm25_base_ugm3, expected="> 0 µg/m³"))
    fr = dict(component_fractions or default_component_fractions())
    bad = set(fr) - set(PM_COMPONENTS)
    if bad:
        probs.append(Problem(src, M("msg.aq_unknown_component_component_fractions"),
                             column="component_fractions", value=sorted(bad),
                             expected=Seq(list(PM_COMPONENTS), quote=True)))
    if abs(sum(fr.values()) - 1.0) > 1e-6 or any(v < 0 for v in fr.values()):
        probs.append(Problem(src, M("msg.aq_component_fractions_0_sum"),
                             column="component_fractions", value=round(sum(fr.values()), 6),
                             expected="1"))
    if isinstance(local_share, Mapping):
        local_share = {canonical_component(k): v for k, v in local_share.items()}
        default = local_share.get(PM25)
        share = {c: local_share.get(c, default) for c in PM_COMPONENTS}
        unknown = set(local_share) - set(PM_COMPONENTS) - {PM25}
        if unknown:
            probs.append(Problem(src, M("msg.aq_unknown_component_local_share"), column="local_share",
                                 value=sorted(unknown), expected=Seq(list(PM_COMPONENTS), quote=True)))
    else:
        share = dict.fromkeys(PM_COMPONENTS, local_share)
    for c, v in share.items():
        if v is None or not (0.0 <= float(v) <= 1.0):
            probs.append(Problem(src, M("msg.aq_local_share_fraction", c=c),
                                 column="local_share", value=v, expected=M("exp.aq_0_to_1")))
    emis: dict[str, float] = {}
    for k, v in local_base_emissions_t.items():
        p = canonical_precursor(k)
        if p is None:
            probs.append(Problem(src, M("msg.aq_unknown_precursor_local_base"),
                                 column="local_base_emissions_t", value=k))
        elif not (float(v) > 0):
            probs.append(Problem(src, M("msg.aq_base_emission_positive", p=p),
                                 column="local_base_emissions_t", value=v, expected="> 0 t/yr"))
        else:
            emis[p] = float(v)
    for p in _REQUIRED_LOCAL:
        if p not in emis and canonical_precursor(p) not in emis:
            probs.append(Problem(src, M("msg.aq_city_base_emission_required", p=p),
                                 column="local_base_emissions_t", expected="t/yr > 0"))
    if probs:
        raise InputError(probs)

    c0 = {c: pm25_base_ugm3 * fr.get(c, 0.0) for c in PM_COMPONENTS}
    share = {c: float(v) for c, v in share.items()}
    rows = []
    # local part: f_c C0_c w_{c,p} / E_city,p per tonne
    w = local_precursor_weights()
    for comp in w.index:
        for p, wv in w.loc[comp].items():
            if wv != 0.0 and p in emis:
                rows.append((city, comp, city, p, share[comp] * c0[comp] * wv / emis[p]))
    if PM25_OTHER in emis:
        rows.append((city, "other", city, PM25_OTHER,
                     share["other"] * c0["other"] / emis[PM25_OTHER]))
    local = pd.DataFrame(rows, columns=["receptor", "component", "source_region", "precursor",
                                        "coef"])
    # regional part: (1 − f_c) C0_c / C_CHN,c × national per-tonne coefficient
    nat = per_tonne_coefficients(urban_increment)
    nat = nat[nat["component"].isin(PM_COMPONENTS)]
    _, _, conc, _ = _fasst_parts()
    cb = conc.set_index("component")["value"]
    scale = {c: (1.0 - share[c]) * c0[c] / cb[c] for c in ("SO4", "NO3", "NH4", "BC", "POM")}
    reg = nat.assign(receptor=city,
                     coef=nat["coef"] * nat["component"].map(scale))[local.columns]
    coef = pd.concat([local, reg], ignore_index=True).assign(sector=ALL_SECTORS)
    base = pd.DataFrame({"receptor": city, "component": list(PM_COMPONENTS),
                         "base": [c0[c] for c in PM_COMPONENTS]})
    return LinearSourceReceptor(
        coef, base, name=f"TM5-FASST scaled to {city} (local share)",
        metadata={"source": TM5FASST_SOURCE, "pm25_base_ugm3": pm25_base_ugm3,
                  "local_share": share, "component_fractions": fr,
                  "local_base_emissions_t": emis, "urban_increment": urban_increment})
