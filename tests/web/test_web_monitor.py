"""Early-warning board (issues 15 and 16): the board shows the stored alerts of the demo
monitoring data with the levels and probabilities the library gives, the drivers and closing
measures stored with them, the cases with their workflow status and the notice links, each
visitor only those of his jurisdiction.

The demo monitoring data (examples/demo-city/monitoring: series.csv, targets.yaml,
enterprise_hourly.csv, permits.csv; ILLUSTRATIVE) are stored through the API as a bureau
analyst would: an upload of the bureau, its targets assessed with forecasts and explained
with the demo project, the enterprise rules run on the steel works' hourly data. The expected
levels are computed here with ``cocontrol.monitoring.assess`` on the same rows."""

from __future__ import annotations

from pathlib import Path

import httpx
import pandas as pd
import pytest
import yaml

from cocontrol.monitoring import MonitoringError, assess, from_frame, load_targets

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city" / "monitoring"
ASSESS = {"forecast": True, "models": ["snaive", "theta"], "n_paths": 200}


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: v for k, v in r.items() if not (isinstance(v, float) and v != v)}
            for r in df.to_dict("records")]


def _series_rows() -> list[dict]:
    """series.csv with the monthly CO2, SO2 and NOx nowcasts `cocontrol monitor` adds
    (carbon from power, calibrated to the annual values; each row keeps its source)."""
    from cocontrol.monitoring import runner
    from cocontrol.monitoring.io import MonitoringInputs, read_series

    res = runner.run(MonitoringInputs(folder=None, series=read_series(DEMO / "series.csv")),
                     None, entity="demo_city", network=False, with_measures=False)
    d = res.series.data
    rows = []
    for r in d.itertuples(index=False):
        row = {"entity": r.entity, "indicator": r.indicator,
               "sector": r.sector or None, "fuel": r.fuel or None,
               "period": f"{r.year}" if r.month == 0 else f"{r.year}-{r.month:02d}",
               "value": None if r.value_original != r.value_original else r.value_original,
               "unit": r.unit_original, "source": r.source}
        if r.valid_days == r.valid_days and r.valid_days is not None:
            row["valid_days"] = r.valid_days
        rows.append(row)
    return rows


def _hourly_rows() -> list[dict]:
    h = pd.read_csv(DEMO / "enterprise_hourly.csv")
    out = []
    for r in _records(h):
        row = {"facility": r["facility"], "time": r["time"].replace(" ", "T"),
               "production_kw": r.get("production_kw"), "treatment_kw": r.get("treatment_kw"),
               "conc": {k[5:]: v for k, v in r.items() if k.startswith("conc_")}}
        out.append(row)
    return out


@pytest.fixture(scope="module")
def stored(server, login_headers):
    """The demo monitoring data stored for the bureau (alerts) and the steel works (cases)."""
    from sqlalchemy import select

    from cocontrol.service.models import Organisation

    with server.session() as s:
        orgs = {o.code: o.id for o in s.scalars(select(Organisation))}
    h = login_headers("analyst")
    rows = _series_rows()
    r = httpx.post(server.url + "/api/monitoring/uploads", headers=h, timeout=600,
                   json={"name": "demo monitoring (ILLUSTRATIVE)", "rows": rows,
                         "org_id": orgs["demo_city"]})
    assert r.status_code == 201, r.text
    up = r.json()
    targets = yaml.safe_load((DEMO / "targets.yaml").read_text(encoding="utf-8"))
    # the library on the same rows (the stored, validated ones); a target the stored series
    # cannot judge would be left out of the assessment
    series = from_frame(pd.DataFrame(httpx.get(
        f"{server.url}/api/monitoring/uploads/{up['id']}", headers=h,
        timeout=60).json()["series"]), file="test")
    lib, kept = {}, []
    for t, raw in zip(load_targets(targets).targets, targets["targets"], strict=True):
        try:
            lib[t.id] = assess(t, series, n_paths=ASSESS["n_paths"], with_forecast=True,
                               models=tuple(ASSESS["models"]))
        except MonitoringError:
            continue
        kept.append(raw)
    assert len(kept) >= 8
    r = httpx.post(f"{server.url}/api/monitoring/uploads/{up['id']}/alerts", headers=h,
                   timeout=900, json={"targets": targets | {"targets": kept}, "explain": True,
                                      "project_id": server.demo_project_id, **ASSESS})
    assert r.status_code == 201, r.text
    alerts = r.json()
    limits = pd.read_csv(DEMO / "permits.csv")[["facility", "pollutant", "limit", "unit",
                                                "basis"]]
    r = httpx.post(server.url + "/api/monitoring/cases", headers=h, timeout=600,
                   json={"org_id": orgs["demo_steel"], "rows": _hourly_rows(),
                         "limits": _records(limits)})
    assert r.status_code == 201, r.text
    cases = r.json()["cases"]
    assert cases
    r = httpx.post(f"{server.url}/api/monitoring/cases/{cases[0]['id']}/transition",
                   headers=h, timeout=60, json={"to": "assigned", "owner": "demo steel works"})
    assert r.status_code == 200, r.text
    return {"alerts": alerts, "cases": cases, "lib": lib, "orgs": orgs,
            "assigned": cases[0]["key"]}


