// Early-warning board: bars of the stored LMDI driver effects of an alert when it is unfolded
// (the numbers are those stored with the alert; nothing is computed here).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const cc = window.cocontrol;
  const d = cc.data("mon-drivers") || {};
  document.querySelectorAll("tr.mon-detail details").forEach(function (det) {
    det.addEventListener("toggle", function () {
      const el = det.querySelector(".mon-drivers-chart");
      if (!det.open || !el || el.dataset.drawn || typeof window.Plotly === "undefined") return;
      const x = d[el.dataset.target];
      if (!x) return;
      el.dataset.drawn = "1";
      cc.plot(el, [{ type: "bar", orientation: "h", y: x.labels.slice().reverse(), x: x.effects.slice().reverse(),
        marker: { color: x.effects.slice().reverse().map(function (v) { return v > 0 ? "#c0392b" : "#2e8540"; }) },
        customdata: (x.why || []).slice().reverse(),  // a bar opens its derivation (charts.js)
        hovertemplate: "%{y}: %{x:.4s}<extra></extra>" }],
      { height: 220, margin: { l: 10, r: 10, t: 10, b: 30 }, yaxis: { automargin: true } });
    });
  });
});
