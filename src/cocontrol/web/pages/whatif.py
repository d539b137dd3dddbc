"""What-if (issue 15 item 4): sliders for the measure penetrations of a scenario; every move
is recomputed by the server through the library (:mod:`cocontrol.optimize.whatif`: the
scenario engine, the project's air-quality link, health and co-control metrics) and shown
against the unmoved scenario; a what-if can be saved as a new scenario of the project (a new
project version through the service's version function, validated like an upload).

The route only picks and labels the library's numbers: no model logic here or in the page's
script. The server time of every move is measured here and shown on the page (target of
issue 11: p50 ≤ 50 ms).
"""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from cocontrol.errors import CocontrolError
from cocontrol.service.problems import ApiError
from cocontrol.web import data, views
from cocontrol.web.context import Ctx
from cocontrol.web.pages.cockpit import _scenario
from cocontrol.web.registry import Area

area = Area("whatif", nav="nav_whatif", order=20)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: display unit and factor from t of each species shown
UNITS = {"CO2": ("Mt", 1e-6)}
DEFAULT_UNIT = ("kt", 1e-3)

_CACHE: dict = {}
_LOCK = threading.Lock()
#: one move at a time, and never beside a cockpit run (views.ENGINE_LOCK)
_RUN = views.ENGINE_LOCK


def prepared_whatif(base, scenario: str):
    """The library's what-if set-up of a scenario and the figures of the unmoved scenario
    (cached per prepared base and scenario: both are deterministic)."""
    from cocontrol.optimize import whatif

    key = (id(base), scenario)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] is base:
        return hit[1], hit[2]
    with _RUN:
        w = whatif.setup(base, scenario)
        fig = figures(w, w.evaluate({}))
    with _LOCK:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = (base, w, fig)
    return w, fig


def _chosen(ctx: Ctx, project_id: int | None):
    chosen = data.choose(ctx, project_id)
    if chosen is not None and chosen.base is None and project_id is not None:
        raise ApiError(422, chosen.error or "the project cannot be prepared")
    return chosen


def figures(w, o) -> dict:
    """The numbers of an outcome for the page: display units, by year."""
    import numpy as np

    def clean(a):
        return [views.finite(v) for v in np.asarray(a, float)]

    em = {}
    for i, s in enumerate(o.species):
        unit, f = UNITS.get(s, DEFAULT_UNIT)
        em[s] = {"unit": unit, "values": clean(o.emissions[i] * f)}
    m = o.metrics
    pols = [str(p) for p in m["pollutants"]]
    j = pols.index("APeq")
    out = {"years": o.years, "emissions": em,
           "pm25": clean(o.pm25) if o.pm25 is not None else None,
           "avoided_deaths": clean(o.avoided_deaths) if o.avoided_deaths is not None else None,
           "apeq_reduction": clean(m["P_reduction"][:, j]),
           "co2_reduction_mt": clean(m["CO2_reduction"] * 1e-6),
           "x_norm": clean(m["x_norm"][:, j]), "y_norm": clean(m["y_norm"][:, j]),
           "els": clean(m["els"][:, j]),
           "quadrant": [["I", "II", "III", "IV", "undefined"][int(q)] for q in m["quadrant"][:, j]]}
    return out


def change(new: dict, old: dict) -> dict:
    """What-if minus scenario of every number (None where either is not estimated)."""
    def d(a, b):
        if a is None or b is None:
            return None
        return [None if x is None or y is None else x - y for x, y in zip(a, b, strict=True)]

    out = {"emissions": {s: {"unit": v["unit"], "values": d(v["values"],
                                                            old["emissions"][s]["values"])}
                         for s, v in new["emissions"].items()}}
    for k in ("pm25", "avoided_deaths", "apeq_reduction", "co2_reduction_mt", "x_norm",
              "y_norm"):
        out[k] = d(new[k], old[k])
    return out


