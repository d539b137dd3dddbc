"""Synergy evaluation (协同度评价) of cities, industrial parks and enterprises.

Typical use::

    from cocontrol.evaluation import load_system, load_values, evaluate
    system = load_system("city")                  # or a YAML / Excel file
    values, units = load_values("values.xlsx", system)
    result = evaluate(system, values, units, weighting="ahp", missing="impute")
    result.scores, result.contributions, result.changes, result.coupling

Methods: ``docs/methods/evaluation.md``; generic MCDA functions: :mod:`cocontrol.mcda`.
"""

from cocontrol.evaluation.compute import (
    emissions_from_inventory,
    fill_computed_indicators,
    merge_computed,
)
from cocontrol.evaluation.data import handle_missing, load_values
from cocontrol.evaluation.io import builtin_path, load_system, system_to_excel
from cocontrol.evaluation.scoring import (
    EvaluationResult,
    change_between,
    evaluate,
    grade,
    indicator_weights,
    normalize_panel,
    read_weights,
)
from cocontrol.evaluation.system import (
    BUILTIN,
    DEFAULT_GRADES,
    IndicatorSystem,
    system_from_doc,
    system_from_sheets,
    system_sheets,
)

__all__ = [
    "BUILTIN",
    "DEFAULT_GRADES",
    "EvaluationResult",
    "IndicatorSystem",
    "builtin_path",
    "change_between",
    "emissions_from_inventory",
    "evaluate",
    "fill_computed_indicators",
    "grade",
    "handle_missing",
    "indicator_weights",
    "load_system",
    "load_values",
    "merge_computed",
    "normalize_panel",
    "read_weights",
    "system_from_doc",
    "system_from_sheets",
    "system_sheets",
    "system_to_excel",
]
