/* Object pickers: an input marked `data-picker="inventory"` takes an inventory id, and suggests objects by
 * name as the user types (the API's /search/inventory through the console's relay). Choosing one (click,
 * or arrows and Enter) puts its id in the input and its name and type beside it; an id typed by hand
 * still works. The environment comes from `data-picker-env` (a name) or `data-picker-env-from` (a
 * selector of a field holding it). Text from the inventory is set with textContent only. */
(function () {
  "use strict";
  function envOf(input) {
    var from = input.getAttribute("data-picker-env-from");
    var field = from ? document.querySelector(from) : null;
    return field ? field.value : (input.getAttribute("data-picker-env") || "");
  }

  function bind(input, n) {
    var list = document.createElement("ul"), chosen = document.createElement("span"), asked = 0, timer = null;
    list.className = "suggestions picker-suggestions"; list.id = "picker-" + n; list.hidden = true;
    chosen.className = "picker-chosen muted small"; chosen.setAttribute("aria-live", "polite");
    input.setAttribute("autocomplete", "off");
    input.parentNode.classList.add("picker");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", chosen);
    if (window.CalipsoKeys) { window.CalipsoKeys.list(input, list); }

    function choose(o) {
      input.value = o.id;
      chosen.textContent = (o.object_name || o.name || o.id) + " · " + o.type + (o.name_path ? " · " + o.name_path : "");
      list.hidden = true;
      input.dispatchEvent(new CustomEvent("calipso:picked", {bubbles: true, detail: o}));
    }
    function show(objects, q) {
      list.textContent = "";
      if (!objects.length) {
        var none = document.createElement("li"); none.className = "muted"; none.textContent = "No object named like “" + q + "”";
        list.appendChild(none);
      }
      objects.forEach(function (o) {
        var li = document.createElement("li"), b = document.createElement("button");
        b.type = "button"; b.className = "picker-option";
        var name = document.createElement("span"); name.className = "s-name"; name.textContent = o.object_name || o.name || o.id;
        var type = document.createElement("span"); type.className = "type-tag"; type.textContent = o.type;
        var id = document.createElement("span"); id.className = "s-path"; id.textContent = o.id;
        b.appendChild(name); b.appendChild(type); b.appendChild(id);
        b.addEventListener("click", function () { choose(o); });
        li.appendChild(b); list.appendChild(li);
      });
      list.hidden = false;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      chosen.textContent = "";
      var q = input.value.trim();
      if (q.length < 2) { list.hidden = true; return; }
      timer = setTimeout(function () {
        var mine = ++asked, env = envOf(input);
        var type = input.getAttribute("data-picker-type-from");
        var typeField = type ? document.querySelector(type) : null;
        var url = "/search/inventory?match=prefix&limit=10&query=" + encodeURIComponent(q) + (env ? "&env_name=" + encodeURIComponent(env) : "") +
          (typeField && typeField.value ? "&type=" + encodeURIComponent(typeField.value) : "");
        Calipso.getJSON(url).then(function (b) { if (mine === asked) { show(b.objects || [], q); } }).catch(function () {});
      }, 200);
    });
    document.addEventListener("click", function (e) { if (e.target !== input && !list.contains(e.target)) { list.hidden = true; } });
  }

  Array.prototype.forEach.call(document.querySelectorAll('input[data-picker="inventory"]'), bind);
})();
