"""The authorisation matrix, generated from the LIVE route table (issue 14, "Done when").

For every route x role x own/other tenant the documented outcome (docs/security.md, "How the
matrix decides") is asserted:

- a route that declares neither a permission nor PUBLIC fails the test;
- PUBLIC routes never answer 401/403;
- a role without the route's permission gets 401 (anonymous) or 403 (logged in);
- a role with it reaches the handler for an object of its own jurisdiction (no 401/403/404)
  and gets 404 for an object of another tenant (ids cannot be probed);
- lists never contain rows of organisations outside the role's jurisdiction.

Objects come from FACTORIES keyed by path-parameter name and request bodies from BODIES keyed by
route: a new route with an unknown path parameter, or with a body and no sample, fails here with
an instruction, so no route escapes the matrix.
"""

from __future__ import annotations

import copy
import itertools
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from secworld import OTHER, OWN, ROLES

from cocontrol.security.roles import builtin
from cocontrol.service.access import SELF, api_routes, route_rule

_n = itertools.count()


@dataclass
class Case:
    world: object
    role: str
    tenant: str  # "own" or "other"
    user_id: int | None
    cache: dict | None = None

    def once(self, key: str, make):
        """One object per case for parameters that belong together (project, version...)."""
        if self.cache is None:
            self.cache = {}
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    @property
    def org(self) -> str:
        return OWN[self.role] if self.tenant == "own" else OTHER[self.role]

    @property
    def audience(self) -> str:
        return "finance" if self.role == "finance_reader" else "public"

    def published(self, object_type: str, object_id) -> None:
        """Published-scope readers reach their 'own' objects only through a publication."""
        if self.role in ("finance_reader", "public") and self.tenant == "own":
            self.world.publish(object_type, object_id, self.org, self.audience)


def _org(c: Case):
    return c.world.orgs[c.org]


def _project(c: Case):
    def make():
        pid = c.world.project(c.org, f"p{next(_n)}")
        c.published("project", pid)
        return pid
    return c.once("project", make)


def _version(c: Case):
    """Version 1 of the case's project, holding one file ``project.yaml``."""
    import hashlib

    from cocontrol.service.models import Blob, ProjectVersion

    def make():
        pid = _project(c)
        data = b"name: matrix\n"
        h = hashlib.sha256(data).hexdigest()
        with c.world.session() as s:
            if s.get(Blob, h) is None:
                s.add(Blob(sha256=h, size=len(data), data=data))
            v = ProjectVersion(project_id=pid, org_id=c.world.orgs[c.org], number=1,
                               content_hash=h, files=[{"path": "project.yaml", "sha256": h,
                                                       "size": len(data)}])
            s.add(v)
            s.commit()
            return v.id
    return c.once("version", make)


def _number(c: Case):
    _version(c)
    return 1


def _job(c: Case):
    from cocontrol.service.models import Job

    def make():
        with c.world.session() as s:
            j = Job(id=str(uuid.uuid4()), org_id=c.world.orgs[c.org], kind="sleep", params={},
                    status="succeeded", time_limit_s=60.0)
            s.add(j)
            s.commit()
            return j.id
    return c.once("job", make)


def _result(c: Case):
    from cocontrol.service.models import Result

    def make():
        job = _job(c)
        with c.world.session() as s:
            r = Result(id=str(uuid.uuid4()), org_id=c.world.orgs[c.org], job_id=job,
                       kind="sleep", input_hash="0" * 64, code_version="test",
                       factor_version="test", tables={}, summary={"n": 1})
            s.add(r)
            s.commit()
        c.published("result", r.id)
        return r.id
    return c.once("result", make)


def _user(c: Case):
    return c.world.make_user(f"u{next(_n)}", "enterprise_user", c.org)


