// Screening page (enterprise area): the form's fields as the API's ScreeningIn body, posted
// to the server, which runs the library's screening and answers the rendered result; the
// report is the API's download. No model logic here: only reading fields and showing HTML.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const cc = window.cocontrol;
  const form = document.getElementById("screening-form");
  if (!form || !cc) return;
  const val = (id) => document.getElementById(id).value.trim();
  const num = (id) => { const v = val(id); return v === "" ? null : Number(v); };

  function body() {
    const activities = [];
    document.querySelectorAll("#scr-activities tbody tr").forEach(function (tr) {
      const i = tr.dataset.row;
      const code = val("scr-act-code-" + i);
      if (!code) return;
      const a = { value: num("scr-act-value-" + i), unit: val("scr-act-unit-" + i) };
      a[val("scr-act-kind-" + i)] = code;
      activities.push(a);
    });
    const caps = [];
    document.querySelectorAll("#scr-caps tbody tr").forEach(function (tr) {
      const i = tr.dataset.row;
      const sp = val("scr-cap-species-" + i);
      if (!sp) return;
      caps.push({ species: sp, year: num("scr-cap-year-" + i), max: num("scr-cap-max-" + i),
        unit: val("scr-cap-unit-" + i), region: val("scr-cap-region-" + i) || null });
    });
    const plant = { id: val("scr-id"), name: val("scr-name"), region_parent: val("scr-region"),
      sector: val("scr-sector"), year: num("scr-year"), activities: activities, controls: [] };
    if (val("scr-ctl")) plant.controls.push({ technology: val("scr-ctl"), share: num("scr-ctl-share") });
    if (num("scr-output") !== null) { plant.output = num("scr-output"); plant.output_unit = val("scr-output-unit"); }
    if (val("scr-benchmark")) plant.benchmark = val("scr-benchmark");
    return { project_version_id: num("scr-version"), plant: plant, caps: caps };
  }

  const err = document.getElementById("scr-error");
  const out = document.getElementById("scr-result");
  const report = document.getElementById("scr-report");
  function fail(e) {
    err.textContent = e.message;
    const probs = (e.data && e.data.error && e.data.error.problems) || [];
    const zh = document.body.dataset.lang === "zh";
    probs.forEach(function (p) {
      const li = document.createElement("div");
      li.textContent = (zh && p.text_zh) || [p.column, p.message, p.expected].filter(Boolean).join(": ");
      err.appendChild(li);
    });
    err.hidden = false;
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    err.hidden = true;
    out.setAttribute("aria-busy", "true");
    try {
      const r = await cc.api("/api/web/enterprise/screening", { method: "POST", body: body() });
      out.innerHTML = r.html;
      out.dataset.verdict = r.result.verdict;
      report.disabled = false;
    } catch (e) { fail(e); } finally { out.removeAttribute("aria-busy"); }
  });

  // a number's derivation, rendered by the server with the result (a <template> beside the
  // number), shown in #prov-dialog
  out.addEventListener("click", function (ev) {
    const a = ev.target.closest("a.why");
    const dlg = document.getElementById("prov-dialog");
    if (!a || !dlg || typeof dlg.showModal !== "function") return;
    ev.preventDefault();
    const tpl = document.getElementById(a.dataset.why);
    const sec = tpl && tpl.content.querySelector("section.prov");
    document.getElementById("prov-dialog-body").replaceChildren(
      ...(sec ? [document.importNode(sec, true)] : []));
    document.getElementById("prov-dialog-page").hidden = true;
    dlg.showModal();
  });
  const close = document.getElementById("prov-dialog-close");
  if (close) close.addEventListener("click", function () { document.getElementById("prov-dialog").close(); });

  report.addEventListener("click", async function () {
    err.hidden = true;
    const lang = document.body.dataset.lang === "zh" ? "zh" : "en";
    const r = await fetch("/api/enterprise/screening/report?lang=" + lang, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": cc.csrf() || "" },
      body: JSON.stringify(body()) });
    if (!r.ok) { fail(new Error(String(r.status))); return; }
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = "screening-" + val("scr-id") + "-" + lang + ".html";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  });
});
