"""What-if page (issue 15 item 4): a slider move is recomputed by the server and the numbers
on the page are the library's for that penetration; a what-if saved as a scenario is a new
project version whose scenario appears in the scenario lists and, run, gives the same numbers.

The expected values are computed here with the library's table functions, not with the
page's what-if module: ``cocontrol.scenario.run``/``totals`` of the scenario with the moved
penetration (a :class:`~cocontrol.scenario.spec.Scenario`), PM2.5 from the optimiser's
air-quality link of optimisation.yaml (``cocontrol.optimize.airlink.model_link``), avoided
deaths with ``cocontrol.health.avoided_deaths`` and the co-control coordinates with
``cocontrol.metrics.cocontrol_metrics``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from plotclick import open_point

from cocontrol.scenario import run, totals
from cocontrol.scenario import spec as sspec

MEASURE = "renewable_power_local"  # policy: 0.2 (examples/demo-city/scenarios.yaml)
MOVED = 0.45
YEAR = 2030
SHOTS = {}


def _moved_scenario(base, measure: str, p: float):
    sc = base.scenarios["policy"]
    m = dict(sc.measures)
    u = m[measure]
    m[measure] = sspec.MeasureUse(measure, p, u.start_year, u.full_year)
    return sspec.Scenario("policy", m, sc.extends, sc.description)


def expected(base, measure: str, p: float) -> dict:
    """CO2 (Mt), NOx (kt), PM2.5 (µg/m³), avoided deaths and APeq x_norm in YEAR."""
    from cocontrol.airquality.precursors import default_mapping
    from cocontrol.health import avoided_deaths
    from cocontrol.metrics import cocontrol_metrics
    from cocontrol.optimize import settings as st
    from cocontrol.optimize.airlink import model_link

    tot = totals(run(base, _moved_scenario(base, measure, p)))
    ref = totals(run(base, "baseline"))
    s = st.from_project(base.project)
    a, h = s.air_quality, s.health
    sp = tuple(ref.index)
    link = model_link(a.model, a.model_params(), a.city, sp, ref[base.years[0]].to_numpy(),
                      default_mapping(a.om_oc_ratio, a.om_share_of_primary))
    pm = float(link.pm25(tot[[YEAR]].to_numpy())[0])
    pm_ref = float(link.pm25(ref[[YEAR]].to_numpy())[0])
    deaths = float(avoided_deaths(pm_ref, pm, h.population, h.mortality_rate,
                                  crf=h.crf)["avoided_deaths"].iloc[0])
    met = cocontrol_metrics(pd.DataFrame([ref[YEAR]], index=[YEAR]),
                            pd.DataFrame([tot[YEAR]], index=[YEAR]))
    ap = met[met["pollutant"] == "APeq"].iloc[0]
    return {"CO2": tot.at["CO2", YEAR] * 1e-6, "NOx": tot.at["NOx", YEAR] * 1e-3,
            "pm25": pm, "deaths": deaths, "x_norm": float(ap["x_norm"])}


def _cell(v, key: str, role: str = "value") -> float:
    return float(v.page.locator(f'#wi-table tr[data-key="{key}"] '
                                f'td[data-year="{YEAR}"][data-role="{role}"]')
                 .get_attribute("data-value"))


def _move(v, measure: str, value: float, seq: int) -> None:
    v.page.evaluate("""([m, x]) => { const el = document.getElementById('pen-' + m);
        el.value = String(x); el.dispatchEvent(new Event('input', {bubbles: true})); }""",
                    [measure, value])
    v.page.wait_for_selector(f'#wi-table[data-seq="{seq}"][data-state="ready"]')


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_slider_move_gives_the_librarys_numbers(visit, server, lang):
    base = server.demo_base
    pid = server.demo_project_id
    v = visit(lang).login("analyst", next_path=f"/web/whatif/?project_id={pid}&scenario=policy")
    v.page.wait_for_selector('#wi-table[data-state="ready"] tr[data-key="em-CO2"]')
    before = expected(base, MEASURE, 0.2)
    assert _cell(v, "em-CO2") == pytest.approx(before["CO2"], rel=1e-9)
    assert _cell(v, "em-CO2", "change") == 0
    _move(v, MEASURE, MOVED, 1)
    want = expected(base, MEASURE, MOVED)
    assert want["CO2"] < before["CO2"] - 0.01  # more local renewables: less CO2
    assert _cell(v, "em-CO2") == pytest.approx(want["CO2"], rel=1e-9)
    assert _cell(v, "em-CO2", "change") == pytest.approx(want["CO2"] - before["CO2"],
                                                         rel=1e-6)
    assert _cell(v, "em-NOx") == pytest.approx(want["NOx"], rel=1e-9)
    assert _cell(v, "pm25") == pytest.approx(want["pm25"], rel=1e-9)
    assert _cell(v, "deaths") == pytest.approx(want["deaths"], rel=1e-9)
    assert _cell(v, "x_norm") == pytest.approx(want["x_norm"], rel=1e-9)
    shown = v.page.locator(f'#wi-table tr[data-key="em-CO2"] td[data-year="{YEAR}"]'
                           '[data-role="value"]').inner_text()
    assert shown == f"{want['CO2']:,.2f}"
    assert float(v.page.locator("#wi-ms").get_attribute("data-value")) > 0
    if lang == "zh":  # the moved number opens its derivation: the moved measure, the value
        v.page.locator(f'#wi-table tr[data-key="em-CO2"] td[data-year="{YEAR}"] a.prov').click()
        v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=scenario] #prov-measures")
        got = float(v.page.locator("#prov-dialog #prov").get_attribute("data-value"))
        assert got * 1e-6 == pytest.approx(want["CO2"], rel=1e-9)
        row = v.page.locator(f'#prov-dialog #prov-measures tr[data-measure="{MEASURE}"]')
        assert float(row.get_attribute("data-moved")) == pytest.approx(MOVED)
        assert MEASURE in v.page.locator('#prov-dialog [data-assumption="what_if"]').inner_text()
        v.shot("whatif-provenance")
        v.page.click("#prov-dialog-close")
        # PM2.5 and avoided deaths: the value, the settings of optimisation.yaml they use
        for key, section in (("pm25", "air_quality."), ("deaths", "health.")):
            v.page.locator(f'#wi-table tr[data-key="{key}"] td[data-year="{YEAR}"] a.prov').click()
            v.page.wait_for_selector(f"#prov-dialog[open] #prov[data-indicator={key}]")
            got = float(v.page.locator("#prov-dialog #prov").get_attribute("data-value"))
            assert got == pytest.approx(want[key], rel=1e-9), key
            assert v.page.locator(f'#prov-dialog #prov-settings tr[data-setting^="{section}"]'
                                  ).count() > 0, key
            assert v.page.locator(f'#prov-dialog #prov-measures tr[data-measure="{MEASURE}"]'
                                  ).get_attribute("data-moved") is not None
            v.page.click("#prov-dialog-close")
        # the YEAR point of each chart opens its derivation with the library's value: the
        # moved line's marker is clicked; where the scenario's line passes within a few
        # pixels plotly's hit test may give the point to either line, so the dialog's
        # address says which (moved penetrations or none) and the number is checked for it
        for chart, key, scale in (("#wi-chart-co2", "CO2", 1e-6), ("#wi-chart-pm25", "pm25", 1)):
            years = v.page.locator(chart).evaluate("el => el._fullData[1].x")
            got = open_point(v.page, chart, lambda m, ys=years: m["trace"] == 1
                             and ys[m["i"]] == YEAR, gap=0)
            moved = "moved" in got["query"]
            assert got["query"]["year"] == str(YEAR)
            assert not moved or MEASURE in got["query"]["moved"]
            lib = want if moved else before
            assert got["value"] * scale == pytest.approx(lib[key], rel=1e-9), (chart, moved)
            drawn = v.page.locator(chart).evaluate("(el, [t, i]) => el._fullData[t].y[i]",
                                                   [int(moved), got["mark"]["i"]])
            assert drawn == pytest.approx(lib[key], rel=1e-9), (chart, moved)
    assert v.page.locator("#wi-chart-co2 .main-svg").count() >= 1
    if lang == "en":  # more moves: the server time per move as the page reports it
        rng = np.random.default_rng(7)
        mids = v.page.eval_on_selector_all("#wi-slider-list input[type=range]",
                                           "els => els.map(e => [e.name, Number(e.max)])")
        for i in range(20):
            m, hi = mids[int(rng.integers(len(mids)))]
            _move(v, m, round(float(rng.uniform(0, hi)), 2), i + 2)
        p50 = float(v.page.locator("#wi-p50").inner_text())
        p95 = float(v.page.locator("#wi-p95").inner_text())
        print(f"what-if server time per move on the page: p50 {p50} ms, p95 {p95} ms "
              f"(21 moves)")
        SHOTS["p50"], SHOTS["p95"] = p50, p95
        assert p50 <= 250  # target 50 ms (issue 11); generous here: 2 shared cores
    assert v.unlabelled_controls() == []
    v.shot("whatif")
    assert v.errors == []


def _copy_of_demo(server) -> int:
    """A second project with the demo's version 1 (so saving leaves the demo project as it is)."""
    from sqlalchemy import select

    from cocontrol.service import projects
    from cocontrol.service.models import Organisation, Project

    with server.session() as s:
        demo = s.get(Project, server.demo_project_id)
        files = projects.version_files(s, projects.latest(s, demo))
        org = s.scalar(select(Organisation).where(Organisation.code == "demo_city"))
        p = Project(org_id=org.id, name="Demo copy (what-if test)", description="test")
        s.add(p)
        s.commit()
        v, created, errors, _ = projects.create_version(s, p, files, None, [], "copy", None)
        assert created and not errors
        return p.id


