"""Scenarios to 2060: drivers, measures library, scenario engine and analysis."""

from cocontrol.scenario.analysis import (
    check_targets,
    costs,
    discounted_cost,
    energy,
    marginal_effects,
    measure_metrics,
    package_metrics,
    peak,
    totals,
)
from cocontrol.scenario.engine import Base, BatchRun, Run, prepare, run, run_batch

__all__ = ["Base", "BatchRun", "Run", "check_targets", "costs", "discounted_cost", "energy",
           "marginal_effects", "measure_metrics", "package_metrics", "peak", "prepare", "run",
           "run_batch", "totals"]
