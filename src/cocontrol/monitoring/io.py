"""Reading monitoring inputs (the only module of the subpackage that touches files).

A project's monitoring folder (``<project>/monitoring/``) may hold:

===========================  ==============================================================
series.csv / .xlsx           indicator series (template: :mod:`cocontrol.monitoring.series`)
targets.yaml                 targets (:class:`~cocontrol.monitoring.targets.TargetSet`)
enterprise_hourly.csv        facility, time, conc_<pollutant> (mg/m3), flow (m3/h),
                             production_kw, treatment_kw
permits.csv                  facility, pollutant, limit, unit, annual_quantity_t, basis
station_hourly.csv           station, time, pollutant, value (ug/m3)
locations.csv                id, x_km, y_km, kind (area | point | station | candidate), note
wind.csv                     direction_deg, frequency, source
===========================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq
from cocontrol.monitoring.series import SeriesTable, validate_series
from cocontrol.monitoring.targets import TargetSet, load_targets
from cocontrol.project.io import read_raw


def read_series(path: str | Path, sheet: str | None = None,
                known_entities: set[str] | None = None) -> SeriesTable:
    """Read and validate an indicator-series upload (CSV or Excel)."""
    path = Path(path)
    if not path.exists():
        raise InputError(Problem(str(path), Msg("msg.file_not_found"),
                                 expected=Msg("exp.csv_or_xlsx_file")))
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise InputError(Problem(str(path), Msg("msg.file_type"), value=path.suffix,
                                 expected=Msg("exp.csv_or_xlsx")))
    try:
        raw = read_raw(path, sheet)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise InputError(Problem(str(path), Msg("msg.cannot_read_table", detail=e),
                                 sheet=sheet)) from e
    return validate_series(raw, file=path.name, sheet=sheet, known_entities=known_entities)


def read_table(path: str | Path, required: list[str]) -> pd.DataFrame:
    """A CSV/Excel table with required columns (plain problems otherwise)."""
    path = Path(path)
    if not path.exists():
        raise InputError(Problem(str(path), Msg("msg.file_not_found")))
    try:
        df = (pd.read_excel(path) if path.suffix.lower() in (".xlsx", ".xlsm")
              else pd.read_csv(path, encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise InputError(Problem(path.name, Msg("msg.cannot_read_table", detail=e))) from e
    miss = [c for c in required if c not in df.columns]
    if miss:
        raise InputError([Problem(path.name, Msg("msg.required_column", column=c, hint=""),
                                  column=c, expected=Seq(required, quote=True)) for c in miss])
    return df


def read_targets(path: str | Path) -> TargetSet:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(Problem(path.name, Msg("msg.cannot_read_targets", detail=e))) from e
    return load_targets(data or {}, file=path.name)


@dataclass
class MonitoringInputs:
    folder: Path
    series: SeriesTable
    targets: TargetSet | None = None
    enterprise_hourly: pd.DataFrame | None = None
    permits: pd.DataFrame | None = None
    station_hourly: pd.DataFrame | None = None
    locations: pd.DataFrame | None = None
    wind: pd.DataFrame | None = None


def _opt(folder: Path, name: str, required: list[str]) -> pd.DataFrame | None:
    for ext in (".csv", ".xlsx"):
        p = folder / f"{name}{ext}"
        if p.exists():
            return read_table(p, required)
    return None


def read_inputs(folder: str | Path, known_entities: set[str] | None = None) -> MonitoringInputs:
    """Read a monitoring folder (see the module docstring); series is required."""
    folder = Path(folder)
    sp = next((folder / f"series{e}" for e in (".csv", ".xlsx") if (folder / f"series{e}")
               .exists()), None)
    if sp is None:
        raise InputError(Problem(str(folder), Msg("msg.no_series"),
                                 expected=Msg("exp.series_upload")))
    tp = folder / "targets.yaml"
    return MonitoringInputs(
        folder=folder, series=read_series(sp, known_entities=known_entities),
        targets=read_targets(tp) if tp.exists() else None,
        enterprise_hourly=_opt(folder, "enterprise_hourly", ["facility", "time"]),
        permits=_opt(folder, "permits", ["facility", "pollutant", "limit", "unit", "basis"]),
        station_hourly=_opt(folder, "station_hourly", ["station", "time", "pollutant", "value"]),
        locations=_opt(folder, "locations", ["id", "x_km", "y_km", "kind"]),
        wind=_opt(folder, "wind", ["direction_deg", "frequency"]),
    )
