"""Where a number of the inventory comes from: drill-down and derivation (provenance view).

A number of the dashboard's map and drill-down is the sum of the inventory's emissions
``E[line, species, year]`` (:class:`cocontrol.inventory.inventory.Inventory`) over the lines of
one region, sector, enterprise or source. :func:`drill` splits such a sum one level further
(district → sector → enterprise → source → activity rows); :func:`derivation` lists what made
it: every activity row with its factor (value, unit, set, method and the factor's source as
the inventory's factor report records it), the controls applied (technology, share, removal
and its source), the measured values that replaced a computed one, and the
:class:`~cocontrol.provenance.Provenance` of the inventory (project content hash, code and
factor-table versions, GWP set). Nothing is recomputed: every figure is read from the
inventory's arrays and reports, so the derivation shows the same numbers the library made.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

#: drill-down levels, in order: the inventory's line column of each
LEVELS = ("district", "sector", "enterprise", "source_id")
#: line columns a number may be filtered by (the levels, and the park of a line)
FILTERS = (*LEVELS, "park")


def _mask(inv, filters: Mapping[str, str], scope: int | str = 1) -> np.ndarray:
    """Lines matching ``filters`` of ``scope`` (1 direct emissions, the default of
    :meth:`Inventory.aggregate`; 2 indirect CO2 of purchased energy; "all")."""
    lines = inv.lines
    mask = (np.ones(len(lines), dtype=bool) if scope == "all"
            else (lines["scope"] == int(scope)).to_numpy().copy())
    for col, val in filters.items():
        if col not in FILTERS:
            raise CocontrolError(M("msg.drv_cannot_filter", col=repr(col),
                                                known=Seq(FILTERS, ", ", quote=True)))
        mask &= (lines[col].astype(str) == str(val)).to_numpy()
    return mask


def _require(species: str, year: int, all_species, all_years, what: str) -> None:
    """Refuse a species or year the inventory (or scenario) does not have, naming those it has."""
    if species not in list(all_species):
        raise CocontrolError(M("msg.drv_species_not_in", species=repr(species),
                               what=M(f"drv_what.{what}"),
                               known=Seq(list(map(str, all_species)), ", ")))
    if year not in list(all_years):
        raise CocontrolError(M("msg.drv_year_not_in", year=year, what=M(f"drv_what.{what}"),
                               known=", ".join(map(str, all_years))))


def _index(inv, species: str, year: int) -> tuple[int, int]:
    _require(species, year, inv.species, inv.years, "inventory")
    return inv.species.index(species), inv.years.index(year)


def value(inv, species: str, year: int, filters: Mapping[str, str] | None = None,
          scope: int | str = 1) -> float:
    """Emissions (t) of ``species`` in ``year`` over the lines matching ``filters``; NaN when
    a line's factor is missing (not estimated, never 0)."""
    s, y = _index(inv, species, year)
    m = _mask(inv, filters or {}, scope)
    return float(inv.emissions[m, s, y].sum()) if m.any() else 0.0


def drill(inv, species: str, year: int, filters: Mapping[str, str] | None = None,
          by: str | None = None, scope: int | str = 1) -> pd.DataFrame:
    """The number of ``filters`` split by the next level (or ``by``): one row per member
    with its emissions (t) and number of lines, largest first; missing factors give NaN."""
    filters = dict(filters or {})
    if by is None:
        rest = [lv for lv in LEVELS if lv not in filters]
        by = rest[0] if rest else "line"
    s, y = _index(inv, species, year)
    if by == "line":
        return lines(inv, species, year, filters, scope)
    m = _mask(inv, filters, scope)
    e = inv.emissions[m, s, y]
    keys = inv.lines.loc[m, by].astype(str).to_numpy()
    df = pd.DataFrame({by: keys, "value_t": e})
    out = df.groupby(by, sort=False)["value_t"].agg(
        value_t=lambda v: v.sum(min_count=len(v)), n_lines="size").reset_index()
    return out.sort_values("value_t", ascending=False, na_position="last",
                           kind="stable").reset_index(drop=True)


def _factor_rows(inv, species: str, report: pd.DataFrame | None = None) -> pd.DataFrame:
    """The factor report's row of every line for ``species`` (index: line); ``report``: the
    inventory's :meth:`line_factor_report` already made (default made here)."""
    rep = inv.line_factor_report() if report is None else report
    rep = rep[rep["species"] == species]
    return rep.drop_duplicates("line").set_index("line")


def _controls(inv, sources, year: int, species: str) -> dict[str, list[dict]]:
    """The controls of each of ``sources`` applied in ``year`` (sorted by source, a source
    without any left out): technology, share, removal of ``species`` and its source (None
    where the removal table has none). One pass over the project's controls table and the
    removal table for all the sources."""
    ctl = getattr(getattr(inv, "project", None), "controls", None)
    if ctl is None or len(ctl) == 0 or not sources:
        return {}
    rows = ctl[ctl["source_id"].astype(str).isin([str(s) for s in sources])]
    if "year" in rows:
        rows = rows[rows["year"].isna() | (rows["year"] == year)]
    rem = refdata.table("control_removal")
    rem = rem[rem["species"] == species].drop_duplicates("technology")
    eff = dict(zip(rem["technology"], rem["efficiency"], strict=True))
    src = dict(zip(rem["technology"], rem["source"], strict=True))
    out: dict[str, list[dict]] = {}
    for sid, tech, share in zip(rows["source_id"].tolist(), rows["technology"].tolist(),
                                rows["share"].tolist(), strict=True):
        out.setdefault(str(sid), []).append({
            "technology": tech, "share": float(share),
            "efficiency": float(eff[tech]) if tech in eff else None,
            "source": str(src[tech]) if tech in src else None})
    return {k: out[k] for k in sorted(out)}


