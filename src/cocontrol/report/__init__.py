"""HTML reports shared by every stage (no CDN: plotly.js is copied from the installed package)."""

from cocontrol.htmlreport import HtmlReport

__all__ = ["HtmlReport"]
