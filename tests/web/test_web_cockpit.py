"""Cockpit (issue 15 item 1): the numbers on the page are the library's.

Expected values come from the library's own functions on the same stored version
(``cocontrol.scenario.run``/``totals``/``check_targets``, ``cocontrol.metrics.coordinates``),
called here, not from the dashboard's code; the demo city's base-year CO2 (27.0 Mt) and NOx
(37.3 kt) are also those stated in examples/demo-city/scenarios.yaml ("Base-year (2020) totals
of the demo inventory")."""

from __future__ import annotations

import pytest

from cocontrol.scenario import check_targets, run, totals


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _hand_reductions(base, by: str, key: str, year: int, pollutant: str,
                     scenario: str = "policy", reference: str = "baseline"):
    """CO2 and ``pollutant`` reductions (t, reference − scenario) of a district (the lines
    whose region has it as parent, walking regions.csv by hand) or a sector, summed here
    over the library's run arrays."""
    reg = base.project.regions.set_index("region_id")

    def district(rid):
        while isinstance(rid, str) and reg.at[rid, "level"] != "district":
            rid = reg.at[rid, "parent_id"]
        return rid  # NaN for the city-wide lines

    col = base.lines["region_id"].map(district) if by == "district" else base.lines["sector"]
    # direct (scope 1) lines: the scope-2 lines are the power plants' emissions again
    mask = ((col == key) & (base.lines["scope"] == 1)).to_numpy()
    t = base.years.index(year)
    co2, pol = base.species.index("CO2"), base.species.index(pollutant)
    e_sc = run(base, scenario).emissions[mask][:, :, t].sum(axis=0)
    e_ref = run(base, reference).emissions[mask][:, :, t].sum(axis=0)
    return e_ref[co2] - e_sc[co2], e_ref[pol] - e_sc[pol]


def _rule(x: float, y: float) -> str:
    """The quadrant of two reductions: I both > 0, II only the pollutant's, IV only CO2's."""
    return {(True, True): "I", (False, True): "II", (True, False): "IV",
            (False, False): "III"}[(x > 0, y > 0)]


