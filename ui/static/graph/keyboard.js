/* Calipso graph from the keyboard: Cytoscape's nodes take no focus, so the graph area does.
 *
 * - Tab to the graph: the focal object (or the first match of Find) is selected and its card opens pinned.
 * - Arrow keys: go to the linked object lying most nearly that way; its card opens in place of the last.
 * - Enter: a folded host opens; any other object opens its page (the card's first link).
 * - Tab from the graph walks the pinned card's links; Escape closes the card (the graph keeps focus).
 * - In the Find box, Enter goes to the next match (Shift+Enter: the one before) and opens its card, the
 *   typing staying in the box; Arrow Down from there moves into the graph, on that match.
 * Every selection is also said in words in a live region for screen readers.
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});
  var DIRS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

  function say(panel, words) {
    var live = panel.q(".cg-sr");
    if (live) live.textContent = words;
  }

  function words(node) {
    var a = node.data("api") || {};
    if (a.summary) {
      return (a.type === "hosts" ? a.hosts + " hosts " : "host ") + a.name + ", folded: " + a.count + " objects" +
        (a.status ? ", worst status " + a.status : "") + ". Enter opens it.";
    }
    var links = node.connectedEdges(":visible").length;
    return (a.name || a.object_id || "") + ", " + (a.type || "object") + (a.host ? " on " + a.host : "") +
      (a.status ? ", status " + a.status : ", not monitored") + ", " + links + (links === 1 ? " link" : " links") + ".";
  }

  function mark(panel, node) {
    var cy = panel.cy, was = panel.selected ? cy.getElementById(panel.selected) : null;
    if (was && was.nonempty()) was.removeStyle("overlay-color overlay-opacity overlay-padding");
    panel.selected = node ? node.id() : null;
    if (node) node.removeClass("dimmed").style({ "overlay-color": "#1565c0", "overlay-opacity": 0.25, "overlay-padding": 10 });
  }

  // Select `node`: marked, its card pinned, said; the focus stays where it was (the box or the graph).
  NS.selectNode = function (panel, node, prefix) {
    var keep = document.activeElement;
    mark(panel, node);
    var ext = panel.cy.extent(), p = node.position();
    if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) panel.cy.center(node);
    NS.pinCard(panel, node);
    if (keep && keep !== document.activeElement) keep.focus({ preventScroll: true });
    panel.root.dataset.selected = node.id();
    say(panel, (prefix || "") + words(node));
  };

  function selectable(panel) {
    return panel.cy.nodes(".obj").filter(function (n) { return n.visible(); });
  }

  function current(panel) {
    var n = panel.selected ? panel.cy.getElementById(panel.selected) : null;
    return n && n.nonempty() && n.visible() ? n : null;
  }

  // The linked object most nearly in direction `d` from `from` (within 80° of it), nearer ones first.
  function toward(from, d) {
    var p = from.position(), best = null, score = Infinity;
    from.neighborhood("node.obj").forEach(function (n) {
      if (!n.visible() || n.same(from)) return;
      var q = n.position(), dx = q.x - p.x, dy = q.y - p.y, dist = Math.sqrt(dx * dx + dy * dy) || 1;
      var cos = (dx * d[0] + dy * d[1]) / dist;
      if (cos < 0.17) return;
      var s = dist * (2 - cos);
      if (s < score) { score = s; best = n; }
    });
    return best;
  }

  // Enter in the Find box: the next (step 1) or previous (-1) match, in reading order.
  NS.nextMatch = function (panel, step) {
    if (!panel.cy) return;
    var found = panel.cy.nodes(".found").filter(function (n) { return n.visible(); }).sort(function (a, b) {
      return a.position("y") - b.position("y") || a.position("x") - b.position("x");
    });
    if (found.empty()) { say(panel, "Nothing found to go to."); return; }
    var at = typeof panel.matchAt === "number" ? panel.matchAt : -1;
    at = ((at + step) % found.length + found.length) % found.length;
    panel.matchAt = at;
    NS.selectNode(panel, found[at], (at + 1) + " of " + found.length + ": ");
  };

  function start(panel) {
    var cy = panel.cy;
    return current(panel) || cy.nodes(".found").filter(function (n) { return n.visible(); })[0] ||
      cy.nodes(".focal").filter(function (n) { return n.visible(); })[0] || selectable(panel)[0] || null;
  }

  NS.bindKeys = function (panel) {
    var stage = panel.q(".cg-stage"), find = panel.q(".cg-find");
    if (!stage) return;
    stage.addEventListener("focus", function (e) {
      // from the keyboard only: a click on the canvas focuses it too, and must not open a card by itself
      if (e.target !== stage || !panel.cy || current(panel) || !stage.matches(":focus-visible")) return;
      var n = start(panel);
      if (n) NS.selectNode(panel, n);
    });
    stage.addEventListener("keydown", function (e) {
      if (!panel.cy) return;
      var n = current(panel);
      if (DIRS[e.key]) {
        e.preventDefault();
        if (!n) { n = start(panel); if (n) NS.selectNode(panel, n); return; }
        var next = toward(n, DIRS[e.key]);
        if (next) NS.selectNode(panel, next);
        else say(panel, "No link that way from " + ((n.data("api") || {}).name || "here") + ".");
        if (stage.contains(document.activeElement) && document.activeElement !== stage) stage.focus({ preventScroll: true });
      } else if (e.key === "Enter" && e.target === stage) {
        e.preventDefault();
        if (!n) { n = start(panel); if (n) NS.selectNode(panel, n); return; }
        var a = n.data("api") || {};
        if (a.summary) { mark(panel, null); panel.toggleGroup(a.expand); return; }
        var open = panel.q(".cg-card.pinned .cg-card-links a");
        if (open) open.click();
      } else if (e.key === "Escape") {
        mark(panel, null);
        NS.unpin(panel.q(".cg-card"));
        delete panel.root.dataset.selected;
        say(panel, "Card closed.");
        if (document.activeElement !== stage) stage.focus({ preventScroll: true });
      }
    });
    // a redraw (a folded host opened, a live change) keeps the selection when its object is still drawn
    document.addEventListener("calipso:graph-ready", function () {
      var n = panel.cy && panel.selected ? panel.cy.getElementById(panel.selected) : null;
      if (n && n.nonempty()) mark(panel, n); else panel.selected = null;
    });
    if (find) {
      find.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown" && panel.cy && current(panel)) { e.preventDefault(); stage.focus(); }
        if (e.key === "Escape" && current(panel)) {
          mark(panel, null);
          NS.unpin(panel.q(".cg-card"));
          delete panel.root.dataset.selected;
        }
      });
    }
  };
})();
