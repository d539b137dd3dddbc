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


def check_activity(activity: pd.DataFrame) -> list[dict]:
    """Activity rows above the plausible maximum of their dimension."""
    r = _ranges()
    lim = r[r["check"] == "activity"]
    file = activity.attrs.get("file", "activity")
    out = []
    if activity is None or activity.empty:
        return out
    for unit, g in activity.groupby("unit", sort=False):
        for _, L in lim.iterrows():
            try:
                f = units.factor(str(unit), str(L["unit"]))
            except units.UnitError:
                continue
            v = g["value"].to_numpy(dtype=float) * f
            for i in np.flatnonzero(~(v <= float(L["max"]))):
                row = g.iloc[i]
                rno = int(row["_row"]) if "_row" in g.columns else int(g.index[i]) + 2
                out.append(_warning(
                    file, rno, "value", f"{float(row['value']):g} {unit}",
                    Msg("warn_activity", sid=row["source_id"], v=_g(v[i]), unit=L["unit"],
                        max=_g(float(L["max"]))), _basis(L)))
            break
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
