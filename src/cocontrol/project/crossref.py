"""Cross-references between the files of a project.

Measure ids (scenarios, optimisation), scenario names (``extends``, the optimisation's base
scenario), years (targets against the scenario years), regions, species, sectors, fuels,
drivers and units are checked once every file has been read; each problem names the file
and the key, what was found, and the nearest valid values.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from cocontrol import io, refdata, units
from cocontrol.errors import Problem
from cocontrol.project import codes
from cocontrol.project.hierarchy import LEVELS
from cocontrol.project.models import Manifest
from cocontrol.project.schema import FREE_TEXT, MEASURE_COLUMNS

SCEN = "scenarios.yaml"
OPT = "optimisation.yaml"


@cache
def bundled_measure_ids() -> frozenset[str]:
    df = refdata.bundled_table("measures.csv")
    return frozenset(str(x) for x in df["id"].dropna())


def scenario_years(settings: dict | None, base_year: int) -> list[int]:
    """Years of the scenario runs: ``years`` or ``start..end`` by ``step`` (defaults: the base
    year, 2060, 5), always with the base year."""
    s = settings or {}
    if s.get("years"):
        years = sorted(int(y) for y in s["years"])
    else:
        start = int(s.get("start") or base_year)
        end = int(s.get("end") or 2060)
        step = int(s.get("step") or 5)
        years = list(range(start, end + 1, step))
    return sorted({base_year, *years})


def _hint(value, choices, kind=None) -> str:
    near = codes.nearest(value, choices, kind=kind)
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def measure_columns(df: pd.DataFrame) -> list[Problem]:
    from cocontrol.project.models import suggest

    file = df.attrs.get("file", "measures")
    out = []
    cols = [c for c in df.columns if c != io.ROW]
    for c in cols:
        if c not in MEASURE_COLUMNS and c.lower() not in FREE_TEXT \
                and not c.startswith("Unnamed"):
            near = suggest(c, MEASURE_COLUMNS)
            out.append(Problem(file=file, sheet=df.attrs.get("sheet"), row=1, column=c,
                               message=f"unknown column '{c}'"
                                       + (f" (did you mean '{near}'?)" if near else ""),
                               expected=", ".join(MEASURE_COLUMNS)))
    return out


def check(m: Manifest, tables: dict[str, pd.DataFrame | None], measures: pd.DataFrame | None,
          docs: dict, species: tuple[str, ...] | None = None) -> list[Problem]:
    """Problems between tables and settings; ``species``: the species codes of the project
    (default: the registered ones)."""
    species = tuple(species or refdata.SPECIES)
    probs: list[Problem] = []
    user_ids = set()
    if measures is not None and "id" in measures.columns:
        user_ids = {str(x).strip() for x in measures["id"].dropna()}
    ids = set(bundled_measure_ids()) | user_ids
    drivers = tables.get("drivers")
    driver_names = set(drivers["driver"].dropna()) if drivers is not None else set()
    _check_drivers(m, drivers, tables.get("elasticities"), driver_names, probs)
    sc = docs.get("scenarios")
    sc_data = sc.model_dump(exclude_none=True) if sc is not None else {}
    years = scenario_years(sc_data.get("settings"), m.base_year)
    names = list((sc_data.get("scenarios") or {}).keys()) or ["baseline"]
    if sc is not None:
        _check_scenarios(m, sc_data, years, ids, driver_names, probs, species)
    opt = docs.get("optimisation")
    if opt is not None:
        _check_optimisation(opt.model_dump(exclude_none=True), sc_data, years, names, ids,
                            probs, species)
    ins = docs.get("instruments")
    if ins is not None:
        seen = set()
        for i, it in enumerate(ins.instruments):
            if it.code in seen:
                probs.append(Problem(file="instruments.yaml", column=f"instruments[{i}].code",
                                     value=it.code, message="instrument code used twice",
                                     expected="unique codes"))
            seen.add(it.code)
    ev = docs.get("evaluation")
    if ev is not None:
        seen = set()
        for d in ev.dimensions:
            for c in d.criteria:
                for ind in c.indicators:
                    if ind.id in seen:
                        probs.append(Problem(file="evaluation.yaml", column="indicators.id",
                                             value=ind.id, message="indicator id used twice",
                                             expected="unique ids"))
                    seen.add(ind.id)
    return probs


def _check_drivers(m, drivers, elast, driver_names, probs) -> None:
    if drivers is not None and len(drivers):
        f, sh = drivers.attrs.get("file", "drivers"), drivers.attrs.get("sheet")
        dup = drivers.duplicated(subset=["driver", "year"], keep="first").to_numpy()
        for i in np.flatnonzero(dup):
            probs.append(Problem(file=f, sheet=sh, row=int(drivers[io.ROW].iat[i]),
                                 column="year", value=drivers["year"].iat[i],
                                 message="the same driver and year appear twice",
                                 expected="one row per driver and year"))
        pts: dict = {}
        for name, y, v, row in zip(drivers["driver"], drivers["year"], drivers["value"],
                                   drivers[io.ROW], strict=True):
            if isinstance(name, str) and np.isfinite(y) and np.isfinite(v):
                pts.setdefault(name, []).append((y, v, row))
        for name, p in pts.items():
            p.sort()
            v = np.interp(m.base_year, [a for a, _, _ in p], [b for _, b, _ in p])
            if v <= 0:
                probs.append(Problem(file=f, sheet=sh, row=int(p[0][2]),
                                     column="value", value=name,
                                     message="driver is zero or negative in the base year",
                                     expected="a positive base-year value"))
    if elast is not None and len(elast):
        f, sh = elast.attrs.get("file", "elasticities"), elast.attrs.get("sheet")
        sectors = refdata.codes("sectors")
        rows = elast[io.ROW].to_numpy()
        for i, r in enumerate(elast.itertuples(index=False)):
            row = int(rows[i])
            if isinstance(r.sector, str) and r.sector not in sectors and r.sector != "*":
                probs.append(Problem(file=f, sheet=sh, row=row, column="sector", value=r.sector,
                                     message="unknown sector code" + _hint(r.sector, sectors,
                                                                           "sector"),
                                     expected="a sector code or *"))
            if isinstance(r.driver, str):
                if r.driver not in driver_names:
                    probs.append(Problem(file=f, sheet=sh, row=row, column="driver",
                                         value=r.driver,
                                         message="driver not found in the drivers table"
                                                 + _hint(r.driver, driver_names),
                                         expected=", ".join(sorted(driver_names))
                                         or "a drivers table"))
                if not np.isfinite(r.elasticity):
                    probs.append(Problem(file=f, sheet=sh, row=row, column="elasticity",
                                         message="a driver needs an elasticity",
                                         expected="a number, e.g. 0.8"))
        dup = elast.duplicated(subset=["sector"], keep="first").to_numpy()
        for i in np.flatnonzero(dup):
            probs.append(Problem(file=f, sheet=sh, row=int(elast[io.ROW].iat[i]),
                                 column="sector", value=elast["sector"].iat[i],
                                 message="sector given twice", expected="one row per sector"))


def _check_scenarios(m, data, years, ids, driver_names, probs, species) -> None:
    scen = data.get("scenarios") or {}
    s = data.get("settings") or {}
    if s.get("start") and s.get("end") and s["start"] > s["end"]:
        probs.append(Problem(file=SCEN, column="settings.end", value=s["end"],
                             message="end year before start year", expected=f"≥ {s['start']}"))
    for name, sd in scen.items():
        sd = sd or {}
        ext = sd.get("extends")
        if ext is not None and ext not in scen:
            probs.append(Problem(file=SCEN, column=f"scenarios.{name}.extends", value=ext,
                                 message="extends an unknown scenario" + _hint(ext, scen),
                                 expected=", ".join(scen)))
        for mid, v in (sd.get("measures") or {}).items():
            key = f"scenarios.{name}.measures.{mid}"
            if mid not in ids:
                probs.append(Problem(file=SCEN, column=key, value=mid,
                                     message="measure not found in the library" + _hint(mid,
                                                                                        ids),
                                     expected="an id of measures.csv (bundled or the "
                                              "project's)"))
            if isinstance(v, dict) and v.get("start_year") and v.get("full_year") \
                    and v["start_year"] > v["full_year"]:
                probs.append(Problem(file=SCEN, column=key + ".full_year", value=v["full_year"],
                                     message="full year before start year",
                                     expected=f"≥ {v['start_year']}"))
    for name in scen:  # cycles
        chain, cur = [], name
        while cur in scen:
            if cur in chain:
                probs.append(Problem(file=SCEN, column=f"scenarios.{name}.extends",
                                     message="scenarios extend each other in a circle",
                                     value=" → ".join(chain + [cur])))
                break
            chain.append(cur)
            cur = (scen[cur] or {}).get("extends")
    fuels = refdata.table("fuels")
    for i, t in enumerate(data.get("targets") or []):
        key = f"targets[{i}]"
        typ = t.get("type")
        y = t.get("by") if typ == "co2_peak" else t.get("year")
        ycol = "by" if typ == "co2_peak" else "year"
        if y is not None and y not in years:
            probs.append(Problem(file=SCEN, column=f"{key}.{ycol}", value=y,
                                 message="target year is not a scenario year",
                                 expected=f"one of {years} (settings.start/end/step or "
                                          "settings.years)"))
        sp = t.get("species")
        if sp is not None and sp not in species:
            probs.append(Problem(file=SCEN, column=f"{key}.species", value=sp,
                                 message="unknown species" + _hint(sp, species, "species"),
                                 expected=", ".join(species)))
        if typ == "intensity":
            per = t.get("per")
            if per not in driver_names:
                probs.append(Problem(file=SCEN, column=f"{key}.per", value=per,
                                     message="intensity target per a driver that is not in "
                                             "the drivers table" + _hint(per, driver_names),
                                     expected=", ".join(sorted(driver_names))
                                     or "a drivers table with this driver"))
        unit = t.get("unit")
        if unit is not None and typ in ("cap", "energy_cap"):
            ref = "t" if typ == "cap" else "GJ"
            if not units.dimension_ok(str(unit), ref):
                probs.append(Problem(file=SCEN, column=f"{key}.unit", value=unit,
                                     message="unit not understood for this target",
                                     expected="a mass unit (t, kt, Mt)" if typ == "cap" else
                                     "an energy unit (tce, Mtce, GJ, TJ)"))
        if typ == "intensity" and isinstance(unit, str) and "/" not in unit:
            probs.append(Problem(file=SCEN, column=f"{key}.unit", value=unit,
                                 message="an intensity unit needs a '/'",
                                 expected="e.g. t/1e8 yuan"))
        if typ == "energy_cap":
            for f in t.get("fuels") or []:
                if f not in set(fuels["code"]):
                    probs.append(Problem(file=SCEN, column=f"{key}.fuels", value=f,
                                         message="unknown fuel code" + _hint(f, set(
                                             fuels["code"]), "fuel"),
                                         expected="a code of fuels.csv"))
            kind = t.get("kind")
            kinds = set(fuels["kind"].astype(str))
            if kind is not None and kind not in kinds:
                probs.append(Problem(file=SCEN, column=f"{key}.kind", value=kind,
                                     message="unknown fuel kind" + _hint(kind, kinds),
                                     expected=", ".join(sorted(kinds))))


def _check_optimisation(o, sc_data, years, names, ids, probs, species) -> None:
    sec = o.get("optimisation") or {}
    base = sec.get("base_scenario", "baseline")
    if base not in names:
        probs.append(Problem(file=OPT, column="optimisation.base_scenario", value=base,
                             message="base scenario not found in scenarios.yaml"
                                     + _hint(base, names), expected=", ".join(names)))
    cand = sec.get("measures")
    for mid in cand or []:
        if mid not in ids:
            probs.append(Problem(file=OPT, column="optimisation.measures", value=mid,
                                 message="measure not found in the library" + _hint(mid, ids),
                                 expected="an id of measures.csv"))
    if cand is None:
        used = {mid for sd in (sc_data.get("scenarios") or {}).values()
                for mid in ((sd or {}).get("measures") or {})}
        if not used:
            probs.append(Problem(file=OPT, column="optimisation.measures",
                                 message="no candidate measures: optimisation.measures is not "
                                         "given and no scenario of scenarios.yaml uses a "
                                         "measure",
                                 expected="a list of measure ids under optimisation.measures, "
                                          "or scenarios with measures in scenarios.yaml"))
    for mid in (sec.get("integer_steps") or {}):
        if mid not in ids:
            probs.append(Problem(file=OPT, column=f"optimisation.integer_steps.{mid}",
                                 value=mid, message="measure not found in the library"
                                 + _hint(mid, ids), expected="an id of measures.csv"))
    for i, ln in enumerate(sec.get("links") or []):
        for k in ("first", "second"):
            if ln[k] not in ids:
                probs.append(Problem(file=OPT, column=f"optimisation.links[{i}].{k}",
                                     value=ln[k], message="measure not found in the library"
                                     + _hint(ln[k], ids), expected="an id of measures.csv"))
    lvl = sec.get("region_level")
    if isinstance(lvl, str) and lvl.strip().lower() not in ("", "none", "all") \
            and lvl not in LEVELS:
        probs.append(Problem(file=OPT, column="optimisation.region_level", value=lvl,
                             message="unknown region level" + _hint(lvl, LEVELS),
                             expected=", ".join(LEVELS)))
    t = o.get("targets") or {}
    for key in ("pm25_year", "co2_peak_by"):
        y = t.get(key)
        if y is not None and y not in years:
            probs.append(Problem(file=OPT, column=f"targets.{key}", value=y,
                                 message="target year is not a scenario year",
                                 expected=f"one of {years}"))
    for y in (t.get("co2_caps_t") or {}):
        if y not in years:
            probs.append(Problem(file=OPT, column=f"targets.co2_caps_t.{y}", value=y,
                                 message="cap year is not a scenario year",
                                 expected=f"one of {years}"))
    for i, c in enumerate(t.get("caps") or []):
        if c["year"] not in years:
            probs.append(Problem(file=OPT, column=f"targets.caps[{i}].year", value=c["year"],
                                 message="cap year is not a scenario year",
                                 expected=f"one of {years}"))
        if c["species"] not in species:
            probs.append(Problem(file=OPT, column=f"targets.caps[{i}].species",
                                 value=c["species"], message="unknown species"
                                 + _hint(c["species"], species, "species"),
                                 expected=", ".join(species)))
    if t.get("pm25_max") is not None and o.get("air_quality") is None:
        probs.append(Problem(file=OPT, column="air_quality",
                             message="a PM2.5 target needs an air-quality model",
                             expected="an air_quality section (city, pm25_base_ugm3, "
                                      "local_share)"))
