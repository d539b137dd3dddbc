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
from cocontrol.i18n import Msg, Seq, did_you_mean
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
    return did_you_mean(near)


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
                               message=Msg("msg.unknown_column", column=c,
                                           hint=did_you_mean(near)),
                               expected=Seq(MEASURE_COLUMNS, quote=True)))
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
                                     value=it.code, message=Msg("msg.instrument_twice"),
                                     expected=Msg("exp.unique_codes")))
            seen.add(it.code)
    ev = docs.get("evaluation")
    if ev is not None:
        seen = set()
        for d in ev.dimensions:
            for c in d.criteria:
                for ind in c.indicators:
                    if ind.id in seen:
                        probs.append(Problem(file="evaluation.yaml", column="indicators.id",
                                             value=ind.id, message=Msg("msg.indicator_twice"),
                                             expected=Msg("exp.unique_ids")))
                    seen.add(ind.id)
    return probs


def _check_drivers(m, drivers, elast, driver_names, probs) -> None:
    if drivers is not None and len(drivers):
        f, sh = drivers.attrs.get("file", "drivers"), drivers.attrs.get("sheet")
        dup = drivers.duplicated(subset=["driver", "year"], keep="first").to_numpy()
        for i in np.flatnonzero(dup):
            probs.append(Problem(file=f, sheet=sh, row=int(drivers[io.ROW].iat[i]),
                                 column="year", value=drivers["year"].iat[i],
                                 message=Msg("msg.driver_year_twice"),
                                 expected=Msg("exp.row_per_driver_year")))
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
                                     message=Msg("msg.driver_not_positive"),
                                     expected=Msg("exp.positive_base")))
    if elast is not None and len(elast):
        f, sh = elast.attrs.get("file", "elasticities"), elast.attrs.get("sheet")
        sectors = refdata.codes("sectors")
        rows = elast[io.ROW].to_numpy()
        for i, r in enumerate(elast.itertuples(index=False)):
            row = int(rows[i])
            if isinstance(r.sector, str) and r.sector not in sectors and r.sector != "*":
                probs.append(Problem(file=f, sheet=sh, row=row, column="sector", value=r.sector,
                                     message=Msg("msg.unknown_code", kind=Msg("kind.sector"),
                                                 hint=_hint(r.sector, sectors, "sector")),
                                     expected=Msg("exp.sector_or_star")))
            if isinstance(r.driver, str):
                if r.driver not in driver_names:
                    probs.append(Problem(file=f, sheet=sh, row=row, column="driver",
                                         value=r.driver,
                                         message=Msg("msg.driver_not_found",
                                                     hint=_hint(r.driver, driver_names)),
                                         expected=Seq(sorted(driver_names), quote=True)
                                         or Msg("exp.drivers_table")))
                if not np.isfinite(r.elasticity):
                    probs.append(Problem(file=f, sheet=sh, row=row, column="elasticity",
                                         message=Msg("msg.needs_elasticity"),
                                         expected=Msg("exp.number_eg", example=0.8)))
        dup = elast.duplicated(subset=["sector"], keep="first").to_numpy()
        for i in np.flatnonzero(dup):
            probs.append(Problem(file=f, sheet=sh, row=int(elast[io.ROW].iat[i]),
                                 column="sector", value=elast["sector"].iat[i],
                                 message=Msg("msg.sector_twice"),
                                 expected=Msg("exp.row_per_sector")))


def _check_scenarios(m, data, years, ids, driver_names, probs, species) -> None:
    scen = data.get("scenarios") or {}
    s = data.get("settings") or {}
    if s.get("start") and s.get("end") and s["start"] > s["end"]:
        probs.append(Problem(file=SCEN, column="settings.end", value=s["end"],
                             message=Msg("msg.end_before_start"), expected=f"≥ {s['start']}"))
    for name, sd in scen.items():
        sd = sd or {}
        ext = sd.get("extends")
        if ext is not None and ext not in scen:
            probs.append(Problem(file=SCEN, column=f"scenarios.{name}.extends", value=ext,
                                 message=Msg("msg.extends_unknown", hint=_hint(ext, scen)),
                                 expected=Seq(scen, quote=True)))
        for mid, v in (sd.get("measures") or {}).items():
            key = f"scenarios.{name}.measures.{mid}"
            if mid not in ids:
                probs.append(Problem(file=SCEN, column=key, value=mid,
                                     message=Msg("msg.measure_not_found",
                                                 hint=_hint(mid, ids)),
                                     expected=Msg("exp.measure_id_project")))
            if isinstance(v, dict) and v.get("start_year") and v.get("full_year") \
                    and v["start_year"] > v["full_year"]:
                probs.append(Problem(file=SCEN, column=key + ".full_year", value=v["full_year"],
                                     message=Msg("msg.full_before_start"),
                                     expected=f"≥ {v['start_year']}"))
    for name in scen:  # cycles
        chain, cur = [], name
        while cur in scen:
            if cur in chain:
                probs.append(Problem(file=SCEN, column=f"scenarios.{name}.extends",
                                     message=Msg("msg.extends_circle"),
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
                                 message=Msg("msg.target_year"),
                                 expected=Msg("exp.scenario_years", years=str(years))))
        sp = t.get("species")
        if sp is not None and sp not in species:
            probs.append(Problem(file=SCEN, column=f"{key}.species", value=sp,
                                 message=Msg("msg.unknown_species", hint=_hint(
                                     sp, species, "species")),
                                 expected=Seq(species)))
        if typ == "intensity":
            per = t.get("per")
            if per not in driver_names:
                probs.append(Problem(file=SCEN, column=f"{key}.per", value=per,
                                     message=Msg("msg.intensity_driver",
                                                 hint=_hint(per, driver_names)),
                                     expected=Seq(sorted(driver_names), quote=True)
                                     or Msg("exp.drivers_table_with")))
        unit = t.get("unit")
        if unit is not None and typ in ("cap", "energy_cap"):
            ref = "t" if typ == "cap" else "GJ"
            if not units.dimension_ok(str(unit), ref):
                probs.append(Problem(file=SCEN, column=f"{key}.unit", value=unit,
                                     message=Msg("msg.target_unit"),
                                     expected=Msg("exp.mass_unit_t") if typ == "cap" else
                                     Msg("exp.energy_unit")))
        if typ == "intensity" and isinstance(unit, str) and "/" not in unit:
            probs.append(Problem(file=SCEN, column=f"{key}.unit", value=unit,
                                 message=Msg("msg.intensity_slash"),
                                 expected=Msg("exp.eg", example="t/1e8 yuan")))
        if typ == "energy_cap":
            for f in t.get("fuels") or []:
                if f not in set(fuels["code"]):
                    probs.append(Problem(file=SCEN, column=f"{key}.fuels", value=f,
                                         message=Msg("msg.unknown_code",
                                                     kind=Msg("kind.fuel"), hint=_hint(
                                                         f, set(fuels["code"]), "fuel")),
                                         expected=Msg("exp.fuel_code")))
            kind = t.get("kind")
            kinds = set(fuels["kind"].astype(str))
            if kind is not None and kind not in kinds:
                probs.append(Problem(file=SCEN, column=f"{key}.kind", value=kind,
                                     message=Msg("msg.unknown_fuel_kind",
                                                 hint=_hint(kind, kinds)),
                                     expected=Seq(sorted(kinds), quote=True)))


