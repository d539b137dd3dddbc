"""The bundled actions (scenario/actions.py) against hand calculations, one measure at a time
with the penetration path 0, 0.5, 1 over 2020, 2025, 2030.

Test project: tests/scenariofixture.py:write_hand_project (an ESP on half of coal unit U1,
coke next to R1's coal, gas next to B1's coal, a fabric filter measure on coal power, a
switch of every residential fuel to gas).

Cited inputs (bundled tables): coal power PM2.5 6, PM10 23 kg/t (US EPA AP-42 Sec. 1.1,
uncontrolled), NOx 209 g/GJ (EMEP/EEA 2023 1.A.1.a Table 3-2); ESP 0.974 (< 2.5 µm),
0.9995 (2.5-10 µm), fabric filter 0.996 and 0.999 (EMEP/EEA 2023 2.C.3 Table 3-5); SCR
η(NOx) 0.80, energy penalty 0.4 %, fabric filter 0.3 %, wet FGD 1.2 % (control_tech.csv);
NCV hard coal 25.8 GJ/t, coke 28.2 GJ/t, natural gas 34.44 GJ/kNm3 (IPCC 2006 Vol.2 Table
1.2); clinker PM2.5 0.130 kg/t (EMEP/EEA 2023 2.A.1 Table 3-1).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scenariofixture import (
    MEASURES,
    SCENARIOS,
    line_index,
    measure,
    write_hand_project,
    write_scenario_project,
)

from cocontrol.errors import InputError
from cocontrol.scenario import prepare, run
from cocontrol.scenario.actions import actions, handler, unregister_action
from cocontrol.scenario.engine import _row

PATH = [0.0, 0.5, 1.0]  # penetration in 2020, 2025, 2030


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return prepare(write_hand_project(tmp_path_factory.mktemp("hand") / "p"))


_line = line_index


def _em(base, r, i, species):
    return r.emissions[i, base.species.index(species)]


def _affected(r, mid):
    e = r.measure_effects
    return e.loc[e["measure"] == mid, "affected"].to_numpy()


def test_fabric_filter_removes_pm10_by_size_bin_over_an_existing_esp(base):
    """R ← (1 − p)·R0 + p·(1 − η): the ESP on half of U1 stays on the part the filter has
    not reached yet. PM10 = PM2.5 bin + 2.5-10 µm bin (6 and 23 − 6 = 17 kg/t)."""
    r = run(base, "baseline", penetrations={"t_power_ff": PATH})
    u1 = _line(base, "U1", "hard_coal")
    # own-fuel energy penalty of a power plant: A = 1000 t × (1 + p × 0.003)
    act = 1000 * (1 + np.array(PATH) * 0.003)
    np.testing.assert_allclose(r.activity[u1], act, rtol=1e-12)
    r25_esp, rc_esp = 1 - 0.5 * 0.974, 1 - 0.5 * 0.9995  # half the unit behind the ESP
    r25_ff, rc_ff = 1 - 0.996, 1 - 0.999
    p = np.array(PATH)
    r25 = (1 - p) * r25_esp + p * r25_ff
    rc = (1 - p) * rc_esp + p * rc_ff
    np.testing.assert_allclose(_em(base, r, u1, "PM2.5"), act * 6 * r25 / 1000, rtol=1e-9)
    np.testing.assert_allclose(_em(base, r, u1, "PM10"), act * (6 * r25 + 17 * rc) / 1000,
                               rtol=1e-9)
    # 2030, filter everywhere: 1003 t × (6 × 0.004 + 17 × 0.001) kg/t = 41.123 kg
    assert _em(base, r, u1, "PM10")[2] == pytest.approx(1003 * 0.041 / 1000, rel=1e-9)
    assert (_em(base, r, u1, "PM2.5") <= _em(base, r, u1, "PM10")).all()
    # the measure's cost basis: the tonnes of coal burnt behind the filter, p × A
    np.testing.assert_allclose(_affected(r, "t_power_ff"), p * act, rtol=1e-12)


def test_scr_on_a_half_controlled_unit_by_hand(base):
    """SCR already on half of U1 (NOx control factor 1 − 0.5 × 0.8 = 0.6); the measure
    brings the rest in: R = (1 − p) × 0.6 + p × 0.2 = 0.6, 0.4, 0.2."""
    r = run(base, "baseline", penetrations={"t_power_scr": PATH})
    u1 = _line(base, "U1", "hard_coal")
    act = 1000 * (1 + np.array(PATH) * 0.004)  # own-fuel penalty 0.4 %
    np.testing.assert_allclose(r.activity[u1], act, rtol=1e-12)
    nox = act * 25.8 * 209e-6 * np.array([0.6, 0.4, 0.2])
    np.testing.assert_allclose(_em(base, r, u1, "NOx"), nox, rtol=1e-9)
    np.testing.assert_allclose(_affected(r, "t_power_scr"), np.array(PATH) * act, rtol=1e-12)


def test_factor_measure_scales_the_clinker_dust_factor(base):
    """F ← 1 − p × m with m = 0.5 on (1, 0.75, 0.5): PM2.5 of 500 t clinker × 0.130 kg/t,
    PM10 on the kiln's measured 0.08 t (measured.csv) to which the factor is calibrated."""
    r = run(base, "baseline", penetrations={"t_clinker_dust": PATH})
    k1 = _line(base, "K1", process="clinker")
    f = 1 - np.array(PATH) * 0.5
    np.testing.assert_allclose(_em(base, r, k1, "PM10"), 0.08 * f, rtol=1e-9)
    np.testing.assert_allclose(_em(base, r, k1, "PM2.5"), 500 * 0.130 / 1000 * f, rtol=1e-9)
    np.testing.assert_allclose(_em(base, r, k1, "SO2"), _em(base, r, k1, "SO2")[0])
    # cost basis: the clinker made with the better dust control, p × 500 t
    np.testing.assert_allclose(_affected(r, "t_clinker_dust"), np.array(PATH) * 500)


