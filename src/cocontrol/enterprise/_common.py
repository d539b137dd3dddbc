"""Small shared pieces of the enterprise stage: strict models, unit conversion of masses and
ratios, bundled tables."""

from __future__ import annotations

import re

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from cocontrol import refdata, units
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg


class Strict(BaseModel):
    """Base of every enterprise input model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_M3 = re.compile(r"(?<![A-Za-z])(k?m)3\b")


def _pint(unit: str) -> str:
    """Spellings people write (mg/m3, ug/m3) as pint reads them (mg/m**3)."""
    return _M3.sub(r"\1**3", unit.replace("µg", "ug").replace("μg", "ug"))


def convert(value: float, from_unit: str, to_unit: str, what: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; a plain error if they don't match."""
    try:
        return float(value) * units.factor(_pint(from_unit), _pint(to_unit))
    except Exception as e:  # pint: unknown unit or wrong dimension
        raise InputError(Problem(file="<enterprise>", column=what, value=from_unit,
                                 message=Msg("msg.ent_cannot_convert", src=repr(from_unit),
                                             dst=repr(to_unit)),
                                 expected=Msg("exp.ent_unit_convertible", unit=to_unit))) from e


def ratio_unit(unit: str) -> tuple[str, str]:
    """Split an intensity unit ``'t/MWh'`` into numerator and denominator units."""
    if "/" not in unit:
        raise InputError(Problem(file="<enterprise>", column="unit", value=unit,
                                 message=Msg("msg.ent_intensity_unit"),
                                 expected=Msg("exp.ent_intensity_unit")))
    num, den = unit.split("/", 1)
    den = den.strip()
    if den.startswith("1e4 yuan") or den == "wan_yuan":
        den = "wan_yuan"
    elif den.startswith("1e8 yuan"):
        den = "yi_yuan"
    return num.strip(), den


def convert_ratio(value: float, from_unit: str, to_unit: str, what: str) -> float:
    """Convert an intensity, converting numerator AND denominator (t/1e4 yuan → kg/yuan …)."""
    fn, fd = ratio_unit(from_unit)
    tn, td = ratio_unit(to_unit)
    return value * convert(1.0, fn, tn, what) / convert(1.0, fd, td, what)


def bundled_table(name: str) -> pd.DataFrame:
    """A bundled enterprise table (a new frame for every caller)."""
    return refdata.bundled(f"enterprise/{name}")


def _bundled_yaml(name: str) -> str:
    return refdata.bundled_text(f"enterprise/{name}")


def bundled_yaml(name: str) -> dict:
    """A fresh dict of a bundled enterprise YAML file."""
    return yaml.safe_load(_bundled_yaml(name))


def benchmarks() -> pd.DataFrame:
    """Bundled benchmarks (carbon intensities, concentration limits), each with its source."""
    return bundled_table("benchmarks.csv").set_index("id")