def _publication(c: Case):
    w = c.world
    pid = w.project(c.org, f"p{next(_n)}")
    if c.role in ("finance_reader", "public"):
        # own: published for the reader's audience; other: for the other audience only
        audience = c.audience if c.tenant == "own" else (
            "finance" if c.audience == "public" else "none")
        if audience == "none":  # finance readers see public too: the other is withdrawn
            pub = w.publish("project", pid, c.org, "public")
            _withdraw(w, pub)
            return pub
        return w.publish("project", pid, c.org, audience)
    # for finance only: a public one would be readable by everyone (that is its point)
    return w.publish("project", pid, c.org, "finance")


def _withdraw(w, pub_id):
    from cocontrol.service.db import utcnow
    from cocontrol.service.security_models import Publication

    with w.session() as s:
        s.get(Publication, pub_id).withdrawn_at = utcnow()
        s.commit()


def _token(c: Case):
    """own: the caller's token; other: a token of someone else (never reachable)."""
    w = c.world
    if c.tenant == "own" and c.user_id is not None:
        from cocontrol.security.tokens import new_token
        from cocontrol.service.security_models import ApiToken

        with w.session() as s:
            t = new_token()
            row = ApiToken(user_id=c.user_id, name="t", hash=t.hash, hint=t.hint, scopes=["*"])
            s.add(row)
            s.commit()
            return row.id
    return w.token_of("administrator")


_PM_ROWS = [{"entity": "c", "indicator": "pm25_conc", "period": str(y), "value": v,
             "unit": "ug/m**3", "source": "matrix"} for y, v in ((2020, 50.0), (2023, 46.0))]
_PM_TARGETS = {"targets": [{"id": "pm", "kind": "pm25_annual", "entity": "c", "base_year": 2020,
                            "target_year": 2025, "value": 40, "unit": "ug/m**3",
                            "basis": "matrix"}]}
_HOURLY = [{"facility": "u1", "time": f"2024-06-01T{h:02d}:00:00",
            "conc": {"SO2": 60.0 if h in (5, 6) else 20.0}} for h in range(1, 24)]
_LIMITS = [{"facility": "u1", "pollutant": "SO2", "limit": 35, "unit": "mg/m3",
            "basis": "matrix"}]


def _upload(c: Case):
    """A stored monitoring series upload of the case's organisation."""
    from cocontrol.service.monitoring_store import MonitoringUpload

    def make():
        with c.world.session() as s:
            u = MonitoringUpload(org_id=c.world.orgs[c.org], name="m", rows=_PM_ROWS,
                                 sources=["matrix"], n_rows=2, first_year=2020,
                                 last_year=2023, content_hash="0" * 64)
            s.add(u)
            s.commit()
            return u.id
    return c.once("upload", make)


def _case(c: Case):
    """A stored case of the case's organisation, assigned (so 'rectified' is a valid step)."""
    import datetime as dt

    from cocontrol.monitoring import Finding, open_case
    from cocontrol.monitoring import transition as step
    from cocontrol.service.monitoring_store import MonitoringCase

    def make():
        t = dt.datetime(2024, 6, 1, 5)
        f = Finding(id=f"f{next(_n)}", rule="exceedance", entity="u1", signal="SO2", start=t,
                    end=t, hours=1, value=60, threshold=35, unit="mg/m3", basis="matrix",
                    message_en="m", message_zh="m")
        k = step(open_case(f, c.org, t), "assigned", "matrix", t, owner="o")
        with c.world.session() as s:
            r = MonitoringCase(org_id=c.world.orgs[c.org], key=k.id, rule=f.rule, entity="u1",
                               status=k.status, owner=k.owner, deadline=k.deadline,
                               payload=k.model_dump(mode="json"))
            s.add(r)
            s.commit()
            return r.id
    return c.once("case", make)


@cache
def _demo_enterprise():
    from cocontrol.enterprise import io as eio

    return eio.load(Path(__file__).resolve().parents[2] / "examples" / "demo-city")


def _demo_data():
    """The demo city's enterprise data, read once for the module (read per request it took a
    quarter of the matrix's time): a deep copy each time, so no case sees another's edits."""
    return copy.deepcopy(_demo_enterprise())


