"""Uncertainty page (issues 15 and 18): the assessment runs as a job with progress and the
page shows the probability of attainment the library gives for the same small fixed-seed run
(50 draws of the demo city's policy scenario to 2035, seed 3), fan charts, Sobol and tornado
bars; a bureau leader (no jobs:run) can open the stored result but not run one.

Expected values: ``cocontrol.uncertainty.runner.assess`` on the stored version's files,
called here."""

from __future__ import annotations

import time

import httpx
import pytest
from plotclick import open_point

PARAMS = {"scenario": "policy", "draws": 50, "seed": 3, "until": 2035, "sobol": 16}


@pytest.fixture(scope="module")
def library(server):
    from cocontrol.service import projects
    from cocontrol.service.models import Project
    from cocontrol.uncertainty.runner import assess

    with server.session() as s:
        v = projects.latest(s, s.get(Project, server.demo_project_id))
        files = projects.version_files(s, v)
    with projects.materialised(files) as folder:
        a = assess(folder, PARAMS["scenario"], draws=PARAMS["draws"], seed=PARAMS["seed"],
                   until=PARAMS["until"], sobol=PARAMS["sobol"])
    return a


def _run(v, params: dict) -> str:
    for k, x in params.items():
        v.page.fill(f"#run-{k}", str(x))
    v.page.click("#run-submit")
    v.page.wait_for_selector("#result:not([hidden]) #table-attainment tbody tr")
    return v.page.locator("#result").get_attribute("data-result")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attainment_is_the_librarys(visit, server, library, lang):
    v = visit(lang).login("analyst", next_path="/web/uncertainty/")
    v.page.wait_for_selector("#run-form")
    rid = _run(v, PARAMS)
    assert rid
    assert v.page.locator("#job-box").get_attribute("data-status") == "succeeded"
    att = library.attainment
    rows = v.page.locator("#table-attainment tbody tr")
    assert rows.count() == len(att)
    for i, r in enumerate(att.itertuples()):
        row = rows.nth(i)
        assert row.get_attribute("data-target") == r.target
        got = float(row.locator('td[data-col="probability"]').get_attribute("data-value"))
        assert got == pytest.approx(r.probability, abs=1e-12), r.target
    assert float(v.page.locator("#unc-summary").get_attribute("data-probability-all")) == \
        pytest.approx(att["probability"].iloc[-1], abs=1e-12)
    if lang == "zh":
        assert rows.nth(len(att) - 1).locator("td").first.inner_text() == "全部目标同时达到"
    # fan charts, Sobol and tornado bars drawn
    for chart in ("chart-fan-co2", "chart-fan-pm25", "chart-sobol", "chart-tornado"):
        assert v.page.locator(f"#{chart} .main-svg").count() >= 1, chart
    q50 = library.fans["CO2"]["q50"]
    cell = v.page.locator("#table-fans tbody tr").nth(2).locator('td[data-col="q50"]')
    assert float(cell.get_attribute("data-value")) == pytest.approx(float(q50.iloc[2]),
                                                                    rel=1e-12)
    assert int(v.page.locator("#table-sobol").get_attribute("data-rows")) == len(library.sobol)
    # an attainment probability opens its derivation (the stored result's row, /web/drill/result-why)
    v.page.locator('#table-attainment tbody tr').first.locator(
        'td[data-col="probability"] a.prov').click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=result]")
    got = float(v.page.locator("#prov-dialog section.prov").get_attribute("data-value"))
    assert got == pytest.approx(att["probability"].iloc[0], abs=1e-12)
    assert v.page.locator('#prov-dialog tr[data-col="target"] td').inner_text() == \
        att["target"].iloc[0]
    v.page.click("#prov-dialog-close")
    # so does the summary's "all targets together" (the attainment table's last row)
    v.page.click("#unc-prob-all")
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=result]")
    got = float(v.page.locator("#prov-dialog section.prov").get_attribute("data-value"))
    assert got == pytest.approx(att["probability"].iloc[-1], abs=1e-12)
    v.page.click("#prov-dialog-close")
    if lang == "en":  # chart points: a median of the CO2 fan, a Sobol and a tornado bar
        got = open_point(v.page, "#chart-fan-co2")
        assert got["query"]["table"] == "fans" and got["query"]["column"] == "q50"
        assert got["row"]["variable"] == "CO2"
        want = float(library.fans["CO2"].loc[int(got["row"]["year"]), "q50"])
        assert got["value"] == pytest.approx(want, rel=1e-12)
        assert got["point"]["y"] == pytest.approx(want * 1e-6, rel=1e-12)  # drawn in Mt
        for chart, table in (("#chart-sobol", "sobol"), ("#chart-tornado", "tornado")):
            got = open_point(v.page, chart)
            frame = getattr(library, table)
            frame = frame if "factor" in frame.columns else frame.reset_index()
            want = frame.set_index("factor").at[got["row"]["factor"], got["query"]["column"]]
            assert got["query"]["table"] == table
            assert got["value"] == pytest.approx(float(want), rel=1e-12), chart
    assert v.unlabelled_controls() == []
    v.shot("uncertainty")
    assert v.errors == []


def test_leader_opens_but_cannot_run(visit, server, login_headers):
    from cocontrol.service import projects
    from cocontrol.service.models import Project

    with server.session() as s:
        vid = projects.latest(s, s.get(Project, server.demo_project_id)).id
    # a stored result of the bureau (an analyst's run through the API)
    r = httpx.post(server.url + "/api/jobs/uncertainty", headers=login_headers("analyst"),
                   json={"project_version_id": vid, "params": PARAMS | {"sobol": 0}},
                   timeout=900)
    assert r.status_code in (200, 202), r.text
    job = r.json()
    h = login_headers("analyst")
    for _ in range(900):
        if job["status"] in ("succeeded", "failed", "cancelled", "timed_out"):
            break
        time.sleep(1)
        job = httpx.get(f"{server.url}/api/jobs/{job['id']}", headers=h, timeout=60).json()
    assert job["status"] == "succeeded", job
    v = visit("zh").login("leader", next_path="/web/uncertainty/")
    v.page.wait_for_selector("#unc-no-run")
    assert v.page.locator("#run-form").is_hidden()
    v.page.click("#open-previous")  # the newest result of the bureau (same jurisdiction)
    v.page.wait_for_selector("#result:not([hidden]) #table-attainment tbody tr")
    v.shot("uncertainty-leader")
    r = httpx.post(server.url + "/api/jobs/uncertainty", headers=login_headers("leader"),
                   json={"project_version_id": vid, "params": PARAMS}, timeout=60)
    assert r.status_code == 403
    a = visit("en")
    assert a.open("/web/uncertainty/").status == 401
    assert v.errors == []