def _given(v, kind=str):
    """A report cell, None where the report has none (NaN, empty)."""
    if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()):
        return None
    return kind(v)


def lines(inv, species: str, year: int, filters: Mapping[str, str] | None = None,
          scope: int | str = 1, report: pd.DataFrame | None = None) -> pd.DataFrame:
    """The activity rows behind a number: one row per inventory line with activity, factor
    (as the factor report gives it), control factor, emission and whether a measured value
    replaced the computed one. ``report``: the inventory's line factor report already made
    (for many numbers of one inventory)."""
    s, y = _index(inv, species, year)
    m = _mask(inv, filters or {}, scope)
    idx = np.flatnonzero(m)
    fac = _factor_rows(inv, species, report)
    fac = fac[fac.index.isin(idx)].to_dict("index")
    meta = dict(zip(idx.tolist(), inv.lines.iloc[idx][
        ["source_id", "region_id", "sector", "fuel", "process", "unit"]].to_dict("records"),
        strict=True))
    ctrl = dict(zip(inv.ctrl_lines.tolist(), range(len(inv.ctrl_lines)), strict=True))
    measured = set(getattr(inv, "_measured_lines", np.empty(0, dtype=int)).tolist())
    cells = inv.measured_cells
    meas_src = set(cells.loc[(cells["species"] == species) & (cells["year"] == year),
                             "source_id"].astype(str)) if len(cells) else set()
    rows = []
    for i in idx:
        ln = meta[int(i)]
        f = fac.get(int(i))
        cf = float(inv.ctrl_factor[ctrl[i], s, y]) if i in ctrl else 1.0
        rows.append({
            "line": int(i), "source_id": ln["source_id"], "region_id": ln["region_id"],
            "sector": ln["sector"], "fuel": None if pd.isna(ln["fuel"]) else ln["fuel"],
            "process": None if pd.isna(ln["process"]) else ln["process"],
            "activity": float(inv.activity[i, y]), "activity_unit": ln["unit"],
            "factor": None if f is None else _given(f["value"], float),
            "factor_unit": None if f is None else _given(f["unit_y"]),
            "t_per_activity": float(inv.ef[i, s]),
            "factor_set": None if f is None else _given(f["set"]),
            "method": None if f is None else _given(f["method"]),
            "factor_source": None if f is None else _given(f["source"]),
            "control_factor": cf,
            "computed_t": float(inv.activity[i, y] * inv.ef[i, s] * cf),
            "measured": bool(i in measured and str(ln["source_id"]) in meas_src),
            "value_t": float(inv.emissions[i, s, y]),
        })
    out = pd.DataFrame(rows)
    for c in ("fuel", "process", "factor_unit", "factor_set", "method", "factor_source"):
        if c in out:  # text cells: None where there is none (not NaN, which reads "nan")
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def total_of(rows: pd.DataFrame) -> float:
    """The number the activity rows make: the sum of their used values (t); NaN when a row's
    value is missing (not estimated, never 0); 0 without rows."""
    if not len(rows):
        return 0.0
    if rows["value_t"].isna().any():
        return float("nan")
    return float(rows["value_t"].sum())


def derivation(inv, species: str, year: int, filters: Mapping[str, str] | None = None,
               scope: int | str = 1, provenance: Mapping | None = None,
               report: pd.DataFrame | None = None) -> dict:
    """Everything behind the number of ``filters``: value, activity rows with factors and
    their sources, controls, measured values used, and the inventory's provenance
    (``provenance`` and ``report``: the inventory's provenance record and line factor report
    already made, for many numbers of one inventory; default made here)."""
    filters = dict(filters or {})
    rows = lines(inv, species, year, filters, scope, report)
    cells = inv.measured_cells
    sources = set(rows["source_id"].astype(str)) if len(rows) else set()
    meas = cells[(cells["species"] == species) & (cells["year"] == year)
                 & cells["source_id"].astype(str).isin(sources)] if len(cells) else cells
    controls = _controls(inv, sources, year, species)
    return {"species": species, "year": year, "filters": filters, "scope": scope,
            "value_t": total_of(rows),
            "rows": rows, "controls": controls,
            "measured": meas.reset_index(drop=True),
            "provenance": dict(provenance) if provenance is not None
            else inv.provenance().to_dict()}


# -- scenario and analysis numbers --------------------------------------------------------------

#: the measures library's columns a derivation shows (docs/measures.md)
MEASURE_FIELDS = ("name_en", "name_zh", "category", "action", "sector", "fuel", "process",
                  "to_sector", "to_fuel", "to_process", "ratio", "technology", "species",
                  "magnitude", "max_penetration", "start_year", "full_year", "cost_basis",
                  "capex", "fixed_opex", "variable_opex", "lifetime", "price_year", "source")


