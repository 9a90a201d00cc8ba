/* Calipso console: menus, search suggestions, the live event stream, counters and the API banner.
 * No inline scripts (CSP). Text from the inventory is only ever set with textContent.
 * Other scripts listen to DOM events on document:
 *   calipso:summary  detail = the /summary payload ({environments: [...], messages: {...}})
 *   calipso:change   detail = {environment, version}  (an environment's inventory/links/messages/scans changed;
 *                    sent as soon as the change is seen, before the recounted summary)
 *   calipso:api      detail = {up: true|false}
 */
(function () {
  "use strict";
  var Calipso = window.Calipso = window.Calipso || {};
  Calipso.csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /* Sign in again, then come back to this page (not to the background request that found the session gone). */
  function signInAgain() {
    window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
  }

  /* JSON through the console's read-only API relay; a lost session goes to sign-in. */
  Calipso.getJSON = function (path) {
    return fetch("/ui-api" + path, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) {
        if (r.status === 401) {
          signInAgain();
          return Promise.reject(new Error("signed out"));
        }
        if (r.status === 503) { setBanner(false); throw new Error("API down"); }
        return r.json().then(function (b) { if (!r.ok) { throw new Error((b.error && b.error.message) || r.status); } return b; });
      });
  };

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, {detail: detail})); }

  /* ---- menus (the graph's export menu too): one open at a time, closed by a click outside or Escape ---- */
  function menus() { return document.querySelectorAll("details.menu, details.cg-export, details.cg-find-help-box"); }
  document.addEventListener("click", function (e) {
    menus().forEach(function (m) { if (!m.contains(e.target)) { m.open = false; } });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      menus().forEach(function (m) {
        if (m.open && m.contains(document.activeElement)) { m.querySelector("summary").focus(); }
        m.open = false;
      });
      hideSuggestions();
    }
  });

  /* ---- search suggestions (debounced, stale answers dropped) ---- */
  var box = document.getElementById("search-box");
  var list = document.getElementById("search-suggestions");
  var asked = 0, timer = null;
  function hideSuggestions() { if (list) { list.hidden = true; } }
  function showSuggestions(objects, q) {
    list.textContent = "";
    if (!objects.length) {
      var none = document.createElement("li");
      none.className = "muted"; none.textContent = "No object named like “" + q + "”";
      list.appendChild(none);
    }
    objects.forEach(function (o) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/environment/" + encodeURIComponent(o.environment) + "?selectedNodeId=" + encodeURIComponent(o.id);
      var name = document.createElement("span"); name.className = "s-name"; name.textContent = o.object_name || o.name;
      var type = document.createElement("span"); type.className = "type-tag"; type.textContent = o.type;
      var path = document.createElement("span"); path.className = "s-path"; path.textContent = o.environment + " · " + (o.name_path || "");
      a.appendChild(name); a.appendChild(type); a.appendChild(path);
      li.appendChild(a); list.appendChild(li);
    });
    list.hidden = false;
  }
  if (box && list) {
    if (window.CalipsoKeys) { window.CalipsoKeys.list(box, list); }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < 2) { hideSuggestions(); return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        Calipso.getJSON("/search/inventory?match=prefix&limit=15&query=" + encodeURIComponent(q)).then(function (b) {
          if (mine === asked) { showSuggestions(b.objects || [], q); }
        }).catch(function () {});
      }, 250);
    });
    document.addEventListener("click", function (e) { if (!box.form.contains(e.target)) { hideSuggestions(); } });
  }

  /* ---- the API banner ---- */
  var banner = document.getElementById("api-banner");
  var apiUp = true;
  function setBanner(up) {
    if (banner) { banner.hidden = up; }
    if (up !== apiUp) { apiUp = up; emit("calipso:api", {up: up}); }
  }
  Calipso.setApiUp = setBanner;

  /* A page rendered while the API was down asks the console until the API answers, then reloads. */
  var down = document.getElementById("api-down");
  if (down) {
    setBanner(false);
    setInterval(function () {
      fetch("/status", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
        if (s.api === "up") { window.location.assign(down.getAttribute("data-retry") || "/"); }
      }).catch(function () {});
    }, 2000);
  }

  /* ---- live updates ---- */
  function setText(el, value) { var s = String(value); if (el.textContent !== s) { el.textContent = s; el.classList.add("flash"); setTimeout(function () { el.classList.remove("flash"); }, 900); } }
  var versions = {};
  function applySummary(s) {
    var scoped = document.querySelector(".counters[data-env]");
    var envName = scoped && scoped.getAttribute("data-env");
    var totals = s.messages || {};
    (s.environments || []).forEach(function (e) {
      if (envName && e.name === envName) { totals = e.messages; }
      document.querySelectorAll('[data-env="' + CSS.escape(e.name) + '"]').forEach(function (root) {
        root.querySelectorAll("[data-count]").forEach(function (el) {
          var t = el.getAttribute("data-count");
          if (e.counts && t in e.counts) { setText(el, e.counts[t]); }
        });
        root.querySelectorAll("[data-env-messages]").forEach(function (el) { setText(el, e.messages[el.getAttribute("data-env-messages")]); });
        root.querySelectorAll("[data-env-last-scan]").forEach(function (el) { setText(el, e.last_scan ? e.last_scan.status : "—"); });
        root.querySelectorAll("[data-env-objects]").forEach(function (el) { setText(el, e.objects); });
        root.querySelectorAll("[data-env-scan-state]").forEach(function (el) { setText(el, e.scanned ? "scanned" : "not scanned yet"); });
      });
      if (versions[e.name] !== undefined && versions[e.name] !== e.version) { emit("calipso:change", {environment: e.name, version: e.version}); }
      versions[e.name] = e.version;
    });
    ["error", "warning", "info"].forEach(function (lvl) {
      document.querySelectorAll('[data-messages="' + lvl + '"]').forEach(function (el) { setText(el, totals[lvl] || 0); });
    });
    emit("calipso:summary", s);
  }
  var liveUrl = document.body.getAttribute("data-live");
  if (liveUrl && window.EventSource && !down) {
    var source = new EventSource(liveUrl);
    source.addEventListener("summary", function (e) { setBanner(true); applySummary(JSON.parse(e.data)); });
    source.addEventListener("api", function (e) { setBanner(JSON.parse(e.data).up); });
    source.addEventListener("change", function (e) {
      var c = JSON.parse(e.data);
      if (versions[c.environment] !== c.version) { versions[c.environment] = c.version; emit("calipso:change", c); }
    });
    source.addEventListener("session", function () {
      source.close();
      signInAgain();
    });
    Calipso.events = source;
  }
})();
