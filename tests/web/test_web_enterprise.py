"""Enterprise pages (issue 17 item 8) in a real headless Chromium, network off: permits with
their compliance colours, the account with its carbon-efficiency grade and colour label,
footprints with their contributions by stage, the project library with its ranking.

The rows are stored through the API by the bureau analyst for the demo steel works (``steel``)
and for a second enterprise of the same park (``other``, see conftest.py); the steel works'
account is computed from the demo city's lines of Taihang Cement (its permit names a clinker
benchmark, so the account has a carbon-efficiency grade). The expected numbers
are the library's own (:mod:`cocontrol.enterprise.runner`, ``footprint``) on the same inputs,
called here; the steel user must not reach the other enterprise's pages or data (404).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cocontrol.enterprise import footprint, runner
from cocontrol.enterprise import io as eio

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
LANGS = ("zh", "en")
PASSWORD = "web test password 2026"  # tests/web/conftest.py gives every demo user this one
#: the demo city's enterprise whose lines stand for the demo steel works' organisation here
#: (Taihang Cement: its permit names a clinker benchmark, so the account has a grade)
EID = "taihang_cement"
#: the demo's own enterprise rows of the steel works (cocontrol.service.demo.load_enterprise)
DEMO_EID, DEMO_PRODUCT = "longmen_steel", "fenhe_coke"
DEMO_ROWS = {"permits": 1, "synergy": 1}
BADGE = {"within": "ok", "near": "warn", "exceeded": "bad", "permit expired": "bad",
         "not assessed": "none"}


def http_session(server, username: str) -> dict:
    """Cookie and X-CSRF-Token of a logged-in session, as conftest.http_session makes them
    (not imported: ``from conftest import`` takes whichever conftest pytest imported last when
    tests/web runs together with other folders)."""
    r = httpx.post(server.url + "/api/auth/login",
                   json={"username": username, "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    cookies = "; ".join(f"{c.name}={c.value}" for c in r.cookies.jar)
    return {"Cookie": cookies, "X-CSRF-Token": r.json()["csrf_token"]}


def _num(text: str) -> float:
    return float(text.replace(",", "").replace("±", "").replace("%", "").strip())


@pytest.fixture(scope="module")
def stored(server):
    """Rows of ``demo_steel`` and ``other_steel`` stored through the API by the analyst."""
    from sqlalchemy import select

    from cocontrol.service import projects
    from cocontrol.service.models import Organisation, Project

    with server.session() as s:
        org = {o.code: o.id for o in s.scalars(select(Organisation))}
        vid = projects.latest(s, s.get(Project, server.demo_project_id)).id
    data = eio.load(DEMO)
    h = http_session(server, "analyst")

    def post(path, body):
        r = httpx.post(server.url + "/api/enterprise/" + path, json=body, headers=h,
                       timeout=600)
        assert r.status_code in (200, 201), r.text
        return r.json()

    ids, cases = {}, []
    for code, eid in (("demo_steel", EID), ("other_steel", "longmen_steel")):
        ids[code] = mine = {}
        p = post("permits", {"org_id": org[code],
                             "permit": data.permit(eid).model_dump(mode="json")})
        conc = data.table("concentrations", eid)
        prod = data.table("production", eid)
        cases += post(f"permits/{p['id']}/compliance", {
            "project_version_id": vid,
            "concentrations": [] if conc is None else conc.to_dict("records"),
            "production": [] if prod is None else prod.to_dict("records")})["cases"]
        mine["permit"] = p["id"]
        va = data.table("value_added", eid)
        g = data.grade(eid)
        mine["account"] = post("accounts", {
            "org_id": org[code], "project_version_id": vid, "enterprise": eid,
            "production": [] if prod is None else prod.to_dict("records"),
            "value_added": [] if va is None else va.to_dict("records"),
            "performance": None if g is None else g.model_dump(mode="json")})["id"]
        mine["synergy"] = [post("synergy", {"org_id": org[code],
                                            "project": x.model_dump(mode="json")})["id"]
                           for x in data.projects if x.owner == eid]
    prods = {p.id: p for p in data.products}
    ids["demo_steel"]["footprint"] = post("footprints", {
        "org_id": org["demo_steel"],
        "product": prods["taihang_po425"].model_dump(mode="json")})["id"]
    ids["other_steel"]["footprint"] = post("footprints", {
        "org_id": org["other_steel"], "product": prods["fenhe_coke"].model_dump(mode="json")})["id"]
    post("synergy/assess", {"project_version_id": vid, "year": 2030})
    yield ids, data
    # the assessments opened monitoring cases (items near or above their limit): removed, so
    # that the early-warning board's tests on the same server see only their own cases
    from cocontrol.service.monitoring_store import MonitoringCase

    with server.session() as s:
        for c in s.scalars(select(MonitoringCase).where(MonitoringCase.id.in_(cases))):
            s.delete(c)
        s.commit()


@pytest.fixture(scope="module")
def lib(stored):
    """The library's results on the same inputs (the demo city folder)."""
    _, data = stored
    ctx = runner.context(DEMO)
    eid = EID
    mine = eio.EnterpriseData(permits=[data.permit(eid)], performance=[data.grade(eid)],
                              tables={k: v[v["enterprise_id"] == eid]
                                      for k, v in data.tables.items()
                                      if k in ("concentrations", "production", "value_added")})
    own = runner.Context(ctx.project, mine, ctx.inventory)
    ben, _ = runner.project_library(ctx, 2030, owner=eid)
    demo_ben, _ = runner.project_library(ctx, 2030, owner=DEMO_EID)
    return {"compliance": runner.permit_status(own, eid), "account": runner.account(own, eid),
            "inventory": ctx.inventory,
            "footprint": footprint([p for p in data.products if p.id == "taihang_po425"][0]),
            "benefits": {b.project: b.summary() for b in ben + demo_ben}}


