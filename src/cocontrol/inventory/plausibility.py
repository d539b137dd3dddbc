"""Plausibility warnings (issue 9, item 6): values that load and compute but are far outside
what a real source can be. Warnings never change a number; they name the row and say why,
and are shown by ``cocontrol validate`` and in the inventory report and workbook.

The ranges are data (``data/plausibility.csv``, each with its basis):

* ``activity``: one activity row above the largest plausible value of its dimension (mass,
  energy, gas volume, vehicle-km, head, area), e.g. 1e30 t;
* ``user_factor``: a user factor more than a factor F (50) above or below the bundled default
  for the same sector and fuel/process, i.e. an implied intensity far from the sector's range;
* ``measured``: measured and computed emissions of a source differ by more than a factor F (3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol import i18n, refdata, units
from cocontrol.i18n import Msg, Text, named

#: columns of :func:`warnings_table` (catalogue keys warn_*)
COLUMNS = ("file", "row", "column", "value", "message", "basis")


def _ranges() -> pd.DataFrame:
    return refdata.bundled_frame("plausibility.csv").astype(
        {"max": float, "factor": float})


def ranges() -> pd.DataFrame:
    """The plausibility ranges with their basis in English and Chinese (a copy)."""
    return _ranges().copy()


def _warning(file, row, column, value, message: Msg, basis: Text) -> dict:
    """One warning: ``message`` (a catalogue :class:`~cocontrol.i18n.Msg`) and ``basis`` (the
    range's basis in both languages) are shown in the reader's language by :func:`text`."""
    return {"file": file, "row": row, "column": column, "value": value, "message": message,
            "basis": basis}


def _basis(r) -> Text:
    return Text(str(r["basis"]), str(r["basis_zh"]))


def _g(v: float) -> str:
    return f"{v:.3g}"


def text(w: dict, lang: str | None = "en") -> str:
    """A warning as one line in ``lang``: where (file and row), what, and the range's basis."""
    where = i18n.t("warn_where_row", lang, file=w["file"], row=w["row"]) if w.get("row") \
        else str(w["file"])
    return i18n.t("warn_line", lang, where=where, message=i18n.tr(w["message"], lang),
                  basis=i18n.tr(w["basis"], lang))


def warnings_table(warnings: list, lang: str | None = "en") -> pd.DataFrame:
    """The warnings as a table with headings and texts in ``lang``."""
    rows = [{i18n.t(f"warn_{c}", lang): ("" if w.get(c) is None else i18n.tr(w[c], lang))
             for c in COLUMNS} for w in warnings]
    return pd.DataFrame(rows, columns=[i18n.t(f"warn_{c}", lang) for c in COLUMNS])


def _unit_limits(units_seen, lim: pd.DataFrame) -> dict:
    """For every unit: the first activity range whose dimension it converts to, as (factor
    to the range's unit, the range's row); units of no range are left out."""
    out = {}
    for unit in units_seen:
        for _, L in lim.iterrows():
            try:
                f = units.factor(str(unit), str(L["unit"]))
            except units.UnitError:
                continue
            out[unit] = (f, L)
            break
    return out


def check_activity(activity: pd.DataFrame, units_seen=None) -> list[dict]:
    """Activity rows above the plausible maximum of their dimension (NaN values included:
    a value that is not a number is not plausible either).

    Vectorised over the rows: every row is compared at once with the smallest range of the
    table's units (each range in the unit of the rows, slightly lowered so that a row below
    it is below its own range whatever the rounding); only the rows above it are checked
    exactly, unit by unit. Warnings come by unit in order of first appearance, then by
    row. ``units_seen``: the units of the table when the caller has them (the engine's
    lines), else read from the column."""
    r = _ranges()
    lim = r[r["check"] == "activity"]
    file = activity.attrs.get("file", "activity")
    out = []
    if activity is None or activity.empty:
        return out
    ucol = activity["unit"]
    cat = isinstance(ucol.dtype, pd.CategoricalDtype)
    seen = units_seen if units_seen is not None else \
        list(ucol.cat.categories) if cat else list(pd.unique(ucol.dropna()))
    limits = _unit_limits(seen, lim)
    if not limits:
        return out
    val = activity["value"].to_numpy(dtype=float)
    thr = min(float(L["max"]) / f if f > 0 else -np.inf for f, L in limits.values())
    cand = np.flatnonzero(~(val <= thr * (1 - 1e-9)))  # NaN rows are candidates too
    if len(cand) == 0:
        return out
    cunit = ucol.iloc[cand].to_numpy(dtype=object)
    hits = []
    for unit in pd.unique(cunit):
        if unit not in limits:  # no range for it (or no unit: not grouped, as before)
            continue
        f, L = limits[unit]
        rows = cand[cunit == unit]
        v = val[rows] * f
        bad = rows[~(v <= float(L["max"]))]
        if len(bad):
            first = int(np.argmax((ucol.to_numpy() == unit) if not cat else
                                  ucol.array.codes == ucol.cat.categories.get_loc(unit)))
            hits.append((first, unit, f, L, bad))
    for _, unit, f, L, bad in sorted(hits, key=lambda h: h[0]):
        sub = activity.iloc[bad]
        rno = sub["_row"].to_numpy() if "_row" in sub.columns else sub.index.to_numpy() + 2
        for k in range(len(bad)):
            raw = float(sub["value"].iat[k])
            out.append(_warning(
                file, int(rno[k]), "value", f"{raw:g} {unit}",
                Msg("warn_activity", sid=sub["source_id"].iat[k], v=_g(raw * f),
                    unit=L["unit"], max=_g(float(L["max"]))), _basis(L)))
    return out


def check_inventory(inv) -> list[dict]:
    """User factors far from the bundled default, and measured vs computed emissions."""
    r = _ranges().set_index("check")
    out = []
    ft = inv.factor_table
    prov = ft.provenance[ft.provenance["set"] == "user"] if ft is not None else None
    if prov is not None and len(prov):
        F = float(r.at["user_factor", "factor"])
        from cocontrol.inventory import factors as fmod

        default_tab, _ = fmod.bundled_tables()
        dflt = fmod._best(ft.combos, pd.DataFrame(), default_tab, ("default",),
                          fmod._parent_chain(), ft.species)
        dflt, mult_d, _ = fmod._to_multiplier(dflt, ft.combos, {s: i for i, s in
                                                                 enumerate(ft.species)},
                                              len(ft.species))
        ab = dflt.set_index(["combo", "species"])["basis"]
        _, unab_tab = fmod.bundled_tables()
        du = fmod._best(ft.combos, pd.DataFrame(), unab_tab, ("default",),
                        fmod._parent_chain(), ft.species)
        _, mult_u, _ = fmod._to_multiplier(du, ft.combos, {s: i for i, s in
                                                           enumerate(ft.species)},
                                           len(ft.species))
        for p in prov.itertuples(index=False):
            j = ft.species.index(p.species)
            u = p.t_per_activity
            # user factors are uncontrolled (schema): compare with the unabated default; an
            # abated default only bounds them from below
            d = mult_u[int(p.combo), j]
            lower_only = False
            if not np.isfinite(d):
                d = mult_d[int(p.combo), j]
                lower_only = ab.get((int(p.combo), p.species)) == "abated"
            if not (np.isfinite(d) and d > 0 and np.isfinite(u) and u > 0):
                continue
            if (u / d > F and not lower_only) or d / u > F:
                c = ft.combos.iloc[int(p.combo)]
                what = c["fuel"] if isinstance(c["fuel"], str) else c["process"]
                out.append(_warning(
                    "factors.csv", None, "value", f"{p.value:g} {p.unit}",
                    Msg("warn_user_factor", sp=p.species, sector=named("sectors", c["sector"]),
                        what=named("fuels" if isinstance(c["fuel"], str) else "processes",
                                   what), ratio=_g(u / d), d=_g(d), unit=c["unit"]),
                    _basis(r.loc["user_factor"])))
    mc = inv.measured_cells
    if mc is not None and len(mc):
        F = float(r.at["measured", "factor"])
        for m in mc.itertuples(index=False):
            c, ms = float(m.computed_t), float(m.measured_t)
            if c > 0 and ms > 0 and (ms / c > F or c / ms > F):
                out.append(_warning(
                    "measured.csv", None, "value", f"{m.source_id} {m.species} {m.year}",
                    Msg("warn_measured", sp=m.species, sid=m.source_id, year=m.year,
                        ratio=_g(ms / c), ms=f"{ms:.4g}", c=f"{c:.4g}"),
                    _basis(r.loc["measured"])))
    return out
