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
                                     value=product_id, message="unknown product",
                                     expected=", ".join(p.id for p in data.products)))
    return [footprint(p) for p in prods]


def project_library(ctx: Context, year: int, reference: str = "baseline",
                    owner: str | None = None) -> tuple[list[CoBenefits], pd.DataFrame]:
    from cocontrol.scenario import prepare

    base = prepare(ctx.project)
    projs = [p for p in ctx.data.projects if owner is None or p.owner == owner]
    ben = [co_benefits(base, p, year, reference=reference) for p in projs]
    return ben, rank_projects(ben)


def screening(ctx: Context, plant_id: str | None = None) -> list[ScreeningResult]:
    inv = ctx.inventory
    ref = reference_by_region(inv)
    plants = [p for p in ctx.data.plants if plant_id is None or p.id == plant_id]
    if plant_id is not None and not plants:
        raise InputError(Problem(file="enterprise/plants.yaml", column="id", value=plant_id,
                                 message="unknown plant",
                                 expected=", ".join(p.id for p in ctx.data.plants)))
    return [screen(ctx.project, p, caps=[c for c in ctx.data.caps],
                   reference=ref) for p in plants]


def reference_by_region(inv) -> pd.DataFrame:
    """Scope-1 emissions of every region at every level: ``region, species, year, value,
    unit`` (the reference for the room under regional caps)."""
    frames = []
    for lv in ("city", "district", "park", "enterprise"):
        if lv in inv.lines:
            a = inv.aggregate([lv], unit="t").rename(columns={lv: "region"})
            frames.append(a[a["region"] != "(none)"])
    return pd.concat(frames, ignore_index=True)
