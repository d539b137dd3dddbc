// One map and drill-down: a changed layer / species / year select shows the page again (a GET
// form, no state change). The map itself is server-side SVG whose regions are links.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.autosubmit").forEach(function (s) {
    s.addEventListener("change", function () { if (s.form) s.form.requestSubmit(); });
  });
});
