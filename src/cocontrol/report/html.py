"""Moved: the HTML report builder is :mod:`cocontrol.htmlreport` (below every stage, so the
reports of optimize, cge, evaluation and enterprise do not reach up to the report stage).
This alias keeps ``cocontrol.report.html`` imports of the report stage and later working."""

from cocontrol.htmlreport import *  # noqa: F403
from cocontrol.htmlreport import HtmlReport, plotly_js_path  # noqa: F401
