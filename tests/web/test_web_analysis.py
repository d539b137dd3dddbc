"""Analysis pages of the dashboard (issue 15 item 5) in a real headless Chromium, network off:
each runs its computation as a background job (progress shown, result drawn), and the numbers
on the page are the library's: computed here by the library on the same input (co-control
metrics and MAC curves, CGE ranking, evaluation scores, decoupling), or, for the optimisation
(the slowest), read back from the job's stored result; labelled controls, no console errors,
screenshots in both languages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from dash2world import add_tiny_project
from plotclick import click_point, open_point

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny(server, tmp_path_factory):
    return add_tiny_project(server, tmp_path_factory.mktemp("tiny-analysis"))


def _values(page, table: str, col: str) -> list[float | None]:
    """The raw numbers of one column of a page table (each cell keeps it in data-value)."""
    return page.eval_on_selector_all(
        f"#{table} tbody td[data-col='{col}']",
        "tds => tds.map(td => td.dataset.value === undefined ? null : Number(td.dataset.value))")


def _close(a, b, rel=1e-9) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None and (b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    d = 0 if abs(x) >= 100 else 2 if abs(x) >= 1 else 4
    text = f"{x:.{d}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _open_stored(visit, lang: str, path: str, user: str = "leader"):
    """The page in the other language as a user without jobs:run: the stored result."""
    v = visit(lang).login(user, next_path=path)
    v.page.click("#open-previous")
    v.page.wait_for_selector("#result:not([hidden])")
    return v


def _run(v, timeout=180_000):
    v.page.click("#run-submit")
    v.page.wait_for_selector("#result:not([hidden])", timeout=timeout)
    assert v.page.locator("#job-box").get_attribute("data-status") == "succeeded"
    assert v.page.locator("#job-progress").get_attribute("value") in ("1", "1.0")


def test_cocontrol_coordinates_and_mac_curves(visit, server, tiny):
    from cocontrol.metrics import measure_metrics
    from cocontrol.scenario import prepare

    v = visit("zh").login("analyst", next_path="/web/analysis/cocontrol")
    assert v.unlabelled_controls() == []
    v.page.select_option("#run-version", str(tiny["version_id"]))
    v.page.fill("#run-scenario", "enhanced")
    v.page.fill("#run-year", "2030")
    _run(v)
    lib = measure_metrics(prepare(tiny["folder"]), "enhanced", 2030, lang="zh")
    mac = lib["mac_co2"]
    assert v.page.eval_on_selector_all("#table-mac tbody td[data-col=measure]",
                                       "tds => tds.map(t => t.textContent)") == \
        mac["measure"].tolist()
    got = _values(v.page, "table-mac", "unit_cost")
    assert all(_close(g, e) for g, e in zip(got, mac["unit_cost"].tolist(), strict=True))
    assert any(g is not None for g in got)
    # the shown text is the number as web.js's cocontrol.fmt rounds it (0 decimals from 100,
    # at most 2 from 1, else 4; trailing zeros dropped)
    shown = v.page.eval_on_selector_all("#table-mac tbody td[data-col=unit_cost]",
                                        "tds => tds.map(t => t.textContent)")
    assert [s.replace(",", "") for s in shown] == [_fmt(x) for x in mac["unit_cost"]]
    ap = lib["metrics"][lib["metrics"]["pollutant"] == "APeq"]
    assert all(_close(g, e) for g, e in zip(_values(v.page, "table-coords", "x_norm"),
                                            ap["x_norm"].tolist(), strict=True))
    v.page.select_option("#mac-target", "mac_apeq")
    assert all(_close(g, e) for g, e in zip(_values(v.page, "table-mac", "unit_cost"),
                                            lib["mac_apeq"]["unit_cost"].tolist(),
                                            strict=True))
    v.shot("analysis-cocontrol")
    assert v.errors == []
    # English: the stored result opened again
    e = visit("en").login("leader", next_path="/web/analysis/cocontrol")
    assert e.page.locator("#run-form").is_hidden()  # a leader cannot run jobs
    e.page.click("#open-previous")
    e.page.wait_for_selector("#result:not([hidden])")
    assert all(_close(g, x) for g, x in zip(_values(e.page, "table-ranking", "yuan_per_t_CO2"),
                                            lib["ranking"]["yuan_per_t_CO2"].tolist(),
                                            strict=True))
    e.shot("analysis-cocontrol")
    # a number of the stored result opens its derivation: the row, the job's parameters, the
    # measure with its library parameters, the result's provenance record
    from urllib.parse import parse_qs, urlparse

    from cocontrol.service.models import Result

    first = mac["measure"].iloc[0]
    link = e.page.locator("#table-mac tbody tr").first.locator("td[data-col=unit_cost] a.prov")
    rid = parse_qs(urlparse(link.get_attribute("href")).query)["result_id"][0]
    with server.session() as s:
        stored = s.get(Result, rid)
        code_version, input_hash = stored.code_version, stored.input_hash
    link.click()
    e.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=result] #prov-row")
    dlg = e.page.locator("#prov-dialog")
    assert _close(float(dlg.locator("#prov").get_attribute("data-value")),
                  float(mac["unit_cost"].iloc[0]))
    assert dlg.locator('#prov-row tr[data-col="measure"] td').inner_text() == first
    assert dlg.locator('#prov-params tr[data-param="scenario"] td').inner_text() == "enhanced"
    assert dlg.locator(f'#prov-measures tr[data-measure="{first}"]').count() == 1
    assert dlg.locator("[data-role=code-version]").inner_text() == code_version
    assert input_hash  # the stored result records its input
    e.shot("analysis-provenance")
    e.page.click("#prov-dialog-close")
    # a point of the co-control coordinates chart (APeq) opens the derivation of its y_norm
    pts = list(zip(ap["x_norm"], ap["y_norm"], strict=True))
    k = next(i for i, (x, y) in enumerate(pts)  # a point drawn alone where it is
             if math.isfinite(x) and math.isfinite(y) and pts.count((x, y)) == 1)
    click_point(e.page, "#chart-coords", 0, k)
    e.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=result] #prov-row")
    assert "column=y_norm" in dlg.locator("#prov-dialog-page").get_attribute("href")
    assert _close(float(dlg.locator("#prov").get_attribute("data-value")),
                  float(ap["y_norm"].iloc[k]))
    assert dlg.locator('#prov-row tr[data-col="measure"] td').inner_text() == \
        ap["measure"].iloc[k]
    e.page.click("#prov-dialog-close")
    # a bar of the MAC curve (CO2) opens its measure's unit cost: the library's
    got = open_point(e.page, "#chart-mac")
    assert got["query"]["table"] == "mac_co2" and got["query"]["column"] == "unit_cost"
    want = mac.iloc[int(got["query"]["row"])]
    assert got["row"]["measure"] == want["measure"] and bool(want["on_curve"])
    assert _close(got["value"], float(want["unit_cost"])) and got["point"]["y"] == got["value"]
    assert e.errors == []


def test_optimisation_explains_why_targets_cannot_be_met(visit, tiny):
    v = visit("en").login("analyst", next_path="/web/analysis/optimise")
    assert v.unlabelled_controls() == []
    v.page.select_option("#run-version", str(tiny["version_id"]))
    v.page.fill("#run-pm25", "10")  # far below what the candidate measures reach
    v.page.fill("#run-target-year", "2030")
    _run(v, timeout=240_000)
    assert v.page.locator("#opt-status").get_attribute("data-feasible") == "false"
    assert "PM2.5" in v.page.locator("#opt-why").inner_text()
    rid = v.page.locator("#result").get_attribute("data-result")
    stored = v.page.evaluate(f"""() => cocontrol.api(
        '/api/results/{rid}/tables/infeasibility?limit=100')""")
    cols = [c for c in stored["columns"] if isinstance(stored["rows"][0][c], int | float)
            and not isinstance(stored["rows"][0][c], bool)]
    assert cols
    for c in cols:
        assert all(_close(g, r[c]) for g, r in zip(_values(v.page, "table-infeasibility", c),
                                                   stored["rows"], strict=True))
    v.shot("analysis-optimise")
    assert v.errors == []
    z = _open_stored(visit, "zh", "/web/analysis/optimise")
    assert z.page.locator("#opt-status p").first.inner_text() == "目标无法同时实现。"
    assert "PM2.5" in z.page.locator("#opt-why").inner_text()  # the engine's message in zh
    assert "the targets" not in z.page.locator("#opt-why").inner_text()
    z.shot("analysis-optimise")
    assert z.errors == []
    # a feasible run with a Pareto front (3 points): a point opens its cost and a bar of the
    # costs chart its measure's net cost of a year, the library's (front and cost table of
    # the same project and parameters)
    from cocontrol.optimize import results, runner

    v.page.fill("#run-pm25", "")
    v.page.fill("#run-pareto", "3")
    v.page.click("#run-submit")
    v.page.wait_for_function("r => { const e = document.getElementById('result');"
                             " return e.dataset.result && e.dataset.result !== r; }", arg=rid,
                             timeout=240_000)
    assert v.page.locator("#opt-status").get_attribute("data-feasible") == "true"
    lib = runner.run_project(tiny["folder"], target_year=2030, n_pareto=3)
    got = open_point(v.page, "#chart-pareto")
    assert got["query"]["table"] == "pareto" and got["query"]["column"] == "cost_pv_yuan"
    want = lib.pareto[0].iloc[int(got["query"]["row"])]
    assert int(got["row"]["point"]) == int(want["point"])
    assert _close(got["value"], float(want["cost_pv_yuan"]), 1e-6)
    assert got["point"]["y"] == got["value"]
    assert _close(got["point"]["x"], float(want["pm25_ugm3"]), 1e-6)
    got = open_point(v.page, "#chart-cost")
    assert got["query"]["table"] == "costs" and got["query"]["column"] == "cost_yuan"
    want = results.cost_table(lib.plan).iloc[int(got["query"]["row"])]
    assert got["row"]["measure"] == want["measure"]
    assert got["point"]["x"] == int(got["row"]["year"]) == int(want["year"])
    assert _close(got["value"], float(want["cost_yuan"]), 1e-6)
    assert got["point"]["y"] == got["value"]
    assert v.errors == []


def test_cge_matrix_and_ranking(visit):
    from cocontrol.cge.combinations import run_combinations
    from cocontrol.cge.policies import bundled_instruments, load_economy
    from cocontrol.cge.report import tables

    v = visit("zh").login("analyst", next_path="/web/analysis/cge")
    assert v.unlabelled_controls() == []
    for box in v.page.locator("#run-form input[name=instruments]").all():
        if box.get_attribute("value") not in ("ETS", "CTAX"):
            box.uncheck()
    _run(v)
    ins = [i for i in bundled_instruments() if i.code in ("ETS", "CTAX")]
    lib = tables(run_combinations(load_economy(), ins), "topsis", "entropy", None, "zh")
    assert all(_close(g, e, 1e-6) for g, e in zip(_values(v.page, "table-ranking", "score"),
                                                  lib["ranking"]["score"].tolist(),
                                                  strict=True))
    assert v.page.locator("#table-matrix tbody tr").count() == len(lib["matrix"])
    # a bar of the ranking chart opens its combination's score: the library's
    got = open_point(v.page, "#chart-ranking")
    assert got["query"]["table"] == "ranking" and got["query"]["column"] == "score"
    want = lib["ranking"].iloc[int(got["query"]["row"])]
    first = lib["ranking"].columns[0]
    assert got["row"][first] == str(want[first])
    assert _close(got["value"], float(want["score"]), 1e-6) and got["point"]["x"] == got["value"]
    v.shot("analysis-cge")
    assert v.errors == []
    e = _open_stored(visit, "en", "/web/analysis/cge")
    e.shot("analysis-cge")
    assert e.errors == []


def test_evaluation_ranking_radar_and_contributions(visit, tmp_path):
    import pandas as pd

    from cocontrol.evaluation import evaluate, load_system, load_values

    src = pd.read_csv(ROOT / "examples" / "evaluation" / "cities_values.csv")
    small = src[src["unit"].isin(sorted(src["unit"].unique())[:4])]
    path = tmp_path / "values.csv"
    small.to_csv(path, index=False)
    v = visit("en").login("analyst", next_path="/web/analysis/evaluation")
    assert v.unlabelled_controls() == []
    v.page.set_input_files("#run-values", str(path))
    _run(v)
    system = load_system("city")
    vals, units = load_values(small.drop(columns=["name_en", "name_zh", "group", "source"]),
                              system)
    res = evaluate(system, vals, units, lang="en")
    lib = res.scores.reset_index()
    last = lib[lib["year"] == lib["year"].max()].sort_values("rank", na_position="last")
    assert last["score"].isna().any()  # city_c 2023 is incomplete: no score, shown as —
    assert all(_close(g, e) for g, e in zip(_values(v.page, "table-scores", "score"),
                                            last["score"].tolist(), strict=True))
    # a point of the radar (a unit's second-level score) and a bar of the contributions
    # open their derivation: the library's numbers of that unit, year and indicator
    for chart, table, frame, axis in (("#chart-radar", "level2_scores", res.level2_scores, "r"),
                                      ("#chart-contrib", "contributions", res.contributions,
                                       "y")):
        got = open_point(v.page, chart)
        q = got["query"]
        assert q["table"] == table
        want = frame.reset_index().set_index(["unit", "year"]).at[
            (got["row"]["unit"], int(got["row"]["year"])), q["column"]]
        assert _close(got["value"], float(want)) and got["point"][axis] == got["value"]
    # and the ranking's first score (a table: the page has no ranking chart)
    v.page.locator("#table-scores tbody tr").first.locator("td[data-col=score] a.prov").click()
    v.page.wait_for_selector("#prov-dialog[open] #prov[data-kind=result] #prov-row")
    assert _close(float(v.page.locator("#prov").get_attribute("data-value")),
                  float(last["score"].iloc[0]))
    assert v.page.locator('#prov-row tr[data-col="unit"] td').get_attribute("data-value") == \
        last["unit"].iloc[0]
    v.page.click("#prov-dialog-close")
    v.shot("analysis-evaluation")
    assert v.errors == []
    z = _open_stored(visit, "zh", "/web/analysis/evaluation")
    z.shot("analysis-evaluation")
    assert z.errors == []


@pytest.mark.parametrize("lang", ("zh", "en"))
def test_decoupling_and_lmdi(visit, lang):
    from cocontrol import io
    from cocontrol.metrics import decompose_co2, decoupling

    table = ROOT / "examples" / "diagnostics" / "regions_panel.csv"
    v = visit(lang).login("analyst", next_path="/web/analysis/decoupling")
    assert v.unlabelled_controls() == []
    v.page.set_input_files("#dec-file", str(table))
    v.page.fill("#dec-x", "GDP_1e8yuan_2005prices")
    v.page.fill("#dec-y", "CO2_Mt")
    v.page.click("#dec-submit")
    v.page.wait_for_selector("#result[data-method=tapio]")
    lib = decoupling(io.read_frame(table), x="GDP_1e8yuan_2005prices", y="CO2_Mt", lang=lang)
    assert all(_close(g, e) for g, e in zip(_values(v.page, "table-dec", "elasticity"),
                                            lib["elasticity"].tolist(), strict=True))
    assert v.page.eval_on_selector_all("#table-dec td[data-col=state_label]",
                                       "tds => tds.map(t => t.textContent)") == \
        lib["state_label"].tolist()
    # a number's derivation (rendered by the server with the rows) in the dialog: the first
    # row's inputs read from the file and its elasticity
    v.page.click("#table-dec tbody tr:first-child td[data-col=elasticity] a.why")
    v.page.wait_for_selector("#prov-dialog[open] section.prov[data-method=tapio]")
    first = lib.iloc[0]
    got = v.page.eval_on_selector_all(
        "#prov-dialog td.num[data-value]", "tds => tds.map(td => Number(td.dataset.value))")
    for want in (first["x_base"], first["x_end"], first["y_base"], first["y_end"],
                 first["pct_x"], first["pct_y"], first["elasticity"]):
        assert any(_close(g, float(want)) for g in got), (want, got)
    assert "regions_panel.csv" in v.page.inner_text("#prov-dialog")
    assert first["state_label"] in v.page.inner_text("#prov-state")
    v.page.click("#prov-dialog-close")
    v.shot("analysis-decoupling")
    if lang == "en":
        energy = ROOT / "examples" / "diagnostics" / "energy_co2.csv"
        v.page.select_option("#dec-method", "lmdi_co2")
        v.page.set_input_files("#dec-file", str(energy))
        v.page.fill("#dec-output", "output_1e8yuan")
        v.page.fill("#dec-energy", "energy_tce")
        v.page.fill("#dec-emission", "CO2_t")
        v.page.click("#dec-submit")
        v.page.wait_for_selector("#result[data-method=lmdi_co2]")
        lmdi = decompose_co2(io.read_frame(energy), output_col="output_1e8yuan",
                             energy_col="energy_tce", emission_col="CO2_t")
        assert all(_close(g, e) for g, e in zip(_values(v.page, "table-dec", "activity"),
                                                lmdi["activity"].tolist(), strict=True))
        # the first row's activity effect: its sub-categories' terms in the dialog add up to it
        v.page.click("#table-dec tbody tr:first-child td[data-col=activity] a.why")
        v.page.wait_for_selector("#prov-dialog[open] section.prov[data-method=lmdi_co2]")
        terms = v.page.eval_on_selector_all(
            "#prov-dialog td[data-term=activity]", "tds => tds.map(td => Number(td.dataset.value))")
        assert terms and math.isclose(sum(terms), lmdi["activity"].iloc[0], rel_tol=1e-9)
        v.page.click("#prov-dialog-close")
        v.shot("analysis-lmdi")
    assert v.errors == []