def _pm25(base, tot) -> dict:
    """The PM2.5 annual mean (µg/m³) of the scenario totals ``tot`` by year, through the
    project's air-quality link (the settings of optimisation.yaml)."""
    from cocontrol.airquality.precursors import default_mapping
    from cocontrol.optimize import settings as st
    from cocontrol.optimize.airlink import model_link

    a = st.from_project(base.project).air_quality
    ref = tot[base.years[0]].to_numpy()
    link = model_link(a.model, a.model_params(), a.city, tuple(tot.index), ref,
                      default_mapping(a.om_oc_ratio, a.om_share_of_primary))
    return {y: float(link.pm25(tot[[y]].to_numpy())[0]) for y in (2020, 2030)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cockpit_numbers_are_the_librarys(visit, server, lang):
    base = server.demo_base
    r = run(base, "policy")
    tot = totals(r)
    v = visit(lang).login("analyst", next_path="/web/cockpit/")
    assert "/web/cockpit/" in v.page.url
    v.page.wait_for_selector("#spark-0 .main-svg")
    co2 = _num(v.page.locator(".tile[data-key=CO2] [data-role=base-value]").inner_text())
    assert co2 == pytest.approx(tot.loc["CO2", 2020] * 1e-6, abs=0.005)
    assert co2 == pytest.approx(27.0, abs=0.05)  # scenarios.yaml comment
    nox = _num(v.page.locator(".tile[data-key=NOx] [data-role=base-value]").inner_text())
    assert nox == pytest.approx(tot.loc["NOx", 2020] * 1e-3, abs=0.005)
    assert nox == pytest.approx(37.3, abs=0.05)
    # the target table: one row per target of scenarios.yaml, values as check_targets says
    expected = check_targets(base, r)
    rows = v.page.locator("#targets tbody tr")
    assert rows.count() == len(expected)
    nox25 = expected[expected["target"] == "NOx cap 2025"].iloc[0]
    cells = v.page.locator('#targets tr[data-target="NOx cap 2025"] td')
    assert _num(cells.nth(2).inner_text()) == pytest.approx(nox25["value"], abs=0.005)
    assert _num(cells.nth(3).inner_text()) == pytest.approx(nox25["limit"])
    # the limit opens the target's derivation: its definition and source in scenarios.yaml
    cells.nth(3).locator("a.prov").click()
    v.page.wait_for_selector('#prov-dialog[open] #prov[data-kind=target]')
    sec = v.page.locator("#prov-dialog #prov")
    assert sec.get_attribute("data-target") == "NOx cap 2025"
    assert float(sec.locator("[data-role=limit]").get_attribute("data-value")) == 33.5
    assert float(sec.locator("[data-role=value]").get_attribute("data-value")) == \
        pytest.approx(nox25["value"], rel=1e-12)
    assert "Guofa [2021] 33" in sec.locator("[data-role=source]").inner_text()
    v.page.click("#prov-dialog-close")
    # status colour of the NOx tile follows the nearest NOx target (met: green or amber)
    cls = v.page.locator(".tile[data-key=NOx]").get_attribute("class")
    assert ("status-ok" in cls or "status-warn" in cls) == bool(nox25["passed"])
    # PM2.5 concentration: the policy scenario's annual mean by the project's air-quality
    # model (optimisation.yaml air_quality), computed here through the model link as
    # tests/web/test_web_whatif.py does; its target is optimisation.yaml's pm25_max (35
    # µg/m³ from 2030, GB 3095-2012 grade II)
    pm = _pm25(base, tot)
    shown = _num(v.page.locator(".tile[data-key=pm25_conc] [data-role=base-value]").inner_text())
    assert shown == pytest.approx(pm[2020], abs=0.05)
    tgt = v.page.locator(".tile[data-key=pm25_conc] [data-role=target-value]")
    assert _num(tgt.inner_text()) == pytest.approx(pm[2030], abs=0.05)
    assert _num(v.page.locator(".tile[data-key=pm25_conc] [data-role=target-limit]")
                .inner_text()) == 35
    cls = v.page.locator(".tile[data-key=pm25_conc]").get_attribute("class")
    assert ("status-bad" in cls) == (pm[2030] > 35)
    # its derivation: the air-quality step of the scenario's derivation, same number
    tgt.click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov")
    assert f"{pm[2030]:.2f} µg/m³" in v.page.locator("#prov-dialog-body").inner_text()
    v.page.click("#prov-dialog-close")
    # quadrants: a row per district and sector, drawn as charts
    assert v.page.locator("#quad-table-district tbody tr").count() >= 3
    assert v.page.locator("#quad-sector .main-svg").count() >= 1
    assert v.unlabelled_controls() == []
    v.shot("cockpit")
    if lang == "en":  # a quadrant number and a chart point open their derivation
        _quadrant_opens_its_derivation(v, base)
    v.page.goto(server.url + "/web/cockpit/?screen=big")
    v.page.wait_for_selector("#spark-0 .main-svg")
    v.shot("cockpit-bigscreen")
    assert v.errors == []


def _quadrant_opens_its_derivation(v, base):
    """The page's default: policy against baseline, 2030, SO2. Hedong's CO2 reduction in the
    district table and rail's point of the sector chart (CO2 up: quadrant III) open
    /web/drill/quadrant-why in the dialog with the reductions summed here by hand."""
    from plotclick import click_point

    dlg = v.page.locator("#prov-dialog")
    x, y = _hand_reductions(base, "district", "hedong", 2030, "SO2")
    cell = v.page.locator("#quad-table-district tr[data-key=hedong] a.prov[data-role=co2]")
    assert float(cell.get_attribute("data-value")) == pytest.approx(x, rel=1e-9)
    cell.click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=quadrant] #prov-rule")
    sec = dlg.locator("#prov")
    assert sec.get_attribute("data-key") == "hedong"
    assert float(sec.locator("[data-role=co2]").get_attribute("data-value")) == pytest.approx(
        x, rel=1e-9)
    assert float(sec.locator("[data-role=pollutant]").get_attribute("data-value")) == \
        pytest.approx(y, rel=1e-9)
    assert sec.get_attribute("data-quadrant") == _rule(x, y)
    assert dlg.locator("#prov-measures tbody tr").count() >= 1
    v.page.click("#prov-dialog-close")
    keys = v.page.locator("#quad-table-sector tbody tr").evaluate_all(
        "trs => trs.map(tr => tr.dataset.key)")
    x, y = _hand_reductions(base, "sector", "rail", 2030, "SO2")
    click_point(v.page, "#quad-sector", 0, keys.index("rail"))
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=quadrant][data-key=rail]")
    assert float(sec.locator("[data-role=co2]").get_attribute("data-value")) == pytest.approx(
        x, rel=1e-9)
    assert float(sec.locator('#prov-quadrant tr[data-species=SO2] [data-role=reduction]')
                 .get_attribute("data-value")) == pytest.approx(y, rel=1e-9, abs=1e-9)
    assert sec.get_attribute("data-quadrant") == _rule(x, y)
    assert "by=sector" in dlg.locator("#prov-dialog-page").get_attribute("href")
    v.page.click("#prov-dialog-close")


