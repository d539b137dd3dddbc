"""Monitoring, prediction and early warning against the dual targets (air quality and carbon).

- :mod:`~cocontrol.monitoring.series`: indicator series per unit (upload template, validation,
  units, sources), :mod:`~cocontrol.monitoring.hourly`: hourly station / CEMS aggregation with
  completeness rules;
- :mod:`~cocontrol.monitoring.nowcast`: monthly emissions from electricity ("carbon from power")
  calibrated to the annual inventory, with backtest error;
- :mod:`~cocontrol.monitoring.forecast`: ETS / ARIMA / Theta vs seasonal naive, rolling-origin
  selection, prediction intervals and sample paths;
- :mod:`~cocontrol.monitoring.targets`: targets, alert levels, probability of missing, LMDI
  drivers and closing measures;
- :mod:`~cocontrol.monitoring.anomaly`: enterprise anomaly rules and the case workflow;
- :mod:`~cocontrol.monitoring.notices`: monthly / quarterly notices as data;
- :mod:`~cocontrol.monitoring.network`: screening design of CO2 monitoring sites.

Method page: docs/methods/monitoring.md.
"""

from cocontrol.monitoring._common import MonitoringError
from cocontrol.monitoring.anomaly import (
    Case,
    CaseTransitionError,
    Evidence,
    Finding,
    open_case,
    scan_enterprise,
    transition,
)
from cocontrol.monitoring.forecast import ForecastResult, cross_validate, fit_forecast, forecast_to
from cocontrol.monitoring.hourly import cems_monthly, station_daily, station_series
from cocontrol.monitoring.network import greedy_sites
from cocontrol.monitoring.notices import notice
from cocontrol.monitoring.nowcast import NowcastResult, nowcast, nowcast_from_series
from cocontrol.monitoring.series import SeriesTable, from_frame, validate_series
from cocontrol.monitoring.targets import (
    Alert,
    Target,
    TargetSet,
    assess,
    closing_measures,
    drivers,
    level_for,
    load_targets,
    worst_level,
)

__all__ = [
    "Alert", "Case", "CaseTransitionError", "Evidence", "Finding", "ForecastResult",
    "MonitoringError", "NowcastResult", "SeriesTable", "Target", "TargetSet", "assess",
    "cems_monthly", "closing_measures", "cross_validate", "drivers", "fit_forecast",
    "forecast_to", "from_frame", "greedy_sites", "level_for", "load_targets", "notice",
    "nowcast", "nowcast_from_series", "open_case", "scan_enterprise", "station_daily",
    "station_series", "transition", "validate_series", "worst_level",
]
