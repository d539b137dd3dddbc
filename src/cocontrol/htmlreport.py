"""A small HTML report builder for reports a reviewer can read and hand on.

* **One file.** By default plotly.js is inlined from the installed ``plotly`` package, so the
  HTML opens offline, sent alone by e-mail. ``assets="shared"`` writes it once into
  ``<out>/assets/plotly.min.js`` instead (several reports in one folder).
* **Numbers as people read them.** Tables are formatted column by column: thousands
  separators, the same fixed number of decimals down a column (chosen from the column's
  magnitude), and a small value in a column of large ones keeps 3 significant figures (BC
  0.73 kt beside CO2 13,010 kt, not "1"); never scientific notation; years as years (2025,
  not 2,025); missing values as "not estimated" / "未估算", never 0.
* **Charts.** A 30-colour palette, CJK fonts, numbers without SI suffix or exponent, years on
  axes as years.
* **Print.** Tables that scroll on screen wrap on paper; :meth:`HtmlReport.write` can also write
  a PDF through headless Chromium (:mod:`cocontrol.htmlpdf`).
"""

from __future__ import annotations

import html
import math
import shutil
from importlib import resources
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import i18n

_CSS = """
body{font-family:"Segoe UI","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:2em auto;max-width:1200px;color:#222;padding:0 1em;line-height:1.45}
h1{border-bottom:3px solid #2a6f97;font-size:1.7em}h2{color:#2a6f97;margin-top:1.6em}
h3{color:#333}
.tw{overflow-x:auto;max-width:100%;margin:0.6em 0}
table{border-collapse:collapse;font-size:0.88em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef3f7;position:sticky;top:0}
tr:nth-child(even) td{background:#fafbfc}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:0.5em 1em}
.small{font-size:0.85em;color:#555}
.fig{page-break-inside:avoid;break-inside:avoid}
.meta{color:#555;font-size:0.85em}
@media print{body{max-width:none;margin:0;font-size:10pt}.tw{overflow:visible}
th,td{white-space:normal}th{position:static}h2{page-break-after:avoid}}
"""

#: 30 distinguishable colours (Plotly Dark24 followed by six of Light24) for categorical charts.
PALETTE = [
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
    "#FD3216", "#00FE35", "#6A76FC", "#FED4C4", "#FE00CE", "#0DF9FF",
]



