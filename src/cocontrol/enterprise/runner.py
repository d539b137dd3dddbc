"""Project-level entry points of the enterprise stage (used by the CLI and the service):
load the project and its enterprise files once, then call the engines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cocontrol.enterprise import io
from cocontrol.enterprise.account import EnterpriseAccount, enterprise_account
from cocontrol.enterprise.parks import ParkAccount, park_account, park_targets
from cocontrol.enterprise.permits import compliance
from cocontrol.enterprise.product_footprint import FootprintResult, footprint
from cocontrol.enterprise.projects import CoBenefits, co_benefits, rank_projects
from cocontrol.enterprise.screening import ScreeningResult, screen
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq


@dataclass
class Context:
    project: object
    data: io.EnterpriseData
    _inventory: object = None

    @property
    def inventory(self):
        if self._inventory is None:
            from cocontrol.inventory import compute

            self._inventory = compute(self.project)
        return self._inventory


def context(folder: str | Path) -> Context:
    from cocontrol.project import load_project

    return Context(load_project(folder), io.load(folder))


def permit_status(ctx: Context, enterprise_id: str, on: dt.date | None = None,
                  year: int | None = None, near: float = 0.9) -> pd.DataFrame:
    """Compliance of an enterprise's permit: concentrations from the monitoring table,
    annual quantities from the inventory (``year``, default the last inventory year), the
    carbon intensity from the inventory and the production table."""
    p = ctx.data.permit(enterprise_id)
    inv = ctx.inventory
    year = year or inv.years[-1]
    acc = account(ctx, enterprise_id)
    q = acc.annual[(acc.annual["scope"] == 1) & (acc.annual["year"] == year)]
    q = q.assign(period=str(year))[["species", "value", "unit", "period"]]
    inten = None
    if p.carbon is not None and p.carbon.product and acc.intensities is not None:
        it = acc.intensities
        it = it[(it["denominator"] == p.carbon.product) & (it["species"] == "CO2")
                & (it["year"] == year)]
        inten = it.assign(period=str(year))[["value", "unit", "period"]]
    return compliance(p, concentrations=ctx.data.table("concentrations", enterprise_id),
                      quantities=q, intensity=inten, on=on or dt.date(year, 12, 31),
                      near=near)


def account(ctx: Context, enterprise_id: str) -> EnterpriseAccount:
    d = ctx.data
    bench, product = None, None
    try:
        permit = d.permit(enterprise_id)
        if permit.carbon is not None and permit.carbon.benchmark:
            bench, product = permit.carbon.benchmark, permit.carbon.product
    except InputError:
        permit = None
    prod = d.table("production", enterprise_id)
    if product is not None and (prod is None or product not in set(prod["product"])):
        bench = product = None
    va_all = d.tables.get("value_added")
    peers = None if va_all is None else va_all[va_all["enterprise_id"] != enterprise_id]
    return enterprise_account(ctx.inventory, enterprise_id, production=prod,
                              value_added=d.table("value_added", enterprise_id),
                              monthly_profile=d.table("monthly", enterprise_id),
                              benchmark=bench, product=product, peers_value_added=peers,
                              performance=d.grade(enterprise_id))


def park(ctx: Context, park_id: str) -> tuple[ParkAccount, pd.DataFrame]:
    acc = park_account(ctx.inventory, park_id)
    return acc, park_targets(acc, ctx.data.park_targets.get(park_id, []))


def park_full(ctx: Context, park_id: str, targets: list | None = None,
              value_added: pd.DataFrame | None = None, near: float = 0.9,
              values: pd.DataFrame | None = None, file: str | None = None
              ) -> tuple[ParkAccount, pd.DataFrame, dict | None]:
    """The park's account, the status and alert level of its targets (``targets``, default
    those of park_targets.yaml) and its score and rank with the park index system (values of
    ``values``, default park_values.csv; None without values or when the park is not among
    them)."""
    from cocontrol.enterprise.parks import park_score

    acc = park_account(ctx.inventory, park_id)
    tg = park_targets(acc, ctx.data.park_targets.get(park_id, []) if targets is None
                      else targets, value_added=value_added, near=near)
    res = park_evaluation(ctx, values, file)
    return acc, tg, None if res is None else park_score(res, park_id)


def park_evaluation(ctx: Context, values: pd.DataFrame | None = None, file: str | None = None):
    """Evaluation of the parks of ``park_values.csv`` (or ``values``, the same columns) with
    the bundled park index system; None when there are no values."""
    from cocontrol.enterprise.parks import park_evaluation as evaluate_parks
    from cocontrol.evaluation import load_system, load_values

    if values is None:
        values, file = ctx.data.park_values, ctx.data.park_values_file
    if values is None:
        return None
    system = load_system("park")
    v, units = load_values(values, system, file=file or "<park values>")
    return evaluate_parks(v, units, system=system)


def permit_status_or_none(ctx: Context, enterprise_id: str, **kw) -> pd.DataFrame | None:
    """:func:`permit_status` when the enterprise has a permit, else None (any error of the
    assessment itself is raised, never swallowed)."""
    if not any(p.enterprise_id == enterprise_id for p in ctx.data.permits):
        return None
    return permit_status(ctx, enterprise_id, **kw)


def footprints(data: io.EnterpriseData, product_id: str | None = None
               ) -> list[FootprintResult]:
    """Footprints of every product of ``data`` (or of the one ``product_id``)."""
    prods = data.products
    if product_id is not None:
        prods = [p for p in prods if p.id == product_id]
        if not prods:
            raise InputError(Problem(file="enterprise/products.yaml", column="id",
                                     value=product_id, message=Msg("msg.ent_unknown_product"),
                                     expected=Seq([p.id for p in data.products], quote=True)))
    return [footprint(p) for p in prods]


def project_library(ctx: Context, year: int, reference: str = "baseline",
                    owner: str | None = None) -> tuple[list[CoBenefits], pd.DataFrame]:
    from cocontrol.scenario import prepare

    base = prepare(ctx.project)
    projs = [p for p in ctx.data.projects if owner is None or p.owner == owner]
    ben = [co_benefits(base, p, year, reference=reference) for p in projs]
    return ben, rank_projects(ben)


def screening(ctx: Context, plant_id: str | None = None, air: bool = True
              ) -> list[ScreeningResult]:
    """Screen the plants of ``ctx.data`` (or the one ``plant_id``) against their benchmark
    and the room under the caps of ``ctx.data.caps``; with ``air`` and the project's
    air-quality settings, also the plant's ΔPM2.5 (:func:`air_model`; without the settings
    it is not estimated, never 0)."""
    inv = ctx.inventory
    ref = reference_by_region(inv)
    plants = [p for p in ctx.data.plants if plant_id is None or p.id == plant_id]
    if plant_id is not None and not plants:
        raise InputError(Problem(file="enterprise/plants.yaml", column="id", value=plant_id,
                                 message=Msg("msg.ent_unknown_plant"),
                                 expected=Seq([p.id for p in ctx.data.plants], quote=True)))
    model = air_model(ctx) if air else None
    aq, mapping, city = (None, None, None) if model is None else model
    out = [screen(ctx.project, p, caps=list(ctx.data.caps), reference=ref, aq=aq,
                  precursor_map=mapping, city=city) for p in plants]
    if air and model is None:
        for r in out:
            r.notes.append(Msg("note.ent_no_air_quality"))
    return out


def screening_why(ctx: Context, plant_id: str, result: ScreeningResult) -> dict:
    """The derivations of a screening result's numbers (:mod:`cocontrol.enterprise.
    derivation`): ``emissions`` by species (the plant's lines in the project's inventory with
    the plant added, computed once) and ``checks`` in the order of ``result.checks`` (the
    benchmark first when the plant names one, then the caps of ``ctx.data.caps``), and
    ``pm25`` the plant's ΔPM2.5 with the air-quality model and its coefficients (None when the
    result has none: no air-quality settings)."""
    from cocontrol.enterprise.derivation import (
        screening_check_derivation,
        screening_emission_derivation,
        screening_pm25_derivation,
    )
    from cocontrol.enterprise.screening import with_plant
    from cocontrol.inventory import compute

    plant = next(p for p in ctx.data.plants if p.id == plant_id)
    inv = compute(with_plant(ctx.project, plant))
    em = result.emissions
    emissions = {str(sp): screening_emission_derivation(inv, plant, str(sp))
                 for sp in em.index if sp in inv.species}
    ref = reference_by_region(ctx.inventory)
    caps = iter(ctx.data.caps)
    checks = []
    for i, row in enumerate(result.checks.to_dict("records")):
        if i == 0 and plant.benchmark is not None:
            checks.append(screening_check_derivation(plant, row, em))
        else:
            checks.append(screening_check_derivation(plant, row, em, cap=next(caps),
                                                     reference=ref))
    pm25 = None
    model = air_model(ctx) if result.delta_pm25_ugm3 is not None else None
    if model is not None:
        aq, mapping, city = model
        pm25 = screening_pm25_derivation(plant, aq, mapping, em, city,
                                         value=result.delta_pm25_ugm3)
    return {"emissions": emissions, "checks": checks, "pm25": pm25}


def air_model(ctx: Context):
    """(air-quality model, species → precursor map, city) from the project's ``air_quality``
    settings (optimisation.yaml: model, city, pm25_base_ugm3, local_share …), built on the
    precursors of the inventory's first year as the optimiser and the monitoring stage build
    it (:func:`cocontrol.airquality.registry.create`, :func:`cocontrol.airquality.precursors.
    default_mapping`); None when the project has no such settings."""
    from cocontrol.airquality.precursors import default_mapping
    from cocontrol.airquality.registry import create
    from cocontrol.monitoring.pm25 import precursor_matrix

    aq = (ctx.project.optimisation_data() or {}).get("air_quality")
    if not aq:
        return None
    mapping = default_mapping(float(aq.get("om_oc_ratio", 1.4)), aq.get("om_share_of_primary"))
    inv = ctx.inventory
    species = list(inv.species)
    prec, M = precursor_matrix(species, mapping)
    tot0 = inv.total(unit="t").reindex(species)[inv.years[0]].to_numpy(float)
    params = {"pm25_base_ugm3": aq.get("pm25_base_ugm3"), "local_share": aq.get("local_share"),
              **dict(aq.get("params") or {})}
    import numpy as np

    model = create(str(aq.get("model", "tm5fasst_city")), params, city=str(aq["city"]),
                   base_precursors_t={p: float(v) for p, v in
                                      zip(prec, M @ np.nan_to_num(tot0), strict=True)})
    return model, mapping, str(aq["city"])


def reference_by_region(inv) -> pd.DataFrame:
    """Scope-1 emissions of every region at every level: ``region, species, year, value,
    unit`` (the reference for the room under regional caps)."""
    frames = []
    for lv in ("city", "district", "park", "enterprise"):
        if lv in inv.lines:
            a = inv.aggregate([lv], unit="t").rename(columns={lv: "region"})
            frames.append(a[a["region"] != "(none)"])
    return pd.concat(frames, ignore_index=True)
