"""Product carbon footprint, cradle to gate (ISO 14067:2018; GHG Protocol Product Standard 2011).

A :class:`Product` lists, per declared output of a period, its inputs by life-cycle stage
(raw materials, energy, processes, transport …). The footprint of one functional unit is

    CF = a × Σ_i q_i × f_i  /  (Q / FU)

with q_i the quantity of input i in the period, f_i its factor (kg CO2e per unit of q_i), Q
the product's output in the period and FU the size of the functional unit, and a the share
allocated to the product when the process also makes co-products (ISO 14067 §6.4.6):

* mass allocation       a = m_product / Σ m          (all outputs in one mass unit)
* economic allocation   a = (Q × p)_product / Σ (Q × p)

Factors come from the user (``factor`` + ``factor_unit`` + ``factor_source``) or from the
project's own bundled tables:

* a fuel (``kind: fuel``, ``code`` of fuels.csv): CO2 = q × NCV × C × 44/12 × OF (IPCC 2006
  Vol. 2 Ch. 2 Eq. 2.1 with the Ch. 1 defaults in fuels.csv); CH4 and N2O of combustion from
  ef_air.csv for the product's sector where bundled, weighted by the GWP set;
* electricity (``kind: electricity``, ``code`` of grid.csv): q × grid factor (t CO2/MWh);
* a process (``kind: process``, ``code`` of processes.csv): the CO2 factor of ef_air.csv for the
  process (e.g. clinker, IPCC 2006 Vol. 3 Eq. 2.4).

A missing factor is an error naming the input, never 0.

Uncertainty (IPCC 2006 Vol. 1 Ch. 3, Approach 1): each input's 95 % half-width in percent,
U_i, combined from its quantity and factor uncertainties as U_i = √(U_q² + U_f²) (Eq. 3.2,
product), then for the sum U = √Σ (U_i x_i)² / |Σ x_i| (Eq. 3.1). Inputs without a stated
uncertainty are reported and counted as 0 % — the result says how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from cocontrol import refdata
from cocontrol.enterprise._common import Strict, convert
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq

C_TO_CO2 = 44.0 / 12.0  # IPCC 2006 Vol. 2 Ch. 1 Eq. 1.1 / Ch. 2 Eq. 2.1 convention
STAGES = ("raw_materials", "energy", "process", "transport", "packaging", "other")


class Input(Strict):
    name: str
    stage: Literal["raw_materials", "energy", "process", "transport", "packaging", "other"]
    kind: Literal["material", "fuel", "electricity", "process", "direct"] = "material"
    quantity: float = Field(ge=0)
    unit: str
    code: str | None = None
    factor: float | None = Field(default=None, ge=0)
    factor_unit: str | None = None  # e.g. "kg/t" meaning kg CO2e per t of input
    factor_source: str | None = None
    uncertainty_quantity_pct: float | None = Field(default=None, ge=0)
    uncertainty_factor_pct: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _factor(self):
        if self.factor is not None:
            if not self.factor_unit or not self.factor_source:
                raise ValueError(Msg("msg.ent_fp_user_factor", input=repr(self.name)))
        elif self.kind in ("material", "direct"):
            raise ValueError(Msg("msg.ent_fp_needs_factor", input=repr(self.name),
                                 kind=self.kind))
        elif not self.code:
            raise ValueError(Msg("msg.ent_fp_needs_code", input=repr(self.name), kind=self.kind))
        return self


class CoProduct(Strict):
    name: str
    quantity: float = Field(gt=0)
    unit: str
    price: float | None = Field(default=None, ge=0)  # yuan per unit


class Product(Strict):
    id: str
    name: str
    name_zh: str = ""
    sector: str = "other_industry"
    output: float = Field(gt=0)
    output_unit: str
    functional_unit: float = Field(default=1.0, gt=0)
    functional_unit_unit: str | None = None  # default: output_unit
    price: float | None = Field(default=None, ge=0)
    co_products: list[CoProduct] = Field(default_factory=list)
    allocation: Literal["none", "mass", "economic"] = "none"
    inputs: list[Input]
    period: str = ""
    gwp: Literal["AR5", "AR6"] = "AR6"
    illustrative: bool = False
    source: str = ""

    @model_validator(mode="after")
    def _alloc(self):
        if self.co_products and self.allocation == "none":
            raise ValueError(Msg("msg.ent_fp_allocation"))
        if self.allocation == "economic":
            if self.price is None or any(c.price is None for c in self.co_products):
                raise ValueError(Msg("msg.ent_fp_prices"))
        return self


@dataclass
class FootprintResult:
    product: str
    functional_unit: str
    value_kg: float  # kg CO2e per functional unit
    allocation_share: float
    contributions: pd.DataFrame  # stage, input, kg_co2e_per_fu, share, factor, source
    uncertainty_pct: float  # 95 % half-width, IPCC Approach 1
    interval_kg: tuple[float, float]
    inputs_without_uncertainty: list[str] = field(default_factory=list)
    gwp: str = "AR6"
    notes: list[str] = field(default_factory=list)

    def by_stage(self) -> pd.DataFrame:
        c = self.contributions.groupby("stage", sort=False)["kg_co2e_per_fu"].sum()
        return c.reset_index().assign(share=lambda d: d["kg_co2e_per_fu"] / self.value_kg
                                      if self.value_kg else np.nan)

    def to_dict(self) -> dict:
        return {"product": self.product, "functional_unit": self.functional_unit,
                "value_kg_co2e": self.value_kg, "allocation_share": self.allocation_share,
                "uncertainty_pct_95": self.uncertainty_pct,
                "interval_kg_co2e": list(self.interval_kg), "gwp": self.gwp,
                "contributions": self.contributions.to_dict("records"),
                "inputs_without_uncertainty": self.inputs_without_uncertainty,
                "notes": self.notes}


def _fuel_factor(inp: Input, sector: str, gwp: dict[str, float]) -> tuple[float, str, str]:
    """kg CO2e per unit of a fuel input, its unit and source."""
    fuels = refdata.table("fuels").set_index("code")
    if inp.code not in fuels.index:
        raise InputError(Problem(file="<product>", column=f"inputs.{inp.name}.code",
                                 value=inp.code, message=Msg("msg.ent_fp_unknown_fuel"),
                                 expected=Msg("exp.ent_fp_fuel")))
    f = fuels.loc[inp.code]
    ncv_num, ncv_den = str(f["ncv_unit"]).split("/")
    gj_per_unit = float(f["ncv"]) * convert(1.0, ncv_num, "GJ", "ncv") / convert(
        1.0, ncv_den, inp.unit, f"inputs.{inp.name}.unit")
    if pd.isna(f["carbon_content"]):
        raise InputError(Problem(file="<product>", column=f"inputs.{inp.name}.code",
                                 value=inp.code, message=Msg("msg.ent_fp_no_carbon"),
                                 expected=Msg("exp.ent_fp_user_factor")))
    co2_kg = gj_per_unit * float(f["carbon_content"]) * float(f["oxidation"]) * C_TO_CO2
    ef = refdata.table("ef_air")
    extra, notes = 0.0, []
    for sp in ("CH4", "N2O"):
        rows = ef[(ef["fuel"] == inp.code) & (ef["species"] == sp)]
        row = rows[rows["sector"] == sector]
        row = row if len(row) else rows[rows["sector"] == "*"]
        if len(row):
            r = row.iloc[0]
            num, den = str(r["unit"]).split("/")
            kg_per_gj = float(r["value"]) * convert(1.0, num, "kg", "ef unit") / convert(
                1.0, den, "GJ", "ef unit")
            extra += kg_per_gj * gj_per_unit * gwp[sp]
            notes.append(f"{sp}: {r['source']}")
    src = f"fuels.csv {inp.code}: {f['source']}" + ("; " + "; ".join(notes) if notes else
                                                    "; CH4/N2O: not bundled for this fuel")
    return co2_kg + extra, f"kg/{inp.unit}", src


def _grid_factor(inp: Input) -> tuple[float, str, str]:
    grid = refdata.table("grid").set_index("code")
    if inp.code not in grid.index:
        raise InputError(Problem(file="<product>", column=f"inputs.{inp.name}.code",
                                 value=inp.code, message=Msg("msg.ent_fp_unknown_grid"),
                                 expected=Seq(list(grid.index), quote=True)))
    g = grid.loc[inp.code]
    num, den = str(g["unit"]).replace("CO2", "").split("/")
    kg = float(g["value"]) * convert(1.0, num, "kg", "grid unit") / convert(
        1.0, den, inp.unit, f"inputs.{inp.name}.unit")
    return kg, f"kg/{inp.unit}", f"grid.csv {inp.code}: {g['source']}"


def _process_factor(inp: Input) -> tuple[float, str, str]:
    ef = refdata.table("ef_air")
    row = ef[(ef["process"] == inp.code) & (ef["species"] == "CO2")]
    if row.empty:
        raise InputError(Problem(file="<product>", column=f"inputs.{inp.name}.code",
                                 value=inp.code, message=Msg("msg.ent_fp_no_process_co2"),
                                 expected=Msg("exp.ent_fp_process")))
    r = row.iloc[0]
    num, den = str(r["unit"]).split("/")
    kg = float(r["value"]) * convert(1.0, num, "kg", "ef unit") / convert(
        1.0, den, inp.unit, f"inputs.{inp.name}.unit")
    return kg, f"kg/{inp.unit}", f"ef_air.csv {inp.code} CO2: {r['source']}"


def input_factor(inp: Input, sector: str = "other_industry", gwp_set: str = "AR6"
                 ) -> tuple[float, str]:
    """(kg CO2e per unit of the input's quantity, source) of one input."""
    if inp.factor is not None:
        num, den = str(inp.factor_unit).split("/", 1)
        kg = inp.factor * convert(1.0, num, "kg", f"inputs.{inp.name}.factor_unit") / convert(
            1.0, den, inp.unit, f"inputs.{inp.name}.factor_unit")
        return kg, str(inp.factor_source)
    gwp = refdata.gwp(gwp_set)
    if inp.kind == "fuel":
        kg, _, src = _fuel_factor(inp, sector, gwp)
    elif inp.kind == "electricity":
        kg, _, src = _grid_factor(inp)
    else:
        kg, _, src = _process_factor(inp)
    return kg, src


def allocation_share(p: Product) -> float:
    """Share of the process's emissions allocated to the product (ISO 14067 §6.4.6)."""
    if p.allocation == "none":
        return 1.0
    if p.allocation == "mass":
        main = convert(p.output, p.output_unit, "kg", "output_unit")
        others = sum(convert(c.quantity, c.unit, "kg", f"co_products.{c.name}.unit")
                     for c in p.co_products)
        return main / (main + others)
    main = p.output * float(p.price)
    return main / (main + sum(c.quantity * float(c.price) for c in p.co_products))


def footprint(product: Product) -> FootprintResult:
    """Cradle-to-gate carbon footprint of one functional unit of ``product`` (kg CO2e)."""
    a = allocation_share(product)
    fu_unit = product.functional_unit_unit or product.output_unit
    n_fu = convert(product.output, product.output_unit, fu_unit, "functional_unit_unit") \
        / product.functional_unit
    rows, no_unc, var = [], [], 0.0
    for inp in product.inputs:
        f, src = input_factor(inp, product.sector, product.gwp)
        kg = inp.quantity * f * a / n_fu
        uq, uf = inp.uncertainty_quantity_pct, inp.uncertainty_factor_pct
        if uq is None and uf is None:
            no_unc.append(inp.name)
        u = float(np.hypot(uq or 0.0, uf or 0.0))
        var += (u / 100 * kg) ** 2
        rows.append({"stage": inp.stage, "input": inp.name, "kind": inp.kind,
                     "quantity": inp.quantity, "unit": inp.unit, "factor_kg_co2e": f,
                     "kg_co2e_per_fu": kg, "uncertainty_pct": u, "source": src})
    c = pd.DataFrame(rows)
    total = float(c["kg_co2e_per_fu"].sum()) if len(c) else 0.0
    c["share"] = c["kg_co2e_per_fu"] / total if total else np.nan
    u_tot = 100 * np.sqrt(var) / abs(total) if total else 0.0
    notes = [Msg("note.ent_fp_allocation", allocation=Msg(f"ent_alloc_{product.allocation}"),
                 share=f"{a:.4f}")] if product.co_products else []
    if no_unc:
        notes.append(Msg("note.ent_fp_no_uncertainty", n=len(no_unc), inputs=Seq(no_unc)))
    if product.illustrative:
        notes.append(Msg("note.ent_fp_illustrative"))
    return FootprintResult(product.id, f"{product.functional_unit:g} {fu_unit}", total, a, c,
                           float(u_tot), (total * (1 - u_tot / 100), total * (1 + u_tot / 100)),
                           no_unc, product.gwp, notes)
