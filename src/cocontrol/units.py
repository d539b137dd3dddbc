"""Unit handling with pint and the project's own unit file (``data/units.txt``).

pint alone reads ``kt`` as knots and knows nothing of tce or Nm³; cocontrol's registry
defines kt/Mt/Gt as masses, tce/kgce (29.3076 GJ/tce, GB/T 2589-2020) and Nm³.

Conversion factors are computed once per unit pair and cached, so converting a column of
a million rows costs one multiplication.
"""

from __future__ import annotations

from functools import lru_cache

import pint

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    # cache_folder=":auto:" keeps pint's parsed definitions on disk: registry start-up drops
    # from seconds to a fraction of a second after the first run.
    try:
        ureg = pint.UnitRegistry(on_redefinition="ignore", cache_folder=":auto:")
    except Exception:  # read-only home or no cache support: parse every time
        ureg = pint.UnitRegistry(on_redefinition="ignore")
    from cocontrol import refdata

    ureg.load_definitions(refdata.bundled_path("units.txt"))
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

    A unit may carry a scale (``1e4 yuan``, ``1e8 yuan``):

    >>> factor("1e8 yuan", "1e4 yuan")
    10000.0
    """
    try:
        q_from, q_to = _quantity(from_unit), _quantity(to_unit)
        return float(q_from.to(q_to.units).magnitude / q_to.magnitude)
    except Exception as e:  # noqa: BLE001 - pint raises many types on odd text (trust-a)
        detail = e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Msg) else str(e)
        raise UnitError(Msg("msg.unit_cannot_convert", a=repr(from_unit), b=repr(to_unit),
                            detail=detail)) from e


def _quantity(unit: str):
    """``unit`` as a pint Quantity of magnitude 1 (or the unit's own scale, ``1e4 yuan``)."""
    if not isinstance(unit, str) or not unit.strip():
        raise ValueError(Msg("msg.unit_none"))
    ureg = registry()
    q = ureg.parse_expression(unit.strip())
    if not isinstance(q, ureg.Quantity):  # a bare number
        raise ValueError(Msg("msg.unit_number", unit=repr(unit)))
    if not (q.magnitude > 0):
        raise ValueError(Msg("msg.unit_scale", unit=repr(unit)))
    return q


def ratio_factor(from_unit: str, to_unit: str) -> float:
    """Factor converting a ratio ``a/b`` (e.g. ``t/1e8 yuan``) to ``c/d`` (``t/1e4 yuan``):
    numerator and denominator are converted separately (everything after the first ``/`` is
    the denominator, so ``t/1e4 yuan`` means t per 10^4 yuan).

    >>> round(ratio_factor("t/1e8 yuan", "t/1e4 yuan"), 12)
    0.0001
    """
    num_f, den_f = _split(from_unit)
    num_t, den_t = _split(to_unit)
    return factor(num_f, num_t) / factor(den_f, den_t)


def _split(u: str) -> tuple[str, str]:
    if not isinstance(u, str) or "/" not in u:
        raise UnitError(Msg("msg.unit_not_ratio", unit=repr(u)))
    num, den = u.split("/", 1)
    return num.strip(), den.strip()


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
