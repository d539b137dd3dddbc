"""The web process runs one scenario at a time: the cockpit's stored runs and the what-if
moves share views.ENGINE_LOCK (the engine's per-base caches are filled unguarded)."""

from __future__ import annotations

import cocontrol.scenario as scenario
from cocontrol.web import views
from cocontrol.web.pages import whatif


def test_cockpit_runs_and_whatif_moves_share_one_engine_lock(monkeypatch):
    held = []

    def fake_run(base, name):
        held.append(views.ENGINE_LOCK.locked())
        return ("run", name)

    monkeypatch.setattr(scenario, "run", fake_run)
    views._RUNS.clear()
    base = object()
    assert views.scenario_run(base, "policy") == ("run", "policy")
    assert views.scenario_run(base, "policy") == ("run", "policy")  # cached: one run
    assert held == [True]
    assert not views.ENGINE_LOCK.locked()
    assert whatif._RUN is views.ENGINE_LOCK
    views._RUNS.clear()
