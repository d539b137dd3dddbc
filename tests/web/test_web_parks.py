"""Park account and screening pages (issue 17 items 6 and 7) in a real headless Chromium,
network off, no console errors.

The demo (``serve --demo``) stores for each of its two parks (the park manager's
``fenhe_park`` = the demo project's park_steel, and ``hitech_park`` = park_hitech) the park's
targets and its account computed by the library (:func:`cocontrol.enterprise.runner.
park_full`), so the park manager reads its park's page through the scoping layer without the
bureau's project. The numbers on the page must equal the library's on the same demo folder;
the park manager sees only its park, the enterprise user no park page at all (404). The
screening page runs a hand-checked clinker line (tests/enterprise/test_enterprise_parks.py).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cocontrol.enterprise import runner

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
PASSWORD = "web test password 2026"  # tests/web/conftest.py gives every demo user this one


def _headers(server, username: str) -> dict:
    r = httpx.post(server.url + "/api/auth/login",
                   json={"username": username, "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in r.cookies.jar),
            "X-CSRF-Token": r.json()["csrf_token"]}


@pytest.fixture(scope="module")
def parks(server):
    from sqlalchemy import select

    from cocontrol.service.models import Organisation

    with server.session() as s:
        org = {o.code: o.id for o in s.scalars(select(Organisation).where(
            Organisation.level == "park"))}
    ctx = runner.context(DEMO)
    return org, ctx, runner.park_full(ctx, "park_steel")


def test_park_page_shows_the_librarys_account_to_its_manager_only(visit, server, parks):
    org, _, (acc, targets, ev) = parks
    v = visit("zh").login("park", next_path="/web/enterprise/parks")
    page = v.page
    page.wait_for_selector("#parks")
    assert page.eval_on_selector_all("#parks tbody tr", "trs => trs.map(t => t.dataset.park)") \
        == ["park_steel"]  # its own park only, not hitech_park
    page.click(f"#parks tr[data-org='{org['fenhe_park']}'] a")
    page.wait_for_selector("#park-total")
    assert page.locator("#park-illustrative").is_visible()
    # totals: every species and year of the library's park account (t)
    for x in acc.total.itertuples():
        cell = page.locator(f"#park-total tr[data-species='{x.species}'] td[data-year='{x.year}']")
        raw = cell.get_attribute("data-value")
        if x.value != x.value:  # not estimated: shown so, never 0
            assert raw == "" and cell.inner_text() == "未估算"
        else:
            assert float(raw) == pytest.approx(x.value, rel=1e-12)
    # by enterprise (last year): the library's breakdown, names the enterprises it has
    last = max(acc.total["year"])
    shown = page.eval_on_selector_all("#by-enterprise tbody tr",
                                      "trs => trs.map(t => t.dataset.enterprise)")
    assert set(shown) - {"(none)"} == set(acc.enterprises)
    so2 = acc.by_enterprise[(acc.by_enterprise["year"] == last)
                            & (acc.by_enterprise["species"] == "SO2")].set_index("enterprise")
    for e, val in so2["value"].items():
        txt = page.locator(f"#by-enterprise tr[data-enterprise='{e}'] td[data-species='SO2']")
        assert txt.inner_text() == f"{val:,.1f}"
    # evaluation: score, rank of N with the park index system
    assert page.locator("#park-evaluation [data-role=score]").inner_text() == f"{ev['score']:.1f}"
    assert f"{ev['of']}个园区中排名第{ev['rank']}" in page.locator("#park-evaluation").inner_text()
    # targets: status and alert level of each, as the library's
    got = page.eval_on_selector_all("#targets tbody tr", "trs => trs.map(t => "
                                    "[t.dataset.target, t.dataset.status, t.dataset.level])")
    assert got == [[r.target, r.status, r.level] for r in targets.itertuples()]
    assert "yellow" in {r.level for r in targets.itertuples()}  # NOx 2,896 t vs 2,800 t
    assert page.locator("#park-level").get_attribute("data-level") == "yellow"
    v.shot("park_account")
    # another park: not found, its rows never shown
    r = page.goto(server.url + f"/web/enterprise/parks/{org['hitech_park']}")
    assert r.status == 404
    assert v.errors == [] or all("404" in e for e in v.errors), v.errors


def test_enterprise_user_sees_no_park_page(server, parks):
    org, _, _ = parks
    h = _headers(server, "steel")
    for code in ("fenhe_park", "hitech_park"):  # its own park's page, and another park's
        r = httpx.get(server.url + f"/web/enterprise/parks/{org[code]}", headers=h,
                      timeout=120)
        assert r.status_code == 404, code
        r = httpx.get(server.url + f"/api/enterprise/parks/{org[code]}/account", headers=h,
                      timeout=120)
        assert r.status_code == 404, code
    r = httpx.get(server.url + "/web/enterprise/parks", headers=h, timeout=120)
    assert r.status_code == 200 and 'id="parks"' not in r.text


def test_screening_page_runs_the_librarys_screening(visit, server, parks):
    """The hand-checked clinker line (100,000 t clinker, no fuel, no control): CO2 52,000 t,
    NOx 184 t, 0.52 t/t vs 0.693 t/t; NOx cap = Beiyuan's 2022 NOx + 368 t -> share 0.5."""
    _, ctx, _ = parks
    ref = runner.reference_by_region(ctx.inventory)
    e_ref = float(ref[(ref["region"] == "beiyuan") & (ref["species"] == "NOx")
                      & (ref["year"] == 2022)]["value"].iloc[0])
    v = visit("en").login("analyst", next_path="/web/enterprise/screening")
    page = v.page
    page.wait_for_selector("#screening-form")
    assert v.unlabelled_controls() == []
    page.fill("#scr-id", "hand")
    page.fill("#scr-act-value-0", "100000")
    page.fill("#scr-act-code-1", "")  # no fuel line
    page.fill("#scr-ctl", "")  # no control
    page.fill("#scr-output", "100000")
    page.fill("#scr-cap-max-0", repr(e_ref + 368))
    for i in (1, 2):
        page.fill(f"#scr-cap-species-{i}", "")  # only the NOx cap
    page.click("#scr-run")
    page.wait_for_selector("#scr-verdict")
    emis = {k: float(x) for k, x in page.eval_on_selector_all(
        "#scr-emissions tbody tr", "trs => trs.map(t => [t.dataset.species, "
        "t.cells[1].dataset.value])") if x}
    assert emis["CO2"] == pytest.approx(52_000, rel=1e-9)
    assert emis["NOx"] == pytest.approx(184, rel=1e-9)
    shares = [float(x) for x in page.eval_on_selector_all(
        "#scr-checks tbody tr td[data-role=share]", "tds => tds.map(t => t.dataset.value)")]
    assert shares == pytest.approx([0.52 / 0.693, 0.5], rel=1e-9)
    assert page.locator("#scr-verdict").get_attribute("data-verdict") == "pass"
    # every number opens its derivation (rendered with the result): the plant's CO2 is the
    # sum of its lines (100,000 t clinker x 0.52 t/t), the NOx cap's share 184 / 368
    page.click("#scr-emissions tr[data-species='CO2'] a.why")
    page.wait_for_selector("#prov-dialog[open] section.prov[data-what=screening_emission]")
    assert float(page.locator("#prov-dialog section.prov").get_attribute("data-value")) == \
        pytest.approx(52_000, rel=1e-9)
    used = page.eval_on_selector_all("#prov-dialog #prov-rows td[data-role=used]",
                                     "tds => tds.map(t => Number(t.dataset.value))")
    assert sum(used) == pytest.approx(52_000, rel=1e-9)
    page.click("#prov-dialog-close")
    page.locator("#scr-checks tbody tr").nth(0).locator("td[data-role=value] a.why").click()
    page.wait_for_selector("#prov-dialog[open] section.prov[data-what=screening_benchmark]")
    assert float(page.locator("#prov-dialog section.prov").get_attribute("data-value")) == \
        pytest.approx(0.52, rel=1e-9)  # 52,000 t / 100,000 t
    page.click("#prov-dialog-close")
    page.locator("#scr-checks tbody tr").nth(1).locator("td[data-role=share] a.why").click()
    page.wait_for_selector("#prov-dialog[open] section.prov[data-what=screening_cap]")
    assert float(page.locator("#prov-dialog section.prov").get_attribute("data-value")) == \
        pytest.approx(0.5, rel=1e-9)
    room = page.locator("#prov-dialog [data-step=room] td").nth(1).get_attribute("data-value")
    assert float(room) == pytest.approx(368, rel=1e-9)
    page.click("#prov-dialog-close")
    pm25 = float(page.locator("#scr-pm25 [data-role=pm25]").get_attribute("data-value"))
    assert pm25 > 0
    # ΔPM2.5 opens its derivation: by hand, Σ_p J_p × Σ_s M_ps × E_s with the plant's
    # emissions shown, the project's precursor map and the model's PM2.5 coefficients
    aq, mapping, city = runner.air_model(ctx)
    jac = aq.jacobian("PM2.5", receptors=[city])
    coef = jac[jac["source_region"] == city].groupby("precursor")["value"].sum()
    want = sum(float(coef.get(p, 0.0)) * f * emis[sp] for p, sp, f in mapping[
        ["precursor", "species", "factor"]].itertuples(index=False) if sp in emis)
    assert pm25 == pytest.approx(want, rel=1e-9)
    page.click("#scr-pm25 a.why")
    page.wait_for_selector("#prov-dialog[open] section.prov[data-what=screening_pm25]")
    assert float(page.locator("#prov-dialog section.prov").get_attribute("data-value")) == \
        pytest.approx(pm25, rel=1e-12)
    parts = page.eval_on_selector_all("#prov-dialog #prov-table td[data-col=delta_ugm3]",
                                      "tds => tds.map(t => Number(t.dataset.value || 0))")
    assert sum(parts) == pytest.approx(pm25, rel=1e-9)
    step = page.locator("#prov-dialog [data-step=delta_pm25] td").nth(1).get_attribute(
        "data-value")
    assert float(step) == pytest.approx(pm25, rel=1e-9)
    assert "TM5-FASST" in page.locator("#prov-dialog #prov-source").inner_text()
    page.click("#prov-dialog-close")
    with page.expect_download() as dl:
        page.click("#scr-report")
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Screening of a proposed plant" in text and "52,000" in text
    v.shot("screening")
    assert v.errors == [], v.errors


