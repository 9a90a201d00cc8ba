"""Documents' repeated short strings become one object, at any depth, and nothing else changes."""

from __future__ import annotations

from app.shared_strings import LONGEST, share


def fresh(s: str) -> str:
    return "".join(list(s))     # a new object of the same value


def test_equal_short_strings_in_two_documents_become_one_object():
    a = {"environment": fresh("prod"), "ports": [{"host": fresh("cmp-1")}], "tags": [fresh("x"), 3, None]}
    b = {"environment": fresh("prod"), "ports": [{"host": fresh("cmp-1")}], "tags": [fresh("x"), 3, None]}
    assert a["environment"] is not b["environment"]
    share(a), share(b)
    assert a == b
    assert a["environment"] is b["environment"] and a["ports"][0]["host"] is b["ports"][0]["host"]
    assert a["tags"][0] is b["tags"][0]


def test_long_strings_and_other_values_are_left_as_they_are():
    long = fresh("p" * (LONGEST + 1))
    doc = {"path": long, "n": 5, "t": (fresh("a"),)}
    share(doc)
    assert doc["path"] is long and doc == {"path": "p" * (LONGEST + 1), "n": 5, "t": ("a",)}
