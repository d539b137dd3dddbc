"""Enterprise rows through the API (issue 17, "Done when"): an enterprise user sees only its
own permit, account, footprints and projects; a park user its park's enterprises; the bureau
all of its jurisdiction — on SQLite and PostgreSQL (the ``world`` fixture runs both).

The world's tree (tests/security/secworld.py) is mapped onto the demo city's regions:
p1 = park_steel with e1 = longmen_steel and e2 = taihang_cement, e3 = huaxin_power (d2).
The numbers served equal the library's on the same inputs.
"""

from __future__ import annotations

import io as _bio
from pathlib import Path

import pandas as pd
import pytest

from cocontrol.enterprise import footprint, runner
from cocontrol.enterprise import io as eio

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
REGION = {"p1": "park_steel", "e1": "longmen_steel", "e2": "taihang_cement",
          "e3": "huaxin_power"}


def _demo_version(world, org: str) -> int:
    """A project of ``org`` whose version 1 holds the demo city's files."""
    from cocontrol.service import projects
    from cocontrol.service.models import Organisation, Project

    files = {p.name: p.read_bytes() for p in sorted(DEMO.iterdir())
             if p.is_file() and projects.FILE_NAME.match(p.name)}
    with world.session() as s:
        for code, region in REGION.items():
            s.get(Organisation, world.orgs[code]).region_code = region
        proj = Project(org_id=world.orgs[org], name="demo")
        s.add(proj)
        s.commit()
        v, *_ = projects.create_version(s, proj, files, None, [], "demo", None)
        s.commit()
        return v.id


@pytest.fixture
def filled(world):
    """The analyst (d1) and an administrator store permits, accounts, footprints and
    projects of e1, e2 and e3."""
    data = eio.load(DEMO)
    analyst, admin = world.as_role("bureau_analyst"), world.as_role("administrator")
    vid = _demo_version(world, "d1")
    vid3 = _demo_version(world, "d2")
    permit = {p.enterprise_id: p for p in data.permits}
    org = world.orgs
    ids: dict[str, dict[str, int]] = {k: {} for k in ("e1", "e2", "e3")}
    for code, client in (("e1", analyst), ("e2", analyst), ("e3", admin)):
        eid = REGION[code]
        if eid in permit:
            r = client.post("/api/enterprise/permits", json={
                "org_id": org[code], "permit": permit[eid].model_dump(mode="json")})
            assert r.status_code == 201, r.text
            ids[code]["permit"] = r.json()["id"]
        r = client.post("/api/enterprise/accounts", json={
            "org_id": org[code], "project_version_id": vid if code != "e3" else vid3})
        assert r.status_code == 201, r.text
        ids[code]["account"] = r.json()["id"]
        for p in data.projects:
            if p.owner == eid:
                r = client.post("/api/enterprise/synergy", json={
                    "org_id": org[code], "project": p.model_dump(mode="json")})
                assert r.status_code == 201, r.text
                ids[code].setdefault("synergy", []).append(r.json()["id"])
    prods = {p.id: p for p in data.products}
    for code, pid in (("e2", "taihang_po425"), ("e1", "fenhe_coke")):
        r = analyst.post("/api/enterprise/footprints", json={
            "org_id": org[code], "product": prods[pid].model_dump(mode="json")})
        assert r.status_code == 201, r.text
        ids[code]["footprint"] = r.json()["id"]
    return world, ids, vid, data


LISTS = ("permits", "accounts", "footprints", "synergy")


def _orgs_of(client, what: str) -> set[int]:
    r = client.get(f"/api/enterprise/{what}?limit=500")
    assert r.status_code == 200, r.text
    return {i["org_id"] for i in r.json()["items"]}


