/* Calipso graph: find and hide expressions (Kiali style), one small language for both boxes.
 *
 *   expression := any  { ("," | "|" | "or")  any }         matches when one of them does
 *   any        := cond { ("&" | "and") cond }               matches when all of them do
 *   cond       := ["!"] field op value | ["!"] text         text alone: the name or id contains it
 *   op         := "=" (equals; * is a wildcard) | "!=" | "~" (contains) | "!~"
 *   field      := name | id | type | host | status | stale
 *   value      := text up to the next separator, or "a quoted text" (for commas, quotes: \" and \\)
 *
 * Case does not matter. `status` is ok, warning, error or none (not monitored); `stale` is yes or no.
 * A bad expression is an error that says what is wrong and at which column (`at`, `end`: 0-based).
 * Pure: NS.parseFind and NS.matches run under node too (tests/unit/ui/test_find_expressions.py).
 */
(function (root) {
  "use strict";
  var NS = (root.CalipsoGraph = root.CalipsoGraph || {});
  var FIELDS = ["name", "id", "type", "host", "status", "stale"];
  var STATUSES = ["ok", "warning", "error", "none"];
  var BOOLS = { yes: true, true: true, no: false, false: false };

  function fail(message, at, end) {
    return { error: "Column " + (at + 1) + ": " + message, at: at, end: Math.max(end, at + 1) };
  }

  // Tokens: words/values, quoted values, operators, separators (with their columns).
  function tokens(text) {
    var out = [], i = 0, n = text.length;
    while (i < n) {
      var c = text[i];
      if (/\s/.test(c)) { i++; continue; }
      if (c === '"') {
        var j = i + 1, v = "";
        while (j < n && text[j] !== '"') {
          if (text[j] === "\\" && j + 1 < n) j++;
          v += text[j++];
        }
        if (j >= n) return fail("the quote opened here is not closed", i, n);
        out.push({ kind: "quoted", value: v, at: i, end: j + 1 });
        i = j + 1;
        continue;
      }
      var two = text.substr(i, 2);
      if (two === "!=" || two === "!~" || two === "&&" || two === "||") {
        out.push({ kind: two[1] === "=" || two[1] === "~" ? "op" : "sep", value: two === "&&" ? "&" : two === "||" ? "|" : two,
          at: i, end: i + 2, word: two });
        i += 2;
        continue;
      }
      if (c === "=" || c === "~") { out.push({ kind: "op", value: c, at: i, end: i + 1 }); i++; continue; }
      if (c === "," || c === "|" || c === "&") {
        out.push({ kind: "sep", value: c === "," ? "|" : c, at: i, end: i + 1, word: c });
        i++;
        continue;
      }
      if (c === "!") { out.push({ kind: "not", value: c, at: i, end: i + 1 }); i++; continue; }
      var k = i;
      while (k < n && !/[\s=~,|&"]/.test(text[k]) && !(text[k] === "!" && /[=~]/.test(text[k + 1] || ""))) k++;
      var word = text.slice(i, k);
      var low = word.toLowerCase();
      out.push(low === "and" || low === "or" ? { kind: "sep", value: low === "and" ? "&" : "|", at: i, end: k, word: word }
        : { kind: "word", value: word, at: i, end: k });
      i = k;
    }
    return out;
  }

  // `name=vm one` reads "vm one": the words that follow, up to the next separator, are the value.
  function value(list, pos) {
    var first = list[pos];
    if (first.kind === "quoted") return { value: first.value, next: pos + 1, at: first.at, end: first.end, quoted: true };
    var words = [], p = pos;
    while (p < list.length && list[p].kind === "word") words.push(list[p++]);
    if (!words.length) return null;
    return { value: words.map(function (w) { return w.value; }).join(" "), next: p, at: first.at, end: words[words.length - 1].end,
      words: words };
  }

  // Words followed by an operator: the last word starts a new condition that lacks its separator.
  function runOn(list, v) {
    var op = list[v.next];
    if (!op || op.kind !== "op") return null;
    if (v.words && v.words.length > 1) {
      var w = v.words[v.words.length - 1];
      return fail("\"and\" or \",\" is missing before \"" + w.value + op.value + "\"", w.at, w.end);
    }
    return fail("a second \"" + op.value + "\" in one condition: put a value holding it in quotes", op.at, op.end);
  }

  function pattern(op, raw, quoted) {
    var v = raw.toLowerCase();
    if (op === "~") return function (s) { return s.indexOf(v) >= 0; };
    if (quoted || v.indexOf("*") < 0) return function (s) { return s === v; };
    var re = new RegExp("^" + v.split("*").map(function (p) { return p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"); }).join(".*") + "$");
    return function (s) { return re.test(s); };
  }

  function condition(list, pos) {
    var t = list[pos], neg = false, start = t.at;
    if (t.kind === "not") {
      neg = true;
      t = list[++pos];
      if (!t) return fail("\"!\" needs a condition after it", start, start + 1);
    }
    if (t.kind === "op") {
      return fail("a field name is missing before \"" + t.value + "\" (one of " + FIELDS.join(", ") + ")", t.at, t.end);
    }
    if (t.kind === "sep") return fail("a condition is missing before \"" + (t.word || t.value) + "\"", t.at, t.end);
    var op = list[pos + 1];
    if (t.kind === "word" && op && op.kind === "op") {
      var field = t.value.toLowerCase();
      if (FIELDS.indexOf(field) < 0) {
        return fail("unknown field \"" + t.value + "\": use " + FIELDS.slice(0, -1).join(", ") + " or " +
          FIELDS[FIELDS.length - 1], t.at, t.end);
      }
      var v = list[pos + 2] && value(list, pos + 2);
      if (!v) {
        var after = list[pos + 2];
        var instead = after ? ", not \"" + (after.word || after.value) + "\"" : "";
        return fail("\"" + t.value + op.value + "\" needs a value after it" + instead, op.at, op.end);
      }
      if (runOn(list, v)) return runOn(list, v);
      var c = { field: field, op: op.value, value: v.value, at: start, end: v.end };
      if (field === "status") {
        if (STATUSES.indexOf(v.value.toLowerCase()) < 0) {
          return fail("status is " + STATUSES.slice(0, -1).join(", ") + " or none, not \"" + v.value + "\"", v.at, v.end);
        }
        if (op.value.indexOf("~") >= 0) return fail("status takes = or !=, not " + op.value, op.at, op.end);
      }
      if (field === "stale" && !(v.value.toLowerCase() in BOOLS)) {
        return fail("stale is yes or no, not \"" + v.value + "\"", v.at, v.end);
      }
      c.neg = neg !== (op.value[0] === "!");
      c.test = pattern(op.value.replace("!", ""), v.value, v.quoted);
      return { cond: c, next: v.next };
    }
    var text = value(list, pos);
    if (!text) return fail("unexpected \"" + t.value + "\"", t.at, t.end);
    if (runOn(list, text)) return runOn(list, text);
    return { cond: { field: "text", op: "~", value: text.value, neg: neg, at: start, end: text.end,
      test: pattern("~", text.value, true) }, next: text.next };
  }

  // The expression `text` as {any: [[cond, ...], ...]} (one of the lists, all of its conditions),
  // {empty: true} for blank text, or {error, at, end}.
  NS.parseFind = function (text) {
    text = String(text || "");
    var list = tokens(text);
    if (list.error) return list;
    if (!list.length) return { any: [], empty: true };
    var any = [[]], pos = 0, wantCond = true;
    while (pos < list.length) {
      var t = list[pos];
      if (!wantCond) {
        if (t.kind !== "sep") return fail("expected \",\", \"or\" or \"and\" before \"" + t.value + "\"", t.at, t.end);
        if (t.value === "|") any.push([]);
        wantCond = true;
        pos++;
        if (pos >= list.length) {
          return fail("nothing after \"" + (t.word || t.value) + "\": a condition must follow", t.at, t.end);
        }
        continue;
      }
      var r = condition(list, pos);
      if (r.error) return r;
      any[any.length - 1].push(r.cond);
      pos = r.next;
      wantCond = false;
    }
    return { any: any };
  };

  // What a condition looks at in an object of the graph (its API node).
  function field(node, name) {
    if (name === "name") return String(node.name || "").toLowerCase();
    if (name === "id") return String(node.object_id || "").toLowerCase();
    if (name === "type") return String(node.type || "").toLowerCase();
    if (name === "host") {
      return String(node.host || node.switch || (node.type === "host" ? node.object_id : "") || "").toLowerCase();
    }
    if (name === "status") return String(node.status || "none").toLowerCase();
    return "";
  }

  function holds(c, node) {
    var yes;
    if (c.field === "text") yes = c.test(field(node, "name")) || c.test(field(node, "id"));
    else if (c.field === "stale") yes = !!node.stale === BOOLS[c.value.toLowerCase()];
    else yes = c.test(field(node, c.field));
    return yes !== c.neg;
  }

  // Whether the parsed expression `e` matches one object of the graph (its API node).
  NS.matches = function (e, node) {
    return e.any.some(function (all) { return all.every(function (c) { return holds(c, node); }); });
  };

  /* A summary node (a folded host or run of hosts) stands for many objects: a condition is asked of
   * what is known of them (counts by type, worst status, the host names), answering ALL of them match,
   * PART (some, not all), SOME (at least one, maybe all), MAYBE (not known: names inside are not
   * shipped) or NONE. */
  var ALL = "all", PART = "part", SOME = "some", MAYBE = "maybe", NONE = "none";
  var RANK = { none: 0, ok: 1, warning: 2, error: 3 };
  NS.FOLD = { ALL: ALL, PART: PART, SOME: SOME, MAYBE: MAYBE, NONE: NONE };

  function runOf(s) {   // "hosts:<first>|<last>" -> [first, last] (names in the order the server cut the runs)
    var m = /^hosts:(.*)\|(.*)$/.exec(s.expand || "");
    return m ? [m[1].toLowerCase(), m[2].toLowerCase()] : null;
  }

  // One condition asked of the objects folded in summary `s`: of those of type `t`, or (t undefined) of all.
  function foldPositive(c, s, t) {
    if (c.field === "type") {
      if (t !== undefined) return c.test(t.toLowerCase()) ? ALL : NONE;
      var types = Object.keys(s.counts || {}), hit = types.filter(function (x) { return c.test(x.toLowerCase()); });
      return !hit.length ? NONE : hit.length === types.length ? ALL : PART;
    }
    if (c.field === "status") {   // the worst status is of the whole summary: which type holds it is not known
      var want = RANK[c.value.toLowerCase()], worst = RANK[String(s.status || "none").toLowerCase()] || 0;
      if (want > worst) return NONE;
      if (want === worst) return want === 0 ? ALL : t === undefined ? SOME : MAYBE;
      return MAYBE;
    }
    var run = runOf(s);
    if (c.field === "host") {
      if (!run) return c.test(String(s.name || "").toLowerCase()) ? ALL : NONE;
      // a run holds the hosts whose names sort between its first and last: an exact name is in it or not
      var v = c.value.toLowerCase();
      if (c.op.indexOf("=") >= 0 && v.indexOf("*") < 0) return v >= run[0] && v <= run[1] ? SOME : NONE;
      return MAYBE;
    }
    if ((c.field === "name" || c.field === "id" || c.field === "text") && !run && c.test(String(s.name || "").toLowerCase())) {
      return SOME;   // the host itself is folded in its summary
    }
    return MAYBE;
  }

  function not(x) { return x === ALL ? NONE : x === NONE ? ALL : x === PART ? PART : MAYBE; }
  function and(a, b) { return a === NONE || b === NONE ? NONE : a === ALL ? b : b === ALL ? a : MAYBE; }
  function or(a, b) {
    if (a === ALL || b === ALL) return ALL;
    if (a === NONE) return b;
    if (b === NONE) return a;
    return a === MAYBE && b === MAYBE ? MAYBE : SOME;
  }

  function asked(e, s, t) {
    return e.any.reduce(function (acc, all) {
      return or(acc, all.reduce(function (a, c) {
        var x = foldPositive(c, s, t);
        return and(a, c.neg ? not(x) : x);
      }, ALL));
    }, NONE);
  }

  // {type: how much of that type's objects in summary `s` the expression `e` matches}
  function perType(e, s) {
    var out = {};
    Object.keys(s.counts || {}).forEach(function (t) { if (s.counts[t] > 0) out[t] = asked(e, s, t); });
    return out;
  }

  // How much of a summary node `s` the expression `e` matches: NS.FOLD's ALL, PART, SOME, MAYBE or NONE.
  // Asked twice, both sound: type by type (so `type=vnic, type=otep` wholly matches a host holding only
  // those) and of the summary as a whole (so `status=error` is known to be in a host whose worst it is);
  // the more telling answer wins.
  var TELLING = { all: 3, none: 3, part: 2, some: 1, maybe: 0 };
  NS.matchesFolded = function (e, s) {
    var states = perType(e, s), types = Object.keys(states), whole = asked(e, s, undefined);
    if (!types.length) return whole;
    var has = function (x) { return types.some(function (t) { return states[t] === x; }); };
    var some = has(ALL) || has(PART) || has(SOME), split;
    if (types.every(function (t) { return states[t] === ALL; })) split = ALL;
    else if (types.every(function (t) { return states[t] === NONE; })) split = NONE;
    else if (some && (has(NONE) || has(PART))) split = PART;
    else split = some ? SOME : MAYBE;
    return TELLING[whole] > TELLING[split] ? whole : split;
  };

  // How many of a summary's objects match, when that is known exactly (each type wholly in or out), else null.
  NS.foldedCount = function (e, s) {
    var states = perType(e, s), types = Object.keys(states);
    if (!types.every(function (t) { return states[t] === ALL || states[t] === NONE; })) return null;
    return types.reduce(function (n, t) { return n + (states[t] === ALL ? s.counts[t] : 0); }, 0);
  };
})(typeof window !== "undefined" ? window : globalThis);
