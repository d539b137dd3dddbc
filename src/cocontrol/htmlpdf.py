"""PDF export of HTML reports through headless Chromium's print-to-PDF.

Chromium is Debian's ``chromium`` package (``scripts/ensure-chromium.sh`` installs it); set
``COCONTROL_CHROMIUM`` to use another binary. The page is loaded from the local file with
networking disabled, the charts are drawn by the inlined plotly.js, and Chromium prints A4 with
backgrounds (``--virtual-time-budget`` lets the scripts finish before printing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--mute-audio",
                  "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")


def chromium_path() -> str:
    """The Chromium binary: ``$COCONTROL_CHROMIUM``, else ``chromium`` on the PATH."""
    env = os.environ.get("COCONTROL_CHROMIUM")
    if env:
        if not Path(env).exists():
            raise CocontrolError(Msg("err_chromium_path", path=env))
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    raise CocontrolError(Msg("err_no_chromium"))


def html_to_pdf(html_path: str | Path, pdf_path: str | Path | None = None,
                timeout: float = 120.0) -> Path:
    """Print ``html_path`` to ``pdf_path`` (default: same name, ``.pdf``); returns its path."""
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path) if pdf_path is not None else html_path.with_suffix(".pdf")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".pdf", dir=pdf_path.parent)
    os.close(fd)
    with tempfile.TemporaryDirectory(prefix="cocontrol-chromium-") as profile:
        cmd = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               "--virtual-time-budget=15000", "--run-all-compositor-stages-before-draw",
               "--no-pdf-header-footer", f"--print-to-pdf={tmp}", html_path.as_uri()]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            os.remove(tmp)
            raise CocontrolError(Msg("err_chromium_timeout", file=str(html_path),
                                     s=f"{timeout:.0f}")) from e
    if r.returncode != 0 or os.path.getsize(tmp) == 0:
        os.remove(tmp)
        raise CocontrolError(Msg("err_chromium_failed", file=str(html_path), rc=r.returncode,
                                 detail=r.stderr.strip()[-400:]))
    os.replace(tmp, pdf_path)
    return pdf_path


def screenshot(html_path: str | Path, png_path: str | Path | None = None,
               width: int = 1280, height: int = 2400, timeout: float = 120.0) -> Path:
    """A PNG of the top of a report (``width`` × ``height`` pixels) for the docs."""
    html_path = Path(html_path).resolve()
    png_path = Path(png_path) if png_path is not None else html_path.with_suffix(".png")
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cocontrol-chromium-") as profile:
        cmd = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               "--virtual-time-budget=15000", "--hide-scrollbars",
               f"--window-size={width},{height}", f"--screenshot={png_path.resolve()}",
               html_path.as_uri()]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or not png_path.exists():
        raise CocontrolError(Msg("err_chromium_failed", file=str(html_path), rc=r.returncode,
                                 detail=r.stderr.strip()[-400:]))
    return png_path