def _open(v, target: str) -> None:
    """Unfold the drivers and measures of a target (stays open when already open)."""
    v.page.eval_on_selector(f'tr[data-detail="{target}"] details', "d => { d.open = true; }")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_board_levels_are_the_librarys(visit, server, stored, login_headers, lang):
    v = visit(lang).login("analyst", next_path="/web/monitor/")
    v.page.wait_for_selector("#mon-alerts")
    lib = stored["lib"]
    assert v.page.locator("#mon-alerts tbody tr[data-level]").count() == len(lib)
    for tid, a in lib.items():
        row = v.page.locator(f'#mon-alerts tr[data-target="{tid}"]')
        assert row.get_attribute("data-level") == a.level, tid
        p = row.locator("[data-role=probability]").get_attribute("data-value")
        if a.probability == a.probability:  # (NaN: not estimated, shown as a dash)
            assert float(p) == pytest.approx(a.probability, abs=1e-12), tid
        else:
            assert p == ""
    counts = {lv: int(v.page.locator(f'#mon-counts [data-level="{lv}"] [data-role=count]')
                      .inner_text()) for lv in ("red", "yellow", "green")}
    assert counts == {lv: sum(a.level == lv for a in lib.values())
                      for lv in ("red", "yellow", "green")}
    # a count opens what it counts: the library's targets at that level, each with its level,
    # its rule and the link to its own derivation
    lv = next(x for x in ("red", "yellow", "green") if counts[x])
    v.page.locator(f'#mon-counts [data-level="{lv}"] a.prov').click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=monitoring-count]")
    dlg = v.page.locator("#prov-dialog")
    assert int(dlg.locator("#prov-number [data-role=value]").inner_text()) == counts[lv]
    rows = dlg.locator("#prov-counted tbody tr").all()
    assert {r.get_attribute("data-target") for r in rows} == {
        tid for tid, a in lib.items() if a.level == lv} and len(rows) == counts[lv]
    assert {r.get_attribute("data-level") for r in rows} == {lv}
    assert rows[0].locator("a.prov").get_attribute("href").startswith(
        "/web/monitor/why?alert_id=")
    assert dlg.locator("#prov-rule tr.hit").get_attribute("data-level") == lv
    v.page.click("#prov-dialog-close")
    # drivers (LMDI) and closing measures as stored with the alerts
    payload = {a["target"]: a["alert"] for a in stored["alerts"]}
    with_drivers = [t for t, p in payload.items() if p["drivers"]]
    assert with_drivers
    t0 = with_drivers[0]
    _open(v, t0)
    eff = v.page.locator(f'tr[data-detail="{t0}"] [data-role=drivers] td[data-value]')
    assert eff.count() == len(payload[t0]["drivers"])
    total = sum(float(eff.nth(i).get_attribute("data-value")) for i in range(eff.count()))
    v.page.wait_for_selector(f'tr[data-detail="{t0}"] .mon-drivers-chart .main-svg')
    assert total == pytest.approx(sum(d["effect"] for d in payload[t0]["drivers"]))
    with_measures = [t for t, p in payload.items() if p["measures"]]
    for t in with_measures[:1]:
        _open(v, t)
        assert v.page.locator(f'tr[data-detail="{t}"] [data-role=measures] tbody tr').count() \
            == len(payload[t]["measures"])
    # cases with their workflow status, notices
    assert v.page.locator("#mon-cases tbody tr").count() == len(stored["cases"])
    assert v.page.locator(f'#mon-cases tr[data-case="{stored["assigned"]}"]') \
        .get_attribute("data-status") == "assigned"
    # the case count of a status opens the cases it counts: the one case assigned here, by
    # the workflow step found -> assigned; the others are still as found
    v.page.locator('#mon-case-counts [data-status="assigned"] a.prov').click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=monitoring-case-count]")
    assert dlg.locator("#prov-number [data-role=value]").inner_text() == "1"
    assert [r.get_attribute("data-case") for r in dlg.locator("#prov-counted tbody tr").all()] \
        == [stored["assigned"]]
    assert dlg.locator('#prov-counts [data-status="found"]').get_attribute("data-count") == \
        str(len(stored["cases"]) - 1)
    v.page.click("#prov-dialog-close")
    link = v.page.locator(f'#mon-notices li[data-org="{stored["orgs"]["demo_city"]}"] '
                          'a[data-format=html]')
    href = link.get_attribute("href")
    assert f"lang={lang}" in href
    assert v.page.locator(f'#mon-notices li[data-org="{stored["orgs"]["demo_city"]}"] '
                          'a[data-format=pdf]').count() == 1
    r = httpx.get(server.url + href, headers=login_headers("analyst"), timeout=300)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert v.unlabelled_controls() == []
    v.shot("monitor")
    assert v.errors == []


