// Cockpit: trend lines of the tiles and the co-control quadrants (data from #cockpit-data).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const cc = window.cocontrol;
  const d = cc.data("cockpit-data");
  if (!d) return;
  const colour = { ok: "#2e8540", warn: "#d4a017", bad: "#c0392b", none: "#8a94a0" };
  d.tiles.forEach(function (tile, i) {
    const el = document.getElementById("spark-" + i);
    if (!el) return;
    const traces = [{ x: tile.years, y: tile.values, mode: "lines+markers", line: { width: 2 },
      hovertemplate: "%{x}: %{y:.3s} " + tile.unit + "<extra></extra>" }];
    if (tile.why) traces[0].customdata = tile.why;  // a point opens its derivation
    if (tile.target && tile.target.unit !== "year" && tile.target.unit.indexOf("/") < 0) {
      traces.push({ x: [tile.target.year], y: [tile.target.limit], mode: "markers",
        marker: { symbol: "line-ew-open", size: 18, color: colour[tile.target.status] },
        hovertemplate: "%{x}: %{y:.3s} " + tile.target.unit + "<extra></extra>" });
    }
    cc.plot(el, traces, { height: 90, margin: { l: 36, r: 6, t: 4, b: 18 },
      xaxis: { tickfont: { size: 9 } }, yaxis: { tickfont: { size: 9 }, rangemode: "tozero" } });
  });
  Object.keys(d.quadrants).forEach(function (by) {
    const q = d.quadrants[by];
    const el = document.getElementById("quad-" + by);
    if (!el) return;
    cc.plot(el, [{ x: q.x, y: q.y, text: q.labels, mode: "markers+text", textposition: "top center",
      customdata: q.why,  // a point opens the derivation of its row (charts.js)
      marker: { size: 10, color: "#1f6fb2" }, hovertemplate: "%{text}: %{x:.1%}, %{y:.1%}<extra></extra>" }],
      { height: 320, xaxis: { title: { text: d.labels.x }, tickformat: ".0%", zeroline: true },
        yaxis: { title: { text: d.labels.y }, tickformat: ".0%", zeroline: true } });
  });
});
