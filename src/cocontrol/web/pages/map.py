"""One map (issue 15 item 2): the project's own region boundaries (``boundaries.geojson`` of
the project version; the demo's are illustrative and say so), enterprises, parks and
monitoring stations as points; choropleths of emissions per species, emission intensity per
area, the co-control synergy (cross elasticity Els) and the co-control quadrant of each
district, switchable; a click on a region opens its drill-down (on the alert-level layer:
the derivation of the region's level, from the early-warning board).

Every number is the inventory's (:mod:`cocontrol.report.derivation`: sums of the inventory's
emissions over the district's lines) or a library metric of them
(:func:`cocontrol.metrics.cross_elasticity`, :func:`~cocontrol.metrics.coordinates`); the
map itself is :func:`cocontrol.geomap.choropleth` (server-side SVG, no tiles, CSP-safe). A
project without a map file, or with a broken one, gets the table and the reason, never a
500. Users upload their own ``boundaries.geojson`` through the data pages (validated like
every project file)."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from markupsafe import Markup

from cocontrol import geomap, io
from cocontrol.errors import InputError
from cocontrol.i18n import Msg, region_names
from cocontrol.report import derivation
from cocontrol.service import projects as service_projects
from cocontrol.service.problems import ApiError
from cocontrol.web import data
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("map", nav="nav_map", order=15)
LAYERS = ("emissions", "density", "intensity", "synergy", "quadrant", "alert")
#: layers drawn for the chosen species (the others: CO2 and the chosen pollutant)
SPECIES_LAYERS = ("emissions", "density", "intensity")
POLLUTANTS = ("SO2", "NOx", "PM2.5", "PM10", "VOCs", "NH3")
KIND_COLOUR = {"enterprise": "#d62728", "park": "#9467bd", "station": "#2ca02c"}
QUADRANT_COLOUR = {"I": "#2e8540", "II": "#d4a017", "III": "#c0392b", "IV": "#1f6fb2"}
#: colours of the alert levels of cocontrol.monitoring (alert_levels.csv: green, yellow, red)
LEVEL_COLOUR = {"green": "#2e8540", "yellow": "#d4a017", "red": "#c0392b"}


def intensity_unit(species: str) -> str:
    """Display unit of an intensity per GDP: t/1e4 yuan for a greenhouse gas (CO2 of a
    Chinese city is of the order of 1 t per 10^4 yuan), kg/1e4 yuan for an air pollutant."""
    from cocontrol.registry import species as registry

    reg = registry()
    return "t/1e4 yuan" if species in reg and reg[species].group == "ghg" else "kg/1e4 yuan"


def alert_layer(ctx: Ctx, districts: list[str], kind: str | None = None) -> dict:
    """Per district: the newest stored alert of each of its targets (the board's
    :func:`~cocontrol.web.pages.monitor.latest_alerts`, scoped to the visitor), only those of
    target kind ``kind`` if given, and the worst of their levels
    (:func:`cocontrol.monitoring.worst_level`)."""
    from cocontrol.monitoring import worst_level
    from cocontrol.monitoring.targets import KIND_LABELS
    from cocontrol.web.pages.monitor import latest_alerts

    by: dict[str, list[dict]] = {d: [] for d in districts}
    kinds: set[str] = set()
    for a in latest_alerts(ctx):
        ent = str((a.payload or {}).get("entity", ""))
        if ent in by:
            kinds.add(a.kind)
        if ent in by and (kind is None or a.kind == kind):
            p = a.payload or {}
            by[ent].append({"id": a.id, "target": a.target, "level": a.level,
                            "name": p.get("name_zh" if ctx.lang == "zh" else "name_en")
                            or a.target, "probability": a.probability_of_missing})
    levels = {d: worst_level(x["level"] for x in rows) for d, rows in by.items()}
    # where a district's level comes from: its one alert's level derivation, or the board's
    # count derivation of the district's alerts (the worst of their levels)
    why = {d: link("/web/monitor/why", alert_id=rows[0]["id"], field="level") if len(rows) == 1
           else link("/web/monitor/count", region=d, kind=kind)
           for d, rows in by.items() if rows}
    label = {lv: ctx.t("web_map_level_" + lv.replace(" ", "_"))
             for lv in (*LEVEL_COLOUR, "not estimated")}
    i = 1 if ctx.lang == "zh" else 0
    return {"levels": {d: lv for d, lv in levels.items() if lv is not None},
            "targets": by, "kind": kind, "why": why,
            "kinds": {k: KIND_LABELS.get(k, (k, k))[i] for k in sorted(kinds)},
            "classes": {d: label[lv] for d, lv in levels.items() if lv is not None},
            "palette": {label[lv]: LEVEL_COLOUR.get(lv, geomap.MISSING) for lv in label}}


def boundaries(ctx: Ctx, chosen) -> tuple[dict | None, list[dict], str | None]:
    """(polygons, points, problem) of the version's map file."""
    files = service_projects.version_files(ctx.session, chosen.version)
    raw = files.get(service_projects.MAP_FILE)
    if raw is None:
        return None, [], ctx.t("web_map_no_file", file=service_projects.MAP_FILE)
    try:
        polys, points = geomap.split(io.read_json(service_projects.MAP_FILE,
                                                  raw.decode("utf-8", "replace")),
                                     file=service_projects.MAP_FILE)
    except InputError as e:
        return None, [], "; ".join(p.message for p in e.problems[:5])
    return polys, points, None