def _dialog_value(page, link) -> float:
    link.click()
    page.wait_for_selector("#prov-dialog[open] section.prov[data-kind=enterprise]")
    return float(page.locator("#prov-dialog section.prov").get_attribute("data-value"))


def test_park_numbers_open_their_derivation(visit, server, parks):
    """Issue 15 item 3 on the park page: a total opens E_park = Σ_e E_e + E_park_only (its
    parts the library's breakdown), an enterprise's part its value, a target its ratio and
    shortfall; each dialog's value is the library's (runner.park_full on the demo folder)."""
    org, _, (acc, targets, ev) = parks
    v = visit("en").login("park", next_path=f"/web/enterprise/parks/{org['fenhe_park']}")
    page = v.page
    page.wait_for_selector("#park-total")
    # the evaluation score: the sum of its indicators' points
    got = _dialog_value(page, page.locator("#park-evaluation a.prov[data-role=score]"))
    assert got == pytest.approx(ev["score"], rel=1e-12)
    pts = [float(x) for x in page.eval_on_selector_all(
        "#prov-dialog #prov-table td[data-col=points]", "tds => tds.map(t => t.dataset.value)")
        if x]
    assert sum(pts) == pytest.approx(ev["score"], rel=1e-9)
    page.click("#prov-dialog-close")
    last = int(max(acc.total["year"]))
    got = _dialog_value(page, page.locator(
        f"#park-total tr[data-species='SO2'] td[data-year='{last}'] a.prov"))
    assert got == pytest.approx(acc.value("SO2", last), rel=1e-12)
    parts = [float(x) for x in page.eval_on_selector_all(
        "#prov-dialog #prov-table td[data-col=value_t]", "tds => tds.map(t => t.dataset.value)")]
    assert sum(parts) == pytest.approx(acc.value("SO2", last), rel=1e-12)
    # the park manager may not read the bureau's project version, yet sees the activity rows
    # of its park's sources, kept with the park account: the inventory's lines of the park
    inv = parks[1].inventory
    mine = inv.lines[(inv.lines["park"] == "park_steel") & (inv.lines["scope"] == 1)]
    got = page.eval_on_selector_all("#prov-dialog #prov-rows td[data-role=used]",
                                    "tds => tds.map(t => [Number(t.closest('tr').dataset.line),"
                                    " Number(t.dataset.value)])")
    s, y = inv.species.index("SO2"), inv.years.index(last)
    assert [g[0] for g in got] == mine.index.tolist()
    assert [g[1] for g in got] == pytest.approx(
        inv.emissions[mine.index.to_numpy(), s, y].tolist(), rel=1e-12)
    assert page.locator("#prov-dialog #prov-version-stored").is_visible()
    page.click("#prov-dialog-close")
    e = acc.enterprises[0]
    be = acc.by_enterprise
    want = float(be[(be["enterprise"] == e) & (be["species"] == "SO2")
                    & (be["year"] == last)]["value"].iloc[0])
    got = _dialog_value(page, page.locator(
        f"#by-enterprise tr[data-enterprise='{e}'] td[data-species='SO2'] a.prov"))
    assert got == pytest.approx(want, rel=1e-12)
    page.click("#prov-dialog-close")
    t = next(r for r in targets.itertuples() if r.level == "yellow")
    got = _dialog_value(page, page.locator(f"#targets tr[data-target='{t.target}'] "
                                           "td[data-role=ratio] a.prov"))
    assert got == pytest.approx(t.actual / t.max, rel=1e-12)
    short = page.locator("#prov-dialog [data-step=shortfall] td").nth(1).get_attribute(
        "data-value")
    assert float(short) == pytest.approx((t.actual - t.max) / t.max, rel=1e-12)
    v.shot("park_account-why")
    page.click("#prov-dialog-close")
    assert v.errors == [], v.errors


def test_no_park_derivation_for_an_enterprise_user_or_another_park(server, parks):
    from sqlalchemy import select

    from cocontrol.service.enterprise_models import ParkAccountRow

    org, _, _ = parks
    with server.session() as s:
        rows = {r.org_id: r.id for r in s.scalars(select(ParkAccountRow))}
    q = "kind=park&species=SO2&year=2022"
    for user, code in (("steel", "fenhe_park"), ("steel", "hitech_park"),
                       ("park", "hitech_park")):
        h = _headers(server, user)
        for base in ("/web/enterprise/why", "/api/web/enterprise/why"):
            r = httpx.get(f"{server.url}{base}?{q}&id={rows[org[code]]}", headers=h,
                          timeout=120)
            assert r.status_code == 404, (user, code, base)
    r = httpx.get(f"{server.url}/api/web/enterprise/why?{q}&id={rows[org['fenhe_park']]}",
                  headers=_headers(server, "park"), timeout=120)
    assert r.status_code == 200 and r.json()["value"] is not None