def _cells(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        selector, "trs => trs.map(tr => [...tr.cells].map(c => c.textContent.trim()))")


@pytest.mark.parametrize("lang", LANGS)
def test_enterprise_pages_show_the_librarys_numbers(visit, stored, lib, lang):
    ids, _ = stored
    mine = ids["demo_steel"]
    v = visit(lang).login("steel", next_path="/web/enterprise/")
    page = v.page
    # permits: only its own (this one and the demo's), coloured by the worst item
    assert page.locator("#permits tbody tr").count() == 1 + DEMO_ROWS["permits"]
    rows = page.locator(f"#permits tbody tr[data-id='{mine['permit']}']")
    want = lib["compliance"]
    statuses = want["status"].tolist()
    worst = max(statuses, key=("within", "not assessed", "near", "exceeded",
                               "permit expired").index)
    assert rows.first.get_attribute("data-status") == worst
    assert f"badge {BADGE[worst]}" in rows.first.locator(".badge").get_attribute("class")
    page.click(f"#permits a[href='/web/enterprise/permits/{mine['permit']}']")
    page.wait_for_selector("#compliance")
    items = page.locator("#compliance tbody tr")
    assert [items.nth(i).get_attribute("data-status") for i in range(items.count())] == statuses
    for i, r in enumerate(want.itertuples()):
        cls = items.nth(i).locator(".badge").get_attribute("class")
        assert cls.endswith(BADGE[r.status])
        if r.actual == r.actual:  # an actual (NaN: not assessed, an em dash)
            assert _num(items.nth(i).locator("td").nth(4).inner_text()) == pytest.approx(
                r.actual, abs=5e-4)
    v.shot("enterprise-permit")
    # account: scope-1 totals of the library's account, grade label in the rule's colour
    acc = lib["account"]
    page.goto(v.server.url + f"/web/enterprise/accounts/{mine['account']}")
    page.wait_for_selector("#annual")
    for sp in ("CO2", "SO2", "NOx"):
        for year in sorted(set(acc.annual["year"])):
            cell = page.locator(f"#annual tr[data-species='{sp}'] td[data-year='{year}']")
            assert _num(cell.inner_text()) == pytest.approx(acc.total(sp, year), abs=0.05)
    last = acc.benchmark.sort_values("year").iloc[-1]
    label = page.locator("#carbon-grade .grade-label")
    assert label.get_attribute("data-level") == str(last["level"])
    assert label.inner_text() == (last["label_zh"] if lang == "zh" else last["label_en"])
    hexc = last["colour"].lstrip("#")
    rgb = f"rgb({int(hexc[:2], 16)}, {int(hexc[2:4], 16)}, {int(hexc[4:], 16)})"
    assert label.evaluate("e => getComputedStyle(e).backgroundColor") == rgb
    assert _num(page.locator("#carbon-grade [data-role=ratio]").inner_text()) == \
        pytest.approx(last["ratio"], abs=5e-5)
    assert page.locator("#performance-grade [data-role=grade]").inner_text() == \
        acc.performance.grade
    v.shot("enterprise-account")
    # footprint: total and contributions by stage, drawn
    fp = lib["footprint"]
    page.goto(v.server.url + f"/web/enterprise/footprints/{mine['footprint']}")
    page.wait_for_selector("#stage-chart .main-svg")
    assert _num(page.locator("#total [data-role=value]").inner_text()) == pytest.approx(
        fp.value_kg, abs=0.05)
    st = fp.by_stage()
    assert page.locator("#stages tbody tr").count() == len(st)
    for r in st.itertuples():
        got = page.locator(f"#stages tr[data-stage='{r.stage}'] [data-role=value]")
        assert _num(got.inner_text()) == pytest.approx(r.kg_co2e_per_fu, abs=0.005)
    v.shot("enterprise-footprint")
    # project library: its own projects, ranked as the library ranks them
    page.goto(v.server.url + "/web/enterprise/projects")
    page.wait_for_selector("#ranking")
    ranked = page.locator("#ranking tbody tr")
    ben = lib["benefits"]  # its own projects and the demo's (all assessed by the analyst)
    assert ranked.count() == len(ben)
    for i in range(ranked.count()):
        key = ranked.nth(i).get_attribute("data-project")
        assert _num(ranked.nth(i).locator("[data-role=co2]").inner_text()) == pytest.approx(
            ben[key]["co2_reduction_t"], abs=0.5)
    assert page.locator("#library tbody tr").count() == \
        len(ids["demo_steel"]["synergy"]) + DEMO_ROWS["synergy"]
    v.shot("enterprise-projects")
    assert v.unlabelled_controls() == []
    assert v.errors == []