def test_board_is_scoped_per_role(visit, server, stored):
    # the steel works: no bureau alert, its own cases
    v = visit("zh").login("steel", next_path="/web/monitor/")
    v.page.wait_for_selector("#mon-no-alerts")
    assert v.page.locator("#mon-cases tbody tr").count() == len(stored["cases"])
    v.shot("monitor-enterprise")
    # another enterprise of the park: nothing of either
    w = visit("zh").login("other", next_path="/web/monitor/")
    w.page.wait_for_selector("#mon-no-alerts")
    assert w.page.locator("#mon-no-cases").count() == 1
    # anonymous: the login page (401)
    a = visit("en")
    r = a.open("/web/monitor/")
    assert r.status == 401 and a.page.locator("#login-form").count() == 1
    assert v.errors == [] and w.errors == []


def _pick(lib, need):
    """The first target (board order is by level) whose alert has ``need`` estimated."""
    return next(tid for tid, a in lib.items() if getattr(a, need) == getattr(a, need))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_board_numbers_open_their_derivation(visit, server, stored, lang):
    """A board number opens its derivation in the dialog: its value is the library's, with
    the uploaded rows it was read from, the target's basis, the forecast and the level rule."""
    v = visit(lang).login("analyst", next_path="/web/monitor/")
    v.page.wait_for_selector("#mon-alerts")
    lib = stored["lib"]
    tid = _pick(lib, "expected_value")
    a = lib[tid]
    v.page.locator(f'#mon-alerts tr[data-target="{tid}"] [data-role=expected] a.prov').click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=monitoring]")
    dlg = v.page.locator("#prov-dialog")
    assert dlg.locator("section.prov").get_attribute("data-field") == "expected_value"
    assert float(dlg.locator("section.prov").get_attribute("data-value")) == pytest.approx(
        a.expected_value, rel=1e-12)
    # the trajectory's step with the numbers put in, marked; the base and latest year's rows
    step = dlg.locator('#prov-steps tr[data-step="expected_value"]')
    assert "hit" in step.get_attribute("class")
    assert float(step.locator("td[data-value]").get_attribute("data-value")) == pytest.approx(
        a.expected_value, rel=1e-12)
    assert f"({a.latest_year} − {a.target.base_year})" in step.inner_text()
    periods = {r.get_attribute("data-period") for r in dlg.locator("#prov-inputs tbody tr").all()}
    assert str(a.target.base_year) in {p[:4] for p in periods}
    assert str(a.latest_year) in {p[:4] for p in periods}
    assert a.target.basis in dlg.locator('#prov-target tr[data-key="basis"]').inner_text()
    assert dlg.locator("#prov-rule tr.hit").get_attribute("data-level") == a.level
    v.page.click("#prov-dialog-close")
    # the probability of missing: the forecast model chosen and the sample paths
    tid = _pick(lib, "probability")
    a = lib[tid]
    v.page.locator(f'#mon-alerts tr[data-target="{tid}"] [data-role=probability] a.prov').click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-field=probability_of_missing]")
    assert float(dlg.locator("#prov").get_attribute("data-value")) == pytest.approx(
        a.probability, abs=1e-12)
    assert dlg.locator("#prov-forecast [data-role=model]").inner_text().startswith(
        a.forecast.chosen)
    assert dlg.locator("#prov-forecast [data-role=n-paths]").inner_text().startswith(
        str(ASSESS["n_paths"]))
    v.shot("monitor-provenance")
    v.page.click("#prov-dialog-close")
    # a driver effect (LMDI, stored with the alert): the same effect, decomposed again from
    # the uploaded rows; the activity step's value is it
    payload = {x["target"]: x["alert"] for x in stored["alerts"]}
    t0 = next(t for t, p in payload.items() if p["drivers"])
    first = payload[t0]["drivers"][0]
    _open(v, t0)
    v.page.locator(f'tr[data-detail="{t0}"] [data-role=drivers] tr[data-factor="{first["factor"]}"]'
                   ' a.prov').click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=monitoring-driver]")
    sec = dlg.locator("section.prov[data-kind=monitoring-driver]")
    assert float(sec.get_attribute("data-value")) == pytest.approx(first["effect"], rel=1e-12)
    step = dlg.locator(f'#prov-steps tr[data-col="{first["factor"]}"] td[data-value]')
    assert float(step.get_attribute("data-value")) == pytest.approx(first["effect"], rel=1e-9)
    assert dlg.locator("#prov-driver-rows tbody tr").count() > 0
    v.page.click("#prov-dialog-close")
    # a closing measure's cumulative reduction: the sum of the scenario's reductions up to it
    tm = next(t for t, p in payload.items() if p["measures"])
    ms = payload[tm]["measures"]
    _open(v, tm)
    v.page.locator(f'tr[data-detail="{tm}"] [data-role=measures] tbody tr').first.locator(
        "[data-role=cumulative] a.prov").click()
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=monitoring-measure]")
    sec = dlg.locator("section.prov[data-kind=monitoring-measure]")
    assert float(sec.get_attribute("data-value")) == pytest.approx(ms[0]["reduction"])
    assert float(sec.get_attribute("data-cumulative")) == pytest.approx(ms[0]["reduction"])
    assert dlg.locator("#prov-measure-before tbody tr").count() == 1   # the first: itself
    v.page.click("#prov-dialog-close")
    assert v.errors == []


