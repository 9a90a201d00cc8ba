/* Calipso graph: overlays on the drawn clique, each with its list beside the graph.
 *
 * "Path to…": pick a second object (search box), the API's /path is highlighted on the graph and
 * listed hop by hop (hops outside this clique are listed as such). "Changes since…": the API's
 * /diff from a chosen time; added objects get a green outline, changed ones a yellow one, removed
 * links come back as ghosts. Every text goes in with textContent.
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});

  function api(panel, path, params) {
    var base = panel.cfg.apiBase || "/ui-api";
    var q = Object.keys(params).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); });
    return fetch(base + path + "?" + q.join("&"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) throw new Error((body.error && body.error.message) || ("the server answered " + r.status));
          return body;
        });
      });
  }

  function side(panel, title) {
    var box = panel.q(".cg-side");
    box.textContent = "";
    box.hidden = false;
    var head = NS.text("div", "cg-side-head");
    head.appendChild(NS.text("strong", null, title));
    var close = NS.text("button", "cg-btn cg-side-close", "Clear");
    close.type = "button";
    close.addEventListener("click", function () { NS.clearOverlays(panel); });
    head.appendChild(close);
    box.appendChild(head);
    return box;
  }

  NS.clearOverlays = function (panel) {
    if (panel.cy) {
      panel.cy.batch(function () {
        panel.cy.elements().removeClass("on-path dimmed added changed removed");
        panel.cy.elements(".ghost").remove();
      });
    }
    var box = panel.q(".cg-side");
    box.hidden = true;
    box.textContent = "";
    panel.root.dataset.overlay = "";
    panel.q(".cg-since").value = "";
  };

  function nodeLine(n) {
    return (n.type || "") + " " + (n.name || n.object_id || "") + (n.host ? " on " + n.host : "") +
      (n.status ? " [" + n.status + "]" : "");
  }

  // -- path ----------------------------------------------------------------------------------------
  NS.showPath = function (panel, targetId) {
    panel.q(".cg-since").value = "";
    var env = panel.root.dataset.environment, source = (panel.data.focal_point || {}).object_id;
    panel.q(".cg-path-status").textContent = "Finding the path…";
    return api(panel, "/path", { env_name: env, source: source, target: targetId }).then(function (p) {
      NS.clearOverlays(panel);
      panel.q(".cg-path-status").textContent = "";
      var box = side(panel, p.found ? "Path: " + p.hops.length + " hops" : "No path");
      panel.root.dataset.overlay = "path";
      if (!p.found) {
        box.appendChild(NS.text("p", "cg-path-reason", p.reason || "The two objects are not joined by links (or by a host holding them)."));
        ["From " + p.source.name, "From " + p.target.name].forEach(function (label, i) {
          var s = p.stops[i];
          box.appendChild(NS.text("p", null, label + ": " + s.reached + " objects reached; it stops at " +
            (s.farthest.map(nodeLine).join(", ") || "itself (no links)") + "."));
        });
        return p;
      }
      box.appendChild(NS.text("p", "cg-path-worst", "Worst status on the path: " + (p.worst_status || "none (not monitored)")));
      var list = NS.text("ol", "cg-hops");
      var onGraph = 0;
      p.nodes.forEach(function (n, i) {
        var li = NS.text("li", null, nodeLine(n));
        var el = panel.cy.getElementById(n.id);
        if (el.nonempty()) { el.addClass("on-path"); onGraph += 1; } else { li.className = "cg-off-graph"; li.title = "not in this graph"; }
        if (i > 0) {
          var h = p.hops[i - 1];
          li.insertBefore(NS.text("span", "cg-hop-link", "via " + h.link_type + (h.link_name ? " \u2018" + h.link_name + "\u2019" : "") +
            (h.segment ? " (" + (h.network ? h.network + ", " : "") + h.segment + ")" : "") +
            (h.status ? " [" + h.status + "]" : "") + " "), li.firstChild);
          if (h.link_id) panel.cy.getElementById("link|" + h.link_id).addClass("on-path");
        }
        list.appendChild(li);
      });
      box.appendChild(list);
      if (onGraph < p.nodes.length) {
        box.appendChild(NS.text("p", "cg-side-note", (p.nodes.length - onGraph) + " objects of the path are outside this graph (listed in grey)."));
      }
      panel.cy.elements().not(".on-path").not(".box").addClass("dimmed");
      var on = panel.cy.elements(".on-path");
      if (on.nonempty()) NS.fit(panel.cy, on);
      document.dispatchEvent(new CustomEvent("calipso:path-shown", { detail: { hops: p.hops.length, found: p.found } }));
      return p;
    }).catch(function (err) { panel.q(".cg-path-status").textContent = "No path: " + err.message; });
  };

  NS.bindPathSearch = function (panel) {
    var input = panel.q(".cg-path-input"), list = panel.q(".cg-path-suggestions"), timer = null, seq = 0;
    if (window.CalipsoKeys) window.CalipsoKeys.list(input, list);
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var term = input.value.trim();
      if (!term) { list.hidden = true; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        api(panel, "/search/inventory", { query: term, env_name: panel.root.dataset.environment, limit: 10 }).then(function (r) {
          if (mine !== seq) return;   // an older answer arriving late
          list.textContent = "";
          (r.objects || []).forEach(function (o) {
            var li = NS.text("li"), b = NS.text("button", "cg-suggestion", (o.object_name || o.name || o.id) + " \u2014 " + o.type);
            b.type = "button";
            b.dataset.id = o.id;
            b.addEventListener("click", function () {
              list.hidden = true;
              input.value = o.object_name || o.name || o.id;
              NS.showPath(panel, o.id);
            });
            li.appendChild(b);
            list.appendChild(li);
          });
          if (!list.children.length) list.appendChild(NS.text("li", "cg-side-note", "nothing named like that"));
          list.hidden = false;
        }).catch(function () { list.hidden = true; });
      }, 250);
    });
  };

  // -- changes since ---------------------------------------------------------------------------------
  NS.showChanges = function (panel, since) {
    var env = panel.root.dataset.environment;
    var choice = panel.q(".cg-since").value;
    return api(panel, "/diff", { env_name: env, from: since, limit: 500 }).then(function (d) {
      NS.clearOverlays(panel);
      panel.q(".cg-since").value = choice;
      var byObj = {};
      panel.cy.nodes(".obj").forEach(function (n) { byObj[(n.data("api") || {}).object_id] = n; });
      var counts = { added: 0, changed: 0, removed: 0 }, rows = [];
      ["added", "changed"].forEach(function (op) {
        d.objects[op].forEach(function (o) {
          var n = byObj[o.id];
          if (!n) return;
          n.addClass(op);
          counts[op] += 1;
          rows.push([op, o.type + " " + (o.name || o.id), Object.keys(o.fields || {}).join(", ")]);
        });
      });
      var ghosts = [];
      d.links.removed.forEach(function (l) {
        var s = byObj[l.source_id], t = byObj[l.target_id];
        if (!s && !t) return;
        counts.removed += 1;
        var named = function (id, n) { return n ? n.data("name") : id; };   // names where the graph knows them
        rows.push(["removed", l.link_type + " " + named(l.source_id, s) + " \u2192 " + named(l.target_id, t), ""]);
        [[l.source_id, s], [l.target_id, t]].forEach(function (end) {
          if (end[1] || panel.cy.getElementById("ghost|" + end[0]).nonempty()) return;
          var other = s || t, p = other.position();
          ghosts.push({ group: "nodes", classes: "obj ghost removed", data: { id: "ghost|" + end[0], label: end[0], name: end[0],
            color: NS.COLORS.none, fill: "#ffffff", icon: (panel.cfg.iconBase || "/static/graph/icons/") + "object.svg",
            api: { name: end[0], object_id: end[0], type: "removed object" } }, position: { x: p.x + 60, y: p.y + 60 } });
        });
        ghosts.push({ group: "edges", classes: "ghost removed", data: { id: "ghost|" + l.link_type + "|" + l.source_id + "|" + l.target_id,
          source: s ? s.id() : "ghost|" + l.source_id, target: t ? t.id() : "ghost|" + l.target_id,
          label: l.link_type, color: NS.COLORS.none, api: { link_type: l.link_type, link_name: "removed" } } });
      });
      d.objects.removed.forEach(function (o) { rows.push(["removed", o.type + " " + (o.name || o.id), ""]); });
      if (ghosts.length) panel.cy.add(ghosts);
      var box = side(panel, "Changes since " + new Date(d.from.time || since).toLocaleString());
      panel.root.dataset.overlay = "changes";
      box.appendChild(NS.text("p", null, counts.added + " added, " + counts.changed + " changed, " + counts.removed +
        " links removed in this graph; " + d.counts.objects.added + "/" + d.counts.objects.changed + "/" +
        d.counts.objects.removed + " objects added/changed/removed in the environment."));
      if (!d.complete) box.appendChild(NS.text("p", "cg-side-note", "The change log was pruned after that time: older changes are missing."));
      var ul = NS.text("ul", "cg-changes");
      rows.slice(0, 300).forEach(function (r) {
        var li = NS.text("li", "cg-change-" + r[0], r[0] + ": " + r[1] + (r[2] ? " (" + r[2] + ")" : ""));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      document.dispatchEvent(new CustomEvent("calipso:changes-shown", { detail: counts }));
      return d;
    }).catch(function (err) {
      var box = side(panel, "Changes");
      box.appendChild(NS.text("p", null, "The changes could not be read: " + err.message));
    });
  };

  NS.bindChanges = function (panel) {
    var select = panel.q(".cg-since");
    select.addEventListener("change", function () {
      var hours = parseFloat(select.value);
      if (!hours) { NS.clearOverlays(panel); return; }
      NS.showChanges(panel, new Date(Date.now() - hours * 3600 * 1000).toISOString());
    });
  };
})();
