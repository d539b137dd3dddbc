"""Jobs: idempotency, progress, cancel, time limit, failures with the CLI's problems, results
with provenance, recovery after a crash (running → interrupted, queued → resumed)."""

from __future__ import annotations

import io
import uuid

import pandas as pd
import pytest
from tests.service.helpers import make_project, wait


def _org(client, code="org"):
    return client.post("/api/organisations", json={"code": code, "name": code,
                                                   "level": "city"}).json()["id"]


def test_same_idempotency_key_runs_once(client):
    org = _org(client)
    body = {"org_id": org, "params": {"seconds": 0.05, "value": 3.0},
            "idempotency_key": "k-1"}
    a = client.post("/api/jobs/sleep", json=body)
    b = client.post("/api/jobs/sleep", json=body)
    c = client.post("/api/jobs/sleep", json={k: v for k, v in body.items()
                                             if k != "idempotency_key"},
                    headers={"Idempotency-Key": "k-1"})
    assert a.status_code == 202 and b.status_code == 200 and c.status_code == 200
    assert a.json()["id"] == b.json()["id"] == c.json()["id"]
    assert client.get("/api/jobs", params={"kind": "sleep"}).json()["total"] == 1
    # the same key for a different job is a conflict, not a silent reuse
    other = dict(body, params={"seconds": 0.05, "value": 4.0})
    r = client.post("/api/jobs/sleep", json=other)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_conflict"
    done = wait(client, a.json()["id"])
    assert done["status"] == "succeeded"
    assert (done["message"], done["message_zh"]) == ("done", "完成")  # both languages


