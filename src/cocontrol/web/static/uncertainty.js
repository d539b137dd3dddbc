// Uncertainty page: the job and its stored tables go through analysis.js (cc.analysis); this
// script draws the uncertainty result as stored (no model logic): attainment table, fan
// charts of the quantiles, Sobol and tornado bars.
"use strict";
(function () {
  const cc = window.cocontrol;
  if (!cc || !cc.analysis) return;
  const UW = function () { return cc.data("unc-words") || {}; };
  const hasPlotly = function () { return typeof window.Plotly !== "undefined" && cc.plot; };

  function targetLabel(s) {  // the library's target labels, in the page's language
    const w = UW();
    let m = /^PM2\.5 <= (\S+) ug\/m3 in (\d{4})$/.exec(s);
    if (m) return w.t_pm25.replace("{value}", m[1]).replace("{year}", m[2]);
    m = /^(\S+) peak by (\d{4})$/.exec(s);
    if (m) return w.t_peak.replace("{species}", m[1]).replace("{year}", m[2]);
    if (s === "all targets together") return w.all;
    return s;
  }

  function fan(id, rows, variable, f, unit) {
    const r = rows.filter(function (x) { return x.variable === variable; });
    if (!r.length) return false;
    const x = r.map(function (v) { return v.year; });
    const q = function (k) { return r.map(function (v) { return v[k] * f; }); };
    const w = UW();
    cc.plot(id, [
      { x: x, y: q("q05"), mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      { x: x, y: q("q95"), mode: "lines", fill: "tonexty", fillcolor: "rgba(31,111,178,0.18)", line: { width: 0 }, name: w.band90 },
      { x: x, y: q("q25"), mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      { x: x, y: q("q75"), mode: "lines", fill: "tonexty", fillcolor: "rgba(31,111,178,0.38)", line: { width: 0 }, name: w.band50 },
      { x: x, y: q("q50"), mode: "lines+markers", line: { color: "#14324f", width: 2 }, name: w.median,
        customdata: cc.analysis.whys(r, "q50") }],  // a median point opens its derivation
    { height: 300, showlegend: true, legend: { orientation: "h" }, yaxis: { title: { text: unit } } });
    return true;
  }

  // a shown copy of a stored row keeps where the row is stored (its derivation's address)
  function copy(r, over) {
    const o = Object.assign({}, r, over);
    if (r._ref) Object.defineProperty(o, "_ref", { value: r._ref, enumerable: false });
    return o;
  }

  cc.analysis.pages.uncertainty = {
    tables: ["attainment", "fans", "sobol", "tornado"],
    params: function (v) {
      return { scenario: v.scenario, draws: v.draws, method: v.method, seed: v.seed,
        until: v.until, sobol: v.sobol || 0, lang: document.body.dataset.lang };
    },
    draw: function (t) {
      const w = UW();
      const s = t._result.summary || {};
      const sum = document.getElementById("unc-summary");
      sum.textContent = w.draws + ": " + (s.draws === undefined ? "—" : s.draws) + " · " + w.parameters + ": " +
        (s.parameters === undefined ? "—" : s.parameters) + (s.probability_all === undefined ? "" : " · " + w.prob_all + ": ");
      if (s.probability_all !== undefined) {
        // the summary's figure is the attainment table's last row (all targets together):
        // it opens that cell's derivation
        const rows = t.attainment ? t.attainment.rows : [];
        const ref = rows.length ? rows[rows.length - 1]._ref : null;
        const txt = cc.fmt(100 * s.probability_all, 1) + " %";
        if (ref) {
          const a = document.createElement("a");
          a.className = "num prov";
          a.id = "unc-prob-all";
          a.href = "/web/drill/result-why?" + new URLSearchParams({ result_id: ref.result,
            table: ref.table, row: String(ref.index), column: "probability" }).toString();
          a.textContent = txt;
          a.setAttribute("aria-label", (w.prob_all || "") + " " + txt);
          sum.appendChild(a);
        } else sum.appendChild(document.createTextNode(txt));
      }
      sum.dataset.probabilityAll = s.probability_all === undefined ? "" : String(s.probability_all);
      const att = t.attainment ? t.attainment.rows.map(function (r) {
        return copy(r, { target: targetLabel(r.target) });
      }) : [];
      cc.analysis.fill("table-attainment", att, ["target", "probability", "std_error", "draws"]);
      if (t.attainment) {  // keep the library's target text beside the shown one
        document.querySelectorAll("#table-attainment tbody tr").forEach(function (tr, i) {
          tr.dataset.target = t.attainment.rows[i].target;
        });
      }
      cc.analysis.fill("table-fans", t.fans.rows.map(function (r) {  // a year is a label, not a number
        return copy(r, { year: String(r.year) });
      }), ["variable", "year", "q05", "q25", "q50", "q75", "q95"]);
      const sens = !!(t.sobol && t.tornado);
      document.getElementById("unc-sensitivity").hidden = !sens;
      document.getElementById("unc-no-sobol").hidden = sens;
      cc.analysis.fill("table-sobol", sens ? t.sobol.rows : [], ["factor", "S1", "S1_conf", "ST", "ST_conf"]);
      cc.analysis.fill("table-tornado", sens ? t.tornado.rows : [], ["factor", "low", "central", "high", "swing"]);
      if (!hasPlotly()) return;
      fan("chart-fan-co2", t.fans.rows, "CO2", 1e-6, "CO2 (" + w.co2_unit + ")");
      fan("chart-fan-pm25", t.fans.rows, "PM2.5 concentration", 1, "PM2.5 (" + w.pm_unit + ")");
      if (!sens) return;
      const so = t.sobol.rows.filter(function (r) { return r.ST > 0 || r.S1 !== 0; })
        .sort(function (a, b) { return a.ST - b.ST; }).slice(-12);
      cc.plot("chart-sobol", [
        { type: "bar", orientation: "h", name: w.S1, y: so.map(function (r) { return r.factor; }), x: so.map(function (r) { return r.S1; }), customdata: cc.analysis.whys(so, "S1") },
        { type: "bar", orientation: "h", name: w.ST, y: so.map(function (r) { return r.factor; }), x: so.map(function (r) { return r.ST; }), customdata: cc.analysis.whys(so, "ST") }],
      { height: 320, barmode: "group", showlegend: true, legend: { orientation: "h" }, margin: { l: 110, r: 10, t: 10, b: 40 } });
      const to = t.tornado.rows.slice().sort(function (a, b) { return a.swing - b.swing; }).slice(-12);
      const c = to.length ? to[0].central : 0;
      cc.plot("chart-tornado", [
        { type: "bar", orientation: "h", name: w.low, y: to.map(function (r) { return r.factor; }), x: to.map(function (r) { return r.low - c; }), base: c, customdata: cc.analysis.whys(to, "low") },
        { type: "bar", orientation: "h", name: w.high, y: to.map(function (r) { return r.factor; }), x: to.map(function (r) { return r.high - c; }), base: c, customdata: cc.analysis.whys(to, "high") }],
      { height: 320, barmode: "overlay", showlegend: true, legend: { orientation: "h" }, margin: { l: 110, r: 10, t: 10, b: 40 } });
    },
  };
})();
