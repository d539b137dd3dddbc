"""One map (issue 15 item 2): the project's own region boundaries (``boundaries.geojson`` of
the project version; the demo's are illustrative and say so), enterprises, parks and
monitoring stations as points; choropleths of emissions per species, emission intensity per
area, the co-control synergy (cross elasticity Els) and the co-control quadrant of each
district, switchable; a click on a region opens its drill-down.

Every number is the inventory's (:mod:`cocontrol.report.derivation`: sums of the inventory's
emissions over the district's lines) or a library metric of them
(:func:`cocontrol.metrics.cross_elasticity`, :func:`~cocontrol.metrics.coordinates`); the
map itself is :func:`cocontrol.geomap.choropleth` (server-side SVG, no tiles, CSP-safe). A
project without a map file, or with a broken one, gets the table and the reason, never a
500. Users upload their own ``boundaries.geojson`` through the data pages (validated like
every project file)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from markupsafe import Markup

from cocontrol import geomap, io
from cocontrol.errors import InputError
from cocontrol.i18n import region_names
from cocontrol.report import derivation
from cocontrol.service import projects as service_projects
from cocontrol.service.problems import ApiError
from cocontrol.web import data
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("map", nav="nav_map", order=15)
LAYERS = ("emissions", "density", "synergy", "quadrant")
POLLUTANTS = ("SO2", "NOx", "PM2.5", "PM10", "VOCs", "NH3")
KIND_COLOUR = {"enterprise": "#d62728", "park": "#9467bd", "station": "#2ca02c"}
QUADRANT_COLOUR = {"I": "#2e8540", "II": "#d4a017", "III": "#c0392b", "IV": "#1f6fb2"}


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
                 lang: str) -> dict:
    """Per district: value (t, t/km², Els) or class (quadrant) of a layer, from the
    inventory's sums; the period of the synergy layers is first → last inventory year."""
    by = derivation.drill(inv, species if layer in ("emissions", "density") else "CO2",
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
            species: str = "CO2", pollutant: str = "SO2", year: int | None = None):
    chosen = data.choose(ctx, project_id)
    projects = data.visible_projects(ctx)
    if chosen is None or chosen.base is None:
        return ctx.render("map/index.html", chosen=chosen, projects=projects)
    inv = chosen.base.inventory
    if layer not in LAYERS:
        raise ApiError(422, f"layer must be one of {', '.join(LAYERS)}")
    if species not in inv.species:
        raise ApiError(422, f"species must be one of {', '.join(inv.species)}")
    if pollutant not in POLLUTANTS:
        raise ApiError(422, f"pollutant must be one of {', '.join(POLLUTANTS)}")
    year = year if year in inv.years else inv.years[0]
    polys, points, problem = boundaries(ctx, chosen)
    lv = layer_values(inv, layer, species, pollutant, year, polys, ctx.lang)
    regions = chosen.base.project.regions
    names = region_names(regions, ctx.lang)
    pid = chosen.project.id
    shown = species if layer in ("emissions", "density") else "CO2"
    drill_q = {"project_id": pid, "species": shown, "year": year}
    table = derivation.drill(inv, shown, year, by="district")
    svg = None
    if polys is not None:
        unit = {"emissions": "t", "density": "t/km²", "synergy": "Els"}.get(layer, "")
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
            links={k: link("/web/drill/", **drill_q, district=k)
                   for k in (str(f["properties"]["code"]) for f in polys["features"])},
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
