/* Clique type form: preview what the type as typed would draw for one focal object (the API walks the
 * stored links; nothing is saved). Text from the inventory is set with textContent only. */
(function () {
  "use strict";
  var form = document.getElementById("entry-form"), run = document.getElementById("preview-run");
  if (!form || !run) { return; }
  var envSelect = document.getElementById("preview-env");
  form.elements.environment.addEventListener("change", function () {   /* preview where the type applies */
    var v = form.elements.environment.value;
    if (v && v !== "ANY") { envSelect.value = v; }
  });
  function li(list, text) { var el = document.createElement("li"); el.textContent = text; list.appendChild(el); }
  run.addEventListener("click", function () {
    var types = Array.prototype.map.call(form.querySelectorAll('select[name="link_types"]'), function (s) { return s.value; })
      .filter(function (v) { return v; });
    var body = {env_name: document.getElementById("preview-env").value, focal_point: document.getElementById("preview-focal").value.trim(),
                link_types: types, use_implicit_links: !!(form.elements.use_implicit_links && form.elements.use_implicit_links.checked)};
    var fpt = form.elements.focal_point_type.value;
    if (fpt) { body.focal_point_type = fpt; }
    var summary = document.getElementById("preview-summary"), nodes = document.getElementById("preview-nodes"),
        links = document.getElementById("preview-links");
    summary.textContent = "Walking the stored links…"; nodes.textContent = ""; links.textContent = "";
    fetch("/clique-type-preview", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": Calipso.csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, b: b}; }); })
      .then(function (r) {
        if (!r.ok) { summary.textContent = "No preview: " + ((r.b.error && r.b.error.message) || "refused"); return; }
        summary.textContent = r.b.nodes.length + " objects, " + r.b.links.length + " links" + (r.b.truncated ? " (cut short)" : "");
        summary.setAttribute("data-nodes", r.b.nodes.length);
        var names = {};
        r.b.nodes.forEach(function (n) { names[n.id] = n.name; li(nodes, n.type + " " + n.name); });
        r.b.links.forEach(function (l) {
          li(links, l.link_type + ": " + (names[l.source_id] || l.source_id) + " → " + (names[l.target_id] || l.target_id));
        });
      }).catch(function () { summary.textContent = "The console did not answer."; });
  });
})();