def _cell(v):
    """A table cell as plain Python: None where blank or not a finite number (never 0)."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _chain(base, name: str) -> list[str]:
    """The scenario and the ones it extends, itself first (scenarios.yaml ``extends``)."""
    raw = (base.project.scenario_data() or {}).get("scenarios") or {}
    out, cur = [], name
    while cur and cur not in out:
        out.append(cur)
        cur = (raw.get(cur) or {}).get("extends")
    return out


def measure_rows(base, run=None, scenario: str | None = None, year: int | None = None,
                 ids=None, moved: Mapping[str, float] | None = None) -> list[dict]:
    """Each measure of a scenario (or ``ids``) with its library parameters, the scenario's
    setting (penetration, timeline), the penetration the run reached in ``year`` and whether a
    what-if moved it."""
    spec = base.scenarios.get(scenario) if scenario is not None else None
    uses = dict(spec.measures) if spec is not None else {}
    ids = list(ids) if ids is not None else list(uses)
    moved = dict(moved or {})
    lib = base.lib
    yi = base.years.index(year) if (year is not None and year in base.years) else None
    out = []
    for mid in ids:
        use = uses.get(mid)
        row = {"id": mid, "in_library": mid in lib.index}
        if mid in lib.index:
            r = lib.loc[mid]
            row.update({k: _cell(r[k]) for k in MEASURE_FIELDS if k in r.index})
        row["penetration_set"] = use.penetration if use is not None else None
        row["start_year_set"] = use.start_year if use is not None else None
        row["full_year_set"] = use.full_year if use is not None else None
        path = (run.penetration.get(mid) if run is not None else None)
        row["penetration_in_year"] = (float(np.asarray(path)[yi]) if path is not None
                                      and yi is not None else None)
        row["moved_to"] = float(moved[mid]) if mid in moved else None
        out.append(row)
    return out


def driver_rows(base, year: int | None = None) -> dict:
    """The drivers (GDP, population, outputs) of the base year and ``year`` (linear between
    given years, :func:`cocontrol.scenario.drivers.interpolate`) with unit and source, and the
    elasticities that link activity to them."""
    p = base.project
    drivers, elast = [], []
    if p.drivers is not None and len(p.drivers):
        from cocontrol.scenario.drivers import interpolate

        yrs = sorted({base.years[0], *([year] if year is not None else [])})
        d = p.drivers.drop(columns=["_row"], errors="ignore")
        vals = interpolate(d, yrs)
        for name, g in d.groupby("driver", sort=False):
            drivers.append({"driver": name, "unit": _cell(g["unit"].iloc[0]),
                            "source": _cell(g["source"].iloc[0]),
                            "values": {int(y): _cell(float(vals.at[name, y])) for y in yrs}})
    if p.elasticities is not None and len(p.elasticities):
        for r in p.elasticities.drop(columns=["_row"], errors="ignore").to_dict("records"):
            elast.append({k: _cell(v) for k, v in r.items()})
    return {"drivers": drivers, "elasticities": elast}


def _base_info(base) -> dict:
    inv = base.inventory
    return {"base_year": int(base.years[0]), "inventory_years": [int(y) for y in inv.years],
            "project_hash": inv.provenance().project_hash,
            "inventory_provenance": inv.provenance().to_dict()}


def scenario_derivation(base, run, species: str, year: int,
                        moved: Mapping[str, float] | None = None) -> dict:
    """Where a scenario's number comes from: the emissions of ``species`` in ``year`` of
    ``run`` (t, :func:`cocontrol.scenario.totals`, scope 1), the scenario and the ones it
    extends, each measure with its library parameters and the penetration reached that year
    (and, for a what-if, the penetrations moved), the drivers and elasticities, the base
    inventory (its base-year value of the same species) and the run's provenance record."""
    from cocontrol.scenario import totals

    tot = totals(run)
    _require(species, year, tot.index, tot.columns, "scenario")
    inv = base.inventory
    by = int(base.years[0])
    spec = base.scenarios.get(run.name)
    prov = run.result(by=("sector",)).provenance.to_dict()
    if moved:
        prov["assumptions"] = {**prov["assumptions"],
                               "what_if": ", ".join(f"{k}={float(v):g}"
                                                    for k, v in sorted(moved.items()))}
    return {"kind": "scenario", "species": species, "year": int(year),
            "value_t": _cell(float(tot.at[species, year])),
            "scenario": run.name, "description": spec.description if spec else "",
            "chain": _chain(base, run.name),
            "measures": measure_rows(base, run, run.name, year, moved=moved),
            **driver_rows(base, year), **_base_info(base),
            "base_value_t": _cell(value(inv, species, by)) if by in inv.years
            and species in inv.species else None,
            "provenance": prov}


def target_derivation(base, run, target: str) -> dict:
    """Where a scenario target's row comes from (:func:`cocontrol.scenario.check_targets`):
    the target as scenarios.yaml gives it (its label, year, limit, unit and source), the
    scenario's value it is judged on, the margin (limit − value) and whether it is met, the
    rule of its kind, the scenario chain and the run's provenance record. ``target``: the
    row's label (e.g. ``NOx cap 2025``); an unknown label is an error naming the known
    ones."""
    from cocontrol.scenario import check_targets

    t = check_targets(base, run)
    labels = [str(x) for x in t["target"]] if len(t) else []
    if target not in labels:
        raise CocontrolError(M("msg.drv_no_target", target=repr(target),
                               known=Seq(labels, ", ")))
    row = t.iloc[labels.index(target)]
    return {"kind": "target", "target": target, "type": str(row["type"]), "scenario": run.name,
            "year": int(row["year"]), "value": _cell(float(row["value"])),
            "limit": _cell(float(row["limit"])), "unit": str(row["unit"]),
            "margin": _cell(float(row["margin"])), "passed": bool(row["passed"]),
            "note": str(row.get("note") or ""), "source": str(row.get("source") or ""),
            "chain": _chain(base, run.name), **_base_info(base),
            "provenance": run.result(by=("sector",)).provenance.to_dict()}