def plotly_js_path() -> Path:
    """Path of the plotly.min.js bundle shipped inside the installed plotly package."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


# --- number formatting ----------------------------------------------------------------------

#: significant figures a table cell keeps at least when its decimals come from its column
SIG = 3


def decimals_for(values) -> int:
    """Fixed decimals for a column from its largest magnitude: ≥ 1,000 → 0, ≥ 100 → 1,
    ≥ 1 → 2, ≥ 0.1 → 3, else 4."""
    a = np.asarray([v for v in values if isinstance(v, Real) and not isinstance(v, bool)],
                   dtype=float)
    a = np.abs(a[np.isfinite(a)])
    if a.size == 0:
        return 2
    m = float(a.max())
    if m >= 1000:
        return 0
    if m >= 100:
        return 1
    if m >= 1:
        return 2
    if m >= 0.1 or m == 0:
        return 3
    return 4


def is_year_label(label) -> bool:
    """Whether a column label names years (in either language); its whole-number values in
    1900-2200 are then printed as years (2025, not 2,025)."""
    s = str(label).strip().lower()
    return s in ("by", "年") or "year" in s or "年份" in s or s.endswith("年")


def _is_year_value(v) -> bool:
    return isinstance(v, Integral | Real) and not isinstance(v, bool) and \
        float(v).is_integer() and 1900 <= float(v) <= 2200


def sig_decimals(x: float, sig: int = 3) -> int:
    """Decimals that show ``x`` to ``sig`` significant figures (0 for |x| ≥ 10^(sig-1))."""
    if x == 0 or not math.isfinite(x):
        return 0
    return max(0, sig - 1 - math.floor(math.log10(abs(x))))


def fmt_number(v, decimals: int = 2, year: bool = False, lang: str = "en",
               sig: int | None = None) -> str:
    """One cell as text: thousands separators, fixed decimals, no exponent; "not estimated"
    (in ``lang``) if missing.

    ``sig``: ``decimals`` is then a minimum, and a value that would show fewer than ``sig``
    significant figures gets the decimals it needs, without trailing zeros beyond
    ``decimals`` (``fmt_number(0.73, 0, sig=3)`` → ``0.73``, ``fmt_number(0.0042, 0, sig=3)``
    → ``0.0042``, ``fmt_number(12345.6, 0, sig=3)`` → ``12,346``)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return i18n.t("not_estimated", lang)
    if isinstance(v, bool | np.bool_):
        return i18n.t("yes" if v else "no", lang)
    if isinstance(v, Integral):
        return str(int(v)) if year else f"{int(v):,}"
    if isinstance(v, Real):
        x = float(v)
        if math.isnan(x):
            return i18n.t("not_estimated", lang)
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if year and x.is_integer():
            return str(int(x))
        if sig is not None and x != 0:
            d = max(decimals, sig_decimals(x, sig))
            s = f"{x:,.{d}f}"
            if d > decimals:  # the extra decimals only as far as they carry figures
                s = s.rstrip("0")
                if decimals == 0:
                    s = s.rstrip(".")
                else:
                    s += "0" * (decimals - len(s.split(".")[1]))
        else:
            s = f"{x:,.{decimals}f}"
        if s.startswith("-") and float(s.replace(",", "").lstrip("-") or 0) == 0:
            s = s[1:]  # no "-0.00"
        return s
    return str(v)


def _label(v) -> str:
    if isinstance(v, tuple):
        return " / ".join(_label(x) for x in v if str(x) != "")
    if isinstance(v, float) and v.is_integer() and 1900 <= v <= 2200:
        return str(int(v))
    return str(v)


def format_frame(df: pd.DataFrame, index: bool = True, lang: str = "en",
                 decimals: dict | int | None = None, by_row: bool = False
                 ) -> tuple[list[str], list[list[tuple]]]:
    """Header labels and formatted rows ``[(text, is_number), ...]`` of ``df``; ``by_row``:
    decimals from each row's magnitude (tables of indicators by year, one unit per row)."""
    d = df
    if index and not (isinstance(d.index, pd.RangeIndex) and d.index.name is None):
        names = [n if n is not None else "" for n in d.index.names]
        d = d.copy()
        d.index = d.index.set_names([f"__i{k}" for k in range(len(names))])
        d = d.reset_index()
        d.columns = [*names, *df.columns]
    cols = list(d.columns)
    header = [_label(c) for c in cols]
    col_fmt = []
    for j, c in enumerate(cols):
        s = d.iloc[:, j]
        vals = s.tolist()
        nums = [v for v in vals if isinstance(v, Real) and not isinstance(v, bool)
                and not (isinstance(v, float) and math.isnan(v))]
        year = is_year_label(header[j]) and all(_is_year_value(v) for v in nums)
        if isinstance(decimals, dict):
            dec = decimals.get(c, decimals.get(header[j]))
        else:
            dec = decimals
        # decimals chosen here from the magnitude: small values keep 3 significant figures
        col_fmt.append((year, dec if dec is not None else decimals_for(nums),
                        None if dec is not None else SIG))
    rows = []
    for r in d.itertuples(index=False, name=None):
        row = []
        fmts = col_fmt
        if by_row and not isinstance(decimals, int):
            rd = decimals_for([v for v in r if isinstance(v, Real) and not isinstance(v, bool)])
            fmts = [(y, rd, SIG) for y, _, _ in col_fmt]
        for (year, dec, sig), v in zip(fmts, r, strict=True):
            num = isinstance(v, Real) and not isinstance(v, bool | np.bool_)
            if isinstance(v, float) and math.isnan(v):
                num = True
            row.append((fmt_number(v, dec, year, lang, sig) if (num or v is None or v is pd.NA
                                                           or isinstance(v, bool | np.bool_))
                        else _label(v), num))
        rows.append(row)
    return header, rows


