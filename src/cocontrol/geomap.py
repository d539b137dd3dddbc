"""Maps without tiles: GeoJSON boundaries drawn as SVG (for reports and the dashboard).

:func:`check` validates a GeoJSON FeatureCollection (Polygon / MultiPolygon features, each
with the key property) and reports every problem with the feature number and property;
:func:`choropleth` draws it, each feature coloured by its value (a continuous scale) or its
class (a colour per class), with optional links (drill-down), point layers (enterprises,
stations) and a legend. A feature without a value is drawn grey and titled "not estimated"
(never as 0). Colours are SVG presentation attributes, so a page with the CSP
``style-src 'self'`` shows them; nothing is fetched from the network.

Projection: equirectangular with longitudes scaled by cos(mean latitude) (Snyder J.P. 1987,
*Map Projections — A Working Manual*, USGS Prof. Paper 1395, p. 90: the equidistant
cylindrical projection with standard parallel φ₁, x = R λ cos φ₁, y = R φ), adequate for a
city or a province.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Mapping, Sequence

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M

#: sequential scale (light → dark), 7 steps, for values; grey for "not estimated"
SCALE = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MISSING = "#d9d9d9"
NOT_ESTIMATED = {"en": "not estimated", "zh": "未估算"}


def check(geojson: object, key: str = "code", file: str = "<geojson>") -> list[dict]:
    """The features of a FeatureCollection, after checking its structure: every feature a
    Polygon or MultiPolygon with numeric [lon, lat] rings and a unique ``key`` property."""
    probs: list[Problem] = []
    if not isinstance(geojson, Mapping) or geojson.get("type") != "FeatureCollection":
        raise InputError(Problem(file=file, column="type", value=_short(geojson),
                                 message=M("msg.geo_not_collection"),
                                 expected='{"type": "FeatureCollection", "features": [...]}'))
    feats = geojson.get("features")
    if not isinstance(feats, list) or not feats:
        raise InputError(Problem(file=file, column="features", message=M("msg.geo_no_features"),
                                 expected=M("msg.geo_features_expected")))
    seen: set[str] = set()
    for i, f in enumerate(feats, 1):
        geom = f.get("geometry") if isinstance(f, Mapping) else None
        props = f.get("properties") if isinstance(f, Mapping) else None
        k = props.get(key) if isinstance(props, Mapping) else None
        if k is None or str(k).strip() == "":
            probs.append(Problem(file=file, row=i, column=f"properties.{key}",
                                 message=M("msg.geo_no_key", i=i, key=key),
                                 expected=M("msg.geo_region_code")))
        elif str(k) in seen:
            probs.append(Problem(file=file, row=i, column=f"properties.{key}", value=str(k),
                                 message=M("msg.geo_duplicate_key", i=i, key=key),
                                 expected=M("msg.geo_unique_codes")))
        else:
            seen.add(str(k))
        if not isinstance(geom, Mapping) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            probs.append(Problem(file=file, row=i, column="geometry.type",
                                 value=_short(geom.get("type") if isinstance(geom, Mapping)
                                              else geom),
                                 message=M("msg.geo_unsupported_geometry", i=i),
                                 expected=M("msg.geo_polygon")))
            continue
        try:
            for ring in _rings(geom):
                if len(ring) < 4 or any(not (-180 <= float(x) <= 180 and -90 <= float(y) <= 90)
                                        for x, y, *_ in ring):
                    raise ValueError
        except (TypeError, ValueError):
            probs.append(Problem(file=file, row=i, column="geometry.coordinates",
                                 message=M("msg.geo_bad_coordinates", i=i),
                                 expected=M("msg.geo_rings")))
    if probs:
        raise InputError(probs)
    return feats


def _short(v) -> str:
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _rings(geom: Mapping):
    if geom["type"] == "Polygon":
        yield from geom["coordinates"]
    else:
        for poly in geom["coordinates"]:
            yield from poly


def bounds(features: Sequence[Mapping]) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of the features, degrees."""
    xs, ys = [], []
    for f in features:
        for ring in _rings(f["geometry"]):
            for x, y, *_ in ring:
                xs.append(float(x))
                ys.append(float(y))
    return min(xs), min(ys), max(xs), max(ys)


class Projection:
    """Degrees → SVG pixels for a box (equirectangular, x scaled by cos φ₁, north up)."""

    def __init__(self, box: tuple[float, float, float, float], width: int, pad: int = 8):
        x0, y0, x1, y1 = box
        self.k = math.cos(math.radians((y0 + y1) / 2))
        w = max((x1 - x0) * self.k, 1e-9)
        h = max(y1 - y0, 1e-9)
        self.s = (width - 2 * pad) / w
        self.x0, self.y1, self.pad = x0, y1, pad
        self.width = width
        self.height = int(round(h * self.s + 2 * pad))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.pad + (lon - self.x0) * self.k * self.s,
                self.pad + (self.y1 - lat) * self.s)