def test_each_role_sees_its_jurisdiction_only(filled):
    world, ids, _, _ = filled
    o = world.orgs
    ent, park, analyst = (world.as_role(r) for r in
                          ("enterprise_user", "park_manager", "bureau_analyst"))
    admin = world.as_role("administrator")
    for what in LISTS:
        assert _orgs_of(ent, what) <= {o["e1"], o["f1"]}, what
        assert _orgs_of(park, what) <= {o["p1"], o["e1"], o["e2"], o["f1"]}, what
        assert _orgs_of(analyst, what) <= {o[c] for c in ("d1", "p1", "e1", "e2", "f1")}
        assert o["e3"] in _orgs_of(admin, what) or what in ("footprints", "synergy")
    assert _orgs_of(ent, "accounts") == {o["e1"]}
    assert _orgs_of(park, "accounts") == {o["e1"], o["e2"]}  # the park's enterprises
    assert _orgs_of(analyst, "accounts") == {o["e1"], o["e2"]}
    assert _orgs_of(admin, "accounts") == {o["e1"], o["e2"], o["e3"]}  # the bureau: all
    assert _orgs_of(ent, "permits") == {o["e1"]} and _orgs_of(ent, "footprints") == {o["e1"]}
    assert _orgs_of(ent, "synergy") == {o["e1"]}
    assert _orgs_of(park, "footprints") == {o["e1"], o["e2"]}
    # another enterprise's objects: not found (404), never forbidden
    for path in (f"permits/{ids['e3']['permit']}", f"accounts/{ids['e2']['account']}",
                 f"footprints/{ids['e2']['footprint']}",
                 f"footprints/{ids['e2']['footprint']}/report",
                 f"synergy/{ids['e2']['synergy'][0]}"):
        assert ent.get(f"/api/enterprise/{path}").status_code == 404, path
        assert park.get(f"/api/enterprise/{path}").status_code in (200, 404)
    assert park.get(f"/api/enterprise/accounts/{ids['e2']['account']}").status_code == 200
    assert park.get(f"/api/enterprise/permits/{ids['e3']['permit']}").status_code == 404
    # a status step on another enterprise's project: 404, nothing changes
    r = ent.post(f"/api/enterprise/synergy/{ids['e2']['synergy'][0]}/status",
                 json={"to": "withdrawn"})
    assert r.status_code == 404


def test_numbers_equal_the_library(filled):
    world, ids, vid, data = filled
    ent = world.as_role("enterprise_user")
    ctx = runner.context(DEMO)
    # account of e1 = the library's account of longmen_steel (from the same inventory)
    acc = ent.get(f"/api/enterprise/accounts/{ids['e1']['account']}").json()
    lib = runner.account(runner.Context(ctx.project, eio.EnterpriseData(
        permits=[data.permit("longmen_steel")]), ctx.inventory), "longmen_steel")
    got = pd.DataFrame(acc["account"]["annual"]).set_index(["species", "year", "scope"])
    want = lib.annual.set_index(["species", "year", "scope"])
    assert got["value"].astype(float).to_numpy() == pytest.approx(
        want.loc[got.index, "value"].to_numpy(), rel=1e-12, nan_ok=True)
    assert acc["account"]["annual"] and len(got) == len(want)
    # permit compliance of e1: concentrations posted, quantities from the inventory
    conc = data.table("concentrations", "longmen_steel")
    r = ent.post(f"/api/enterprise/permits/{ids['e1']['permit']}/compliance",
                 json={"concentrations": conc.to_dict("records")})
    assert r.status_code == 200, r.text  # (concentrations only: no version needed)
    analyst = world.as_role("bureau_analyst")
    r = analyst.post(f"/api/enterprise/permits/{ids['e1']['permit']}/compliance",
                     json={"concentrations": conc.to_dict("records"),
                           "project_version_id": vid})
    assert r.status_code == 200, r.text
    body = r.json()
    full = runner.Context(ctx.project, eio.EnterpriseData(
        permits=[data.permit("longmen_steel")],
        tables={"concentrations": data.tables["concentrations"]}), ctx.inventory)
    want = runner.permit_status(full, "longmen_steel")
    assert [x["status"] for x in body["compliance"]] == want["status"].tolist()
    assert body["status"] in want["status"].tolist()
    assert ent.get(f"/api/enterprise/permits/{ids['e1']['permit']}").json()["compliance"] \
        == body["compliance"]
    # footprint of e1's product = footprint() of the library, report downloads
    fp = ent.get(f"/api/enterprise/footprints/{ids['e1']['footprint']}").json()
    lib_fp = footprint([p for p in data.products if p.id == "fenhe_coke"][0])
    assert fp["value_kg"] == pytest.approx(lib_fp.value_kg, rel=1e-12)
    assert [s["kg_co2e_per_fu"] for s in fp["result"]["by_stage"]] == pytest.approx(
        lib_fp.by_stage()["kg_co2e_per_fu"].tolist(), rel=1e-12)
    rep = ent.get(f"/api/enterprise/footprints/{ids['e1']['footprint']}/report?lang=zh")
    assert rep.status_code == 200 and "text/html" in rep.headers["content-type"]
    xl = ent.get(f"/api/enterprise/footprints/{ids['e1']['footprint']}/report?format=xlsx")
    assert xl.status_code == 200 and xl.content[:2] == b"PK"


