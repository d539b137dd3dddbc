"""Screenshots of the demo reports for the docs: ``python scripts/screenshots.py out``.

Writes ``OUT/screenshots/<report>.png`` (top of each report, 1280 px wide) with Debian's headless
Chromium (``scripts/ensure-chromium.sh``); the PNGs are build output, not committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cocontrol.errors import CocontrolError
from cocontrol.htmlpdf import screenshot


def main(out: str = "out") -> int:
    out_dir = Path(out)
    shots = out_dir / "screenshots"
    reports = sorted(out_dir.glob("*_report.html"))
    if not reports:
        print(f"no reports in {out_dir}: run `cocontrol demo --out {out_dir}` first")
        return 1
    for html in reports:
        try:
            png = screenshot(html, shots / f"{html.stem}.png", width=1280, height=2000)
        except CocontrolError as e:
            print(f"screenshot of {html} failed: {e}")
            return 1
        print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