def test_enterprise_user_cannot_reach_another_enterprise(visit, server, stored):
    ids, _ = stored
    other = ids["other_steel"]
    v = visit("en").login("steel", next_path="/web/enterprise/")
    for path in (f"permits/{other['permit']}", f"accounts/{other['account']}",
                 f"footprints/{other['footprint']}"):
        r = v.open(f"/web/enterprise/{path}")
        assert r.status == 404, path
    h = http_session(server, "steel")
    for path in (f"permits/{other['permit']}", f"accounts/{other['account']}",
                 f"footprints/{other['footprint']}", f"footprints/{other['footprint']}/report",
                 *(f"synergy/{i}" for i in other["synergy"])):
        r = httpx.get(server.url + "/api/enterprise/" + path, headers=h, timeout=60)
        assert r.status_code == 404, (path, r.text)
    # the lists hold only its own rows (the other enterprise's are not in them)
    for what, key in (("permits", "permit"), ("accounts", "account"),
                      ("footprints", "footprint")):
        r = httpx.get(server.url + f"/api/enterprise/{what}", headers=h, timeout=60)
        got = {i["id"] for i in r.json()["items"]}
        assert other[key] not in got and ids["demo_steel"][key] in got
    r = httpx.get(server.url + "/api/enterprise/synergy?limit=500", headers=h, timeout=60)
    assert not {i["id"] for i in r.json()["items"]} & set(other["synergy"])
    r = httpx.post(server.url + f"/api/enterprise/synergy/{other['synergy'][0]}/status",
                   json={"to": "withdrawn"}, headers=h, timeout=60)
    assert r.status_code == 404
    # the park manager sees both enterprises of its park
    hp = http_session(server, "park")
    r = httpx.get(server.url + "/api/enterprise/accounts", headers=hp, timeout=60)
    assert {other["account"], ids["demo_steel"]["account"]} <= {i["id"] for i in r.json()["items"]}
    # (the browser reports each 404 page as a failed resource; nothing else)
    assert [e for e in v.errors if "status of 404" not in e] == []


