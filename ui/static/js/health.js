/* Health counts that follow live updates: the health page's table and the dashboard's per-environment
 * counts are re-read when the console's event stream says an environment changed.
 * The health page is re-rendered by the console (autoescaped) and its table swapped in as parsed nodes. */
(function () {
  "use strict";
  var pending = null;
  function soon(job) { clearTimeout(pending); pending = setTimeout(job, 400); }

  function refreshPage() {
    var body = document.getElementById("health-body");
    fetch(window.location.pathname + window.location.search, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("health-body"), summary = doc.getElementById("health-summary");
        if (fresh) { body.replaceWith(document.adoptNode(fresh)); }
        var old = document.getElementById("health-summary");
        if (summary && old) { old.replaceWith(document.adoptNode(summary)); }
        document.dispatchEvent(new CustomEvent("calipso:health-refreshed"));
      })
      .catch(function () { /* the banner reports an unreachable API; the table stays as it was */ });
  }

  function refreshCounts() {
    Calipso.getJSON("/problems?limit=1").then(function (p) {
      Object.keys(p.counts || {}).forEach(function (env) {
        document.querySelectorAll('[data-health-for="' + CSS.escape(env) + '"]').forEach(function (el) {
          var s = el.getAttribute("data-health-status");
          el.textContent = String(p.counts[env][s] || 0);
        });
      });
      ["Error", "Warning"].forEach(function (s) {
        document.querySelectorAll('[data-health-total="' + s + '"]').forEach(function (el) { el.textContent = String(p.total[s] || 0); });
      });
    }).catch(function () {});
  }

  var onHealthPage = !!document.getElementById("health-body");
  if (document.querySelector("[data-health-total], [data-health-for]") && window.Calipso) { refreshCounts(); }
  document.addEventListener("calipso:change", function () {
    soon(function () { if (onHealthPage) { refreshPage(); } refreshCounts(); });
  });
})();