def test_project_library_assess_rank_export_and_status(filled):
    world, ids, vid, data = filled
    analyst, ent = world.as_role("bureau_analyst"), world.as_role("enterprise_user")
    r = analyst.post("/api/enterprise/synergy/assess", json={"project_version_id": vid,
                                                            "year": 2030})
    assert r.status_code == 200, r.text
    assessed = {x["key"]: x["benefits"] for x in r.json()}
    assert set(assessed) == {p.id for p in data.projects
                             if p.owner in ("longmen_steel", "taihang_cement")}
    ctx = runner.context(DEMO)
    ben, ranking = runner.project_library(ctx, 2030)
    lib = {b.project: b.summary() for b in ben}
    for k, s in assessed.items():
        assert s["co2_reduction_t"] == pytest.approx(lib[k]["co2_reduction_t"], rel=1e-12)
        assert s["apeq_reduction"] == pytest.approx(lib[k]["apeq_reduction"], rel=1e-12)
    # the enterprise user ranks only its own projects
    mine = ent.get("/api/enterprise/synergy/ranking").json()
    assert {x["project"] for x in mine} == {p.id for p in data.projects
                                          if p.owner == "longmen_steel"}
    allr = analyst.get("/api/enterprise/synergy/ranking").json()
    sub = ranking[ranking["project"].isin(assessed)]
    assert [x["project"] for x in allr] == sub["project"].tolist()
    csv = analyst.get("/api/enterprise/synergy/export?format=csv")
    assert csv.status_code == 200
    bank = pd.read_csv(_bio.BytesIO(csv.content), encoding="utf-8-sig")
    assert bank["project"].tolist() == sub["project"].tolist()
    xl = ent.get("/api/enterprise/synergy/export")
    assert xl.status_code == 200 and xl.content[:2] == b"PK"
    # status workflow: a step needs evidence; an invalid step is a 409
    pid = ids["e1"]["synergy"][0]
    cur = ent.get(f"/api/enterprise/synergy/{pid}").json()["status"]
    assert cur == "funded"
    r = ent.post(f"/api/enterprise/synergy/{pid}/status", json={"to": "built"})
    assert r.status_code == 409
    r = ent.post(f"/api/enterprise/synergy/{pid}/status", json={
        "to": "built", "evidence": {"date": "2024-07-01", "kind": "acceptance report",
                                    "reference": "DEMO-ACC-1"}})
    assert r.status_code == 200 and r.json()["status"] == "built"
    assert ent.post(f"/api/enterprise/synergy/{pid}/status",
                    json={"to": "approved"}).status_code == 409


