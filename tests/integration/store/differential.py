"""The store's differential suite: generated documents and operations, run against the embedded store over
the wire and against mongomock (the oracle for what both support), compared.

A case is one operation (a find with a filter, sort and projection, a count, a distinct, an aggregation, an
update followed by reading the whole collection back). Its outcome is "agree", "refused" (the embedded store
answered with MongoDB's error code 2 or 115 and a message in `REFUSED`, the list the README names),
"oracle-refused" (mongomock cannot answer it: not counted against anyone) or a disagreement, which the suite
reports with the documents and the operation to reproduce it.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import mongomock
from bson import Int64, ObjectId
from hypothesis import strategies as st
from pymongo.errors import OperationFailure, PyMongoError

# what the embedded store refuses by design (app.store.embedded_guard); README "The store" names the same
REFUSED = (
    r"unknown or unsupported operator \$\w+",
    r"\$\w+ in (filter|\$match) is not supported by the embedded store",
    r"projection operator .* is not supported",
    r"a projection cannot mix inclusion and exclusion",
    r"path collision in projection",
    r"update operator \$\w+ is not supported",
    r"aggregation stage \$\w+ is not supported",
)

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
FIELDS = ("a", "b", "name", "tags", "sub")
LEAF_FIELDS = ("a", "b", "name", "tags", "sub.x", "sub.y", "tags.k")
OIDS = [ObjectId(bytes([i]) * 12) for i in range(1, 5)]

words = st.sampled_from(["", "host", "Host-1", "tap-ABC", "tapabc", "ünï", "Ωmega", "x_%", "a.b", "7"])
texts = st.one_of(words, st.text(alphabet="abAB-_ü√Ω1 ", max_size=4))
datetimes = st.integers(min_value=-3, max_value=3).map(lambda ms: T0 + timedelta(milliseconds=ms, microseconds=7))
numbers = st.one_of(st.integers(-3, 3), st.sampled_from([2**40, -(2**53), 2**62, 0.5, -1.25, 3.0]),
                    st.just(Int64(5)))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, datetimes, st.sampled_from(OIDS))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["x", "y", "k"]), inner, max_size=2)),
    max_leaves=4)


@st.composite
def documents(draw, strings_only_name: bool) -> list[dict]:
    """3-10 documents; `name` strings only in some datasets, so the store's SQL paths are exercised too."""
    n = draw(st.integers(3, 10))
    ids = draw(st.sampled_from(["int", "oid", "str"]))
    docs = []
    for i in range(n):
        doc: dict = {"_id": {"int": i, "oid": ObjectId(i.to_bytes(12, "big")), "str": f"d{i}"}[ids]}
        for field in FIELDS:
            if draw(st.integers(0, 4)) == 0:
                continue
            if field == "name" and strings_only_name:
                doc[field] = draw(texts)
            else:
                doc[field] = draw(values)
        docs.append(doc)
    return docs


def _operator(draw: Any, depth: int) -> dict:
    op = draw(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex",
                               "$not", "$size", "$all", "$elemMatch", "$type"]))
    if op in ("$in", "$nin", "$all"):
        return {op: draw(st.lists(scalars, min_size=1, max_size=3))}
    if op == "$exists":
        return {op: draw(st.booleans())}
    if op == "$regex":
        pattern = draw(st.one_of(words.map(re.escape), st.sampled_from(["^h", "b$", "^$", "a.c", "[0-9]"])))
        return {op: pattern, "$options": draw(st.sampled_from(["", "i"]))}
    if op == "$not":
        inner = _operator(draw, depth + 1) if depth < 1 else {"$gt": draw(numbers)}
        inner.pop("$options", None) if "$regex" not in inner else None
        return {op: inner}
    if op == "$size":
        return {op: draw(st.integers(0, 3))}
    if op == "$elemMatch":
        return {op: {"$gte": draw(numbers)} if draw(st.booleans()) else {"x": draw(scalars)}}
    if op == "$type":
        return {op: draw(st.sampled_from(["string", "number", "bool", "null", "array", "object", "date",
                                          "objectId"]))}
    return {op: draw(values)}


@st.composite
def filters(draw, depth: int = 0) -> dict:
    query: dict = {}
    for _ in range(draw(st.integers(0 if depth == 0 else 1, 2))):
        kind = draw(st.integers(0, 9))
        if kind <= 1 and depth < 2:
            query[draw(st.sampled_from(["$and", "$or", "$nor"]))] = draw(
                st.lists(filters(depth + 1), min_size=1, max_size=2))
        elif kind <= 4:
            query[draw(st.sampled_from(LEAF_FIELDS + ("_id",)))] = draw(values)
        else:
            query[draw(st.sampled_from(LEAF_FIELDS))] = _operator(draw, 0)
    return query


