"""Shared fixtures: the tiny hand-calculable project (tests/tinyproject.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from tinyproject import write_project

# CI runs property tests with a fixed seed (reproducible runs, no deadline flakiness on a
# loaded machine); locally they explore new examples every run.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_project(tmp_path / "tiny")


@pytest.fixture
def tiny_inventory(tiny):
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    return compute(load_project(tiny))
