"""Dual-target optimisation: least-cost measures for PM2.5 attainment and the CO2 peak.

Sequential linear programming around the scenario engine (linopy + HiGHS), ε-constraint
Pareto fronts, infeasibility reports. See docs/methods/optimisation.md.
"""

from cocontrol.optimize.airlink import AirQualityLink, city_link, default_mapping, link
from cocontrol.optimize.lp import LPData, Quantity, Targets, build_and_solve
from cocontrol.optimize.problem import (
    Evaluator,
    annual_cost,
    discount_weights,
    linearise,
    make_pairs,
    prepare_base,
)
from cocontrol.optimize.slp import Plan, Setup, optimise, setup, violations

__all__ = ["AirQualityLink", "Evaluator", "LPData", "Plan", "Quantity", "Setup", "Targets",
           "annual_cost", "build_and_solve", "city_link", "default_mapping",
           "discount_weights", "link", "linearise", "make_pairs", "optimise", "prepare_base",
           "setup", "violations"]