def _ent_row(c: Case, kind: str):
    """A stored enterprise row (permit, account, footprint, synergy project) of the case's
    organisation, made from the demo city's illustrative enterprise data."""
    from cocontrol.service import enterprise_models as em

    def make():
        d = _demo_data()
        oid = c.world.orgs[c.org]
        with c.world.session() as s:
            if kind == "permit":
                row = em.new_permit(oid, d.permits[0].model_copy(
                    update={"number": f"N{next(_n)}"}), None)
            elif kind == "account":
                row = em.EnterpriseAccount(org_id=oid, enterprise_key="e", name="e",
                                           payload={"annual": []})
            elif kind == "footprint":
                from cocontrol.enterprise import footprint

                row = em.new_footprint(oid, d.products[0], footprint(d.products[0]), None)
            elif kind == "park_target":
                from cocontrol.enterprise.parks import ParkTarget

                row = em.new_park_target(oid, ParkTarget(id=f"T{next(_n)}", species="SO2",
                                                         year=2022, max=1.0, unit="t"), None)
            else:  # an approved project: 'funded' with evidence is a valid step
                row = em.new_project(oid, d.projects[0].model_copy(
                    update={"id": f"S{next(_n)}"}), None)
            s.add(row)
            s.commit()
            return row.id
    return c.once(kind, make)


FACTORIES = {
    "permit_id": lambda c: _ent_row(c, "permit"),
    "account_id": lambda c: _ent_row(c, "account"),
    "footprint_id": lambda c: _ent_row(c, "footprint"),
    "synergy_id": lambda c: _ent_row(c, "synergy"),
    "target_id": lambda c: _ent_row(c, "park_target"),
    "org_id": _org,
    "upload_id": _upload,
    "case_id": _case,
    "project_id": _project,
    "user_id": _user,
    "publication_id": _publication,
    "token_id": _token,
    "key": None,  # role keys: a global table (same for every tenant)
    "number": _number,
    "path": lambda c: (_version(c), "project.yaml")[1],
    "job_id": _job,
    "result_id": _result,
    "name": lambda c: (_result(c), "summary")[1],
}
# objects that can be published: published-scope readers (finance, public) reach these, and
# nothing below them (versions and files of a project, jobs)
PUBLISHABLE_PARAMS = {"project_id", "result_id", "publication_id", "name"}
# sub-resources a made-up object does not have (a result's tables and files, a version's
# regions): own-tenant requests must pass authorisation (no 401/403) and may answer 404/422
# for the missing sub-resource; another tenant's still answers 404
SUB_RESOURCES = {("GET", "/api/results/{result_id}/tables/{name}"),
                 ("GET", "/api/results/{result_id}/files/{name}"),
                 ("GET", "/api/results/{result_id}/workbook"),
                 ("GET", "/api/projects/{project_id}/versions/{number}/regions"),
                 # the sample upload is not a complete project: the handler's validation (422)
                 ("POST", "/api/projects/{project_id}/versions")}
# the dashboard's what-if (issue 15 item 4): a move computed, a what-if saved as a scenario;
# the matrix's version is not a complete project: the handler's validation (422)
SUB_RESOURCES |= {("POST", "/api/web/whatif/projects/{project_id}/move"),
                  ("POST", "/api/web/whatif/projects/{project_id}/save"),
                  # the matrix's upload holds PM2.5 only, no monthly electricity: the
                  # nowcast's own problem (422); tests/service/test_monitoring_store.py
                  # nowcasts a complete one
                  ("POST", "/api/monitoring/uploads/{upload_id}/nowcast")}


def _role_key(c: Case) -> str:
    """A role made for the case (PUT replaces it, DELETE removes it)."""
    from cocontrol.service.security_models import Role

    key = f"custom_{next(_n)}"
    with c.world.session() as s:
        s.add(Role(key=key, name="Custom", name_zh="自定义", scope="subtree",
                   permissions=["orgs:read"], levels=None, audiences=[], anonymous=False,
                   builtin=False))
        s.commit()
    return key


