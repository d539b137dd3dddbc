"""Physical invariants on every line of both example cities (issue 9, item 4): the inventory
and every scenario of examples/demo-city and examples/riverport. For every line, species and
year: nothing negative, controlled <= uncontrolled (measured lines and NH3 slip exempt, see
cocontrol.inventory.invariants), PM2.5 <= PM10 (<= TSP where TSP is a species), BC + OC <=
PM2.5. A violation names the source, species, year and the two numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cocontrol.inventory import compute
from cocontrol.inventory.invariants import violations
from cocontrol.project import load_project
from cocontrol.scenario import prepare, run

ROOT = Path(__file__).resolve().parents[2] / "examples"
CITIES = ["demo-city", "riverport"]


def _checked(inv) -> int:
    """Cells (line x species x year) the invariants look at."""
    return int(np.asarray(inv.emissions).size)


@pytest.mark.parametrize("city", CITIES)
def test_inventory_of_every_line_keeps_the_invariants(city):
    inv = compute(load_project(ROOT / city))
    assert _checked(inv) > 500
    bad = violations(inv)
    assert bad.empty, bad.head(10).to_string()
    assert {"PM2.5", "PM10", "BC", "OC"} <= set(inv.species)  # every check applies


@pytest.mark.parametrize("city", CITIES)
def test_every_scenario_of_every_line_keeps_the_invariants(city):
    base = prepare(ROOT / city)
    assert len(base.scenarios) >= 2
    for name in base.scenarios:
        inv = run(base, name).inventory()
        bad = violations(inv)
        assert bad.empty, (name, bad.head(10).to_string())


def test_a_broken_invariant_is_reported_with_its_numbers():
    inv = compute(load_project(ROOT / "riverport"))
    sp = list(inv.species)
    inv.emissions[0, sp.index("PM2.5"), 0] = inv.emissions[0, sp.index("PM10"), 0] + 1.0
    inv.estimated[0, sp.index("PM2.5")] = inv.estimated[0, sp.index("PM10")] = True
    bad = violations(inv)
    row = bad[bad["check"] == "PM2.5 <= PM10"].iloc[0]
    assert row["source_id"] == inv.lines["source_id"].iat[0] and row["value"] > row["bound"]
