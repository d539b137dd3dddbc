"""Measure actions are handlers registered by name (cocontrol.scenario.actions): a new action
is one class plus its registration, and the validator, the engine and marginal effects use it.

Toy action ``ban``: the selected lines' activity is cut by the penetration p (no magnitude),
A ← A·(1 − p). On the test project (tests/scenariofixture.py), residential coal R1 burns 100 t
in 2020 with no growth; a ban with penetration 1 ramped 2020 → 2030 leaves 100, 50 and 0 t in
2020, 2025 and 2030.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenariofixture import MEASURES, SCENARIOS, measure, write_scenario_project

from cocontrol.errors import InputError
from cocontrol.scenario import marginal_effects, prepare, run
from cocontrol.scenario.actions import Action, actions, register_action, unregister_action


class Ban(Action):
    name = "ban"
    needs_magnitude = False

    def validate(self, df, mine, flag):
        flag(mine & df["sector"].isna().to_numpy(), "sector", "a ban needs a sector",
             "a sector code")

    def apply(self, state, mid, mm, idx, p):
        cut = state.A[:, idx] * p[:, None, :]  # activity removed (members × lines × years)
        state.A[:, idx] -= cut
        state.record(idx, cut, -cut, idx)


@pytest.fixture()
def ban():
    register_action(Ban())
    yield "ban"
    unregister_action("ban")


def _project(tmp_path, **kw):
    row = {"sector": "residential", "fuel": "hard_coal", "magnitude": None, **kw}
    m = pd.concat([MEASURES, pd.DataFrame([measure("t_ban_res", "ban", **row)])],
                  ignore_index=True)
    sc = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}},
                                     "ban": {"measures": {"t_ban_res": 1.0}}}, "targets": []}
    return write_scenario_project(tmp_path, scenarios=sc, measures=m)


def test_new_action_is_validated_run_and_has_a_footprint(ban, tmp_path):
    assert ban in actions()
    base = prepare(_project(tmp_path))
    r, b = run(base, "ban"), run(base, "baseline")
    res = np.flatnonzero((base.lines["source_id"] == "R1").to_numpy()
                         & (base.lines["fuel"] == "hard_coal").to_numpy())
    np.testing.assert_allclose(b.activity[res].sum(axis=0), [100.0, 100.0, 100.0])
    np.testing.assert_allclose(r.activity[res].sum(axis=0), [100.0, 50.0, 0.0])
    eff = r.measure_effects
    assert eff.loc[eff["measure"] == "t_ban_res", "affected"].tolist() == [0.0, 50.0, 100.0]
    # marginal effect on the action's footprint = the residential coal emissions removed
    me = marginal_effects(base, "ban", r)
    so2 = me[(me["species"] == "SO2") & (me["year"] == 2030)]["reduction_t"].iloc[0]
    full = b.emissions[res][:, base.species.index("SO2"), -1].sum()
    assert so2 == pytest.approx(full)


def test_the_action_handler_validates_its_rows(ban, tmp_path):
    with pytest.raises(InputError, match="a ban needs a sector"):
        prepare(_project(tmp_path, **{"sector": None}))


def test_unregistered_action_is_unknown(tmp_path):
    with pytest.raises(InputError, match="unknown action"):
        prepare(_project(tmp_path))


@pytest.mark.parametrize("name", ["reduce", "switch", "control", "factor", "renewable"])
def test_bundled_actions_are_applied_by_their_registered_handlers(name, tmp_path):
    """Every bundled action is a handler the engine calls (no action code in the engine):
    a handler registered in its place is called once per use of the measure and, when it
    delegates to the bundled one, the run is unchanged to the last bit."""
    from cocontrol.scenario import actions as am

    bundled = am.handler(name)
    calls = []

    class Spy(type(bundled)):
        def apply(self, state, mid, mm, idx, p):
            calls.append(mid)
            super().apply(state, mid, mm, idx, p)

    base = prepare(write_scenario_project(tmp_path))
    before = run(base, "enhanced")
    mine = sorted(m for m in base.scenarios["enhanced"].measures
                  if base.lib.at[m, "action"] == name)
    assert mine, f"the test project's scenario uses a {name} measure"
    register_action(Spy(), replace=True)
    try:
        after = run(base, "enhanced")
    finally:
        register_action(bundled, replace=True)
    assert sorted(calls) == mine
    np.testing.assert_array_equal(after.emissions, before.emissions)
    np.testing.assert_array_equal(after.activity, before.activity)


@pytest.fixture(scope="module")
def sbase(tmp_path_factory):
    return prepare(write_scenario_project(tmp_path_factory.mktemp("act") / "p"))


# every bundled action in one region: inside the region that holds all its lines it equals
# the measure applied everywhere; in a region without them it changes nothing (fixture
# regions: U1, K1, B1 in district D1; R1 in D2)
@pytest.mark.parametrize("mid, inside, outside", [
    ("t_boiler_fgd", "D1", "D2"), ("t_power_scr", "P1", "D2"), ("t_res_to_el", "D2", "D1"),
    ("t_res_to_gas", "D2", "E1"), ("t_clinker_dust", "E1", "D2"), ("t_renewable", "F1", "D2")])
def test_each_action_in_one_region(sbase, mid, inside, outside):
    every = run(sbase, "baseline", penetrations={mid: 1.0})
    there = run(sbase, "baseline", penetrations={(mid, inside): 1.0})
    elsewhere = run(sbase, "baseline", penetrations={(mid, outside): 1.0})
    none = run(sbase, "baseline")
    assert not np.allclose(every.emissions, none.emissions)  # the measure does something
    np.testing.assert_allclose(there.emissions, every.emissions, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(there.activity, every.activity, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(elsewhere.emissions, none.emissions, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mid", ["t_boiler_fgd", "t_res_to_el", "t_renewable",
                                 "t_clinker_dust"])
def test_footprint_lines_within_a_region(sbase, mid):
    from cocontrol.scenario.actions import handler
    from cocontrol.scenario.engine import region_mask

    h = handler(sbase.lib.at[mid, "action"])
    every = h.lines(sbase, mid)
    for reg in ("D1", "D2"):
        rm = region_mask(sbase, reg)
        assert (h.lines(sbase, mid, rm) == (every & rm)).all(), reg