def _path(geom: Mapping, proj: Projection) -> str:
    parts = []
    for ring in _rings(geom):
        pts = [proj(float(x), float(y)) for x, y, *_ in ring]
        parts.append("M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in pts) + " Z")
    return " ".join(parts)


def breaks(values: Sequence[float], n: int = len(SCALE)) -> list[float]:
    """Upper bounds of ``n`` equal-interval classes over the values' range."""
    lo, hi = min(values), max(values)
    if hi == lo:
        return [hi] * n
    return [lo + (hi - lo) * (i + 1) / n for i in range(n)]


def colour_of(v: float, edges: Sequence[float]) -> str:
    for c, e in zip(SCALE, edges, strict=False):
        if v <= e:
            return c
    return SCALE[-1]


def fmt(v: float) -> str:
    """Numbers as shown on maps: thousands separators, 3 significant figures below 100."""
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{v:.3g}"


def choropleth(geojson: Mapping, *, key: str = "code", values: Mapping | None = None,
               classes: Mapping | None = None, palette: Mapping | None = None,
               names: Mapping | None = None, unit: str = "", links: Mapping | None = None,
               points: Sequence[Mapping] = (), width: int = 640, title: str = "",
               lang: str = "en", file: str = "<geojson>", labels: bool = False,
               prov: Collection[str] = ()) -> str:
    """An SVG map: ``values`` (key → number) on the sequential scale, or ``classes`` (key →
    class label) with ``palette`` (class → colour); ``names`` (key → display name) and
    ``unit`` for the titles; ``links`` (key → href) make features clickable; ``points``
    (dicts with lon, lat, label, optional href and colour) are drawn on top; ``labels`` writes
    each region's name at the centroid of its largest ring; the links of the keys in ``prov``
    open a derivation (``class="prov"``: the dashboard's dialog) instead of a page."""
    feats = check(geojson, key, file)
    proj = Projection(bounds(feats), width)
    values = dict(values or {})
    classes = dict(classes or {})
    palette = dict(palette or {})
    names = dict(names or {})
    links = dict(links or {})
    edges = breaks([float(v) for v in values.values()]) if values else []
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cocontrol-map" role="img" '
           f'viewBox="0 0 {proj.width} {proj.height + (28 if (values or classes) else 0)}" '
           f'width="{proj.width}" aria-label="{html.escape(title)}">']
    if title:
        out.append(f"<title>{html.escape(title)}</title>")
    for f in feats:
        k = str(f["properties"][key])
        label = names.get(k, f["properties"].get("name", k))
        if values:
            v = values.get(k)
            fill = MISSING if v is None else colour_of(float(v), edges)
            text = f"{label}: " + (NOT_ESTIMATED.get(lang, NOT_ESTIMATED["en"]) if v is None
                                   else f"{fmt(float(v))} {unit}".strip())
        elif classes:
            c = classes.get(k)
            fill = palette.get(c, MISSING) if c is not None else MISSING
            text = f"{label}: {c if c is not None else NOT_ESTIMATED.get(lang, 'not estimated')}"
        else:
            fill, text = SCALE[1], str(label)
        shape = (f'<path d="{_path(f["geometry"], proj)}" fill="{fill}" stroke="#555" '
                 f'stroke-width="0.7" data-key="{html.escape(k)}"><title>'
                 f"{html.escape(text)}</title></path>")
        if k in links:
            cls = ' class="prov"' if k in prov else ""
            shape = f'<a{cls} href="{html.escape(links[k])}">{shape}</a>'
        out.append(shape)
    if labels:
        for f in feats:
            k = str(f["properties"][key])
            cx, cy = centroid(f["geometry"], proj)
            out.append(f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" '
                       f'class="region-label" data-key="{html.escape(k)}">'
                       f'{html.escape(str(names.get(k, f["properties"].get("name", k))))}</text>')
    for p in points:
        x, y = proj(float(p["lon"]), float(p["lat"]))
        dot = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{p.get("colour", "#d62728")}" '
               f'stroke="#fff" stroke-width="1"><title>{html.escape(str(p.get("label", "")))}'
               "</title></circle>")
        if p.get("href"):
            dot = f'<a href="{html.escape(str(p["href"]))}">{dot}</a>'
        out.append(dot)
    out.append(_legend(proj, values, edges, classes, palette, unit))
    out.append("</svg>")
    return "".join(out)


