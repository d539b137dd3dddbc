// cocontrol dashboard: common behaviour of every page (no inline scripts: CSP script-src 'self').
// The language is a cookie (cocontrol_lang) and, logged in, the account's choice; the
// big-screen mode is kept per browser tab.
"use strict";
(function () {
  const cc = (window.cocontrol = window.cocontrol || {});

  cc.csrf = function () {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : null;
  };

  // fetch JSON from the platform; state-changing calls carry the session's CSRF token
  cc.api = async function (url, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
    if (opts.body && typeof opts.body !== "string") {
      opts.body = JSON.stringify(opts.body);
      opts.headers["Content-Type"] = "application/json";
    }
    const method = (opts.method || "GET").toUpperCase();
    if (!["GET", "HEAD"].includes(method) && cc.csrf()) opts.headers["X-CSRF-Token"] = cc.csrf();
    const r = await fetch(url, opts);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      const lang = document.body.dataset.lang;
      const err = (data && data.error) || {};
      const msg = (lang === "zh" && err.message_zh) || err.message || String(r.status);
      const e = new Error(msg);
      e.status = r.status;
      e.data = data;
      throw e;
    }
    return data;
  };

  cc.fmt = function (v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    const d = digits === undefined ? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 2 : 4) : digits;
    return Number(v).toLocaleString(document.body.dataset.lang === "zh" ? "zh-CN" : "en",
      { maximumFractionDigits: d, minimumFractionDigits: 0 });
  };

  cc.data = function (id) {  // JSON data blocks written by the page's template
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };

  // this browser's cookie at once; a logged-in user's choice is also kept with the account
  // (PUT /api/auth/lang), so that it follows the user to another browser at login
  async function setLang(lang) {
    document.cookie = "cocontrol_lang=" + lang + "; path=/; SameSite=Lax; max-age=31536000";
    if (cc.csrf()) {
      try { await cc.api("/api/auth/lang", { method: "PUT", body: { lang: lang } }); }
      catch (e) { /* the cookie is set: this browser switches anyway */ }
    }
    window.location.reload();
  }

  function setBig(on) {
    document.body.classList.toggle("big", on);
    const b = document.getElementById("bigscreen");
    if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
    try { sessionStorage.setItem("cocontrol_big", on ? "1" : "0"); } catch (e) { /* private mode */ }
    window.dispatchEvent(new Event("resize"));  // charts follow the new size
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.lang").forEach(function (b) {
      b.addEventListener("click", function () { setLang(b.dataset.lang); });
    });
    const big = document.getElementById("bigscreen");
    let on = false;
    try { on = sessionStorage.getItem("cocontrol_big") === "1"; } catch (e) { on = false; }
    if (new URLSearchParams(window.location.search).get("screen") === "big") on = true;
    setBig(on);
    if (big) big.addEventListener("click", function () {
      const now = !document.body.classList.contains("big");
      setBig(now);
      if (now && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(function () { /* not allowed */ });
      } else if (!now && document.fullscreenElement) { document.exitFullscreen(); }
    });
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", async function () {
      try { await cc.api("/api/auth/logout", { method: "POST" }); } catch (e) { /* ended anyway */ }
      window.location.href = "/web/login";
    });
  });
})();