def test_result_records_its_provenance_and_downloads(client):
    from cocontrol.service.jobs import input_hash

    org, pid, v1 = make_project(client)
    r = client.post("/api/jobs/inventory", json={"project_version_id": v1["id"],
                                                 "params": {"by": ["sector"], "unit": "kt",
                                                            "report": "html"}})
    assert r.status_code == 202
    job = wait(client, r.json()["id"], 120)
    assert job["status"] == "succeeded" and job["progress"] == 1.0, job
    res = client.get(f"/api/results/{job['result_id']}").json()
    assert res["project_version_id"] == v1["id"]
    assert res["input_hash"] == input_hash("inventory", job["params"], v1["content_hash"])
    # one provenance shape in library and service (cocontrol.provenance.Provenance): in the
    # row, in the answer and in each Parquet file's metadata
    from cocontrol.provenance import Provenance, factor_version
    from cocontrol.service import store

    assert res["code_version"].startswith("0.") and res["factor_version"] == factor_version()
    prov = Provenance.from_dict(res["provenance"])
    assert prov.project_hash == v1["content_hash"] and prov.code_version == res["code_version"]
    assert prov.factor_version == res["factor_version"]
    assert prov.assumptions["gwp"] == res["assumptions"]["gwp"]
    meta = store.file_metadata(client.app.state.settings.results_dir / res["id"]
                               / "inventory.parquet")
    assert meta["provenance"] == res["provenance"] and meta["table"] == "inventory"
    assert meta["kind"] == "inventory" and meta["input_hash"] == res["input_hash"]
    names = {t["name"] for t in res["tables"]}
    assert {"inventory", "iamc"} <= names
    page = client.get(f"/api/results/{res['id']}/tables/inventory",
                      params={"limit": 5}).json()
    # "estimate": not estimated / partial (missing is not zero, issue 9)
    assert len(page["rows"]) == 5 and page["columns"] == ["sector", "species", "year",
                                                          "value", "unit", "estimate"]
    csv = pd.read_csv(io.StringIO(client.get(f"/api/results/{res['id']}/tables/inventory",
                                             params={"format": "csv"}).text))
    assert len(csv) == page["total"] and set(csv["unit"]) == {"kt", "kt CO2e (AR6 GWP100)"}
    xlsx = client.get(f"/api/results/{res['id']}/workbook")
    book = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    assert "provenance" in book and len(book["inventory"]) == len(csv)
    # the stored table equals the library's own aggregation (the API is a faithful shell)
    from tests.service.helpers import DEMO

    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    lib = compute(load_project(DEMO), strict=False).aggregate(["sector"], unit="kt")
    merged = csv.merge(lib, on=["sector", "species", "year"], suffixes=("_api", "_lib"))
    assert len(merged) == len(lib)
    assert (merged["value_api"] - merged["value_lib"]).abs().max() <= 1e-9 * merged[
        "value_lib"].abs().max()
    # the library's HTML report, served as a file of the result
    assert res["files"] == ["inventory_report.html"]
    html = client.get(f"/api/results/{res['id']}/files/inventory_report.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert b"<html" in html.content[:2000].lower()
    # filters of the results list
    assert client.get("/api/results", params={"kind": "inventory"}).json()["total"] == 1
    assert client.get("/api/results", params={"kind": "cge"}).json()["total"] == 0


def test_failed_job_carries_the_problems(client):
    _, _, v1 = make_project(client)
    r = client.post("/api/jobs/scenario", json={"project_version_id": v1["id"],
                                                "params": {"scenario": "no_such"}})
    job = wait(client, r.json()["id"], 120)
    assert job["status"] == "failed" and job["result_id"] is None
    p = job["error"]["problems"][0]
    assert p["file"] == "scenarios.yaml" and p["value"] == "no_such"


def test_cancel_stops_a_running_job_and_stores_nothing(client):
    org = _org(client)
    r = client.post("/api/jobs/sleep", json={"org_id": org,
                                             "params": {"seconds": 20, "steps": 400}})
    jid = r.json()["id"]
    wait(client, jid, 30, until=("running",))
    c = client.post(f"/api/jobs/{jid}/cancel")
    assert c.status_code == 200 and c.json()["status"] == "cancelled"
    client.app.state.jobs.wait(jid)
    import time

    time.sleep(0.5)  # the worker notices at its next progress call and stops
    j = client.get(f"/api/jobs/{jid}").json()
    assert j["status"] == "cancelled" and j["result_id"] is None
    assert (j["message"], j["message_zh"]) == ("cancelled", "已取消")
    assert client.get("/api/results").json()["total"] == 0


def test_time_limit(client):
    org = _org(client)
    r = client.post("/api/jobs/sleep", json={"org_id": org, "time_limit_s": 0.5,
                                             "params": {"seconds": 10, "steps": 200}})
    j = wait(client, r.json()["id"], 30)
    assert j["status"] == "timed_out" and j["result_id"] is None
    assert j["message_zh"] in ("已达到 0.5 秒的时间限制", "已达到时间上限"), j


def test_recovery_marks_running_jobs_interrupted_and_resumes_queued(settings):
    from fastapi.testclient import TestClient
    from tests.service.conftest import ADMIN_TOKEN

    from cocontrol.service.app import create_app
    from cocontrol.service.db import Database
    from cocontrol.service.models import Job, Organisation

    with TestClient(create_app(settings)):
        pass  # migrate
    db = Database(settings.db_url)
    with db.session() as s:
        org = Organisation(code="o", name="o", level="city")
        s.add(org)
        s.flush()
        run_id, queued_id = str(uuid.uuid4()), str(uuid.uuid4())
        for jid, status in ((run_id, "running"), (queued_id, "queued")):
            s.add(Job(id=jid, org_id=org.id, kind="sleep", params={"seconds": 0.01},
                      status=status, progress=0.5, time_limit_s=60, instance="dead",
                      cancel_requested=False))
        s.commit()
    (settings.results_dir / ".tmp-half").mkdir(parents=True)  # a half-written result
    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        gone = c.get(f"/api/jobs/{run_id}").json()
        assert gone["status"] == "interrupted" and gone["message_zh"].startswith("已中断")
        assert wait(c, queued_id)["status"] == "succeeded"
        assert not (settings.results_dir / ".tmp-half").exists()
    db.dispose()


def test_unknown_job_is_not_found(client):
    r = client.get(f"/api/jobs/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_evaluation_and_airquality_jobs_store_the_library_tables(client):
    """Jobs without a project: the stored tables are the library's (by label), e.g. the
    evaluation scores of the illustrative cities equal a direct evaluate() call."""
    from tests.service.helpers import DEMO

    from cocontrol.evaluation import evaluate, load_system, load_values

    org = _org(client)
    df = pd.read_csv(DEMO.parent / "evaluation" / "cities_values.csv")
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    r = client.post("/api/jobs/evaluation", json={"org_id": org, "params": {"values": rows}})
    aq = client.post("/api/jobs/airquality", json={"org_id": org, "params": {"emissions": [
        {"source_region": "CHN", "precursor": "SO2", "change_t": -1e5}]}})
    ev = wait(client, r.json()["id"], 120)
    assert ev["status"] == "succeeded", ev
    res = client.get(f"/api/results/{ev['result_id']}").json()
    got = pd.read_csv(io.StringIO(client.get(f"/api/results/{res['id']}/tables/scores",
                                             params={"format": "csv"}).text))
    system = load_system("city")
    values, units = load_values(df, system)
    lib = evaluate(system, values, units).scores.reset_index()
    m = got.merge(lib, on=["unit", "year"], suffixes=("_api", "_lib"))
    assert len(m) == len(lib)
    pd.testing.assert_series_equal(m["score_api"], m["score_lib"], check_names=False)
    a = wait(client, aq.json()["id"], 120)
    assert a["status"] == "succeeded", a
    page = client.get(f"/api/results/{a['result_id']}/tables/concentrations").json()
    pm = [row for row in page["rows"] if row["component"] == "PM2.5"][0]
    assert pm["change"] < 0  # less SO2, less sulphate


def test_cge_job_ranks_the_combinations_of_the_chosen_instruments(client):
    org = _org(client)
    r = client.post("/api/jobs/cge", json={"org_id": org,
                                           "params": {"instruments": ["CTAX"]}})
    j = wait(client, r.json()["id"], 180)
    assert j["status"] == "succeeded", j
    res = client.get(f"/api/results/{j['result_id']}").json()
    assert res["summary"]["combinations"] == 1 and res["summary"]["top"] == "CTAX"
    bad = client.post("/api/jobs/cge", json={"org_id": org, "params": {"instruments": ["X"]}})
    jb = wait(client, bad.json()["id"], 60)
    assert jb["status"] == "failed"
    assert jb["error"]["problems"][0]["value"] == "X"


def test_scenario_and_compare_jobs(client):
    from tests.service.helpers import DEMO

    from cocontrol.scenario import peak, prepare, run

    _, _, v1 = make_project(client)
    s = client.post("/api/jobs/scenario", json={"project_version_id": v1["id"],
                                                "params": {"scenario": "policy"}})
    c = client.post("/api/jobs/compare", json={"project_version_id": v1["id"], "params": {
        "scenarios": ["baseline", "policy"], "reference": "baseline", "year": 2030}})
    js, jc = wait(client, s.json()["id"], 180), wait(client, c.json()["id"], 180)
    assert js["status"] == jc["status"] == "succeeded", (js, jc)
    rs = client.get(f"/api/results/{js['result_id']}").json()
    y, v = peak(run(prepare(DEMO), "policy"))
    assert rs["summary"]["co2_peak_year"] == y
    assert abs(rs["summary"]["co2_peak_t"] - v) <= 1e-9 * v
    rc = client.get(f"/api/results/{jc['result_id']}").json()
    assert {t["name"] for t in rc["tables"]} == {"pathways", "metrics", "iamc"}
    m = client.get(f"/api/results/{rc['id']}/tables/metrics", params={"limit": 100}).json()
    assert {r["scenario"] for r in m["rows"]} == {"policy"}


def test_library_progress_becomes_job_progress():
    """cocontrol.progress events (stage, done, total) map onto the job's fraction."""
    from cocontrol.progress import track
    from cocontrol.service.tasks import library

    seen = []
    for _ in track(range(4), library(lambda f, m: seen.append((f, m)), 0.2, 0.6), "demo.loop",
                   message="item"):
        pass
    import pytest

    assert [f for f, _ in seen] == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6])
    assert seen[0][1] == "demo.loop: item"


