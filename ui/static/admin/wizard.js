/* Environment wizard: tabs, which tabs the type and flags need, flags the variant does not support,
 * the unsaved-changes warning and each tab's "Test connection". No inline script (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("wizard");
  if (!form) { return; }
  var supported = JSON.parse(form.getAttribute("data-supported") || "[]");
  var tabs = Array.prototype.slice.call(form.querySelectorAll(".tab"));
  var panels = Array.prototype.slice.call(form.querySelectorAll(".tab-panel"));
  var dirty = false, submitting = false;
  var readonly = form.getAttribute("data-readonly") === "true";
  if (readonly) {   /* a viewer sees the settings; the server refuses changes anyway */
    form.querySelectorAll("input, select").forEach(function (el) { el.disabled = true; });
  }

  function val(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function flag(name) { var el = form.querySelector('input[data-flag="' + name + '"]'); return !!(el && el.checked && !el.disabled); }
  function drivers() {
    var sel = form.elements.mechanism_drivers; var out = [];
    if (sel) { Array.prototype.forEach.call(sel.options, function (o) { if (o.selected) { out.push(o.value); } }); }
    return out;
  }
  function asList(v) { return Array.isArray(v) ? v : [v]; }

  /* Like the API's check: every mechanism driver of the variant must support the feature. */
  function supports(feature) {
    var d = val("distribution"), v = val("distribution_version"), t = val("type_drivers"), ms = drivers();
    if (!d || !ms.length || !t) { return {ok: true}; }
    for (var i = 0; i < ms.length; i++) {
      var found = supported.some(function (s) {
        var e = s.environment || {};
        return e.distribution === d && asList(e.distribution_version).indexOf(v) >= 0 &&
          asList(e.mechanism_drivers).indexOf(ms[i]) >= 0 && asList(e.type_drivers).indexOf(t) >= 0 &&
          (s.features || {})[feature] === true;
      });
      if (!found) { return {ok: false, why: feature + " is not supported for " + d + " " + v + " with " + ms[i] + " and " + t}; }
    }
    return {ok: true};
  }

  function applyFlags() {
    [["listen", "listening"], ["enable_monitoring", "monitoring"]].forEach(function (p) {
      var box = form.querySelector('input[data-flag="' + p[0] + '"]');
      if (!box) { return; }
      var s = supports(p[1]);
      var reason = box.parentNode.querySelector(".flag-reason");
      box.disabled = readonly || !s.ok;
      if (!s.ok && !readonly) { box.checked = false; }
      reason.hidden = s.ok;
      reason.textContent = s.ok ? "" : "(" + s.why + ")";
    });
  }

  function needed(when) {
    var type = val("environment_type") || "OpenStack";
    return {openstack: type === "OpenStack", kubernetes: type === "Kubernetes",
            cli: type === "OpenStack" || type === "Kubernetes",
            listen: type === "OpenStack" && flag("listen"), aci: flag("aci_enabled"),
            monitoring: flag("enable_monitoring")}[when];
  }

  function show(name) {
    tabs.forEach(function (t) { t.classList.toggle("active", t.getAttribute("data-tab") === name); });
    panels.forEach(function (p) { p.classList.toggle("active", p.getAttribute("data-panel") === name); });
  }

  function applyTabs() {
    applyFlags();
    tabs.forEach(function (t) {
      var when = t.getAttribute("data-when");
      var on = !when || needed(when);
      t.hidden = !on;
      var panel = form.querySelector('.tab-panel[data-panel="' + t.getAttribute("data-tab") + '"]');
      panel.disabled = !on;   /* a hidden section is not sent */
      if (!on && t.classList.contains("active")) { show("main"); }
    });
  }

  tabs.forEach(function (t) { t.addEventListener("click", function () { show(t.getAttribute("data-tab")); }); });
  document.getElementById("wizard-next").addEventListener("click", function () {
    var visible = tabs.filter(function (t) { return !t.hidden; });
    var at = visible.findIndex(function (t) { return t.classList.contains("active"); });
    show(visible[(at + 1) % visible.length].getAttribute("data-tab"));
  });
  form.addEventListener("change", function (e) {
    dirty = !readonly;
    if (e.target.name === "environment_type" && !form.getAttribute("data-editing")) {
      ["distribution", "distribution_version", "type_drivers"].forEach(function (n) { if (form.elements[n]) { form.elements[n].value = ""; } });
      Array.prototype.forEach.call(form.elements.mechanism_drivers.options, function (o) { o.selected = false; });
    }
    applyTabs();
  });
  form.addEventListener("input", function () { dirty = !readonly; });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) { e.preventDefault(); e.returnValue = "Changes are not saved. Are you sure you want to leave?"; return e.returnValue; }
  });
  var firstBad = tabs.filter(function (t) { return t.classList.contains("has-error"); })[0];
  applyTabs();
  if (firstBad && !firstBad.hidden) { show(firstBad.getAttribute("data-tab")); }

  /* ---- Test connection: the scan manager answers through the connection_tests collection ---- */
  var WAIT_MS = 20000;
  function sectionOf(name) {
    var out = {name: name};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf(name + ".") !== 0) { return; }
      var key = el.name.slice(name.length + 1);
      if (el.type === "checkbox") { out[key] = el.checked; } else if (el.value !== "") { out[key] = el.value; }
    });
    return out;
  }
  function say(name, text, cls) {
    var el = form.querySelector('[data-result="' + name + '"]');
    el.textContent = text; el.className = "test-result " + (cls || "");
  }
  function poll(env, id, name, started) {
    Calipso.getJSON("/connection_tests?env_name=" + encodeURIComponent(env) + "&id=" + encodeURIComponent(id)).then(function (t) {
      if (t.status === "response") {
        var ok = (t.test_results || {})[name];
        say(name, ok ? name + " connection succeeded" : name + " connection failed: " + ((t.errors || {})[name] || "no reason given"),
            ok ? "ok" : "bad");
        return;
      }
      if (Date.now() - started > WAIT_MS) {
        say(name, "No answer after " + WAIT_MS / 1000 + " s: no scan manager is running (start `calipso scan-manager`).", "bad");
        return;
      }
      setTimeout(function () { poll(env, id, name, started); }, 1000);
    }).catch(function (e) { say(name, "Could not read the test result: " + e.message, "bad"); });
  }
  form.querySelectorAll(".test-connection").forEach(function (b) {
    b.addEventListener("click", function () {
      var name = b.getAttribute("data-section");
      var env = val("name") || form.getAttribute("data-editing");
      if (!env) { say(name, "Give the environment a name first.", "bad"); return; }
      say(name, "Connection sent to be tested…", "wait");
      fetch("/wizard-test", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": Calipso.csrf},
        body: JSON.stringify({environment: env, section: sectionOf(name)})})
        .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
        .then(function (r) {
          if (!r.ok) { say(name, (r.body.error && r.body.error.message) || "refused", "bad"); return; }
          poll(env, r.body.id, name, Date.now());
        }).catch(function () { say(name, "The console did not answer.", "bad"); });
    });
  });
})();
