"""The derivation of a row of the cockpit's co-control quadrant: the reductions recomputed
here from the runs' arrays (lines → district by walking regions.csv's parents, by hand), the
tiny project's policy by hand (half of R1's residential coal in D2 by 2030: both reductions
are half the reference), and the quadrant by the rule of the signs."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import write_scenario_project  # noqa: E402

from cocontrol.errors import CocontrolError  # noqa: E402
from cocontrol.i18n import tr  # noqa: E402


def _quadrant(x: float, y: float) -> str:
    """I both reductions > 0, II only the pollutant's, IV only CO2's, III neither."""
    return {(True, True): "I", (False, True): "II", (True, False): "IV",
            (False, False): "III"}[(x > 0, y > 0)]


def test_quadrant_row_recomputed_from_the_runs(tmp_path):
    from cocontrol.metrics.derivation import quadrant_derivation
    from cocontrol.scenario import prepare, run

    base = prepare(write_scenario_project(tmp_path / "p"))
    ref, sc = run(base, "baseline"), run(base, "policy")
    reg = base.project.regions.set_index("region_id")

    def district(rid):
        while reg.at[rid, "level"] != "district":
            rid = reg.at[rid, "parent_id"]
        return rid

    t = base.years.index(2030)
    co2, so2 = base.species.index("CO2"), base.species.index("SO2")
    for key, measures in (("D1", ["t_boiler_fgd"]), ("D2", ["t_reduce_res"])):
        # direct (scope 1) lines only: scope 2 is the plants' emissions seen at the consumer
        mask = np.array([district(r) == key for r in base.lines["region_id"]]) & \
            (base.lines["scope"].to_numpy() == 1)
        e_ref = ref.emissions[mask][:, :, t].sum(axis=0)
        e_sc = sc.emissions[mask][:, :, t].sum(axis=0)
        x, y = e_ref[co2] - e_sc[co2], e_ref[so2] - e_sc[so2]
        d = quadrant_derivation(base, ref, sc, "district", key, 2030, "SO2")
        assert d["reference_t"] == pytest.approx({"CO2": e_ref[co2], "SO2": e_ref[so2]},
                                                 rel=1e-12)
        assert d["scenario_t"] == pytest.approx({"CO2": e_sc[co2], "SO2": e_sc[so2]},
                                                rel=1e-12)
        assert d["reduction_t"]["CO2"] == pytest.approx(x, rel=1e-12, abs=1e-9)
        assert d["reduction_t"]["SO2"] == pytest.approx(y, rel=1e-12, abs=1e-9)
        assert d["share"]["SO2"] == pytest.approx(y / e_ref[so2], rel=1e-12)
        assert d["quadrant"] == _quadrant(x, y), key
        assert d["rule"] == d["rules"][d["quadrant"]]
        assert d["n_lines"] == int(mask.sum())
        counted = [p for p in d["scopes"] if p["counted"]]
        assert [p["scope"] for p in counted] == [1] and counted[0]["n_lines"] == d["n_lines"]
        assert counted[0]["reference_t"]["CO2"] == pytest.approx(e_ref[co2], rel=1e-12)
        assert [m["id"] for m in d["measures"]] == measures
        assert d["measures"][0]["penetration_in_year"] == pytest.approx(1.0)  # full by 2030
        assert d["unit"] == "t" and d["chain"] == ["policy", "baseline"]
        assert d["provenance"]["project_hash"] == base.inventory.provenance().project_hash
    # D2 by hand: its one line is R1's coal, halved by t_reduce_res (magnitude 0.5, full 2030)
    d2 = quadrant_derivation(base, ref, sc, "district", "D2", 2030, "SO2", lang="zh")
    assert d2["share"] == pytest.approx({"CO2": 0.5, "SO2": 0.5}, rel=1e-9)
    assert d2["quadrant"] == "I" and d2["rule"] == {"co2": ">0", "pollutant": ">0"}
    assert d2["quadrant_label"].startswith("I：")
    # D1: the boiler's FGD removes SO2 and its energy penalty adds CO2: quadrant II
    d1 = quadrant_derivation(base, ref, sc, "district", "D1", 2030, "SO2")
    assert d1["reduction_t"]["SO2"] > 0 > d1["reduction_t"]["CO2"]
    assert d1["quadrant"] == "II" and d1["rule"] == {"co2": "<=0", "pollutant": ">0"}
    # a sector row: the residential sector is D2's line
    res = quadrant_derivation(base, ref, sc, "sector", "residential", 2030, "SO2")
    assert res["reduction_t"] == pytest.approx(d2["reduction_t"], rel=1e-12)
    # unknown keys, groups, pollutants and years: refused, in both languages
    with pytest.raises(CocontrolError) as e:
        quadrant_derivation(base, ref, sc, "district", "D9", 2030, "SO2")
    assert "D9" in str(e.value) and "D1" in str(e.value)
    assert "协同控制象限中没有区县" in tr(e.value.args[0], "zh")
    for args in (("park", "P1", 2030, "SO2"), ("district", "D1", 2031, "SO2"),
                 ("district", "D1", 2030, "Hg")):
        with pytest.raises(CocontrolError):
            quadrant_derivation(base, ref, sc, *args)
