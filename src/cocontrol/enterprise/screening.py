"""Screening of a proposed plant (carbon in environmental impact assessment; the "regional
energy assessment + industrial energy-efficiency" access test, 能评+能效准入).

The plant's design data (fuels and processes per year, declared controls, output) are added
to the project as new source lines and run through the same inventory engine, so its
pollutant and CO2 emissions use the project's own factors and control efficiencies:

    E_new,s = E_s(project + plant) − E_s(project)

Checks, each ``pass``/``fail``/``not assessed`` with the figures:

* carbon intensity E_CO2 / output against a benchmark (units converted on both sides);
* the remaining room under each regional cap R_s = cap_s − E_s(reference, target year) and the
  share of it the plant would take, E_new,s / R_s (fail when > 1 or when there is no room);
* with an air-quality model, the plant's ΔPM2.5 at the city receptor.

This is a screening, not an EIA: dispersion near the plant is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from pydantic import Field

from cocontrol.enterprise._common import Strict, benchmarks, convert, convert_ratio
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq


class PlantActivity(Strict):
    fuel: str | None = None
    process: str | None = None
    value: float = Field(ge=0)
    unit: str


class PlantControl(Strict):
    technology: str
    share: float = Field(default=1.0, gt=0, le=1)


class RegionalCap(Strict):
    species: str
    year: int
    max: float = Field(gt=0)
    unit: str = "t"
    region: str | None = None  # default the plant's region parent (whole project if None)
    basis: str = ""


class NewPlant(Strict):
    id: str
    name: str
    region_parent: str  # region id under which the plant's region is created
    sector: str
    year: int  # design year of the activity data
    activities: list[PlantActivity] = Field(min_length=1)
    controls: list[PlantControl] = Field(default_factory=list)
    output: float | None = Field(default=None, gt=0)
    output_unit: str | None = None
    benchmark: str | None = None
    illustrative: bool = False


@dataclass
class ScreeningResult:
    plant: str
    emissions: pd.Series  # species → t/yr (the plant's own, with its controls)
    checks: pd.DataFrame  # check, species, value, limit, unit, share, status, basis
    delta_pm25_ugm3: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        st = set(self.checks["status"])
        return "fail" if "fail" in st else ("pass" if st <= {"pass"} else "incomplete")


def with_plant(project, plant: NewPlant):
    """A copy of ``project`` with the plant's region, source lines and controls added."""
    if plant.year not in project.manifest.years:
        raise InputError(Problem(file="<new plant>", column="year", value=plant.year,
                                 message=Msg("msg.ent_design_year"),
                                 expected=Seq(project.manifest.years)))
    regions = project.regions
    if plant.region_parent not in set(regions["region_id"]):
        raise InputError(Problem(file="<new plant>", column="region_parent",
                                 value=plant.region_parent, message=Msg("msg.ent_unknown_region"),
                                 expected=Msg("exp.ent_region_id")))
    rid = f"new_{plant.id}"
    if rid in set(regions["region_id"]):
        raise InputError(Problem(file="<new plant>", column="id", value=plant.id,
                                 message=Msg("msg.ent_plant_exists")))
    reg = pd.concat([regions, pd.DataFrame([{
        "_row": -1, "region_id": rid, "parent_id": plant.region_parent,
        "level": "enterprise", "name": plant.name, "name_zh": plant.name}])],
        ignore_index=True)
    rows = [{"_row": -1, "source_id": rid, "region_id": rid, "sector": plant.sector,
             "fuel": a.fuel, "process": a.process, "year": float(y), "value": a.value,
             "unit": a.unit, "sulfur_content": np.nan, "so2_ash_retention": np.nan,
             "note": "proposed plant (screening)"}
            for a in plant.activities for y in project.manifest.years]
    act = pd.concat([project.activity, pd.DataFrame(rows)], ignore_index=True)
    act.attrs = project.activity.attrs
    ctl = pd.concat([project.controls, pd.DataFrame([{
        "_row": -1, "source_id": rid, "technology": c.technology, "share": c.share,
        "year": np.nan} for c in plant.controls], columns=project.controls.columns)],
        ignore_index=True) if plant.controls else project.controls
    return replace(project, regions=reg, activity=act, controls=ctl)


def plant_emissions(project, plant: NewPlant) -> pd.Series:
    """The plant's emissions in its design year, t/yr by species (its own controls applied)."""
    from cocontrol.inventory import compute

    inv = compute(with_plant(project, plant))
    a = inv.aggregate(["enterprise"], unit="t", co2e=True)
    a = a[(a["enterprise"] == f"new_{plant.id}") & (a["year"] == plant.year)]
    return a.set_index("species")["value"]


