// cocontrol dashboard, data pages: the upload form with its validation report row by row, and
// the job list (status, progress, cancel). Only display: the server validates and computes.
"use strict";
(function () {
  const cc = window.cocontrol;

  function words() { return cc.data("data-words") || {}; }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  async function postForm(url, form) {
    const headers = { Accept: "application/json" };
    if (cc.csrf()) headers["X-CSRF-Token"] = cc.csrf();
    return fetch(url, { method: "POST", body: form, credentials: "same-origin", headers });
  }

  function formData(f) {
    const fd = new FormData();
    for (const file of f.querySelector("#upload-files").files) fd.append("files", file, file.name);
    const msg = f.querySelector("#upload-message").value;
    if (msg) fd.append("message", msg);
    return fd;
  }

  async function errorText(r) {
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    const err = (data && data.error) || {};
    return (document.body.dataset.lang === "zh" && err.message_zh) || err.message || String(r.status);
  }

  function showReport(res) {
    const w = words();
    document.getElementById("upload-result").hidden = false;
    const out = document.getElementById("upload-message-out");
    out.textContent = res.message;
    out.className = res.valid ? "ok" : "error";
    out.dataset.valid = res.valid ? "true" : "false";
    const body = document.querySelector("#upload-report tbody");
    body.replaceChildren();
    for (const r of res.rows) {
      const tr = document.createElement("tr");
      tr.className = "sev-" + r.severity;
      tr.dataset.row = r.row === null ? "" : r.row;
      tr.dataset.column = r.column || "";
      cell(tr, w[r.severity] || r.severity);
      cell(tr, r.file + (r.sheet ? " [" + r.sheet + "]" : "")).translate = false;
      cell(tr, r.row, "num");
      cell(tr, r.column).translate = false;
      cell(tr, r.value).translate = false;
      cell(tr, r.message);
      cell(tr, r.expected);
      cell(tr, r.cell, "cell-own").translate = false;
      cell(tr, r.fix_cell ? r.fix_sheet + "!" + r.fix_cell : "", "cell-fix").translate = false;
      body.appendChild(tr);
    }
    document.getElementById("upload-none").hidden = res.rows.length > 0;
    document.getElementById("fix-workbook").hidden = res.rows.length === 0;
  }

  function initUpload() {
    const f = document.getElementById("upload-form");
    if (!f) return;
    const err = document.getElementById("upload-error");
    const project = function () { return f.querySelector("#upload-project").value; };
    f.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      err.hidden = true;
      const btn = document.getElementById("upload-submit");
      btn.disabled = true;
      const fd = formData(f);
      fd.append("dry_run", f.querySelector("#upload-dry-run").checked ? "true" : "false");
      try {
        const r = await postForm("/api/web/data/projects/" + project() + "/upload", fd);
        if (!r.ok) throw new Error(await errorText(r));
        showReport(await r.json());
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      } finally {
        btn.disabled = false;
      }
    });
    document.getElementById("fix-workbook").addEventListener("click", async function () {
      err.hidden = true;
      try {
        const r = await postForm("/api/web/data/projects/" + project() + "/fix-workbook", formData(f));
        if (!r.ok) throw new Error(await errorText(r));
        const url = URL.createObjectURL(await r.blob());
        const a = document.createElement("a");
        a.href = url;
        a.download = "inputs-fix.xlsx";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }

  // ---------------------------------------------------------------- jobs
  const FINAL = ["succeeded", "failed", "cancelled", "timed_out", "interrupted"];
  let timer = null;

  async function loadJobs() {
    const table = document.getElementById("job-list");
    const w = words();
    const err = document.getElementById("job-error");
    const status = document.getElementById("job-status").value;
    let page;
    try {
      page = await cc.api("/api/jobs?limit=100" + (status ? "&status=" + status : ""));
      err.hidden = true;
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      return;
    }
    const body = table.querySelector("tbody");
    body.replaceChildren();
    const canRun = table.dataset.canRun === "true";
    let running = false;
    for (const j of page.items) {
      const tr = document.createElement("tr");
      tr.dataset.job = j.id;
      tr.dataset.status = j.status;
      cell(tr, (w.kinds && w.kinds[j.kind]) || j.kind);
      const st = cell(tr, (w.status && w.status[j.status]) || j.status);
      st.className = "status status-" + j.status;
      const td = document.createElement("td");
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = j.progress;
      bar.setAttribute("aria-label", ((w.kinds && w.kinds[j.kind]) || j.kind) + " " + Math.round(j.progress * 100) + "%");
      td.appendChild(bar);
      td.appendChild(document.createTextNode(" " + Math.round(j.progress * 100) + " %"));
      tr.appendChild(td);
      const lang = document.body.dataset.lang;
      const msg = j.error ? ((lang === "zh" && j.error.message_zh) || j.error.message) : (j.message || "");
      cell(tr, msg);
      cell(tr, new Date(j.created_at + (j.created_at.endsWith("Z") ? "" : "Z")).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB"));
      const res = document.createElement("td");
      if (j.result_id) {
        const a = document.createElement("a");
        a.href = "/web/data/downloads#" + j.result_id;
        a.textContent = w.download;
        res.appendChild(a);
      }
      tr.appendChild(res);
      const act = document.createElement("td");
      if (canRun && !FINAL.includes(j.status)) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "cancel";
        b.textContent = w.cancel;
        b.addEventListener("click", async function () {
          b.disabled = true;
          try { await cc.api("/api/jobs/" + j.id + "/cancel", { method: "POST" }); } catch (e) {
            err.textContent = e.message;
            err.hidden = false;
          }
          loadJobs();
        });
        act.appendChild(b);
      }
      tr.appendChild(act);
      if (!FINAL.includes(j.status)) running = true;
      body.appendChild(tr);
    }
    document.getElementById("job-empty").hidden = page.items.length > 0;
    table.dataset.loaded = "true";
    clearTimeout(timer);
    if (running) timer = setTimeout(loadJobs, 1500);
  }

  function initJobs() {
    if (!document.getElementById("job-list")) return;
    document.getElementById("job-refresh").addEventListener("click", loadJobs);
    document.getElementById("job-status").addEventListener("change", loadJobs);
    loadJobs();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initUpload();
    initJobs();
  });
})();
