"""Shared fixtures: the tiny hand-calculable project (tests/tinyproject.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinyproject import write_project


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_project(tmp_path / "tiny")


@pytest.fixture
def tiny_inventory(tiny):
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    return compute(load_project(tiny))
