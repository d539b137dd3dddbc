"""Drill-down with provenance (issue 15 item 3): region → sector → enterprise → source →
activity rows of the project's inventory; every number opens its derivation (``/web/drill/why``,
as a page or, from a number's link, in a dialog): the activity rows, the factors with their
sources, the controls, the measured values used, and the project version, its content hash
and the inventory's :class:`~cocontrol.provenance.Provenance` (project hash, code and factor
versions, GWP set).

Thin over :mod:`cocontrol.report.derivation` (which reads the inventory's arrays and factor
report: nothing recomputed here); ``GET /api/web/drill/why`` answers the same derivation as
JSON. The project is found through the one scoping layer (another tenant's: 404)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Query

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg, region_names
from cocontrol.report import derivation
from cocontrol.service.problems import ApiError
from cocontrol.web import data
from cocontrol.web.context import Ctx
from cocontrol.web.pages.map import link
from cocontrol.web.registry import Area

area = Area("drill", nav=None, order=16)
Code = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.()\- ]+$")]
BY = Annotated[str | None, Query(pattern=r"^(district|sector|enterprise|source_id|line)$")]


def _filters(district, sector, enterprise, source_id, park) -> dict:
    given = {"district": district, "sector": sector, "enterprise": enterprise,
             "source_id": source_id, "park": park}
    return {k: v for k, v in given.items() if v is not None}


def _chosen(ctx: Ctx, project_id: int | None):
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        return chosen, None
    return chosen, chosen.base.inventory


def _check(inv, species: str, year: int | None) -> int:
    if species not in inv.species:
        raise ApiError(422, Msg("msg.web_param_one_of", name='species', choices=", ".join(inv.species)))
    return year if year in inv.years else inv.years[0]


def label_of(ctx: Ctx, names: dict, level: str, code: str) -> str:
    if level == "sector":
        return ctx.t_name("sectors", code)
    if level in ("district", "enterprise", "park"):
        return ctx.t("web_dm_city_wide") if code == "(none)" else names.get(code, code)
    return code


def version_info(chosen) -> dict:
    return {"project": chosen.project.name, "project_id": chosen.project.id,
            "version": chosen.version.number, "content_hash": chosen.version.content_hash}


@area.page("/", permission="projects:read")
def drill_page(ctx: Ctx, project_id: int | None = None, species: str = "CO2",
               year: int | None = None, district: Code = None, sector: Code = None,
               enterprise: Code = None, source_id: Code = None, park: Code = None,
               by: BY = None):
    chosen, inv = _chosen(ctx, project_id)
    if inv is None:
        return ctx.render("drill/index.html", chosen=chosen, projects=data.visible_projects(ctx))
    year = _check(inv, species, year)
    filters = _filters(district, sector, enterprise, source_id, park)
    try:
        table = derivation.drill(inv, species, year, filters, by=by)
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None
    level = by or next((lv for lv in derivation.LEVELS if lv not in filters), "line")
    names = region_names(chosen.base.project.regions, ctx.lang)
    base_q = {"project_id": chosen.project.id, "species": species, "year": year}
    q = {**base_q, **filters}
    crumbs = [{"label": ctx.t("web_dm_city_all"), "href": link("/web/drill/", **base_q)}]
    acc: dict = {}
    for lv in derivation.FILTERS:
        if lv in filters:
            acc[lv] = filters[lv]
            crumbs.append({"label": label_of(ctx, names, lv, filters[lv]),
                           "href": link("/web/drill/", **base_q, **acc)})
    total = derivation.value(inv, species, year, filters)
    return ctx.render("drill/index.html", chosen=chosen, projects=data.visible_projects(ctx),
                      species=species, species_list=list(inv.species), year=year,
                      years=inv.years, level=level, table=table, filters=filters, q=q,
                      crumbs=crumbs, names=names, label_of=lambda lv, c: label_of(
                          ctx, names, lv, c), total=total, link=link,
                      version=version_info(chosen))


def _derivation(ctx: Ctx, project_id, species, year, filters):
    chosen, inv = _chosen(ctx, project_id)
    if inv is None:
        raise ApiError(404, "no project with an inventory to explain")
    year = _check(inv, species, year)
    try:
        d = derivation.derivation(inv, species, year, filters)
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None
    return chosen, d


@area.page("/why", permission="projects:read")
def why(ctx: Ctx, project_id: int | None = None, species: str = "CO2",
        year: int | None = None, district: Code = None, sector: Code = None,
        enterprise: Code = None, source_id: Code = None, park: Code = None,
        part: bool = False):
    """The derivation of one number (``part=1``: only the fragment, for the dialog)."""
    filters = _filters(district, sector, enterprise, source_id, park)
    chosen, inv = _chosen(ctx, project_id)
    if inv is None:  # nothing visible to explain: the page says so (as the drill-down does)
        return ctx.render("drill/index.html", chosen=chosen, projects=data.visible_projects(ctx))
    chosen, d = _derivation(ctx, project_id, species, year, filters)
    names = region_names(chosen.base.project.regions, ctx.lang)
    return ctx.render("drill/why_part.html" if part else "drill/why.html", chosen=chosen,
                      d=d, version=version_info(chosen), names=names,
                      label_of=lambda lv, c: label_of(ctx, names, lv, c),
                      drill_href=link("/web/drill/", project_id=chosen.project.id,
                                      species=d["species"], year=d["year"], **filters))


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v.item() if hasattr(v, "item") else v


@area.data("/why", permission="projects:read")
def why_json(ctx: Ctx, project_id: int | None = None, species: str = "CO2",
             year: int | None = None, district: Code = None, sector: Code = None,
             enterprise: Code = None, source_id: Code = None, park: Code = None):
    """The derivation of one number as JSON: value (t), activity rows with factors and their
    sources, controls, measured values used, project version and provenance."""
    filters = _filters(district, sector, enterprise, source_id, park)
    chosen, inv = _chosen(ctx, project_id)
    if inv is None:  # no project visible (or it cannot be prepared): nothing to explain
        return {"species": species, "year": year, "filters": filters, "value_t": None,
                "rows": [], "controls": {}, "measured": [], "provenance": None,
                "version": None, "error": chosen.error if chosen else "no project visible"}
    chosen, d = _derivation(ctx, project_id, species, year, filters)
    return {"species": d["species"], "year": d["year"], "filters": d["filters"],
            "scope": d["scope"], "value_t": _clean(d["value_t"]),
            "rows": [{k: _clean(v) for k, v in r.items()} for r in d["rows"].to_dict("records")],
            "controls": d["controls"],
            "measured": [{k: _clean(v) for k, v in r.items()}
                         for r in d["measured"].to_dict("records")],
            "provenance": d["provenance"], "version": version_info(chosen)}


# -- scenario and analysis numbers ----------------------------------------------------------------
Name = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
OptName = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Moved = Annotated[str | None, Query(max_length=4000,
                                    pattern=r"^([A-Za-z0-9_.\-]+:[0-9.eE+\-]+,?)*$")]


def parse_moved(moved: str | None) -> dict[str, float]:
    """``id:0.3,id2:0.5`` (the what-if's moved penetrations) as a dict."""
    out = {}
    for part in (moved or "").split(","):
        if part:
            k, _, v = part.partition(":")
            out[k] = float(v)
    return out


Indicator = Annotated[str, Query(
    pattern=r"^(emissions|pm25|deaths|co2red|apeq|x_norm|y_norm|energy|coal|cost|target)$")]
TargetLabel = Annotated[str | None, Query(max_length=120, pattern=r"^[A-Za-z0-9 ._,\-]+$")]


def _scenario_derivation(ctx: Ctx, project_id, scenario, species, year, moved,
                         indicator: str = "emissions", target: str | None = None):
    from cocontrol.web import views
    from cocontrol.web.pages.whatif import _RUN, prepared_whatif

    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        raise ApiError(404, Msg("msg.drv_no_scenario_project"))
    base = chosen.base
    if scenario not in base.scenarios:
        raise ApiError(404, Msg("msg.drv_no_scenario", scenario=scenario))
    year = year if year is not None else base.years[0]
    try:
        if indicator == "target":  # a target row of the cockpit: its definition and check
            return chosen, derivation.target_derivation(
                base, views.scenario_run(base, scenario), target or "")
        if indicator == "cost":  # the scenario comparison's present-value cost (every year)
            return chosen, derivation.cost_derivation(base, views.scenario_run(base, scenario))
        if indicator in ("energy", "coal"):  # the cockpit's energy and coal pathways
            if year not in base.years:
                raise CocontrolError(Msg("msg.drv_year_not_in", year=year,
                                         what=Msg("drv_what.scenario"),
                                         known=", ".join(map(str, base.years))))
            return chosen, derivation.energy_derivation(
                base, views.scenario_run(base, scenario), year,
                kind="solid" if indicator == "coal" else None)
        if indicator != "emissions":  # a what-if figure (PM2.5, deaths, co-control metrics)
            from cocontrol.scenario import run

            w, _fig = prepared_whatif(base, scenario)
            with _RUN:  # one run at a time (views.ENGINE_LOCK)
                o = w.evaluate(moved)
                r = run(base, w.scenario_with(moved))
            if year not in o.years:
                raise CocontrolError(Msg("msg.drv_year_not_in", year=year,
                                       what=Msg("drv_what.scenario"),
                                       known=", ".join(map(str, o.years))))
            return chosen, derivation.whatif_derivation(w, o, r, indicator, year,
                                                        moved=moved or None)
        if moved:
            from cocontrol.scenario import run

            w, _fig = prepared_whatif(base, scenario)
            with _RUN:
                r = run(base, w.scenario_with(moved))
        else:
            r = views.scenario_run(base, scenario)
        d = derivation.scenario_derivation(base, r, species, year, moved=moved or None)
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None
    return chosen, d


@area.page("/scenario-why", permission="projects:read")
def scenario_why(ctx: Ctx, project_id: int | None = None, scenario: Name = "baseline",
                 species: str = "CO2", year: int | None = None, moved: Moved = None,
                 indicator: Indicator = "emissions", target: TargetLabel = None,
                 part: bool = False):
    """The derivation of a scenario's number (cockpit, what-if): the scenario, its measures
    and their parameters, drivers, the base inventory and the provenance record."""
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        return ctx.render("drill/index.html", chosen=chosen, projects=data.visible_projects(ctx))
    pens = parse_moved(moved)
    chosen, d = _scenario_derivation(ctx, project_id, scenario, species, year, pens,
                                     indicator, target)
    return ctx.render("drill/scenario_why_part.html" if part else "drill/scenario_why.html",
                      chosen=chosen, d=d, version=version_info(chosen), moved=pens)


@area.data("/scenario-why", permission="projects:read")
def scenario_why_json(ctx: Ctx, project_id: int | None = None, scenario: Name = "baseline",
                      species: str = "CO2", year: int | None = None, moved: Moved = None,
                      indicator: Indicator = "emissions", target: TargetLabel = None):
    """The derivation of a scenario's number as JSON (no project visible, or one without
    scenarios: the answer says so, as ``/api/web/drill/why`` does)."""
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        return {"kind": "scenario", "scenario": scenario, "species": species, "year": year,
                "value_t": None, "measures": [], "drivers": [], "provenance": None,
                "version": None, "error": chosen.error if chosen else "no project visible"}
    chosen, d = _scenario_derivation(ctx, project_id, scenario, species, year,
                                     parse_moved(moved), indicator, target)
    return {**d, "version": version_info(chosen)}


Group = Annotated[str, Query(pattern=r"^(district|sector)$")]


def _quadrant_derivation(ctx: Ctx, chosen, scenario, reference, by, key, year, pollutant):
    from cocontrol.web import views

    base = chosen.base
    scenario = scenario or views.default_scenario(base)
    reference = reference or views.default_reference(base, scenario)
    for name in (scenario, reference):
        if name not in base.scenarios:
            raise ApiError(404, Msg("msg.drv_no_scenario", scenario=name))
    try:
        return derivation.quadrant_derivation(
            base, views.scenario_run(base, reference), views.scenario_run(base, scenario), by,
            key, year if year is not None else base.years[0], pollutant, lang=ctx.lang)
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None


@area.page("/quadrant-why", permission="projects:read")
def quadrant_why(ctx: Ctx, project_id: int | None = None, scenario: OptName = None,
                 reference: OptName = None, by: Group = "district", key: Code = None,
                 year: int | None = None, pollutant: Code = "SO2", part: bool = False):
    """The derivation of a row of the cockpit's co-control quadrant (its CO2 and pollutant
    reductions, its point of the chart): the two runs' emissions of the district or sector,
    the reductions, the quadrant's rule, the measures acting there, the base inventory and
    the provenance record. Without a ``key`` the page says how to choose one."""
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        return ctx.render("drill/index.html", chosen=chosen, projects=data.visible_projects(ctx))
    d = None if key is None else _quadrant_derivation(ctx, chosen, scenario, reference, by,
                                                      key, year, pollutant)
    return ctx.render("drill/quadrant_why_part.html" if part and d else
                      "drill/quadrant_why.html", chosen=chosen, d=d,
                      version=version_info(chosen),
                      names=region_names(chosen.base.project.regions, ctx.lang))


@area.data("/quadrant-why", permission="projects:read")
def quadrant_why_json(ctx: Ctx, project_id: int | None = None, scenario: OptName = None,
                      reference: OptName = None, by: Group = "district", key: Code = None,
                      year: int | None = None, pollutant: Code = "SO2"):
    """The derivation of a row of the cockpit's quadrant as JSON (no project visible, or no
    ``key``: the answer says so, as ``/api/web/drill/scenario-why`` does)."""
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None or key is None:
        return {"kind": "quadrant", "by": by, "key": key, "year": year, "reduction_t": None,
                "measures": [], "provenance": None, "version": None,
                "error": ctx.t("msg.web_json_give", params="key") if chosen
                and chosen.base is not None else chosen.error if chosen
                else ctx.t("msg.web_no_project_visible")}
    d = _quadrant_derivation(ctx, chosen, scenario, reference, by, key, year, pollutant)
    return {**d, "version": version_info(chosen)}


def _result_derivation(ctx: Ctx, result_id: str, table: str, row: int, column: str):
    from cocontrol.service import store
    from cocontrol.service.access import scoped
    from cocontrol.service.api import get_visible
    from cocontrol.service.models import Job, ProjectVersion, Result

    res = get_visible(ctx.session, ctx.principal, Result, result_id, "result")
    info = res.tables.get("tables", {}).get(table)
    if info is None:
        raise ApiError(404, Msg("msg.drv_no_table", table=table))
    rows = store.read_result_table(ctx.request.app.state.settings.results_dir, res.id,
                                   info["file"])
    job = ctx.session.get(Job, res.job_id)
    prov = res.tables.get("provenance") or {
        "project_hash": res.input_hash, "code_version": res.code_version,
        "factor_version": res.factor_version, "assumptions": res.assumptions}
    chosen = base = None
    v = ctx.session.get(ProjectVersion, res.project_version_id) \
        if res.project_version_id else None
    if v is not None:
        from sqlalchemy import select

        from cocontrol.service.models import Project

        p = ctx.session.scalar(scoped(select(Project).where(Project.id == v.project_id),
                                      ctx.principal, Project))
        if p is not None:
            try:
                base = data.prepared(ctx.session, v)
            except CocontrolError:
                base = None
            chosen = data.Chosen(p, v, base, None)
    try:
        d = derivation.result_derivation(res.kind, (job.params if job else {}) or {}, prov,
                                         table, rows, row, column, base=base)
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None
    return res, chosen, d


@area.page("/result-why", permission="results:read")
def result_why(ctx: Ctx, result_id: Annotated[str | None, Query(
        max_length=36, pattern=r"^[A-Za-z0-9\-]+$")] = None, table: OptName = None,
        row: Annotated[int | None, Query(ge=0, le=10**7)] = None, column: OptName = None,
        part: bool = False):
    """The derivation of a number of a stored analysis result (co-control metrics,
    optimisation, CGE, evaluation, uncertainty): its row, the job's parameters, the result's
    provenance record and the scenario's measures, drivers and base inventory. Without a
    number the page says how to choose one."""
    if None in (result_id, table, row, column):
        return ctx.render("drill/result_why.html", chosen=None, d=None, result=None,
                          version=None)
    res, chosen, d = _result_derivation(ctx, result_id, table, row, column)
    return ctx.render("drill/result_why_part.html" if part else "drill/result_why.html",
                      chosen=chosen, d=d, result=res,
                      version=version_info(chosen) if chosen else None)


@area.data("/result-why", permission="results:read")
def result_why_json(ctx: Ctx, result_id: Annotated[str | None, Query(
        max_length=36, pattern=r"^[A-Za-z0-9\-]+$")] = None, table: OptName = None,
        row: Annotated[int | None, Query(ge=0, le=10**7)] = None, column: OptName = None):
    """The derivation of a stored result's number as JSON (without a number: says so)."""
    if None in (result_id, table, row, column):
        return {"kind": "result", "value": None, "row": {}, "params": {}, "provenance": None,
                "version": None, "error": ctx.t("msg.web_json_give", params="result_id, table, row, column")}
    res, chosen, d = _result_derivation(ctx, result_id, table, row, column)
    return {**d, "result_id": res.id, "version": version_info(chosen) if chosen else None}