def _park_targets_account_alerts_and_scoping(filled):
    """Park targets stored per park; the park account computed by the bureau is stored for
    the park, so its manager reads it (without the bureau's project version); its totals
    equal the sum of its enterprises' accounts; targets at yellow/red are monitoring cases of
    the park, seen by the park and the bureau, never by an enterprise."""
    from cocontrol.enterprise import enterprise_account

    world, ids, vid, data = filled
    o = world.orgs
    park, analyst = world.as_role("park_manager"), world.as_role("bureau_analyst")
    ent = world.as_role("enterprise_user")
    ctx = runner.context(DEMO)
    nox = runner.park(ctx, "park_steel")[0].value("NOx", 2022)
    # hand-made targets: NOx cap 5 % below the park's 2022 NOx -> s = 1/0.95 - 1 = +5.3 %:
    # yellow (0 < s <= 0.1, data/monitoring/alert_levels.csv); SO2 cap far above: green
    t_nox = {"id": "nox_cap", "species": "NOx", "year": 2022, "max": nox * 0.95, "unit": "t",
             "basis": "test"}
    t_so2 = {"id": "so2_cap", "species": "SO2", "year": 2022, "max": 1e6, "unit": "t"}
    for t in (t_nox, t_so2):
        r = park.post(f"/api/enterprise/parks/{o['p1']}/targets", json={"target": t})
        assert r.status_code == 201, r.text
    assert park.post(f"/api/enterprise/parks/{o['p1']}/targets",
                     json={"target": t_nox}).status_code == 409
    # an enterprise: neither its park's targets nor a target for it; not a park: 422
    assert ent.get(f"/api/enterprise/parks/{o['p1']}/targets").status_code == 404
    assert ent.post(f"/api/enterprise/parks/{o['p1']}/targets",
                    json={"target": t_so2}).status_code == 404
    r = analyst.post(f"/api/enterprise/parks/{o['e1']}/targets", json={"target": t_so2})
    assert r.status_code == 422 and "不是园区" in r.json()["error"]["message_zh"]
    assert len(analyst.get(f"/api/enterprise/parks/{o['p1']}/targets").json()) == 2
    # nothing stored yet: 404; the bureau computes it from its version
    assert park.get(f"/api/enterprise/parks/{o['p1']}/account").status_code == 404
    r = analyst.post(f"/api/enterprise/parks/{o['p1']}/account", json={
        "project_version_id": vid, "on": "2022-12-31"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["org_id"] == o["p1"] and body["level"] == "yellow"
    lv = {t["target"]: (t["level"], t["status"]) for t in body["targets"]}
    assert lv == {"nox_cap": ("yellow", "exceeded"), "so2_cap": ("green", "within")}
    assert body["targets"][0]["shortfall"] == pytest.approx(1 / 0.95 - 1, rel=1e-9)
    assert len(body["cases"]) == 1 and body["new_cases"] == 1
    # the park manager reads the stored account; totals = Σ enterprise accounts + park-only
    got = park.get(f"/api/enterprise/parks/{o['p1']}/account").json()
    assert got["id"] == body["id"] and got["total"] == body["total"]
    sums: dict = {}
    for e in got["enterprises"]:
        a = enterprise_account(ctx.inventory, e).annual
        for x in a[a["scope"] == 1].itertuples():
            if x.value == x.value:
                sums[(x.species, x.year)] = sums.get((x.species, x.year), 0.0) + x.value
    for x in got["park_only"]:
        if x["value"] is not None:
            sums[(x["species"], x["year"])] = sums.get((x["species"], x["year"]), 0.0) \
                + x["value"]
    for x in got["total"]:
        if x["value"] is not None:
            assert x["value"] == pytest.approx(sums[(x["species"], x["year"])], rel=1e-9)
    assert [x["park"] for x in park.get("/api/enterprise/parks").json()["items"]] \
        == ["park_steel"]
    assert ent.get(f"/api/enterprise/parks/{o['p1']}/account").status_code == 404
    assert ent.get("/api/enterprise/parks").json()["items"] == []
    # the alert: a case of the park (the park and the bureau see it, the enterprise not)
    case = body["cases"][0]
    assert park.get(f"/api/monitoring/cases/{case}").json()["rule"] == "park_target"
    assert analyst.get(f"/api/monitoring/cases/{case}").status_code == 200
    assert ent.get(f"/api/monitoring/cases/{case}").status_code == 404
    # computed again: the same case, none new
    r = analyst.post(f"/api/enterprise/parks/{o['p1']}/account", json={
        "project_version_id": vid, "on": "2022-12-31"})
    assert r.json()["cases"] == body["cases"] and r.json()["new_cases"] == 0
    # evaluation: the park's score and rank among the parks of the values given
    vals = pd.read_csv(DEMO / "enterprise" / "park_values.csv")
    r = analyst.post(f"/api/enterprise/parks/{o['p1']}/account", json={
        "project_version_id": vid, "evaluation_values": vals.to_dict("records"),
        "evaluation_illustrative": True})
    assert r.status_code == 201, r.text
    lib = runner.park_full(ctx, "park_steel", targets=[])[2]
    ev = r.json()["evaluation"]
    assert ev["score"] == pytest.approx(lib["score"], rel=1e-12)
    assert (ev["rank"], ev["of"]) == (lib["rank"], lib["of"]) and r.json()["illustrative"]
    first = park.get(f"/api/enterprise/parks/{o['p1']}/targets").json()[0]["id"]
    assert ent.delete(f"/api/enterprise/parks/{o['p1']}/targets/{first}").status_code == 404
    assert park.delete(f"/api/enterprise/parks/{o['p1']}/targets/{first}").status_code == 204
    rest = park.get(f"/api/enterprise/parks/{o['p1']}/targets").json()
    assert len(rest) == 1
    assert park.delete(f"/api/enterprise/parks/{o['p1']}/targets/{rest[0]['id']}"
                       ).status_code == 204


def test_park_account_and_screening(filled):
    """(One test with the park targets, stored accounts, alerts and scoping below: the
    ``filled`` world is made once for both.)"""
    _park_targets_account_alerts_and_scoping(filled)
    world, _, vid, data = filled
    park, analyst = world.as_role("park_manager"), world.as_role("bureau_analyst")
    r = analyst.post(f"/api/enterprise/parks/{world.orgs['p1']}/account", json={
        "project_version_id": vid,
        "targets": [t.model_dump() for t in data.park_targets["park_steel"]]})
    assert r.status_code == 201, r.text
    ctx = runner.context(DEMO)
    acc, targets = runner.park(ctx, "park_steel")
    body = r.json()
    assert body["enterprises"] == acc.enterprises
    got = {(x["species"], x["year"]): x["value"] for x in body["total"]}
    for x in acc.total.itertuples():
        assert got[(x.species, x.year)] == pytest.approx(x.value, rel=1e-12, nan_ok=True)
    assert [t["status"] for t in body["targets"]] == targets["status"].tolist()
    # the park manager cannot read the district's project version: 404
    r = park.post(f"/api/enterprise/parks/{world.orgs['p1']}/account",
                  json={"project_version_id": vid})
    assert r.status_code == 404
    plant = data.plants[0]
    r = analyst.post("/api/enterprise/screening", json={
        "project_version_id": vid, "plant": plant.model_dump(mode="json"),
        "caps": [c.model_dump() for c in data.caps]})
    assert r.status_code == 200, r.text
    lib = runner.screening(runner.Context(ctx.project, eio.EnterpriseData(
        plants=[plant], caps=data.caps), ctx.inventory), plant.id)[0]
    assert r.json()["verdict"] == lib.verdict
    assert [c["status"] for c in r.json()["checks"]] == lib.checks["status"].tolist()
    _own_activity_rows(filled, body["id"], ctx.inventory)


def _own_activity_rows(filled, park_row: int, inventory):
    """Issue 15: the activity rows behind an account or park number come from the stored row
    (kept when it was computed), not from the bureau's project version, which neither the
    enterprise nor the park may read. The enterprise user (e1) gets exactly the inventory's
    lines of its own enterprise (line numbers, sources and emissions read off the inventory's
    arrays here), never e2's or e3's (404); the park manager gets each of its enterprises'
    lines and its park's, never e3's (another district); the enterprise no park's."""
    import numpy as np

    from cocontrol.service.models import ProjectVersion

    world, ids, vid, _ = filled
    ent, park = world.as_role("enterprise_user"), world.as_role("park_manager")
    with world.session() as s:
        content_hash = s.get(ProjectVersion, vid).content_hash
    lines = inventory.lines
    sp, y = inventory.species.index("SO2"), inventory.years.index(2022)
    scope1 = (lines["scope"] == 1).to_numpy()

    def rows(client, q: str, mask) -> dict:
        r = client.get(f"/api/web/enterprise/why?species=SO2&year=2022&{q}")
        assert r.status_code == 200, (q, r.text)
        body = r.json()
        idx = np.flatnonzero(mask & scope1)
        assert len(idx) and [x["line"] for x in body["lines"]] == idx.tolist(), q
        assert [x["source_id"] for x in body["lines"]] == lines["source_id"].iloc[idx].tolist()
        assert [x["value_t"] for x in body["lines"]] == pytest.approx(
            inventory.emissions[idx, sp, y].tolist(), rel=1e-12)
        assert body["value"] == pytest.approx(inventory.emissions[idx, sp, y].sum(), rel=1e-12)
        assert body["version"]["stored"] is True and body["version"]["version_id"] == vid
        assert body["version"]["content_hash"] == content_hash
        return body

    own = (lines["enterprise"] == REGION["e1"]).to_numpy()
    body = rows(ent, f"kind=account&id={ids['e1']['account']}", own)
    assert any(x["measured"] for x in body["lines"])  # ST1_SINTER1's measured SO2
    assert all(x["factor_source"] for x in body["lines"] if x["factor"] is not None)
    for code in ("e2", "e3"):
        r = ent.get(f"/api/web/enterprise/why?kind=account&id={ids[code]['account']}"
                    "&species=SO2&year=2022")
        assert r.status_code == 404, code
    for code in ("e1", "e2"):
        rows(park, f"kind=account&id={ids[code]['account']}",
             (lines["enterprise"] == REGION[code]).to_numpy())
    assert park.get(f"/api/web/enterprise/why?kind=account&id={ids['e3']['account']}"
                    "&species=SO2&year=2022").status_code == 404
    in_park = (lines["park"] == REGION["p1"]).to_numpy()
    rows(park, f"kind=park&id={park_row}", in_park)
    rows(park, f"kind=park_enterprise&id={park_row}&enterprise={REGION['e2']}",
         in_park & (lines["enterprise"] == REGION["e2"]).to_numpy())
    assert ent.get(f"/api/web/enterprise/why?kind=park&id={park_row}&species=SO2&year=2022"
                   ).status_code == 404


def test_compliance_items_become_scoped_monitoring_cases(filled):
    """An exceeded permit item is a monitoring case of its enterprise: seen by the enterprise,
    its park and its bureau (API and the early-warning board), never by another enterprise;
    assessing again stores no duplicate."""
    from cocontrol.enterprise.permits import alert_cases, compliance

    world, ids, _, data = filled
    o = world.orgs
    world.make_user("other_ent", "enterprise_user", "e2")
    other = world.login("other_ent")
    ent, park, analyst, admin = (world.as_role(r) for r in (
        "enterprise_user", "park_manager", "bureau_analyst", "administrator"))
    on = "2022-12-31"
    conc = [{"outlet_id": "DA010", "species": "NOx", "period": "2022-12", "value": 50.1,
             "unit": "mg/m3"},  # 50.1 > 50: exceeded (red)
            {"outlet_id": "DA010", "species": "SO2", "period": "2022-12", "value": 33.0,
             "unit": "mg/m3"},  # 33/35 = 94 %: near (yellow)
            {"outlet_id": "DA010", "species": "PM10", "period": "2022-12", "value": 4.0,
             "unit": "mg/m3"}]  # within: no case
    r = ent.post(f"/api/enterprise/permits/{ids['e1']['permit']}/compliance",
                 json={"concentrations": conc, "on": on})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["cases"]) == 2 and body["new_cases"] == 2
    # the cases are the library's mapping of the stored compliance table
    permit = data.permit("longmen_steel")
    lib = alert_cases(compliance(permit, concentrations=pd.DataFrame(conc),
                                 on=pd.Timestamp(on).date()), permit, "longmen_steel",
                      pd.Timestamp(on).to_pydatetime(), pd.Timestamp(on).date())
    got = {c["key"]: c for c in ent.get("/api/monitoring/cases?limit=500").json()["items"]}
    assert set(got) == {c.id for c in lib}
    red = next(c for c in got.values() if c["rule"] == "exceedance")
    assert red["org_id"] == o["e1"] and red["status"] == "found"
    assert red["case"]["finding"]["value"] == 50.1 and red["case"]["finding"]["threshold"] == 50
    assert "ule_steel_sinter_nox" in red["case"]["finding"]["basis"]
    assert {c["rule"] for c in got.values()} == {"exceedance", "permit_near"}
    for client in (park, analyst, admin):
        keys = {c["key"] for c in client.get("/api/monitoring/cases?limit=500").json()["items"]}
        assert set(got) <= keys
        assert client.get(f"/api/monitoring/cases/{red['id']}").status_code == 200
    assert not {c["key"] for c in other.get("/api/monitoring/cases?limit=500").json()["items"]}
    assert other.get(f"/api/monitoring/cases/{red['id']}").status_code == 404
    # on the early-warning board: the enterprise and its park see the red case, e2 does not
    for client, seen in ((ent, True), (park, True), (analyst, True), (other, False)):
        page = client.get("/web/monitor/")
        assert page.status_code == 200
        assert (red["key"] in page.text) is seen
        assert ("排放浓度超过许可限值" in page.text) is seen  # the rule's label (zh default)
    # the same assessment again: the same cases, none new
    r = ent.post(f"/api/enterprise/permits/{ids['e1']['permit']}/compliance",
                 json={"concentrations": conc, "on": on})
    assert r.json()["cases"] == body["cases"] and r.json()["new_cases"] == 0
    # another enterprise's permit assessed: its case is not the first enterprise's
    r = admin.post(f"/api/enterprise/permits/{ids['e3']['permit']}/compliance",
                   json={"concentrations": [{"outlet_id": "DA001", "species": "SO2",
                                             "value": 40, "unit": "mg/m3"}], "on": on})
    assert r.status_code == 200 and len(r.json()["cases"]) == 1
    e3case = r.json()["cases"][0]
    assert ent.get(f"/api/monitoring/cases/{e3case}").status_code == 404
    assert park.get(f"/api/monitoring/cases/{e3case}").status_code == 404
    assert admin.get(f"/api/monitoring/cases/{e3case}").status_code == 200
