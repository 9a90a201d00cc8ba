"""The embedded store's commands checked before nx-27017 runs them: answered as MongoDB does, or refused.

Every find, count, distinct, update, delete, findAndModify and aggregate goes through `guard`, which:

- refuses, with MongoDB's error shape (`ok: 0`, `code`, `codeName`, an `errmsg` naming the operator), what
  the store cannot answer right: query operators outside `QUERY_OPERATORS`, top-level `$where`, `$expr`,
  `$text`, `$jsonSchema`; update operators outside `UPDATE_OPERATORS`; projection operators (`$slice`,
  `$elemMatch`, `$meta`, positional `$`); aggregation stages outside `STAGES`;
- decides with app.store.embedded_exact whether SQL may answer the command, and otherwise runs it with the
  Python matcher (app.store.embedded_match); `explain` of a find shows the plan the find gets;
- runs aggregations as app.store.embedded_aggregate says;
- answers `distinct` itself (nx-27017 ignored a filter it could not turn into SQL, and did not unwind
  arrays) and `renameCollection` on the database it names (nx-27017 renamed in `admin`, that is nothing);
- gives an upserted replacement the filter's `_id`, as MongoDB does;
- answers a findAndModify that failed with its error (nx-27017 answered `value: null`: "nothing matched").

Errors the libraries raise without a code get code 2 (BadValue), so a client sees an OperationFailure.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from app.store import embedded_aggregate, embedded_exact, embedded_narrow
from app.store.embedded_exact import Probe, answering, exact_filter, exact_sort
from app.store.embedded_narrow import narrow_for, narrowing
from app.store.embedded_probes import memory_of

BAD_VALUE, NAMESPACE_NOT_FOUND, NAMESPACE_EXISTS, NOT_SUPPORTED = 2, 26, 48, 115
CODE_NAMES = {2: "BadValue", 26: "NamespaceNotFound", 48: "NamespaceExists", 115: "CommandNotSupported"}

QUERY_OPERATORS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$options",
                   "$not", "$all", "$size", "$elemMatch", "$type", "$mod"}
LOGICAL = {"$and", "$or", "$nor"}
# neosqlite turned a non-array into an array on $push/$addToSet where MongoDB refuses: those are refused here
UPDATE_OPERATORS = {"$set", "$unset", "$setOnInsert", "$inc", "$min", "$max"}
STAGES = {"$match", "$sort", "$skip", "$limit", "$group", "$count", "$project", "$unwind"}


class Refused(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def error(code: int, message: str) -> dict:
    return {"ok": 0, "code": code, "codeName": CODE_NAMES.get(code, "BadValue"), "errmsg": message}


# -- what is refused ---------------------------------------------------------------------------------------

def check_filter(query: Any, where: str = "filter") -> None:
    if not isinstance(query, dict):
        raise Refused(BAD_VALUE, f"{where} must be a document")
    for key, value in query.items():
        if key in LOGICAL:
            if not isinstance(value, list) or not value:
                raise Refused(BAD_VALUE, f"{key} in {where} must be a non-empty array")
            for clause in value:
                check_filter(clause, where)
        elif key.startswith("$"):
            raise Refused(BAD_VALUE, f"{key} in {where} is not supported by the embedded store")
        elif isinstance(value, dict) and any(k.startswith("$") for k in value):
            check_operators(key, value, where)


def check_operators(field: str, ops: dict, where: str) -> None:
    for op, arg in ops.items():
        if op not in QUERY_OPERATORS:
            raise Refused(BAD_VALUE, f"unknown or unsupported operator {op} (on {field!r} in {where})")
        if op == "$not" and isinstance(arg, dict):
            check_operators(field, arg, where)
        elif op == "$elemMatch" and isinstance(arg, dict):
            if any(k.startswith("$") for k in arg):
                check_operators(field, arg, where)
            else:
                check_filter(arg, where)


def check_projection(projection: Any) -> None:
    if projection is None:
        return
    if not isinstance(projection, dict):
        raise Refused(BAD_VALUE, "projection must be a document")
    kinds = set()
    for key, value in projection.items():
        if isinstance(value, dict) or key.endswith(".$") or key.startswith("$"):
            name = next(iter(value), key) if isinstance(value, dict) and value else key
            raise Refused(BAD_VALUE, f"projection operator {name} (on {key!r}) is not supported by the embedded store")
        if key != "_id":
            kinds.add(bool(value))
    if len(kinds) > 1:
        raise Refused(BAD_VALUE, "a projection cannot mix inclusion and exclusion (other than of _id)")
    keys = sorted(projection)
    for a, b in zip(keys, keys[1:]):
        if b.startswith(a + "."):
            raise Refused(BAD_VALUE, f"path collision in projection between {a!r} and {b!r}")


def check_update(update: Any) -> None:
    if isinstance(update, list):
        raise Refused(NOT_SUPPORTED, "update pipelines are not supported by the embedded store")
    if not isinstance(update, dict):
        raise Refused(BAD_VALUE, "update must be a document")
    for op in update:
        if op.startswith("$") and op not in UPDATE_OPERATORS:
            raise Refused(BAD_VALUE, f"update operator {op} is not supported by the embedded store")


def check_pipeline(pipeline: Any) -> None:
    if not isinstance(pipeline, list):
        raise Refused(BAD_VALUE, "pipeline must be an array")
    for stage in pipeline:
        if not isinstance(stage, dict) or len(stage) != 1:
            raise Refused(BAD_VALUE, "each pipeline stage must be a document with one field")
        name, spec = next(iter(stage.items()))
        if name not in STAGES:
            raise Refused(NOT_SUPPORTED, f"aggregation stage {name} is not supported by the embedded store")
        if name == "$match":
            check_filter(spec, "$match")
        if name == "$project":
            check_projection(spec)


# -- the command ------------------------------------------------------------------------------------------

def _body(msg: dict) -> dict | None:
    return next((doc for kind, doc in msg.get("sections", ()) if kind == "body"), None)


def _payload(msg: dict, field: str) -> list:
    for kind, doc in msg.get("sections", ()):
        if kind == "payload" and isinstance(doc, dict) and isinstance(doc.get(field), list):
            return doc[field]
    return []


def _plan(handler: Any, command: dict, msg: dict) -> tuple[bool, frozenset[str], tuple | None] | None:
    """(SQL may answer, its array-free fields, the narrowing of a find answered in Python: app.store.
    embedded_narrow) for a command this module checks; None for any other."""
    verb = next(iter(command), None)
    if verb not in ("find", "count", "update", "delete", "findAndModify", "findandmodify"):
        return None
    name = command[verb]
    if not isinstance(name, str) or handler._is_gridfs_collection(name):
        return None
    filters: list = []
    sorts: list = []
    if verb == "find":
        filters.append(command.get("filter") or {})
        sorts.append(command.get("sort"))
        check_projection(command.get("projection"))
    elif verb == "count":
        filters.append(command.get("query") or {})
    elif verb == "update":
        for op in command.get("updates") or _payload(msg, "updates"):
            filters.append(op.get("q") or {})
            check_update(op.get("u"))
    elif verb == "delete":
        filters.extend(op.get("q") or {} for op in command.get("deletes") or _payload(msg, "deletes"))
    elif verb in ("findAndModify", "findandmodify"):
        filters.append(command.get("query") or {})
        sorts.append(command.get("sort"))
        check_projection(command.get("fields"))
        if command.get("update") is not None:
            check_update(command["update"])
    else:
        return None
    for query in filters:
        check_filter(query)
    db = handler.get_database(command.get("$db", "test"))
    probe = Probe(db.db, name, memory_of(db, db.db))
    fields: set[str] = set()
    exact = (all(exact_filter(q, probe, fields, allow_regex=verb == "find") for q in filters)
             and all(exact_sort(s, probe) for s in sorts))
    narrow = narrow_for(filters[0], probe, allow_regex=True) if verb == "find" and not exact else None
    return exact, frozenset(fields), narrow


def _upsert_ids(command: dict, msg: dict) -> None:
    """A replacement upserted by a filter on `_id` takes that `_id` (nx-27017 gave it a new one)."""
    for op in command.get("updates") or _payload(msg, "updates"):
        q, u = op.get("q"), op.get("u")
        if (op.get("upsert") and isinstance(q, dict) and isinstance(u, dict) and "_id" in q
                and not isinstance(q["_id"], dict) and "_id" not in u and not any(k.startswith("$") for k in u)):
            op["u"] = {"_id": q["_id"], **u}


def _rename(handler: Any, command: dict) -> dict:
    source, target = command.get("renameCollection"), command.get("to")
    if not isinstance(source, str) or not isinstance(target, str) or "." not in source or "." not in target:
        return error(BAD_VALUE, "renameCollection needs 'db.collection' names in renameCollection and to")
    (sdb, scoll), (tdb, tcoll) = source.split(".", 1), target.split(".", 1)
    if sdb != tdb:
        return error(NOT_SUPPORTED, "renameCollection across databases is not supported by the embedded store")
    with handler._lock_for(sdb):
        return _rename_in(handler.get_database(sdb), source, target, scoll, tcoll, bool(command.get("dropTarget")))


def _rename_in(db: Any, source: str, target: str, scoll: str, tcoll: str, drop_target: bool) -> dict:
    names = db.list_collection_names()
    if scoll not in names:
        return error(NAMESPACE_NOT_FOUND, f"source namespace {source} does not exist")
    if tcoll in names:
        if not drop_target:
            return error(NAMESPACE_EXISTS, f"target namespace {target} exists")
        db[tcoll].drop()
    db[scoll].rename(tcoll)
    return {"ok": 1}


def _distinct(handler: Any, command: dict) -> dict:
    from app.store.embedded_match import _values, compare, to_bson

    key, query = command.get("key"), command.get("query") or {}
    if not isinstance(key, str) or not key:
        return error(BAD_VALUE, "distinct needs a key")
    check_filter(query)
    db = handler.get_database(command.get("$db", "test"))
    if command["distinct"] not in db.list_collection_names():
        return {"ok": 1, "values": []}
    out: list = []
    with answering(True):
        for doc in db[command["distinct"]].find(handler._convert_objectids(query)):
            for value in _values(to_bson(doc), key.split(".")):
                for v in (value if type(value) is list else [value]):
                    if not any(compare(v, seen) == 0 and type(v) is type(seen) for seen in out):
                        out.append(v)
    out.sort(key=functools.cmp_to_key(compare))
    return {"ok": 1, "values": out}


def guard(handler: Any, msg: dict, run: Any) -> tuple[int, dict]:
    """`run(msg)` for a command checked as the module doc says, or the error that refuses it."""
    command = _body(msg)
    request_id = msg.get("request_id", 0)
    if not isinstance(command, dict) or not command:
        return run(msg)
    verb = next(iter(command))
    try:
        if verb in ("renameCollection", "renamecollection"):
            return request_id, _rename(handler, command)
        if verb == "distinct":
            return request_id, _distinct(handler, command)
        if verb == "aggregate" and isinstance(command.get("aggregate"), str):
            pipeline = command.get("pipeline")
            if isinstance(pipeline, list) and any(isinstance(s, dict) and ("$changeStream" in s or
                                                  "$listSearchIndexes" in s) for s in pipeline):
                return run(msg)
            check_pipeline(pipeline)
            return embedded_aggregate.aggregate(handler, command, msg, run)
        explained = command.get("explain") if verb == "explain" else None
        if isinstance(explained, dict) and isinstance(explained.get("find"), str):
            plan = _plan(handler, {**explained, "$db": command.get("$db", "test")}, msg)
        else:
            plan = _plan(handler, command, msg)
        if plan is None:
            return run(msg)
        if verb == "update":
            _upsert_ids(command, msg)
        swallowed.errors = []
        with answering(not plan[0], plan[1]), narrowing(plan[2]):
            request_id, reply = run(msg)
        if swallowed.errors and verb in ("findAndModify", "findandmodify"):
            # nx-27017 answers {"value": null} when the operation failed: the client is told instead
            exc = swallowed.errors[-1]
            duplicate = "UNIQUE constraint" in str(exc) or "duplicate" in str(exc).lower()
            return request_id, ({"ok": 0, "code": 11000, "codeName": "DuplicateKey", "errmsg": f"E11000 {exc}"}
                                if duplicate else error(BAD_VALUE, f"findAndModify: {exc}"))
    except Refused as exc:
        return request_id, error(exc.code, str(exc))
    except Exception as exc:     # what a library raised, with a code so that the client raises OperationFailure
        return request_id, error(BAD_VALUE, f"{verb}: {exc}")
    if isinstance(reply, dict) and reply.get("ok") == 0 and "code" not in reply:
        reply = {**reply, "code": BAD_VALUE, "codeName": "BadValue"}
    return request_id, reply


swallowed = threading.local()     # .errors: what this thread's find_one_and_* calls raised (nx-27017 hides it)


def _recording(method: Any) -> Any:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            swallowed.errors = [*getattr(swallowed, "errors", []), exc]
            raise
    return call


def patch_guard() -> None:
    from nx_27017 import handler as nx_handler

    cls = nx_handler.NeoSQLiteHandler
    original = cls.handle_command
    if getattr(original, "_calipso_guarded", False):
        return

    def handle_command(self: Any, msg: dict) -> tuple[int, dict]:
        return guard(self, msg, lambda m: original(self, m))

    handle_command._calipso_guarded = True  # type: ignore[attr-defined]
    cls.handle_command = nx_handler._serialize(handle_command)
    original_indexes = cls._handle_list_indexes

    def list_indexes(self: Any, *args: Any, **kwargs: Any) -> Any:
        request_id, reply = original_indexes(self, *args, **kwargs)
        batch = reply.get("cursor", {}).get("firstBatch") if isinstance(reply, dict) else None
        if isinstance(batch, list):     # the store's own json_type indexes are not the client's
            batch[:] = [ix for ix in batch if not str(ix.get("name", "")).startswith("calipso_type_")]
        return request_id, reply

    cls._handle_list_indexes = list_indexes
    from neosqlite.collection import Collection

    for name in ("find_one_and_update", "find_one_and_replace", "find_one_and_delete"):
        setattr(Collection, name, _recording(getattr(Collection, name)))
    embedded_exact.patch_switches()
    embedded_exact.patch_type_indexes()
    embedded_narrow.patch_narrowed_scan()
    from app.store.embedded_match import patch_integer_ids, patch_matcher

    patch_matcher()
    patch_integer_ids()
