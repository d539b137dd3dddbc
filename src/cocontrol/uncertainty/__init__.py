"""Uncertainty and scale: distributions as data, Monte Carlo and Latin hypercube sampling
through the scenario engine's ensemble axis, Sobol indices (SALib), the probability of
meeting each target and all together, and batches of draws and of cities on Dask.

Stage: after the scenario, air-quality and metrics stages (it imports those and nothing
later); methods and sources: ``docs/methods/uncertainty.md``.
"""

from cocontrol.uncertainty.analysis import Target, attainment, sobol_indices
from cocontrol.uncertainty.distributions import Distribution, from_range
from cocontrol.uncertainty.ensemble import EnsembleResult, UncertaintyModel, build_model
from cocontrol.uncertainty.sampling import sample

__all__ = ["Distribution", "EnsembleResult", "Target", "UncertaintyModel", "attainment",
           "build_model", "from_range", "sample", "sobol_indices"]
