"""Scenario comparison (issue 15 item 4): every scenario of the project side by side, its
pathway of a species (every scenario year), the peak year of CO2, the targets met and the
present value of the measures' net cost; every emission opens its derivation
(``/web/drill/scenario-why``: the scenario, its measures and their parameters, drivers, base
inventory and provenance record).

The numbers are the library's (:func:`cocontrol.scenario.totals`, :func:`~cocontrol.scenario.
peak`, :func:`~cocontrol.scenario.check_targets`, :func:`~cocontrol.scenario.discounted_cost`)
on the runs the cockpit shows (:func:`cocontrol.web.views.scenario_run`)."""

from __future__ import annotations

import copy
import threading

from cocontrol.i18n import Msg
from cocontrol.service.problems import ApiError
from cocontrol.web import data, views
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("scenarios", nav="nav_scenarios", order=12)

#: species shown and their display unit (factor from t)
SPECIES = {"CO2": ("Mt", 1e-6), "CO2e": ("Mt", 1e-6), "SO2": ("kt", 1e-3),
           "NOx": ("kt", 1e-3), "PM2.5": ("kt", 1e-3), "VOCs": ("kt", 1e-3),
           "NH3": ("kt", 1e-3)}


_ROWS: dict = {}
_ROWS_LOCK = threading.Lock()


def comparison(base, species: str) -> list[dict]:
    """One row per scenario: pathway of ``species`` (t, by year), CO2 peak (year, t), targets
    met of all, present value of the net cost (yuan). Cached per prepared base and species,
    like the runs it reads (deterministic); callers get a copy."""
    key = (id(base), species)
    with _ROWS_LOCK:
        hit = _ROWS.get(key)
    if hit is None or hit[0] is not base:
        hit = (base, _comparison(base, species))
        with _ROWS_LOCK:
            if len(_ROWS) > 32:
                _ROWS.clear()
            _ROWS[key] = hit
    return copy.deepcopy(hit[1])


def _comparison(base, species: str) -> list[dict]:
    from cocontrol.scenario import check_targets, discounted_cost, peak, totals

    rows = []
    for name, sc in base.scenarios.items():
        r = views.scenario_run(base, name)
        tot = totals(r)
        tg = check_targets(base, r)
        py, pv = peak(r, "CO2") if "CO2" in tot.index else (None, None)
        rows.append({"scenario": name, "description": sc.description,
                     "extends": sc.extends, "n_measures": len(sc.measures),
                     "values": {int(y): views.finite(float(tot.at[species, y]))
                                for y in tot.columns} if species in tot.index else {},
                     "peak_year": py, "peak_t": pv,
                     "targets_met": int(tg["passed"].sum()) if len(tg) else 0,
                     "targets": len(tg), "cost_pv_yuan": views.finite(discounted_cost(base, r))})
    return rows


@area.page("/", permission="projects:read", nav=True)
def scenarios(ctx: Ctx, project_id: int | None = None, species: str = "CO2"):
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        return ctx.render("scenarios/index.html", chosen=chosen,
                          projects=data.visible_projects(ctx))
    base = chosen.base
    shown = [s for s in SPECIES if s in base.species or s == "CO2e"]
    if species not in SPECIES:
        raise ApiError(422, Msg("msg.web_param_one_of", name='species', choices=", ".join(SPECIES)))
    rows = comparison(base, species)
    unit, f = SPECIES[species]
    linkable = species in base.species
    return ctx.render("scenarios/index.html", chosen=chosen, projects=data.visible_projects(ctx),
                      rows=rows, species=species, species_list=shown, unit=unit, factor=f,
                      years=list(base.years), linkable=linkable,
                      chart=pathway_chart(chosen.project.id, rows, species, unit, f, linkable))


def pathway_chart(project_id: int, rows: list[dict], species: str, unit: str, f: float,
                  linkable: bool) -> dict:
    """The pathways for the chart: each scenario's years and values in the display unit
    (``f`` from t) and, where the species is the engine's, each point's derivation address
    (``/web/drill/scenario-why``, the same as the table's link)."""
    from urllib.parse import urlencode

    lines = []
    for r in rows:
        years = [y for y, v in r["values"].items() if v is not None]
        lines.append({"scenario": r["scenario"], "years": years,
                      "values": [r["values"][y] * f for y in years],
                      "why": ["/web/drill/scenario-why?" + urlencode(
                          {"project_id": project_id, "scenario": r["scenario"],
                           "species": species, "year": y}) for y in years] if linkable
                      else None})
    return {"unit": unit, "species": species, "lines": lines}