def test_switch_of_two_fuels_to_one_target_adds_both(base):
    """Coal and coke of R1 both go to one gas line: with ratio 1 the energy is kept,
    (100 × 25.8 + 10 × 28.2) GJ × p / 34.44 GJ/kNm3 = 83.101 kNm3 × p."""
    r = run(base, "baseline", penetrations={"t_res_all_to_gas": PATH})
    gas = _line(base, "R1", "natural_gas")
    p = np.array(PATH)
    np.testing.assert_allclose(r.activity[gas], (2580 + 282) / 34.44 * p, rtol=1e-12)
    np.testing.assert_allclose(r.activity[_line(base, "R1", "hard_coal")], 100 * (1 - p))
    np.testing.assert_allclose(r.activity[_line(base, "R1", "coke")], 10 * (1 - p))
    # energy bill (fuel_prices.csv): coal 600 yuan/t and coke 2000 yuan/t no longer bought,
    # gas 2210 yuan/kNm3 bought: p × (−100 × 600 − 10 × 2000 + 83.101 × 2210) yuan
    e = r.measure_effects
    bill = e.loc[e["measure"] == "t_res_all_to_gas", "energy_cost_change_yuan"].to_numpy()
    np.testing.assert_allclose(bill, p * (-60000 - 20000 + (2580 + 282) / 34.44 * 2210),
                               rtol=1e-12)


def test_switch_to_a_fuel_the_source_already_burns_adds_to_its_line(base):
    """B1 burns 50 kNm3 of gas already: its coal goes to that line (no second gas line),
    50 + 200 t × 25.8 GJ/t × p / 34.44 GJ/kNm3 = 50 + 149.826 kNm3 × p."""
    lines = base.lines
    gas = ((lines["source_id"] == "B1") & (lines["fuel"] == "natural_gas")).to_numpy()
    assert gas.sum() == 1
    r = run(base, "baseline", penetrations={"t_boiler_to_gas": PATH})
    np.testing.assert_allclose(r.activity[gas][0], 50 + 200 * 25.8 / 34.44 * np.array(PATH),
                               rtol=1e-12)