def cost_derivation(base, run) -> dict:
    """Where a scenario's present-value cost comes from (:func:`cocontrol.scenario.
    discounted_cost`, yuan, base year): the net annual cost of every year of the scenario
    (Σ over its measures of annualised capex = affected × capex × CRF(r, lifetime), fixed
    and variable opex = affected × (fixed + variable), and the change in energy
    expenditure; :func:`cocontrol.scenario.costs`), each year's cost held until the next
    scenario year and discounted, PV = Σ_y C_y Σ_{k<span_y} (1 + r)^−(y + k − y0), the
    contribution of every measure (its own PV by the same rule) with its library cost
    parameters and CRF, the discount rate, and the run's provenance record."""
    from cocontrol.scenario import measures as mlib
    from cocontrol.scenario.analysis import costs, discount_factors, discounted_cost

    tab = costs(base, run)
    years = [int(y) for y in base.years]
    rate = float(base.settings.discount_rate)
    held = discount_factors(base)
    factor = {y: f for y, (_n, f) in held.items()}
    cols = ["annualised_capex", "opex", "energy_cost_change_yuan", "cost_yuan"]
    by_year = tab.groupby("year")[cols].sum() if len(tab) else pd.DataFrame(columns=cols)
    periods = []
    for y, (n, _f) in held.items():
        r = by_year.loc[y] if y in by_year.index else None
        c = float(r["cost_yuan"]) if r is not None else 0.0  # no active measure: no cost
        periods.append({"year": y, "years_held": n, "discount_factor": factor[y],
                        **{k: (_cell(float(r[k])) if r is not None else 0.0) for k in cols},
                        "pv_yuan": c * factor[y]})
    lib = base.lib
    cost_measures = []
    for mid, g in (tab.groupby("measure", sort=False) if len(tab) else []):
        m = lib.loc[mid]
        life = float(m["lifetime"]) if pd.notna(m["lifetime"]) else 1.0
        per = g.groupby("year")["cost_yuan"].sum()
        cost_measures.append({
            "id": mid, "unit": str(g["unit"].iloc[0]), "capex": _cell(m["capex"]),
            "fixed_opex": _cell(m["fixed_opex"]), "variable_opex": _cell(m["variable_opex"]),
            "lifetime": _cell(m["lifetime"]), "crf": mlib.crf(rate, life),
            "price_year": _cell(m["price_year"]),
            "source": str(m["source"]) if "source" in m.index else "",
            "cost_by_year": {int(y): float(v) for y, v in per.items()},
            "pv_yuan": float(sum(float(per.get(y, 0.0)) * factor[y] for y in years))})
    spec = base.scenarios.get(run.name)
    return {"kind": "cost", "scenario": run.name, "unit": "yuan",
            "value_yuan": _cell(float(discounted_cost(base, run))),
            "discount_rate": rate, "base_year": years[0], "periods": periods,
            "cost_measures": cost_measures,
            "measures": measure_rows(base, run, run.name, None),
            "description": spec.description if spec else "",
            "chain": _chain(base, run.name), **_base_info(base),
            "provenance": run.result(by=("sector",)).provenance.to_dict()}


def result_derivation(kind: str, params: Mapping, provenance: Mapping | None, table: str,
                      rows: pd.DataFrame, index: int, column: str, base=None) -> dict:
    """Where a number of a stored analysis result comes from: the cell ``column`` of row
    ``index`` of the result's table, the whole row, the job's parameters (scenario, year,
    targets ...), the result's provenance record (project hash, code and factor versions,
    assumptions) and, with the ``base`` of the project version the result was computed from,
    the scenario's measures (or the row's own measure) with their parameters, the drivers
    and the base inventory."""
    if column not in rows.columns:
        raise CocontrolError(M("msg.drv_no_column", table=repr(table), column=repr(column)))
    if not 0 <= index < len(rows):
        raise CocontrolError(M("msg.drv_no_row", table=repr(table), index=index, n=len(rows)))
    row = {str(k): _cell(v) for k, v in rows.iloc[index].items()}
    out = {"kind": "result", "result_kind": kind, "table": table, "index": int(index),
           "column": column, "value": row.get(column), "row": row,
           "params": {str(k): v for k, v in dict(params or {}).items()
                      if not isinstance(v, list | dict) or len(str(v)) < 2000},
           "provenance": dict(provenance or {}), "measures": [], "drivers": [],
           "elasticities": [], "scenario": None, "chain": []}
    if base is not None:
        scen = params.get("scenario") if isinstance(params, Mapping) else None
        if scen not in base.scenarios:
            scen = None
        mid = row.get("measure") or row.get("id")
        ids = [mid] if isinstance(mid, str) and mid in base.lib.index else None
        out["scenario"] = scen
        out["chain"] = _chain(base, scen) if scen else []
        year = params.get("year") or row.get("year")
        year = int(year) if isinstance(year, int | float) and year == year else None
        out["measures"] = measure_rows(base, None, scen, year, ids=ids) if (scen or ids) \
            else []
        out.update(driver_rows(base, year))
        out.update(_base_info(base))
    return out