def test_derivation_of_another_jurisdictions_alert_is_not_found(server, stored, login_headers):
    """The steel works and another enterprise cannot open a bureau alert's derivation (404,
    the same as an alert that does not exist); the bureau's analyst can (the library's value)."""
    aid = stored["alerts"][0]["id"]
    q = f"?alert_id={aid}&field=latest_value"
    ok = httpx.get(server.url + "/api/web/monitor/why" + q, headers=login_headers("analyst"),
                   timeout=120)
    assert ok.status_code == 200, ok.text
    lib = stored["lib"][stored["alerts"][0]["target"]]
    assert ok.json()["value"] == pytest.approx(lib.latest_value, rel=1e-12)
    for user in ("steel", "other"):
        h = login_headers(user)
        for path in ("/api/web/monitor/why", "/web/monitor/why"):
            r = httpx.get(server.url + path + q, headers=h, timeout=120)
            assert r.status_code == 404, (user, path, r.status_code)
        missing = httpx.get(server.url + "/api/web/monitor/why?alert_id=999999&field=gap",
                            headers=h, timeout=120)
        assert missing.status_code == 404
    # the board's counts go through the same scoping: the bureau counts its alerts and the
    # steel works' cases; the steel works counts no bureau alert and only its own cases;
    # another enterprise of the park counts nothing of either
    def count(user, **q):
        r = httpx.get(server.url + "/api/web/monitor/count", params=q,
                      headers=login_headers(user), timeout=120)
        assert r.status_code == 200, (user, q, r.text)
        return r.json()

    mine = {c["key"] for c in stored["cases"]}
    bureau = count("analyst")
    assert bureau["value"] == len(stored["lib"]) and {i["target"] for i in bureau["items"]} \
        == set(stored["lib"])
    assert {i["id"] for i in count("analyst", status="found")["items"]} \
        == mine - {stored["assigned"]}
    assert count("steel")["value"] == 0 and count("steel", level="red")["items"] == []
    assert {i["id"] for i in count("steel", status="found")["items"]} \
        == mine - {stored["assigned"]}
    other = count("other", status="found")
    assert other["value"] == 0 and sum(other["counts"].values()) == 0
    assert count("other")["value"] == 0
