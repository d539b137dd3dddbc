"""GeoJSON → SVG maps (cocontrol.geomap): projection by hand, plain errors naming the
feature, "not estimated" for a region without a value (never 0), links and classes."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from cocontrol import geomap
from cocontrol.errors import InputError


def _square(code, x0, y0, d=1.0, name=None):
    ring = [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]
    return {"type": "Feature", "properties": {"code": code, "name": name or code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _fc(*f):
    return {"type": "FeatureCollection", "features": list(f)}


def test_projection_by_hand():
    """Box lon 0–1, lat 0–1, width 100, pad 8: φ₁ = 0.5°, k = cos 0.5°, scale s = 84/k
    px per degree of longitude·k (Snyder 1987, equidistant cylindrical)."""
    p = geomap.Projection((0.0, 0.0, 1.0, 1.0), 100)
    k = math.cos(math.radians(0.5))
    assert p(0.0, 1.0) == pytest.approx((8.0, 8.0))  # north-west corner at the padding
    assert p(1.0, 0.0)[0] == pytest.approx(92.0)  # east edge at width − pad
    assert p(1.0, 0.0)[1] == pytest.approx(8.0 + 84.0 / k)  # a degree of latitude: s px
    assert p.height == round(84.0 / k + 16)


def test_choropleth_values_missing_links_and_valid_svg():
    fc = _fc(_square("A", 110, 30), _square("B", 111, 30), _square("C", 112, 30))
    svg = geomap.choropleth(fc, values={"A": 10.0, "B": 30.0}, unit="kt", lang="zh",
                            links={"A": "/web/drill?region=A"}, names={"A": "甲区"},
                            points=[{"lon": 110.5, "lat": 30.5, "label": "plant"}])
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    paths = {p.get("data-key"): p for p in root.iter(f"{ns}path")}
    assert set(paths) == {"A", "B", "C"}
    assert paths["C"].get("fill") == geomap.MISSING
    assert paths["C"].find(f"{ns}title").text == "C: 未估算"  # not 0
    assert paths["A"].find(f"{ns}title").text == "甲区: 10 kt"
    assert paths["A"].get("fill") == geomap.SCALE[0] and paths["B"].get("fill") == \
        geomap.SCALE[-1]
    links = [a.get("href") for a in root.iter(f"{ns}a")]
    assert links == ["/web/drill?region=A"]
    assert [a.get("class") for a in root.iter(f"{ns}a")] == [None]
    # a derivation's link (prov) is marked for the dashboard's dialog
    svg = geomap.choropleth(fc, values={"A": 10.0}, links={"A": "/why?a=1", "B": "/b"},
                            prov={"A"})
    assert [(a.get("href"), a.get("class")) for a in ET.fromstring(svg).iter(f"{ns}a")] == \
        [("/why?a=1", "prov"), ("/b", None)]
    assert len(list(root.iter(f"{ns}circle"))) == 1
    assert "style=" not in svg  # presentation attributes only (CSP style-src 'self')


def test_classes_with_a_palette():
    fc = _fc(_square("A", 0, 0), _square("B", 1, 0))
    svg = geomap.choropleth(fc, classes={"A": "协同减排", "B": "仅减污"},
                            palette={"协同减排": "#1a9850", "仅减污": "#fee08b"})
    assert 'fill="#1a9850"' in svg and 'fill="#fee08b"' in svg and "协同减排" in svg


def test_bad_geojson_is_a_plain_error_naming_the_feature():
    bad = _fc(_square("A", 0, 0), {"type": "Feature", "properties": {"code": "A"},
                                   "geometry": {"type": "Point", "coordinates": [0, 0]}},
              _square("", 500, 0))
    with pytest.raises(InputError) as e:
        geomap.check(bad, file="regions.geojson")
    text = str(e.value)
    assert "feature 2: duplicate code" in text and "feature 2: unsupported geometry" in text
    assert "feature 3: no code" in text and "feature 3: bad coordinates" in text
    assert "regions.geojson" in text
    with pytest.raises(InputError, match="FeatureCollection"):
        geomap.check([1, 2])


def test_split_points_from_polygons_and_check_them():
    """A project's map file holds regions (polygons) and points (enterprises, stations) in
    one FeatureCollection; points come back with their properties and [lon, lat]."""
    pt = {"type": "Feature", "properties": {"code": "e1", "kind": "enterprise"},
          "geometry": {"type": "Point", "coordinates": [0.5, 0.25]}}
    polys, points = geomap.split({**_fc(_square("a", 0, 0), pt), "provenance": {"x": 1}})
    assert [f["properties"]["code"] for f in polys["features"]] == ["a"]
    assert polys["provenance"] == {"x": 1}
    assert points == [{"code": "e1", "kind": "enterprise", "lon": 0.5, "lat": 0.25}]
    bad = {**pt, "geometry": {"type": "Point", "coordinates": [200, 0]}}
    with pytest.raises(InputError) as e:
        geomap.split(_fc(_square("a", 0, 0), bad))
    assert e.value.problems[0].row == 2 and "bad point" in e.value.problems[0].message
    with pytest.raises(InputError):  # points only: no region to draw
        geomap.split(_fc(pt))


def test_area_of_a_one_degree_square_by_hand():
    """1° × 1° at the equator on the sphere R = 6371.0088 km: A = R² Δλ (sin φ₂ − sin φ₁)
    = 6371.0088² × (π/180) × sin 1° = 12,363.7 km² (by hand); a hole is subtracted."""
    hand = 6371.0088 ** 2 * math.radians(1) * math.sin(math.radians(1))
    assert hand == pytest.approx(12363.7, abs=0.1)
    assert geomap.area_km2(_square("a", 0, 0)) == pytest.approx(hand, rel=1e-12)
    holed = _square("b", 0, 0)
    holed["geometry"]["coordinates"].append([[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5], [0, 0]])
    quarter = 6371.0088 ** 2 * math.radians(0.5) * math.sin(math.radians(0.5))
    assert geomap.area_km2(holed) == pytest.approx(hand - quarter, rel=1e-12)


def test_region_labels_at_the_centroid():
    """A square's centroid is its centre: lon 0–1, lat 0–1 drawn 100 px wide with pad 8 puts
    the centre at (50, height/2)."""
    svg = geomap.choropleth(_fc(_square("a", 0, 0, name="Alpha")), width=100, labels=True,
                            names={"a": "甲区"})
    root = ET.fromstring(svg)
    text = root.find("{http://www.w3.org/2000/svg}text")
    p = geomap.Projection((0.0, 0.0, 1.0, 1.0), 100)
    assert text.text == "甲区" and text.get("data-key") == "a"
    assert float(text.get("x")) == pytest.approx(50.0, abs=0.05)
    assert float(text.get("y")) == pytest.approx(p(0.5, 0.5)[1], abs=0.05)
    assert "<text" not in geomap.choropleth(_fc(_square("a", 0, 0)), width=100)
