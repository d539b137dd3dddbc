"""Helpers of the report tests: a headless Chromium (Debian's, network off) and the check for
untranslated words in a rendered report."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COCONTROL_CHROMIUM") or shutil.which("chromium") or \
    "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


def launch(loopback: bool = False):
    """(playwright, browser); skipped locally when Chromium or Playwright is missing, an
    error under CI=true (browser tests must run there: .ci/run installs Chromium).

    ``loopback=True`` (the dashboard's tests, tests/web): loopback addresses bypass the dead
    proxy, so a test server on 127.0.0.1 is reachable; everything else stays unreachable."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra installs it
        missing = "the playwright package"
    if missing is None and not Path(CHROMIUM).exists():
        missing = f"Chromium ({CHROMIUM}; run scripts/ensure-chromium.sh)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need {missing} under CI")
        pytest.skip(f"needs {missing}")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=_args(loopback),
                                     headless=True)
    except BaseException:
        pw.stop()  # no event loop left running in this thread
        raise
    return pw, browser


def _args(loopback: bool) -> list[str]:
    return [a for a in ARGS if a != "--proxy-bypass-list=<-loopback>"] if loopback else ARGS


class Shared:
    """One Playwright and at most one Chromium per launch mode for the whole test run (the
    ``browser`` fixtures of tests/conftest.py and tests/web/conftest.py), stopped by
    :meth:`stop` as soon as the next test does not ask for a browser.

    Playwright's sync API keeps an asyncio event loop running in the thread that started it
    until it is stopped; a test after it that calls ``asyncio.run`` (tests/security) or starts
    Playwright itself would fail. Stopping between the browser tests and the others makes the
    suite order-independent (serial, or any pytest-xdist distribution)."""

    def __init__(self):
        self.pw = None
        self.browsers: dict[bool, object] = {}
        self.launches = 0

    def get(self, loopback: bool = False):
        if loopback not in self.browsers:
            if self.pw is None:
                pw, browser = launch(loopback=loopback)
                self.pw = pw
            else:
                browser = self.pw.chromium.launch(executable_path=CHROMIUM,
                                                  args=_args(loopback), headless=True)
            self.browsers[loopback] = browser
            self.launches += 1
        return self.browsers[loopback]

    def stop(self) -> None:
        browsers, pw = list(self.browsers.values()), self.pw
        self.browsers, self.pw = {}, None
        try:
            for b in browsers:
                b.close()
        finally:
            if pw is not None:
                pw.stop()


# Text the browser shows, except scripts, styles and elements marked translate="no" (user
# data, references, codes shown on purpose), including the SVG text plotly draws.
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,[translate="no"],.modebar')) continue;
    const s = n.textContent.trim();
    if (s) out.push(s);
  }
  return out;
}"""

# Lower-case words that are not English prose: units and unit-like words.
ALLOWED_LOWER = {"cocontrol", "hybrd", "yuan", "vkm", "head", "kwh", "mwh", "gwh", "tce", "mtce", "kgce", "gce",
                 "ugm", "max", "min", "log"}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
# file names, paths and command-line options are not prose
_PATH = re.compile(r"\S*\.(md|csv|yaml|xlsx|html|sh|py)\b|--[A-Za-z][\w-]*|\b\w+/[\w/.-]+")


def english_words(texts: list[str]) -> list[str]:
    """Words that betray untranslated text: all-lower-case ASCII words of 3+ letters (English
    prose, snake_case codes). Acronyms, species (SO2, PM2.5), units (kt, Mt) and numbers
    pass."""
    bad = []
    for s in texts:
        s = _PATH.sub(" ", s)  # file names (docs/methods/x.md) are not prose
        for w in _WORD.findall(s):
            code = "_" in w and w.lower() == w                     # snake_case code
            prose = w.isalpha() and w.islower() and len(w) >= 3 and w not in ALLOWED_LOWER
            if code or prose:
                bad.append(w)
    return bad


def open_report(browser, path: Path, timeout_ms: int = 30000):
    """Open ``path`` offline; wait until every plotly chart has drawn; return (page, errors,
    n_charts)."""
    ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    ctx.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
        "file:") else route.continue_())
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(Path(path).resolve().as_uri())
    n = page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length")
    if n:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')].every("
            "d => d.querySelector('.main-svg') && d._fullLayout)", timeout=timeout_ms)
    return page, errors, n
