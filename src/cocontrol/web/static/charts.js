// Chart helpers over the local plotly.js bundle (no model logic: the numbers come from the page).
// A point whose customdata is a derivation address (/web/...why?...) opens it on click in the
// page's #prov-dialog (provenance.js), as the same number's link in a table does.
"use strict";
(function () {
  const cc = (window.cocontrol = window.cocontrol || {});
  const big = () => document.body.classList.contains("big");
  cc.layout = function (extra) {
    const dark = big();
    return Object.assign({
      margin: { l: 50, r: 10, t: 10, b: 40 }, autosize: true,
      paper_bgcolor: dark ? "#0d2743" : "#fff", plot_bgcolor: dark ? "#0d2743" : "#fff",
      font: { color: dark ? "#e8f0f8" : "#1d2733", size: dark ? 16 : 12 },
      showlegend: false,
    }, extra || {});
  };
  function onPoint(ev) {
    const pt = ev && ev.points && ev.points[0];
    const href = pt && pt.customdata;
    if (typeof href === "string" && href.indexOf("/web/") === 0 && cc.openProv) cc.openProv(href);
  }
  cc.plot = function (el, traces, layout, config) {
    return Plotly.newPlot(el, traces, cc.layout(layout),
      Object.assign({ displayModeBar: false, responsive: true }, config || {})).then(function (gd) {
      if (traces.some(function (t) { return t.customdata; })) {
        gd.removeListener("plotly_click", onPoint);  // once per chart, also when redrawn
        gd.on("plotly_click", onPoint);
        gd.classList.add("prov-chart");
      }
      return gd;
    });
  };
  cc.charted = 0;
  window.addEventListener("resize", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(function (d) { Plotly.Plots.resize(d); });
  });
})();
