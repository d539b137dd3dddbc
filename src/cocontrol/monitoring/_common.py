"""Helpers shared by the monitoring modules: unit factors, bundled tables, labels."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pint

from cocontrol import refdata, units
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M


class MonitoringError(CocontrolError):
    """A monitoring computation cannot be done (message says why and what to give)."""


@lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str) -> float:
    """Factor converting ``from_unit`` to ``to_unit``; accepts scaled units such as ``1e8 yuan``
    or ``1e4 yuan`` (statistical yearbook style), which :func:`cocontrol.units.factor` rejects.
    """
    # TODO(trust-b): scaled units ("1e8 yuan") in cocontrol.units.factor; then drop this helper.
    try:
        return units.factor(from_unit, to_unit)
    except (units.UnitError, ValueError):
        pass
    ureg = units.registry()
    try:
        q = ureg.parse_expression(from_unit) / ureg.parse_expression(to_unit)
        return float(q.to("dimensionless").magnitude)
    except (pint.errors.UndefinedUnitError, pint.errors.DimensionalityError, AttributeError,
            ValueError, TypeError) as e:
        raise units.UnitError(M("msg.mon_cannot_convert", a=repr(from_unit), b=repr(to_unit),
                                          detail=e)) from e


def convertible(unit: str, reference: str) -> bool:
    try:
        factor(unit, reference)
        return True
    except units.UnitError:
        return False


def bundled(name: str) -> pd.DataFrame:
    """A bundled monitoring table ``data/monitoring/<name>.csv`` (each row carries its basis;
    read once by :func:`cocontrol.refdata.bundled`, a new frame for every caller)."""
    return refdata.bundled(f"monitoring/{name}.csv")


def indicators() -> pd.DataFrame:
    """The indicator catalogue (code, names, reference unit, kind, annual aggregation, source)."""
    return bundled("indicators").set_index("code")


def rule_value(rule: str, parameter: str, rules: pd.DataFrame | None = None) -> float:
    """A threshold of the anomaly rules table (``data/monitoring/anomaly_rules.csv``)."""
    t = bundled("anomaly_rules") if rules is None else rules
    m = t[(t["rule"] == rule) & (t["parameter"] == parameter)]
    if m.empty:
        raise MonitoringError(M("msg.mon_no_threshold", rule=rule, parameter=parameter))
    return float(m["value"].iloc[0])


def completeness_minimum(rule: str) -> int:
    t = bundled("completeness")
    return int(t.loc[t["rule"] == rule, "minimum"].iloc[0])


def completeness_basis(rule: str) -> str:
    t = bundled("completeness")
    return str(t.loc[t["rule"] == rule, "basis"].iloc[0])
