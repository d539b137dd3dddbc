"""The evaluation stage's reading and writing of files: an indicator system from a built-in
name, a YAML file or an Excel workbook, and the editable workbook of a system.

The engines (:mod:`cocontrol.evaluation.system`, ``scoring``) take objects; this module reads
the file and hands its content to :func:`~cocontrol.evaluation.system.system_from_doc` or
:func:`~cocontrol.evaluation.system.system_from_sheets`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cocontrol import io, refdata
from cocontrol.errors import InputError, Problem
from cocontrol.evaluation.system import (
    BUILTIN,
    IndicatorSystem,
    system_from_doc,
    system_from_sheets,
    system_sheets,
)
from cocontrol.i18n import Msg as M
from cocontrol.project.cells import safe_frame


def builtin_path(name: str) -> Path:
    """Path of a built-in template (``city``, ``park``, ``enterprise`` or
    ``cleaner_production``)."""
    return Path(refdata.bundled_path(f"evaluation/{name}.yaml"))


def load_system(spec: str | Path) -> IndicatorSystem:
    """Load an indicator system: a built-in name (``city``/``park``/``enterprise``/
    ``cleaner_production``), a YAML file or an Excel workbook. Raises :class:`InputError`
    listing every problem found."""
    if isinstance(spec, str) and spec in BUILTIN:
        path = builtin_path(spec)
    else:
        path = Path(spec)
    if not path.exists():
        raise InputError(Problem(file=str(path), message=M("msg.eval_system_not_found"),
                                 expected=M("exp.eval_system_not_found")))
    if path.suffix.lower() in (".yaml", ".yml"):
        return system_from_doc(io.read_yaml(path), str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return system_from_sheets(io.read_excel(path, sheet_name=None, dtype=object),
                                  str(path), path.stem)
    raise InputError(Problem(file=str(path), message=M("msg.eval_system_format"),
                             value=path.suffix, expected=M("exp.eval_system_format")))


def system_to_excel(system: IndicatorSystem, path: str | Path) -> Path:
    """Write a system as an editable Excel workbook (sheets system, indicators, grades,
    policy_basis, ahp and an empty ``values`` sheet for data entry), atomically."""
    path = Path(path)
    with io.atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, frame in system_sheets(system).items():  # safe already; idempotent
            safe_frame(frame).to_excel(xw, sheet_name=name, index=False)
    return path
