"""Labelled results (cocontrol.results): every result type round-trips through JSON and
Parquet without loss, carries provenance, and matches its declared schema; the schema page of
the docs is generated from the declaration."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "optimize"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "evaluation"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cocontrol import results as rs  # noqa: E402
from cocontrol.errors import CocontrolError  # noqa: E402
from cocontrol.results import RESULTS, Result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scenario_base(tmp_path_factory):
    from scenariofixture import write_scenario_project

    from cocontrol.scenario import prepare

    return prepare(write_scenario_project(tmp_path_factory.mktemp("sc")))


def _inventory(base, tmp):
    return base.inventory.result()


def _scenario_run(base, tmp):
    from cocontrol.scenario import run

    return run(base, "policy").result()


def _air_quality(base, tmp):
    from optfixture import aq_model

    ch = pd.DataFrame({"source_region": ["T", "T"], "precursor": ["SO2", "NOx"],
                       "change_t": [-1.5, -2.0]})
    return aq_model().response(ch)


def _metrics(base, tmp):
    from cocontrol.metrics import measure_metrics

    return measure_metrics(base, "policy", 2030)


def _optimisation_plan(base, tmp):
    from optfixture import make_setup

    import cocontrol.optimize as opt

    s = make_setup(tmp, ["t_reduce_res", "t_boiler_fgd"])
    return opt.optimise(s, opt.Targets(co2_peak_by=2020), "cost").result()


def _cge_solution(base, tmp):
    from cocontrol.cge.combinations import run_combinations
    from cocontrol.cge.policies import bundled_instruments, load_economy

    return run_combinations(load_economy(), bundled_instruments()[:2]).result()


def _evaluation(base, tmp):
    from test_eval_scoring import TINY, panel

    from cocontrol.evaluation import evaluate, load_system

    p = tmp / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    return evaluate(load_system(p), panel()).result()


def _package_metrics(base, tmp):
    from cocontrol.metrics import package_result

    return package_result(base, ["policy", "enhanced"], "baseline", 2030)


def _pareto_front(base, tmp):
    from optfixture import make_setup

    import cocontrol.optimize as opt
    from cocontrol.optimize.pareto import pareto, pareto_result

    s = make_setup(tmp, ["t_reduce_res", "t_boiler_fgd"])
    tab, _ = pareto(s, opt.Targets(co2_peak_by=2020), n_points=2)
    assert len(tab)
    return pareto_result(tab, s)


def _cge_dynamic(base, tmp):
    from cocontrol.cge.dynamic import DynamicParams, run_dynamic
    from cocontrol.cge.policies import bundled_instruments, load_economy

    return run_dynamic(load_economy(), bundled_instruments()[:1],
                       DynamicParams(end_year=2021)).result()


MAKERS = {"inventory": _inventory, "scenario_run": _scenario_run,
          "air_quality": _air_quality, "metrics": _metrics,
          "optimisation_plan": _optimisation_plan, "cge_solution": _cge_solution,
          "evaluation": _evaluation, "package_metrics": _package_metrics,
          "pareto_front": _pareto_front, "cge_dynamic": _cge_dynamic}


def test_every_result_kind_has_a_maker():
    assert set(MAKERS) == set(RESULTS)


@pytest.mark.parametrize("kind", list(MAKERS))
def test_round_trip_json_and_parquet_without_loss(kind, scenario_base, tmp_path):
    r = MAKERS[kind](scenario_base, tmp_path)
    assert isinstance(r, Result) and r.kind == kind
    assert set(r) == {t.name for t in RESULTS[kind].tables}  # every declared table present
    # JSON is plain text: missing values are null (never 0), no NaN tokens
    text = r.to_json()
    assert "NaN" not in text
    back = {"json": Result.from_json(text),
            "dict": Result.from_dict(json.loads(json.dumps(r.to_dict()))),
            "parquet": Result.from_parquet(r.to_parquet(tmp_path / f"{kind}.parquet")[0]
                                           if len(r) == 1 else
                                           (r.to_parquet(tmp_path / kind), tmp_path / kind)[1])}
    for how, b in back.items():
        assert b.kind == kind and list(b) == list(r), how
        for name in r:
            pd.testing.assert_frame_equal(b[name], r[name], check_exact=True, obj=f"{how} "
                                          f"{kind}/{name}")
        assert b.provenance == r.provenance and b.meta == rs._plain(r.meta), how
    # provenance names the code and the bundled factor tables
    assert r.provenance.code_version and r.provenance.factor_version.startswith("sha256:")


def test_labels_units_and_missing_values(scenario_base):
    r = scenario_base.inventory.result()
    f = r.to_frame()
    assert f["year"].dtype == "int64" and f["value"].dtype == "float64"
    assert set(f["unit"]) == {"t"}
    # the provenance identifies the project's inputs
    assert r.provenance.project_hash.startswith("sha256:")
    # a process line has no fuel: missing survives JSON as missing, not "" or 0
    proc = f[f["process"].notna()]
    assert len(proc) and proc["fuel"].isna().all()
    j = json.loads(r.to_json())["tables"]["emissions"]["data"]
    i = int(proc.index[0])
    assert j["fuel"][i] is None


def test_infinity_and_missing_numbers_survive_json():
    df = pd.DataFrame({"measure": ["a", "b", "c"], "reduction_t": [np.inf, np.nan, -np.inf],
                       "species": ["SO2", "SO2", "SO2"]})
    r = Result("metrics", {"reductions": df})
    back = Result.from_json(r.to_json())["reductions"]
    assert np.isposinf(back["reduction_t"][0]) and np.isnan(back["reduction_t"][1])
    assert np.isneginf(back["reduction_t"][2])


def test_columns_must_match_the_schema():
    with pytest.raises(CocontrolError, match="undeclared"):
        Result("air_quality", {"concentrations": pd.DataFrame({
            "receptor": ["x"], "component": ["PM2.5"], "unit": ["ug/m3"], "base": [1.0],
            "change": [0.0], "value": [1.0], "model": ["m"], "colour": ["red"]})})
    with pytest.raises(CocontrolError, match="no table"):
        Result("air_quality", {"pathway": pd.DataFrame()})


def test_project_hash_changes_with_the_inputs(tmp_path):
    from tinyproject import ACTIVITY, write_project

    from cocontrol.project import load_project
    from cocontrol.provenance import project_hash

    a = project_hash(load_project(write_project(tmp_path / "a")))
    act = ACTIVITY.copy()
    act.loc[0, "value"] += 1
    b = project_hash(load_project(write_project(tmp_path / "b", activity=act)))
    again = project_hash(load_project(write_project(tmp_path / "c")))
    assert a != b and a == again


def test_schema_page_is_generated_and_up_to_date():
    page = (ROOT / "docs" / "results-schema.md").read_text(encoding="utf-8")
    assert page == rs.render_markdown(), (
        "docs/results-schema.md is stale: run python -m cocontrol.results > "
        "docs/results-schema.md")