def link(path: str, **q) -> str:
    return path + "?" + urlencode({k: v for k, v in q.items() if v is not None})


def layer_values(inv, layer: str, species: str, pollutant: str, year: int, polys,
                 lang: str, stats=None) -> dict:
    """Per district: value (t, t/km², t or kg per 1e4 yuan, Els) or class (quadrant) of a
    layer, from the inventory's sums (``stats``: the project's region statistics, for the
    intensity per GDP); the period of the synergy layers is first → last inventory year."""
    by = derivation.drill(inv, species if layer in SPECIES_LAYERS else "CO2",
                          year, by="district")
    vals = {k: v for k, v in zip(by["district"], by["value_t"], strict=True)
            if k != "(none)"}  # city-wide lines: in the table, not on a region
    out: dict = {"values": {}, "classes": {}, "rows": []}
    areas = {str(f["properties"]["code"]): geomap.area_km2(f)
             for f in (polys or {}).get("features", [])}
    if layer == "emissions":
        out["values"] = vals
    elif layer == "density":
        out["values"] = {k: v / areas[k] for k, v in vals.items() if areas.get(k)}
        out["areas"] = areas
    elif layer == "intensity":
        from cocontrol.metrics import gdp_intensity

        t = gdp_intensity(vals, stats, year, intensity_unit(species))
        out["values"] = {r: v for r, v in zip(t["region"], t["intensity"], strict=True)
                         if math.isfinite(v)}
        out["gdp"] = dict(zip(t["region"], t["gdp"], strict=True))
        out["unit"] = intensity_unit(species)
        out["gdp_unit"] = t["gdp_unit"].iloc[0] if len(t) else "1e4 yuan"
    elif layer == "alert":
        pass  # from the monitoring store (alert_layer), not from the inventory
    else:
        from cocontrol.metrics import coordinates, cross_elasticity

        y0, y1 = inv.years[0], inv.years[-1]
        keys = [k for k in vals if k != "(none)"]

        def per(sp, y):
            t = derivation.drill(inv, sp, y, by="district")
            d = dict(zip(t["district"], t["value_t"], strict=True))
            return [d.get(k, math.nan) for k in keys]

        c0, c1, p0, p1 = per("CO2", y0), per("CO2", y1), per(pollutant, y0), per(pollutant, y1)
        if layer == "synergy":
            e = cross_elasticity(p0, p1, c0, c1, lang=lang)
            out["values"] = {k: v for k, v in zip(keys, e["els"], strict=True)
                             if math.isfinite(v)}
            out["meaning"] = dict(zip(keys, e["els_meaning"], strict=True))
        else:
            q = coordinates([a - b for a, b in zip(c0, c1, strict=True)],
                            [a - b for a, b in zip(p0, p1, strict=True)], c0, p0, lang=lang)
            out["classes"] = dict(zip(keys, q["quadrant_label"], strict=True))
            out["palette"] = {lab: QUADRANT_COLOUR.get(str(n), geomap.MISSING)
                              for lab, n in zip(q["quadrant_label"], q["quadrant"],
                                                strict=True)}
        out["period"] = (y0, y1)
    return out