def energy_derivation(base, run, year: int, kind: str | None = None) -> dict:
    """Where a scenario's energy use of ``year`` comes from (tce; ``kind="solid"``: the coal
    of the cockpit, fuels of that kind in fuels.csv): each fuel's energy
    (:func:`cocontrol.scenario.energy`: activity × GJ per activity unit of the fuel's NCV ×
    GJ → tce) with its kind, NCV and source, their total, and everything of
    :func:`scenario_derivation` (scenario, measures, drivers, base inventory, provenance)."""
    from cocontrol import units
    from cocontrol.scenario import energy

    _require("CO2", year, ["CO2"], base.years, "scenario")
    fuels = refdata.table("fuels").set_index("code")
    e = energy(base, run, unit="tce")
    e = e[e["year"] == year]
    rows = []
    for r in e.itertuples(index=False):
        known = r.fuel in fuels.index
        k = fuels.at[r.fuel, "kind"] if known else None
        if kind is not None and k != kind:
            continue
        rows.append({"fuel": r.fuel, "kind": k, "value_tce": _cell(float(r.value)),
                     "ncv": _cell(fuels.at[r.fuel, "ncv"]) if known else None,
                     "ncv_unit": fuels.at[r.fuel, "ncv_unit"] if known else None,
                     "source": fuels.at[r.fuel, "source"] if known else None})
    d = scenario_derivation(base, run, "CO2", year)
    d.update({"kind": "energy", "indicator": "coal" if kind == "solid" else "energy",
              "fuel_kind": kind, "value": _cell(float(sum(r["value_tce"] or 0.0 for r in rows)))
              if all(r["value_tce"] is not None for r in rows) else None,
              "unit": "tce", "fuels": rows, "gj_to_tce": units.factor("GJ", "tce")})
    d.pop("value_t", None)
    d.pop("base_value_t", None)
    return d


#: what-if indicators beyond emissions: (how the value is read from an Outcome, unit)
WHATIF_INDICATORS = ("pm25", "deaths", "co2red", "apeq", "x_norm", "y_norm")


def whatif_derivation(w, outcome, run, indicator: str, year: int,
                      moved: Mapping[str, float] | None = None) -> dict:
    """Where a what-if indicator comes from (:mod:`cocontrol.optimize.whatif`): its value in
    ``year`` (PM2.5 of the project's air-quality link, avoided deaths of its health settings
    against the reference scenario, or a co-control metric of APeq against it), the settings
    of ``optimisation.yaml`` it is computed with (``air_quality``, ``health``), the reference
    scenario, the scope-1 emissions of the year it starts from (t) and everything of
    :func:`scenario_derivation` (scenario, measures, drivers, base inventory, provenance)."""
    if indicator not in WHATIF_INDICATORS:
        raise CocontrolError(M("msg.drv_indicator", indicator=indicator,
                               known=", ".join(WHATIF_INDICATORS)))
    base = w.base
    d = scenario_derivation(base, run, "CO2", year, moved=moved)
    yi = list(outcome.years).index(year)
    m = outcome.metrics
    j = [str(p) for p in m["pollutants"]].index("APeq")
    series = {"pm25": outcome.pm25, "deaths": outcome.avoided_deaths,
              "co2red": m["CO2_reduction"], "apeq": m["P_reduction"][:, j],
              "x_norm": m["x_norm"][:, j], "y_norm": m["y_norm"][:, j]}[indicator]
    unit = {"pm25": "µg/m³", "deaths": "deaths/yr", "co2red": "t", "apeq": "t APeq",
            "x_norm": "", "y_norm": ""}[indicator]
    opt = base.project.optimisation_data() or {}
    section = {"pm25": ("air_quality",), "deaths": ("air_quality", "health")}.get(indicator, ())
    settings = {k: opt.get(k) for k in section if opt.get(k) is not None}
    d.update({"kind": "whatif", "indicator": indicator, "unit": unit,
              "value": _cell(float(series[yi])) if series is not None else None,
              "reference": w.reference, "settings": settings,
              "emissions_t": {s: _cell(float(outcome.emissions[k, yi]))
                              for k, s in enumerate(outcome.species)}})
    d.pop("value_t", None)
    d.pop("base_value_t", None)
    return d


# -- decoupling and LMDI of an uploaded table (not stored) --------------------------------------

#: Tapio (2005) Transport Policy 12(2): 137-151, Fig. 2 and Table 2 (cocontrol.metrics.decoupling)
TAPIO_SOURCE = ("Tapio, P. (2005). Towards a theory of decoupling. Transport Policy 12(2): "
                "137-151, Fig. 2 and Table 2 (cocontrol.metrics.decoupling)")
#: LMDI-I additive (cocontrol.metrics.lmdi)
LMDI_SOURCE = ("Ang, B.W. (2005). The LMDI approach to decomposition analysis: a practical guide. "
               "Energy Policy 33: 867-871, Table 1; Ang (2015) Energy Policy 86: 233-238, "
               "Table 2 (cocontrol.metrics.lmdi)")
