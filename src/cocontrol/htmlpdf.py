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

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--mute-audio",
                  "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")


def chromium_path() -> str:
    """The Chromium binary: ``$COCONTROL_CHROMIUM``, else ``chromium`` on the PATH."""
    env = os.environ.get("COCONTROL_CHROMIUM")
    if env:
        if not Path(env).exists():
            raise CocontrolError(f"COCONTROL_CHROMIUM={env} does not exist / 该路径不存在")
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    raise CocontrolError(
        "PDF export needs Chromium: run scripts/ensure-chromium.sh (or apt-get install "
        "chromium), or set COCONTROL_CHROMIUM / PDF导出需要Chromium浏览器：请运行 "
        "scripts/ensure-chromium.sh（或 apt-get install chromium），或设置 COCONTROL_CHROMIUM")


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
            raise CocontrolError(f"Chromium did not finish printing {html_path} within "
                                 f"{timeout:.0f} s / Chromium打印超时") from e
    if r.returncode != 0 or os.path.getsize(tmp) == 0:
        os.remove(tmp)
        raise CocontrolError(f"Chromium could not print {html_path} (exit {r.returncode}): "
                             f"{r.stderr.strip()[-400:]} / Chromium无法导出PDF")
    os.replace(tmp, pdf_path)
    return pdf_path
