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
    # status colour of the NOx tile follows the nearest NOx target (met: green or amber)
    cls = v.page.locator(".tile[data-key=NOx]").get_attribute("class")
    assert ("status-ok" in cls or "status-warn" in cls) == bool(nox25["passed"])
    # quadrants: a row per district and sector, drawn as charts
    assert v.page.locator("#quad-table-district tbody tr").count() >= 3
    assert v.page.locator("#quad-sector .main-svg").count() >= 1
    assert v.unlabelled_controls() == []
    v.shot("cockpit")
    v.page.goto(server.url + "/web/cockpit/?screen=big")
    v.page.wait_for_selector("#spark-0 .main-svg")
    v.shot("cockpit-bigscreen")
    assert v.errors == []


def test_cockpit_quadrant_is_the_librarys(server, login_headers):
    """A district's CO2 reduction in the table equals policy − baseline summed by hand over
    the district's lines (regions.csv parents), and its quadrant is coordinates()'."""
    import httpx
    import numpy as np

    from cocontrol.metrics import coordinates

    base = server.demo_base
    page = httpx.get(server.url + "/web/cockpit/?year=2030&pollutant=SO2",
                     headers=login_headers("analyst"))
    assert page.status_code == 200
    reg = base.project.regions.set_index("region_id")

    def district(rid):
        while isinstance(rid, str) and reg.at[rid, "level"] != "district":
            rid = reg.at[rid, "parent_id"]
        return rid  # NaN for the city-wide lines

    t = base.years.index(2030)
    mask = np.array([district(x) == "hedong" for x in base.lines["region_id"]])
    co2 = base.species.index("CO2")
    so2 = base.species.index("SO2")
    e_pol = run(base, "policy").emissions[mask][:, :, t].sum(axis=0)
    e_ref = run(base, "baseline").emissions[mask][:, :, t].sum(axis=0)
    red_co2, red_so2 = e_ref[co2] - e_pol[co2], e_ref[so2] - e_pol[so2]
    label = coordinates(red_co2, red_so2, lang="zh")["quadrant_label"].iloc[0]
    assert f"{red_co2:,.0f}" in page.text
    assert label in page.text
