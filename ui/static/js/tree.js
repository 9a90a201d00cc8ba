/* The navigation tree: children loaded on demand through /ui-api/tree, kept current on calipso:change,
 * and the data/graph toggle without a reload. Names are set with textContent only. */
(function () {
  "use strict";
  var panel = document.getElementById("tree-panel");
  if (!panel) { return; }
  var env = panel.getAttribute("data-env");
  var selected = panel.getAttribute("data-selected");
  var base = "/environment/" + encodeURIComponent(env) + "?selectedNodeId=";

  function depthOf(li) { var d = 0, p = li.parentElement; while (p && p !== panel) { if (p.tagName === "UL") { d++; } p = p.parentElement; } return Math.min(d - 1, 8); }

  function build(n, depth) {
    var li = document.createElement("li");
    li.className = "node" + (n.stale_since ? " stale" : "") + (n.id === selected ? " selected" : "");
    li.setAttribute("data-id", n.id);
    li.setAttribute("data-type", n.type);
    li.setAttribute("data-has-children", n.has_children ? "true" : "false");
    var row = document.createElement("div");
    row.className = "node-row depth-" + depth;
    if (n.stale_since) { row.title = "Not seen by the last scan; last seen " + (n.last_seen || "?"); }
    if (n.has_children) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "twisty"; b.setAttribute("aria-expanded", "false");
      b.setAttribute("aria-label", "Show or hide the children of " + n.name);
      row.appendChild(b);
    } else {
      var sp = document.createElement("span"); sp.className = "twisty-space"; row.appendChild(sp);
    }
    var a = document.createElement("a");
    a.className = "node-link"; a.href = base + encodeURIComponent(n.id);
    var dot = document.createElement("span"); dot.className = "type-dot type-" + n.type.replace(/[^A-Za-z0-9_-]/g, "");
    var name = document.createElement("span"); name.className = "node-name"; name.textContent = n.name;
    a.appendChild(dot); a.appendChild(name);
    if (n.detail) { var det = document.createElement("span"); det.className = "node-detail"; det.textContent = "\u00b7 " + n.detail; a.appendChild(det); }
    row.appendChild(a); li.appendChild(row);
    if (n.has_children) { var ul = document.createElement("ul"); ul.className = "children"; ul.hidden = true; li.appendChild(ul); }
    return li;
  }

  function childrenUrl(id) { return "/tree?env_name=" + encodeURIComponent(env) + (id ? "&parent_id=" + encodeURIComponent(id) : ""); }

  /* Render `nodes` into `ul`, keeping existing items (and their open subtrees) that are still there. */
  function fill(ul, nodes, depth) {
    var existing = {};
    Array.prototype.forEach.call(ul.children, function (li) { if (li.dataset && li.dataset.id) { existing[li.dataset.type + "|" + li.dataset.id] = li; } });
    var frag = document.createDocumentFragment();
    nodes.forEach(function (n) {
      var key = n.type + "|" + n.id;
      var li = existing[key];
      if (li) {
        delete existing[key];
        li.classList.toggle("stale", !!n.stale_since);
        var nm = li.querySelector(":scope > .node-row .node-name");
        if (nm && nm.textContent !== n.name) { nm.textContent = n.name; }
        if (n.has_children && li.getAttribute("data-has-children") !== "true") { var fresh = build(n, depth); li.replaceWith(fresh); li = fresh; }
      } else {
        li = build(n, depth);
        li.classList.add("new");
      }
      frag.appendChild(li);
    });
    ul.textContent = "";
    ul.appendChild(frag);
  }

  function load(li) {
    var ul = li.querySelector(":scope > ul.children");
    return Calipso.getJSON(childrenUrl(li.dataset.id)).then(function (b) {
      fill(ul, b.children || [], depthOf(li) + 1);
      li.setAttribute("data-loaded", "true");
    });
  }

  function toggle(li) {
    var ul = li.querySelector(":scope > ul.children");
    var btn = li.querySelector(":scope > .node-row .twisty");
    if (!ul || !btn) { return; }
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    ul.hidden = !open;
    if (open && li.getAttribute("data-loaded") !== "true") {
      li.classList.add("loading");
      load(li).catch(function () {}).then(function () { li.classList.remove("loading"); });
    }
  }

  panel.addEventListener("click", function (e) {
    var btn = e.target.closest(".twisty");
    if (btn) { e.preventDefault(); toggle(btn.closest("li.node")); }
  });

  /* Live: refresh the root and every open node of this environment when it changed. */
  var refreshing = false;
  document.addEventListener("calipso:change", function (e) {
    if (e.detail.environment !== env || refreshing) { return; }
    refreshing = true;
    var jobs = [Calipso.getJSON(childrenUrl(null)).then(function (b) { fill(document.getElementById("tree"), b.children || [], 0); })];
    panel.querySelectorAll("li.node[data-loaded='true']").forEach(function (li) {
      if (li.querySelector(":scope > .node-row .twisty[aria-expanded='true']")) { jobs.push(load(li).catch(function () {})); }
      else { li.removeAttribute("data-loaded"); }
    });
    Promise.all(jobs).catch(function () {}).then(function () {
      refreshing = false;
      panel.setAttribute("data-refreshed", String(Date.now()));
      document.dispatchEvent(new CustomEvent("calipso:tree-refreshed", {detail: {environment: env}}));
    });
  });

  var sel = panel.querySelector("li.node.selected");
  // the selected node in view inside the tree's own box, never by scrolling the page (at 800 px the tree is below the graph)
  if (sel) { panel.scrollTop += sel.getBoundingClientRect().top - panel.getBoundingClientRect().top - panel.clientHeight / 2; }

  /* Data / graph toggle without a reload (the links also work without scripts). */
  document.querySelectorAll(".toggle-btn[data-view]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var view = a.getAttribute("data-view");
      document.getElementById("data-view").hidden = view !== "data";
      var g = document.getElementById("graph-view"); if (g) { g.hidden = view !== "graph"; }
      document.querySelectorAll(".toggle-btn").forEach(function (b) { b.classList.toggle("active", b === a); });
      history.replaceState(null, "", a.getAttribute("href"));
      document.dispatchEvent(new CustomEvent("calipso:view", {detail: {view: view}}));
    });
  });
})();
