"""Live what-if (cocontrol.optimize.whatif): a move is the scenario run with that penetration,
and a what-if saved in scenarios.yaml reads back as the same scenario.

Hand calculation: ``t_reduce_res`` (tests/scenariofixture.py) cuts residential hard-coal
activity by magnitude 0.5 × penetration p at its full year 2030, so between p = 1 and p = 0.5
the residential coal emissions of 2030 differ by 0.5 × 0.5 × their baseline value."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import write_scenario_project  # noqa: E402

from cocontrol.errors import InputError
from cocontrol.optimize import whatif
from cocontrol.project import load_project
from cocontrol.scenario import prepare, run, totals
from cocontrol.scenario import spec as sspec

OPTIMISATION = """\
air_quality:
  city: C
  pm25_base_ugm3: 40
  local_share: 0.6
  om_share_of_primary: 0.3
  source: "ILLUSTRATIVE: test"
health:
  population: 1000000
  mortality_rate: 0.01
  crf: krewski2009
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    p = write_scenario_project(tmp_path_factory.mktemp("whatif"))
    (p / "optimisation.yaml").write_text(OPTIMISATION, encoding="utf-8")
    return prepare(load_project(p))


def test_move_is_the_scenario_with_that_penetration(base):
    w = whatif.setup(base, "policy")
    assert w.reference == "baseline"
    o = w.evaluate({"t_reduce_res": 0.5})
    sc = base.scenarios["policy"]
    moved = sspec.Scenario("policy", {**sc.measures, "t_reduce_res": sspec.MeasureUse(
        "t_reduce_res", 0.5)}, sc.extends)
    tot = totals(run(base, moved))
    for i, s in enumerate(o.species):
        assert np.allclose(o.emissions[i], tot.loc[s].to_numpy(), rtol=1e-12)
    # hand calculation on the residential coal lines (2030 = full year)
    full = w.evaluate({})
    res = ((base.lines["sector"] == "residential") & (base.lines["fuel"] == "hard_coal")
           ).to_numpy()
    t = base.years.index(2030)
    co2 = base.species.index("CO2")
    e_res = run(base, "baseline").emissions[res, co2, t].sum()
    assert e_res > 0
    j = o.species.index("CO2")
    assert o.emissions[j, t] - full.emissions[j, t] == pytest.approx(0.5 * 0.5 * e_res,
                                                                    rel=1e-9)
    # PM2.5 falls with the emissions, avoided deaths are against the baseline
    assert o.pm25 is not None and o.pm25[t] > full.pm25[t]
    assert o.avoided_deaths[t] < full.avoided_deaths[t]
    assert o.avoided_deaths[0] == pytest.approx(0.0, abs=1e-9)  # base year: no change
    # co-control metrics against the baseline
    k = list(o.metrics["pollutants"]).index("APeq")
    assert o.metrics["CO2_reduction"][t] == pytest.approx(
        run(base, "baseline").totals_array(1)[co2, t] - o.emissions[j, t])
    assert o.metrics["y_norm"][t, k] > 0


def test_bad_moves_are_refused(base):
    w = whatif.setup(base, "policy")
    with pytest.raises(InputError, match="not a measure"):
        w.evaluate({"t_power_scr": 0.5})  # a measure of another scenario
    for bad in (1.5, -0.1, float("nan"), "x"):
        with pytest.raises(InputError, match="out of range"):
            w.evaluate({"t_reduce_res": bad})
    with pytest.raises(InputError, match="unknown scenario"):
        whatif.setup(base, "nope")


TEXT = """\
# comment at the top
settings: {years: [2020, 2025, 2030]}
scenarios:
  baseline:
    measures: {}
  # the policy
  policy:
    extends: baseline
    measures:
      t_reduce_res: 1.0   # full
      t_boiler_fgd: {penetration: 1.0, start_year: 2021, full_year: 2025}

# targets below
targets:
  - {type: co2_peak, by: 2025}
"""


def test_saved_scenario_reads_back_and_keeps_comments(base):
    w = whatif.setup(base, "policy")
    w.uses = sspec.parse(yaml.safe_load(TEXT), 2020).scenarios["policy"].measures
    new = whatif.scenario_entry(TEXT, "wi_1", w, {"t_reduce_res": 0.25, "t_boiler_fgd": 0.5},
                                "less")
    assert "# the policy" in new and "# targets below" in new and "# full" in new
    got = sspec.parse(yaml.safe_load(new), 2020)
    s = got.scenarios["wi_1"]
    assert s.extends == "policy" and s.description == "less"
    assert s.measures["t_reduce_res"].penetration == 0.25
    fgd = s.measures["t_boiler_fgd"]
    assert (fgd.penetration, fgd.start_year, fgd.full_year) == (0.5, 2021, 2025)
    assert [(x["type"], x["by"]) for x in got.targets] == [("co2_peak", 2025)]
    assert set(got.scenarios) == {"baseline", "policy", "wi_1"}
    with pytest.raises(InputError, match="exists"):
        whatif.scenario_entry(new, "wi_1", w, {"t_reduce_res": 0.1})
    with pytest.raises(InputError, match="valid scenario name"):
        whatif.scenario_entry(TEXT, "1 bad", w, {})


def test_saved_scenario_runs_as_the_move(base, tmp_path):
    """Written into the project and run by the library: the figures of the move."""
    w = whatif.setup(base, "policy")
    src = write_scenario_project(tmp_path / "p")
    (src / "optimisation.yaml").write_text(OPTIMISATION, encoding="utf-8")
    text = (src / "scenarios.yaml").read_text(encoding="utf-8")
    new = whatif.scenario_entry(text, "wi_run", w, {"t_reduce_res": 0.3})
    (src / "scenarios.yaml").write_text(new, encoding="utf-8")
    b2 = prepare(load_project(src))
    o = w.evaluate({"t_reduce_res": 0.3})
    tot = totals(run(b2, "wi_run"))
    assert np.allclose(o.emissions[o.species.index("CO2")], tot.loc["CO2"].to_numpy(),
                       rtol=1e-12)
