"""Scenarios to 2060: drivers, measures library, scenario engine and analysis.

Co-control metrics of measures and packages (``measure_metrics``, ``package_metrics``) are in
:mod:`cocontrol.metrics` (the next stage).
"""

from cocontrol.scenario.analysis import (
    check_targets,
    costs,
    discounted_cost,
    energy,
    marginal_effects,
    peak,
    run_all,
    totals,
)
from cocontrol.scenario.engine import Base, BatchRun, Run, prepare, run, run_batch

__all__ = ["Base", "BatchRun", "Run", "check_targets", "costs", "discounted_cost", "energy",
           "marginal_effects", "peak", "prepare", "run", "run_all", "run_batch", "totals"]
