// Login page: POST /api/auth/login; a one-time password is changed at once (/api/auth/password).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const cc = window.cocontrol;
  const form = document.getElementById("login-form");
  const change = document.getElementById("change-form");
  const error = document.getElementById("login-error");
  let csrf = null;
  let current = null;
  function fail(e) { error.textContent = e.message; error.hidden = false; }
  function go() {
    const next = form.dataset.next || "/web/";
    window.location.href = next.startsWith("/web/") ? next : "/web/";
  }
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    error.hidden = true;
    try {
      current = form.password.value;
      const me = await cc.api("/api/auth/login", { method: "POST",
        body: { username: form.username.value, password: current } });
      csrf = me.csrf_token;
      if (me.must_change_password) { form.hidden = true; change.hidden = false; return; }
      go();
    } catch (e) { fail(e); }
  });
  change.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    error.hidden = true;
    try {
      await cc.api("/api/auth/password", { method: "POST", headers: { "X-CSRF-Token": csrf },
        body: { current_password: current, new_password: change.new_password.value } });
      go();
    } catch (e) { fail(e); }
  });
});
