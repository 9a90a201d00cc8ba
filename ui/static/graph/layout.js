/* Calipso graph: the layered layout, reading from the VM down to the wire.
 *
 * Rows follow the object types' order (instances and vServices on top, then vNICs,
 * vConnectors, vEdges, OTEPs, pNICs; switch ports, switches and networks last); each host or
 * switch box holds its own rows, boxes sit side by side and wrap, and objects outside any box
 * (networks) take the bottom rows. Linear in the number of nodes, so 2,000 nodes lay out at
 * once: a general-purpose layered layout would order by link direction, which in Calipso's
 * links does not follow this reading order. It also returns each box's rectangle, so boxes are
 * plain nodes drawn behind their members (Cytoscape's compound nodes cost seconds at 2,000).
 * Within a box, each row is then reordered by the mean place of its neighbours in the row above
 * and below (barycenter sweeps, linear in the links), so links cross less than in name order.
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});

  NS.LAYERS = ["instance", "vservice", "container", "pod", "vnic", "port", "vconnector", "vedge", "otep",
    "host_pnic", "pnic", "switch_pnic", "switch", "network"];
  var STEP_X = 110, STEP_Y = 95, BOX_GAP = 70, PAD = 40;

  function layerOf(type) {
    var i = NS.LAYERS.indexOf(type);
    return i < 0 ? NS.LAYERS.length : i;
  }
  NS.layerOf = layerOf;

  function byName(a, b) {
    if ((a.rank || 0) !== (b.rank || 0)) return (a.rank || 0) - (b.rank || 0);
    var x = a.name || "", y = b.name || "";
    return x < y ? -1 : x > y ? 1 : 0;
  }

  // Barycenter sweeps (down, up, twice): each row ordered by where its neighbours sit in the next row.
  function uncross(layers, adj) {
    var index = {};
    function note(row) { row.forEach(function (n, i) { index[n.id] = i / Math.max(1, row.length - 1); }); }
    layers.forEach(note);
    function sweep(row, ref) {
      var inRef = {};
      ref.forEach(function (n) { inRef[n.id] = true; });
      var keyed = row.map(function (n, i) {
        var sum = 0, count = 0;
        (adj[n.id] || []).forEach(function (m) { if (inRef[m]) { sum += index[m]; count += 1; } });
        return { n: n, k: count ? sum / count : index[n.id], i: i };
      });
      keyed.sort(function (a, b) { return a.k - b.k || a.i - b.i; });
      var out = keyed.map(function (x) { return x.n; });
      note(out);
      return out;
    }
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 1; i < layers.length; i++) layers[i] = sweep(layers[i], layers[i - 1]);
      for (var j = layers.length - 2; j >= 0; j--) layers[j] = sweep(layers[j], layers[j + 1]);
    }
    return layers;
  }

  // Rows of one group of nodes, each long row wrapped at `perRow`; `adj` (id -> [ids]) to cross fewer links.
  function rowsOf(items, perRow, adj) {
    var layers = {};
    items.forEach(function (n) {
      var l = layerOf(n.type);
      (layers[l] = layers[l] || []).push(n);
    });
    var ordered = Object.keys(layers).map(Number).sort(function (a, b) { return a - b; })
      .map(function (l) { return layers[l].sort(byName); });
    if (adj) ordered = uncross(ordered, adj);
    var rows = [];
    ordered.forEach(function (row) {
      for (var i = 0; i < row.length; i += perRow) rows.push(row.slice(i, i + perRow));
    });
    return rows;
  }

  function perRowFor(count) {
    return Math.max(6, Math.ceil(Math.sqrt(count) * 1.6));
  }

  // {positions: {id: {x, y}}, boxes: {box id: {x1, y1, x2, y2}}} for `nodes` ([{id, type, name, box, rank}]);
  // `edges` ([[source id, target id]]) reorder the rows to cross fewer links (omitted: name order).
  NS.layered = function (nodes, edges) {
    var adj = null;
    if (edges) {
      adj = {};
      edges.forEach(function (e) {
        (adj[e[0]] = adj[e[0]] || []).push(e[1]);
        (adj[e[1]] = adj[e[1]] || []).push(e[0]);
      });
    }
    var boxes = {}, loose = [], order = [];
    nodes.forEach(function (n) {
      if (n.box) {
        if (!boxes[n.box]) { boxes[n.box] = []; order.push(n.box); }
        boxes[n.box].push(n);
      } else {
        loose.push(n);
      }
    });
    // host boxes before switch boxes (switches sit nearer the wire), then by name
    order.sort(function (a, b) {
      var sa = a.indexOf("box|switch|") === 0, sb = b.indexOf("box|switch|") === 0;
      return sa !== sb ? (sa ? 1 : -1) : (a < b ? -1 : a > b ? 1 : 0);
    });
    var pos = {};
    var blocks = order.map(function (id) {
      var items = boxes[id], rows = rowsOf(items, perRowFor(items.length), adj);
      var width = 0;
      rows.forEach(function (r) { width = Math.max(width, r.length); });
      return { id: id, rows: rows, w: width * STEP_X, h: rows.length * STEP_Y };
    });
    var total = 0;
    blocks.forEach(function (b) { total += (b.w + BOX_GAP) * (b.h + BOX_GAP); });
    var lineWidth = Math.max(1200, Math.sqrt(total) * 1.7);
    var x = 0, y = 0, lineH = 0, maxX = 0, rects = {};
    blocks.forEach(function (b) {
      if (x > 0 && x + b.w > lineWidth) { x = 0; y += lineH + BOX_GAP; lineH = 0; }
      rects[b.id] = { x1: x - 12, y1: y - 14, x2: x + b.w + 12, y2: y + b.h + 4 };
      b.rows.forEach(function (row, ri) {
        var offset = (b.w - row.length * STEP_X) / 2;
        row.forEach(function (n, ci) {
          pos[n.id] = { x: x + offset + ci * STEP_X + STEP_X / 2, y: y + ri * STEP_Y + STEP_Y / 2 };
        });
      });
      x += b.w + BOX_GAP;
      maxX = Math.max(maxX, x);
      lineH = Math.max(lineH, b.h);
    });
    var bottom = blocks.length ? y + lineH + BOX_GAP + PAD : 0;
    var looseRows = rowsOf(loose, Math.max(perRowFor(loose.length), Math.floor(Math.max(maxX, 600) / STEP_X)), adj);
    var widest = 0;
    looseRows.forEach(function (row) { widest = Math.max(widest, row.length * STEP_X); });
    looseRows.forEach(function (row, ri) {
      var offset = (Math.max(maxX - BOX_GAP, widest) - row.length * STEP_X) / 2;
      row.forEach(function (n, ci) {
        pos[n.id] = { x: offset + ci * STEP_X + STEP_X / 2, y: bottom + ri * STEP_Y + STEP_Y / 2 };
      });
    });
    return { positions: pos, boxes: rects };
  };

  // The rectangle around a box's members wherever they are (after a force layout or a drag).
  NS.boxAround = function (members) {
    var r = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
    members.forEach(function (n) {
      var p = n.position();
      r.x1 = Math.min(r.x1, p.x - 45); r.x2 = Math.max(r.x2, p.x + 45);
      r.y1 = Math.min(r.y1, p.y - 40); r.y2 = Math.max(r.y2, p.y + 50);
    });
    return r;
  };
})();