def _login_body(c: Case) -> dict:
    name = f"login-{next(_n)}"
    c.world.make_user(name, "enterprise_user", "e1")
    return {"username": name, "password": "correct horse battery staple"}


BODIES = {
    ("POST", "/api/auth/login"): _login_body,
    ("PUT", "/api/auth/lang"): lambda c: {"lang": "en"},
    ("POST", "/api/auth/password"): lambda c: {"current_password": "correct horse battery "
                                               "staple", "new_password": f"new pass {uuid.uuid4()}"},
    ("POST", "/api/auth/tokens"): lambda c: {"name": "script", "scopes": ["published:read"]},
    ("POST", "/api/auth/sessions/end-others"): lambda c: {
        "password": "correct horse battery staple"},
    ("POST", "/api/organisations"): lambda c: {"code": f"o{next(_n)}", "name": "O",
                                               "level": "facility",
                                               "parent_id": c.world.orgs[c.org]},
    ("POST", "/api/users"): lambda c: {"username": f"n{next(_n)}", "org_id": c.world.orgs[c.org],
                                       "roles": ["enterprise_user"]},
    ("PATCH", "/api/users/{user_id}"): lambda c: {"name": "renamed"},
    ("PUT", "/api/roles/{key}"): lambda c: {"name": "Custom", "name_zh": "自定义",
                                            "scope": "subtree", "permissions": ["orgs:read"]},
    ("POST", "/api/publications"): lambda c: {"object_type": "project",
                                              "object_id": str(c.world.project(c.org)),
                                              "audience": "public"},
    ("POST", "/api/projects"): lambda c: {"name": f"np{next(_n)}",
                                          "org_id": c.world.orgs[c.org]},
    ("POST", "/api/projects/{project_id}/versions"): lambda c: {
        "files": [("files", ("notes.md", b"# notes\n", "text/markdown"))]},
}
# the dashboard's data pages: an upload checked row by row, its fix workbook (issue 15)
for _path in ("/api/web/data/projects/{project_id}/upload",
              "/api/web/data/projects/{project_id}/fix-workbook"):
    BODIES[("POST", _path)] = lambda c: {
        "files": [("files", ("notes.md", b"# notes\n", "text/markdown"))]}
BODIES[("POST", "/api/web/whatif/projects/{project_id}/move")] = lambda c: {
    "scenario": "policy", "penetrations": {}}
BODIES[("POST", "/api/web/whatif/projects/{project_id}/save")] = lambda c: (
    _version(c), {"scenario": "policy", "name": "wi", "version": 1})[1]