def test_job_progress_texts_are_in_both_languages():
    """The library's stage names and the tasks' own texts reach the job in English and in
    Chinese (the worker stores tr(message, "zh") as message_zh)."""
    from cocontrol.i18n import Msg, tr
    from cocontrol.service import tasks
    from cocontrol.service.tasks import library

    seen = []
    cb = library(lambda f, m: seen.append(m), 0.0, 1.0)
    cb("scenario.marginal", 1, 2, Msg("msg.prog_measure", m="coal_cap"))
    cb("robust", 0, 3, "deterministic plan")
    cb("pareto.linearise", 0, None)
    assert [str(m) for m in seen] == ["scenario.marginal: measure coal_cap",
                                      "robust: deterministic plan", "pareto.linearise"]
    assert [tr(m, "zh") for m in seen] == ["情景·边际效应：措施 coal_cap",
                                           "稳健规划：确定性方案", "帕累托前沿·线性化"]
    # no task reports a plain-English text: every progress(...) text is a catalogue message
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(tasks))
    plain = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "id", None) == "progress" and len(n.args) > 1
             and isinstance(n.args[1], ast.Constant | ast.JoinedStr)]
    assert not plain, plain


def test_uncertainty_job_equals_the_library(client):
    """The uncertainty job is a thin shell: its attainment table equals
    cocontrol.uncertainty.runner.assess with the same seed and draws."""
    from tests.service.helpers import DEMO

    from cocontrol.uncertainty.runner import assess

    _, _, v1 = make_project(client)
    params = {"draws": 60, "until": 2030, "seed": 4}
    r = client.post("/api/jobs/uncertainty", json={"project_version_id": v1["id"],
                                                   "params": params})
    job = wait(client, r.json()["id"], 240)
    assert job["status"] == "succeeded", job
    res = client.get(f"/api/results/{job['result_id']}").json()
    assert {"attainment", "fans"} <= {t["name"] for t in res["tables"]}
    rows = client.get(f"/api/results/{res['id']}/tables/attainment").json()["rows"]
    lib = assess(DEMO, draws=60, until=2030, seed=4).attainment
    assert [r["target"] for r in rows] == list(lib["target"])
    assert [r["probability"] for r in rows] == list(lib["probability"])
    assert res["summary"]["draws"] == 60


