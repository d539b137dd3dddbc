"""Computable general equilibrium (CGE) model for policy combinations (减污降碳政策组合).

* :mod:`~cocontrol.cge.sam` – read / validate / balance-check a social accounting matrix;
* :mod:`~cocontrol.cge.calibrate` – calibration (Hosoe, Gasawa & Hashimoto 2010, ch. 6);
* :mod:`~cocontrol.cge.model` – equations in named blocks, closures, policy wedges;
* :mod:`~cocontrol.cge.solve` – Newton-type solution with a diagnosis on failure;
* :mod:`~cocontrol.cge.satellite` – energy and emissions, indicators;
* :mod:`~cocontrol.cge.policies` – instruments as data, :class:`Economy`;
* :mod:`~cocontrol.cge.combinations` – all combinations, discriminant matrix, TOPSIS/VIKOR;
* :mod:`~cocontrol.cge.report` – HTML and Excel report.

Methods: ``docs/methods/cge.md`` and ``docs/methods/policy-combinations.md``.
"""

from cocontrol.cge.calibrate import Calibration, Elasticities, calibrate, read_elasticities
from cocontrol.cge.combinations import (
    CLASSES,
    CombinationResult,
    DiscriminantMatrix,
    all_combinations,
    judge,
    rank,
    rank_stability,
    run_combinations,
)
from cocontrol.cge.model import CgeModel, Closure, Shocks
from cocontrol.cge.policies import (
    Economy,
    Instrument,
    bundled_instruments,
    load_economy,
    read_instruments,
    to_shocks,
)
from cocontrol.cge.sam import Sam, SamRoles, read_sam
from cocontrol.cge.satellite import INDICATORS, Satellite, read_satellite
from cocontrol.cge.solve import Solution, solve

__all__ = [
    "CLASSES", "INDICATORS", "Calibration", "CgeModel", "Closure", "CombinationResult",
    "DiscriminantMatrix", "Economy", "Elasticities", "Instrument", "Sam", "SamRoles",
    "Satellite", "Shocks", "Solution", "all_combinations", "bundled_instruments", "calibrate",
    "judge", "load_economy", "rank", "rank_stability", "read_elasticities", "read_instruments",
    "read_sam", "read_satellite", "run_combinations", "solve", "to_shocks",
]
