"""Cockpit (issue 15 item 1): CO2, CO2e, energy, coal and each air pollutant against the
scenario's targets, with pathway and status colours; co-control quadrant of each district and
sector (:func:`cocontrol.metrics.coordinates`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from cocontrol.i18n import Msg, region_names
from cocontrol.service.problems import ApiError
from cocontrol.web import data, views
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("cockpit", nav="nav_cockpit", order=10)

POLLUTANTS = ("SO2", "NOx", "PM2.5", "VOCs", "NH3")


def _scenario(base, scenario: str | None) -> str:
    if scenario is None:
        return views.default_scenario(base)
    if scenario not in base.scenarios:
        raise ApiError(404, f"scenario {scenario!r} not found")
    return scenario


#: the PM2.5 concentration tile: the scenario's annual mean from the project's air-quality
#: model (the what-if's unmoved outcome, :func:`cocontrol.optimize.whatif.setup`)
PM25_TILE = "pm25_conc"


def pm25_tile(base, scenario: str):
    """The tile of the scenario's PM2.5 concentration pathway (µg/m³, the project's
    air-quality model through the library's what-if set-up, cached per base and scenario);
    None when the project has no air-quality model. Its target is the project's dual
    target of optimisation.yaml (``targets: pm25_max`` µg/m³ from ``pm25_year`` on, e.g.
    GB 3095-2012 grade II, 35 µg/m³), read in the target year; none without it."""
    from cocontrol.errors import CocontrolError
    from cocontrol.optimize import settings as opt_settings
    from cocontrol.web.pages.whatif import prepared_whatif

    try:
        _w, fig = prepared_whatif(base, scenario)
        targets = opt_settings.from_project(base.project).targets
    except CocontrolError:
        return None
    if fig.get("pm25") is None:
        return None
    years, values = list(fig["years"]), list(fig["pm25"])
    target, status = None, "none"
    limit, year = targets.get("pm25_max"), targets.get("pm25_year")
    if limit is not None and year in years and values[years.index(year)] is not None:
        value = float(values[years.index(year)])
        row = {"passed": value <= float(limit), "limit": float(limit),
               "margin": float(limit) - value, "unit": "µg/m³"}
        status = views.status_of(row)
        target = {"label": f"PM2.5 ≤ {float(limit):g} µg/m³ ({year}, optimisation.yaml)",
                  "year": int(year), "limit": float(limit), "value": value, "unit": "µg/m³",
                  "passed": row["passed"], "status": status}
    return views.Tile(PM25_TILE, "µg/m³", years, values, years[0], values[0], target, status)


#: tile -> the monitored indicator of its year to date (data/monitoring/indicators.csv; the
#: coal tile is Mtce of solid fuels, its monitored indicator physical coal in t)
YTD_INDICATOR = {"CO2": "CO2", "energy": "energy", "coal": "coal", "SO2": "SO2", "NOx": "NOx",
                 "PM2.5": "PM2.5", "VOCs": "VOCs", PM25_TILE: "pm25_conc"}
_SERIES: dict = {}  # (upload id, content hash) -> validated series (uploads never change)


def monitored(ctx: Ctx, chosen):
    """(the newest monitoring upload of the project's organisation the visitor may read,
    its validated series, the organisation's code = the series' entity), or None."""
    from sqlalchemy import select
    from sqlalchemy.orm import defer

    from cocontrol.monitoring.series import from_frame
    from cocontrol.service.access import scoped
    from cocontrol.service.models import Organisation
    from cocontrol.service.monitoring_store import MonitoringUpload

    org = ctx.session.get(Organisation, chosen.project.org_id)
    up = ctx.session.scalars(scoped(select(MonitoringUpload).where(
        MonitoringUpload.org_id == chosen.project.org_id), ctx.principal, MonitoringUpload)
        .options(defer(MonitoringUpload.rows))  # read only on a cache miss (every page view)
        .order_by(MonitoringUpload.id.desc()).limit(1)).first()
    if up is None or org is None:
        return None
    key = (up.id, up.content_hash)
    if key not in _SERIES:
        import pandas as pd

        if len(_SERIES) > 8:
            _SERIES.clear()
        _SERIES[key] = from_frame(pd.DataFrame(up.rows), file=f"monitoring upload {up.id}")
    return up, _SERIES[key], org.code


def ytd_views(ctx: Ctx, chosen, keys) -> dict:
    """Tile key -> the year to date of its monitored indicator (:func:`cocontrol.monitoring.
    ytd.year_to_date` of the newest visible upload), with its derivation address; a key
    without monitored months is left out (the tile says so)."""
    from cocontrol.monitoring.ytd import year_to_date

    mon = monitored(ctx, chosen)
    if mon is None:
        return {}
    _up, series, entity = mon
    out = {}
    for k in keys:
        if k not in YTD_INDICATOR:
            continue
        y = year_to_date(series, YTD_INDICATOR[k], entity)
        if y is None:
            continue
        out[k] = {**y, "value": views.finite(y["value"]),
                  "change_pct": views.finite(y["change_pct"]),
                  "href": "/web/cockpit/ytd-why?" + urlencode(
                      {"project_id": chosen.project.id, "key": k})}
    return out


def _why_links(chosen, scenario: str, tile) -> list[str] | None:
    """The derivation address of each point of a tile's pathway (``/web/drill/scenario-why``:
    a scenario's emissions of a species, its energy or coal use, or its PM2.5
    concentration)."""
    if tile.key in ("energy", "coal"):
        what = {"indicator": tile.key}
    elif tile.key == PM25_TILE:
        what = {"indicator": "pm25"}
    elif tile.key in chosen.base.species:
        what = {"species": tile.key}
    else:
        return None
    return ["/web/drill/scenario-why?" + urlencode(
        {"project_id": chosen.project.id, "scenario": scenario, **what, "year": y})
        for y in tile.years]


def _quadrant_links(chosen, scenario: str, reference: str, year: int, pollutant: str, by: str,
                    keys) -> list[str]:
    """The derivation address of each row (and chart point) of a quadrant
    (``/web/drill/quadrant-why``: the group's reductions, the quadrant's rule)."""
    return ["/web/drill/quadrant-why?" + urlencode(
        {"project_id": chosen.project.id, "scenario": scenario, "reference": reference,
         "by": by, "key": k, "year": year, "pollutant": pollutant}) for k in keys]


@area.page("/", permission="projects:read", nav=True)
def cockpit(ctx: Ctx, project_id: int | None = None, scenario: str | None = None,
            year: int | None = None, pollutant: str = "SO2"):
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None:
        return ctx.render("cockpit/index.html", chosen=chosen, projects=data.visible_projects(ctx))
    base = chosen.base
    name = _scenario(base, scenario)
    view = views.cockpit(base, name)
    pm = pm25_tile(base, name)
    if pm is not None:
        view["tiles"].append(pm)
    reference = views.default_reference(base, name)
    years = base.years
    year = year if year in years else min((y for y in years if y >= 2030), default=years[-1])
    if pollutant not in POLLUTANTS:
        raise ApiError(422, Msg("msg.web_param_one_of", name='pollutant', choices=", ".join(POLLUTANTS)))
    quads = {by: views.quadrants(base, name, reference, year, pollutant, by, ctx.lang)
             for by in ("district", "sector")}
    names = region_names(base.project.regions, ctx.lang)
    quad_why = {by: _quadrant_links(chosen, name, reference, year, pollutant, by, q[by])
                for by, q in quads.items()}
    charts = {"tiles": [{"key": t.key, "years": t.years, "values": t.values, "unit": t.unit,
                         "target": t.target, "why": _why_links(chosen, name, t)}
                        for t in view["tiles"]],
              "quadrants": {by: {"labels": [names.get(k, ctx.t_name("sectors", k))
                                            if by == "district" else ctx.t_name("sectors", k)
                                            for k in q[by]],
                                 "x": [views.finite(v) for v in q["x_norm"]],
                                 "y": [views.finite(v) for v in q["y_norm"]],
                                 "why": quad_why[by]}
                            for by, q in quads.items()},
              "labels": {"x": ctx.t("web_quadrant_x"), "y": ctx.t("web_quadrant_y",
                                                                   pollutant=pollutant)}}
    return ctx.render("cockpit/index.html", chosen=chosen, projects=data.visible_projects(ctx),
                      ytd=ytd_views(ctx, chosen, [t.key for t in view["tiles"]]),
                      scenario=name, scenarios=list(base.scenarios), tiles=view["tiles"],
                      targets=view["targets"], year=year, years=years, pollutant=pollutant,
                      pollutants=POLLUTANTS, quads=quads, names=names, reference=reference,
                      quad_why=quad_why, charts=charts)


YtdKey = Annotated[str | None, Query(max_length=16, pattern=r"^[A-Za-z0-9_.]+$")]


def _ytd(ctx: Ctx, project_id: int | None, key: str | None):
    chosen = data.choose(ctx, project_id)
    if chosen is None or chosen.base is None or key is None:
        return chosen, None
    if key not in YTD_INDICATOR:
        raise ApiError(404, Msg("msg.web_ytd_unknown", key=key,
                                known=", ".join(YTD_INDICATOR)))
    mon = monitored(ctx, chosen)
    if mon is None:
        raise ApiError(404, Msg("msg.web_ytd_no_upload"))
    from cocontrol.monitoring.ytd import year_to_date

    up, series, entity = mon
    y = year_to_date(series, YTD_INDICATOR[key], entity)
    if y is None:
        raise ApiError(404, Msg("msg.web_ytd_no_months", indicator=YTD_INDICATOR[key]))
    upload = {"id": up.id, "name": up.name, "content_hash": up.content_hash,
              "created_at": up.created_at.strftime("%Y-%m-%d %H:%M"), "sources": up.sources}
    return chosen, {**y, "key": key, "upload": upload}


@area.page("/ytd-why", permission="projects:read")
def ytd_why(ctx: Ctx, project_id: int | None = None, key: YtdKey = None, part: bool = False):
    """The derivation of a tile's year to date: the monthly rows of the newest monitoring
    upload of the project's organisation (value, unit as uploaded, valid days, source, file
    row) for this year's months and the same months a year before, the rule that adds them
    up and the change (:func:`cocontrol.monitoring.ytd.year_to_date`). Without ``key`` the
    page says how to choose a number."""
    chosen, d = _ytd(ctx, project_id, key)
    return ctx.render("cockpit/ytd_why_part.html" if part and d else "cockpit/ytd_why.html",
                      chosen=chosen, d=d)


@area.data("/ytd-why", permission="projects:read")
def ytd_why_json(ctx: Ctx, project_id: int | None = None, key: YtdKey = None):
    """The derivation of a tile's year to date as JSON (without ``key``: says so)."""
    chosen, d = _ytd(ctx, project_id, key)
    if d is None:
        return {"kind": "ytd", "value": None, "rows": [], "error": ctx.t("msg.web_json_give", params="key")}
    return {k: views.finite(v) if isinstance(v, float) else v for k, v in d.items()}
