/* Calipso graph: what the pointer and the keyboard do on the canvas.
 *
 * Hover card (text nodes only), click a network to open it, click a host or switch box to
 * fold it into one node (its links re-routed to the box) and again to unfold (find: findbox.js).
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});

  function text(tag, cls, value) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (value !== undefined && value !== null) e.textContent = String(value);
    return e;
  }
  NS.text = text;

  function show(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") {
      var s = JSON.stringify(value);
      return s.length > 400 ? s.slice(0, 400) + "…" : s;
    }
    return String(value);
  }

  function when(iso) {
    if (!iso) return "unknown";
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  // A value of a card row: ids the API named (row[2]: {id: {name, type}}) as their names, each a link
  // to its object's page (its id in the title); anything else as text.
  function cell(row, objectUrl) {
    var td = document.createElement("td"), known = row[2] || {}, values = Array.isArray(row[1]) ? row[1] : [row[1]];
    var named = values.some(function (v) { return typeof v === "string" && known[v]; });
    if (!named) { td.textContent = show(row[1]); return td; }
    values.forEach(function (v, i) {
      if (i) td.appendChild(document.createTextNode(", "));
      var ref = typeof v === "string" ? known[v] : null;
      if (!ref) { td.appendChild(document.createTextNode(show(v))); return; }
      var a = text(objectUrl ? "a" : "span", "cg-card-ref", ref.name);
      if (objectUrl) a.href = objectUrl.replace("{id}", encodeURIComponent(v));
      a.title = (ref.type ? ref.type + " " : "") + v;
      td.appendChild(a);
    });
    return td;
  }

  function rows(card, list, objectUrl) {
    var table = card.querySelector(".cg-card-rows");
    table.textContent = "";
    list.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(text("th", null, row[0]));
      tr.appendChild(cell(row, objectUrl));
      table.appendChild(tr);
    });
  }

  // The card's rows of an object or link: read from the API when first pointed at (the graph ships none),
  // then kept; `done(rows)` runs when they are there (at once when already read).
  NS.cardRows = function (panel, ele, done) {
    var api = ele.data("api") || {};
    if (api.hover) { done(api.hover); return; }
    if (!panel || ele.hasClass("ghost") || /\|/.test(api.id || "|")) { done([]); return; }
    panel.cards = panel.cards || {};
    var known = panel.cards[api.id];
    if (known && known.rows) { done(known.rows); return; }
    if (!known) {
      known = panel.cards[api.id] = { waiting: [] };
      var base = panel.cfg.apiBase || "/ui-api";
      NS.fetchJSON(base + "/graph_card?env_name=" + encodeURIComponent(panel.root.dataset.environment || "") +
        "&id=" + encodeURIComponent(api.id)).then(function (c) {
        known.rows = c.rows || [];
      }, function () { known.rows = []; delete panel.cards[api.id]; }).then(function () {
        known.waiting.forEach(function (f) { f(known.rows || []); });
        known.waiting = [];
      });
    }
    known.waiting.push(done);
  };

  // The hover card of a node, box or link: what the graph has at once, its rows when read (NS.cardRows).
  NS.fillCard = function (card, ele, panel) {
    card.textContent = "";
    var d = ele.data(), api = d.api || {};
    card.dataset.element = ele.id();
    if (ele.hasClass("box")) {
      card.appendChild(text("div", "cg-card-title", d.name));
      card.appendChild(text("div", "cg-card-sub", (d.kind === "switch" ? "switch" : "host") + " · " +
        NS.membersOf(ele.cy(), ele).length + " objects · click to " + (ele.hasClass("collapsed") ? "unfold" : "fold")));
      return;
    }
    var title = ele.isEdge() ? (api.link_name || api.link_type) : api.name;
    card.appendChild(text("div", "cg-card-title", title));
    var tips = (panel && panel.data && panel.data.tooltips) || {};
    var tip = ele.isEdge() ? null : (tips[api.type] || api.tooltip);
    var sub = ele.isEdge() ? "link " + (api.link_type || "") : (api.type || "") + (tip ? " — " + tip : "");
    card.appendChild(text("div", "cg-card-sub", sub));
    if (api.status) card.appendChild(text("div", "cg-card-status cg-status-" + api.status, api.status +
      (api.status_text ? ": " + api.status_text : "")));
    if (api.stale) card.appendChild(text("div", "cg-card-stale", "Not seen by the last scan · last seen " + when(api.last_seen)));
    var table = text("table", "cg-card-rows");
    card.appendChild(table);
    if (api.type === "network" && api.object_id) card.appendChild(text("div", "cg-card-hint", "click to open this network"));
    var objectUrl = panel && panel.cfg.objectUrl, id = ele.id(), pending = true;
    NS.cardRows(panel, ele, function (list) {
      pending = false;
      if (card.dataset.element !== id || !card.contains(table)) return;   // the card moved on to another element
      rows(card, list, objectUrl);
      card.dataset.rows = "ready";
    });
    if (pending) {
      card.dataset.rows = "loading";
      var tr = text("tr", "cg-card-loading");
      tr.appendChild(text("td", null, "reading…"));
      table.appendChild(tr);
    }
  };

  NS.bindHover = function (cy, card, container, panel) {
    cy.on("mouseover", "node, edge", function (e) {
      if (e.target.hasClass("meta") || card.classList.contains("pinned")) return;
      NS.fillCard(card, e.target, panel);
      card.hidden = false;
      var p = e.renderedPosition || { x: 0, y: 0 };
      var w = container.clientWidth, h = container.clientHeight;
      card.style.left = Math.min(p.x + 16, Math.max(0, w - 320)) + "px";
      card.style.top = Math.min(p.y + 16, Math.max(0, h - 200)) + "px";
    });
    cy.on("mouseout", "node, edge", function () { if (!card.classList.contains("pinned")) card.hidden = true; });
    cy.on("viewport", function () { if (!card.classList.contains("pinned")) card.hidden = true; });
    cy.on("tap", function (e) { if (e.target === cy) NS.unpin(card); });
    // one listener per card, not per drawing: the panel redraws (a summary opened) with the same card
    if (!card.dataset.escape) {
      card.dataset.escape = "bound";
      document.addEventListener("keydown", function (e) { if (e.key === "Escape") NS.unpin(card); });
    }
  };

  NS.unpin = function (card) {
    card.classList.remove("pinned");
    card.hidden = true;
  };

  function cardLink(label, href) {
    var a = text("a", "cg-card-link", label);
    a.href = href;
    return a;
  }

  // A clicked object's card stays open, with links: the object's own page, and its host's graph.
  NS.pinCard = function (panel, node) {
    var card = panel.q(".cg-card"), api = node.data("api") || {}, url = panel.cfg.objectUrl;
    NS.fillCard(card, node, panel);
    if (url && api.object_id && !api.aggregate) {
      var links = text("div", "cg-card-links");
      links.appendChild(cardLink("Open " + (api.name || api.object_id), url.replace("{id}", encodeURIComponent(api.object_id))));
      var host = api.type === "host" ? api.object_id : api.host;
      if (host) {
        var graph = cardLink("Graph of host " + host, url.replace("{id}", encodeURIComponent(host)) + "&view=graph");
        graph.title = "host " + host;
        links.appendChild(graph);
        NS.nameOf(panel, host, function (name) { graph.textContent = "Graph of host " + name; });
      }
      card.appendChild(links);
    }
    card.classList.add("pinned");
    card.hidden = false;
    var p = node.renderedPosition(), stage = panel.q(".cg-stage");
    card.style.left = Math.min(p.x + 24, Math.max(0, stage.clientWidth - 320)) + "px";
    card.style.top = Math.min(p.y + 24, Math.max(0, stage.clientHeight - 220)) + "px";
    var first = card.querySelector(".cg-card-links a") || card.querySelector("a");   // "Open …", not a row's reference
    if (first) first.focus({ preventScroll: true });
  };

  // The object `objectId` and the shortest way to it from the focal object, highlighted (from the health page).
  NS.highlight = function (panel, objectId) {
    var cy = panel.cy, target = cy.nodes(".obj").filter(function (n) { return (n.data("api") || {}).object_id === objectId; });
    if (target.empty()) { panel.root.dataset.highlighted = "missing"; return; }
    // the way from the focal object; when none (a host's graph: the host holds its objects, no link), its links
    var focal = cy.nodes(".focal"), on = target.closedNeighborhood().not(".meta");
    if (focal.nonempty() && focal.id() !== target.id()) {
      var found = cy.elements().not(".meta").aStar({ root: focal, goal: target });
      if (found.found) on = found.path;
    }
    cy.batch(function () {
      on.addClass("on-path");
      cy.elements().not(on).not(".box").addClass("dimmed");
    });
    NS.fit(cy, target.closedNeighborhood().not(".meta"));   // close on the object; the way to it leads off
    panel.root.dataset.highlighted = target.id();
  };

  // The name of the object `id` (its id when it names nothing), read from /names once per page and kept.
  NS.nameOf = function (panel, id, done) {
    var names = (panel.names = panel.names || {});
    if (names[id] !== undefined) { if (names[id]) done(names[id]); return; }
    var env = panel.root.dataset.environment || "";
    NS.fetchJSON((panel.cfg.apiBase || "/ui-api") + "/names?env_name=" + encodeURIComponent(env) + "&id=" + encodeURIComponent(id))
      .then(function (r) {
        var found = r.names && r.names[id];
        names[id] = found ? found.name : "";
        if (found) done(found.name);
      }, function () { /* the id stays shown */ });
  };

  // Fold or unfold a box; links crossing a folded box are drawn to the box (dashed "meta" edges).
  NS.toggleBox = function (cy, box) {
    cy.batch(function () {
      var folding = !box.hasClass("collapsed");
      box.toggleClass("collapsed", folding);
      NS.membersOf(cy, box).not(".find-hidden").style("display", folding ? "none" : "element");   // Hide stays
      NS.rerouteMeta(cy);
    });
  };

  NS.rerouteMeta = function (cy) {
    cy.edges(".meta").remove();
    var seen = {}, add = [];
    function rep(n) {
      var b = n.data("box") ? cy.getElementById(n.data("box")) : null;
      return b && b.hasClass("collapsed") ? b : n;
    }
    cy.edges().not(".meta").forEach(function (e) {
      var s = rep(e.source()), t = rep(e.target());
      if (s === e.source() && t === e.target()) { e.style("display", "element"); return; }
      e.style("display", "none");
      if (s.id() === t.id()) return;
      var key = s.id() + "→" + t.id();
      if (seen[key]) return;
      seen[key] = true;
      add.push({ group: "edges", classes: "meta", data: { id: "meta|" + key, source: s.id(), target: t.id(),
        color: NS.COLORS.none, label: "" } });
    });
    cy.add(add);
  };

  NS.bindClicks = function (cy, objectUrl, panel) {
    cy.nodes(".box").ungrabify();
    cy.on("dragfree", "node.obj", function (e) {
      var id = e.target.data("box"), box = id ? cy.getElementById(id) : null;
      if (!box || box.hasClass("collapsed")) return;
      box.removeData("rect");
      NS.placeBox(box, NS.boxAround(NS.membersOf(cy, box)));
    });
    cy.on("tap", "node", function (e) {
      var n = e.target, api = n.data("api") || {};
      if (n.hasClass("summary") && panel) { NS.unpin(panel.q(".cg-card")); panel.toggleGroup(api.expand); return; }
      if (n.hasClass("box")) {
        var key = (n.data("kind") === "switch" ? "switch:" : "host:") + n.data("name");
        if (panel && panel.data && panel.data.grouped && panel.expand.indexOf(key) >= 0) {
          NS.unpin(panel.q(".cg-card"));
          panel.toggleGroup(key);
          return;
        }
        NS.toggleBox(cy, n);
        return;
      }
      if (api.type === "network" && api.object_id && objectUrl) {
        window.location.assign(objectUrl.replace("{id}", encodeURIComponent(api.object_id)));
        return;
      }
      if (panel && n.hasClass("obj")) NS.pinCard(panel, n);
    });
  };
})();
