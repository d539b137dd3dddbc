// Scenario comparison: each scenario's pathway (data from #sc-chart-data, the table's numbers);
// a point opens the scenario's derivation of that year (charts.js, provenance.js).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const cc = window.cocontrol;
  const d = cc.data("sc-chart-data");
  const el = document.getElementById("sc-chart");
  if (!d || !el || typeof window.Plotly === "undefined") return;
  cc.plot(el, d.lines.map(function (l) {
    const t = { type: "scatter", mode: "lines+markers", name: l.scenario, x: l.years, y: l.values,
      hovertemplate: l.scenario + " %{x}: %{y:.4s} " + d.unit + "<extra></extra>" };
    if (l.why) t.customdata = l.why;
    return t;
  }), { height: 320, showlegend: true, legend: { orientation: "h" },
    yaxis: { title: { text: d.species + " (" + d.unit + ")" }, rangemode: "tozero" } });
});