@area.page("/", permission="projects:read", nav=True)
def one_map(ctx: Ctx, project_id: int | None = None, layer: str = "emissions",
            species: str = "CO2", pollutant: str = "SO2", year: int | None = None,
            target_kind: Annotated[str | None, Query(max_length=32,
                                                     pattern=r"^[a-z0-9_]+$")] = None):
    chosen = data.choose(ctx, project_id)
    projects = data.visible_projects(ctx)
    if chosen is None or chosen.base is None:
        return ctx.render("map/index.html", chosen=chosen, projects=projects)
    inv = chosen.base.inventory
    if layer not in LAYERS:
        raise ApiError(422, Msg("msg.web_param_one_of", name='layer', choices=", ".join(LAYERS)))
    if species not in inv.species:
        raise ApiError(422, Msg("msg.web_param_one_of", name='species', choices=", ".join(inv.species)))
    if pollutant not in POLLUTANTS:
        raise ApiError(422, Msg("msg.web_param_one_of", name='pollutant', choices=", ".join(POLLUTANTS)))
    year = year if year in inv.years else inv.years[0]
    polys, points, problem = boundaries(ctx, chosen)
    lv = layer_values(inv, layer, species, pollutant, year, polys, ctx.lang,
                      getattr(chosen.base.project, "region_stats", None))
    if layer == "alert":
        lv.update(alert_layer(ctx, [str(f["properties"]["code"])
                                    for f in (polys or {}).get("features", [])]
                              or sorted(set(lv["values"]) | set(lv["classes"])),
                              target_kind or None))
    regions = chosen.base.project.regions
    names = region_names(regions, ctx.lang)
    pid = chosen.project.id
    shown = species if layer in SPECIES_LAYERS else "CO2"
    drill_q = {"project_id": pid, "species": shown, "year": year}
    table = derivation.drill(inv, shown, year, by="district")
    svg = None
    if polys is not None:
        unit = {"emissions": "t", "density": "t/km²", "synergy": "Els",
                "intensity": lv.get("unit", "")}.get(layer, "")
        pts = [{"lon": p["lon"], "lat": p["lat"], "colour": KIND_COLOUR.get(p.get("kind"),
                                                                           "#555"),
                "label": f"{ctx.t('web_map_kind_' + p.get('kind', 'enterprise'))}: "
                         f"{names.get(p['code']) or p.get('name_zh' if ctx.lang == 'zh' else 'name') or p['code']}",
                "href": link("/web/drill/", **drill_q, enterprise=p["code"])
                if p.get("kind") == "enterprise" else
                link("/web/drill/", **drill_q, park=p["code"], by="enterprise")
                if p.get("kind") == "park" else None}
               for p in points if p.get("kind") in KIND_COLOUR]
        svg = Markup(geomap.choropleth(
            polys, values=lv["values"] or None, classes=lv["classes"] or None,
            palette=lv.get("palette"), names=names, unit=unit,
            links={k: lv.get("why", {}).get(k) or link("/web/drill/", **drill_q, district=k)
                   for k in (str(f["properties"]["code"]) for f in polys["features"])},
            prov=set(lv.get("why", {})),
            points=pts, width=760, title=ctx.t("web_map_title_" + layer, species=species,
                                               pollutant=pollutant, year=year),
            lang=ctx.lang, file=service_projects.MAP_FILE, labels=True))
    illustrative = bool((polys or {}).get("provenance", {}).get("illustrative")) \
        if polys else False
    return ctx.render("map/index.html", chosen=chosen, projects=projects, layer=layer,
                      layers=LAYERS, species=species, species_list=list(inv.species),
                      pollutant=pollutant, pollutants=POLLUTANTS, year=year, years=inv.years,
                      svg=svg, problem=problem, table=table, lv=lv, names=names,
                      map_provenance=(polys or {}).get("provenance"),
                      map_illustrative=illustrative, points=points, drill_q=drill_q,
                      link=link, shown=shown)
