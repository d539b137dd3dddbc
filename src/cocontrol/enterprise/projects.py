"""The synergy project library (减污降碳协同项目库).

Each project has an owner, type, location, capex and opex, timeline, status and evidence, and
the *measure definition* that says what it changes: a measure of the library (bundled or the
project's own) applied in the project's region at a penetration. Its expected co-benefits are
computed by the scenario engine, never typed in:

    ΔE_s(y) = E_s(reference, y) − E_s(reference + project, y)        (t, per species)

from which APeq, the cross-elasticity Els and the coordinate-system quadrant
(:mod:`cocontrol.metrics.cocontrol`), the unit co-control cost (annualised cost per t CO2 and
per APeq; cost = capex × CRF(r, lifetime) + opex + the engine's energy-cost change of the
measure in that year), and — with an air-quality model — ΔPM2.5 and avoided deaths (:mod:`cocontrol.health`)
follow. Ranking for funding orders projects by the net cost per unit of co-benefit, with the
social value of CO2 and APeq at stated prices (the same convention as the measure ranking).

Status workflow: proposed → approved → funded → built → verified; ``rejected`` and
``withdrawn`` end a project from any state before ``verified``. Any other transition is an
error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from cocontrol.enterprise._common import Strict
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq
from cocontrol.metrics.cocontrol import cocontrol_metrics
from cocontrol.scenario.measures import crf

Status = Literal["proposed", "approved", "funded", "built", "verified", "rejected",
                 "withdrawn"]
ORDER = ("proposed", "approved", "funded", "built", "verified")
ENDS = ("rejected", "withdrawn")


class Evidence(Strict):
    date: dt.date
    kind: str  # e.g. feasibility study, approval, loan contract, acceptance report, CEMS data
    reference: str
    note: str = ""


class MeasureDefinition(Strict):
    id: str
    penetration: float = Field(default=1.0, ge=0, le=1)
    region: str | None = None  # default: the project's location
    start_year: int | None = None
    full_year: int | None = None


class SynergyProject(Strict):
    id: str
    name: str
    name_zh: str = ""
    owner: str  # enterprise or organisation id
    type: Literal["end_of_pipe", "fuel_switch", "efficiency", "renewable", "structural",
                  "process", "transport", "other"]
    location: str  # region id
    capex_yuan: float = Field(ge=0)
    # no defaults: a project's running cost and lifetime are stated, never assumed (a blank
    # lifetime silently taken as 15 years changed its annualised cost by the capital recovery
    # factor); opex may be negative (savings)
    opex_yuan_per_year: float
    lifetime_years: float = Field(gt=0)
    start: dt.date
    end: dt.date
    status: Status = "proposed"
    evidence: list[Evidence] = Field(default_factory=list)
    measure: MeasureDefinition
    illustrative: bool = False
    source: str = ""

    @model_validator(mode="after")
    def _dates(self):
        if self.end < self.start:
            raise ValueError(Msg("msg.ent_end_before_start"))
        return self


def transition(p: SynergyProject, to: str, evidence: Evidence | None = None) -> SynergyProject:
    """A copy of ``p`` moved to status ``to`` (the next step, or an end); funded/built/verified
    need evidence."""
    cur = p.status
    ok = (to in ENDS and cur not in ("verified", *ENDS)) or (
        cur in ORDER and to in ORDER and ORDER.index(to) == ORDER.index(cur) + 1)
    if not ok:
        nxt = [ORDER[ORDER.index(cur) + 1]] if cur in ORDER[:-1] else []
        raise InputError(Problem(file="<project library>", column="status", value=f"{cur} → {to}",
                                 message=Msg("msg.ent_transition", project=p.id),
                                 expected=Seq(nxt + (list(ENDS) if nxt else []), quote=True)
                                 or Msg("exp.ent_final_state")))
    if to in ("funded", "built", "verified") and evidence is None:
        raise InputError(Problem(file="<project library>", column="evidence",
                                 message=Msg("msg.ent_needs_evidence", project=p.id,
                                             to=Msg(f"ent_pstatus_{to}")),
                                 expected=Msg("exp.ent_evidence")))
    ev = [*p.evidence, evidence] if evidence is not None else list(p.evidence)
    return p.model_copy(update={"status": to, "evidence": ev})


@dataclass
class CoBenefits:
    project: str
    year: int
    reductions_t: pd.Series  # species → t reduced (positive = less emission)
    metrics: pd.DataFrame  # cocontrol_metrics rows (each pollutant and APeq)
    annual_cost_yuan: float  # annualised capex + opex + energy-cost change (engine)
    cost_per_t_co2: float
    cost_per_apeq: float
    energy_cost_change_yuan: float = 0.0
    delta_pm25_ugm3: float | None = None
    avoided_deaths: float | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        ap = self.metrics[self.metrics["pollutant"] == "APeq"].iloc[0]
        return {"project": self.project, "year": self.year,
                "co2_reduction_t": float(self.reductions_t.get("CO2", np.nan)),
                **{f"{s}_reduction_t": float(v) for s, v in self.reductions_t.items()
                   if s != "CO2"},
                "apeq_reduction": float(ap["P_reduction"]), "els": float(ap["els"]),
                "quadrant": ap["quadrant"], "annual_cost_yuan": self.annual_cost_yuan,
                "energy_cost_change_yuan": self.energy_cost_change_yuan,
                "cost_per_t_co2": self.cost_per_t_co2, "cost_per_apeq": self.cost_per_apeq,
                "delta_pm25_ugm3": self.delta_pm25_ugm3,
                "avoided_deaths": self.avoided_deaths}


def _totals(run_) -> pd.DataFrame:
    return run_.inventory().total(unit="t")


def co_benefits(base, project: SynergyProject, year: int, *, reference: str = "baseline",
                aq=None, precursor_map: pd.DataFrame | None = None,
                health: dict | None = None, discount_rate: float | None = None) -> CoBenefits:
    """Expected co-benefits of ``project`` in ``year`` against the ``reference`` scenario.

    ``base`` is a prepared scenario base (:func:`cocontrol.scenario.prepare`); the project's
    measure must be in its measure library. ``aq`` is an air-quality response model
    (``predict`` on a table ``source_region, precursor, change_t``), ``precursor_map`` the
    species → precursor factors (``precursor, species, factor``), ``health`` the keyword
    arguments of :func:`cocontrol.health.avoided_deaths` (population, mortality_rate, crf).
    """
    from cocontrol.scenario import run  # the scenario stage

    if year not in base.years:
        raise InputError(Problem(file="<project library>", column="year", value=year,
                                 message=Msg("msg.ent_not_scenario_year"),
                                 expected=Seq(base.years)))
    m = project.measure
    if m.id not in base.lib.index:
        raise InputError(Problem(file="<project library>", column=f"{project.id}.measure.id",
                                 value=m.id, message=Msg("msg.ent_measure_unknown"),
                                 expected=Msg("exp.ent_measure")))
    if reference not in base.scenarios:
        raise InputError(Problem(file="<project library>", column="reference", value=reference,
                                 message=Msg("msg.ent_unknown_reference"),
                                 expected=Seq(list(base.scenarios), quote=True)))
    region = m.region or project.location
    path = _path(base, m)
    ref = run(base, reference)
    withp = run(base, reference, penetrations={**_own(base, reference, m.id),
                                               (m.id, region): path})
    t0, t1 = _totals(ref), _totals(withp)
    species = [s for s in base.species]
    red = (t0.loc[species, year] - t1.loc[species, year]).rename("reduction_t")
    wide0 = t0.loc[species, [year]].T.set_axis(pd.Index([project.id], name="project"))
    wide1 = t1.loc[species, [year]].T.set_axis(pd.Index([project.id], name="project"))
    met = cocontrol_metrics(wide0, wide1)
    rate = discount_rate if discount_rate is not None else base.settings.discount_rate
    eff = withp.measure_effects
    sel = (eff["measure"] == m.id) & (eff["year"] == year)
    if "region" in eff:
        sel &= eff["region"] == region
    energy = float(eff.loc[sel, "energy_cost_change_yuan"].sum())
    cost = (project.capex_yuan * crf(rate, project.lifetime_years)
            + project.opex_yuan_per_year + energy)
    co2 = float(red.get("CO2", np.nan))
    ap = float(met.loc[met["pollutant"] == "APeq", "P_reduction"].iloc[0])
    out = CoBenefits(project.id, year, red, met, cost,
                     cost / co2 if co2 > 0 else np.nan, cost / ap if ap > 0 else np.nan,
                     energy_cost_change_yuan=energy)
    if aq is not None:
        out.delta_pm25_ugm3, out.avoided_deaths = _air(aq, precursor_map, red, health)
    return out


def _own(base, reference: str, mid: str) -> dict:
    """Keep the reference scenario's own use of the measure (penetrations replace it)."""
    u = base.scenarios[reference].measures.get(mid)
    if u is None:
        return {}
    from cocontrol.scenario.engine import ramp

    mm = base.lib.loc[mid]
    return {mid: ramp(base.years, min(u.penetration, float(mm["max_penetration"])),
                      int(u.start_year or mm["start_year"]), int(u.full_year or mm["full_year"]))}


