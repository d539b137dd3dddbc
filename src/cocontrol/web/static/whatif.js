// What-if: every slider move is sent to the server, which recomputes all figures through the
// library (cocontrol.optimize.whatif); this script only shows the numbers it gets back.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const cc = window.cocontrol;
  const d = cc.data("wi-data");
  if (!d) return;
  const W = cc.data("wi-words") || {};
  const table = document.getElementById("wi-table");
  const status = document.getElementById("wi-status");
  const times = [];
  let last = { whatif: d.scenario_figures, scenario_figures: d.scenario_figures, change: null };
  let seq = 0;
  let timer = null;

  function shownYears() {
    return [...document.querySelectorAll("#wi-years input:checked")].map(function (el) { return Number(el.value); });
  }

  // rows of the table: [key, label, getter of a figures object, digits]
  function rows(f) {
    const out = [];
    for (const s of Object.keys(f.emissions)) {
      out.push(["em-" + s, (d.labels[s] || s) + " (" + f.emissions[s].unit + ")",
        function (x) { return x.emissions[s].values; }]);
    }
    if (f.pm25) out.push(["pm25", W.pm25, function (x) { return x.pm25; }]);
    if (f.avoided_deaths) out.push(["deaths", W.deaths, function (x) { return x.avoided_deaths; }]);
    out.push(["co2red", W.co2red, function (x) { return x.co2_reduction_mt; }]);
    out.push(["apeq", W.apeq, function (x) { return x.apeq_reduction; }]);
    out.push(["x_norm", W.x_norm, function (x) { return x.x_norm; }]);
    out.push(["y_norm", W.y_norm, function (x) { return x.y_norm; }]);
    return out;
  }

  function cell(tag, text, cls) {
    const c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    return c;
  }

  function render() {
    const f = last.whatif;
    const ch = last.change;
    const ys = shownYears();
    const head = table.querySelector("thead");
    const body = table.querySelector("tbody");
    head.replaceChildren();
    body.replaceChildren();
    const h1 = document.createElement("tr");
    h1.appendChild(cell("th", W.indicator));
    for (const y of ys) {
      const th = cell("th", String(y), "num");
      th.colSpan = 2;
      th.scope = "colgroup";
      h1.appendChild(th);
    }
    const h2 = document.createElement("tr");
    h2.appendChild(cell("th", ""));
    for (const y of ys) { h2.appendChild(cell("th", W.value, "num")); h2.appendChild(cell("th", W.change, "num")); }
    head.append(h1, h2);
    for (const [key, label, get] of rows(f)) {
      const tr = document.createElement("tr");
      tr.dataset.key = key;
      tr.appendChild(cell("th", label));
      tr.firstChild.scope = "row";
      for (const y of ys) {
        const i = d.years.indexOf(y);
        const v = get(f)[i];
        const td = cell("td", "", "num");
        {  // every figure opens its derivation (scenario, moved measures, settings used)
          const a = document.createElement("a");
          a.className = "num prov";
          a.href = whyHref(key, y, true);
          a.textContent = cc.fmt(v);
          a.setAttribute("aria-label", (W.prov || "") + " " + label + " " + y);
          td.appendChild(a);
        }
        td.dataset.year = String(y); td.dataset.role = "value";
        td.dataset.value = v === null ? "" : String(v);
        const dv = ch ? get(ch) : null;
        const c = dv ? dv[i] : 0;
        const tc = cell("td", (c > 0 ? "+" : "") + cc.fmt(c), "num delta" + (c > 0 ? " up" : c < 0 ? " down" : ""));
        tc.dataset.year = String(y); tc.dataset.role = "change";
        tc.dataset.value = c === null ? "" : String(c);
        tr.append(td, tc);
      }
      body.appendChild(tr);
    }
    const q = document.createElement("tr");
    q.dataset.key = "quadrant";
    q.appendChild(cell("th", W.quadrant));
    q.firstChild.scope = "row";
    for (const y of ys) {
      const td = cell("td", f.quadrant[d.years.indexOf(y)], "num");
      td.colSpan = 2; td.dataset.year = String(y); td.translate = false;
      q.appendChild(td);
    }
    body.appendChild(q);
    charts();
  }

  // the derivation address of a figure (scenario, the moved measures, settings used)
  function whyHref(key, y, withMoved) {
    const mv = withMoved ? Object.entries(moved()).map(function (e) { return e[0] + ":" + e[1]; }).join(",") : "";
    const q = { project_id: String(d.project_id), scenario: d.scenario, year: String(y) };
    if (key.startsWith("em-")) q.species = key.slice(3);
    else q.indicator = key;
    if (mv) q.moved = mv;
    return "/web/drill/scenario-why?" + new URLSearchParams(q).toString();
  }
  function whys(key, withMoved) { return d.years.map(function (y) { return whyHref(key, y, withMoved); }); }

  function charts() {
    if (typeof window.Plotly === "undefined" || !cc.plot) return;
    const s = last.scenario_figures;
    const f = last.whatif;
    cc.plot("wi-chart-co2", [  // a point opens the derivation of its figure (charts.js)
      { x: d.years, y: s.emissions.CO2.values, mode: "lines", name: W.scenario, line: { dash: "dot", color: "#8a94a0" }, customdata: whys("em-CO2", false) },
      { x: d.years, y: f.emissions.CO2.values, mode: "lines+markers", name: W.whatif, line: { color: "#1f6fb2" }, customdata: whys("em-CO2", true) }],
    { height: 300, showlegend: true, legend: { orientation: "h" }, yaxis: { title: { text: "CO2 (Mt)" } } });
    if (f.pm25) {
      cc.plot("wi-chart-pm25", [
        { x: d.years, y: s.pm25, mode: "lines", name: W.scenario, line: { dash: "dot", color: "#8a94a0" }, customdata: whys("pm25", false) },
        { x: d.years, y: f.pm25, mode: "lines+markers", name: W.whatif, line: { color: "#c0392b" }, customdata: whys("pm25", true) }],
      { height: 300, showlegend: true, legend: { orientation: "h" }, yaxis: { title: { text: "µg/m³" } } });
    }
  }

  function moved() {
    const p = {};
    document.querySelectorAll("#wi-slider-list input[type=range]").forEach(function (el) {
      if (Number(el.value) !== Number(el.dataset.initial)) p[el.name] = Number(el.value);
    });
    return p;
  }

  function pct(a, q) {
    const s = [...a].sort(function (x, y) { return x - y; });
    const k = (s.length - 1) * q;
    const lo = Math.floor(k), hi = Math.ceil(k);
    return s[lo] + (s[hi] - s[lo]) * (k - lo);
  }

  async function send() {
    const my = ++seq;
    table.dataset.state = "busy";
    try {
      const r = await cc.api("/api/web/whatif/projects/" + d.project_id + "/move",
        { method: "POST", body: { scenario: d.scenario, penetrations: moved() } });
      if (my !== seq) return;  // a newer move is on its way
      last = r;
      times.push(r.server_ms);
      const ms = document.getElementById("wi-ms");
      ms.textContent = r.server_ms.toFixed(1);
      ms.dataset.value = String(r.server_ms);
      document.getElementById("wi-moves").textContent = String(times.length);
      document.getElementById("wi-p50").textContent = pct(times, 0.5).toFixed(1);
      document.getElementById("wi-p95").textContent = pct(times, 0.95).toFixed(1);
      status.hidden = true;
      render();
      table.dataset.state = "ready";
      table.dataset.seq = String(my);
    } catch (e) {
      if (my !== seq) return;
      status.textContent = e.message;
      status.hidden = false;
      table.dataset.state = "error";
    }
  }

  document.querySelectorAll("#wi-slider-list input[type=range]").forEach(function (el) {
    el.addEventListener("input", function () {
      document.getElementById("out-" + el.name).textContent = Number(el.value).toFixed(2);
      clearTimeout(timer);
      timer = setTimeout(send, 60);
    });
  });
  document.getElementById("wi-reset").addEventListener("click", function () {
    document.querySelectorAll("#wi-slider-list input[type=range]").forEach(function (el) {
      el.value = el.dataset.initial;
      document.getElementById("out-" + el.name).textContent = Number(el.value).toFixed(2);
    });
    send();
  });
  document.querySelectorAll("#wi-years input").forEach(function (el) { el.addEventListener("change", render); });

  const form = document.getElementById("wi-save");
  if (form) form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const out = document.getElementById("wi-save-result");
    out.className = "";
    out.textContent = "…";
    try {
      const r = await cc.api("/api/web/whatif/projects/" + d.project_id + "/save", { method: "POST", body: {
        scenario: d.scenario, penetrations: moved(), version: d.version,
        name: document.getElementById("wi-name").value,
        description: document.getElementById("wi-description").value } });
      out.replaceChildren();
      out.append(W.saved.replace("{name}", r.scenario).replace("{version}", String(r.version)) + " ");
      const a = document.createElement("a");
      a.href = r.href; a.id = "wi-saved-link"; a.textContent = W.open;
      out.appendChild(a);
      out.dataset.version = String(r.version);
    } catch (e) {
      out.className = "error";
      out.textContent = e.message;
    }
  });
  try { render(); } finally { table.dataset.state = "ready"; }
});