#: the rule of each Tapio state: sign of Δx, sign of Δy, range of e ({lo}, {hi}: the band)
TAPIO_RULES = {
    "strong_decoupling": (">0", "<=0", "e <= 0"),
    "weak_decoupling": (">0", ">0", "0 < e < {lo}"),
    "expansive_coupling": (">0", ">0", "{lo} <= e <= {hi}"),
    "expansive_negative_decoupling": (">0", ">0", "e > {hi}"),
    "strong_negative_decoupling": ("<0", ">=0", "e <= 0"),
    "weak_negative_decoupling": ("<0", "<0", "0 < e < {lo}"),
    "recessive_coupling": ("<0", "<0", "{lo} <= e <= {hi}"),
    "recessive_decoupling": ("<0", "<0", "e > {hi}"),
    "no_change": ("0", "0", "e undefined"),
    "undefined": ("", "", "x_base <= 0, y_base <= 0 or a value missing"),
}
#: the rule of the two strong states when x did not change (Δx = 0): e = Δy / 0 = ±inf
#: (cocontrol.metrics.decoupling: our documented convention, Tapio gives no rule for Δx = 0)
TAPIO_RULES_NO_DX = {
    "strong_decoupling": ("0", "<0", "e = -inf"),
    "strong_negative_decoupling": ("0", ">0", "e = +inf"),
}
#: the CO2 identity's factors (cocontrol.metrics.lmdi.co2_identity)
LMDI_FACTOR_FORMULAS = {"activity": "Q", "structure": "Q_i/Q", "intensity": "E_i/Q_i",
                        "fuel_mix": "E_ij/E_i", "emission_factor": "C_ij/E_ij"}


def _lmdi_subs(identity: pd.DataFrame, r: Mapping, region_col: str | None, sub_cols,
               year_col: str, factors: list[str]) -> list[dict]:
    """The sub-categories (sector × fuel) of one LMDI row: each factor in the start and end
    year (:func:`cocontrol.metrics.lmdi.co2_identity` of the file), C_ij^0, C_ij^T and the
    factor terms L(C_ij^T, C_ij^0) · ln(x^T/x^0) (:func:`cocontrol.metrics.lmdi.lmdi_terms`)."""
    from cocontrol.metrics.lmdi import lmdi_terms

    tab = identity
    if region_col and region_col in tab.columns and r.get(region_col) is not None:
        tab = tab[tab[region_col].astype(str) == str(r.get(region_col))]
    sub_cols = [c for c in sub_cols if c in tab.columns]
    a = tab[tab[year_col] == r.get("start")].set_index(sub_cols)[factors]
    b = tab[tab[year_col] == r.get("end")].set_index(sub_cols)[factors].reindex(a.index)
    terms, v0, vt = lmdi_terms(a.to_numpy(dtype=float), b.to_numpy(dtype=float))
    out = []
    for i, key in enumerate(a.index):
        key = key if isinstance(key, tuple) else (key,)
        out.append({"key": " · ".join(map(str, key)), "C0": _cell(float(v0[i])),
                    "CT": _cell(float(vt[i])),
                    "x0": {f: _cell(float(a.iat[i, k])) for k, f in enumerate(factors)},
                    "xT": {f: _cell(float(b.iat[i, k])) for k, f in enumerate(factors)},
                    "terms": {f: _cell(float(terms[i, k])) for k, f in enumerate(factors)}})
    return out


def decoupling_derivation(row: Mapping, method: str, file: str, *, x: str = "x",
                          y: str = "y", lower: float = 0.8, upper: float = 1.2,
                          identity: pd.DataFrame | None = None, region_col: str | None = None,
                          sub_cols=("sector", "fuel"), year_col: str = "year") -> dict:
    """Where the numbers of one row of :func:`cocontrol.metrics.decoupling` (``method="tapio"``)
    or :func:`cocontrol.metrics.decompose_co2` (``"lmdi_co2"``, additive) come from: the
    inputs read from ``file`` (columns ``x``, ``y`` and years), each step with its formula and
    value as the library computed it, and, for Tapio, the state's rule in the band
    [``lower``, ``upper``] with its source; for LMDI, each factor's formula
    ΔC_k = Σ_ij L(C_ij^T, C_ij^0) · ln(x_k,ij^T / x_k,ij^0) and the closure, and, with the
    file's ``identity`` table (:func:`cocontrol.metrics.lmdi.co2_identity`), each sub-category's
    factor values and terms (``subs``)."""
    r = {str(k): _cell(v) for k, v in dict(row).items()}
    if method == "tapio":
        region = r.get("region")
        b, t = r.get("base_year"), r.get("end_year")
        inputs = [{"name": "x_base", "column": x, "year": b, "value": r.get("x_base")},
                  {"name": "x_end", "column": x, "year": t, "value": r.get("x_end")},
                  {"name": "y_base", "column": y, "year": b, "value": r.get("y_base")},
                  {"name": "y_end", "column": y, "year": t, "value": r.get("y_end")}]
        steps = [{"name": "pct_x", "formula": "(x_end − x_base) / x_base", "value": r.get("pct_x")},
                 {"name": "pct_y", "formula": "(y_end − y_base) / y_base", "value": r.get("pct_y")},
                 {"name": "elasticity", "formula": "e = pct_y / pct_x",
                  "value": r.get("elasticity")}]
        state = r.get("state")
        rules = TAPIO_RULES_NO_DX if r.get("pct_x") == 0 and state in TAPIO_RULES_NO_DX \
            else TAPIO_RULES
        dx, dy, rng = rules.get(state, ("", "", ""))
        return {"kind": "decoupling", "method": "tapio", "file": file, "region": region,
                "base_year": b, "end_year": t, "x": x, "y": y, "inputs": inputs,
                "steps": steps, "state": state, "state_label": r.get("state_label"),
                "rule": {"dx": dx, "dy": dy, "e": rng.format(lo=f"{lower:g}", hi=f"{upper:g}")},
                "band": {"lower": lower, "upper": upper}, "source": TAPIO_SOURCE, "row": r}
    if method == "lmdi_co2":
        factors = [f for f in LMDI_FACTOR_FORMULAS if f in r]
        steps = [{"name": f, "factor": LMDI_FACTOR_FORMULAS[f],
                  "formula": f"ΔC_{f} = Σ_ij L(C_ij^T, C_ij^0) · "
                             f"ln(({LMDI_FACTOR_FORMULAS[f]})^T / ({LMDI_FACTOR_FORMULAS[f]})^0)",
                  "value": r.get(f)} for f in factors]
        steps.append({"name": "total", "factor": "",
                      "formula": "ΔC = C^T − C^0 = Σ_k ΔC_k", "value": r.get("total")})
        return {"kind": "decoupling", "method": "lmdi_co2", "file": file,
                "region": r.get("region"), "base_year": r.get("start"), "end_year": r.get("end"),
                "inputs": [{"name": "C^0", "column": "V_start", "year": r.get("start"),
                            "value": r.get("V_start")},
                           {"name": "C^T", "column": "V_end", "year": r.get("end"),
                            "value": r.get("V_end")}],
                "identity": "C = Σ_ij Q · (Q_i/Q) · (E_i/Q_i) · (E_ij/E_i) · (C_ij/E_ij)",
                "log_mean": "L(a, b) = (a − b) / (ln a − ln b), L(a, a) = a",
                "steps": steps, "closure_error": r.get("closure_error"),
                "factors": factors,
                "subs": (_lmdi_subs(identity, r, region_col, sub_cols, year_col, factors)
                         if identity is not None else []),
                "source": LMDI_SOURCE, "row": r}
    raise CocontrolError(M("msg.drv_decoupling_method", method=repr(method),
                           known="tapio, lmdi_co2"))


