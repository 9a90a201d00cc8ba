/* Calipso graph: the toolbar's Find and Hide boxes, both taking the expressions of find.js.
 *
 * Find marks what matches (blue border), dims the rest and zooms to it; Enter in the box goes to
 * the next match and opens its card (keyboard.js). Hide takes matches off the canvas (a host box
 * left empty goes too; the layout is kept, so the picture does not jump). On a summary view, a
 * folded host is asked what is known of it (its counts by type, worst status, name): the message
 * says which folded hosts hold matches, and that names inside them are not searched until opened.
 * Both expressions are kept in the page's URL (`find=`, `hide=`), so a link shows the same view.
 * A bad expression leaves the graph as it was and says what is wrong and where.
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});
  var SHOWN = 3;   // folded hosts named in the message at most

  function api(n) { return n.data("api") || {}; }

  function unhide(cy) {
    cy.nodes(".find-hidden").forEach(function (n) {
      n.removeClass("find-hidden");
      var box = n.data("box") ? cy.getElementById(n.data("box")) : null;
      n.style("display", box && box.nonempty() && box.hasClass("collapsed") ? "none" : "element");
    });
  }

  function hideMatches(cy, e) {
    var folded = 0;
    var hits = cy.nodes(".obj").filter(function (n) {
      if (!n.hasClass("summary")) return NS.matches(e, api(n));
      var how = NS.matchesFolded(e, api(n));
      if (how !== NS.FOLD.ALL && how !== NS.FOLD.NONE) folded++;
      return how === NS.FOLD.ALL;
    });
    var boxes = cy.nodes(".box").filter(function (b) {
      var members = NS.membersOf(cy, b);
      return members.nonempty() && members.every(function (m) { return hits.contains(m); });
    });
    hits.union(boxes).addClass("find-hidden").style("display", "none");
    return { hidden: hits.length, folded: folded };
  }

  function describe(s, e) {
    var a = api(s), n = NS.foldedCount(e, a);
    var what = a.type === "hosts" ? "hosts " + a.name : a.name;
    return what + (n !== null ? " (" + n + " of " + a.count + " objects)" : "");
  }

  function findMatches(cy, e) {
    var objs = cy.nodes(".obj").not(".find-hidden"), hits = cy.collection(), maybe = cy.collection(), held = [];
    objs.forEach(function (n) {
      if (!n.hasClass("summary")) { if (NS.matches(e, api(n))) hits.merge(n); return; }
      var how = NS.matchesFolded(e, api(n));
      if (how === NS.FOLD.MAYBE) maybe.merge(n);
      else if (how !== NS.FOLD.NONE) { hits.merge(n); held.push(n); }
    });
    hits.addClass("found");
    cy.elements().not(hits).not(maybe).not(".box").addClass("dimmed");
    return { objects: hits.length - held.length, held: held, maybe: maybe.length };
  }

  function findMessage(r, e) {
    var parts = [r.objects + " found"];
    if (r.held.length) {
      var names = r.held.slice(0, SHOWN).map(function (s) { return describe(s, e); });
      parts.push("in folded " + (r.held.length === 1 ? "host " : "hosts ") + names.join(", ") +
        (r.held.length > SHOWN ? " and " + (r.held.length - SHOWN) + " more" : "") + ": click one to open it");
    }
    if (r.maybe) {
      var hosts = r.maybe + " folded " + (r.maybe === 1 ? "host" : "hosts");
      parts.push(byName(e) ? "names inside " + hosts + " are not searched: open one to search it"
        : hosts + " may hold matches (not known until opened): open one to see");
    }
    return parts.join(" · ");
  }

  // Whether the expression asks about what a summary does not ship: names, ids, staleness.
  function byName(e) {
    return e.any.some(function (all) {
      return all.some(function (c) { return ["type", "status", "host"].indexOf(c.field) < 0; });
    });
  }

  function mark(input, parsed) {
    var bad = !!parsed.error;
    input.classList.toggle("cg-invalid", bad);
    if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  function keep(find, hide) {
    if (!window.history || !window.history.replaceState) return;
    var u = new URL(window.location.href);
    [["find", find], ["hide", hide]].forEach(function (p) {
      if (p[1].trim()) u.searchParams.set(p[0], p[1]); else u.searchParams.delete(p[0]);
    });
    if (u.href !== window.location.href) window.history.replaceState(window.history.state, "", u.href);
  }

  function keyOf(panel) {
    var hide = panel.q(".cg-hide");
    return panel.q(".cg-find").value + "\u0000" + (hide ? hide.value : "");
  }

  // Find and hide again on the drawing as it is now (typed, redrawn, refreshed; `stay`: the view is not
  // moved to the matches); returns what it found.
  NS.applyFind = function (panel, stay) {
    var cy = panel.cy, findBox = panel.q(".cg-find"), hideBox = panel.q(".cg-hide"), out = panel.q(".cg-found");
    if (!cy || !findBox) return null;
    var f = NS.parseFind(findBox.value), h = NS.parseFind(hideBox ? hideBox.value : "");
    var key = keyOf(panel);
    if (key !== panel.findKey) panel.matchAt = -1;   // Enter in the Find box starts from the first match again
    panel.findKey = key;
    mark(findBox, f);
    if (hideBox) mark(hideBox, h);
    keep(findBox.value, hideBox ? hideBox.value : "");
    var lines = [], found = null, hidden = null;
    if (h.error) lines.push("Hide: " + h.error);
    if (f.error) lines.push("Find: " + f.error);
    if (lines.length) {   // a bad expression changes nothing: what is drawn stays as it was
      out.textContent = lines.join(" · ");
      out.classList.add("cg-found-error");
      panel.root.dataset.findError = lines.join(" · ");
      return null;
    }
    delete panel.root.dataset.findError;
    out.classList.remove("cg-found-error");
    if (f.empty && h.empty && !panel.findActive) { out.textContent = ""; return null; }   // nothing to undo either
    panel.findActive = !(f.empty && h.empty);
    cy.batch(function () {
      cy.elements().removeClass("found dimmed");
      unhide(cy);
      if (!h.empty) hidden = hideMatches(cy, h);
      if (!f.empty) found = findMatches(cy, f);
    });
    var card = panel.q(".cg-card"), shown = card && card.dataset.element ? cy.getElementById(card.dataset.element) : null;
    if (shown && (shown.empty() || !shown.visible())) NS.unpin(card);   // its object is hidden now: so is its card
    if (hidden) {
      lines.push(hidden.hidden + " hidden" + (hidden.folded ? " · " + hidden.folded + " folded " +
        (hidden.folded === 1 ? "host holds" : "hosts hold") + " some matches: open one to hide those" : ""));
    }
    if (found) lines.push(findMessage(found, f));
    out.textContent = lines.join(" · ");
    panel.root.dataset.found = found ? String(found.objects + found.held.length) : "";
    if (!stay && found && found.objects + found.held.length) NS.fit(cy, cy.nodes(".found"));
    else if (!stay && !found && hideBox && hideBox.value !== (panel.hideShown || "")) {
      NS.fit(cy, hidden ? cy.elements(":visible") : undefined);
    }
    panel.hideShown = hideBox ? hideBox.value : "";   // what is drawn changed: the view takes in what is left
    return found;
  };

  // The boxes' listeners; their values come back from the page's URL (a shared link shows the same view).
  NS.bindFind = function (panel) {
    var timer = null, params = new URLSearchParams(window.location.search);
    ["find", "hide"].forEach(function (name) {
      var box = panel.q(".cg-" + name);
      if (!box) return;
      if (params.get(name)) box.value = params.get(name);
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { NS.applyFind(panel); }, 200);
      });
      box.addEventListener("keydown", function (e) {
        if (e.key !== "Enter") return;
        e.preventDefault();
        clearTimeout(timer);
        var parsed = NS.parseFind(box.value);
        if (parsed.error) {   // the cursor goes to what is wrong
          NS.applyFind(panel);
          box.setSelectionRange(parsed.at, Math.min(parsed.end, box.value.length));
          return;
        }
        if (panel.findKey !== keyOf(panel)) NS.applyFind(panel);
        if (name === "find" && NS.nextMatch) NS.nextMatch(panel, e.shiftKey ? -1 : 1);
      });
    });
  };
})();
