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
            raise CocontrolError(f"cannot filter by {col!r}; choose from {', '.join(FILTERS)}")
        mask &= (lines[col].astype(str) == str(val)).to_numpy()
    return mask


def _index(inv, species: str, year: int) -> tuple[int, int]:
    if species not in inv.species:
        raise CocontrolError(f"species {species!r} is not in the inventory "
                             f"({', '.join(inv.species)})")
    if year not in inv.years:
        raise CocontrolError(f"year {year} is not an inventory year "
                             f"({', '.join(map(str, inv.years))})")
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


def _factor_rows(inv, species: str) -> pd.DataFrame:
    """The factor report's row of every line for ``species`` (index: line)."""
    rep = inv.line_factor_report()
    rep = rep[rep["species"] == species]
    return rep.drop_duplicates("line").set_index("line")


def _controls_of(inv, source_id: str, year: int, species: str) -> list[dict]:
    ctl = getattr(getattr(inv, "project", None), "controls", None)
    if ctl is None or len(ctl) == 0:
        return []
    rows = ctl[ctl["source_id"].astype(str) == str(source_id)]
    if "year" in rows:
        rows = rows[rows["year"].isna() | (rows["year"] == year)]
    rem = refdata.table("control_removal")
    out = []
    for r in rows.itertuples():
        eff = rem[(rem["technology"] == r.technology) & (rem["species"] == species)]
        out.append({"technology": r.technology, "share": float(r.share),
                    "efficiency": float(eff["efficiency"].iloc[0]) if len(eff) else None,
                    "source": str(eff["source"].iloc[0]) if len(eff) else None})
    return out


def _given(v, kind=str):
    """A report cell, None where the report has none (NaN, empty)."""
    if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()):
        return None
    return kind(v)


def lines(inv, species: str, year: int, filters: Mapping[str, str] | None = None,
          scope: int | str = 1) -> pd.DataFrame:
    """The activity rows behind a number: one row per inventory line with activity, factor
    (as the factor report gives it), control factor, emission and whether a measured value
    replaced the computed one."""
    s, y = _index(inv, species, year)
    m = _mask(inv, filters or {}, scope)
    idx = np.flatnonzero(m)
    fac = _factor_rows(inv, species)
    ctrl = dict(zip(inv.ctrl_lines.tolist(), range(len(inv.ctrl_lines)), strict=True))
    measured = set(getattr(inv, "_measured_lines", np.empty(0, dtype=int)).tolist())
    cells = inv.measured_cells
    meas_src = set(cells.loc[(cells["species"] == species) & (cells["year"] == year),
                             "source_id"].astype(str)) if len(cells) else set()
    rows = []
    for i in idx:
        ln = inv.lines.iloc[i]
        f = fac.loc[i] if i in fac.index else None
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


def derivation(inv, species: str, year: int, filters: Mapping[str, str] | None = None,
               scope: int | str = 1) -> dict:
    """Everything behind the number of ``filters``: value, activity rows with factors and
    their sources, controls, measured values used, and the inventory's provenance."""
    filters = dict(filters or {})
    rows = lines(inv, species, year, filters, scope)
    cells = inv.measured_cells
    sources = set(rows["source_id"].astype(str)) if len(rows) else set()
    meas = cells[(cells["species"] == species) & (cells["year"] == year)
                 & cells["source_id"].astype(str).isin(sources)] if len(cells) else cells
    controls = {src: c for src in sorted(sources)
                if (c := _controls_of(inv, src, year, species))}
    total = float(rows["value_t"].sum(min_count=1)) if len(rows) else 0.0
    if len(rows) and rows["value_t"].isna().any():
        total = float("nan")
    return {"species": species, "year": year, "filters": filters, "scope": scope,
            "value_t": total,
            "rows": rows, "controls": controls,
            "measured": meas.reset_index(drop=True),
            "provenance": inv.provenance().to_dict()}
