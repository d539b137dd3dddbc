"""Generic multi-criteria decision analysis (MCDA): normalisation, weights, ranking.

Conventions used by every function here:

* a decision matrix has the **alternatives as rows** and the **criteria as columns**
  (numpy array or pandas DataFrame; results are pandas objects indexed like the input);
* ``types`` gives one entry per criterion: ``+1`` (benefit, larger is better) or ``-1``
  (cost, smaller is better); the strings ``"benefit"`` / ``"cost"`` and a mapping
  ``{criterion: type}`` are accepted too;
* weights are returned as a :class:`pandas.Series` that sums to 1.

Methods and sources are documented in ``docs/methods/mcda.md``.
"""

from cocontrol.mcda.core import (
    RANDOM_INDEX_SAATY,
    AHPResult,
    ahp_group,
    ahp_weights,
    combine_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    normalize,
    topsis,
    topsis_details,
    vikor,
)

__all__ = [
    "RANDOM_INDEX_SAATY",
    "AHPResult",
    "ahp_group",
    "ahp_weights",
    "combine_weights",
    "critic_weights",
    "entropy_weights",
    "equal_weights",
    "normalize",
    "topsis",
    "topsis_details",
    "vikor",
]