def test_batch_job_equals_the_library_and_refuses_unknown_versions(client, tmp_path):
    """The batch job runs each city from its project version, as ``cocontrol batch`` does:
    its comparison table equals uncertainty.batch.comparison of run_cities on the same
    folders (city = project name and version id); a version the user cannot read is a 404
    naming it, and nothing is queued."""
    import shutil

    from tests.service.helpers import DEMO, demo_files

    from cocontrol.uncertainty.batch import comparison, run_cities

    org, pid, v1 = make_project(client)
    p2 = client.post("/api/projects", json={"name": "Second city", "org_id": org}).json()
    v2 = client.post(f"/api/projects/{p2['id']}/versions", files=demo_files()).json()["version"]
    params = {"cities": [v1["id"], v2["id"]], "scenarios": ["baseline", "policy"],
              "year_from": 2020, "year_to": 2030}
    r = client.post("/api/jobs/batch", json={"org_id": org, "params": params})
    assert r.status_code == 202, r.text
    job = wait(client, r.json()["id"], 240)
    assert job["status"] == "succeeded", job
    res = client.get(f"/api/results/{job['result_id']}").json()
    names = [f"Demo-v{v1['id']}", f"Second_city-v{v2['id']}"]
    assert res["summary"]["cities"] == names
    rows = client.get(f"/api/results/{res['id']}/tables/comparison",
                      params={"limit": 1000}).json()["rows"]
    folders = []
    for n in names:
        shutil.copytree(DEMO, tmp_path / n)
        folders.append(tmp_path / n)
    lib = comparison(run_cities(folders, scenarios=["baseline", "policy"]), 2020, 2030, "SO2")
    assert len(rows) == len(lib) == 4
    got = {(r["city"], r["scenario"]): r for r in rows}
    for rec in lib.to_dict("records"):
        row = got[(rec["city"], rec["scenario"])]
        for k, v in rec.items():
            assert row[k] == (pytest.approx(v, rel=1e-12) if isinstance(v, float) else v), k
    n_jobs = client.get("/api/jobs").json()["total"]
    bad = client.post("/api/jobs/batch", json={"org_id": org,
                                               "params": {"cities": [v1["id"], 999999]}})
    assert bad.status_code == 404
    assert "999999" in bad.text
    assert client.get("/api/jobs").json()["total"] == n_jobs


def test_evaluation_job_reads_the_values_file_of_a_project_version(client):
    """The values come from an uploaded file (read as ``cocontrol evaluate`` reads it): the
    scores equal a direct evaluate() of the same file; a file the version does not have, or
    both sources at once, is refused plainly."""
    from tests.service.helpers import DEMO, demo_files

    from cocontrol.evaluation import evaluate, load_system, load_values

    org, pid, _ = make_project(client)
    values = DEMO.parent / "evaluation" / "cities_values.csv"
    r = client.post(f"/api/projects/{pid}/versions", files=[
        *demo_files(), ("files", (values.name, values.read_bytes(), "text/csv"))])
    assert r.status_code == 201, r.text
    v2 = r.json()["version"]
    ok = client.post("/api/jobs/evaluation", json={"project_version_id": v2["id"], "params": {
        "values_file": "cities_values.csv", "system": "city"}})
    missing = client.post("/api/jobs/evaluation", json={"project_version_id": v2["id"],
                                                        "params": {"values_file": "no.csv"}})
    both = client.post("/api/jobs/evaluation", json={"project_version_id": v2["id"], "params": {
        "values_file": "cities_values.csv", "values": [{"unit": "a", "year": 2020}]}})
    assert both.status_code == 422
    job = wait(client, ok.json()["id"], 120)
    assert job["status"] == "succeeded", job
    got = pd.read_csv(io.StringIO(client.get(f"/api/results/{job['result_id']}/tables/scores",
                                             params={"format": "csv"}).text))
    system = load_system("city")
    lib = evaluate(system, *load_values(values, system)).scores.reset_index()
    m = got.merge(lib, on=["unit", "year"], suffixes=("_api", "_lib"))
    assert len(m) == len(lib) == len(got)
    pd.testing.assert_series_equal(m["score_api"], m["score_lib"], check_names=False)
    bad = wait(client, missing.json()["id"], 60)
    assert bad["status"] == "failed"
    p = bad["error"]["problems"][0]
    assert p["file"] == "no.csv" and "cities_values.csv" in p["expected"]
