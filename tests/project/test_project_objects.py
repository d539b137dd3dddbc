"""Issue 10 "done when": the chain runs from a Project built in Python, without files, and
gives exactly the numbers it gives from the folder. While the object-built project is
validated and run, opening any file outside the installed packages fails the test (engines
never touch the file system)."""

from __future__ import annotations

import builtins
import io as _stdio
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import BOILER, MEASURES, SCENARIOS, write_scenario_project  # noqa: E402
from tinyproject import ACTIVITY, CONTROLS, FACTORS, MANIFEST, REGIONS  # noqa: E402

from cocontrol.inventory import compute  # noqa: E402
from cocontrol.project import Project, load_project  # noqa: E402
from cocontrol.scenario import check_targets, prepare, run, totals  # noqa: E402

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@contextmanager
def no_project_files(*folders: Path):
    """Fail on opening any file of the project folders (or any example project): project
    inputs must come from the objects. Bundled data and libraries may still be read."""
    real_open, real_os_open = builtins.open, os.open
    forbidden = tuple(str(Path(f).resolve()) for f in (DEMO.parent, *folders))
    opened: list[str] = []

    def check(path):
        if isinstance(path, int):
            return
        p = str(Path(os.fsdecode(path)).resolve())
        if p.startswith(forbidden):
            opened.append(p)
            raise AssertionError(f"an engine opened a project file: {p}")

    def guarded_open(file, *a, **k):
        check(file)
        return real_open(file, *a, **k)

    def guarded_os_open(path, *a, **k):
        check(path)
        return real_os_open(path, *a, **k)

    builtins.open = guarded_open
    _stdio.open = guarded_open
    os.open = guarded_os_open
    try:
        yield opened
    finally:
        builtins.open = real_open
        _stdio.open = real_open
        os.open = real_os_open
    assert not opened, opened


def _city_objects() -> dict:
    """A whole small city written in code: regions, activity, controls, a user factor, a
    measures table of its own, scenarios (tests/tinyproject.py, tests/scenariofixture.py)."""
    man = yaml.safe_load(MANIFEST)
    man["years"] = [2020]
    act = pd.concat([ACTIVITY[ACTIVITY["year"] == 2020], BOILER], ignore_index=True)
    return dict(manifest=man, regions=REGIONS, activity=act, controls=CONTROLS,
                factors=FACTORS, measures=MEASURES, scenarios=SCENARIOS)


def test_city_built_in_code_equals_folder(tmp_path):
    folder = write_scenario_project(tmp_path / "tiny")
    ref = prepare(load_project(folder))
    ref_runs = {n: run(ref, n) for n in ref.scenarios}
    objs = _city_objects()
    with no_project_files(folder):
        proj = Project.from_objects(**objs)
        assert proj.folder is None
        base = prepare(proj)
        runs = {n: run(base, n) for n in base.scenarios}
        tg = check_targets(base, runs["policy"]) if base.targets else None
    assert set(runs) == set(ref_runs) and {"baseline", "policy"} <= set(runs)
    for n in runs:
        np.testing.assert_array_equal(runs[n].emissions, ref_runs[n].emissions)
        np.testing.assert_array_equal(runs[n].activity, ref_runs[n].activity)
    if tg is not None:
        pd.testing.assert_frame_equal(tg, check_targets(ref, ref_runs["policy"]))
    assert proj.content_hash() == load_project(folder).content_hash()


def test_city_in_code_optimised_equals_folder(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "optimize"))
    import optfixture

    import cocontrol.optimize as opt

    folder = optfixture.project(tmp_path / "opt")
    mids = ["t_reduce_res", "t_boiler_fgd", "t_clinker_dust"]

    def plan_of(p):
        base = opt.prepare_base(p, measures=mids)
        pairs = opt.make_pairs(base, mids)
        ev = opt.Evaluator(base, pairs)
        E0 = ev.evaluate(np.zeros((len(pairs), len(base.years)))).emissions[:, 0]
        aq = opt.link(optfixture.aq_model(), "T", "T", base.species, E0)
        s = opt.setup(ev, aq)
        return opt.optimise(s, opt.Targets(pm25_max=39.0, pm25_year=base.years[-1]))

    ref = plan_of(load_project(folder))
    objs = _city_objects()
    objs["measures"] = optfixture.measures()
    objs["scenarios"] = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}}},
                         "targets": []}
    with no_project_files(folder):
        got = plan_of(Project.from_objects(**objs))
    np.testing.assert_array_equal(got.P, ref.P)
    assert got.cost_pv == ref.cost_pv


def _demo_objects() -> dict:
    """The demo city as plain Python objects (read here, before files are blocked)."""
    tabs = {n: pd.read_csv(DEMO / f"{n}.csv", keep_default_na=False, na_values=[""])
            for n in ("regions", "activity", "controls", "factors", "measured", "drivers",
                      "elasticities", "region_stats")}
    docs = {n: yaml.safe_load((DEMO / f"{n}.yaml").read_text(encoding="utf-8"))
            for n in ("project", "scenarios", "optimisation")}
    return dict(manifest=docs["project"], scenarios=docs["scenarios"],
                optimisation=docs["optimisation"], **tabs)


def test_demo_chain_from_objects_equals_folder():
    from cocontrol.optimize import runner

    ref_p = load_project(DEMO)
    ref_inv = compute(ref_p)
    ref = prepare(ref_p)
    ref_runs = {n: run(ref, n) for n in ref.scenarios}
    ref_stp, _ = runner.build_setup(ref_p, runner.st.from_project(ref_p))
    objs = _demo_objects()
    with no_project_files():
        p = Project.from_objects(**objs)
        inv = compute(p)
        base = prepare(p)
        runs = {n: run(base, n) for n in base.scenarios}
        targets = {n: check_targets(base, r) for n, r in runs.items()}
        stp, _ = runner.build_setup(p, runner.st.from_project(p))
        P = stp.ub * 0.5
        out = stp.ev.evaluate(P)
    assert p.content_hash() == ref_p.content_hash()
    np.testing.assert_array_equal(inv.emissions, ref_inv.emissions)
    assert set(runs) == {"baseline", "policy", "enhanced"}
    for n in runs:
        np.testing.assert_array_equal(runs[n].emissions, ref_runs[n].emissions)
        pd.testing.assert_frame_equal(totals(runs[n]), totals(ref_runs[n]))
        pd.testing.assert_frame_equal(targets[n], check_targets(ref, ref_runs[n]))
    # the optimiser sees the same problem: bounds, reference and the engine at a point
    np.testing.assert_array_equal(stp.ub, ref_stp.ub)
    np.testing.assert_array_equal(stp.reference.emissions, ref_stp.reference.emissions)
    ref_out = ref_stp.ev.evaluate(P)
    np.testing.assert_array_equal(out.emissions, ref_out.emissions)
    np.testing.assert_array_equal(out.cost, ref_out.cost)


def test_from_objects_validates_like_files():
    objs = _city_objects()
    objs["scenarios"] = {**SCENARIOS, "setings": {}}
    act = objs["activity"].astype(object)
    act.loc[0, "value"] = "lots"
    objs["activity"] = act
    from cocontrol.errors import InputError

    with pytest.raises(InputError) as e:
        Project.from_objects(**objs)
    msgs = [str(p) for p in e.value.problems]
    assert any("unknown key 'setings'" in m and "settings" in m for m in msgs), msgs
    assert any("activity, row 2, column value: not a number" in m for m in msgs), msgs
