/* Scans list and scan page: follow scans that are not finished, without reloading the page.
 * Statuses come from the API through the console's read relay; text is set with textContent. */
(function () {
  "use strict";
  var FINAL = ["completed", "completed_with_errors", "failed", "aborted"];
  function when(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", " UTC") : "—"; }
  function follow(env, id, onChange) {
    Calipso.getJSON("/scans?env_name=" + encodeURIComponent(env) + "&id=" + encodeURIComponent(id)).then(function (s) {
      onChange(s);
      if (FINAL.indexOf(s.status) < 0) { setTimeout(function () { follow(env, id, onChange); }, 1500); }
    }).catch(function () { setTimeout(function () { follow(env, id, onChange); }, 5000); });
  }
  document.querySelectorAll("#scans tr[data-scan]").forEach(function (row) {
    var status = row.querySelector('[data-field="status"]');
    if (FINAL.indexOf(status.textContent) >= 0) { return; }
    follow(row.getAttribute("data-env"), row.getAttribute("data-scan"), function (s) {
      status.textContent = s.status;
      status.className = "status status-" + s.status;
      row.querySelector('[data-field="start_timestamp"]').textContent = when(s.start_timestamp);
      row.querySelector('[data-field="end_timestamp"]').textContent = when(s.end_timestamp);
    });
  });
  var view = document.getElementById("scan-view");
  if (view && view.getAttribute("data-final") !== "true") {
    follow(view.getAttribute("data-env"), view.getAttribute("data-scan"), function (s) {
      document.getElementById("scan-status").textContent = s.status;
      if (FINAL.indexOf(s.status) >= 0) { window.location.reload(); }   /* the report is rendered by the server */
    });
  }
})();