def test_save_as_scenario_appears_and_runs(visit, server):
    from cocontrol.project import load_project
    from cocontrol.scenario import prepare
    from cocontrol.service import projects
    from cocontrol.service.models import Project

    pid = _copy_of_demo(server)
    v = visit("en").login("analyst", next_path=f"/web/whatif/?project_id={pid}&scenario=policy")
    v.page.wait_for_selector('#wi-table[data-state="ready"] tr[data-key="em-CO2"]')
    _move(v, MEASURE, MOVED, 1)
    co2_page = _cell(v, "em-CO2")
    v.page.fill("#wi-name", "wi_more_solar")
    v.page.fill("#wi-description", "what-if: more local renewables")
    v.page.click("#wi-save-submit")
    v.page.wait_for_selector("#wi-saved-link")
    assert v.page.locator("#wi-save-result").get_attribute("data-version") == "2"
    v.shot("whatif-saved")
    # the new scenario is in the scenario lists (what-if and cockpit)
    v.page.click("#wi-saved-link")
    v.page.wait_for_selector('#wi-table[data-state="ready"]')
    opts = v.page.eval_on_selector_all("#f-scenario option", "os => os.map(o => o.value)")
    assert "wi_more_solar" in opts
    assert v.page.locator("#f-scenario").input_value() == "wi_more_solar"
    v.open(f"/web/cockpit/?project_id={pid}&scenario=wi_more_solar")
    v.page.wait_for_selector("#tiles")
    assert "wi_more_solar" in v.page.eval_on_selector_all(
        "#f-scenario option", "os => os.map(o => o.value)")
    # run from the stored version by the library: the numbers of the move
    with server.session() as s:
        ver = projects.latest(s, s.get(Project, pid))
        assert ver.number == 2
        files = projects.version_files(s, ver)
    with projects.materialised(files) as folder:
        base2 = prepare(load_project(folder))
    assert "wi_more_solar" in base2.scenarios
    tot = totals(run(base2, "wi_more_solar"))
    assert tot.at["CO2", YEAR] * 1e-6 == pytest.approx(co2_page, rel=1e-9)
    assert v.errors == []


