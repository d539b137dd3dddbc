"""Click a point of a plotly chart where it is drawn (a real mouse click at its pixel:
plotly's own hit test picks the point and fires plotly_click, as for a user)."""

from __future__ import annotations

_POINT_JS = """([el, ti, pi]) => {
  const fl = el._fullLayout, tr = el._fullData[ti], xa = fl.xaxis, ya = fl.yaxis;
  const r = el.getBoundingClientRect();
  return [r.left + xa._offset + xa.l2p(xa.d2l(tr.x[pi])),
          r.top + ya._offset + ya.l2p(ya.d2l(tr.y[pi]))];
}"""


def click_point(page, selector: str, trace: int, index: int) -> None:
    """Click point ``index`` of trace ``trace`` of the chart at ``selector`` (drawn, and
    marked by charts.js as one whose points open their derivation)."""
    el = page.locator(selector)
    el.scroll_into_view_if_needed()
    page.wait_for_function("s => { const d = document.querySelector(s); return d && d._fullLayout"
                           " && d.classList.contains('prov-chart'); }", arg=selector)
    x, y = page.evaluate(_POINT_JS, [el.element_handle(), trace, index])
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def click_year(page, selector: str, trace: int, year: int) -> None:
    """Click the point of ``year`` (an x value) of a chart's trace."""
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function("s => { const d = document.querySelector(s); return d && d._fullData;"
                           " }", arg=selector)
    i = page.locator(selector).evaluate(f"(el) => el._fullData[{trace}].x.indexOf({year})")
    assert i >= 0, (selector, year)
    click_point(page, selector, trace, i)


# every drawn mark (a bar, or a marker of a line or polar chart) of the chart's traces whose
# points open a derivation: its trace, point index, centre and size on the page
_MARKS_JS = """(el) => {
  const out = [];
  for (const g of el.querySelectorAll('g.trace')) {
    const cd = g.__data__, tr = cd && cd[0] && cd[0].trace;
    if (!tr || !tr.customdata) continue;
    for (const p of g.querySelectorAll('.point')) {
      const d = p.__data__, r = p.getBoundingClientRect();
      if (!d || typeof d.i !== 'number' || !(r.width > 0 && r.height > 0)) continue;
      out.push({trace: tr.index, i: d.i, x: r.left + r.width / 2, y: r.top + r.height / 2,
                l: r.left, r: r.right, t: r.top, b: r.bottom, bar: !!p.closest('.bars')});
    }
  }
  // the vertices of lines drawn without markers: plotly's hit test sees them too (unless
  // the line is skipped by it, as a fan chart's bands are)
  const fl = el._fullLayout, box = el.getBoundingClientRect();
  (el._fullData || []).forEach((tr, ti) => {
    if (tr.type !== 'scatter' || (tr.mode || '').includes('markers') || tr.hoverinfo === 'skip'
        || !fl.xaxis) return;
    const xa = fl.xaxis, ya = fl.yaxis;
    (tr.x || []).forEach((x, i) => {
      const y = tr.y[i];
      if (x === null || y === null) return;
      const px = box.left + xa._offset + xa.l2p(xa.d2l(x));
      const py = box.top + ya._offset + ya.l2p(ya.d2l(y));
      out.push({trace: ti, i: i, x: px, y: py, l: px, r: px, t: py, b: py, bar: false,
                line: true});
    });
  });
  return out;
}"""


def click_mark(page, selector: str, pick=lambda m: True, gap: float = 8.0) -> dict:
    """Click (a real mouse click, plotly's own hit test) the first mark of the chart at
    ``selector`` that ``pick`` accepts and that is alone where it is drawn: a bar at least 4 px
    wide and high whose centre is in no other mark, a marker at least ``gap`` px from every
    other one and from every vertex of a line drawn without markers (plotly's hit test gives
    a click to the nearest point, with a tolerance of about a marker's radius, 3 px). Returns the mark: ``trace``, ``i`` (the point's index in its trace), centre."""
    el = page.locator(selector)
    el.scroll_into_view_if_needed()
    page.wait_for_function("s => { const d = document.querySelector(s); return d && d._fullLayout"
                           " && d.classList.contains('prov-chart'); }", arg=selector)
    marks = page.evaluate(_MARKS_JS, el.element_handle())

    def alone(m):
        others = [o for o in marks if o is not m]
        if m["bar"]:
            return m["r"] - m["l"] >= 4 and m["b"] - m["t"] >= 4 and not any(
                o["l"] <= m["x"] <= o["r"] and o["t"] <= m["y"] <= o["b"] for o in others)
        return all((o["x"] - m["x"]) ** 2 + (o["y"] - m["y"]) ** 2 >= gap ** 2 for o in others)

    m = next((m for m in marks if not m.get("line") and pick(m) and alone(m)), None)
    assert m is not None, (selector, marks)
    page.mouse.move(m["x"], m["y"])
    page.mouse.click(m["x"], m["y"])
    return m


def open_point(page, selector: str, pick=lambda m: True, gap: float = 8.0) -> dict:
    """Click a lone mark of a chart (:func:`click_mark`) and read the derivation dialog it
    opens: ``value`` (the derivation's number), ``query`` (its address's parameters), ``row``
    (a stored result's row: column -> the cell as text, unformatted), ``point`` (the clicked point's x, y or r as
    drawn) and the ``mark``; the dialog is closed again."""
    from urllib.parse import parse_qs, urlparse

    assert page.locator("#prov-dialog[open]").count() == 0  # (a modal dialog takes the click)
    m = click_mark(page, selector, pick, gap)
    page.wait_for_selector("#prov-dialog[open] #prov-dialog-body section.prov[data-value]")
    dlg = page.locator("#prov-dialog")
    href = dlg.locator("#prov-dialog-page").get_attribute("href")
    out = {"mark": m, "query": {k: v[0] for k, v in parse_qs(urlparse(href).query).items()},
           "value": float(dlg.locator("section.prov").get_attribute("data-value")),
           "row": dict(dlg.locator("#prov-row tr").evaluate_all(
               "trs => trs.map(tr => [tr.dataset.col, tr.querySelector('td').dataset.value])")),
           "point": page.locator(selector).evaluate(
               "(el, [t, i]) => { const d = el._fullData[t]; const g = k => d[k] ? d[k][i] :"
               " null; return {x: g('x'), y: g('y'), r: g('r')}; }", [m["trace"], m["i"]])}
    page.click("#prov-dialog-close")
    return out
