"""Co-control metrics of the measures and packages of a scenario (scenario runs → metrics).

This glue lives in the metrics stage because it combines scenario runs (an earlier stage)
with the metric formulas of :mod:`cocontrol.metrics.cocontrol`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.metrics.cocontrol import cocontrol_metrics, mac_curve, rank_measures
from cocontrol.provenance import Provenance
from cocontrol.results import Result
from cocontrol.scenario.analysis import CO2E, costs, marginal_effects, totals
from cocontrol.scenario.engine import Base, Run, run


def measure_metrics(base: Base, scenario: str, year: int, full: Run | None = None,
                    lang: str = "en", carbon_price: float = 80.0, apeq_price: float = 1.2,
                    progress=None) -> Result:
    """Co-control metrics of every measure of ``scenario`` in ``year`` (each against the
    scenario without it): reductions, coordinate-system quadrant, cross-elasticity with sign
    pairs, APeq, unit costs, MAC curves for CO2 and APeq and a ranking table.

    Returns the labelled result ``metrics`` (docs/results-schema.md), a mapping of table name
    to DataFrame: ``reductions`` (tidy: measure, species, reduction_t), ``metrics``,
    ``ranking``, ``mac_co2``, ``mac_apeq``."""
    full = full or run(base, scenario)
    me = marginal_effects(base, scenario, full, progress=progress)
    me = me[(me["year"] == year) & (me["species"].isin(base.species))]
    tot = totals(full).drop(index=CO2E)[year]
    scen = pd.DataFrame([tot.to_numpy()], columns=tot.index, index=pd.Index(["s"]))
    red = me.pivot_table(index="measure", columns="species", values="reduction_t",
                         aggfunc="sum")
    red = red.reindex(columns=scen.columns, fill_value=0.0)
    without = red + scen.to_numpy()  # scenario without the measure
    with_ = pd.DataFrame(np.repeat(scen.to_numpy(), len(red), axis=0), index=red.index,
                         columns=scen.columns)
    metrics = cocontrol_metrics(without, with_, lang=lang)
    cost = costs(base, full)
    cost = cost[cost["year"] == year].groupby("measure")["cost_yuan"].sum()
    ap = metrics[metrics["pollutant"] == "APeq"].set_index("measure")
    tab = pd.DataFrame({"measure": red.index,
                        "cost_yuan": cost.reindex(red.index).fillna(0.0).to_numpy(),
                        "CO2_reduction_t": red["CO2"].to_numpy(),
                        "APeq_reduction": ap.loc[red.index, "P_reduction"].to_numpy()})
    tidy = red.reset_index().melt(id_vars="measure", var_name="species",
                                  value_name="reduction_t")
    ranking = rank_measures(tab, carbon_price=carbon_price, apeq_price=apeq_price, lang=lang)
    tables = {"reductions": tidy, "metrics": metrics, "ranking": ranking,
              "mac_co2": mac_curve(tab, target="CO2"), "mac_apeq": mac_curve(tab, target="APeq")}
    b = base
    prov = Provenance.of(b.project, gwp=b.project.manifest.gwp, carbon_price=carbon_price,
                         apeq_price=apeq_price)
    return Result("metrics", tables, prov, {"scenario": scenario, "year": int(year),
                                            "lang": lang})


def package_metrics(base: Base, scenario: str, reference: str, year: int,
                    lang: str = "en") -> pd.DataFrame:
    """Co-control metrics of a whole package (scenario against a reference scenario), with
    all interactions between its measures (two full runs, not a sum of single measures)."""
    a, b = run(base, reference), run(base, scenario)
    key = pd.Index([scenario], name="scenario")
    ta = totals(a).drop(index=CO2E)[[year]].T.set_axis(key)
    tb = totals(b).drop(index=CO2E)[[year]].T.set_axis(key)
    return cocontrol_metrics(ta, tb, lang=lang)


def package_result(base: Base, scenarios: list[str] | tuple[str, ...], reference: str,
                   year: int, lang: str = "en") -> Result:
    """:func:`package_metrics` of several scenarios against ``reference`` as the labelled
    result ``package_metrics`` (docs/results-schema.md): one table ``metrics`` (scenario,
    pollutant, the co-control metric columns)."""
    names = [n for n in scenarios if n != reference]
    tab = pd.concat([package_metrics(base, n, reference, year, lang=lang) for n in names],
                    ignore_index=True)
    prov = Provenance.of(base.project, gwp=base.project.manifest.gwp)
    return Result("package_metrics", {"metrics": tab}, prov,
                  {"reference": reference, "year": int(year), "lang": lang})