# -- the cockpit's co-control quadrant of a district or sector ----------------------------------

#: the groups of the cockpit's quadrant tables and charts (a line's district or sector)
QUADRANT_GROUPS = ("district", "sector")
#: the rule of each quadrant of :func:`cocontrol.metrics.coordinates`
#: (:func:`cocontrol.metrics.joint_change_class` of the changes −x, −y): the sign of the CO2
#: reduction x and of the pollutant reduction y, reduction = reference − scenario (a reduction
#: of 0 does not count as one); undefined where either is not estimated (NaN)
QUADRANT_RULES = {"I": (">0", ">0"), "II": ("<=0", ">0"), "III": ("<=0", "<=0"),
                  "IV": (">0", "<=0"), "undefined": ("NaN", "NaN")}


def district_of(regions: pd.DataFrame) -> dict[str, str]:
    """region_id -> the district (level ``district``) above it (itself for a district); a
    region above the districts (city-wide lines) keeps its own id: shown as its own row."""
    parent = dict(zip(regions["region_id"], regions["parent_id"], strict=True))
    level = dict(zip(regions["region_id"], regions["level"], strict=True))
    out = {}
    for rid in regions["region_id"]:
        cur, seen = rid, 0
        while isinstance(cur, str) and level.get(cur) != "district" and seen < 50:
            cur, seen = parent.get(cur), seen + 1
        out[rid] = cur if isinstance(cur, str) and level.get(cur) == "district" else rid
    return out


def line_groups(base, by: str) -> np.ndarray:
    """The district (:func:`district_of` of the line's region) or the sector of each line
    of a scenario base (``base.lines``)."""
    if by not in QUADRANT_GROUPS:
        raise CocontrolError(M("msg.drv_quadrant_by", by=repr(by),
                               known=Seq(QUADRANT_GROUPS, ", ", quote=True)))
    lines = base.lines
    if by == "district":
        d = district_of(base.project.regions)
        return lines["region_id"].map(lambda x: d.get(x, x)).to_numpy()
    return lines["sector"].to_numpy()


def emissions_by(base, run, by: str, year: int) -> pd.DataFrame:
    """Direct (scope 1) emissions (t) of a run in ``year`` by district or sector (rows) and
    species: the territorial accounting of the inventory, the tiles and the scenario
    derivation. The scope-2 lines (purchased electricity and heat) are left out: they are
    the power and heat plants' emissions counted again at the consumer, and a district's sum
    with both would count the electricity it makes and uses twice."""
    _require("CO2", year, ["CO2"], base.years, "scenario")  # the year only
    direct = base.lines["scope"].to_numpy() == 1
    df = pd.DataFrame(run.emissions[direct, :, base.years.index(year)],
                      columns=list(base.species))
    df[by] = line_groups(base, by)[direct]
    return df.groupby(by).sum()