def _path(base, m: MeasureDefinition) -> np.ndarray:
    from cocontrol.scenario.engine import ramp

    mm = base.lib.loc[m.id]
    pen = min(m.penetration, float(mm["max_penetration"]))
    return ramp(base.years, pen, int(m.start_year or mm["start_year"]),
                int(m.full_year or mm["full_year"]))


def _air(aq, precursor_map, red: pd.Series, health) -> tuple[float, float | None]:
    """ΔPM2.5 at the first receptor (µg/m³) of the emission reductions ``red`` (t by
    species), and the avoided deaths when ``health`` is given."""
    if precursor_map is None:
        raise InputError(Problem(file="<project library>", column="precursor_map",
                                 message=Msg("msg.ent_precursor_map"),
                                 expected=Msg("exp.ent_precursor_map")))
    ch: dict[str, float] = {}
    for p, s, f in precursor_map[["precursor", "species", "factor"]].itertuples(index=False):
        if s in red.index:
            ch[p] = ch.get(p, 0.0) - f * float(red[s])
    city = aq.receptors[0]
    em = pd.DataFrame({"source_region": city, "precursor": list(ch), "change_t": list(ch.values())})
    res = aq.predict(em)
    from cocontrol.airquality import PM25  # the PM2.5 total (one spelling: "PM2.5")

    row = res[(res["receptor"] == city) & (res["component"] == PM25)].iloc[0]
    dpm = float(row["change"])
    deaths = None
    if health:
        from cocontrol.health import avoided_deaths

        h = avoided_deaths(float(row["base"]), float(row["value"]), **health)
        deaths = float(h["avoided_deaths"].sum())
    return dpm, deaths