sorts = st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(("a", "b", "name", "sub.x")),
                                                st.sampled_from([1, -1])), min_size=1, max_size=2, unique_by=lambda t: t[0]))
projections = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(("a", "name", "sub.x", "tags.k", "_id")), st.just(1), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(("a", "b", "sub.y", "tags", "_id")), st.just(0), min_size=1, max_size=2))
updates = st.one_of(
    st.builds(lambda f, v: {"$set": {f: v}}, st.sampled_from(("a", "b", "sub.x", "new")), values),
    st.builds(lambda f: {"$unset": {f: ""}}, st.sampled_from(("a", "name", "sub.y"))),
    st.builds(lambda f, v: {"$inc": {f: v}}, st.sampled_from(("a", "n")), st.integers(-2, 2)),
    st.builds(lambda v: {"$push": {"tags": v}}, scalars),
    st.builds(lambda v: {"$addToSet": {"tags": v}}, scalars),
    st.builds(lambda v: {"$pull": {"tags": v}}, scalars),
    st.builds(lambda f, v: {"$max": {f: v}}, st.sampled_from(("a", "b")), numbers),
)
pipelines = st.builds(
    lambda match, key, acc, limit: [{"$match": match}, {"$group": {"_id": f"${key}", "v": acc}},
                                    {"$sort": {"_id": 1}}] + ([{"$limit": limit}] if limit else []),
    filters(1), st.sampled_from(("a", "name", "sub.x")),
    st.sampled_from([{"$sum": 1}, {"$sum": "$a"}, {"$max": "$a"}, {"$min": "$name"}, {"$first": "$_id"}]),
    st.sampled_from([0, 1, 3]))


class Outcomes:
    """Counts of case outcomes, and the disagreements found (with what reproduces them)."""

    def __init__(self) -> None:
        self.mongomock = True       # deviations of mongomock are skipped only when it is the oracle
        self.counts: Counter = Counter()
        self.refusals: Counter = Counter()
        self.disagreements: list[str] = []

    def total(self) -> int:
        return sum(self.counts.values())


def _refused(exc: Exception) -> str | None:
    if isinstance(exc, OperationFailure) and exc.code in (2, 115):
        message = str(exc.details.get("errmsg", exc)) if exc.details else str(exc)
        for pattern in REFUSED:
            if re.search(pattern, message):
                return pattern
    return None


def _has_array(docs: list[dict], path: str) -> bool:
    """mongomock orders arrays by their first element (MongoDB: smallest / largest): such sorts are compared
    as sets only."""
    def walk(value: Any, parts: list[str]) -> bool:
        if isinstance(value, list):
            return True
        if not parts or not isinstance(value, dict) or parts[0] not in value:
            return False
        return walk(value[parts[0]], parts[1:])
    return any(walk(d, path.split(".")) for d in docs)


def _scalar_parent(docs: list[dict], projection: dict | None) -> bool:
    """mongomock drops `sub` when excluding `sub.y` from a document whose `sub` is not a document; MongoDB keeps
    it as it is (a known deviation of the oracle: such cases count as "oracle-deviation", not compared)."""
    if not projection or any(v for k, v in projection.items() if k != "_id"):
        return False
    parents = [k.split(".")[0] for k in projection if "." in k]
    return any(p in d and not isinstance(d[p], (dict, list)) for p in parents for d in docs)


def _bool_and_number(docs: list[dict], path: str) -> bool:
    """mongomock's distinct takes False for 0 and True for 1 (Python equality); MongoDB keeps both."""
    from app.store.embedded_match import _values

    found: list = []
    for d in docs:
        for v in _values(d, path.split(".")):
            found.extend(v if isinstance(v, list) else [v])
    bools = {v for v in found if isinstance(v, bool)}
    return any(not isinstance(v, bool) and isinstance(v, (int, float)) and v in bools for v in found)


