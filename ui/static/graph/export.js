/* Calipso graph: the drawn graph as PNG (Cytoscape's own renderer) or SVG (written here).
 *
 * The SVG is drawn from the laid-out elements: boxes, links with their names, nodes with
 * their status colours and type icons (embedded, so the file stands alone). Every text is
 * escaped for XML. Written by hand because the Cytoscape SVG extension is GPL-licensed.
 */
(function () {
  "use strict";
  var NS = (window.CalipsoGraph = window.CalipsoGraph || {});
  var iconCache = {};

  function esc(s) {
    return String(s === undefined || s === null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c];
    });
  }
  NS.xmlEscape = esc;

  function download(blob, filename) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  NS.download = download;

  NS.exportPng = function (cy, filename) {
    var blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff", maxWidth: 8000, maxHeight: 8000 });
    download(blob, filename + ".png");
  };

  function icons(urls) {
    var todo = urls.filter(function (u) { return !(u in iconCache); });
    return Promise.all(todo.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (t) { iconCache[u] = t ? "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(t))) : ""; })
        .catch(function () { iconCache[u] = ""; });
    }));
  }

  // The SVG text of the visible graph.
  NS.svgText = function (cy) {
    var bb = cy.elements(":visible").boundingBox();
    var pad = 20, w = Math.ceil(bb.w + 2 * pad), h = Math.ceil(bb.h + 2 * pad);
    var dx = pad - bb.x1, dy = pad - bb.y1;
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h +
      '" font-family="sans-serif">', '<rect width="100%" height="100%" fill="#ffffff"/>'];
    cy.nodes(".box:visible").forEach(function (b) {
      var r = b.boundingBox({ includeLabels: false });
      var sw = b.data("kind") === "switch";
      out.push('<rect x="' + (r.x1 + dx) + '" y="' + (r.y1 + dy) + '" width="' + r.w + '" height="' + r.h +
        '" rx="8" fill="' + (sw ? "#ede7f6" : "#e3f2fd") + '" stroke="' + (sw ? "#9575cd" : "#64b5f6") + '"/>');
      out.push('<text x="' + (r.x1 + dx + r.w / 2) + '" y="' + (r.y1 + dy - 4) + '" font-size="12" font-weight="bold" ' +
        'text-anchor="middle" fill="#0d47a1">' + esc(b.data("label")) + "</text>");
    });
    cy.edges(":visible").forEach(function (e) {
      var s = e.source().position(), t = e.target().position();
      out.push('<line x1="' + (s.x + dx) + '" y1="' + (s.y + dy) + '" x2="' + (t.x + dx) + '" y2="' + (t.y + dy) +
        '" stroke="' + esc(e.data("color")) + '" stroke-width="2"' + (e.hasClass("meta") || e.hasClass("aggregate") ?
        ' stroke-dasharray="6 4"' : "") + "/>");
      if (e.data("label")) {
        out.push('<text x="' + ((s.x + t.x) / 2 + dx) + '" y="' + ((s.y + t.y) / 2 + dy - 3) + '" font-size="8" ' +
          'text-anchor="middle" fill="#37474f">' + esc(e.data("label")) + "</text>");
      }
    });
    cy.nodes(".obj:visible").forEach(function (n) {
      var p = n.position(), half = n.width() / 2;
      var op = n.hasClass("stale") ? ' opacity="0.4"' : "";
      out.push("<g" + op + '><rect x="' + (p.x + dx - half) + '" y="' + (p.y + dy - half) + '" width="' + 2 * half +
        '" height="' + 2 * half + '" rx="' + (n.hasClass("aggregate") ? half : 6) + '" fill="' + esc(n.data("fill")) +
        '" stroke="' + esc(n.data("color")) + '" stroke-width="3"/>');
      var icon = iconCache[n.data("icon")];
      if (icon) {
        out.push('<image x="' + (p.x + dx - half * 0.7) + '" y="' + (p.y + dy - half * 0.7) + '" width="' + half * 1.4 +
          '" height="' + half * 1.4 + '" href="' + icon + '"/>');
      }
      out.push('<text x="' + (p.x + dx) + '" y="' + (p.y + dy + half + 12) + '" font-size="10" text-anchor="middle" ' +
        'fill="#1f2933">' + esc(n.data("label")) + "</text></g>");
    });
    out.push("</svg>");
    return out.join("\n");
  };

  NS.exportSvg = function (cy, filename) {
    var urls = {};
    cy.nodes(".obj").forEach(function (n) { urls[n.data("icon")] = true; });
    return icons(Object.keys(urls)).then(function () {
      download(new Blob([NS.svgText(cy)], { type: "image/svg+xml" }), filename + ".svg");
    });
  };
})();
