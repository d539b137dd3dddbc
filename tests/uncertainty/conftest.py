"""Shared fixture: the demo city prepared to 2035 (once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


@pytest.fixture(scope="session")
def base():
    from cocontrol.scenario import prepare
    from cocontrol.scenario import spec as sspec

    b0 = prepare(DEMO)
    years = [y for y in b0.years if y <= 2035]
    ss = sspec.ScenarioSet(sspec.Settings(years=years), b0.scenarios, b0.targets)
    return prepare(DEMO, scenario_set=ss)