def _canon(value: Any) -> Any:
    """Comparable form: dicts by value (field order is not compared), datetimes as UTC."""
    if isinstance(value, dict):
        return tuple(sorted((k, _canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_canon(v) for v in value))
    if isinstance(value, datetime):
        return ("date", value.replace(tzinfo=None) if value.tzinfo is None else
                value.astimezone(timezone.utc).replace(tzinfo=None))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", value)
    return (type(value).__name__, value)


def compare(outcomes: Outcomes, label: str, embedded: Any, oracle: Any, ordered: bool, context: str) -> None:
    """One case: `embedded()` and `oracle()` are the two answers (callables, so that errors are caught)."""
    try:
        expected = oracle()
    except Exception:
        outcomes.counts["oracle-refused"] += 1
        try:
            embedded()
        except Exception:
            pass
        return
    try:
        got = embedded()
    except PyMongoError as exc:
        reason = _refused(exc)
        if reason is None:
            outcomes.disagreements.append(f"{label}: embedded raised {exc!r}, mongomock answered {expected!r}\n"
                                          f"{context}")
        else:
            outcomes.counts["refused"] += 1
            outcomes.refusals[reason] += 1
        return
    a, b = _canon(got), _canon(expected)
    if not ordered and isinstance(got, list) and isinstance(expected, list):
        a, b = sorted(map(repr, got and a[1])), sorted(map(repr, expected and b[1]))
    if a == b:
        outcomes.counts["agree"] += 1
    else:
        outcomes.disagreements.append(f"{label}: embedded {got!r}\n  mongomock {expected!r}\n{context}")


def run_example(db: Any, name: str, docs: list[dict], cases: list[tuple], outcomes: Outcomes,
                index_name: bool, oracle_db: Any = None) -> None:
    """Load `docs` into both stores, then run every case of the example. The oracle is mongomock, or the
    database `oracle_db` of a real mongod (CALIPSO_TEST_MONGO_URI)."""
    emb = db[name]
    if index_name:
        emb.create_index("name", name="name")
        emb.create_index("a", name="a")
    emb.insert_many([dict(d) for d in docs])
    mock = mongomock.MongoClient(tz_aware=True)["oracle"][name] if oracle_db is None else oracle_db[name]
    mock.insert_many([dict(d) for d in docs])
    outcomes.mongomock = oracle_db is None
    context = f"documents: {docs!r}"
    try:
        for kind, *args in cases:
            before = outcomes.counts["agree"]
            _case(kind, args, emb, mock, docs, outcomes, context)
            if kind == "update" and outcomes.counts["agree"] != before + 2:
                break   # the two stores may hold different documents from here on
    finally:
        db.drop_collection(name)
        if oracle_db is not None:
            oracle_db.drop_collection(name)


def _case(kind: str, args: list, emb: Any, mock: Any, docs: list[dict], outcomes: Outcomes, context: str) -> None:
    if kind == "find":
        query, sort, projection = args
        full_sort = (sort or []) + [("_id", 1)]
        ordered = bool(sort) and (not outcomes.mongomock or not any(_has_array(docs, f) for f, _ in sort))
        if outcomes.mongomock and _scalar_parent(docs, projection):
            outcomes.counts["oracle-deviation"] += 1
            projection = None
        compare(outcomes, f"find({query!r}, {projection!r}, sort={full_sort!r})",
                lambda: list(emb.find(query, projection, sort=full_sort)),
                lambda: list(mock.find(query, projection, sort=full_sort)), ordered, context)
        compare(outcomes, f"count_documents({query!r})", lambda: emb.count_documents(query),
                lambda: mock.count_documents(query), True, context)
    elif kind == "distinct":
        field, query = args
        if outcomes.mongomock and _bool_and_number(docs, field):
            outcomes.counts["oracle-deviation"] += 1
            return
        compare(outcomes, f"distinct({field!r}, {query!r})", lambda: emb.distinct(field, query),
                lambda: mock.distinct(field, query), False, context)
    elif kind == "aggregate":
        (pipeline,) = args
        sortable = not any(_has_array(docs, f) for f in ("a", "name", "sub"))
        compare(outcomes, f"aggregate({pipeline!r})", lambda: list(emb.aggregate(pipeline)),
                lambda: list(mock.aggregate(pipeline)), sortable, context)
    elif kind == "update":
        query, update = args
        agreed = outcomes.counts["agree"]
        compare(outcomes, f"update_many({query!r}, {update!r})",
                lambda: emb.update_many(query, update).matched_count,
                lambda: mock.update_many(query, update).matched_count, True, context)
        if outcomes.counts["agree"] == agreed:
            return      # refused by one or both: their documents may differ from here on
        compare(outcomes, f"documents after update_many({query!r}, {update!r})",
                lambda: list(emb.find({}, sort=[("_id", 1)])), lambda: list(mock.find({}, sort=[("_id", 1)])),
                False, context)


@st.composite
def examples(draw) -> tuple[list[dict], list[tuple], bool]:
    """(documents, cases, whether `name` and `a` are indexed in the embedded store)."""
    strings_only = draw(st.booleans())
    docs = draw(documents(strings_only))
    cases: list[tuple] = []
    for _ in range(draw(st.integers(20, 30))):
        cases.append(("find", draw(filters()), draw(sorts), draw(projections)))
    cases.append(("distinct", draw(st.sampled_from(("a", "name", "tags", "sub.x"))), draw(filters())))
    cases.append(("aggregate", draw(pipelines)))
    for _ in range(draw(st.integers(1, 2))):
        cases.append(("update", draw(filters()), draw(updates)))
    return docs, cases, draw(st.booleans())

