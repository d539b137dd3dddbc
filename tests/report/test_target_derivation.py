"""The derivation of a scenario target's row (metrics.derivation.target_derivation) on the
tiny project: the SO2 cap of 2030 (0.5 kt) against the policy run's SO2 total of 2030
summed here from the run's scope-1 lines and converted t -> kt by hand; the CO2 peak by
2025 judged on the year of the largest total; unknown labels refused in both languages."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import write_scenario_project  # noqa: E402

from cocontrol.errors import CocontrolError  # noqa: E402
from cocontrol.i18n import tr  # noqa: E402


def test_target_rows_explained_by_hand(tmp_path):
    from cocontrol.metrics.derivation import target_derivation
    from cocontrol.scenario import prepare, run

    base = prepare(write_scenario_project(tmp_path / "p"))
    r = run(base, "policy")
    scope1 = base.lines["scope"].to_numpy() == 1
    so2 = r.emissions[scope1, base.species.index("SO2"), base.years.index(2030)].sum() / 1000
    d = target_derivation(base, r, "SO2 cap 2030")
    assert d["kind"] == "target" and d["type"] == "cap" and d["unit"] == "kt"
    assert d["year"] == 2030 and d["limit"] == 0.5
    assert d["value"] == pytest.approx(so2, rel=1e-12)
    assert d["margin"] == pytest.approx(0.5 - so2, rel=1e-12, abs=1e-12)
    assert d["passed"] == (so2 <= 0.5)
    co2 = r.emissions[scope1, base.species.index("CO2"), :].sum(axis=0)
    peak = base.years[int(np.argmax(co2))]
    p = target_derivation(base, r, "CO2 peak by 2025")
    assert p["type"] == "co2_peak" and p["value"] == peak and p["limit"] == 2025
    assert p["chain"] == ["policy", "baseline"]
    with pytest.raises(CocontrolError) as e:
        target_derivation(base, r, "NOx cap 2030")
    assert "SO2 cap 2030" in str(e.value)
    assert "该情景没有目标" in tr(e.value.args[0], "zh")


def test_the_demo_targets_carry_their_source():
    """Every target row of the demo city names the source scenarios.yaml gives it."""
    from cocontrol.metrics.derivation import target_derivation
    from cocontrol.project import load_project
    from cocontrol.scenario import check_targets, prepare, run

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
    base = prepare(load_project(demo))
    r = run(base, "policy")
    t = check_targets(base, r)
    assert (t["source"].str.len() > 0).all()
    d = target_derivation(base, r, "NOx cap 2025")
    assert d["limit"] == 33.5 and "Guofa [2021] 33" in d["source"]
