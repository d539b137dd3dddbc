"""A small self-contained HTML report builder.

Figures are Plotly figures; the plotly.js bundle is copied from the installed ``plotly``
package into ``<out>/assets/plotly.min.js`` and referenced by a relative path, so reports open
on an offline intranet with no CDN.
"""

from __future__ import annotations

import html
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd

_CSS = """
body{font-family:"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1200px;color:#222;padding:0 1em}
h1{border-bottom:3px solid #2a6f97}h2{color:#2a6f97;margin-top:1.6em}
table{border-collapse:collapse;margin:0.6em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#eef3f7}td:first-child,th:first-child{text-align:left}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:0.5em 1em}
.small{font-size:0.85em;color:#555}
"""


def plotly_js_path() -> Path:
    """Path of the plotly.min.js bundle shipped inside the installed plotly package."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


class HtmlReport:
    """Accumulates sections, tables and figures, then writes one HTML file."""

    def __init__(self, title: str, lang: str = "en"):
        self.title = title
        self.lang = lang
        self._parts: list[str] = []
        self._n_fig = 0

    def heading(self, text: str, level: int = 2) -> HtmlReport:
        self._parts.append(f"<h{level}>{html.escape(text)}</h{level}>")
        return self

    def paragraph(self, text: str, cls: str | None = None) -> HtmlReport:
        c = f' class="{cls}"' if cls else ""
        self._parts.append(f"<p{c}>{html.escape(text)}</p>")
        return self

    def note(self, text: str) -> HtmlReport:
        return self.paragraph(text, cls="note")

    def raw(self, fragment: str) -> HtmlReport:
        self._parts.append(fragment)
        return self

    def table(self, df: pd.DataFrame, float_format: str = "{:,.2f}", index: bool = True,
              styler=None) -> HtmlReport:
        """Add a table; ``styler`` may be a function DataFrame -> pandas Styler for colours."""
        if styler is not None:
            self._parts.append(styler(df).to_html())
        else:
            self._parts.append(
                df.to_html(index=index, float_format=lambda v: float_format.format(v),
                           border=0, na_rep="–")
            )
        return self

    def figure(self, fig) -> HtmlReport:
        self._n_fig += 1
        self._parts.append(
            fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig{self._n_fig}")
        )
        return self

    def write(self, path: str | Path) -> Path:
        """Write the report and its local assets; returns the path of the HTML file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        assets = path.parent / "assets"
        assets.mkdir(exist_ok=True)
        target = assets / "plotly.min.js"
        if not target.exists():
            shutil.copyfile(plotly_js_path(), target)
        body = "\n".join(self._parts)
        doc = (
            f'<!DOCTYPE html><html lang="{self.lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style>"
            f'<script src="assets/plotly.min.js"></script></head><body>'
            f"<h1>{html.escape(self.title)}</h1>{body}</body></html>"
        )
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(doc, encoding="utf-8")
        tmp.replace(path)
        return path