def rank_projects(benefits: list[CoBenefits], carbon_price: float = 80.0,
                  apeq_price: float = 1.2) -> pd.DataFrame:
    """Ranking for funding: net cost = annual cost − carbon_price × ΔCO2 − apeq_price × ΔAPeq
    (yuan/yr; prices in yuan per t CO2 and per pollution equivalent), per unit of
    CO2-equivalent co-benefit; lower is better. Projects that increase both CO2 and APeq are
    listed last, flagged."""
    return rank_summaries([b.summary() for b in benefits], carbon_price, apeq_price)


def rank_summaries(summaries: list[dict], carbon_price: float = 80.0,
                   apeq_price: float = 1.2) -> pd.DataFrame:
    """:func:`rank_projects` on stored :meth:`CoBenefits.summary` records (the service keeps
    the summaries and ranks the projects a user may see)."""
    rows = []
    for s in summaries:
        s = dict(s)
        value = carbon_price * s["co2_reduction_t"] + apeq_price * s["apeq_reduction"]
        s["co_benefit_value_yuan"] = value
        s["net_cost_yuan"] = s["annual_cost_yuan"] - value
        s["flag"] = "" if (s["co2_reduction_t"] > 0 or s["apeq_reduction"] > 0) else \
            "no co-benefit"
        rows.append(s)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["_bad"] = df["flag"] != ""
    df = df.sort_values(["_bad", "net_cost_yuan"], kind="stable").drop(
        columns="_bad").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def bank_export(projects: list[SynergyProject], ranking: pd.DataFrame) -> pd.DataFrame:
    """The table a bank reads for green finance: project facts, status, evidence count and the
    computed co-benefits (one row per project, in ranking order)."""
    cols = ["project", "name", "name_zh", "owner", "type", "location", "capex_yuan",
            "opex_yuan_per_year", "status", "evidence_items", "illustrative"]
    facts = pd.DataFrame([{"project": p.id, "name": p.name, "name_zh": p.name_zh,
                           "owner": p.owner, "type": p.type, "location": p.location,
                           "capex_yuan": p.capex_yuan, "opex_yuan_per_year":
                           p.opex_yuan_per_year, "status": p.status,
                           "evidence_items": len(p.evidence),
                           "illustrative": p.illustrative} for p in projects], columns=cols)
    if ranking.empty:  # nothing assessed: the header of the export, no rows
        return pd.DataFrame(columns=["rank", *cols])
    return ranking.merge(facts, on="project", how="left")


__all__ = ["CoBenefits", "Evidence", "MeasureDefinition", "SynergyProject",
           "bank_export", "co_benefits", "rank_projects", "rank_summaries", "transition"]
