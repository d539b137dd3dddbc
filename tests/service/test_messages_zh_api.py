"""The service's error bodies carry the same message in English and Chinese (issue 12 item 3).

Real requests on one app (SQLite: the wording does not depend on the database) trigger errors
of the routes (login, organisations, projects, users, roles, results, jobs) and of the
libraries behind them (a refused upload); each body's ``message`` keeps its English and its
``message_zh`` (and every problem's ``text_zh``) holds no untranslated English word outside
quoted codes and values (:func:`english_words` of the report tests).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from browser import english_words  # noqa: E402

_EXEMPT = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|技术细节：[^）]*）")


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    return request.param


def _zh(body: dict, english: str) -> None:
    err = body["error"]
    assert english in err["message"], err
    texts = [err["message_zh"], *[p["text_zh"] for p in err["problems"]]]
    for p in err["problems"]:  # the user's own file name and request key, as written
        texts = [t.replace(str(p["file"]), " ").replace(f"列/键 {p['column']}", " ")
                 for t in texts]
    assert err["message_zh"] != err["message"], err
    assert not english_words([_EXEMPT.sub(" ", t) for t in texts]), texts


def test_error_bodies_in_both_languages(client):
    r = client.get("/api/organisations", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    _zh(r.json(), "invalid or revoked token")

    r = client.get("/api/projects/99999")
    assert r.status_code == 404
    _zh(r.json(), "project 99999 not found")

    org = client.post("/api/organisations", json={"code": "zh_city", "name": "Z",
                                                  "level": "city"}).json()
    r = client.post("/api/organisations", json={"code": "zh_city", "name": "Z2",
                                                 "level": "city"})
    assert r.status_code == 409
    _zh(r.json(), "organisation code 'zh_city' is taken")
    r = client.post("/api/organisations", json={"code": "zh_prov", "name": "P",
                                                "level": "province", "parent_id": org["id"]})
    assert r.status_code == 422
    _zh(r.json(), "a province cannot sit under a city")

    r = client.get("/api/users/99999")
    assert r.status_code == 404
    _zh(r.json(), "user 99999 not found")
    r = client.delete("/api/roles/nope")
    assert r.status_code == 404
    _zh(r.json(), "role 'nope' not found")

    proj = client.post("/api/projects", json={"name": "Z", "org_id": org["id"]}).json()
    r = client.post(f"/api/projects/{proj['id']}/versions",
                    files=[("files", ("activity.csv", b"", "text/csv")),
                           ("files", ("my data.csv", b"a\n1\n", "text/csv"))])
    assert r.status_code == 422
    _zh(r.json(), "file names must be plain names")
    r = client.post(f"/api/projects/{proj['id']}/versions",
                    files=[("files", ("activity.csv", b"", "text/csv"))])
    assert r.status_code == 422
    _zh(r.json(), "1 file(s) refused; nothing was stored")
    r = client.get(f"/api/projects/{proj['id']}/versions/7")
    assert r.status_code == 404
    _zh(r.json(), f"version 7 of project {proj['id']} not found")

    r = client.post("/api/jobs/sleep", json={"params": {"seconds": 0}})
    assert r.status_code == 422
    _zh(r.json(), "a job without a project needs an organisation")

    # a job that fails in the library: its stored error keeps the Chinese too
    from tests.service.helpers import wait

    r = client.post("/api/jobs/cge", json={"org_id": org["id"],
                                           "params": {"instruments": ["carbon_tax_x"]}})
    assert r.status_code in (200, 202), r.text
    job = wait(client, r.json()["id"])
    assert job["status"] == "failed", job
    _zh({"error": job["error"]}, "1 problem(s) in the input")
    assert "未知政策工具" in job["error"]["problems"][0]["text_zh"]
