"""Result tables of an optimised plan: summary by year, portfolio, costs, health co-benefits,
and the priority ranking of measures. All values come from the scenario engine's run of the
plan (never from the linearisation)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.airquality.attainment import GB3095_GRADE_II_ANNUAL, who_level
from cocontrol.health import avoided_deaths
from cocontrol.optimize.slp import Plan
from cocontrol.scenario import costs

MAIN_SPECIES = ("SO2", "NOx", "PM2.5", "VOCs", "NH3")


def summary(plan: Plan) -> pd.DataFrame:
    """By year: PM2.5 of the base scenario and of the plan (µg/m³), attainment of GB 3095-2012
    Grade II and the WHO 2021 level met, CO2 (Mt, scope 1), main pollutants (t), net annual
    cost of the measures (1e8 yuan/yr) and the shadow price of the PM2.5 limit."""
    s = plan.setup
    ic = s.species_index("CO2")
    ref = s.reference.emissions
    df = pd.DataFrame({"year": plan.years})
    if s.aq is not None:
        df["PM2.5_base_scenario_ugm3"] = s.aq.pm25(ref)
        df["PM2.5_plan_ugm3"] = plan.pm25
        df["GB3095_grade_II_met"] = df["PM2.5_plan_ugm3"] <= GB3095_GRADE_II_ANNUAL + 1e-9
        df["WHO2021_level"] = who_level(df["PM2.5_plan_ugm3"].to_numpy())
    df["CO2_base_scenario_Mt"] = ref[ic] / 1e6
    df["CO2_plan_Mt"] = plan.co2 / 1e6
    for sp in MAIN_SPECIES:
        if sp in s.base.species:
            df[f"{sp}_plan_t"] = plan.outcome.emissions[s.species_index(sp)]
    df["net_cost_1e8_yuan_per_yr"] = plan.outcome.cost / 1e8
    dual = plan.lp.duals.get("pm25")
    if dual is not None and plan.targets.pm25_year is not None:
        sp = np.full(len(df), np.nan)
        sel = np.flatnonzero(np.asarray(plan.years) >= plan.targets.pm25_year)
        sp[sel] = -dual[: len(sel)] / 1e8
        df["PM2.5_shadow_price_1e8_yuan_per_ugm3"] = sp
    return df


def portfolio(plan: Plan, tol: float = 1e-6) -> pd.DataFrame:
    """Penetrations of the measures in use: rows sector, measure, region; columns years."""
    pen = plan.penetrations()
    used = pen.groupby(["measure", "region"])["penetration"].transform("max") > tol
    pen = pen[used]
    if pen.empty:
        return pd.DataFrame()
    return pen.pivot_table(index=["sector", "measure", "region"], columns="year",
                           values="penetration", aggfunc="sum").sort_index()


def emissions_by_sector(plan: Plan, species: tuple[str, ...] = ("SO2", "NOx", "PM2.5",
                                                                  "VOCs", "NH3", "CO2"),
                        unit: str = "t") -> pd.DataFrame:
    """Scope-1 emissions of the plan and of the base scenario by sector, species and year
    (tidy: ``sector, species, year, base_scenario, plan, change, unit``)."""
    s = plan.setup
    r = plan.outcome.run
    if r is None:
        r = s.ev.evaluate(plan.P, keep_run=True).run
    ref = s.ev.evaluate(np.zeros_like(plan.P), keep_run=True).run
    sp = [x for x in species if x in s.base.species]
    a = r.inventory().aggregate("sector", species=sp, unit=unit, co2e=False)
    b = ref.inventory().aggregate("sector", species=sp, unit=unit, co2e=False)
    m = b.rename(columns={"value": "base_scenario"}).merge(
        a.rename(columns={"value": "plan"}), on=["sector", "species", "year", "unit"],
        how="outer").fillna({"base_scenario": 0.0, "plan": 0.0})
    m["change"] = m["plan"] - m["base_scenario"]
    return m[["sector", "species", "year", "base_scenario", "plan", "change", "unit"]]


def cost_table(plan: Plan) -> pd.DataFrame:
    """Costs of every measure by region and year (yuan/yr, scenario.costs) with its sector."""
    r = plan.outcome.run
    if r is None:
        r = plan.setup.ev.evaluate(plan.P, keep_run=True).run
    c = costs(plan.setup.base, r)
    if c.empty:
        return c
    lib = plan.setup.base.lib
    c["sector"] = c["measure"].map(lambda m: lib.at[m, "sector"]
                                   if isinstance(lib.at[m, "sector"], str) else "(all)")
    return c


def cost_by_sector(plan: Plan) -> pd.DataFrame:
    """Net annual cost by sector (rows) and year (columns), 1e8 yuan/yr."""
    c = cost_table(plan)
    if c.empty:
        return pd.DataFrame()
    return c.pivot_table(index="sector", columns="year", values="cost_yuan",
                         aggfunc="sum").fillna(0.0) / 1e8


def health(plan: Plan, population: float, mortality_rate: float, crf: str | None = None,
           vsl="default") -> pd.DataFrame:
    """Avoided premature deaths per year (plan against the base scenario), with
    :func:`cocontrol.health.avoided_deaths`; population and baseline mortality of the CRF's
    age range (persons; deaths per person-year)."""
    s = plan.setup
    if s.aq is None:
        return pd.DataFrame()
    base = pd.Series(s.aq.pm25(s.reference.emissions), index=plan.years)
    new = pd.Series(plan.pm25, index=plan.years)
    pop = pd.Series(float(population), index=plan.years)
    y0 = pd.Series(float(mortality_rate), index=plan.years)
    d = avoided_deaths(base, new, pop, y0, crf=crf, vsl=vsl)
    return d.rename(columns={"receptor": "year"})


def contributions(plan: Plan, year: int | None = None) -> pd.DataFrame:
    """What each pair of the plan contributes: the plan re-run by the engine without it
    (PM2.5 µg/m³ and CO2 t in ``year``; positive = the pair lowers them), and its cost
    (present value, yuan, scenario.costs × discount weights)."""
    s = plan.setup
    yi = plan.years.index(int(year or plan.targets.pm25_year or plan.years[-1]))
    pm_full = plan.pm25
    ic = s.species_index("CO2")
    c = cost_table(plan)
    w = pd.Series(s.disc, index=plan.years)
    rows = []
    for k, pr in s.pairs.iterrows():
        if plan.P[k].max() <= 1e-9:
            continue
        P = plan.P.copy()
        P[k] = 0.0
        o = s.ev.evaluate(P)
        pv = np.nan
        if not c.empty:
            m = (c["measure"] == pr["measure"]).to_numpy().copy()
            if pr["region"] != "(all)":
                m &= (c["region"] == pr["region"]).to_numpy()
            cc = c[m]
            pv = float((cc["cost_yuan"] * cc["year"].map(w)).sum())
        rows.append({"measure": pr["measure"], "region": pr["region"], "sector": pr["sector"],
                     "category": pr["category"],
                     "penetration_final": float(plan.P[k, -1]),
                     "PM2.5_reduction_ugm3": (float(s.pm25(o.emissions)[yi] - pm_full[yi])
                                              if pm_full is not None else np.nan),
                     "CO2_reduction_t": float(o.emissions[ic, yi] - plan.co2[yi]),
                     "cost_pv_yuan": pv})
    df = pd.DataFrame(rows)
    if not df.empty:
        df.attrs["year"] = plan.years[yi]
        dual = plan.lp.duals.get("pm25")
        t = plan.targets
        if dual is not None and t.pm25_year is not None and plan.years[yi] >= t.pm25_year:
            j = [y for y in plan.years if y >= t.pm25_year].index(plan.years[yi])
            # value of the pair's PM2.5 cut at the shadow price of the PM2.5 limit (yuan, PV)
            df["PM2.5_value_at_shadow_price_yuan"] = -float(dual[j]) * df[
                "PM2.5_reduction_ugm3"]
    return df


def ranking(plan: Plan, pareto_plans: list[Plan] | None = None, year: int | None = None
            ) -> pd.DataFrame:
    """Priority ranking of the measures of the plan.

    Order: the point of the Pareto front (from the cheapest, loosest PM2.5 point towards the
    strictest) at which the pair first enters (``entry_point``; measures that are part of even
    the cheapest plan come first), then the cost per µg/m³ of PM2.5 reduced (contribution by
    engine re-run without the pair)."""
    df = contributions(plan, year)
    if df.empty:
        return df
    df["yuan_per_ugm3"] = np.where(df["PM2.5_reduction_ugm3"] > 1e-12,
                                   df["cost_pv_yuan"] / df["PM2.5_reduction_ugm3"], np.nan)
    df["entry_point"] = np.nan
    if pareto_plans:
        order = sorted(pareto_plans, key=lambda p: p.cost_pv)
        keys = list(zip(plan.setup.pairs["measure"], plan.setup.pairs["region"], strict=True))
        first: dict = {}
        for i, p in enumerate(order, start=1):
            for k in np.flatnonzero(p.P.max(axis=1) > 1e-6):
                first.setdefault(keys[k], i)
        df["entry_point"] = [first.get((m, r), np.nan) for m, r in
                             zip(df["measure"], df["region"], strict=True)]
    df = df.sort_values(["entry_point", "yuan_per_ugm3"], na_position="last",
                        kind="mergesort").reset_index(drop=True)
    df.insert(0, "priority", np.arange(1, len(df) + 1))
    return df
