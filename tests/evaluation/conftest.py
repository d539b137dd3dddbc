"""Fixtures of the evaluation tests: ``tiny``, the tiny index system of test_eval_scoring.py
(global weights x 0.3, y 0.3, z 0.4), loaded from a file as a user's would be."""

from __future__ import annotations

import pytest
from test_eval_scoring import TINY

from cocontrol.evaluation import load_system


@pytest.fixture()
def tiny(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    return load_system(p)
