"""plotly.js's own style rules as a stylesheet, for a CSP without inline styles.

plotly.js adds its rules with a ``<style>`` element at load time, which ``style-src 'self'``
blocks (plotly/plotly.js#2355). Since plotly.js 2.35 (plotly/plotly.js#7109) it skips that
when the page holds an element ``id="plotly.js-style-global"`` with class
``no-inline-styles``: the page then links this stylesheet with that id. The rules are read
from the installed bundle itself (its ``"X,X div": ...`` table, where X stands for
``.js-plotly-plot .plotly`` and Y for ``.plotly-notifier``), so they always match the bundle
that is served.

The bundle also injects the CSS of its map library (maplibre, unused here: no tiles) unless an
element with a fixed id exists; :func:`guard_ids` reads those ids from the bundle, and the
page holds an empty ``<template>`` with each.
"""

from __future__ import annotations

import re
from functools import cache

from cocontrol import io
from cocontrol.htmlreport import plotly_js_path

_PAIR = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


@cache
def stylesheet() -> str:
    js = io.read_text(plotly_js_path())
    start = js.find('{"X,X div":')
    if start < 0:
        return "/* plotly.js style table not found in this bundle */\n"
    end = js.find("}", start)
    rules = []
    for key, value in _PAIR.findall(js[start:end]):
        sel = key[1:-1].replace('\\"', '"')
        sel = re.sub(r"^,", " ,", sel).replace("X", ".js-plotly-plot .plotly").replace(
            "Y", ".plotly-notifier")
        rules.append(f"{sel}{{{value[1:-1]}}}")
    return "\n".join(rules) + "\n"


_GUARD = re.compile(r'getElementById\("([0-9a-f]{40,64})"\)\)\{var \w+=document\.createElement\("style"\)')


@cache
def guard_ids() -> tuple[str, ...]:
    """Ids whose presence stops the bundle from adding a <style> element of its own."""
    return tuple(dict.fromkeys(_GUARD.findall(io.read_text(plotly_js_path()))))
