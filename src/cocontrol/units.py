"""Unit handling with pint and the project's own unit file (``data/units.txt``).

pint alone reads ``kt`` as knots and knows nothing of tce or Nm³; cocontrol's registry
defines kt/Mt/Gt as masses, tce/kgce (29.3076 GJ/tce, GB/T 2589-2020) and Nm³.

Conversion factors are computed once per unit pair and cached, so converting a column of
a million rows costs one multiplication.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pint

from cocontrol.errors import CocontrolError


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    # cache_folder=":auto:" keeps pint's parsed definitions on disk: registry start-up drops
    # from seconds to a fraction of a second after the first run.
    try:
        ureg = pint.UnitRegistry(on_redefinition="ignore", cache_folder=":auto:")
    except Exception:  # read-only home or no cache support: parse every time
        ureg = pint.UnitRegistry(on_redefinition="ignore")
    path = resources.files("cocontrol") / "data" / "units.txt"
    ureg.load_definitions(str(path))
    return ureg


class UnitError(CocontrolError):
    pass


@lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str) -> float:
    """Multiplicative factor converting a value in ``from_unit`` to ``to_unit``.

    >>> factor("kt", "t")
    1000.0
    >>> round(factor("tce", "GJ"), 4)
    29.3076
    """
    ureg = registry()
    try:
        return float(ureg.Quantity(1.0, from_unit).to(to_unit).magnitude)
    except Exception as e:  # noqa: BLE001 - pint raises many types on odd text (trust-a)
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: {e}") from e


@lru_cache(maxsize=4096)
def is_known(unit: str) -> bool:
    try:
        registry().Unit(unit)
        return True
    except Exception:
        return False


@lru_cache(maxsize=4096)
def dimension_ok(unit: str, reference: str) -> bool:
    """True when ``unit`` can be converted to ``reference``."""
    try:
        factor(unit, reference)
        return True
    except UnitError:
        return False
