"""Co-control metrics and diagnostics: pure functions over tables.

Modules
-------
coupling     coupling coordination degree (original and Wang Shujia et al. 2021 corrected)
decoupling   Tapio (2005) decoupling elasticity and the eight states
joint_change classification of regions by the joint change of CO2 and a pollutant
lmdi         LMDI-I decomposition (additive and multiplicative, zero values per Ang & Liu 2007)
cocontrol    reductions, co-control coordinate system, cross-elasticity with sign pair, APeq,
             unit costs, MAC curves and measure ranking
measures     co-control metrics of the measures and packages of a scenario run
"""

from cocontrol.metrics.cocontrol import (
    apeq,
    cocontrol_array,
    cocontrol_metrics,
    coordinates,
    cross_elasticity,
    emissions_wide,
    mac_curve,
    pev_table,
    rank_measures,
    reductions,
    unit_costs,
)
from cocontrol.metrics.coupling import coupling_coordination, coupling_degree
from cocontrol.metrics.decoupling import decoupling, tapio_state
from cocontrol.metrics.intensity import gdp_intensity
from cocontrol.metrics.joint_change import classify_joint_change
from cocontrol.metrics.lmdi import decompose_co2, decompose_pollutant, lmdi, log_mean
from cocontrol.metrics.measures import measure_metrics, package_metrics, package_result

__all__ = [
    "coupling_coordination", "coupling_degree", "decoupling", "tapio_state",
    "classify_joint_change", "lmdi", "log_mean", "decompose_co2", "decompose_pollutant",
    "apeq", "cocontrol_array", "cocontrol_metrics", "coordinates", "cross_elasticity",
    "emissions_wide", "mac_curve", "pev_table", "rank_measures", "reductions", "unit_costs",
    "measure_metrics", "package_metrics", "package_result", "gdp_intensity",
]
