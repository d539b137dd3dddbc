"""Shared fixtures: the tiny hand-calculable project (tests/tinyproject.py) and the one
headless Chromium of the browser tests (tests/report/browser.py), stopped between them and
every other test."""

from __future__ import annotations

import os
import sys
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


_BROWSERS = None  # tests/report/browser.py:Shared, made by the first test that asks for one


def _browsers():
    global _BROWSERS
    if _BROWSERS is None:
        report = str(Path(__file__).resolve().parent / "report")
        if report not in sys.path:
            sys.path.insert(0, report)
        from browser import Shared

        _BROWSERS = Shared()
    return _BROWSERS


@pytest.fixture
def shared_browser():
    """``shared_browser(loopback)``: Debian's Chromium, one per launch mode for every test
    that asks for it, launched on first use and stopped (with Playwright and its event loop)
    after the last of consecutive tests that ask for it (pytest_runtest_teardown below)."""
    return _browsers().get


@pytest.fixture
def browser(shared_browser):
    """Chromium with the network off, loopback included (the reports open offline);
    tests/web/conftest.py gives its tests one that reaches the test server on loopback."""
    return shared_browser(loopback=False)


def _stop_browsers() -> None:
    if _BROWSERS is not None and _BROWSERS.pw is not None:
        _BROWSERS.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the test's own fixtures are torn down: stop Playwright unless the next test
    uses it, so no test that does not ask for a browser runs with Playwright's event loop
    running in its thread (``asyncio.run`` would fail), whatever the order or the worker."""
    try:
        return (yield)
    finally:
        if "shared_browser" not in getattr(nextitem, "fixturenames", ()):
            _stop_browsers()


def pytest_sessionfinish(session):
    _stop_browsers()
