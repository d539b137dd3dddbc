// A number's derivation in a dialog: links a.prov open /web/drill/why?...&part=1 (the server's
// HTML fragment, escaped there) in #prov-dialog; without script the link opens the page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const dlg = document.getElementById("prov-dialog");
  if (!dlg || typeof dlg.showModal !== "function") return;
  const body = document.getElementById("prov-dialog-body");
  const page = document.getElementById("prov-dialog-page");
  document.getElementById("prov-dialog-close").addEventListener("click", function () { dlg.close(); });
  document.addEventListener("click", async function (ev) {
    const a = ev.target.closest("a.prov");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    ev.preventDefault();
    page.href = a.href;
    page.hidden = false;
    body.textContent = "…";
    dlg.showModal();
    try {
      const r = await fetch(a.href + (a.href.includes("?") ? "&" : "?") + "part=true",
        { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!r.ok) throw new Error(String(r.status));
      const doc = new DOMParser().parseFromString(await r.text(), "text/html");
      const sec = doc.querySelector("section.prov");
      body.replaceChildren(...(sec ? [document.importNode(sec, true)] : []));
    } catch (e) {
      body.textContent = e.message;
    }
  });
});
