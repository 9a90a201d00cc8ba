/* Calipso graph: the API's bounded clique graph turned into Cytoscape elements and drawn.
 *
 * Nodes carry an icon per object type and a border/fill by monitoring status; objects with a
 * host (or switch) sit in a box per host (switch), a plain node drawn behind its members (see
 * layout.js); links are labelled with their name and
 * coloured by status; stale objects are faded. Every text reaches the canvas as data, and
 * the hover card builds DOM text nodes: nothing from the inventory is ever parsed as markup.
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});

  NS.COLORS = { OK: "#2e7d32", Warning: "#ef6c00", Error: "#c62828", none: "#9aa0a6" };
  // Status is shown three ways at once: border colour, a filled background, and a badge at the
  // node's top right corner (a cross for error, a triangle for warning, a tick for OK).
  var FILLS = { OK: "#c8e6c9", Warning: "#ffe0b2", Error: "#ffcdd2", none: "#ffffff" };
  var BADGES = { OK: "badge-ok.svg", Warning: "badge-warning.svg", Error: "badge-error.svg" };
  NS.FILLS = FILLS;
  var ICONS = ["instance", "vservice", "vnic", "vconnector", "vedge", "otep", "host_pnic", "switch_pnic", "switch",
    "network", "port", "container", "pod", "host"];

  function iconFor(base, type, aggregate) {
    if (type === "hosts") return base + "hosts.svg";
    if (type === "host" || type === "switch") return base + type + ".svg";
    if (aggregate) return base + "more.svg";
    return base + (ICONS.indexOf(type) >= 0 ? type : type === "pnic" ? "host_pnic" : "object") + ".svg";
  }

  // Every icon fetched while the API is still answering, the way Cytoscape asks for them (CORS mode): an image
  // already loaded in the page is complete at once, so the first frame draws the icons, rather than a second
  // frame after they arrive, redone for every node. Resolves once every icon has loaded (or failed: a missing
  // icon leaves its nodes without one, as Cytoscape would).
  var preloaded = null;
  NS.preloadIcons = function (base) {
    if (preloaded) return preloaded;
    var urls = ICONS.concat(["object", "more", "hosts"]).map(function (t) { return base + t + ".svg"; })
      .concat(Object.keys(BADGES).map(function (s) { return base + BADGES[s]; }));
    preloaded = Promise.race([Promise.all(urls.map(function (url) {
      return new Promise(function (resolve) {
        var img = new Image();
        img.crossOrigin = "anonymous";
        img.onload = img.onerror = function () { resolve(img); };
        img.src = url;
      });
    })), new Promise(function (resolve) { setTimeout(resolve, 3000); })]);   // a stalled icon never holds the graph
    return preloaded;
  };

  // `done` once the graph is on the canvas. Placed before Cytoscape was made (NS.preset) and with the icons
  // loaded, Cytoscape's first frame draws all of it (at the first look it draws every element into its layers
  // at once); a hidden panel draws nothing, so there two frames are waited for as before.
  // That first frame is drawn straight onto the canvas: Cytoscape's first frame would otherwise draw every
  // element into an off-screen layer (kept to pan and zoom fast), then the layer, which at 2,000 nodes cost
  // about twice the drawing itself; its layers are then made in the frames that follow, while nobody waits.
  // (`firstGet` is the layer cache's own flag; a Cytoscape without it keeps its usual first frame.)
  NS.whenDrawn = function (cy, done) {
    var c = cy.container(), r = cy.renderer(), layers = r && r.data && r.data.lyrTxrCache;
    if (!c || !c.clientWidth || !c.clientHeight) {
      window.requestAnimationFrame(function () { window.requestAnimationFrame(done); });
      return;
    }
    if (layers && layers.firstGet === true) layers.firstGet = false;
    cy.one("render", function () { done(); });
  };

  function boxOf(n) {
    if (n.summary) return null;
    if (n.host) return "box|host|" + n.host;
    if (n.switch) return "box|switch|" + n.switch;
    return null;
  }
  NS.boxOf = boxOf;

  // Cytoscape elements from the API's graph: boxes, nodes, edges. `plain`: no badges (above 800 nodes,
  // where a second image per node made drawing 2,000 nodes a third slower; fill and border still tell).
  NS.elements = function (graph, iconBase, plain) {
    var boxes = {}, out = [];
    graph.nodes.forEach(function (n) {
      var box = boxOf(n);
      if (box && !boxes[box]) {
        boxes[box] = true;
        var isSwitch = box.indexOf("box|switch|") === 0;
        out.push({ group: "nodes", classes: "box", data: { id: box, label: (isSwitch ? "switch " : "") +
          (n.host || n.switch), kind: isSwitch ? "switch" : "host", name: n.host || n.switch, w: 10, h: 10 } });
      }
      var status = n.status || "none";
      var classes = ["obj", "s-" + status];   // a big graph's style colours by class (NS.style)
      if (n.stale) classes.push("stale");
      if (n.focal) classes.push("focal");
      if (n.aggregate) classes.push("aggregate");
      if (n.summary) classes.push("summary");
      var icon = iconFor(iconBase, n.type, n.aggregate);
      var label = n.name;
      if (n.summary) {
        label = (n.type === "hosts" ? n.hosts + " hosts from\n" + n.name.split(" \u2026 ")[0] : n.name) + "\n" + n.count +
          " objects" + (status !== "none" ? " \u00b7 " + status : "");
      }
      out.push({ group: "nodes", classes: classes.join(" "), data: {
        id: n.id, box: box, label: label, name: n.name, type: n.type, status: status,
        color: NS.COLORS[status] || NS.COLORS.none, fill: FILLS[status] || FILLS.none,
        icon: icon, images: BADGES[status] && !plain ? [icon, iconBase + BADGES[status]] : [icon], api: n } });
    });
    // A big graph draws its links without arrows, so each is given to Cytoscape from its end with fewer links:
    // adding an edge looks through every link of its source for parallel ones, which from an instance with
    // 2,000 vNICs was 4 million looks. The link as the API gave it stays in `api` (hover card, path, export).
    var degree = {};
    if (plain) {
      graph.links.forEach(function (l) {
        degree[l.source] = (degree[l.source] || 0) + 1;
        degree[l.target] = (degree[l.target] || 0) + 1;
      });
    }
    graph.links.forEach(function (l) {
      var status = l.status || "none", flip = plain && degree[l.source] > degree[l.target];
      out.push({ group: "edges", classes: "s-" + status + (l.aggregate ? " aggregate" : "") + (l.stale ? " stale" : ""), data: {
        id: "link|" + l.id, source: flip ? l.target : l.source, target: flip ? l.source : l.target, label: l.link_name || "",
        status: status, count: l.count || 1, color: NS.COLORS[status] || NS.COLORS.none, api: l } });
    });
    return out;
  };

  // Node labels are drawn from this zoom on (11 px names under 8 px are unreadable). A big graph leaves
  // them out of its style below it (`labels` false): measuring 2,000 names cost a second at the first draw.
  NS.LABEL_ZOOM = 8 / 11;

  // The marks every graph needs whatever its size: overlays (find, path, changes) and what a box is.
  function overlays() {
    return [
      { selector: ".dimmed", style: { "opacity": 0.15 } },
      { selector: "node.found", style: { "border-color": "#1565c0", "border-width": 7, "z-index": 20 } },
      { selector: "node.on-path", style: { "border-color": "#6a1b9a", "border-width": 7, "z-index": 20 } },
      { selector: "edge.on-path", style: { "line-color": "#6a1b9a", "width": 6, "z-index": 20 } },
      { selector: "node.added", style: { "underlay-color": "#2e7d32", "underlay-opacity": 0.5, "underlay-padding": 8 } },
      { selector: "node.changed", style: { "underlay-color": "#f9a825", "underlay-opacity": 0.6, "underlay-padding": 8 } },
      { selector: "node.removed", style: { "opacity": 0.3, "border-style": "dotted" } }
    ];
  }

  function boxes() {
    return [
      { selector: "node.box", style: {
        "shape": "round-rectangle", "width": "data(w)", "height": "data(h)", "z-index-compare": "manual", "z-index": 1,
        "background-color": "#e3f2fd", "background-opacity": 0.55,
        "border-width": 1, "border-color": "#64b5f6", "label": "data(label)", "font-size": 12,
        "font-weight": "bold", "color": "#0d47a1", "text-valign": "top", "text-halign": "center",
        "text-margin-y": -4, "min-zoomed-font-size": 5 } },
      { selector: "node.box[kind = 'switch']", style: { "background-color": "#ede7f6", "border-color": "#9575cd",
        "color": "#4527a0" } },
      { selector: "node.box.collapsed", style: { "width": 110, "height": 46, "border-width": 2,
        "border-style": "double", "text-valign": "center", "text-margin-y": 0 } }
    ];
  }

  // Above BIG nodes (panel.js): fewer selectors and values, status by class rather than one mapped from each
  // element's data; one icon per node (no badge); no link labels (they cost the most to measure). Zoomed out
  // (`labels` false) no other text value, and none that is Cytoscape's default: every value set on a node
  // makes Cytoscape look again at each of its links, 2,000 of them for a clique's focal instance.
  function bigStyle(labels) {
    var node = { "shape": "round-rectangle", "width": 38, "height": 38, "background-color": FILLS.none,
      "border-width": 3, "border-color": NS.COLORS.none, "background-image": "data(icon)",
      "background-width": "60%", "background-height": "60%", "z-index-compare": "manual", "z-index": 3,
      "min-zoomed-font-size": 8 };   // kept zoomed out too: no name is ever drawn smaller than readable
    if (labels) {
      node.label = "data(label)";
      node["font-size"] = 11; node.color = "#1f2933"; node["text-valign"] = "bottom"; node["text-margin-y"] = 4;
      node["text-wrap"] = "none";
    }
    var out = [
      { selector: "node.obj", style: node },
      { selector: "node.focal", style: { "border-width": 6, "width": 46, "height": 46 } },
      { selector: "node.aggregate", style: { "shape": "ellipse", "border-style": "double", "border-width": 5,
        "width": 54, "height": 54 } },
      { selector: "node.summary", style: { "width": 64, "height": 48, "border-style": "double", "text-wrap": "wrap",
        "text-max-width": 150, "background-image": "data(images)", "background-width": ["55%", "36%"],
        "background-height": ["55%", "36%"], "background-position-x": ["40%", "104%"],
        "background-position-y": ["60%", "-4%"] } },
      { selector: "node.stale", style: { "opacity": 0.4, "border-style": "dashed" } },
      // haystack: straight lines without per-edge geometry (arrows, control points), the fastest to draw
      { selector: "edge", style: { "width": 2, "line-color": NS.COLORS.none, "curve-style": "haystack",
        "z-index-compare": "manual", "z-index": 2 } },
      { selector: "edge.aggregate", style: { "line-style": "dashed", "width": 4 } },
      { selector: "edge.stale", style: { "opacity": 0.35, "line-style": "dotted" } },
      { selector: "edge.meta", style: { "line-style": "dashed" } }
    ];
    ["OK", "Warning", "Error"].forEach(function (s) {
      var fill = { "background-color": FILLS[s], "border-color": NS.COLORS[s] };
      if (s !== "OK") fill["border-width"] = 4;
      if (s !== "OK" && labels) fill["font-weight"] = "bold";
      out.push({ selector: "node.obj.s-" + s, style: fill });
      out.push({ selector: "edge.s-" + s, style: { "line-color": NS.COLORS[s] } });
    });
    return out.concat(boxes(), overlays());
  }

  NS.style = function (big, edgeLabels, labels) {
    if (big) return bigStyle(labels);
    return [
      { selector: "node.obj", style: {
        "shape": "round-rectangle", "width": 38, "height": 38, "background-color": "data(fill)",
        "border-width": 3, "border-color": "data(color)", "background-image": "data(images)",
        "background-fit": "none", "background-width": ["60%", "56%"], "background-height": ["60%", "56%"],
        "background-position-x": ["40%", "104%"], "background-position-y": ["60%", "-4%"],
        "label": "data(label)", "font-size": 11, "color": "#1f2933", "text-valign": "bottom",
        "text-margin-y": 4, "text-wrap": "ellipsis", "text-max-width": 110,
        // labels are hidden while they would be drawn smaller than this (zoomed out): the hover card names the node
        "min-zoomed-font-size": 8, "z-index-compare": "manual", "z-index": 3 } },
      { selector: "node.obj[status = 'Error'], node.obj[status = 'Warning']", style: { "border-width": 4, "font-weight": "bold" } },
      { selector: "node.focal", style: { "border-width": 6, "width": 46, "height": 46, "font-weight": "bold" } },
      { selector: "node.aggregate", style: { "shape": "ellipse", "border-style": "double", "border-width": 5,
        "width": 54, "height": 54, "font-style": "italic" } },
      { selector: "node.summary", style: { "shape": "round-rectangle", "width": 64, "height": 48, "border-width": 3,
        "border-style": "double", "font-style": "normal", "text-wrap": "wrap", "text-max-width": 150,
        "background-width": ["55%", "36%"], "background-height": ["55%", "36%"] } },
      { selector: "node.summary[status = 'Error'], node.summary[status = 'Warning']", style: { "border-width": 5 } },
      { selector: "node.stale", style: { "opacity": 0.4, "border-style": "dashed" } },
      { selector: "edge", style: {
        "width": 2, "line-color": "data(color)", "curve-style": "straight", "haystack-radius": 0,
        "z-index-compare": "manual", "z-index": 2,
        "label": edgeLabels ? "data(label)" : "", "font-size": 8, "color": "#37474f", "text-rotation": "autorotate",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1,
        // link names only when zoomed in (8 px at zoom 1.4): zoomed out they covered the nodes' names
        "min-zoomed-font-size": 11 } },
      { selector: "edge.aggregate", style: { "line-style": "dashed", "width": "mapData(count, 1, 200, 2, 9)" } },
      { selector: "edge.stale", style: { "opacity": 0.35, "line-style": "dotted" } },
      { selector: "edge.meta", style: { "line-style": "dashed", "width": 2, "label": "" } }
    ].concat(boxes(), overlays());
  };

  // Each box as the rectangle `r` (a box node is sized and placed, never a compound parent).
  NS.placeBox = function (box, r) {
    box.data({ w: Math.max(20, r.x2 - r.x1), h: Math.max(20, r.y2 - r.y1) });
    box.position({ x: (r.x1 + r.x2) / 2, y: (r.y1 + r.y2) / 2 });
  };

  NS.membersOf = function (cy, box) {
    var id = box.id();
    return cy.nodes(".obj").filter(function (n) { return n.data("box") === id; });
  };

  // The viewport showing the rectangle `r`, at most 1.6x.
  function view(cy, r) {
    cy.viewport(viewport(cy.width(), cy.height(), r, cy.minZoom()));
  }

  var RANK = { Error: -3, Warning: -2, OK: -1 };

  // The layered layout's input from Cytoscape element definitions (or elements): summaries sort worst
  // first; objects by name, then reordered to cross fewer links (layout.js).
  function layoutItem(id, d, summary) {
    return { id: id, type: d.type, name: d.name, box: d.box || null, rank: summary ? (RANK[d.status] || 0) : 0 };
  }

  // The viewport showing the rectangle `r` in a `w` x `h` canvas, at most 1.6x and at least `minZoom`.
  function viewport(w, h, r, minZoom) {
    var pad = 40;
    var zoom = Math.min(1.6, (w - 2 * pad) / Math.max(1, r.x2 - r.x1), (h - 2 * pad) / Math.max(1, r.y2 - r.y1));
    zoom = Math.max(minZoom, zoom);
    return { zoom: zoom, pan: { x: w / 2 - zoom * (r.x1 + r.x2) / 2, y: h / 2 - zoom * (r.y1 + r.y2) / 2 } };
  }

  function extentOf(points) {
    var all = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
    points.forEach(function (p) {
      all.x1 = Math.min(all.x1, p.x - 60); all.x2 = Math.max(all.x2, p.x + 60);
      all.y1 = Math.min(all.y1, p.y - 60); all.y2 = Math.max(all.y2, p.y + 60);
    });
    return all;
  }

  // The layered layout applied to element definitions before Cytoscape is made (positions, boxes' sizes):
  // Cytoscape then draws once, where placing 2,000 drawn nodes afterwards made it redo their bounds and
  // styles. Returns the viewport ({zoom, pan}) for a `w` x `h` canvas, and sets NS.extent.
  NS.preset = function (els, w, h, minZoom) {
    var items = [], edges = [], boxes = [];
    els.forEach(function (e) {
      if (e.group === "edges") edges.push([e.data.source, e.data.target]);
      else if (e.classes === "box") boxes.push(e);
      else items.push(layoutItem(e.data.id, e.data, / summary/.test(e.classes)));
    });
    var placed = NS.layered(items, edges), points = [];
    els.forEach(function (e) {
      var p = placed.positions[e.data.id];
      if (p) { e.position = { x: p.x, y: p.y }; points.push(p); }
    });
    boxes.forEach(function (b) {
      var r = placed.boxes[b.data.id];
      if (!r) return;
      b.data.rect = r;
      b.data.w = Math.max(20, r.x2 - r.x1); b.data.h = Math.max(20, r.y2 - r.y1);
      b.position = { x: (r.x1 + r.x2) / 2, y: (r.y1 + r.y2) / 2 };
    });
    NS.extent = extentOf(points);
    return points.length ? viewport(w, h, NS.extent, minZoom) : { zoom: 1, pan: { x: 0, y: 0 } };
  };

  // Lay out: the layered reading order (default) or a force layout; `done` runs once drawn.
  NS.runLayout = function (cy, name, done) {
    var leaves = cy.nodes(".obj"), boxes = cy.nodes(".box");
    function finish() {
      var all, byBox = {};
      leaves.forEach(function (n) { var b = n.data("box"); if (b) (byBox[b] = byBox[b] || []).push(n); });
      cy.batch(function () {
        boxes.forEach(function (b) { NS.placeBox(b, b.data("rect") || NS.boxAround(byBox[b.id()] || [])); });
      });
      all = extentOf(leaves.map(function (n) { return n.position(); }));
      if (leaves.nonempty()) view(cy, all);
      NS.extent = all;
      window.requestAnimationFrame(function () { window.requestAnimationFrame(done); });
    }
    if (name === "force") {
      boxes.forEach(function (b) { b.removeData("rect"); });
      var layout = leaves.union(leaves.edgesWith(leaves)).layout({ name: "cose", animate: false, randomize: true,
        numIter: 600, fit: false, nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 90; } });
      layout.one("layoutstop", finish);
      layout.run();
      return;
    }
    var placed = NS.layered(leaves.map(function (n) { return layoutItem(n.id(), n.data(), n.hasClass("summary")); }),
      cy.edges().not(".meta").map(function (e) { return [e.source().id(), e.target().id()]; }));
    cy.batch(function () {
      leaves.forEach(function (n) { n.position(placed.positions[n.id()]); });
      boxes.forEach(function (b) { b.data("rect", placed.boxes[b.id()]); });
    });
    finish();
  };

  // Fit the whole graph (from the layout's extent, cheap at any size) or `eles`, never closer than 1.6x.
  NS.fit = function (cy, eles) {
    if (!eles && NS.extent) { view(cy, NS.extent); return; }
    cy.fit(eles, 40);
    if (cy.zoom() > 1.6) {
      cy.zoom(1.6);
      cy.center(eles);
    }
  };
})();