@area.page("/", permission="projects:read", nav=True)
def page(ctx: Ctx, project_id: int | None = None, scenario: str | None = None):
    from cocontrol.web.pages.data import full_principal

    chosen = data.choose(ctx, project_id)
    projects = data.visible_projects(ctx)
    if chosen is None or chosen.base is None:
        return ctx.render("whatif/index.html", chosen=chosen, projects=projects)
    base = chosen.base
    name = _scenario(base, scenario)
    try:
        w, _fig = prepared_whatif(base, name)
    except CocontrolError as e:
        return ctx.render("whatif/index.html", chosen=chosen, projects=projects,
                          error=str(e))
    t0 = time.perf_counter()
    with _RUN:
        fig = figures(w, w.evaluate({}))
    ms = (time.perf_counter() - t0) * 1000
    lib = base.lib
    sliders = []
    for mid, u in w.uses.items():
        sector = lib.at[mid, "sector"] if mid in lib.index else ""
        sliders.append({"id": mid, "name": ctx.t_name("measures", mid),
                        "sector": ctx.t_name("sectors", sector) if isinstance(sector, str)
                        else "", "value": u.penetration, "max": w.max_penetration[mid],
                        "start": u.start_year, "full": u.full_year})
    sliders.sort(key=lambda s: (s["sector"], s["name"]))
    years = w.years
    shown = [y for y in (2025, 2030, 2035) if y in years] or years[-3:]
    labels = {s: ctx.t_name("species", s) for s in fig["emissions"]}
    return ctx.render("whatif/index.html", chosen=chosen, projects=projects, scenario=name,
                      scenarios=list(base.scenarios), reference=w.reference, sliders=sliders,
                      years=years, shown=shown, fig=fig, labels=labels, notes=w.notes,
                      first_ms=ms,
                      can_save=full_principal(ctx).can("projects:write"),
                      initial={"project_id": chosen.project.id,
                               "version": chosen.version.number, "scenario": name,
                               "scenario_figures": fig, "years": years, "shown": shown,
                               "labels": labels})


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: Annotated[str, Field(min_length=1, max_length=64)]
    penetrations: Annotated[dict[Annotated[str, Field(max_length=80)], float],
                            Field(max_length=500)] = {}


@area.data("/projects/{project_id}/move", permission="projects:read", methods=("POST",))
def move(ctx: Ctx, project_id: Id, body: MoveIn):
    """The figures of the scenario with the moved penetrations, those of the unmoved
    scenario and the change; ``server_ms``: the time of this call in the server (from the
    scoped look-up to the answer)."""
    t0 = time.perf_counter()
    chosen = _chosen(ctx, project_id)
    base = chosen.base
    name = _scenario(base, body.scenario)
    w, old = prepared_whatif(base, name)
    with _RUN:
        new = figures(w, w.evaluate(body.penetrations))
    out = {"version": chosen.version.number, "scenario": name, "whatif": new,
           "scenario_figures": old, "change": change(new, old)}
    out["server_ms"] = (time.perf_counter() - t0) * 1000
    return out


class SaveIn(MoveIn):
    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]
    description: Annotated[str, Field(max_length=2000)] = ""
    version: Annotated[int, Field(ge=1, le=2**31 - 1,
                                  description="the version the what-if was made on")]


@area.data("/projects/{project_id}/save", permission="projects:write", methods=("POST",))
def save(ctx: Ctx, project_id: Id, body: SaveIn):
    """Save a what-if as a new scenario (``extends`` the moved scenario, the moved measures
    overridden) in a new version of the project; refused (409) when the project has a newer
    version than the one the what-if was made on."""
    from cocontrol.optimize import whatif
    from cocontrol.service import projects as svc
    from cocontrol.service.routes.projects import get_project

    project = get_project(ctx.session, ctx.principal, project_id)
    latest = svc.latest(ctx.session, project)
    if latest is None or latest.number != body.version:
        raise ApiError(409, "the project has a newer version than the what-if's: reload "
                            "the page", message_zh="项目已有更新的版本，请刷新页面")
    chosen = _chosen(ctx, project_id)
    name = _scenario(chosen.base, body.scenario)
    w, _fig = prepared_whatif(chosen.base, name)
    files = svc.version_files(ctx.session, latest)
    text = files.get("scenarios.yaml", b"").decode("utf-8")
    new = whatif.scenario_entry(text, body.name, w, body.penetrations, body.description)
    v, created, _errors, _warnings = svc.create_version(
        ctx.session, project, {"scenarios.yaml": new.encode("utf-8")}, latest, [],
        f"what-if saved as scenario {body.name} (from {name})", ctx.principal.user_id)
    return {"created": created, "version": v.number, "scenario": body.name,
            "href": f"/web/whatif/?project_id={project.id}&scenario={body.name}"}
