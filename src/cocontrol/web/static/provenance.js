// A number's derivation in a dialog: links a.prov open /web/drill/why?...&part=1 (the server's
// HTML fragment, escaped there) in #prov-dialog; without script the link opens the page.
// cocontrol.openProv(href) opens the same dialog for a derivation address (a chart's point);
// an SVG link a.prov (a map's region) opens it too.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const dlg = document.getElementById("prov-dialog");
  if (!dlg || typeof dlg.showModal !== "function") return;
  const body = document.getElementById("prov-dialog-body");
  const page = document.getElementById("prov-dialog-page");
  document.getElementById("prov-dialog-close").addEventListener("click", function () { dlg.close(); });
  async function open(href) {
    page.href = href;
    page.hidden = false;
    body.textContent = "…";
    if (!dlg.open) dlg.showModal();
    try {
      const r = await fetch(href + (href.includes("?") ? "&" : "?") + "part=true",
        { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!r.ok) throw new Error(String(r.status));
      const doc = new DOMParser().parseFromString(await r.text(), "text/html");
      const sec = doc.querySelector("section.prov");
      body.replaceChildren(...(sec ? [document.importNode(sec, true)] : []));
    } catch (e) {
      body.textContent = e.message;
    }
  }
  (window.cocontrol = window.cocontrol || {}).openProv = open;
  document.addEventListener("click", function (ev) {
    const a = ev.target.closest("a.prov");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    open(typeof a.href === "string" ? a.href : a.href.baseVal);  // an SVG link: its attribute
  });
});
