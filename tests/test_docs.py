"""The documentation runs: docs/api.md (one example per stage) and the docstring examples of
the foundation modules are executed as doctests (PyPSA's test_docs.py habit)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_api_page_runs(monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples use paths relative to the repository
    res = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False,
                           optionflags=FLAGS, raise_on_error=False, verbose=False)
    assert res.attempted > 40
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples of docs/api.md failed"


@pytest.mark.parametrize("name", ["cocontrol.progress", "cocontrol.registry",
                                  "cocontrol.results", "cocontrol.layers", "cocontrol.units"])
def test_module_examples_run(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert res.attempted > 0 and res.failed == 0
