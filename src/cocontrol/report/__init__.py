"""HTML reports of the inventory and scenario stages (the shared builder is
:mod:`cocontrol.htmlreport`)."""

from cocontrol.htmlreport import HtmlReport

__all__ = ["HtmlReport"]
