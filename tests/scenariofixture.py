"""A tiny scenario project on top of tests/tinyproject.py, with user-defined test measures
whose effects can be computed by hand (tests/scenario/test_scenario_engine.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from tinyproject import ACTIVITY, CONTROLS, MANIFEST, MEASURED, write_project

from cocontrol.scenario.measures import COLUMNS

BOILER = pd.DataFrame({"source_id": ["B1"], "region_id": ["E1"], "sector": ["other_industry"],
                       "fuel": ["hard_coal"], "process": [None], "year": [2020],
                       "value": [200.0], "unit": ["t"]})


def measure(id, action, **kw) -> dict:
    row = {c: None for c in COLUMNS}
    row.update(id=id, name_en=id, name_zh=id, category=kw.pop("category", "structural"),
               action=action, magnitude=1.0, max_penetration=1.0, start_year=2020,
               full_year=2030, cost_basis="t", capex=0, fixed_opex=0, variable_opex=0,
               lifetime=10, price_year=2020, source="test measure (hand calculation)")
    row.update(kw)
    return row


MEASURES = pd.DataFrame([
    measure("t_reduce_res", "reduce", sector="residential", fuel="hard_coal", magnitude=0.5,
            capex=1000, variable_opex=50, lifetime=20),
    measure("t_res_to_el", "switch", sector="residential", fuel="hard_coal",
            to_fuel="electricity", ratio=0.5, cost_basis="t"),
    measure("t_res_to_gas", "switch", category="energy", sector="residential",
            fuel="hard_coal", to_fuel="natural_gas", ratio=0.6, magnitude=0.5),
    measure("t_boiler_fgd", "control", category="end_of_pipe", sector="other_industry",
            fuel="hard_coal", technology="wet_fgd"),
    measure("t_power_scr", "control", category="end_of_pipe", sector="power",
            fuel="hard_coal", technology="scr"),
    measure("t_clinker_dust", "factor", category="efficiency", sector="cement",
            process="clinker", species="PM10;PM2.5", magnitude=0.5),
    measure("t_renewable", "renewable", category="energy", magnitude=0.3, cost_basis="MWh"),
])

SCENARIOS = {
    "settings": {"years": [2020, 2025, 2030], "discount_rate": 0.05,
                 "local_electricity_share": 1.0},
    "scenarios": {
        "baseline": {"measures": {}},
        "zero": {"extends": "baseline", "measures": {m: 0.0 for m in MEASURES["id"]}},
        "policy": {"extends": "baseline", "measures": {"t_reduce_res": 1.0,
                                                       "t_boiler_fgd": 1.0}},
        "enhanced": {"extends": "policy", "measures": {"t_res_to_el": 0.6, "t_power_scr": 1.0,
                                                       "t_res_to_gas": 1.0,
                                                       "t_clinker_dust": 1.0,
                                                       "t_renewable": 1.0}},
    },
    "targets": [
        {"type": "co2_peak", "by": 2025},
        {"type": "cap", "species": "SO2", "year": 2030, "max": 0.5, "unit": "kt"},
    ],
}


def write_scenario_project(folder: Path, scenarios: dict | None = None,
                           measures: pd.DataFrame | None = None, drivers=None,
                           elasticities=None) -> Path:
    act = pd.concat([ACTIVITY[ACTIVITY["year"] == 2020], BOILER], ignore_index=True)
    p = write_project(folder, manifest=MANIFEST.replace("years: [2020, 2021]", "years: [2020]"),
                      activity=act, measured=None, controls=CONTROLS)
    (p / "scenarios.yaml").write_text(yaml.safe_dump(scenarios or SCENARIOS), encoding="utf-8")
    (measures if measures is not None else MEASURES).to_csv(p / "measures.csv", index=False)
    if drivers is not None:
        drivers.to_csv(p / "drivers.csv", index=False)
    if elasticities is not None:
        elasticities.to_csv(p / "elasticities.csv", index=False)
    return p


#: write_hand_project: 10 t of coke at home (R1) next to its 100 t of hard coal, 50 kNm3 of
#: natural gas in boiler B1 next to its 200 t of hard coal
HAND_EXTRA = pd.DataFrame({"source_id": ["R1", "B1"], "region_id": ["D2", "E1"],
                           "sector": ["residential", "other_industry"],
                           "fuel": ["coke", "natural_gas"], "process": [None, None],
                           "year": [2020, 2020], "value": [10.0, 50.0], "unit": ["t", "kNm3"]})
HAND_MEASURES = pd.DataFrame([
    # a control needs no magnitude
    measure("t_power_ff", "control", category="end_of_pipe", sector="power",
            fuel="hard_coal", technology="fabric_filter", magnitude=None),
    measure("t_res_all_to_gas", "switch", category="energy", sector="residential",
            to_fuel="natural_gas", ratio=1.0),
    measure("t_boiler_to_gas", "switch", category="energy", sector="other_industry",
            fuel="hard_coal", to_fuel="natural_gas", ratio=1.0),
    measure("t_res_nox", "factor", category="efficiency", sector="residential",
            fuel="hard_coal", species="NOx", magnitude=0.5),
])


def write_hand_project(folder: Path) -> Path:
    """The scenario project plus the lines of ``HAND_EXTRA``, an ESP on half of coal unit U1
    (besides its wet FGD 1.0 and SCR 0.5), a measured PM10 of 0.08 t for kiln K1 in 2020 and
    the measures of ``HAND_MEASURES`` (every measure in scenario ``all``)."""
    lib = pd.concat([MEASURES, HAND_MEASURES], ignore_index=True)
    sc = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}},
                                     "all": {"measures": dict.fromkeys(lib["id"], 1.0)}},
          "targets": []}
    p = write_scenario_project(folder, scenarios=sc, measures=lib)
    act = pd.read_csv(p / "activity.csv")
    pd.concat([act, HAND_EXTRA], ignore_index=True).to_csv(p / "activity.csv", index=False)
    esp = pd.DataFrame({"source_id": ["U1"], "technology": ["esp"], "share": [0.5],
                        "year": [None]})
    pd.concat([CONTROLS, esp], ignore_index=True).to_csv(p / "controls.csv", index=False)
    measured = MEASURED.assign(source_id="K1", species="PM10", year=2020, value=0.08)
    measured.to_csv(p / "measured.csv", index=False)
    return p


def line_index(base, source, fuel=None, process=None) -> int:
    """The position of the one line of ``source`` (and ``fuel``/``process``) in ``base.lines``."""
    import numpy as np

    lines = base.lines
    m = (lines["source_id"] == source).to_numpy().copy()
    if fuel:
        m &= (lines["fuel"] == fuel).to_numpy()
    if process:
        m &= (lines["process"] == process).to_numpy()
    (i,) = np.flatnonzero(m)
    return int(i)