BODIES |= {
    ("POST", "/api/monitoring/uploads"): lambda c: {"name": "m", "org_id": c.world.orgs[c.org],
                                                    "rows": _PM_ROWS},
    ("POST", "/api/monitoring/uploads/{upload_id}/alerts"): lambda c: {"targets": _PM_TARGETS},
    ("POST", "/api/monitoring/uploads/{upload_id}/nowcast"): lambda c: {"entity": "c"},
    ("POST", "/api/monitoring/cases"): lambda c: {"org_id": c.world.orgs[c.org],
                                                  "rows": _HOURLY, "limits": _LIMITS},
    ("POST", "/api/monitoring/cases/{case_id}/transition"): lambda c: {
        "to": "rectified", "evidence": {"note": "repaired"}},
}
# enterprises and parks (issue 17): stored rows owned by the body's org_id, and computations
# on a project version (the tenant object of the body); the sample version is not a complete
# project, so its own-tenant computations end in the handler's validation (SUB_RESOURCES)
_EV = {"date": "2024-01-01", "kind": "loan contract", "reference": "matrix"}
BODIES |= {
    ("POST", "/api/enterprise/permits"): lambda c: {
        "org_id": c.world.orgs[c.org], "permit": _demo_data().permits[0].model_copy(
            update={"number": f"N{next(_n)}"}).model_dump(mode="json")},
    ("POST", "/api/enterprise/permits/{permit_id}/compliance"): lambda c: {
        "concentrations": [{"outlet_id": "DA001", "species": "SO2", "value": 20.0,
                            "unit": "mg/m3"}]},
    ("POST", "/api/enterprise/accounts"): lambda c: {"org_id": c.world.orgs[c.org],
                                                     "project_version_id": _version(c)},
    ("POST", "/api/enterprise/footprints"): lambda c: {
        "org_id": c.world.orgs[c.org],
        "product": _demo_data().products[0].model_dump(mode="json")},
    ("POST", "/api/enterprise/synergy"): lambda c: {
        "org_id": c.world.orgs[c.org], "project": _demo_data().projects[0].model_copy(
            update={"id": f"S{next(_n)}"}).model_dump(mode="json")},
    ("POST", "/api/enterprise/synergy/assess"): lambda c: {"project_version_id": _version(c),
                                                           "year": 2030},
    ("POST", "/api/enterprise/synergy/{synergy_id}/status"): lambda c: {"to": "funded",
                                                                        "evidence": _EV},
    ("POST", "/api/enterprise/parks/{org_id}/account"): lambda c: {
        "project_version_id": _version(c)},
    ("POST", "/api/enterprise/screening"): lambda c: {
        "project_version_id": _version(c),
        "plant": _demo_data().plants[0].model_dump(mode="json")},
}
_SCREEN = lambda c: {  # noqa: E731
    "project_version_id": _version(c), "plant": _demo_data().plants[0].model_dump(mode="json")}
BODIES |= {
    ("POST", "/api/enterprise/screening/report"): _SCREEN,
    ("POST", "/api/web/enterprise/screening"): _SCREEN,
    ("POST", "/api/enterprise/parks/{org_id}/targets"): lambda c: {"target": {
        "id": f"T{next(_n)}", "species": "SO2", "year": 2022, "max": 1.0, "unit": "t"}},
}
_ENT_COMPUTE = {("POST", "/api/enterprise/accounts"), ("POST", "/api/enterprise/synergy/assess"),
                ("POST", "/api/enterprise/parks/{org_id}/account"),
                ("POST", "/api/enterprise/screening"), ("POST", "/api/enterprise/screening/report"),
                ("POST", "/api/web/enterprise/screening"),
                # park routes: the case's organisation is not a park (the handler's 422)
                ("POST", "/api/enterprise/parks/{org_id}/targets"),
                ("GET", "/api/enterprise/parks/{org_id}/targets"),
                ("DELETE", "/api/enterprise/parks/{org_id}/targets/{target_id}"),
                ("GET", "/api/enterprise/parks/{org_id}/account"),
                ("GET", "/web/enterprise/parks/{org_id}")}
SUB_RESOURCES |= _ENT_COMPUTE
for _kind in ("inventory", "scenario", "compare", "measures", "optimise", "cge", "airquality",
              "evaluation", "health", "uncertainty", "robust"):
    BODIES[("POST", f"/api/jobs/{_kind}")] = lambda c: {"project_version_id": _version(c)}
_NO_PROJECT = {  # jobs without a project: the tenant object is the body's org_id
    "sleep": {"seconds": 0},
    "health": {"pm25_base": 50, "pm25_new": 40, "population": 1e6, "mortality_rate": 0.007},
    "airquality": {"emissions": [{"source_region": "CHN", "precursor": "SO2",
                                  "change_t": -1000}]},
    "evaluation": {"values": [{"unit": "u1", "year": 2020}]},
}
BODIES[("POST", "/api/jobs/batch")] = lambda c: {"org_id": c.world.orgs[c.org],
                                                 "params": {"cities": [_version(c)]}}