def test_fresh_demo_shows_the_illustrative_enterprise_rows(visit, server):
    """``cocontrol serve --demo``: the steel works' user finds its illustrative permit (assessed),
    account, footprint and synergy project, computed by the library from the demo city's data
    (examples/demo-city/enterprise), flagged illustrative on the pages."""
    from cocontrol.service.demo import DEMO_ENTERPRISE, DEMO_PRODUCT

    assert (DEMO_ENTERPRISE, DEMO_PRODUCT) == (DEMO_EID, "fenhe_coke")
    ctx = runner.context(DEMO)
    h = http_session(server, "steel")

    def items(what):
        r = httpx.get(server.url + f"/api/enterprise/{what}?limit=500", headers=h, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()["items"]

    permit = ctx.data.permit(DEMO_EID)
    got = [p for p in items("permits") if p["number"] == permit.number]
    assert len(got) == 1 and got[0]["permit"]["illustrative"] is True
    want = runner.permit_status(ctx, DEMO_EID)
    assert [c["status"] for c in got[0]["compliance"]] == want["status"].tolist()
    accs = [a for a in items("accounts") if a["enterprise_key"] == DEMO_EID]
    assert accs
    acc = httpx.get(server.url + f"/api/enterprise/accounts/{accs[-1]['id']}", headers=h,
                    timeout=60).json()
    lib = runner.account(ctx, DEMO_EID)
    for r in lib.annual[lib.annual["scope"] == 1].itertuples():
        cell = [a for a in acc["account"]["annual"] if (a["species"], a["year"], a["scope"])
                == (r.species, r.year, 1)]
        assert cell and cell[0]["value"] == pytest.approx(r.value, rel=1e-12, nan_ok=True)
    fps = [f for f in items("footprints") if f["product_key"] == DEMO_PRODUCT]
    prod = next(p for p in ctx.data.products if p.id == DEMO_PRODUCT)
    assert len(fps) == 1 and fps[0]["value_kg"] == pytest.approx(footprint(prod).value_kg,
                                                                  rel=1e-12)
    keys = {p["key"] for p in items("synergy")}
    assert {p.id for p in ctx.data.projects if p.owner == DEMO_EID} <= keys
    # on the pages, with the illustrative flag
    v = visit("en").login("steel", next_path="/web/enterprise/")
    assert v.page.locator(f"#permits tbody tr[data-id='{got[0]['id']}']").count() == 1
    v.page.goto(v.server.url + f"/web/enterprise/permits/{got[0]['id']}")
    assert v.page.locator(".illustrative").count() == 1
    v.page.goto(v.server.url + f"/web/enterprise/footprints/{fps[0]['id']}")
    assert v.page.locator(".illustrative").count() == 1
    assert acc["account"]["illustrative"] is True  # the demo project's manifest says so
    v.page.goto(v.server.url + f"/web/enterprise/accounts/{acc['id']}")
    assert v.page.locator("#account-illustrative").count() == 1
    assert v.errors == []


def _dialog_value(page, link) -> float:
    """Click a number's link and read the value of the derivation its dialog shows."""
    link.click()
    page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=enterprise]")
    raw = page.locator("#prov-dialog section.prov").get_attribute("data-value")
    return float(raw)


