"""Projects: immutable versions with a content hash, uploads with the full validation report."""

from __future__ import annotations

import hashlib

from tests.service.helpers import DEMO, demo_files, make_project


def test_upload_makes_a_version_with_a_content_hash(client):
    _, pid, v1 = make_project(client)
    assert v1["number"] == 1
    files = {f["path"]: f for f in v1["files"]}
    raw = (DEMO / "activity.csv").read_bytes()
    assert files["activity.csv"]["sha256"] == hashlib.sha256(raw).hexdigest()
    # the content hash is over the sorted (path, sha256) pairs
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(f"{path}\0{files[path]['sha256']}\n".encode())
    assert v1["content_hash"] == h.hexdigest()
    # the same content again makes no new version
    r = client.post(f"/api/projects/{pid}/versions", files=demo_files())
    assert r.status_code == 200 and r.json()["version"]["id"] == v1["id"]
    # a changed table makes version 2; version 1 is unchanged and still downloadable
    text = (DEMO / "measured.csv").read_text(encoding="utf-8").splitlines()
    r = client.post(f"/api/projects/{pid}/versions", data={"message": "fewer measurements"},
                    files=[("files", ("measured.csv", ("\n".join(text[:-1]) + "\n").encode(),
                                      "text/csv"))])
    assert r.status_code == 201, r.text
    v2 = r.json()["version"]
    assert v2["number"] == 2 and v2["content_hash"] != v1["content_hash"]
    got = client.get(f"/api/projects/{pid}/versions/1/files/activity.csv")
    assert got.content == raw
    assert client.get(f"/api/projects/{pid}/versions/1").json()["content_hash"] == \
        v1["content_hash"]
    # versions cannot be edited or deleted
    assert client.put(f"/api/projects/{pid}/versions/1", json={}).status_code == 405
    assert client.delete(f"/api/projects/{pid}/versions/1").status_code == 405


def test_invalid_upload_reports_every_problem_and_stores_nothing(client):
    _, pid, _ = make_project(client)
    lines = (DEMO / "activity.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("value")
    row = lines[1].split(",")
    row[col] = "lots"  # not a number
    bad = "\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n"
    r = client.post(f"/api/projects/{pid}/versions",
                    files=[("files", ("activity.csv", bad.encode(), "text/csv"))])
    assert r.status_code == 422
    err = r.json()["error"]
    hit = [p for p in err["problems"] if p["column"] == "value" and p["row"] == 2]
    assert hit and hit[0]["file"].endswith("activity.csv") and hit[0]["value"] == "lots"
    assert client.get(f"/api/projects/{pid}/versions").json()["total"] == 1


def test_dry_run_validates_without_storing(client):
    _, pid, _ = make_project(client)
    text = (DEMO / "measured.csv").read_text(encoding="utf-8").splitlines()
    r = client.post(f"/api/projects/{pid}/versions", params={"dry_run": True},
                    files=[("files", ("measured.csv", ("\n".join(text[:-1]) + "\n").encode(),
                                      "text/csv"))])
    assert r.status_code == 200 and r.json()["valid"] and r.json()["version"] is None
    assert client.get(f"/api/projects/{pid}/versions").json()["total"] == 1


def test_file_names_are_not_paths(client):
    _, pid, _ = make_project(client)
    r = client.post(f"/api/projects/{pid}/versions",
                    files=[("files", ("../../etc/passwd.csv", b"x", "text/csv"))])
    # the folder part is dropped: only the plain name is kept
    assert r.status_code == 201, r.text
    assert "passwd.csv" in {f["path"] for f in r.json()["version"]["files"]}
    r = client.post(f"/api/projects/{pid}/versions",
                    files=[("files", ("evil name;.sh", b"x", "text/plain"))])
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["file"] == "evil name;.sh"


def test_region_tree_of_a_version(client):
    _, pid, _ = make_project(client)
    tree = client.get(f"/api/projects/{pid}/versions/1/regions").json()
    assert [n["region_id"] for n in tree] == ["demo_city"]
    districts = {n["region_id"] for n in tree[0]["children"]}
    assert {"fenhe", "hedong", "nanshan"} <= districts


def test_projects_of_another_organisation_are_not_found(client):
    from tests.service.conftest import login_as

    _, pid, _ = make_project(client, "a")
    other = client.post("/api/organisations", json={"code": "b", "name": "b",
                                                    "level": "city"}).json()
    h = login_as(client, other["id"], "analyst")
    assert client.get("/api/projects", headers=h).json()["total"] == 0
    assert client.get(f"/api/projects/{pid}", headers=h).status_code == 404
    assert client.get(f"/api/projects/{pid}/versions/1/files/activity.csv",
                      headers=h).status_code == 404
    r = client.post("/api/jobs/inventory", headers=h, json={"project_version_id": 1})
    assert r.status_code == 404


def test_unsafe_tables_are_refused_before_anything_is_stored(client):
    _, pid, _ = make_project(client)
    lines = (DEMO / "measured.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[-1] = "=HYPERLINK(\"http://x\")"
    bad = "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n"
    r = client.post(f"/api/projects/{pid}/versions", files=[
        ("files", ("measured.csv", bad.encode(), "text/csv")),
        ("files", ("activity.xlsx", b"not a workbook", "application/octet-stream"))])
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "upload_rejected"
    assert {p["file"] for p in err["problems"]} == {"measured.csv", "activity.xlsx"}
    assert client.get(f"/api/projects/{pid}/versions").json()["total"] == 1