def test_refused_without_permission(visit, server, login_headers):
    import httpx

    pid = server.demo_project_id
    # anonymous: the login page, and the move endpoint answers 401
    v = visit("zh")
    r = v.open("/web/whatif/")
    assert r.status == 401
    assert v.page.locator("#login-form").count() == 1
    body = {"scenario": "policy", "penetrations": {MEASURE: 0.3}}
    r = httpx.post(f"{server.url}/api/web/whatif/projects/{pid}/move", json=body, timeout=60)
    assert r.status_code == 401
    # the bureau leader may look (projects:read) but not save (projects:write)
    h = login_headers("leader")
    r = httpx.post(f"{server.url}/api/web/whatif/projects/{pid}/move", json=body, headers=h,
                   timeout=120)
    assert r.status_code == 200, r.text
    r = httpx.post(f"{server.url}/api/web/whatif/projects/{pid}/save",
                   json=body | {"name": "nope", "version": 1}, headers=h, timeout=60)
    assert r.status_code == 403
    page = httpx.get(f"{server.url}/web/whatif/?project_id={pid}", headers=h, timeout=120)
    assert page.status_code == 200 and 'id="wi-save"' not in page.text
    # an enterprise user does not see the bureau's project (404, not 403: no probing)
    r = httpx.post(f"{server.url}/api/web/whatif/projects/{pid}/move", json=body,
                   headers=login_headers("steel"), timeout=60)
    assert r.status_code == 404
    # out of range and unknown measures are refused with the problem named
    r = httpx.post(f"{server.url}/api/web/whatif/projects/{pid}/move",
                   json={"scenario": "policy", "penetrations": {"no_such": 0.5}}, headers=h,
                   timeout=60)
    assert r.status_code == 422 and "no_such" in json.dumps(r.json())
    assert v.errors == [] or all("401" in e for e in v.errors)


def test_unknown_species_of_the_scenario_page_is_a_plain_catalogue_message(server, login_headers):
    # the choice list was an English f-string under every language; now a catalogue message
    import httpx

    pid = server.demo_project_id
    h = login_headers("leader")
    r = httpx.get(f"{server.url}/web/scenarios/?project_id={pid}&species=XX", headers=h,
                  timeout=120)
    assert r.status_code == 422
    assert "species must be one of CO2, CO2e, SO2" in r.text or \
        "species 须为以下之一：CO2, CO2e, SO2" in r.text
    ok = httpx.get(f"{server.url}/web/scenarios/?project_id={pid}&species=SO2", headers=h,
                   timeout=120)
    again = httpx.get(f"{server.url}/web/scenarios/?project_id={pid}&species=SO2", headers=h,
                      timeout=120)
    assert ok.status_code == again.status_code == 200  # the cached rows serve the second