def test_fgd_penalty_counts_every_fuel_of_the_source(base):
    """Wet FGD on B1's coal: 1.2 % of the whole source's energy use, coal and gas,
    (200 × 25.8 + 50 × 34.44) GJ × 0.012 / 3.6 = 22.94 MWh × p of purchased electricity."""
    b = run(base, "baseline")
    r = run(base, "baseline", penetrations={"t_boiler_fgd": PATH})
    el = _line(base, "B1", "electricity")
    mwh = (200 * 25.8 + 50 * 34.44) * 0.012 / 3.6 * np.array(PATH)
    np.testing.assert_allclose(r.added_electricity[el], mwh, rtol=1e-12)
    # α = 1: all of it generated by the local coal plant, none purchased
    np.testing.assert_allclose(r.activity[el], b.activity[el], atol=1e-12)
    # every line whose fuel use drives the penalty feeds the electricity balance
    m = handler("control").electricity_lines(base, "t_boiler_fgd")
    for fuel in ("hard_coal", "natural_gas", "electricity"):
        assert m[_line(base, "B1", fuel)], fuel


def test_only_a_switch_to_electricity_feeds_the_electricity_balance(base):
    sw = handler("switch")
    to_el = sw.electricity_lines(base, "t_res_to_el")
    assert to_el[_line(base, "R1", "hard_coal")] and to_el[_line(base, "R1", "electricity")]
    assert not sw.electricity_lines(base, "t_res_to_gas").any()


def test_a_base_without_abatement_flags_refuses_nothing(base):
    """Control.double_abatement reads ``base.abated``; a base without it (a restricted base
    for marginal effects has none) has nothing to refuse."""
    bare = dataclasses.replace(base, abated=None)
    mm = _row(base.lib.loc["t_power_ff"]).copy()
    mm["id"] = "t_power_ff"
    assert handler("control").double_abatement(bare, mm) == []


def test_a_control_measure_on_an_abated_bundled_factor_is_refused(tmp_path):
    """The bundled clinker PM factors describe EU kilns with dust abatement (EMEP/EEA 2023
    2.A.1): a fabric filter measure on them would abate PM twice."""
    kiln_ff = measure("t_kiln_ff", "control", category="end_of_pipe", sector="cement",
                      process="clinker", technology="fabric_filter", magnitude=None)
    sc = {**SCENARIOS, "scenarios": {"s": {"measures": {"t_kiln_ff": 1.0}}}, "targets": []}
    p = write_scenario_project(tmp_path / "k", scenarios=sc, measures=pd.concat(
        [MEASURES, pd.DataFrame([kiln_ff])], ignore_index=True))
    with pytest.raises(InputError, match="second time") as e:
        prepare(p)
    assert {q.value for q in e.value.problems} == {"t_kiln_ff"}
    assert {"PM2.5", "PM10"} <= {sp for sp in ("PM2.5", "PM10", "BC")
                                 if any(sp in str(q.message) for q in e.value.problems)}


@pytest.mark.parametrize("name", ["reduce", "switch", "control", "factor", "renewable"])
def test_bundled_actions_cannot_be_unregistered(name):
    with pytest.raises(ValueError):
        unregister_action(name)
    assert name in actions()


@pytest.mark.parametrize("slip, expected", [(0.5, (0.5, 0.8)), (7.1, (7.1, 0.8)), (0.0, None)])
def test_any_positive_nh3_slip_is_compiled_with_the_nox_efficiency(base, monkeypatch, slip,
                                                                    expected):
    """SCR with its NH3 slip set to 0.5, 7.1 (bundled) or 0 kg per t NOx removed: every
    positive slip is kept with η(NOx) = 0.8; none for 0."""
    from cocontrol import refdata

    table = refdata.table

    def patched(name):
        t = table(name)
        if name == "control_tech":
            t = t.copy()
            t.loc[t["code"] == "scr", "nh3_slip"] = slip
        return t

    monkeypatch.setattr(refdata, "table", patched)
    sidx = {s: i for i, s in enumerate(base.species)}
    kw = handler("control").compile(base, base.lib.loc["t_power_scr"], sidx)
    assert kw.get("slip") == (pytest.approx(expected) if expected else None)
