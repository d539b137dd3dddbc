"""The derivation of a scenario's energy and coal use (cockpit tiles): each fuel's energy in
the base year by hand from the activity and the NCV of fuels.csv."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import write_scenario_project  # noqa: E402

from cocontrol.errors import CocontrolError  # noqa: E402

#: GB/T 2589-2020: 1 kgce = 29.3076 MJ, so 1 tce = 29.3076 GJ
GJ_PER_TCE = 29.3076


def test_energy_and_coal_of_the_base_year_by_hand(tmp_path):
    from cocontrol.report.derivation import energy_derivation
    from cocontrol.scenario import prepare, run

    base = prepare(write_scenario_project(tmp_path / "p"))
    r = run(base, "baseline")
    # 2020 fuel lines: U1 1000 t + R1 100 t + B1 200 t of hard coal (25.8 GJ/t, IPCC 2006
    # Vol. 2 Ch. 1 Table 1.2), 100 MWh of electricity at 3.6 GJ/MWh
    coal = (1000 + 100 + 200) * 25.8 / GJ_PER_TCE
    elec = 100 * 3.6 / GJ_PER_TCE
    d = energy_derivation(base, r, 2020)
    fuels = {x["fuel"]: x for x in d["fuels"]}
    assert fuels["hard_coal"]["value_tce"] == pytest.approx(coal, rel=1e-6)
    assert fuels["hard_coal"]["ncv"] == pytest.approx(25.8) and "IPCC" in \
        fuels["hard_coal"]["source"]
    assert fuels["electricity"]["value_tce"] == pytest.approx(elec, rel=1e-6)
    assert d["value"] == pytest.approx(coal + elec, rel=1e-6)
    assert d["gj_to_tce"] == pytest.approx(1 / GJ_PER_TCE, rel=1e-6)
    assert d["scenario"] == "baseline" and d["provenance"]["project_hash"]
    solid = energy_derivation(base, r, 2020, kind="solid")
    assert [x["fuel"] for x in solid["fuels"]] == ["hard_coal"]
    assert solid["value"] == pytest.approx(coal, rel=1e-6) and solid["indicator"] == "coal"
    with pytest.raises(CocontrolError):
        energy_derivation(base, r, 1999)