def centroid(geom: Mapping, proj: Projection) -> tuple[float, float]:
    """Pixel centroid of the largest outer ring (the polygon centroid of its vertices,
    x̄ = Σ (xᵢ + xᵢ₊₁)(xᵢ yᵢ₊₁ − xᵢ₊₁ yᵢ) / 6A; the vertex mean for a degenerate ring)."""
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    best = None
    for poly in polys:
        pts = [proj(float(x), float(y)) for x, y, *_ in poly[0]]
        a2 = sx = sy = 0.0
        for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
            c = x1 * y2 - x2 * y1
            a2 += c
            sx += (x1 + x2) * c
            sy += (y1 + y2) * c
        if abs(a2) < 1e-9:
            cx = sum(x for x, _ in pts) / len(pts)
            cy = sum(y for _, y in pts) / len(pts)
        else:
            cx, cy = sx / (3 * a2), sy / (3 * a2)
        if best is None or abs(a2) > best[0]:
            best = (abs(a2), cx, cy)
    return best[1], best[2]


def _legend(proj: Projection, values, edges, classes, palette, unit) -> str:
    y = proj.height + 6
    items = []
    if values:
        lo = min(float(v) for v in values.values())
        prev = lo
        for c, e in zip(SCALE, edges, strict=True):
            items.append((c, f"{fmt(prev)}–{fmt(e)}"))
            prev = e
        items = items[:: max(1, len(items) // 4)]
    elif classes:
        items = [(palette.get(c, MISSING), str(c)) for c in dict.fromkeys(classes.values())]
    parts, x = [], 8
    for colour, text in items:
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}" '
                     f'stroke="#555" stroke-width="0.5"/><text x="{x + 16}" y="{y + 10}" '
                     f'font-size="11">{html.escape(text)}</text>')
        x += 22 + 7 * len(text)
    if values and unit:
        parts.append(f'<text x="{x}" y="{y + 10}" font-size="11">{html.escape(unit)}</text>')
    return "".join(parts)


def split(geojson: object, key: str = "code", file: str = "<geojson>"
          ) -> tuple[dict, list[dict]]:
    """A project's map file: (the FeatureCollection of its Polygon/MultiPolygon features,
    checked by :func:`check`; its Point features as dicts with ``key``, ``lon``, ``lat`` and
    the feature's other properties). GeoJSON allows both in one collection; the boundaries
    are drawn as regions and the points (enterprises, parks, stations) on top."""
    if not isinstance(geojson, Mapping) or not isinstance(geojson.get("features"), list):
        check(geojson, key, file)  # raises with the structural problem
    polys, points, probs = [], [], []
    for i, f in enumerate(geojson["features"], 1):
        geom = f.get("geometry") if isinstance(f, Mapping) else None
        if isinstance(geom, Mapping) and geom.get("type") == "Point":
            props = f.get("properties") if isinstance(f.get("properties"), Mapping) else {}
            try:
                lon, lat = (float(c) for c in geom["coordinates"][:2])
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError
            except (TypeError, ValueError, KeyError):
                probs.append(Problem(file=file, row=i, column="geometry.coordinates",
                                     message=M("msg.geo_bad_point", i=i),
                                     expected=M("msg.geo_lon_lat")))
                continue
            points.append({**props, key: str(props.get(key, "")), "lon": lon, "lat": lat})
        else:
            polys.append(f)
    if probs:
        raise InputError(probs)
    out = {k: v for k, v in geojson.items() if k != "features"}
    out["features"] = polys
    check(out, key, file)
    return out, points


def area_km2(feature: Mapping, radius_km: float = 6371.0088) -> float:
    """Area of a Polygon/MultiPolygon feature, km², on the sphere (mean Earth radius, IUGG):
    A = R² |Σ (λ₂ − λ₁)(sin φ₁ + sin φ₂)| / 2 per ring (the spherical trapezoid sum of
    Chamberlain R.G., Duquette W.H. 2007, *Some algorithms for polygons on a sphere*, JPL
    Publication 07-03, eq. 8), holes (inner rings) subtracted."""
    geom = feature["geometry"]
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    total = 0.0
    for poly in polys:
        for n, ring in enumerate(poly):
            s = 0.0
            for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
                s += math.radians(float(x2) - float(x1)) * (
                    math.sin(math.radians(float(y1))) + math.sin(math.radians(float(y2))))
            a = abs(s) * radius_km ** 2 / 2
            total += a if n == 0 else -a
    return total
