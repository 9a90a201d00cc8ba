/* Suggestion lists chosen with the keyboard: arrows move, Enter picks, Escape closes.
 * CalipsoKeys.list(input, list) works on any list whose items hold a link or a button
 * (the top bar's search, the graph's "Path to…", the pickers of the admin forms). */
(function () {
  "use strict";
  function items(list) {
    return Array.prototype.filter.call(list.querySelectorAll("li"), function (li) { return li.querySelector("a, button"); });
  }
  function mark(list, index) {
    items(list).forEach(function (li, i) {
      li.classList.toggle("active", i === index);
      li.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) { li.scrollIntoView({block: "nearest"}); }
    });
    list.dataset.active = String(index);
  }
  window.CalipsoKeys = {
    list: function (input, list) {
      input.setAttribute("aria-autocomplete", "list");
      if (list.id) { input.setAttribute("aria-controls", list.id); }
      input.addEventListener("keydown", function (e) {
        var all = items(list), at = parseInt(list.dataset.active || "-1", 10);
        if (e.key === "Escape") { list.hidden = true; return; }
        if (list.hidden || !all.length) { return; }
        if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          e.preventDefault();
          at = e.key === "ArrowDown" ? Math.min(all.length - 1, at + 1) : Math.max(0, at - 1);
          mark(list, at);
        } else if (e.key === "Enter" && at >= 0 && all[at]) {
          e.preventDefault();
          all[at].querySelector("a, button").click();
        }
      });
      // a new list of suggestions starts with nothing chosen
      new MutationObserver(function () { list.dataset.active = "-1"; }).observe(list, {childList: true});
    }
  };
})();
