/* Calipso graph panel: loads the bounded clique graph, draws it, and runs the toolbar.
 *
 * Configuration comes from the panel's data- attributes (see ui/templates/graph_panel.html).
 * When the layout is drawn the page gets `calipso:graph-ready` (detail: counts and time).
 * `window.calipsoGraph` is the live panel (tests and the other overlays use it).
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});
  var text = function (t, c, v) { return NS.text(t, c, v); };
  // Above BIG nodes the canvas trades detail for speed; link names cost the most to measure,
  // so above EDGE_LABELS links they move to the hover card.
  var BIG = 800, FORCE_MAX = 600, EDGE_LABELS = 400;

  function Panel(root) {
    this.root = root;
    this.cfg = root.dataset;
    this.q = function (sel) { return root.querySelector(sel); };
    this.maxNodes = parseInt(this.cfg.maxNodes || "500", 10);
    // "auto": above maxNodes the server folds hosts into summary nodes; `expand` lists the ones opened
    this.group = this.cfg.group || "none";
    this.expand = [];
    this.highlight = this.cfg.highlight || "";
    this.layoutName = "layered";
    this.data = null;
    this.cy = null;
    this.started = performance.now();
    this.bindToolbar();
  }

  Panel.prototype.url = function (extra) {
    var u = this.cfg.graphUrl;
    return u + (u.indexOf("?") >= 0 ? "&" : "?") + extra;
  };

  Panel.prototype.setState = function (state, message) {
    this.root.dataset.state = state;
    var notice = this.q(".cg-status");
    notice.textContent = message || "";
    notice.hidden = !message;
  };

  Panel.prototype.query = function () {
    var q = "max_nodes=" + this.maxNodes;
    if (this.group === "auto") {
      q += "&group=auto" + this.expand.map(function (k) { return "&expand=" + encodeURIComponent(k); }).join("");
    }
    return q;
  };

  // Slow or failing API: the page says so, keeps what it drew, and offers to try again (never a bare error).
  Panel.prototype.load = function (maxNodes) {
    var self = this;
    if (maxNodes) this.maxNodes = maxNodes;
    this.started = performance.now();
    this.setState("loading", "Loading the graph…");
    var slow = setTimeout(function () {
      if (self.root.dataset.state === "loading") self.setState("loading", "Still loading the graph: the API is slow to answer…");
    }, 3000);
    // the icons load while the API answers: drawn with them, the first frame is the whole picture
    var icons = NS.preloadIcons(this.cfg.iconBase || "/static/graph/icons/");
    return NS.fetchJSON(this.url(this.query()))
      .then(function (data) { return icons.then(function () { return data; }); })
      .then(function (data) { clearTimeout(slow); self.retries = 0; self.draw(data); })
      .catch(function (err) {
        clearTimeout(slow);
        // a large clique's first reading can outlast the console's wait for the API; the API keeps it once read
        if (/did not answer|answered 50[234]/.test(err.message) && (self.retries = (self.retries || 0) + 1) <= 3) {
          self.setState("loading", "The API is still reading this graph; asking again (" + self.retries + " of 3)…");
          setTimeout(function () { self.load(); }, 2000);
          return;
        }
        self.retries = 0;
        self.setState("error", "The graph could not be loaded: " + err.message + ".");
        var retry = text("button", "cg-btn cg-retry", "Try again");
        retry.type = "button";
        retry.addEventListener("click", function () { self.load(); });
        self.q(".cg-status").appendChild(retry);
      });
  };

  // Open (or fold again) a summary node: the server redraws with that host or run of hosts opened.
  Panel.prototype.toggleGroup = function (key) {
    var at = this.expand.indexOf(key);
    if (at >= 0) this.expand.splice(at, 1); else this.expand.push(key);
    return this.load();
  };

  Panel.prototype.draw = function (data) {
    var self = this;
    this.data = data;
    var real = data.nodes.filter(function (n) { return !n.aggregate; }).length;
    var big = data.nodes.length > BIG;
    // the card of what was under the pointer (a summary just clicked) goes with the drawing it described
    if (this.cy) { this.cy.destroy(); this.cy = null; NS.clearOverlays(this); NS.unpin(this.q(".cg-card")); }
    var canvas = this.q(".cg-canvas"), minZoom = 0.03;
    var els = NS.elements(data, this.cfg.iconBase || "/static/graph/icons/", big);
    var force = this.q(".cg-layout option[value=force]");
    force.disabled = data.nodes.length > FORCE_MAX;
    force.textContent = force.disabled ? "Force (up to " + FORCE_MAX + " nodes)" : "Force";
    if (force.disabled) this.layoutName = "layered";
    // the layered layout is placed before Cytoscape is made, so it draws once (render.js NS.preset)
    var view = this.layoutName === "layered" ? NS.preset(els, canvas.clientWidth, canvas.clientHeight, minZoom) : null;
    this.cy = window.cytoscape({
      container: canvas, elements: els, zoom: view ? view.zoom : 1, pan: view ? view.pan : { x: 0, y: 0 },
      style: NS.style(big, data.links.length <= EDGE_LABELS), minZoom: minZoom, maxZoom: 4, boxSelectionEnabled: false, autoungrabify: false,
      textureOnViewport: big, hideEdgesOnViewport: big, pixelRatio: big ? 1 : "auto", layout: view ? { name: "preset", fit: false } : { name: "null" }
    });
    if (big) {   // names appear once zoomed in far enough to read them (render.js LABEL_ZOOM)
      var cy = this.cy, labelled = false, edgeLabels = data.links.length <= EDGE_LABELS;
      cy.on("zoom", function () {
        var want = cy.zoom() >= NS.LABEL_ZOOM;
        if (want !== labelled) { labelled = want; cy.style(NS.style(big, edgeLabels, want)); }
      });
    }
    NS.bindHover(this.cy, this.q(".cg-card"), this.q(".cg-stage"), this);
    NS.bindClicks(this.cy, this.cfg.objectUrl, this);
    this.q(".cg-layout").value = this.layoutName;
    this.summary(real, data);
    this.notice(data);
    this.tableOf = data;   // the table is made when first shown (2,000 rows cost the first picture time)
    if (!this.q(".cg-table").hidden) this.fillTable(data);
    this.layout(!!view);
  };

  // Lay out (`placed`: already placed by NS.preset, only wait for it to be drawn), then say the graph is ready.
  Panel.prototype.layout = function (placed) {
    var self = this;
    this.setState("layout", "");
    var run = placed ? function (cy, name, done) { NS.whenDrawn(cy, done); } : NS.runLayout;
    run(this.cy, this.layoutName, function () {
      self.setState("ready", "");
      NS.applyFind(self);
      var detail = { nodes: self.cy.nodes(".obj").length, links: self.cy.edges().not(".meta").length,
        ms: Math.round(performance.now() - self.started), layout: self.layoutName,
        since_navigation: Math.round(performance.now()) };
      self.root.dataset.nodes = detail.nodes;
      self.root.dataset.links = detail.links;
      self.root.dataset.grouped = self.data.grouped ? "true" : "false";
      if (self.highlight) NS.highlight(self, self.highlight);
      document.dispatchEvent(new CustomEvent("calipso:graph-ready", { detail: detail }));
    });
  };

  Panel.prototype.summary = function (real, data) {
    var s = real + " objects, " + data.links.filter(function (l) { return !l.aggregate; }).length + " links";
    if (data.grouped) s = data.total.nodes + " objects, " + data.total.links + " links in " + data.grouped.summaries + " summaries";
    if (data.status) s += " · worst status " + data.status;
    this.q(".cg-summary").textContent = s;
  };

  // What the server left out, in words, with the ways to see more.
  Panel.prototype.notice = function (data) {
    var box = this.q(".cg-notice"), om = data.omitted || {}, self = this;
    box.textContent = "";
    var lines = [];
    if (data.grouped) {
      lines.push("This clique has " + data.total.nodes + " objects: hosts are shown as summaries (" + data.grouped.summaries +
        " nodes for " + data.grouped.hosts + " hosts, with their object counts and worst status); click one to open it.");
      if (data.grouped.capped) lines.push("Too much is open: only the first 2,000 objects are drawn.");
    } else if (om.nodes) {
      var folded = (om.aggregated || []).reduce(function (a, g) { return a + g.count; }, 0);
      lines.push("Showing " + (data.total.nodes - om.nodes) + " of " + data.total.nodes + " objects of this clique.");
      if (folded) lines.push(folded + " are folded into \u201c+N more\u201d nodes by type and host.");
      var beyond = Object.keys(om.beyond_depth || {}).map(function (t) { return om.beyond_depth[t] + " " + t; });
      if (beyond.length) lines.push("Farther than " + data.bounds.depth + " links from the focal object: " + beyond.join(", ") + ".");
    }
    if (data.truncated) lines.push("The scanner stopped this clique at its node limit; it is incomplete.");
    if (om.dangling_links) lines.push(om.dangling_links + " links point to objects no longer in the inventory.");
    box.hidden = !lines.length;
    if (!lines.length) return;
    box.appendChild(text("span", null, lines.join(" ")));
    var table = text("button", "cg-btn", "Show as table");
    table.type = "button";
    table.addEventListener("click", function () { self.showTable(true); });
    box.appendChild(table);
    if (data.grouped && this.expand.length) {
      var fold = text("button", "cg-btn", "Fold all hosts again");
      fold.type = "button";
      fold.addEventListener("click", function () { self.expand = []; self.load(); });
      box.appendChild(fold);
    }
    if (om.nodes && data.total.nodes > this.maxNodes && this.maxNodes < 2000) {
      var more = text("button", "cg-btn", "Draw up to 2,000 objects");
      more.type = "button";
      more.addEventListener("click", function () { self.group = "none"; self.load(2000); });
      box.appendChild(more);
    }
  };

  Panel.prototype.fillTable = function (data) {
    this.tableOf = null;
    var holder = this.q(".cg-table");
    holder.textContent = "";
    var t = text("table", "cg-rows"), head = document.createElement("tr");
    ["Type", "Name", "Host", "Status", "Depth", "Last seen"].forEach(function (h) { head.appendChild(text("th", null, h)); });
    t.appendChild(head);
    data.nodes.forEach(function (n) {
      var tr = document.createElement("tr");
      if (n.stale) tr.className = "cg-stale";
      [n.type, n.name, n.host || n.switch || "", n.status || "", n.depth == null ? "" : n.depth,
        n.last_seen || ""].forEach(function (v) { tr.appendChild(text("td", null, v)); });
      t.appendChild(tr);
    });
    holder.appendChild(t);
  };

  Panel.prototype.showTable = function (on) {
    if (on && this.tableOf) this.fillTable(this.tableOf);
    this.q(".cg-table").hidden = !on;
    this.q(".cg-stage").hidden = on;
    this.q(".cg-table-toggle").textContent = on ? "Graph" : "Table";
    if (!on && this.cy) { this.cy.resize(); NS.fit(this.cy); }
  };

  Panel.prototype.bindToolbar = function () {
    var self = this;
    this.q(".cg-layout").addEventListener("change", function (e) {
      self.layoutName = e.target.value;
      if (self.cy) { self.started = performance.now(); self.layout(); }
    });
    this.q(".cg-fit").addEventListener("click", function () { if (self.cy) NS.fit(self.cy); });
    this.q(".cg-zoom-in").addEventListener("click", function () { self.zoom(1.25); });
    this.q(".cg-zoom-out").addEventListener("click", function () { self.zoom(0.8); });
    this.q(".cg-table-toggle").addEventListener("click", function () { self.showTable(self.q(".cg-table").hidden); });
    NS.bindFind(this);   // find.js, findbox.js: Find and Hide expressions
    NS.bindKeys(this);   // keyboard.js: the graph from the keyboard
    NS.bindPathSearch(this);
    NS.bindChanges(this);
    this.root.querySelectorAll(".cg-export [data-format]").forEach(function (b) {
      b.addEventListener("click", function (e) { self.exportAs(b.dataset.format, e); });
    });
  };

  Panel.prototype.zoom = function (factor) {
    if (!this.cy) return;
    var c = this.cy.container();
    this.cy.zoom({ level: this.cy.zoom() * factor, renderedPosition: { x: c.clientWidth / 2, y: c.clientHeight / 2 } });
  };

  Panel.prototype.filename = function () {
    var fp = (this.data && this.data.focal_point) || {};
    return ("clique-" + (fp.type || "") + "-" + (fp.name || fp.object_id || "graph")).replace(/[^A-Za-z0-9._-]+/g, "_");
  };

  Panel.prototype.exportAs = function (format, event) {
    if (!this.cy) return;
    if (format === "png") NS.exportPng(this.cy, this.filename());
    else if (format === "svg") NS.exportSvg(this.cy, this.filename());
    else if (event && event.currentTarget.tagName === "A") {
      event.currentTarget.href = this.url((this.data && this.data.grouped ? this.query() : "max_nodes=5000") +
        "&format=" + encodeURIComponent(format));
    }
  };

  // Live: re-read the graph; colours and staleness change in place, a changed shape is redrawn.
  Panel.prototype.refresh = function () {
    var self = this;
    if (!this.cy || this.root.dataset.state !== "ready") return Promise.resolve();
    return NS.fetchJSON(this.url(this.query()))
      .then(function (data) {
        var same = data.nodes.length === self.data.nodes.length && data.links.length === self.data.links.length &&
          data.nodes.every(function (n) { return self.cy.getElementById(n.id).nonempty(); });
        if (!same) { self.started = performance.now(); self.draw(data); return; }
        self.data = data;
        self.cards = {};   // statuses changed: cards are read again when next pointed at
        var fresh = NS.elements(data, self.cfg.iconBase || "/static/graph/icons/", data.nodes.length > BIG);
        self.cy.batch(function () {
          fresh.forEach(function (f) {
            var e = self.cy.getElementById(f.data.id);
            if (e.empty() || e.hasClass("box")) return;
            e.data({ status: f.data.status, color: f.data.color, fill: f.data.fill, api: f.data.api, label: f.data.label,
              images: f.data.images });
            e.toggleClass("stale", /\bstale\b/.test(f.classes));
            e.removeClass("s-OK s-Warning s-Error s-none").addClass("s-" + f.data.status);   // colours a big graph
          });
        });
        self.summary(data.nodes.filter(function (n) { return !n.aggregate; }).length, data);
        NS.applyFind(self, true);   // a status may have changed what `status=error` finds (the view stays put)
        document.dispatchEvent(new CustomEvent("calipso:graph-updated", { detail: { nodes: data.nodes.length } }));
      })
      .catch(function () { /* the page's banner reports an unreachable API */ });
  };

  // JSON from the API relay; an error says what the server said (the relay's 503 included), never throws raw.
  NS.fetchJSON = function (url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.status === 401 && body.error && body.error.login) { window.location.assign(body.error.login); }
          if (!r.ok) throw new Error((body.error && body.error.message) || ("the server answered " + r.status));
          return body;
        });
      }, function () { throw new Error("the console did not answer"); });
  };

  function start() {
    var root = document.getElementById("calipso-graph");
    if (!root || !root.dataset.graphUrl || typeof window.cytoscape !== "function") return;
    var panel = new Panel(root);
    window.calipsoGraph = panel;
    panel.load();
    // live: the console's event stream says an environment changed (or the API came back)
    var pending = null;
    function soon() { clearTimeout(pending); pending = setTimeout(function () { panel.refresh(); }, 300); }
    document.addEventListener("calipso:change", function (e) {
      var env = e.detail && e.detail.environment;
      if (!env || !root.dataset.environment || env === root.dataset.environment) soon();
    });
    document.addEventListener("calipso:api", function (e) { if (e.detail && e.detail.up) soon(); });
    // the page's data/graph toggle: a graph drawn while hidden has no size until shown
    document.addEventListener("calipso:view", function (e) {
      if (e.detail && e.detail.view === "graph" && panel.cy) { panel.cy.resize(); NS.fit(panel.cy); }
    });
  }
  NS.Panel = Panel;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
