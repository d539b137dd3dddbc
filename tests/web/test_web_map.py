"""One map (issue 15 item 2) and every page of every role, in a real headless Chromium.

The expected numbers are summed here from the library's inventory arrays (the demo project's
``Inventory.emissions``, lines of scope 1 of each district: ``Inventory.aggregate``'s default),
not taken from the dashboard's code; the synergy layer's elasticity is worked by hand from
those sums (Els = (ΔP/P) / (ΔCO2/CO2), metrics.cross_elasticity's definition); the density
layer divides by the district's area of :func:`cocontrol.geomap.area_km2` (tested by hand in
tests/test_geomap.py). Every page a role may see (all page routes of the live registry
without path parameters) opens without console errors; a page it may not see is refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cocontrol import geomap
from cocontrol.service.demo import USERS

#: role -> demo account (service/demo.py; the administrator is the first-start account);
#: not imported from conftest, which may be another folder's in a mixed run
ACCOUNTS = {"administrator": "admin", **{roles[0]: name for name, _org, roles in USERS}}

LANGS = ("zh", "en")
ROOT = Path(__file__).resolve().parents[2]


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def district_sums(inv, species: str, year: int) -> dict[str, float]:
    """Hand sum over the inventory's lines: scope 1, by the line's district."""
    s, y = inv.species.index(species), inv.years.index(year)
    lines = inv.lines
    out = {}
    for d in lines["district"].unique():
        m = ((lines["district"] == d) & (lines["scope"] == 1)).to_numpy()
        if m.any():
            out[str(d)] = float(inv.emissions[m, s, y].sum())
    return out


def _role_permissions() -> dict[str, set[str]]:
    import yaml

    from cocontrol.service.access import PERMISSIONS

    doc = yaml.safe_load((ROOT / "src/cocontrol/data/security/roles.yaml").read_text("utf-8"))
    out = {}
    for name, r in doc["roles"].items():
        perms = set(r["permissions"])
        out[name] = set(PERMISSIONS) if "*" in perms else perms
    return out


def page_routes(app) -> list[tuple[str, str | None]]:
    """(path, permission) of every dashboard page without path parameters (None: public),
    read from the live route table as the authorisation matrix reads it."""
    from cocontrol.service.access import api_routes, route_rule

    out = []
    for route in api_routes(app):
        path = route.path
        if not path.startswith("/web") or "{" in path or "GET" not in route.methods:
            continue
        rule = route_rule(route)
        if rule is not None:
            out.append((path, None if rule == "public" else rule))
    return sorted(set(out))


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_page_of_every_role(visit, server, role):
    perms = _role_permissions()[role]
    routes = page_routes(server.app)
    assert ("/web/map/", "projects:read") in routes and ("/web/drill/why", "projects:read") \
        in routes
    v = visit("zh").login(ACCOUNTS[role])
    opened, refused = [], []
    for path, perm in routes:
        if path in ("/web/login",):
            continue
        r = v.open(path)
        if perm is None or perm in perms:
            # a page with nothing to show for this role says so (e.g. no project): still 200
            assert r.status == 200, (role, path, r.status)
            opened.append(path)
        else:
            assert r.status == 403, (role, path, r.status)
            refused.append(path)
            # the browser logs the refused document itself; nothing else may be wrong
            v.errors[:] = [e for e in v.errors if not (
                "status of 403" in e and e.split(" at ")[-1].startswith(server.url + path))]
    print(f"{role}: opened {len(opened)} pages, refused {len(refused)}: {refused}")
    assert v.errors == [], (role, v.errors)


@pytest.mark.parametrize("lang", LANGS)
def test_map_numbers_are_the_librarys(visit, server, lang):
    inv = server.demo_base.inventory
    year = inv.years[0]
    expected = district_sums(inv, "SO2", year)
    v = visit(lang).login("analyst", next_path="/web/map/?species=SO2&layer=emissions")
    v.page.wait_for_selector("#map svg.cocontrol-map")
    rows = v.page.locator("#map-table tbody tr")
    got = {rows.nth(i).get_attribute("data-key"): rows.nth(i).locator("[data-role=value]")
           for i in range(rows.count())}
    assert set(got) == set(expected)
    for k, loc in got.items():
        assert float(loc.get_attribute("data-value")) == pytest.approx(expected[k], rel=1e-12)
        assert _num(loc.inner_text()) == pytest.approx(expected[k], abs=0.5)
    # the SVG regions: the four illustrative districts, each titled with its value, a link
    for k in ("fenhe", "hedong", "nanshan", "beiyuan"):
        path = v.page.locator(f"#map svg path[data-key={k}]")
        assert path.count() == 1
        assert geomap.fmt(expected[k]) in path.locator("title").text_content()
    assert v.page.locator("#map-illustrative").count() == 1
    assert v.page.locator("#map svg circle").count() >= 15  # enterprises, parks, stations
    assert v.unlabelled_controls() == []
    weight, paint = v.weight(), v.first_paint_ms()
    print(f"map page ({lang}): {weight} bytes, first contentful paint {paint:.0f} ms")
    assert weight < 150_000 and paint is not None and paint < 5000
    v.shot("map")
    # switch the layer through the select (the page's script submits the form)
    with v.page.expect_navigation():
        v.page.select_option("#f-layer", "synergy")
    assert v.page.locator("#map").get_attribute("data-layer") == "synergy"
    y0, y1 = inv.years[0], inv.years[-1]
    c0, c1 = district_sums(inv, "CO2", y0), district_sums(inv, "CO2", y1)
    p0, p1 = district_sums(inv, "SO2", y0), district_sums(inv, "SO2", y1)
    for k in ("fenhe", "hedong", "nanshan", "beiyuan"):
        els = ((p1[k] - p0[k]) / p0[k]) / ((c1[k] - c0[k]) / c0[k])
        cell = v.page.locator(f"#map-table tr[data-key={k}] [data-role=layer]")
        raw = cell.get_attribute("data-value")
        if math.isfinite(els):
            assert float(raw) == pytest.approx(els, rel=1e-9)
    v.shot("map-synergy")
    with v.page.expect_navigation():
        v.page.select_option("#f-layer", "density")
    features = {f["properties"]["code"]: f for f in json.loads(
        (ROOT / "examples/demo-city/boundaries.geojson").read_text("utf-8"))["features"]
        if f["geometry"]["type"] == "Polygon"}
    for k in features:
        cell = v.page.locator(f"#map-table tr[data-key={k}] [data-role=layer]")
        assert float(cell.get_attribute("data-value")) == pytest.approx(
            expected[k] / geomap.area_km2(features[k]), rel=1e-9)
    with v.page.expect_navigation():
        v.page.select_option("#f-layer", "quadrant")
    assert v.page.locator("#map svg path[data-key=hedong]").count() == 1
    v.shot("map-quadrant")
    # a click on a region drills down into it
    with v.page.expect_navigation():
        v.page.locator("#map svg a:has(path[data-key=hedong])").click()
    assert "/web/drill/" in v.page.url and "district=hedong" in v.page.url
    assert v.errors == []


def test_map_number_opens_its_provenance(visit, server):
    inv = server.demo_base.inventory
    v = visit("en").login("leader", next_path="/web/map/?species=NOx")
    v.page.locator("#map-table tr[data-key=hedong] a.prov").click()
    v.page.wait_for_selector("#prov-dialog[open] #prov-rows")
    shown = _num(v.page.locator("#prov-dialog #prov-number [data-role=value]").inner_text())
    assert shown == pytest.approx(district_sums(inv, "NOx", inv.years[0])["hedong"], abs=0.5)
    sources = v.page.locator("#prov-dialog td.factor-source").all_text_contents()
    rep = inv.line_factor_report()
    hedong = set(np.flatnonzero(((inv.lines["district"] == "hedong")
                                 & (inv.lines["scope"] == 1)).to_numpy()))
    expected = set(rep[(rep["species"] == "NOx") & rep["line"].isin(hedong)]["source"])
    assert set(sources) <= expected | {"not given"} and len(set(sources) & expected) >= 1
    v.shot("map-provenance")
    assert v.errors == []


def test_map_refused_or_empty_where_the_project_is_not_visible(visit, server):
    # an enterprise user does not see the bureau's project: no map, and its id is not found
    v = visit("zh").login("steel", next_path="/web/map/")
    assert v.page.locator("#no-project").count() == 1
    r = v.open(f"/web/map/?project_id={server.demo_project_id}")
    assert r.status == 404
    # without login: the login page (401), nothing of the map
    a = visit("en")
    r = a.open("/web/map/")
    assert r.status == 401 and a.page.locator("#login-form").count() == 1
    assert a.page.locator("#map").count() == 0


def test_user_uploads_own_boundaries_validated(visit, server, tmp_path):
    """The uploads page takes a boundaries.geojson; a broken one is refused row by row with
    the feature number (dry run: nothing stored)."""
    bad = tmp_path / "boundaries.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "x"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
        {"type": "Feature", "properties": {"code": "p"},
         "geometry": {"type": "Point", "coordinates": [500, 1]}}]}), encoding="utf-8")
    v = visit("en").login("analyst", next_path=f"/web/data/uploads?project_id="
                                                f"{server.demo_project_id}")
    v.page.set_input_files("#upload-files", str(bad))
    v.page.check("#upload-dry-run")
    v.page.click("#upload-submit")
    v.page.wait_for_selector("#upload-report tbody tr")
    assert v.page.locator("#upload-message-out").get_attribute("data-valid") == "false"
    cells = v.page.eval_on_selector_all(
        "#upload-report tbody tr", "trs => trs.map(tr => [...tr.cells].map(c => c.textContent))")
    assert ["boundaries.geojson", "2", "geometry.coordinates"] in [c[1:4] for c in cells]
    assert v.errors == []
