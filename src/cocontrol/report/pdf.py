"""Moved: PDF export of the HTML reports is :mod:`cocontrol.htmlpdf` (beside the HTML report
builder, below every stage). This alias keeps ``cocontrol.report.pdf`` imports working."""

from cocontrol.htmlpdf import *  # noqa: F403
