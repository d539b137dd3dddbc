"""``/api/monitoring``: thin routes over cocontrol.monitoring (validation, alerts, anomalies,
case workflow, notices) under the access contract."""

from __future__ import annotations

import pytest

from cocontrol.service import access

ADMIN = "test-admin-token-monitoring-0123"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app for the module: these routes are stateless (no table is read or written), so
    one SQLite-backed app serves every test (the database tests of the service cover both
    backends)."""
    from fastapi.testclient import TestClient

    from cocontrol.service.app import create_app
    from cocontrol.service.settings import Settings

    tmp = tmp_path_factory.mktemp("mon_api")
    settings = Settings(environment="test", data_dir=tmp / "data",
                        database_url=f"sqlite:///{tmp / 'c.db'}", api_token=ADMIN,
                        executor="inline")
    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN}"
        yield c


def _rows():
    rows = []
    for y, v in ((2020, 50.0), (2023, 46.0)):
        rows.append({"entity": "c", "indicator": "pm25_conc", "period": str(y), "value": v,
                     "unit": "ug/m**3", "source": "test"})
    for m in (4, 5, 6):
        for y, el in ((2023, 100.0), (2024, 110.0)):
            rows.append({"entity": "a", "indicator": "electricity", "period": f"{y}-{m:02d}",
                         "value": el, "unit": "MWh", "source": "test"})
    return rows


def test_series_check_and_problems_with_row_and_column(client):
    r = client.post("/api/monitoring/series/check", json={"rows": _rows()})
    assert r.status_code == 200, r.text
    assert r.json()["entities"] == ["a", "c"] and r.json()["rows"] == 8
    bad = _rows()
    bad[1]["unit"] = "MWh"  # a concentration in MWh
    r = client.post("/api/monitoring/series/check", json={"rows": bad})
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert p["row"] == 3 and p["column"] == "unit"


def test_alerts_progress_rule(client):
    t = {"targets": [{"id": "pm", "kind": "pm25_annual", "entity": "c", "base_year": 2020,
                      "target_year": 2025, "value": 40, "unit": "ug/m**3", "basis": "test"}]}
    r = client.post("/api/monitoring/alerts", json={"rows": _rows(), "targets": t})
    assert r.status_code == 200, r.text
    a = r.json()[0]
    # expected 2023 = 50 - 10 x 3/5 = 44; actual 46: shortfall 0.2 -> red
    assert a["expected_value"] == 44.0 and abs(a["shortfall"] - 0.2) < 1e-12
    assert a["level"] == "red" and a["probability_of_missing"] is None


def test_anomalies_to_cases_and_workflow(client):
    rows = [{"facility": "u1", "time": f"2024-06-01T{h:02d}:00:00",
             "conc": {"SO2": 60.0 if h in (5, 6) else 20.0}} for h in range(1, 24)]
    lim = [{"facility": "u1", "pollutant": "SO2", "limit": 35, "unit": "mg/m3",
            "basis": "permit"}]
    r = client.post("/api/monitoring/anomalies", json={"rows": rows, "limits": lim,
                                                       "jurisdiction": "fenhe"})
    assert r.status_code == 200, r.text
    case = next(c for c in r.json() if c["finding"]["rule"] == "exceedance")
    assert case["status"] == "found" and case["finding"]["hours"] == 2
    step = {"case": case, "to": "closed", "by": "officer", "at": "2024-06-02T09:00:00"}
    r = client.post("/api/monitoring/cases/transition", json=step)
    err = r.json()["error"]  # English as message, Chinese as message_zh
    assert r.status_code == 409 and "cannot go from found to closed" in err["message"]
    assert "不能从“已发现”变为“已销号”" in err["message_zh"]
    step |= {"to": "assigned", "owner": "Huaxin Power"}
    r = client.post("/api/monitoring/cases/transition", json=step)
    assert r.status_code == 200 and r.json()["status"] == "assigned"


def test_notice_and_permissions(client):
    body = {"rows": _rows(), "period": "2024-Q2", "jurisdiction": "city", "members": ["a"]}
    r = client.post("/api/monitoring/notices", json=body)
    assert r.status_code == 200, r.text
    assert abs(r.json()["rankings"]["electricity"]["rows"][0]["value"] - 10.0) < 1e-9  # +10 %
    from cocontrol.service import auth

    with client.app.state.db.session() as session:  # a reader: results:read, no writing
        user, _ = auth.create_account(session, "viewer", None, ["bureau_leader"])
        viewer = auth.issue_token(session, user, ["*"])
        session.commit()
    h = {"Authorization": f"Bearer {viewer}"}
    assert client.post("/api/monitoring/notices", json=body, headers=h).status_code == 200
    r = client.post("/api/monitoring/series/check", json={"rows": _rows()}, headers=h)
    assert r.status_code == 403
    assert client.post("/api/monitoring/notices", json=body,
                       headers={"Authorization": ""}).status_code == 401
    assert access.unprotected_routes(client.app) == []