def _check_optimisation(o, sc_data, years, names, ids, probs, species) -> None:
    sec = o.get("optimisation") or {}
    base = sec.get("base_scenario", "baseline")
    if base not in names:
        probs.append(Problem(file=OPT, column="optimisation.base_scenario", value=base,
                             message=Msg("msg.base_scenario", hint=_hint(base, names)),
                             expected=Seq(names, quote=True)))
    cand = sec.get("measures")
    for mid in cand or []:
        if mid not in ids:
            probs.append(Problem(file=OPT, column="optimisation.measures", value=mid,
                                 message=Msg("msg.measure_not_found", hint=_hint(mid, ids)),
                                 expected=Msg("exp.measure_id")))
    if cand is None:
        used = {mid for sd in (sc_data.get("scenarios") or {}).values()
                for mid in ((sd or {}).get("measures") or {})}
        if not used:
            probs.append(Problem(file=OPT, column="optimisation.measures",
                                 message=Msg("msg.no_candidates"),
                                 expected=Msg("exp.candidates")))
    for mid in (sec.get("integer_steps") or {}):
        if mid not in ids:
            probs.append(Problem(file=OPT, column=f"optimisation.integer_steps.{mid}",
                                 value=mid, message=Msg("msg.measure_not_found",
                                                        hint=_hint(mid, ids)),
                                 expected=Msg("exp.measure_id")))
    for i, ln in enumerate(sec.get("links") or []):
        for k in ("first", "second"):
            if ln[k] not in ids:
                probs.append(Problem(file=OPT, column=f"optimisation.links[{i}].{k}",
                                     value=ln[k], message=Msg("msg.measure_not_found",
                                                              hint=_hint(ln[k], ids)),
                                     expected=Msg("exp.measure_id")))
    lvl = sec.get("region_level")
    if isinstance(lvl, str) and lvl.strip().lower() not in ("", "none", "all") \
            and lvl not in LEVELS:
        probs.append(Problem(file=OPT, column="optimisation.region_level", value=lvl,
                             message=Msg("msg.unknown_level", hint=_hint(lvl, LEVELS)),
                             expected=Seq(LEVELS, quote=True)))
    t = o.get("targets") or {}
    for key in ("pm25_year", "co2_peak_by"):
        y = t.get(key)
        if y is not None and y not in years:
            probs.append(Problem(file=OPT, column=f"targets.{key}", value=y,
                                 message=Msg("msg.target_year"),
                                 expected=Msg("exp.one_of", items=str(years))))
    for y in (t.get("co2_caps_t") or {}):
        if y not in years:
            probs.append(Problem(file=OPT, column=f"targets.co2_caps_t.{y}", value=y,
                                 message=Msg("msg.cap_year"),
                                 expected=Msg("exp.one_of", items=str(years))))
    for i, c in enumerate(t.get("caps") or []):
        if c["year"] not in years:
            probs.append(Problem(file=OPT, column=f"targets.caps[{i}].year", value=c["year"],
                                 message=Msg("msg.cap_year"),
                                 expected=Msg("exp.one_of", items=str(years))))
        if c["species"] not in species:
            probs.append(Problem(file=OPT, column=f"targets.caps[{i}].species",
                                 value=c["species"], message=Msg("msg.unknown_species",
                                                                 hint=_hint(c["species"],
                                                                            species,
                                                                            "species")),
                                 expected=Seq(species)))
    if t.get("pm25_max") is not None and o.get("air_quality") is None:
        probs.append(Problem(file=OPT, column="air_quality",
                             message=Msg("msg.pm25_needs_aq"),
                             expected=Msg("exp.aq_section")))
