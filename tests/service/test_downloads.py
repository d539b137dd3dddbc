"""Result downloads of the measure-metrics, optimisation and comparison jobs: tables as tidy
CSV and IAMC, the library's HTML report and its PDF (headless Chromium), checked against
hand-checkable invariants of the numbers. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pytest
from tests.service.helpers import make_project, wait


def _csv(client, rid: str, table: str) -> pd.DataFrame:
    r = client.get(f"/api/results/{rid}/tables/{table}", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    return pd.read_csv(io.StringIO(r.text))


def _file(client, rid: str, name: str, media: str) -> bytes:
    r = client.get(f"/api/results/{rid}/files/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media), r.text[:300]
    return r.content


def test_measures_job_ratios_and_report(client):
    """Unit costs are cost / reduction with units on both sides (yuan / t CO2), and the MAC
    curve's steps are the measures' reductions laid end to end (Kesicki & Ekins 2012, the
    marginal abatement cost curve: width = abatement, height = unit cost)."""
    _, _, v1 = make_project(client)
    r = client.post("/api/jobs/measures", json={"project_version_id": v1["id"], "params": {
        "scenario": "policy", "year": 2030, "report": "html"}})
    job = wait(client, r.json()["id"], 240)
    assert job["status"] == "succeeded", job
    res = client.get(f"/api/results/{job['result_id']}").json()
    assert {"ranking", "metrics", "mac_co2", "mac_apeq"} <= {t["name"] for t in res["tables"]}
    rk = _csv(client, res["id"], "ranking")
    assert res["summary"]["measures"] > 0 and len(rk) == rk["measure"].nunique()
    assert sorted(rk["overall_rank"]) == list(range(1, len(rk) + 1))
    ok = rk["CO2_reduction_t"].abs() > 1.0
    ratio = rk.loc[ok, "cost_yuan"] / rk.loc[ok, "CO2_reduction_t"]
    assert (ratio - rk.loc[ok, "yuan_per_t_CO2"]).abs().max() <= 1e-6 * ratio.abs().max()
    mac = _csv(client, res["id"], "mac_co2")
    on = mac[mac["on_curve"]]
    assert set(on["unit_cost_unit"]) == {"yuan/t CO2"}
    widths = on["cum_end"] - on["cum_start"]
    assert (widths - on["CO2_reduction_t"]).abs().max() <= 1e-6 * on["cum_end"].max()
    assert np.allclose(on["cum_start"].iloc[1:], on["cum_end"].iloc[:-1], rtol=1e-12, atol=0)
    assert res["files"] == ["scenario_report.html"]
    html = _file(client, res["id"], "scenario_report.html", "text/html")
    assert b"<html" in html[:2000].lower() and b"freight_road_to_rail" not in html[:200]


def test_optimise_job_plan_meets_the_target_and_infeasible_report(client, backend):
    """The least-cost plan meets its PM2.5 limit in the target year (the constraint of the
    LP; GB 3095-2012 Grade II 35 µg/m³ in the demo); a limit no measure can reach gives the
    infeasibility report instead of a plan, never a silent plan. The infeasible case (a
    second, slower solve with the relaxation) runs on SQLite only: what it adds is the
    optimiser's, not the database's."""
    _, _, v1 = make_project(client)
    a = client.post("/api/jobs/optimise", json={"project_version_id": v1["id"], "params": {
        "pm25_target": 35, "target_year": 2030}})
    if backend == "sqlite":
        b = client.post("/api/jobs/optimise", json={"project_version_id": v1["id"],
                                                    "params": {"pm25_target": 5,
                                                               "target_year": 2030}})
    ja = wait(client, a.json()["id"], 300)
    assert ja["status"] == "succeeded", ja
    ra = client.get(f"/api/results/{ja['result_id']}").json()
    assert ra["summary"]["feasible"] is True
    assert {"summary", "portfolio", "costs"} <= {t["name"] for t in ra["tables"]}
    s = _csv(client, ra["id"], "summary").set_index("year")
    assert s.loc[2030, "PM2.5_plan_ugm3"] <= 35 + 1e-6
    assert s.loc[2030, "PM2.5_base_scenario_ugm3"] > 35  # the limit binds: work was needed
    assert "optimisation_report.html" in ra["files"] and "optimisation.xlsx" in ra["files"]
    _file(client, ra["id"], "optimisation_report.html", "text/html")
    book = pd.read_excel(io.BytesIO(_file(client, ra["id"], "optimisation.xlsx",
                                          "application/vnd.openxmlformats")), sheet_name=None)
    assert len(book) >= 2
    if backend != "sqlite":
        return
    jb = wait(client, b.json()["id"], 300)
    assert jb["status"] == "succeeded", jb
    rb = client.get(f"/api/results/{jb['result_id']}").json()
    assert rb["summary"]["feasible"] is False and rb["summary"]["infeasible"]
    names = {t["name"] for t in rb["tables"]}
    assert "summary" not in names and "infeasibility" in names  # no plan passed off as one
    inf = _csv(client, rb["id"], "infeasibility")
    pm = inf[(inf["constraint"] == "pm25") & (inf["year"] == 2030)].iloc[0]
    assert pm["limit"] == 5 and not pm["met"] and pm["unit"] == "µg/m³"
    assert abs(pm["shortfall"] - (pm["value"] - pm["limit"])) <= 1e-6 * pm["value"]
    # the best achievable level lies between the limit and the plan's own 35 µg/m³
    assert 5 < pm["value"] <= s.loc[2030, "PM2.5_plan_ugm3"] + 1e-6
    assert any(f.endswith(".html") for f in rb["files"])


def _chromium_or_skip() -> None:
    from cocontrol.errors import CocontrolError
    from cocontrol.htmlpdf import chromium_path

    try:
        chromium_path()
    except CocontrolError:
        if os.environ.get("CI") == "true":
            pytest.fail("PDF downloads need Chromium under CI (scripts/ensure-chromium.sh)")
        pytest.skip("needs Chromium (scripts/ensure-chromium.sh)")


def test_comparison_downloads_iamc_html_and_pdf(client):
    _chromium_or_skip()
    _, _, v1 = make_project(client)
    r = client.post("/api/jobs/compare", json={"project_version_id": v1["id"], "params": {
        "scenarios": ["policy"], "reference": "baseline", "year": 2030, "report": "pdf",
        "lang": "zh"}})
    job = wait(client, r.json()["id"], 300)
    assert job["status"] == "succeeded", job
    res = client.get(f"/api/results/{job['result_id']}").json()
    assert res["files"] == ["scenario_report.html", "scenario_report.pdf"]
    pdf = _file(client, res["id"], "scenario_report.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    html = _file(client, res["id"], "scenario_report.html", "text/html").decode()
    assert "情景" in html  # the Chinese report
    iamc = _csv(client, res["id"], "iamc")
    assert list(iamc.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert set(iamc["scenario"]) == {"policy"}
    pw = _csv(client, res["id"], "pathways")
    assert set(pw["scenario"]) == {"policy"}  # the table: the runs asked for