def table_html(df: pd.DataFrame, index: bool = True, lang: str = "en",
               decimals: dict | int | None = None, max_rows: int | None = None,
               verbatim: tuple = (), by_row: bool = False) -> str:
    """A formatted table in a horizontally scrolling box. Cells of the ``verbatim`` columns
    (references, user notes, codes) are marked ``translate="no"``: shown as written."""
    header, rows = format_frame(df if max_rows is None else df.head(max_rows), index, lang,
                                decimals, by_row)
    keep = {j for j, h in enumerate(header) if h in {_label(v) for v in verbatim}}
    th = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{html.escape(x)}</td>' if n else
                         f'<td translate="no">{html.escape(x)}</td>' if j in keep else
                         f"<td>{html.escape(x)}</td>" for j, (x, n) in enumerate(row))
        + "</tr>" for row in rows)
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f'<p class="small">{html.escape(i18n.t("rows_more", lang, n=len(df) - max_rows))}'\
               "</p>"
    return f'<div class="tw"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody>' \
           f"</table></div>{more}"


# --- figures --------------------------------------------------------------------------------

def _looks_like_years(values) -> bool:
    try:
        vals = [float(v) for v in values if v is not None]
    except (TypeError, ValueError):
        return False
    return bool(vals) and all(v.is_integer() and 1900 <= v <= 2200 for v in vals)


def style_figure(fig, share_axis: str | None = None):
    """House style: palette, fonts, numbers with separators and no exponent, years as years,
    shares from zero (``share_axis`` = "x" or "y" for an axis holding shares or percentages)."""
    fig.update_layout(colorway=PALETTE, separators=".,",
                      font=dict(family='"Noto Sans CJK SC","Microsoft YaHei",sans-serif'),
                      hoverlabel=dict(namelength=-1))
    fig.update_xaxes(exponentformat="none", separatethousands=True, automargin=True)
    fig.update_yaxes(exponentformat="none", separatethousands=True, automargin=True)
    for axis in ("x", "y"):
        vals = []
        for tr in fig.data:
            v = getattr(tr, axis, None)
            if v is not None and getattr(tr, "orientation", None) != ("h" if axis == "x"
                                                                     else "v"):
                vals.extend(list(v))
        if vals and _looks_like_years(vals):
            upd = dict(tickformat="d", separatethousands=False)
            (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**upd)
    if share_axis:
        upd = dict(rangemode="tozero")
        (fig.update_xaxes if share_axis == "x" else fig.update_yaxes)(**upd)
    return fig