for _kind, _params in _NO_PROJECT.items():
    BODIES[("POST", f"/api/jobs/{_kind}")] = (
        lambda c, _p=_params: {"org_id": c.world.orgs[c.org], "params": _p})
# stateless computations on the posted body (no stored object, nothing of a tenant is read):
# the matrix sends an empty body and counts a 422 as "reached the handler's validation"
STATELESS = {("POST", "/api/monitoring/series/check"), ("POST", "/api/monitoring/alerts"),
             ("POST", "/api/monitoring/anomalies"), ("POST", "/api/monitoring/cases/transition"),
             ("POST", "/api/monitoring/notices"),
             # dashboard: an uploaded table read or analysed, nothing stored (issue 15)
             ("POST", "/api/web/analysis/evaluation/values"),
             ("POST", "/api/web/analysis/decoupling"),
             # a product's footprint computed from the body, nothing stored or read
             ("POST", "/api/enterprise/footprints/compute")}
# routes whose body carries the tenant object (not a path parameter)
BODY_OBJECT_ROUTES = {("POST", "/api/organisations"), ("POST", "/api/users"),
                      ("POST", "/api/web/enterprise/screening"),
                      ("POST", "/api/publications"), ("POST", "/api/projects"),
                      ("POST", "/api/monitoring/uploads"), ("POST", "/api/monitoring/cases"),
                      *((m, p) for (m, p) in BODIES if p.startswith("/api/enterprise/")
                        and "{" not in p),
                      *((m, p) for (m, p) in BODIES if p.startswith("/api/jobs/"))}


def _perms(role: str) -> frozenset[str]:
    r = builtin().roles[role]
    perms = set(builtin().permissions) if "*" in r.permissions else set(r.permissions)
    if role != "public":
        perms.add(SELF)
    return frozenset(perms)


def _path_params(path: str) -> list[str]:
    import re

    return re.findall(r"{(\w+)}", path)


def _request(case: Case, route, method: str):
    params = _path_params(route.path)
    path = route.path
    for p in params:
        if p not in FACTORIES:
            pytest.fail(f"route {method} {route.path}: path parameter {{{p}}} has no factory; "
                        "add one to FACTORIES in tests/security/test_sec_matrix.py")
        make = FACTORIES[p] or _role_key
        path = path.replace("{" + p + "}", str(make(case)))
    body = None
    if route.dependant.body_params and (method, route.path) in STATELESS:
        body = {}
    elif route.dependant.body_params:
        sample = BODIES.get((method, route.path))
        if sample is None:
            pytest.fail(f"route {method} {route.path} takes a body but has no sample in BODIES "
                        "(tests/security/test_sec_matrix.py)")
        body = sample(case)
    return path, body


#: routes that end or replace the caller's session or password: a fresh account per case
SESSION_ENDING = {("POST", "/api/auth/login"), ("POST", "/api/auth/logout"),
                  ("POST", "/api/auth/password")}


def _client(world, role: str, fresh: bool):
    """One client per role; a fresh account and session for the session-ending routes."""
    if role == "public":  # anonymous: a client without cookies (a login would add some)
        return (world.new_client() if fresh else world.as_role("public")), None
    if not fresh:
        return world.as_role(role), world.users[role]
    from secworld import HOME

    name = f"{role}-{next(_n)}"
    uid = world.make_user(name, role, HOME.get(role))
    return world.login(name), uid


def _cases(world):
    for route in api_routes(world.app):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            yield route, method


#: on PostgreSQL (the same code; what differs is the SQL of the scoping layer) the matrix runs
#: for one role of each scope kind and the enterprise-to-enterprise case, within the test budget
PG_ROLES = ("enterprise_user", "finance_reader", "public")


def test_every_route_declares_a_rule(world):
    missing = [f"{sorted(r.methods)} {r.path}" for r in api_routes(world.app)
               if route_rule(r) is None]
    assert missing == [], "routes without Need(...) or PUBLIC"


