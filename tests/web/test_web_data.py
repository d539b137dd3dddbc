"""Data pages of the dashboard (issue 15 item 7) in a real headless Chromium, network off:
uploads with the validation report row by row and the cell to fix in Excel, project versions
and their differences, the job list (progress, cancel), report downloads; every page behind
its permission, labelled, without console errors, screenshots in both languages.

The expected rows and cells are the library's (cocontrol.project.fixreport and .diff on the
same files), and the planted error's cells are counted by hand."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from dash2world import add_tiny_project

LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def tiny(server, tmp_path_factory):
    return add_tiny_project(server, tmp_path_factory.mktemp("tiny-data"))


def _activity(files, fn) -> bytes:
    df = pd.read_csv(io.BytesIO(files["activity.csv"]), dtype=str, keep_default_na=False)
    return fn(df).to_csv(index=False).encode()


def _cells(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        selector, "trs => trs.map(tr => [...tr.cells].map(c => c.textContent.trim()))")


@pytest.mark.parametrize("lang", LANGS)
def test_upload_report_row_by_row_with_the_cell_to_fix(visit, tiny, lang, tmp_path):
    from openpyxl import load_workbook

    from cocontrol.project.fixreport import validation_report
    from cocontrol.service import projects as svc

    def plant(df):  # data row 2 (file row 3): a value that is not a number
        df = df.copy()
        df.loc[1, "value"] = "12,5x"
        return df

    bad = tmp_path / "activity.csv"
    bad.write_bytes(_activity(tiny["files"], plant))
    v = visit(lang).login("analyst",
                          next_path=f"/web/data/uploads?project_id={tiny['project_id']}")
    assert v.unlabelled_controls() == []
    v.page.set_input_files("#upload-files", str(bad))
    v.page.click("#upload-submit")
    v.page.wait_for_selector("#upload-report tbody tr")
    assert v.page.locator("#upload-message-out").get_attribute("data-valid") == "false"
    merged = svc.merge(tiny["files"], {"activity.csv": bad.read_bytes()}, [])
    errors, warnings = svc.validate(merged)
    rows = validation_report(errors + warnings, merged, lang)
    got = [(c[2], c[3], c[7], c[8]) for c in _cells(v.page, "#upload-report tbody tr")]
    assert got == [("" if r.row is None else str(r.row), r.column or "", r.cell or "",
                    f"{r.fix_sheet}!{r.fix_cell}" if r.fix_cell else "") for r in rows]
    # by hand: value is column G of activity.csv; file row 3; the fix workbook has the
    # Chinese headings in row 2, so the same row is sheet row 4
    assert ("3", "value", "G3", "activity!G4") in got
    with v.page.expect_download() as dl:
        v.page.click("#fix-workbook")
    wb = load_workbook(io.BytesIO(dl.value.path().read_bytes()))
    assert wb.sheetnames[0] == "problems" and wb["activity"]["G4"].value == "12,5x"
    v.shot("data-uploads")
    assert v.errors == []


def test_upload_makes_a_version_and_the_versions_page_shows_the_differences(visit, tiny,
                                                                              tmp_path):
    from cocontrol.project.diff import diff_files
    from cocontrol.service import projects as svc

    def edit(df):  # by hand: the first row's value 1000 -> 1100 (the only change)
        df = df.copy()
        assert df.loc[0, "value"] == "1000.0"
        df.loc[0, "value"] = "1100"
        return df

    new = tmp_path / "activity.csv"
    new.write_bytes(_activity(tiny["files"], edit))
    v = visit("zh").login("analyst",
                          next_path=f"/web/data/uploads?project_id={tiny['project_id']}")
    v.page.set_input_files("#upload-files", str(new))
    v.page.fill("#upload-message", "value of U1 2020")
    v.page.click("#upload-submit")
    v.page.wait_for_selector("#upload-message-out[data-valid=true]")
    assert "2" in v.page.locator("#upload-message-out").inner_text()  # version 2
    v.open(f"/web/data/versions?project_id={tiny['project_id']}")
    assert v.unlabelled_controls() == []
    # the library's differences of the same two versions
    d = diff_files(tiny["files"], svc.merge(tiny["files"], {"activity.csv": new.read_bytes()},
                                            []))
    tiles = {k: v.page.locator(f"#diff-summary [data-k={k}]").inner_text()
             for k in d.summary()}
    assert tiles == {k: str(n) for k, n in d.summary().items()}
    assert d.summary()["rows_changed"] == 1 and d.summary()["rows_added"] == 0
    change = v.page.locator(".diff-table[data-table=activity] tr[data-kind=changed] "
                            ".cell-change[data-column=value]")
    assert change.locator("del").inner_text() == "1000.0"
    assert change.locator("ins").inner_text() == "1100"
    v.shot("data-versions")
    assert v.errors == []
    e = visit("en").login("leader", next_path=f"/web/data/versions?project_id="
                                              f"{tiny['project_id']}&a=1&b=2")
    assert e.page.locator("#diff-title").inner_text() == "Changes from version 1 to version 2"
    e.shot("data-versions")
    assert e.errors == []


def test_job_list_progress_and_cancel(visit, server):
    v = visit("en").login("analyst", next_path="/web/data/jobs")
    job = v.page.evaluate("""() => cocontrol.api('/api/jobs/sleep', {method: 'POST',
        body: {params: {seconds: 30, steps: 300}}})""")
    v.page.click("#job-refresh")
    row = v.page.locator(f"#job-list tr[data-job='{job['id']}']")
    row.wait_for()
    assert v.unlabelled_controls() == []
    v.shot("data-jobs")
    row.locator("button.cancel").click()
    v.page.wait_for_selector(f"#job-list tr[data-job='{job['id']}'][data-status=cancelled]",
                             timeout=20_000)
    assert v.errors == []
    # a leader reads the list but cannot cancel (no jobs:run): no cancel buttons
    z = visit("zh").login("leader", next_path="/web/data/jobs")
    z.page.wait_for_selector("#job-list[data-loaded=true]")
    assert z.page.locator("#job-list button.cancel").count() == 0
    z.shot("data-jobs")
    assert z.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_report_downloads(visit, server, lang):
    import time

    v = visit(lang).login("analyst", next_path="/web/data/downloads")
    if lang == "zh":  # one CGE result with its HTML report (two instruments: three solves)
        job = v.page.evaluate("""() => cocontrol.api('/api/jobs/cge', {method: 'POST',
            body: {params: {instruments: ['ETS', 'CTAX'], report: 'html', lang: 'zh'}}})""")
        deadline = time.monotonic() + 120
        while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = v.page.evaluate(f"() => cocontrol.api('/api/jobs/{job['id']}')")
        assert job["status"] == "succeeded", job
        v.open("/web/data/downloads")
    link = v.page.locator("#result-list tr[data-kind=cge] a.file", has_text="cge_report.html")
    assert link.count() >= 1
    r = v.page.request.get(v.server.url + link.first.get_attribute("href"))
    assert r.status == 200 and r.headers["content-type"].startswith("text/html")
    wb = v.page.request.get(v.server.url + v.page.locator(
        "#result-list tr[data-kind=cge] a.workbook").first.get_attribute("href"))
    assert wb.status == 200 and wb.body()[:2] == b"PK"  # an .xlsx (zip)
    v.shot("data-downloads")
    assert v.errors == []


def test_enterprise_user_cannot_reach_the_bureau_project(visit, tiny, server):
    v = visit("zh").login("steel", next_path="/web/data/")
    r = v.open(f"/web/data/versions?project_id={tiny['project_id']}")
    assert r.status == 404
    r = v.page.request.get(server.url + f"/api/web/data/projects/{tiny['project_id']}"
                                        "/versions/1/diff")
    assert r.status == 404
    # the uploads page needs projects:write, which an enterprise user holds, but the
    # project is not in the select
    v.open("/web/data/uploads")
    assert v.page.locator(f"#upload-project option[value='{tiny['project_id']}']").count() == 0
