// cocontrol dashboard, analysis pages: submit a background job, show its progress, then draw
// the stored result tables as they are (no model logic here: every number is the library's).
"use strict";
(function () {
  const cc = window.cocontrol;
  const W = function () { return cc.data("an-words") || {}; };
  const COLS = function () { return cc.data("an-cols") || {}; };
  const hasPlotly = function () { return typeof window.Plotly !== "undefined" && cc.plot; };

  function label(col) { return COLS()[col] || col; }

  // the derivation address of a stored row's number (the server builds it from the result)
  function whyHref(r, col) {
    const ref = r && r._ref;
    return ref ? "/web/drill/result-why?" + new URLSearchParams({ result_id: ref.result,
      table: ref.table, row: String(ref.index), column: col }).toString() : null;
  }
  // a chart's points open the derivation of the number they show (charts.js: customdata)
  function whys(rows, col) { return rows.map(function (r) { return whyHref(r, col); }); }

  // a table of rows: columns given, numbers formatted, the raw number kept in data-value
  function fill(id, rows, columns) {
    const t = document.getElementById(id);
    if (!t) return;
    const head = t.querySelector("thead");
    const body = t.querySelector("tbody");
    head.replaceChildren();
    body.replaceChildren();
    const tr = document.createElement("tr");
    for (const c of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label(c);
      if (!COLS()[c]) th.translate = false;
      tr.appendChild(th);
    }
    head.appendChild(tr);
    for (const r of rows) {
      const row = document.createElement("tr");
      for (const c of columns) {
        const td = document.createElement("td");
        const v = r[c];
        td.dataset.col = c;
        if (typeof v === "number") {
          td.className = "num";
          td.dataset.value = String(v);
          const ref = r._ref;
          if (ref) {  // the number's derivation (the server builds it from the stored result)
            const a = document.createElement("a");
            a.className = "num prov";
            a.href = whyHref(r, c);
            a.textContent = cc.fmt(v);
            a.setAttribute("aria-label", (W().prov || "") + " " + label(c));
            td.appendChild(a);
          } else if (r._why) {  // a derivation the server rendered with the rows (not stored)
            const a = document.createElement("a");
            a.className = "num why";
            a.href = "#prov-dialog";
            a.textContent = cc.fmt(v);
            a.setAttribute("aria-label", (W().prov || "") + " " + label(c));
            a.addEventListener("click", function (ev) { ev.preventDefault(); showWhy(r._why, c); });
            td.appendChild(a);
          } else td.textContent = cc.fmt(v);
        } else {
          td.textContent = v === null || v === undefined ? "—" : String(v);
          if (v === null || v === undefined) td.className = "missing";
          else td.translate = false;
        }
        row.appendChild(td);
      }
      body.appendChild(row);
    }
    t.dataset.rows = String(rows.length);
  }

  // show a server-rendered derivation fragment (section.prov) in #prov-dialog, the clicked
  // column's rows marked
  function showWhy(html, col) {
    const dlg = document.getElementById("prov-dialog");
    if (!dlg || typeof dlg.showModal !== "function") return;
    const sec = new DOMParser().parseFromString(html, "text/html").querySelector("section.prov");
    const body = document.getElementById("prov-dialog-body");
    body.replaceChildren(...(sec ? [document.importNode(sec, true)] : []));
    body.querySelectorAll("tr[data-col]").forEach(function (tr) { tr.classList.toggle("hit", tr.dataset.col === col); });
    document.getElementById("prov-dialog-page").hidden = true;
    dlg.showModal();
  }

  async function tables(resultId, names) {
    const out = {};
    const info = await cc.api("/api/results/" + resultId);
    const have = new Set(info.tables.map(function (t) { return t.name; }));
    for (const n of names) {
      if (!have.has(n)) { out[n] = null; continue; }
      const page = await cc.api("/api/results/" + resultId + "/tables/" + n + "?limit=10000");
      page.rows.forEach(function (r, i) {  // where each row is stored: its derivation's address
        Object.defineProperty(r, "_ref", { value: { result: resultId, table: n, index: i }, enumerable: false });
      });
      out[n] = { rows: page.rows, columns: page.columns };
    }
    out._result = info;
    return out;
  }

  // ---------------------------------------------------------------- jobs
  function showError(msg) {
    const e = document.getElementById("run-error");
    e.textContent = msg;
    e.hidden = !msg;
  }

  async function runJob(kind, body) {
    const box = document.getElementById("job-box");
    const bar = document.getElementById("job-progress");
    const pct = document.getElementById("job-percent");
    const msg = document.getElementById("job-message");
    const cancel = document.getElementById("job-cancel");
    box.hidden = false;
    box.dataset.status = "queued";
    let job = await cc.api("/api/jobs/" + kind, { method: "POST", body: body });
    cancel.hidden = false;
    cancel.onclick = async function () {
      cancel.disabled = true;
      try { await cc.api("/api/jobs/" + job.id + "/cancel", { method: "POST" }); } catch (e) { showError(e.message); }
    };
    const lang = document.body.dataset.lang;
    for (;;) {
      bar.value = job.progress;
      pct.textContent = Math.round(job.progress * 100) + " %";
      msg.textContent = (lang === "zh" && job.message_zh) || job.message || "";
      box.dataset.status = job.status;
      if (["succeeded", "failed", "cancelled", "timed_out", "interrupted"].includes(job.status)) break;
      await new Promise(function (r) { setTimeout(r, 500); });
      job = await cc.api("/api/jobs/" + job.id);
    }
    cancel.hidden = true;
    cancel.disabled = false;
    if (job.status !== "succeeded") {
      const err = job.error ? ((lang === "zh" && job.error.message_zh) || job.error.message) : "";
      const probs = job.error && job.error.problems ? job.error.problems.map(function (p) {
        return p.file + (p.row ? " " + p.row : "") + (p.column ? " " + p.column : "") + ": " + p.message;
      }).join("; ") : "";
      throw new Error((W()[job.status] || job.status) + (err ? ": " + err : "") + (probs ? " (" + probs + ")" : ""));
    }
    msg.textContent = W().done;
    return job.result_id;
  }

  function formValues(f) {
    const v = {};
    f.querySelectorAll("input, select").forEach(function (el) {
      if (!el.name || el.type === "file") return;
      if (el.type === "checkbox") {
        (v[el.name] = v[el.name] || []);
        if (el.checked) v[el.name].push(el.value);
        return;
      }
      if (el.value === "") return;
      v[el.name] = el.type === "number" ? Number(el.value) : el.value;
    });
    return v;
  }

  // ---------------------------------------------------------------- pages
  const PAGES = {};

  PAGES.measures = {
    tables: ["metrics", "mac_co2", "mac_apeq", "ranking"],
    params: function (v) { return { scenario: v.scenario, year: v.year, lang: W().lang }; },
    draw: function (t) {
      const pol = document.getElementById("pollutant");
      const metrics = t.metrics.rows;
      const pols = [...new Set(metrics.map(function (r) { return r.pollutant; }))];
      if (!pol.options.length) {
        for (const p of pols) {
          const o = document.createElement("option");
          o.value = p; o.textContent = p; o.translate = false;
          if (p === "APeq") o.selected = true;
          pol.appendChild(o);
        }
      }
      const target = document.getElementById("mac-target");
      const redraw = function () {
        const rows = metrics.filter(function (r) { return r.pollutant === pol.value; });
        fill("table-coords", rows, ["measure", "pollutant", "P_reduction", "CO2_reduction_t",
          "x_norm", "y_norm", "quadrant_label", "els"]);
        const mac = t[target.value].rows;
        const red = target.value === "mac_co2" ? "CO2_reduction_t" : "APeq_reduction";
        fill("table-mac", mac, ["measure", "on_curve", "unit_cost", "unit_cost_unit", red,
          "cum_start", "cum_end", "co_benefit", "cost_yuan"]);
        if (!hasPlotly()) return;
        cc.plot("chart-coords", [{
          type: "scatter", mode: "markers+text", x: rows.map(function (r) { return r.x_norm; }),
          y: rows.map(function (r) { return r.y_norm; }), text: rows.map(function (r) { return r.measure; }),
          customdata: whys(rows, "y_norm"), textposition: "top center", marker: { size: 9 } }],
        { xaxis: { title: { text: label("x_norm") }, zeroline: true }, yaxis: { title: { text: label("y_norm") }, zeroline: true },
          margin: { l: 60, r: 10, t: 10, b: 50 } });
        const on = mac.filter(function (r) { return r.on_curve; });
        cc.plot("chart-mac", [{
          type: "bar", x: on.map(function (r) { return (r.cum_start + r.cum_end) / 2; }),
          width: on.map(function (r) { return r.cum_end - r.cum_start; }),
          y: on.map(function (r) { return r.unit_cost; }), text: on.map(function (r) { return r.measure; }),
          customdata: whys(on, "unit_cost"), hovertemplate: "%{text}: %{y}<extra></extra>" }],
        { xaxis: { title: { text: W().cum_reduction } }, yaxis: { title: { text: W().unit_cost + (on.length ? " (" + on[0].unit_cost_unit + ")" : "") } },
          bargap: 0, margin: { l: 70, r: 10, t: 10, b: 50 } });
      };
      pol.onchange = redraw;
      target.onchange = redraw;
      redraw();
      fill("table-ranking", t.ranking.rows, ["overall_rank", "measure", "quadrant_label",
        "CO2_reduction_t", "APeq_reduction", "yuan_per_t_CO2", "yuan_per_APeq", "yuan_per_cocontrol_eq"]);
    },
  };

  PAGES.optimise = {
    tables: ["summary", "portfolio", "costs", "pareto", "infeasibility"],
    params: function (v) {
      const p = { objective: v.objective, pareto: v.pareto || 0, lang: W().lang };
      for (const k of ["pm25_target", "target_year", "co2_peak_by", "time_limit"]) if (v[k] !== undefined) p[k] = v[k];
      return p;
    },
    draw: function (t) {
      const s = t._result.summary || {};
      const st = document.getElementById("opt-status");
      st.dataset.feasible = s.feasible ? "true" : "false";
      st.replaceChildren();
      const h = document.createElement("p");
      h.className = s.feasible ? "ok" : "error";
      h.textContent = s.feasible ? W().feasible : W().infeasible;
      st.appendChild(h);
      const zh = W().lang === "zh";
      if (s.feasible && s.cost_pv_yuan !== undefined) {  // (an infeasible run's plan is the relaxed one)
        const c = document.createElement("p");
        c.innerHTML = "";
        c.append(W().cost_pv + ": ");
        const b = document.createElement("strong");
        b.id = "opt-cost";
        b.dataset.value = String(s.cost_pv_yuan);
        b.textContent = cc.fmt(s.cost_pv_yuan);
        c.appendChild(b);
        c.append(" " + W().yuan);
        st.appendChild(c);
      }
      if (s.infeasible) {
        const p = document.createElement("p");
        p.id = "opt-why";
        p.textContent = (zh && s.infeasible_zh) || s.infeasible;
        st.appendChild(p);
      }
      const notes = document.getElementById("opt-notes");
      notes.replaceChildren();
      for (const n of (zh && s.notes_zh) || s.notes || []) { const li = document.createElement("li"); li.textContent = n; notes.appendChild(li); }
      const inf = document.getElementById("table-infeasibility");
      inf.hidden = !t.infeasibility;
      if (t.infeasibility) fill("table-infeasibility", t.infeasibility.rows, t.infeasibility.columns);
      for (const n of ["portfolio", "summary", "pareto", "costs"]) {
        const el = document.getElementById("table-" + n);
        el.hidden = !t[n];
        if (t[n]) fill("table-" + n, t[n].rows, t[n].columns);
      }
      if (!hasPlotly()) return;
      if (t.pareto && t.pareto.rows.length) {
        const rows = t.pareto.rows;
        cc.plot("chart-pareto", [{ type: "scatter", mode: "lines+markers",
          x: rows.map(function (r) { return r.pm25_ugm3; }), y: rows.map(function (r) { return r.cost_pv_yuan !== undefined ? r.cost_pv_yuan : r.co2_t; }),
          customdata: whys(rows, rows[0].cost_pv_yuan !== undefined ? "cost_pv_yuan" : "co2_t") }],
        { xaxis: { title: { text: label("pm25_ugm3") } }, yaxis: { title: { text: label(rows[0].cost_pv_yuan !== undefined ? "cost_pv_yuan" : "co2_t") } } });
      }
      if (t.costs && t.costs.rows.length) {
        // each measure's net annual cost by year as stored: one bar per stored row (no sums
        // here), which opens that row's derivation
        const by = {};
        for (const r of t.costs.rows) {
          const k = r.measure + (r.region && r.region !== "(all)" ? " · " + r.region : "");
          (by[k] = by[k] || []).push(r);
        }
        cc.plot("chart-cost", Object.keys(by).map(function (k) {
          return { type: "bar", name: k, x: by[k].map(function (r) { return r.year; }),
            y: by[k].map(function (r) { return r.cost_yuan; }), customdata: whys(by[k], "cost_yuan") };
        }), { barmode: "relative", showlegend: true, legend: { orientation: "h" },
          yaxis: { title: { text: label("cost_yuan") } } });
      }
    },
  };

  PAGES.cge = {
    tables: ["ranking", "matrix"],
    body: function (v) { return { params: { instruments: v.instruments, method: v.method, weights: v.weights, lang: W().lang } }; },
    draw: function (t) {
      fill("table-ranking", t.ranking.rows, t.ranking.columns);
      fill("table-matrix", t.matrix.rows, t.matrix.columns);
      if (!hasPlotly()) return;
      const rows = t.ranking.rows.slice(0, 20);
      const first = t.ranking.columns[0];
      cc.plot("chart-ranking", [{ type: "bar", orientation: "h", y: rows.map(function (r) { return r[first]; }).reverse(),
        x: rows.map(function (r) { return r.score; }).reverse(), customdata: whys(rows, "score").reverse() }], { margin: { l: 160, r: 10, t: 10, b: 40 },
        xaxis: { title: { text: W().score } } });
    },
  };

  PAGES.evaluation = {
    tables: ["scores", "level2_scores", "contributions"],
    body: async function (v, f) {
      const file = f.querySelector("#run-values").files[0];
      const fd = new FormData();
      fd.append("file", file, file.name);
      const headers = { Accept: "application/json" };
      if (cc.csrf()) headers["X-CSRF-Token"] = cc.csrf();
      const r = await fetch("/api/web/analysis/evaluation/values", { method: "POST", body: fd, credentials: "same-origin", headers });
      const data = await r.json();
      if (!r.ok) {
        const e = data.error || {};
        throw new Error((W().lang === "zh" && e.message_zh) || e.message || String(r.status));
      }
      const values = data.rows.map(function (row) {
        const o = {};
        for (const k in row) if (!["name_en", "name_zh", "group", "source"].includes(k)) o[k] = row[k];
        return o;
      });
      return { params: { system: v.system, values: values, weighting: v.weighting, lang: W().lang } };
    },
    draw: function (t) {
      const years = [...new Set(t.scores.rows.map(function (r) { return r.year; }))].sort();
      const sel = document.getElementById("eval-year");
      if (!sel.options.length) for (const y of years) {
        const o = document.createElement("option"); o.value = y; o.textContent = y; sel.appendChild(o);
      }
      sel.value = String(years[years.length - 1]);
      const redraw = function () {
        const y = Number(sel.value);
        const sc = t.scores.rows.filter(function (r) { return r.year === y; }).sort(function (a, b) {  // not ranked (missing score) last
          if (a.rank === null || b.rank === null) return (a.rank === null) - (b.rank === null);
          return a.rank - b.rank;
        });
        fill("table-scores", sc, t.scores.columns);
        const con = t.contributions.rows.filter(function (r) { return r.year === y; });
        fill("table-contributions", con, t.contributions.columns);
        if (!hasPlotly()) return;
        const l2 = t.level2_scores.rows.filter(function (r) { return r.year === y; });
        const axes = t.level2_scores.columns.filter(function (c) { return c !== "unit" && c !== "year"; });
        const top = sc.slice(0, 5).map(function (r) { return r.unit; });
        cc.plot("chart-radar", top.map(function (u) {
          const r = l2.find(function (x) { return x.unit === u; }) || {};
          return { type: "scatterpolar", name: u, r: axes.map(function (a) { return r[a]; }).concat([r[axes[0]]]),
            theta: axes.concat([axes[0]]), fill: "toself", opacity: 0.5,
            customdata: axes.concat([axes[0]]).map(function (a) { return whyHref(r, a); }) };
        }), { polar: { radialaxis: { range: [0, 100] } }, showlegend: true });
        const inds = t.contributions.columns.filter(function (c) { return c !== "unit" && c !== "year"; });
        cc.plot("chart-contrib", inds.map(function (i) {
          return { type: "bar", name: i, x: sc.map(function (r) { return r.unit; }),
            y: sc.map(function (r) { const c = con.find(function (x) { return x.unit === r.unit; }); return c ? c[i] : null; }),
            customdata: sc.map(function (r) { return whyHref(con.find(function (x) { return x.unit === r.unit; }), i); }) };
        }), { barmode: "stack", yaxis: { title: { text: W().score } } });
      };
      sel.onchange = redraw;
      redraw();
    },
  };

  // other job pages (uncertainty.js) add their entry to PAGES before the page is set up
  cc.analysis = { pages: PAGES, fill: fill, label: label, whys: whys };

  async function openResult(kind, resultId) {
    const page = PAGES[kind];
    const t = await tables(resultId, page.tables);
    document.getElementById("result").hidden = false;
    page.draw(t);
    document.getElementById("result").dataset.result = resultId;
  }

  function initJobPage() {
    const f = document.getElementById("run-form");
    if (!f) return;
    const kind = f.dataset.kind;
    const page = PAGES[kind];
    f.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      showError("");
      const btn = document.getElementById("run-submit");
      btn.disabled = true;
      try {
        const v = formValues(f);
        let body;
        if (page.body) body = await page.body(v, f);
        else {
          if (!v.project_version_id) throw new Error(W().no_version);
          body = { project_version_id: Number(v.project_version_id), params: page.params(v) };
        }
        const rid = await runJob(kind, body);
        await openResult(kind, rid);
      } catch (e) {
        showError(e.message);
      } finally {
        btn.disabled = false;
      }
    });
    const prev = document.getElementById("open-previous");
    if (prev) prev.addEventListener("click", async function () {
      showError("");
      try { await openResult(kind, document.getElementById("previous").value); } catch (e) { showError(e.message); }
    });
  }

  // ---------------------------------------------------------------- decoupling and LMDI
  function initDecoupling() {
    const f = document.getElementById("dec-form");
    if (!f) return;
    const method = document.getElementById("dec-method");
    method.addEventListener("change", function () {
      document.getElementById("dec-tapio").hidden = method.value !== "tapio";
      document.getElementById("dec-lmdi").hidden = method.value === "tapio";
    });
    f.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      showError("");
      const fd = new FormData();
      const file = document.getElementById("dec-file").files[0];
      fd.append("file", file, file.name);
      f.querySelectorAll("input[type=text], select").forEach(function (el) { fd.append(el.name, el.value); });
      const headers = { Accept: "application/json" };
      if (cc.csrf()) headers["X-CSRF-Token"] = cc.csrf();
      try {
        const r = await fetch("/api/web/analysis/decoupling", { method: "POST", body: fd, credentials: "same-origin", headers });
        const data = await r.json();
        if (!r.ok) {
          const e = data.error || {};
          const probs = (e.problems || []).map(function (p) { return (p.column ? p.column + ": " : "") + p.message; }).join("; ");
          throw new Error(((W().lang === "zh" && e.message_zh) || e.message || String(r.status)) + (probs ? " (" + probs + ")" : ""));
        }
        document.getElementById("result").hidden = false;
        (data.why || []).forEach(function (h, i) {
          Object.defineProperty(data.rows[i], "_why", { value: h, enumerable: false });
        });
        fill("table-dec", data.rows, data.columns);
        document.getElementById("result").dataset.method = data.method;
        if (!hasPlotly()) return;
        if (data.method === "tapio") {
          const groups = {};
          for (const row of data.rows) (groups[row.region] = groups[row.region] || []).push(row);
          cc.plot("chart-dec", Object.keys(groups).map(function (g) {
            return { type: "scatter", mode: "lines+markers", name: g,
              x: groups[g].map(function (r) { return r.base_year + "–" + r.end_year; }),
              y: groups[g].map(function (r) { return r.elasticity; }) };
          }), { yaxis: { title: { text: W().elasticity } }, showlegend: true });
        } else {
          const groups = {};
          for (const row of data.long) (groups[row.label] = groups[row.label] || []).push(row);
          cc.plot("chart-dec", Object.keys(groups).map(function (g) {
            return { type: "bar", name: g, x: groups[g].map(function (r) { return r.region + " " + r.start + "–" + r.end; }),
              y: groups[g].map(function (r) { return r.effect; }) };
          }), { barmode: "relative", yaxis: { title: { text: W().effect } }, showlegend: true });
        }
      } catch (e) {
        showError(e.message);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initJobPage();
    initDecoupling();
  });
})();
