"""IDOR: an enterprise user enumerating ids learns nothing about other enterprises.

For every GET route of the live table with one object id in its path, the enterprise user of
e1 walks the ids 1..max: its own objects answer 200; every other id, whether it belongs to
another enterprise (e2 in the same park, e3 elsewhere) or does not exist at all, answers the
same 404 body (only the id in the message differs), so existence cannot be probed."""

from __future__ import annotations

import re

from cocontrol.service.access import api_routes, route_rule

ID_PARAMS = ("org_id", "project_id", "user_id", "publication_id", "token_id", "job_id",
             "result_id", "version_id")


def test_enumerating_ids_of_other_enterprises_answers_404_like_nothing(world):
    w = world
    own = {"project_id": {w.project("e1", "mine")}, "org_id": {w.orgs["e1"], w.orgs["f1"]}}
    for org in ("e2", "e3", "p1", "d1"):
        w.project(org, f"theirs-{org}")
    # published for the public: everyone, the enterprise user too, may read the publication
    own["publication_id"] = {w.publish("project", w.project("e2", "public-e2"), "e2", "public")}
    w.publish("project", w.project("e3", "finance-e3"), "e3", "finance")
    c = w.as_role("enterprise_user")
    walked = 0
    for route in api_routes(w.app):
        params = re.findall(r"{(\w+)}", route.path)
        if "GET" not in route.methods or len(params) != 1 or params[0] not in ID_PARAMS:
            continue
        if route_rule(route) == "public":
            continue
        p = params[0]
        bodies = set()
        for i in range(1, 40):
            r = c.get(route.path.replace("{" + p + "}", str(i)))
            if i in own.get(p, set()):
                if "/enterprise/parks/{org_id}" in route.path:  # the API and its page
                    # the user's own organisations are visible to it but are not parks: the
                    # park routes say so (422), which tells it nothing it may not know
                    assert r.status_code == 422, (route.path, i, r.status_code)
                    assert "not a park" in r.text or "不是园区" in r.text, r.text
                else:
                    assert r.status_code == 200, (route.path, i)
                continue
            assert r.status_code in (403, 404), (route.path, i, r.status_code)
            if r.status_code == 404:
                body = r.text  # a page: its <main> (the head carries a fresh CSRF token)
                if r.headers.get("content-type", "").startswith("text/html"):
                    body = re.search(r"<main.*?</main>", body, re.S).group(0)
                # the id itself, not a digit of the page ("initial-scale=1", "<h1>")
                bodies.add(re.sub(rf"(?<![\w=.]){i}(?!\w)", "<id>", body))
            walked += 1
        assert len(bodies) <= 1, (route.path, bodies)  # one shape for "not yours" and "none"
    assert walked >= 100
