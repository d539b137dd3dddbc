"""Multi-city batches: a province's cities or the pilot parks, each with its own scenarios
and an optional shared set, run on Dask (or serially), with comparison tables and the
co-reduction class (:mod:`cocontrol.metrics.joint_change`) of every city.

One task per city: prepare the project (the I/O layer reads its folder), run every
scenario, return tidy totals. Task keys are deterministic (city, scenarios), results come
back in the order of the input list whatever order the workers finish in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

SPECIES = ("CO2", "SO2", "NOx", "PM2.5", "VOCs")


def city_totals(base, scenarios: Sequence[str] | None = None,
                shared: dict | None = None, city: str | None = None) -> pd.DataFrame:
    """Totals ``city, scenario, species, year, value`` (t) of a prepared base: its own
    scenarios (all, or ``scenarios``) plus the ``shared`` set (name → Scenario)."""
    from cocontrol.scenario import run

    names = list(scenarios) if scenarios is not None else list(base.scenarios)
    unknown = [s for s in names if s not in base.scenarios]
    if unknown:
        raise InputError(Problem(file="scenarios.yaml", column="scenario",
                                 value=", ".join(unknown), message=M("msg.unc_unknown_scenario", city=city),
                                 expected=Seq(list(base.scenarios), quote=True)))
    runs = [(s, base.scenarios[s]) for s in names] + list((shared or {}).items())
    frames = []
    for name, sc in runs:
        tot = run(base, sc).inventory().total(unit="t")
        t = tot.reindex([s for s in SPECIES if s in tot.index]).stack().reset_index()
        t.columns = ["species", "year", "value"]
        frames.append(t.assign(city=city or base.project.name, scenario=name))
    return pd.concat(frames, ignore_index=True)[["city", "scenario", "species", "year",
                                                  "value"]]


def _city_task(folder: str, scenarios, shared) -> pd.DataFrame:
    from cocontrol.scenario import prepare

    base = prepare(folder)
    return city_totals(base, scenarios, shared, city=Path(folder).name)


def run_cities(folders: Sequence[str | Path], *, scenarios: Sequence[str] | None = None,
               shared: dict | None = None, client=None,
               progress: Callable | None = None, retries: int = 2) -> pd.DataFrame:
    """Totals of every city and scenario, in the order of ``folders``."""
    folders = [str(f) for f in folders]
    if len(set(folders)) != len(folders):
        raise InputError(Problem(file="<batch>", message=M("msg.unc_city_listed_twice")))
    out: dict[int, pd.DataFrame] = {}
    if client is None:
        for i, f in enumerate(folders):
            out[i] = _city_task(f, scenarios, shared)
            if progress:
                progress("batch", i + 1, len(folders), Path(f).name)
    else:
        from dask.distributed import as_completed

        futs = {client.submit(_city_task, f, scenarios, shared, key=f"city-{i}-{Path(f).name}",
                              retries=retries, pure=False): i for i, f in enumerate(folders)}
        for k, fut in enumerate(as_completed(list(futs)), 1):
            out[futs[fut]] = fut.result()
            if progress:
                progress("batch", k, len(folders), Path(folders[futs[fut]]).name)
    return pd.concat([out[i] for i in range(len(folders))], ignore_index=True)


def comparison(totals: pd.DataFrame, year_from: int, year_to: int,
               pollutant: str = "SO2") -> pd.DataFrame:
    """Per city and scenario: CO2 and ``pollutant`` in both years, their changes, CO2 peak
    year, and the co-reduction class of the change (协同减排, 仅减污, 仅降碳, 同步增长)."""
    from cocontrol.metrics.joint_change import joint_change_class

    rows = []
    for (city, sc), g in totals.groupby(["city", "scenario"], sort=False):
        w = g.pivot(index="species", columns="year", values="value")
        for y in (year_from, year_to):
            if y not in w.columns:
                raise InputError(Problem(file="<batch>", column="year", value=y,
                                         message=M("msg.unc_not_scenario_year", city=city),
                                         expected=Seq(list(map(str, w.columns)), quote=True)))
        co2 = w.loc["CO2"]
        p = w.loc[pollutant]
        dc, dp = co2[year_to] - co2[year_from], p[year_to] - p[year_from]
        rows.append({"city": city, "scenario": sc, "CO2_from_t": co2[year_from],
                     "CO2_to_t": co2[year_to], f"{pollutant}_from_t": p[year_from],
                     f"{pollutant}_to_t": p[year_to], "dCO2_t": dc, f"d{pollutant}_t": dp,
                     "co2_peak_year": int(co2.idxmax()),
                     "class": joint_change_class(np.array([dc]), np.array([dp]))[0]})
    return pd.DataFrame(rows)


def cities_attainment(folders: Sequence[str | Path], *, scenario: str = "policy",
                      draws: int = 500, seed: int = 0, until: int = 2035, client=None,
                      progress: Callable | None = None) -> pd.DataFrame:
    """Probability of meeting each city's own targets (optimisation.yaml) under its
    scenario: ``city, target, probability, std_error, draws`` (the draws of each city on the
    Dask ``client`` when given; cities without targets in the horizon are left out with a
    row ``target = "no targets"`` and no probability — not 0)."""
    from cocontrol.uncertainty.runner import assess

    rows = []
    for i, f in enumerate(folders):
        a = assess(f, scenario, draws=draws, seed=seed, until=until, client=client)
        city = Path(f).name
        if a.attainment is None:
            rows.append({"city": city, "target": "no targets", "probability": np.nan,
                         "std_error": np.nan, "draws": draws})
        else:
            rows += [{"city": city, **r} for r in a.attainment.to_dict("records")]
        if progress:
            progress("batch.uncertainty", i + 1, len(folders), city)
    return pd.DataFrame(rows)


#: colours of the co-reduction classes (ColorBrewer RdYlGn, Harrower & Brewer 2003)
CLASS_COLOURS = {"co_reduction": "#1a9850", "pollution_only": "#a6d96a",
                 "carbon_only": "#fee08b", "co_increase": "#d73027", "undefined": "#d9d9d9"}
