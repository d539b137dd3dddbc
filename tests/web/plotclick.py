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
