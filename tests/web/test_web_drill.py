"""Drill-down with provenance (issue 15 item 3) in a real headless Chromium.

Region → sector → enterprise → source → activity rows by clicking; every number on the way is
compared with a hand sum over the library's inventory arrays (``Inventory.emissions`` of the
lines of scope 1 matching the path). A number's derivation shows the factor's source as the
inventory's factor report records it (``Inventory.line_factor_report``), the control
technology with its removal from control_removal.csv, the measured value that replaced the
computed one (``Inventory.measured_cells``: PP1_U1's CEMS SO2 2020 = 126.5 t in
examples/demo-city/measured.csv), and the project version's content hash as the service
stored it. The cockpit's base-year CO2 opens the same derivation with the same number."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

import numpy as np
import pytest

LANGS = ("zh", "en")


ROOT = Path(__file__).resolve().parents[2]


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def hand_sum(inv, species: str, year: int, **path) -> float:
    s, y = inv.species.index(species), inv.years.index(year)
    m = (inv.lines["scope"] == 1).to_numpy().copy()
    for col, val in path.items():
        m &= (inv.lines[col].astype(str) == val).to_numpy()
    return float(inv.emissions[m, s, y].sum())


def _values(page) -> dict[str, float]:
    rows = page.locator("#drill-table tbody tr")
    return {rows.nth(i).get_attribute("data-key"): float(
        rows.nth(i).locator("[data-role=value]").get_attribute("data-value"))
        for i in range(rows.count())}


@pytest.mark.parametrize("lang", LANGS)
def test_drill_down_numbers_are_the_librarys(visit, server, lang):
    inv = server.demo_base.inventory
    year = inv.years[0]
    v = visit(lang).login("analyst", next_path="/web/drill/?species=SO2")
    path: dict[str, str] = {}
    steps = [("district", "hedong"), ("sector", "power"), ("enterprise", "huaxin_power"),
             ("source_id", "PP1_U1")]
    for level, key in steps:
        assert v.page.locator("#drill-table").get_attribute("data-level") == level
        got = _values(v.page)
        for k, val in got.items():
            assert val == pytest.approx(hand_sum(inv, "SO2", year, **path, **{level: k}),
                                        rel=1e-12, abs=1e-9), (level, k)
        total = float(v.page.locator("#drill-total [data-role=total]").get_attribute(
            "data-value"))
        assert total == pytest.approx(sum(got.values()), rel=1e-12)
        v.shot(f"drill-{level}")
        with v.page.expect_navigation():
            v.page.locator(f"#drill-table tr[data-key='{key}'] td:first-child a").click()
        path[level] = key
    # the activity rows of PP1_U1: activity and factor of each, the measured value used
    assert v.page.locator("#drill-table").get_attribute("data-level") == "line"
    rows = v.page.locator("#drill-table tbody tr")
    lines = np.flatnonzero(((inv.lines["source_id"] == "PP1_U1")
                            & (inv.lines["scope"] == 1)).to_numpy())
    assert rows.count() == len(lines)
    y = inv.years.index(year)
    for i, ln in enumerate(lines):
        assert _num(rows.nth(i).locator("td").nth(2).inner_text()) == pytest.approx(
            inv.activity[ln, y], abs=0.5)
    used = sum(float(rows.nth(i).locator("[data-role=value]").get_attribute("data-value"))
               for i in range(rows.count()))
    assert used == pytest.approx(126.5, abs=1e-6)  # measured.csv: PP1_U1 SO2 2020 CEMS
    assert v.unlabelled_controls() == []
    v.shot("drill-rows")
    assert v.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_opens_its_derivation(visit, server, lang):
    from sqlalchemy import select

    from cocontrol.service import projects
    from cocontrol.service.models import Project

    inv = server.demo_base.inventory
    year = inv.years[0]
    v = visit(lang).login("leader", next_path=quote(
        "/web/drill/?species=SO2&district=hedong&sector=power", safe="/?="))
    v.page.locator("#drill-table tr[data-key=huaxin_power] a.prov").click()
    v.page.wait_for_selector("#prov-dialog[open] #prov-rows")
    d = v.page.locator("#prov-dialog")
    expected = hand_sum(inv, "SO2", year, enterprise="huaxin_power")
    assert float(d.locator("#prov").get_attribute("data-value")) == pytest.approx(
        expected, rel=1e-12)
    assert _num(d.locator("#prov-number [data-role=value]").inner_text()) == pytest.approx(
        expected, abs=0.5)
    # the factor's source: the inventory's factor report for the coal line of PP1_U1
    rep = inv.line_factor_report()
    ln = int(np.flatnonzero(((inv.lines["source_id"] == "PP1_U1")
                             & (inv.lines["fuel"] == "raw_coal_cn")).to_numpy())[0])
    source = rep[(rep["line"] == ln) & (rep["species"] == "SO2")]["source"].iloc[0]
    row = d.locator(f"#prov-rows tr[data-line='{ln}']")
    assert row.locator("td.factor-source").inner_text() == source
    assert "EMEP/EEA" in source
    # the control: ultra-low emission retrofit with its removal (control_removal.csv)
    assert "ule_power" in d.locator("#prov-controls").inner_text()
    # the measured values used (measured.csv: CEMS)
    meas = d.locator("#prov-measured tr[data-source=PP1_U1] td")
    assert _num(meas.nth(2).inner_text()) == pytest.approx(126.5)
    # the project version and its content hash, as the service stored them
    with server.session() as s:
        p = s.scalar(select(Project).where(Project.id == server.demo_project_id))
        ver = projects.latest(s, p)
        number, content_hash = ver.number, ver.content_hash
    assert d.locator("[data-role=content-hash]").inner_text() == content_hash
    assert f"v{number}" in d.locator("#prov-meta").inner_text()
    assert d.locator("[data-role=project-hash]").inner_text() == \
        inv.provenance().project_hash
    v.shot("drill-provenance")
    # the same as a page, and as JSON (the API route)
    v.page.locator("#prov-dialog-close").click()
    r = v.page.request.get(server.url + "/api/web/drill/why?species=SO2"
                                        "&enterprise=huaxin_power")
    assert r.status == 200
    body = r.json()
    assert body["value_t"] == pytest.approx(hand_sum(inv, "SO2", year,
                                                     enterprise="huaxin_power"))
    assert body["version"]["content_hash"] == content_hash
    assert any(x["factor_source"] == source for x in body["rows"])
    assert v.errors == []


def test_cockpit_number_opens_its_derivation(visit, server):
    v = visit("zh").login("analyst", next_path="/web/cockpit/")
    tile = v.page.locator(".tile[data-key=CO2] [data-role=base-value]")
    co2_mt = _num(tile.inner_text())
    tile.click()
    v.page.wait_for_selector("#prov-dialog[open] #prov-rows")
    shown_t = _num(v.page.locator("#prov-dialog #prov-number [data-role=value]").inner_text())
    assert shown_t * 1e-6 == pytest.approx(co2_mt, abs=0.005)  # Mt on the tile, t here
    assert shown_t * 1e-6 == pytest.approx(27.0, abs=0.05)  # scenarios.yaml's comment
    assert v.page.locator("#prov-dialog td.factor-source").count() > 10
    v.shot("cockpit-provenance")
    assert v.errors == []


def test_cockpit_scenario_number_opens_its_derivation(visit, server):
    """A target's value of the cockpit (SO2 of the policy scenario in 2025, kt) opens the
    scenario's derivation: the number is the scenario engine's (run here by the library), with
    the scenario chain of scenarios.yaml, every measure of the scenario with the penetration
    it has in 2025 (the linear ramp of the library's start and full year, capped by the
    scenario's penetration), the drivers of drivers.csv and the base inventory's hash."""
    import csv

    from cocontrol.scenario import run, totals

    base = server.demo_base
    want = float(totals(run(base, "policy")).at["SO2", 2025])
    v = visit("en").login("leader", next_path="/web/cockpit/?scenario=policy")
    cell = v.page.locator('#targets tr[data-target="SO2 cap 2025"] a.prov[data-role=value]')
    assert float(cell.get_attribute("data-value")) == pytest.approx(want * 1e-3, rel=1e-9)
    cell.click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=scenario] #prov-measures")
    dlg = v.page.locator("#prov-dialog")
    assert float(dlg.locator("#prov").get_attribute("data-value")) == pytest.approx(
        want, rel=1e-12)
    assert "policy → baseline" in dlg.locator("#prov-chain").inner_text()
    uses = base.scenarios["policy"].measures
    assert dlg.locator("#prov-measures tbody tr").count() == len(uses)
    lib = base.lib
    for mid in ("scattered_coal_to_gas", "nev_passenger"):
        u = uses[mid]
        start = u.start_year or int(lib.at[mid, "start_year"])
        full = u.full_year or int(lib.at[mid, "full_year"])
        pen = min(u.penetration, float(lib.at[mid, "max_penetration"])) * min(
            1.0, max(0.0, (2025 - start) / (full - start)))
        row = dlg.locator(f'#prov-measures tr[data-measure="{mid}"]')
        assert _num(row.locator("[data-role=pen-year]").inner_text()) == pytest.approx(
            pen, abs=5e-4), mid
    with open(ROOT / "examples/demo-city/drivers.csv", encoding="utf-8") as f:
        gdp = {int(r["year"]): float(r["value"]) for r in csv.DictReader(f)
               if r["driver"] == "gdp"}
    assert float(dlg.locator('#prov-drivers tr[data-driver="gdp"] td[data-year="2025"]')
                 .get_attribute("data-value")) == pytest.approx(gdp[2025])
    assert dlg.locator("[data-role=project-hash]").inner_text() == \
        base.inventory.provenance().project_hash
    v.shot("cockpit-scenario-provenance")
    assert v.errors == []


def test_scenario_comparison_numbers_open_their_derivation(visit, server):
    """The comparison page: each scenario's CO2 pathway is the library's run, the peak year is
    the year of the largest total (found here by hand over the run's totals), the targets met
    are counted here from check_targets; a number opens its scenario derivation."""
    from cocontrol.scenario import check_targets, discounted_cost, run, totals

    base = server.demo_base
    v = visit("zh").login("analyst", next_path="/web/scenarios/")
    v.page.wait_for_selector("#sc-pathways")
    for name in base.scenarios:
        r = run(base, name)
        tot = totals(r).loc["CO2"]
        row = v.page.locator(f'#sc-pathways tr[data-scenario="{name}"]')
        for y in (2020, 2030, 2060):
            assert float(row.locator(f'td[data-year="{y}"] [data-role=value]')
                         .get_attribute("data-value")) == pytest.approx(tot[y], rel=1e-12)
        summary = v.page.locator(f'#sc-summary tr[data-scenario="{name}"]')
        peak_year = max(tot.index, key=lambda y: tot[y])
        assert int(summary.locator("[data-role=peak-year]").inner_text()) == peak_year
        tg = check_targets(base, r)
        assert summary.locator("[data-role=targets]").get_attribute("data-met") == \
            str(int(sum(bool(x) for x in tg["passed"])))
        assert float(summary.locator("[data-role=cost]").get_attribute("data-value")) == \
            pytest.approx(discounted_cost(base, r), rel=1e-12)
    cell = v.page.locator('#sc-pathways tr[data-scenario="enhanced"] td[data-year="2030"] a.prov')
    cell.click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=scenario] #prov-measures")
    assert float(v.page.locator("#prov-dialog #prov").get_attribute("data-value")) == \
        pytest.approx(float(cell.get_attribute("data-value")), rel=1e-12)
    assert "enhanced" in v.page.locator("#prov-dialog #prov-chain").inner_text()
    v.page.click("#prov-dialog-close")
    # the present-value cost opens its derivation: the years' PVs and the measures' PVs
    # each add up to discounted_cost (closure)
    pv = discounted_cost(base, run(base, "policy"))
    v.page.locator('#sc-summary tr[data-scenario="policy"] a.prov[data-role=cost]').click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=cost] #prov-cost-measures")
    sec = v.page.locator("#prov-dialog #prov")
    assert float(sec.get_attribute("data-value")) == pytest.approx(pv, rel=1e-12)
    for table in ("#prov-cost-periods", "#prov-cost-measures"):
        parts = sec.locator(f"{table} [data-role=pv]").evaluate_all(
            "els => els.map(e => Number(e.dataset.value))")
        assert parts and sum(parts) == pytest.approx(pv, rel=1e-9)
    v.page.click("#prov-dialog-close")
    # a species the scenario has not: refused in both languages
    r = v.page.request.get(server.url + f"/api/web/drill/scenario-why?project_id="
                           f"{server.demo_project_id}&scenario=policy&species=Hg&year=2030")
    assert r.status == 422
    body = r.json()["error"]
    assert "Hg" in body["message"] and "情景中没有" in body["message_zh"], body
    assert v.unlabelled_controls() == []
    v.shot("scenarios-provenance")
    assert v.errors == []


def test_drill_refused_outside_the_visitors_scope(visit, server):
    pid = server.demo_project_id
    v = visit("en").login("steel", next_path="/web/drill/")
    assert v.page.locator("#no-project").count() == 1
    assert v.open(f"/web/drill/?project_id={pid}").status == 404
    assert v.open(f"/web/drill/why?project_id={pid}&species=SO2").status == 404
    r = v.page.request.get(server.url + f"/api/web/drill/why?project_id={pid}")
    assert r.status == 404
    a = visit("zh")
    assert a.open(f"/web/drill/why?project_id={pid}").status == 401
    r = a.page.request.get(server.url + f"/api/web/drill/why?project_id={pid}")
    assert r.status == 401


def test_chart_points_open_their_derivation(visit, server):
    """A point of the cockpit's CO2 pathway and of the scenario comparison's chart opens the
    scenario's derivation of that year in the dialog: its value is the scenario engine's
    (run here by the library)."""
    from plotclick import click_year

    from cocontrol.scenario import run, totals

    base = server.demo_base
    v = visit("en").login("analyst", next_path="/web/cockpit/?scenario=policy")
    want = float(totals(run(base, "policy")).at["CO2", 2030])
    click_year(v.page, '#tiles article[data-key="CO2"] .spark', 0, 2030)
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=scenario] #prov-measures")
    dlg = v.page.locator("#prov-dialog")
    assert float(dlg.locator("#prov").get_attribute("data-value")) == pytest.approx(
        want, rel=1e-12)
    assert "year=2030" in dlg.locator("#prov-dialog-page").get_attribute("href")
    assert "policy → baseline" in dlg.locator("#prov-chain").inner_text()
    v.page.click("#prov-dialog-close")
    # the energy tile's 2030: the scenario's energy use of every fuel line (tce); its coal
    # (fuels of kind solid in fuels.csv) as JSON
    from cocontrol import refdata
    from cocontrol.scenario import energy

    e = energy(base, run(base, "policy"), unit="tce")
    e = e[e["year"] == 2030]
    click_year(v.page, '#tiles article[data-key="energy"] .spark', 0, 2030)
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=energy] #prov-fuels")
    assert float(dlg.locator("#prov").get_attribute("data-value")) == pytest.approx(
        float(e["value"].sum()), rel=1e-12)
    assert dlg.locator("#prov-fuels tbody tr").count() == len(e)
    v.page.click("#prov-dialog-close")
    kinds = refdata.table("fuels").set_index("code")["kind"]
    solid = float(e.loc[e["fuel"].map(kinds) == "solid", "value"].sum())
    r = v.page.request.get(server.url + "/api/web/drill/scenario-why?" + urlencode(
        {"project_id": server.demo_project_id, "scenario": "policy", "indicator": "coal",
         "year": 2030}))
    assert r.status == 200 and r.json()["value"] == pytest.approx(solid, rel=1e-12)
    # the comparison page's pathway chart: the enhanced scenario's 2040
    w = visit("zh").login("analyst", next_path="/web/scenarios/")
    names = list(base.scenarios)
    k = names.index("enhanced")
    click_year(w.page, "#sc-chart", k, 2040)
    w.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=scenario] #prov-measures")
    assert float(w.page.locator("#prov-dialog #prov").get_attribute("data-value")) == \
        pytest.approx(float(totals(run(base, "enhanced")).at["CO2", 2040]), rel=1e-12)
    assert "enhanced" in w.page.locator("#prov-dialog #prov-chain").inner_text()
    w.shot("scenarios-chart-provenance")
    assert v.errors == [] and w.errors == []