def screen(project, plant: NewPlant, *, caps: list[RegionalCap] = (),
           reference: pd.DataFrame | None = None, aq=None,
           precursor_map: pd.DataFrame | None = None, city: str | None = None
           ) -> ScreeningResult:
    """Screen ``plant`` against its benchmark and the room under regional caps.

    ``reference``: tidy ``region, species, year, value, unit`` emissions of the reference
    pathway (e.g. a scenario run aggregated by district), from which the remaining room under
    each cap is computed; without it caps are ``not assessed``. ``aq``: an air-quality
    response model and ``precursor_map`` its species → precursor factors (``precursor,
    species, factor``): the plant's ΔPM2.5 at ``city`` (default the model's first receptor).
    """
    em = plant_emissions(project, plant)
    rows = []
    if plant.benchmark is not None:
        rows.append(_benchmark_check(plant, em))
    for c in caps:
        rows.append(_cap_check(plant, em, c, reference))
    res = ScreeningResult(plant.id, em, pd.DataFrame(rows, columns=[
        "check", "species", "value", "limit", "unit", "share", "status", "basis"]))
    if aq is not None:
        res.delta_pm25_ugm3 = _delta_pm25(aq, precursor_map, em, city, res.notes)
    if plant.illustrative:
        res.notes.append(Msg("note.ent_plant_illustrative"))
    res.notes.append(Msg("note.ent_screening_only"))
    return res


def _delta_pm25(aq, precursor_map, em: pd.Series, city: str | None, notes: list) -> float:
    """ΔPM2.5 (µg/m³, positive = more PM2.5) at ``city`` of the plant's emissions: precursors
    ΔP = M · E_new (M from ``precursor_map``), through the model's response
    (:func:`cocontrol.monitoring.pm25.city_response`: a precursor without a PM2.5 coefficient
    acts on nothing, a city without any is NaN). A species the map uses that the plant's
    activities have no factor for is left out and named in ``notes``."""
    from cocontrol.monitoring.pm25 import city_response, precursor_matrix

    if precursor_map is None:
        raise InputError(Problem(file="<new plant>", column="precursor_map",
                                 message=Msg("msg.ent_precursor_map"),
                                 expected=Msg("exp.ent_precursor_map")))
    own = em.drop("CO2e", errors="ignore")
    used = set(precursor_map["species"])
    missing = sorted(s for s in own[own.isna()].index if s in used)
    own = own.dropna()
    species = list(own.index)
    prec, M = precursor_matrix(species, precursor_map)
    if missing:
        notes.append(Msg("note.ent_pm25_partial", species=Seq(missing)))
    return city_response(aq, city or aq.receptors[0], prec, M @ own.to_numpy(float))


def _benchmark_check(plant: NewPlant, em: pd.Series) -> dict:
    bm = benchmarks()
    if plant.benchmark not in bm.index:
        raise InputError(Problem(file="<new plant>", column="benchmark", value=plant.benchmark,
                                 message=Msg("msg.ent_unknown_benchmark"),
                                 expected=Seq(list(bm.index), quote=True)))
    b = bm.loc[plant.benchmark]
    if plant.output is None or plant.output_unit is None:
        raise InputError(Problem(file="<new plant>", column="output",
                                 message=Msg("msg.ent_plant_output")))
    i = convert_ratio(float(em.get(b["species"], np.nan)) / plant.output,
                      f"t/{plant.output_unit}", str(b["unit"]), "output_unit")
    status = ("not assessed" if not np.isfinite(i)
              else "pass" if i <= float(b["value"]) else "fail")
    return {"check": Msg("msg.ent_check_benchmark"), "species": b["species"], "value": i,
            "limit": float(b["value"]), "unit": b["unit"], "share": i / float(b["value"]),
            "status": status, "basis": b["source"]}


def _cap_check(plant: NewPlant, em: pd.Series, c: RegionalCap, reference) -> dict:
    """Room under one regional cap. ``not assessed`` without a reference pathway, and when
    the plant's emission of the capped species is zero or absent: the inventory cannot tell
    "emits none" from "no factor for its activities", so the check says it did not assess
    rather than "fail" (or "pass")."""
    region = c.region or plant.region_parent
    emitted = float(em.get(c.species, np.nan))
    new = convert(emitted, "t", c.unit, "cap unit") if np.isfinite(emitted) else np.nan
    row = {"check": Msg("msg.ent_check_cap", region=region, year=c.year), "species": c.species,
           "value": new, "limit": np.nan, "unit": c.unit, "share": np.nan,
           "status": "not assessed", "basis": c.basis}
    if reference is not None:
        r = reference[(reference["region"] == region) & (reference["species"] == c.species)
                      & (reference["year"] == c.year)]
        if len(r):
            cur = sum(convert(v, u, c.unit, "reference unit")
                      for v, u in zip(r["value"], r["unit"], strict=True))
            row["limit"] = room = c.max - cur
            if np.isfinite(new) and new > 0:
                row["share"] = new / room if room > 0 else np.inf
                row["status"] = "pass" if room > 0 and new <= room else "fail"
    if not (np.isfinite(new) and new > 0):
        why = Msg("msg.ent_check_cap_zero", species=c.species)
        row["basis"] = Msg("msg.ent_basis_and", basis=c.basis, why=why) if c.basis else why
    return row