def test_cockpit_quadrant_is_the_librarys(server, login_headers):
    """A district's CO2 reduction in the table equals policy − baseline summed by hand over
    the district's lines (regions.csv parents), and its quadrant is coordinates()'."""
    import httpx

    from cocontrol.metrics import coordinates

    base = server.demo_base
    h = login_headers("analyst")
    page = httpx.get(server.url + "/web/cockpit/?year=2030&pollutant=SO2", headers=h)
    assert page.status_code == 200
    red_co2, red_so2 = _hand_reductions(base, "district", "hedong", 2030, "SO2")
    label = coordinates(red_co2, red_so2, lang="zh")["quadrant_label"].iloc[0]
    assert f"{red_co2:,.0f}" in page.text
    assert label in page.text
    # its derivation as JSON (NOx of 2040 this time), a key the quadrant has not, no key
    q = {"project_id": server.demo_project_id, "scenario": "policy", "reference": "baseline",
         "by": "district", "key": "hedong", "year": 2040, "pollutant": "NOx"}
    api = server.url + "/api/web/drill/quadrant-why"
    d = httpx.get(api, params=q, headers=h).json()
    x, y = _hand_reductions(base, "district", "hedong", 2040, "NOx")
    assert d["reduction_t"] == pytest.approx({"CO2": x, "NOx": y}, rel=1e-9)
    assert d["quadrant"] == _rule(x, y) and d["unit"] == "t"
    assert d["version"]["content_hash"]
    r = httpx.get(api, params={**q, "key": "atlantis"}, headers=h)
    assert r.status_code == 422
    err = r.json()["error"]
    assert "atlantis" in err["message"] and "协同控制象限中没有区县" in err["message_zh"], err
    r = httpx.get(server.url + "/web/drill/quadrant-why", headers=h)
    assert r.status_code == 200 and 'id="prov-choose"' in r.text


def test_cockpit_year_to_date_from_the_monitoring_upload(visit, server, login_headers):
    """The tiles' year to date (年初至今) comes from the newest monitoring upload of the
    project's organisation: energy Jan–Jun 2024 summed here by hand from
    examples/demo-city/monitoring/series.csv against the same months of 2023, the PM2.5
    concentration weighted by valid days (GB 3095-2012 annual mean); CO2 has only annual
    rows there: no monitored months. The energy number opens its derivation (the six
    monthly rows with their sources)."""
    import csv
    from pathlib import Path

    import httpx
    from sqlalchemy import select

    from cocontrol.service.models import Organisation

    path = Path(__file__).resolve().parents[2] / "examples/demo-city/monitoring/series.csv"
    with path.open(encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    rows = [{k: (float(v) if k in ("value", "valid_days") else v) for k, v in r.items()
             if v != ""} for r in raw]
    with server.session() as s:
        org = s.scalar(select(Organisation).where(Organisation.code == "demo_city")).id
    h = login_headers("analyst")
    r = httpx.post(server.url + "/api/monitoring/uploads", headers=h, timeout=600,
                   json={"name": "demo monitoring (ILLUSTRATIVE)", "rows": rows, "org_id": org})
    assert r.status_code == 201, r.text

    def months(ind, year):
        return [r for r in raw if r["entity"] == "demo_city" and r["indicator"] == ind and
                not r["sector"] and not r["fuel"] and r["period"][:5] == f"{year}-" and
                int(r["period"][5:]) <= 6]

    e24 = sum(float(r["value"]) for r in months("energy", 2024))
    e23 = sum(float(r["value"]) for r in months("energy", 2023))
    pm = months("pm25_conc", 2024)
    pm_mean = sum(float(r["value"]) * float(r["valid_days"]) for r in pm) / \
        sum(float(r["valid_days"]) for r in pm)
    assert len(months("energy", 2024)) == len(pm) == 6
    v = visit("en").login("analyst", next_path="/web/cockpit/")
    cell = v.page.locator(".tile[data-key=energy] [data-role=ytd-value]")
    assert float(cell.get_attribute("data-value")) == pytest.approx(e24, rel=1e-9)
    chg = v.page.locator(".tile[data-key=energy] [data-role=ytd-change]")
    assert float(chg.get_attribute("data-value")) == pytest.approx((e24 / e23 - 1) * 100)
    assert float(v.page.locator(".tile[data-key=pm25_conc] [data-role=ytd-value]")
                 .get_attribute("data-value")) == pytest.approx(pm_mean, rel=1e-9)
    assert "no monitored months" in v.page.locator(".tile[data-key=CO2] [data-role=ytd]") \
        .inner_text()
    cell.click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=ytd][data-key=energy]")
    dlg = v.page.locator("#prov-dialog")
    assert dlg.locator("#prov-ytd-rows tbody tr").count() == 6
    assert float(dlg.locator("#prov [data-role=previous]").get_attribute("data-value")) == \
        pytest.approx(e23, rel=1e-9)
    assert "ILLUSTRATIVE" in dlg.locator("#prov-ytd-rows").inner_text()
    v.page.click("#prov-dialog-close")
    assert v.errors == []
    # the JSON twin, and an unknown tile refused
    j = httpx.get(server.url + "/api/web/cockpit/ytd-why?key=energy", headers=h, timeout=60)
    assert j.status_code == 200 and j.json()["value"] == pytest.approx(e24, rel=1e-9)
    bad = httpx.get(server.url + "/api/web/cockpit/ytd-why?key=NH3", headers=h, timeout=60)
    assert bad.status_code == 404 and "NH3" in bad.json()["error"]["message"]
