"""The progress-callback protocol (cocontrol.progress) and its use by the long steps."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "optimize"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cocontrol import progress as pg  # noqa: E402


def test_track_reports_start_and_every_item():
    seen = pg.Collector()
    out = list(pg.track(["a", "b"], seen, "x", message=lambda s: f"did {s}"))
    assert out == ["a", "b"]
    assert [(e.done, e.total, e.message) for e in seen.events] == [
        (0, 2, ""), (1, 2, "did a"), (2, 2, "did b")]


def test_no_callback_is_a_no_op_and_generators_have_no_total():
    assert list(pg.track(iter([1, 2]), None, "x")) == [1, 2]
    seen = pg.Collector()
    list(pg.track((i for i in range(2)), seen, "gen"))
    assert {e.total for e in seen.events} == {None}
    pg.report(None, "x", 1, 1)  # nothing to call, nothing raised
    pg.noop("x", 1, 2, "m")


def test_scoped_prefixes_nested_stages():
    seen = pg.Collector()
    pg.report(pg.scoped(pg.scoped(seen, "optimize"), "pareto"), "slp", 1, None)
    assert seen.events[0].stage == "optimize.pareto.slp"


def test_a_raising_callback_cancels():
    def cancel(stage, done, total, message=""):
        if done == 1:
            raise KeyboardInterrupt("cancelled by the user")

    with pytest.raises(KeyboardInterrupt):
        for _ in pg.track(range(5), cancel, "x"):
            pass


def test_collector_is_thread_safe():
    seen = pg.Collector()

    def work(k):
        for i in range(200):
            seen(f"t{k}", i, 200, "")

    ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(seen.events) == 800
    assert sorted(seen.stages()) == ["t0", "t1", "t2", "t3"]


def test_optimiser_reports_slp_iterations_and_linearisation(tmp_path):
    from optfixture import make_setup

    import cocontrol.optimize as opt

    s = make_setup(tmp_path, ["t_reduce_res", "t_boiler_fgd", "t_clinker_dust"])
    seen = pg.Collector()
    plan = opt.optimise(s, opt.Targets(pm25_max=None), "cost", progress=seen)
    assert "slp" in seen.stages() and "slp.linearise" in seen.stages()
    lin = [e for e in seen.events if e.stage == "slp.linearise"]
    K = len(s.pairs)
    assert lin[0].total == K and lin[-1].done == K  # one step per decision pair
    last = seen.last("slp")
    assert (last.done, last.total) == (plan.iterations, plan.iterations)  # converged
    assert plan.converged


def test_marginal_effects_report_one_step_per_measure(tmp_path):
    from scenariofixture import write_scenario_project

    from cocontrol.scenario import marginal_effects, prepare, run_all

    base = prepare(write_scenario_project(tmp_path))
    seen = pg.Collector()
    runs = run_all(base, progress=seen)
    assert list(runs) == list(base.scenarios)
    assert seen.last("scenario.run").done == len(base.scenarios)
    name = next(n for n, sc in base.scenarios.items() if sc.measures)
    seen = pg.Collector()
    marginal_effects(base, name, runs[name], progress=seen)
    ev = seen.events
    assert ev[-1].done == ev[-1].total == len(runs[name].penetration)
    assert np.all(np.diff([e.done for e in ev]) == 1)


def test_evaluation_reports_its_steps_and_years(tmp_path):
    """evaluate(progress=...) reports its 7 steps in order (stage ``evaluation``) and one
    TOPSIS step per year of the panel (stage ``evaluation.topsis``), and the result is the
    one computed without a callback."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "evaluation"))
    from test_eval_scoring import TINY, panel

    from cocontrol.evaluation import evaluate, load_system

    p = tmp_path / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    system, values = load_system(p), panel()
    seen = pg.Collector()
    res = evaluate(system, values, progress=seen)
    steps = [e for e in seen.events if e.stage == "evaluation"]
    assert [e.done for e in steps] == list(range(8)) and {e.total for e in steps} == {7}
    years = values.index.unique("year")
    top = [e for e in seen.events if e.stage == "evaluation.topsis"]
    assert [e.done for e in top] == list(range(len(years) + 1))
    assert top[-1].message == f"year {years[-1]}"
    plain = evaluate(system, values)
    assert res.scores.equals(plain.scores)


def test_cli_renders_progress_with_rich(monkeypatch):
    import io

    from rich.console import Console

    from cocontrol.cli import common

    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=True, width=100))
    with common.progress_bar(enabled=True) as cb:
        for _ in pg.track(range(3), cb, "scenario.run", message="scenario x"):
            pass
    assert "scenario.run" in buf.getvalue()
    monkeypatch.setattr(common, "err_console", Console(file=io.StringIO()))
    with common.progress_bar() as cb:  # not a terminal: no rendering, no callback
        assert cb is None