def _close(page):
    page.click("#prov-dialog-close")
    page.wait_for_selector("#prov-dialog:not([open])", state="attached")


@pytest.mark.parametrize("lang", LANGS)
def test_enterprise_numbers_open_their_derivation(visit, stored, lib, lang):
    """Issue 15 item 3 on the enterprise pages: a permit's ratio, an account's annual CO2 and
    its carbon-efficiency ratio, a footprint stage and a project's net cost each open a
    dialog whose value is the library's (the same inputs through cocontrol.enterprise)."""
    ids, _ = stored
    mine = ids["demo_steel"]
    v = visit(lang).login("steel", next_path=f"/web/enterprise/permits/{mine['permit']}")
    page = v.page
    page.wait_for_selector("#compliance")
    want = lib["compliance"]
    i = next(k for k, r in enumerate(want.itertuples()) if r.ratio == r.ratio)
    got = _dialog_value(page, page.locator("#compliance tbody tr").nth(i).locator(
        "td[data-col=ratio] a.prov"))
    assert got == pytest.approx(want["actual"].iloc[i] / want["limit"].iloc[i], rel=1e-12)
    assert page.locator("#prov-dialog [data-input=limit] td").nth(2).inner_text() == \
        str(want["basis"].iloc[i])
    v.shot("enterprise-permit-why")
    _close(page)
    # the account's scope-1 CO2 of the last year and its grade's ratio
    acc = lib["account"]
    year = int(max(acc.annual["year"]))
    page.goto(v.server.url + f"/web/enterprise/accounts/{mine['account']}")
    page.wait_for_selector("#annual")
    got = _dialog_value(page, page.locator(
        f"#annual tr[data-species='CO2'] td[data-year='{year}'] a.prov"))
    assert got == pytest.approx(acc.total("CO2", year), rel=1e-12)
    # the steel works' user may not read the bureau's project version, yet sees the activity
    # rows of its own sources, kept with its account: the inventory's lines of the enterprise
    inv = lib["inventory"]
    own = inv.lines[(inv.lines["enterprise"] == EID) & (inv.lines["scope"] == 1)]
    shown = page.eval_on_selector_all("#prov-dialog #prov-rows tbody tr", "trs => trs.map("
                                      "t => [Number(t.dataset.line), t.cells[0].textContent])")
    assert shown == [[i, sid] for i, sid in own["source_id"].items()]
    used = page.eval_on_selector_all("#prov-dialog #prov-rows td[data-role=used]",
                                     "tds => tds.map(t => Number(t.dataset.value))")
    s, y = inv.species.index("CO2"), inv.years.index(year)
    assert used == pytest.approx(inv.emissions[own.index.to_numpy(), s, y].tolist(), rel=1e-12)
    assert page.locator("#prov-dialog #prov-version-stored").is_visible()
    assert page.locator("#prov-dialog #prov-version-hidden").count() == 0
    status = page.locator("#prov-dialog [data-subject=status]").inner_text()
    assert status == {"en": "estimated", "zh": "已估算"}[lang]  # a catalogue word, not a key
    _close(page)
    last = acc.benchmark.sort_values("year").iloc[-1]
    got = _dialog_value(page, page.locator("#carbon-grade a.prov[data-role=ratio]"))
    assert got == pytest.approx(last["intensity"] / last["benchmark"], rel=1e-12)
    assert float(page.locator("#prov-dialog [data-step=level] td").nth(1).get_attribute(
        "data-value")) == last["level"]
    _close(page)
    # a footprint's energy stage: the sum of its inputs' a × q × f / N
    fp = lib["footprint"]
    page.goto(v.server.url + f"/web/enterprise/footprints/{mine['footprint']}")
    page.wait_for_selector("#stages")
    st = fp.by_stage().set_index("stage")["kg_co2e_per_fu"]
    got = _dialog_value(page, page.locator("#stages tr[data-stage='energy'] a.prov"))
    assert got == pytest.approx(st["energy"], rel=1e-12)
    rows = page.locator("#prov-dialog #prov-table tbody tr")
    energy = fp.contributions[fp.contributions["stage"] == "energy"]
    assert rows.count() == len(energy)
    _close(page)
    got = _dialog_value(page, page.locator("#total a.prov[data-role=uncertainty]"))
    assert got == pytest.approx(fp.uncertainty_pct, rel=1e-12)
    _close(page)
    # the project library: the first ranked project's net cost
    page.goto(v.server.url + "/web/enterprise/projects")
    page.wait_for_selector("#ranking")
    first = page.locator("#ranking tbody tr").first
    s = lib["benefits"][first.get_attribute("data-project")]
    got = _dialog_value(page, first.locator("a.prov[data-role=net]"))
    assert got == pytest.approx(s["annual_cost_yuan"] - 80 * s["co2_reduction_t"]
                                - 1.2 * s["apeq_reduction"], rel=1e-12)
    _close(page)
    assert v.unlabelled_controls() == []
    assert v.errors == []