def quadrant_table(base, reference_run, scenario_run, by: str, year: int, pollutant: str,
                   lang: str = "en") -> pd.DataFrame:
    """Co-control coordinate system (:func:`cocontrol.metrics.coordinates`) of each district
    or sector (the cockpit's table and chart): CO2 and ``pollutant`` reductions (t) of
    ``scenario_run`` against ``reference_run`` in ``year``, shares of the reference and the
    quadrant; groups without reference emissions of either are left out."""
    from cocontrol.metrics.cocontrol import coordinates

    _require(pollutant, year, base.species, base.years, "scenario")
    ref = emissions_by(base, reference_run, by, year)
    sc = emissions_by(base, scenario_run, by, year).reindex(ref.index)
    c = coordinates(ref["CO2"] - sc["CO2"], ref[pollutant] - sc[pollutant],
                    base_co2=ref["CO2"], base_pol=ref[pollutant], lang=lang)
    c.insert(0, by, ref.index.to_numpy())
    c["co2_ref_t"] = ref["CO2"].to_numpy()
    c["pollutant_ref_t"] = ref[pollutant].to_numpy()
    c["co2_scen_t"] = sc["CO2"].to_numpy()
    c["pollutant_scen_t"] = sc[pollutant].to_numpy()
    keep = (c["co2_ref_t"] != 0) | (c["pollutant_ref_t"] != 0)
    return c[keep.to_numpy()].reset_index(drop=True)


def _acting(base, scenario: str, mask: np.ndarray) -> list[str]:
    """The measures of ``scenario`` whose footprint (the lines they write and those they pull
    in: switch targets, energy-penalty lines) has a line in ``mask``."""
    from cocontrol.scenario.actions import handler

    spec = base.scenarios.get(scenario)
    out = []
    for mid in (spec.measures if spec is not None else {}):
        if mid not in base.lib.index:
            continue
        h = handler(base.lib.at[mid, "action"])
        fp = h.lines(base, mid)
        if ((fp | h.linked(base, mid, fp)) & mask).any():
            out.append(mid)
    return out


def quadrant_derivation(base, reference_run, scenario_run, by: str, key: str, year: int,
                        pollutant: str, lang: str = "en") -> dict:
    """Where a row of the cockpit's co-control quadrant comes from: the emissions of CO2 and
    ``pollutant`` (t) of the district or sector ``key`` in ``year`` in the reference and the
    scenario run (:func:`emissions_by`: the group's direct, scope-1 lines; the split by
    scope shows the scope-2 lines apart, not counted),
    the reductions x, y = reference − scenario (t) and their shares of the reference (the
    chart's point), the quadrant with the rule that assigns it (:data:`QUADRANT_RULES`), the
    scenario's measures that act on the group's lines (library parameters, penetration of the
    year, whether the reference has them too), the drivers, the base inventory and the
    scenario run's provenance record."""
    tab = quadrant_table(base, reference_run, scenario_run, by, year, pollutant, lang)
    keys = [str(k) for k in tab[by]]
    if str(key) not in keys:
        raise CocontrolError(M("msg.drv_quadrant_no_group", what=M(f"drv_group.{by}"),
                               key=repr(key), known=Seq(keys, ", ")))
    row = tab.iloc[keys.index(str(key))]
    scope = base.lines["scope"].to_numpy()
    group = line_groups(base, by).astype(str) == str(key)
    mask = group & (scope == 1)  # the lines counted (emissions_by)
    t = base.years.index(year)
    j = {"CO2": base.species.index("CO2"), pollutant: base.species.index(pollutant)}

    def part(run, m):
        return {s: _cell(float(run.emissions[m, k, t].sum())) for s, k in j.items()}

    scopes = [{"scope": int(s), "n_lines": int((group & (scope == s)).sum()),
               "counted": int(s) == 1,
               "reference_t": part(reference_run, group & (scope == s)),
               "scenario_t": part(scenario_run, group & (scope == s))}
              for s in sorted(set(scope[group].tolist()))]
    q = str(row["quadrant"])
    rule = QUADRANT_RULES.get(q, ("", ""))
    ref_spec = base.scenarios.get(reference_run.name)
    measures = measure_rows(base, scenario_run, scenario_run.name, year,
                            ids=_acting(base, scenario_run.name, mask))
    for m in measures:
        m["in_reference"] = ref_spec is not None and m["id"] in ref_spec.measures
    spec = base.scenarios.get(scenario_run.name)
    return {"kind": "quadrant", "by": by, "key": str(key), "year": int(year),
            "scenario": scenario_run.name, "reference": reference_run.name,
            "pollutant": pollutant, "unit": "t", "share_unit": "1 (of the reference)",
            "reference_t": {"CO2": _cell(row["co2_ref_t"]),
                            pollutant: _cell(row["pollutant_ref_t"])},
            "scenario_t": {"CO2": _cell(row["co2_scen_t"]),
                           pollutant: _cell(row["pollutant_scen_t"])},
            "reduction_t": {"CO2": _cell(row["x_co2_reduction"]),
                            pollutant: _cell(row["y_pollutant_reduction"])},
            "share": {"CO2": _cell(row["x_norm"]), pollutant: _cell(row["y_norm"])},
            "quadrant": q, "quadrant_label": str(row["quadrant_label"]),
            "rule": {"co2": rule[0], "pollutant": rule[1]},
            "rules": {k: {"co2": a, "pollutant": b} for k, (a, b) in QUADRANT_RULES.items()},
            "n_lines": int(mask.sum()), "scopes": scopes,
            "description": spec.description if spec else "",
            "chain": _chain(base, scenario_run.name), "measures": measures,
            **driver_rows(base, year), **_base_info(base),
            "provenance": scenario_run.result(by=("sector",)).provenance.to_dict()}