def test_authorisation_matrix(world):
    results = []
    roles = ROLES if world.app.state.db.is_sqlite else PG_ROLES
    for route, method in _cases(world):
        rule = route_rule(route)
        assert rule is not None, f"{method} {route.path} declares no rule"
        has_object = bool([p for p in _path_params(route.path) if FACTORIES.get(p)]) or \
            (method, route.path) in BODY_OBJECT_ROUTES
        for role in roles:
            for tenant in ("own", "other"):
                if tenant == "other" and (OTHER[role] is None or not has_object
                                          or rule not in _perms(role)):
                    continue  # (without the permission the answer is the same for both)
                fresh = (method, route.path) in SESSION_ENDING
                client, uid = _client(world, role, fresh)
                case = Case(world, role, tenant, uid)
                path, body = _request(case, route, method)
                if isinstance(body, dict) and "files" in body and isinstance(
                        body["files"], list):
                    r = client.request(method, path, files=body["files"])
                else:
                    r = client.request(method, path, json=body)
                params = set(_path_params(route.path)) - {"key", "token_id"}
                outcome = _judge(rule, role, tenant, has_object, r.status_code,
                                 stateless=(method, route.path) in STATELESS,
                                 sub=(method, route.path) in SUB_RESOURCES,
                                 unpublished=bool(params - PUBLISHABLE_PARAMS))
                results.append((method, route.path, role, tenant, r.status_code, outcome))
                if fresh:
                    client.close()
    bad = [x for x in results if x[-1] is not True]
    assert bad == [], "\n".join(f"{m} {p} as {ro} ({t}): {s}, expected {o}"
                                for m, p, ro, t, s, o in bad)
    assert len(results) >= 150
    print(f"authorisation matrix: {len(results)} route x role x tenant cases")


def _judge(rule: str, role: str, tenant: str, has_object: bool, status: int,
           stateless: bool = False, sub: bool = False, unpublished: bool = False):
    """True if ``status`` is the documented outcome, else a description of what was due."""
    if status >= 500:
        return "no server error"
    if rule == "public":
        return True if status not in (401, 403) else "no 401/403 on a public route"
    if rule not in _perms(role):
        due = 401 if role == "public" else 403
        return True if status == due else due
    if tenant == "other" and has_object:
        return True if status == 404 else 404
    if unpublished and builtin().roles[role].scope == "published":
        return True if status == 404 else "404 (not published)"
    if sub:
        return True if status in (404, 422) or 200 <= status < 300 else "past authorisation"
    if stateless:
        return True if status == 422 or 200 <= status < 300 else "the handler's validation"
    return True if 200 <= status < 300 else "success (2xx) in the own jurisdiction"


def test_lists_hold_only_rows_of_the_jurisdiction(world):
    """Every list route, per role: no row of an organisation outside the jurisdiction."""

    from cocontrol.service.access import visible_orgs

    visible = {}
    with world.session() as s:
        for role, home in (("bureau_analyst", "d1"), ("park_manager", "p1"),
                           ("enterprise_user", "e1")):
            visible[role] = set(s.scalars(visible_orgs(world.orgs[home])))
    for org in world.orgs:  # a project everywhere
        world.project(org, f"list-{org}")
    checked = 0
    for route, method in _cases(world):
        if method != "GET" or _path_params(route.path):
            continue
        for role, orgs in visible.items():
            r = world.as_role(role).get(route.path)
            if r.status_code != 200 or not r.headers.get("content-type", "").startswith(
                    "application/json"):
                continue  # (dashboard pages answer HTML: their lists are tested in tests/web)
            items = r.json().get("items") if isinstance(r.json(), dict) else r.json()
            for item in items or []:
                if not isinstance(item, dict):
                    continue
                # the tenant of a row: its org_id (an organisation is its own tenant)
                tenant = item.get("org_id", item.get("id") if route.path.endswith(
                    "/organisations") else None)
                if tenant is not None:
                    assert tenant in orgs, (route.path, role, item)
                    checked += 1
    assert checked > 0
