"""Batched scenario runs (run_batch): every member equals the single run with its own
penetrations (same operations in the same order: identical numbers), on the hand-calculable
project of tests/scenariofixture.py and on the demo city."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scenariofixture import write_scenario_project

from cocontrol.errors import InputError
from cocontrol.scenario import costs, prepare, run, run_batch, totals

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return prepare(write_scenario_project(tmp_path_factory.mktemp("batch") / "p"))


def _same_as_single(base, scenario, P, k):
    single = run(base, scenario, penetrations={key: v[k] for key, v in P.items()})
    return single


def test_members_equal_single_runs(base):
    rng = np.random.default_rng(7)
    K, T = 6, len(base.years)
    P = {m: rng.uniform(0, 1, (K, T)) for m in
         ("t_reduce_res", "t_res_to_el", "t_res_to_gas", "t_boiler_fgd", "t_power_scr",
          "t_clinker_dust", "t_renewable")}
    P["t_reduce_res"][0] = 0.0  # a member at zero penetration
    br = run_batch(base, "baseline", P)
    assert len(br) == K
    tb = br.totals()
    for k in range(K):
        r = _same_as_single(base, "baseline", P, k)
        np.testing.assert_array_equal(br.emissions[k], r.emissions)
        np.testing.assert_array_equal(br.activity[k], r.activity)
        np.testing.assert_array_equal(br.added_electricity[k], r.added_electricity)
        np.testing.assert_array_equal(tb[k], r.totals_array())
        m = br.member(k)
        c1, c2 = costs(base, m), costs(base, r)
        np.testing.assert_array_equal(c1["cost_yuan"].to_numpy(), c2["cost_yuan"].to_numpy())


def test_array_totals_equal_table_totals(base):
    r = run(base, "enhanced")
    t = totals(r).drop(index="CO2e").to_numpy(float)
    np.testing.assert_allclose(r.totals_array(), t, rtol=1e-13, atol=1e-9)


def test_shared_paths_numbers_and_regions(base):
    """A 1 × T path is shared by every member; K numbers are one penetration per member;
    regional keys work as in run()."""
    T = len(base.years)
    P = {"t_boiler_fgd": np.array([0.0, 0.5, 1.0]),
         "t_reduce_res": np.linspace(0, 1, T)[None, :],
         ("t_power_scr", "D1"): 0.7}
    br = run_batch(base, "policy", P)
    for k, p in enumerate([0.0, 0.5, 1.0]):
        r = run(base, "policy", penetrations={"t_boiler_fgd": p,
                                              "t_reduce_res": np.linspace(0, 1, T),
                                              ("t_power_scr", "D1"): 0.7})
        np.testing.assert_array_equal(br.emissions[k], r.emissions)


def test_zero_members_equal_the_scenario_without_the_measures(base):
    br = run_batch(base, "baseline", {"t_boiler_fgd": np.zeros(3)})
    b = run(base, "baseline")
    for k in range(3):
        np.testing.assert_array_equal(br.emissions[k], b.emissions)


def test_factor_ensemble(base):
    """K sampled factor sets: a member with SO2 factors × 2 has twice the SO2 emissions
    (end-of-pipe removal is proportional), every other species unchanged."""
    S = len(base.species)
    j = base.species.index("SO2")
    scale = np.ones((2, 1, S))
    scale[1, 0, j] = 2.0
    br = run_batch(base, "policy", ef_scale=scale)
    t = br.totals()
    np.testing.assert_array_equal(t[0], run(base, "policy").totals_array())
    np.testing.assert_allclose(t[1, j], 2 * t[0, j], rtol=1e-12)
    others = [i for i in range(S) if i != j and base.species[i] != "NH3"]
    np.testing.assert_array_equal(t[1, others], t[0, others])


def test_bad_shapes_are_reported(base):
    with pytest.raises(InputError):
        run_batch(base, "baseline", {"t_boiler_fgd": np.zeros((2, 7))})
    with pytest.raises(InputError):
        run_batch(base, "baseline", {"t_boiler_fgd": np.zeros(2), "t_reduce_res": np.zeros(3)})


def test_demo_city_members_equal_single_runs():
    base = prepare(DEMO)
    rng = np.random.default_rng(3)
    sc = base.scenarios["policy"]
    mids = list(sc.measures)[:10]
    K, T = 5, len(base.years)
    P = {m: rng.uniform(0, 1, (K, T)) for m in mids}
    br = run_batch(base, "policy", P)
    for k in range(K):
        r = _same_as_single(base, "policy", P, k)
        np.testing.assert_array_equal(br.emissions[k], r.emissions)


def test_marginal_effect_methods_agree(base):
    """Batched (a zero-penetration member per measure), footprint and full re-runs give the
    same marginal effects; auto picks the batch for a small project."""
    from cocontrol.scenario import marginal_effects

    full = run(base, "enhanced")
    got = {m: marginal_effects(base, "enhanced", full, method=m)
           for m in ("batch", "footprint", "rerun", "auto")}
    ref = got["rerun"]["reduction_t"].to_numpy()
    scale = max(1.0, float(np.abs(ref).max()))
    for m, df in got.items():
        assert list(df["measure"]) == list(got["rerun"]["measure"]), m
        assert list(df["species"]) == list(got["rerun"]["species"]), m
        np.testing.assert_allclose(df["reduction_t"].to_numpy(), ref, rtol=0,
                                   atol=1e-12 * scale, err_msg=m)