class HtmlReport:
    """Accumulates sections, tables and figures, then writes one HTML file.

    ``assets``: ``"inline"`` (default: plotly.js inside the file) or ``"shared"`` (one
    ``assets/plotly.min.js`` beside the report).
    """

    def __init__(self, title: str, lang: str = "en", assets: str = "inline",
                 subtitle: str | None = None):
        self.title = title
        self.lang = i18n.check_lang(lang)
        if assets not in ("inline", "shared"):
            raise ValueError(i18n.Msg("msg.assets_inline_shared", got=repr(assets)))
        self.assets = assets
        self.subtitle = subtitle
        self._parts: list[str] = []
        self._n_fig = 0

    def t(self, key: str, **fmt) -> str:
        """The catalogue text of ``key`` in the report's language."""
        return i18n.t(key, self.lang, **fmt)

    def heading(self, text: str, level: int = 2) -> HtmlReport:
        self._parts.append(f"<h{level}>{html.escape(text)}</h{level}>")
        return self

    def paragraph(self, text: str, cls: str | None = None, verbatim: bool = False
                  ) -> HtmlReport:
        """A paragraph; ``verbatim`` marks text shown as written (user notes, references)."""
        c = f' class="{cls}"' if cls else ""
        c += ' translate="no"' if verbatim else ""
        self._parts.append(f"<p{c}>{html.escape(i18n.tr(text, self.lang))}</p>")
        return self

    def bullets(self, items: list[str]) -> HtmlReport:
        self._parts.append("<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in items)
                           + "</ul>")
        return self

    def note(self, text: str, verbatim: bool = False) -> HtmlReport:
        """A highlighted note; a :class:`cocontrol.i18n.Msg` is shown in the report's
        language."""
        return self.paragraph(text, cls="note", verbatim=verbatim)

    def raw(self, fragment: str) -> HtmlReport:
        self._parts.append(fragment)
        return self

    def table(self, df: pd.DataFrame, float_format: str | None = None, index: bool = True,
              styler=None, decimals: dict | int | None = None,
              max_rows: int | None = None, verbatim: tuple = (),
              by_row: bool = False) -> HtmlReport:
        """Add a formatted, horizontally scrolling table.

        ``decimals`` fixes the decimals (one number, or per column); by default each column
        gets decimals from its magnitude. ``float_format`` is accepted for compatibility and
        only its number of decimals is used (``"{:,.3f}"`` → 3); no exponent format is ever
        used. ``styler`` (DataFrame → pandas Styler) is kept for coloured tables.
        """
        if styler is not None:
            self._parts.append(f'<div class="tw">{styler(df).to_html()}</div>')
            return self
        if decimals is None and float_format:
            import re

            m = re.search(r"\.(\d+)f", float_format)
            decimals = int(m.group(1)) if m else None
        self._parts.append(table_html(df, index=index, lang=self.lang, decimals=decimals,
                                      max_rows=max_rows, verbatim=tuple(verbatim),
                                      by_row=by_row))
        return self

    def figure(self, fig, share_axis: str | None = None) -> HtmlReport:
        self._n_fig += 1
        style_figure(fig, share_axis)
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig{self._n_fig}",
                          config={"displaylogo": False, "responsive": True})
        self._parts.append(f'<div class="fig">{div}</div>')
        return self

    def html(self, path: Path | None = None) -> str:
        """The whole document (``path`` is where it goes, for the shared assets link)."""
        if self.assets == "inline":
            js = plotly_js_path().read_text(encoding="utf-8").replace("</script", "<\\/script")
            script = f"<script>{js}</script>"
        else:
            script = '<script src="assets/plotly.min.js"></script>'
        sub = f'<p class="meta">{html.escape(self.subtitle)}</p>' if self.subtitle else ""
        body = "\n".join(self._parts)
        return (f'<!DOCTYPE html><html lang="{"zh-CN" if self.lang == "zh" else "en"}"><head>'
                f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
                f"<title>{html.escape(self.title)}</title><style>{_CSS}</style>{script}"
                f"</head><body><h1>{html.escape(self.title)}</h1>{sub}{body}</body></html>")

    def write(self, path: str | Path, assets: str | None = None, pdf: bool = False) -> Path:
        """Write the report (atomically); returns the path of the HTML file.

        ``assets`` overrides the constructor's choice; ``pdf=True`` also writes ``.pdf``
        beside it (headless Chromium, see :func:`cocontrol.htmlpdf.html_to_pdf`).
        """
        if assets is not None:
            if assets not in ("inline", "shared"):
                raise ValueError(i18n.Msg("msg.assets_inline_shared", got=repr(assets)))
            self.assets = assets
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.assets == "shared":
            a = path.parent / "assets"
            a.mkdir(exist_ok=True)
            target = a / "plotly.min.js"
            if not target.exists() or target.stat().st_size != plotly_js_path().stat().st_size:
                tmpjs = a / ".plotly.min.js.tmp"
                shutil.copyfile(plotly_js_path(), tmpjs)
                tmpjs.replace(target)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.html(path), encoding="utf-8")
        tmp.replace(path)
        if pdf:
            from cocontrol.htmlpdf import html_to_pdf

            html_to_pdf(path, path.with_suffix(".pdf"))
        return path