def test_analyst_sees_the_activity_rows_behind_an_account_number(visit, stored, lib):
    """The bureau analyst may read the project version: the dialog lists the enterprise's
    inventory lines, whose used values add up to the account's number."""
    ids, _ = stored
    acc = lib["account"]
    year = int(max(acc.annual["year"]))
    v = visit("en").login("analyst",
                          next_path=f"/web/enterprise/accounts/{ids['demo_steel']['account']}")
    page = v.page
    page.wait_for_selector("#annual")
    got = _dialog_value(page, page.locator(
        f"#annual tr[data-species='SO2'] td[data-year='{year}'] a.prov"))
    assert got == pytest.approx(acc.total("SO2", year), rel=1e-12)
    used = [float(x) for x in page.eval_on_selector_all(
        "#prov-dialog #prov-rows td[data-role=used]", "tds => tds.map(t => t.dataset.value)")]
    assert used and sum(used) == pytest.approx(acc.total("SO2", year), rel=1e-9)
    assert page.locator("#prov-dialog [data-role=content-hash]").inner_text()
    assert v.errors == []


def test_enterprise_user_cannot_open_another_enterprises_derivation(server, stored, lib):
    ids, _ = stored
    other, mine = ids["other_steel"], ids["demo_steel"]
    h = http_session(server, "steel")
    asks = [("permit", other["permit"], "row=0&column=ratio"),
            ("account", other["account"], "species=CO2&year=2022"),
            ("grade", other["account"], "column=ratio"),
            ("footprint", other["footprint"], ""),
            *(("project", i, "column=co2_reduction_t") for i in other["synergy"])]
    for kind, i, q in asks:
        for base in ("/web/enterprise/why", "/api/web/enterprise/why"):
            r = httpx.get(f"{server.url}{base}?kind={kind}&id={i}&{q}", headers=h, timeout=120)
            assert r.status_code == 404, (kind, base, r.text[:200])
    # its own: the same derivation answers
    r = httpx.get(f"{server.url}/api/web/enterprise/why?kind=footprint&id={mine['footprint']}",
                  headers=h, timeout=120)
    assert r.status_code == 200 and r.json()["value"] > 0
    # the other works' user reads the activity rows of its own sources (longmen_steel's
    # lines), never the steel works' (404 above, both ways)
    ho = http_session(server, "other")
    q = "species=SO2&year=2022"
    r = httpx.get(f"{server.url}/api/web/enterprise/why?kind=account&id={other['account']}&{q}",
                  headers=ho, timeout=120)
    assert r.status_code == 200 and r.json()["version"]["stored"] is True
    ln = lib["inventory"].lines
    assert [x["source_id"] for x in r.json()["lines"]] == ln.loc[
        (ln["enterprise"] == "longmen_steel") & (ln["scope"] == 1), "source_id"].tolist()
    r = httpx.get(f"{server.url}/api/web/enterprise/why?kind=account&id={mine['account']}&{q}",
                  headers=ho, timeout=120)
    assert r.status_code == 404
