// Enterprise pages: the colour label of a carbon-efficiency grade (its colour is data of the
// grade rules, set through the CSSOM: no inline style) and the footprint's stages as bars.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".grade-label[data-colour]").forEach(function (el) {
    const c = el.getAttribute("data-colour");
    if (/^#[0-9a-fA-F]{6}$/.test(c)) {
      el.style.backgroundColor = c;
      const n = parseInt(c.slice(1), 16);
      const lum = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
      el.style.color = lum > 150 ? "#000" : "#fff";
    }
  });
  const cc = window.cocontrol;
  const d = cc && cc.data ? cc.data("footprint-data") : null;
  const el = document.getElementById("stage-chart");
  if (!d || !el || !window.Plotly) return;
  cc.plot(el, [{ type: "bar", x: d.stages, y: d.values, marker: { color: "#1f6fb2" },
    hovertemplate: "%{x}: %{y:.4s} " + d.unit + "<extra></extra>" }],
    { height: 280, yaxis: { title: { text: d.unit }, rangemode: "tozero" } });
});
