"""Which filters and sorts the embedded store may answer in SQL, and the switch that sends the rest to Python.

neosqlite 1.17.2 turns a filter into SQL over `json_extract(data, path)` whenever it can, and that SQL is
MongoDB's answer only for some shapes: it takes `true` for 1, compares an array's JSON text with a number,
binds an ObjectId or a list it cannot bind, orders dates among strings, and an index makes `{f: v}` stop
finding `v` inside arrays. A command here is answered in SQL only when every filter and sort in it is one of:

- `_id` equal to (or `$in` of) ObjectIds, integers or strings that are not 24 hex digits;
- a top-level field equal to (or `$in` of) strings, or of ObjectIds: from the field's index where it has one
  and no document holds an array there, else by a scan in SQL that also looks into arrays (embedded_sql);
- a find's `$regex` with options "" or "i" on a field with an index and no arrays;
- a string range (`$gt`, `$gte`, `$lt`, `$lte` of strings) on an indexed field that holds only strings or null
  (keyset pages and name prefixes: SQLite's BINARY order of UTF-8 text is MongoDB's order of strings);
- a sort on such fields where every value is a string or null (or the field is missing).

"Has an index / holds no array / holds only strings" is read from a partial index on `json_type(data, path)`
of the documents whose value there is neither a string nor null, which the store keeps beside every index
created through it (`patch_type_indexes`): empty for a field of strings, so it costs writes little, and a
probe of it is a lookup. Anything else runs with neosqlite's "force fallback" switch on, per thread, which makes
every path of the library (find, count, update, delete, findAndModify, aggregate) load the documents and
ask the Python matcher (app.store.embedded_match): correct, and as fast as a full scan allows.
"""

from __future__ import annotations

import re
import threading
import types
from contextlib import contextmanager
from typing import Any, Iterator

_state = threading.local()
PLAIN_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEX24 = re.compile(r"^[0-9a-fA-F]{24}$")
SCALAR = "="     # prefix of a field name in the fields of `answering`: no arrays nor documents there
TEXT = "~"       # prefix of a field name in the fields of `answering`: only strings or null there
RANGE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def forced() -> bool:
    return getattr(_state, "force", False)


def guarded() -> bool:
    """Whether this thread runs a command app.store.embedded_guard decided on (SQL of embedded_sql, or Python)."""
    return forced() or array_free_fields() is not None


def array_free_fields() -> frozenset[str] | None:
    return getattr(_state, "fields", None)


@contextmanager
def answering(force: bool, fields: frozenset[str] = frozenset()) -> Iterator[None]:
    """Within: this thread's neosqlite calls use SQL (`force` False, for the array-free `fields`) or Python."""
    saved = getattr(_state, "force", False), getattr(_state, "fields", None)
    _state.force, _state.fields = force, (None if force else fields)
    try:
        yield
    finally:
        _state.force, _state.fields = saved


def type_index_name(collection: str, field: str) -> str:
    return f"calipso_type_{collection}_{field}"


class Probe:
    """Index probes on one collection's SQLite table, for one command; with a `memory`
    (app.store.embedded_probes), answered from what earlier commands found while nothing has changed."""

    def __init__(self, conn: Any, collection: str, memory: Any = None):
        self.conn, self.collection, self.memory = conn, collection, memory
        self._indexed: frozenset[str] | None = None

    def typed(self, field: str) -> bool:
        if self._indexed is None:
            kept = self.memory.typed.get(self.collection) if self.memory is not None else None
            if kept is None:
                prefix = f"calipso_type_{self.collection}_"
                rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=?",
                                         (self.collection,)).fetchall()
                kept = frozenset(r[0][len(prefix):] for r in rows if r[0].startswith(prefix))
                if self.memory is not None:
                    self.memory.typed[self.collection] = kept
            self._indexed = kept
        return field in self._indexed

    def holds(self, field: str, types: tuple[str, ...] | None = None) -> bool:
        """Whether a document holds, at `field`, a value of one of `types` (of any type but a string, when
        None). Reads only the partial index, which holds only such values."""
        key = (self.collection, field, types)
        if self.memory is not None and key in self.memory.holds:
            return self.memory.holds[key]
        found = self._holds(field, types)
        if self.memory is not None:
            self.memory.holds[key] = found
        return found

    def _holds(self, field: str, types: tuple[str, ...] | None) -> bool:
        from neosqlite.sql_utils import quote_table_name

        sql = f"SELECT 1 FROM {quote_table_name(self.collection)} WHERE {_other_than_text(field)}"
        if types is None:
            return self.conn.execute(sql + " LIMIT 1").fetchone() is not None
        sql += f" AND json_type(data, '$.{field}') = ? LIMIT 1"
        return any(self.conn.execute(sql, (t,)).fetchone() for t in types)


def _other_than_text(field: str) -> str:
    """The WHERE of the partial json_type index, repeated word for word in every probe (so SQLite uses it)."""
    return f"json_type(data, '$.{field}') NOT IN ('text', 'null')"


def _plain_id(value: Any) -> bool:
    from bson import ObjectId

    if isinstance(value, ObjectId) or type(value) is int:
        return True
    return isinstance(value, str) and not HEX24.match(value)


def string_range(value: Any) -> bool:
    """Whether `value` is a range of strings, `{"$gte": "a", "$lt": "b"}`."""
    return (isinstance(value, dict) and bool(value) and set(value) <= set(RANGE)
            and all(isinstance(v, str) for v in value.values()))


def exact_filter(query: Any, probe: Probe, fields: set[str], allow_regex: bool) -> bool:
    """Whether SQL answers this filter as MongoDB does. The fields it relies on go into `fields`: each indexed
    field without arrays, that field prefixed with SCALAR when it holds no documents either, and with TEXT when
    it holds only strings (or null)."""
    from bson import ObjectId

    if not isinstance(query, dict):
        return False
    for key, value in query.items():
        if key == "_id":
            values = value.get("$in") if isinstance(value, dict) and list(value) == ["$in"] else [value]
            if not isinstance(values, list) or not values or not all(_plain_id(v) for v in values):
                return False
            continue
        if not PLAIN_FIELD.match(key) or key == "id":
            return False
        if isinstance(value, (str, ObjectId)):
            pass
        elif isinstance(value, dict) and list(value) == ["$in"]:
            items = value["$in"]
            if not isinstance(items, list) or not items or not (all(isinstance(v, str) for v in items)
                                                                or all(isinstance(v, ObjectId) for v in items)):
                return False
        elif (allow_regex and isinstance(value, dict) and set(value) <= {"$regex", "$options"} and "$regex" in value
              and isinstance(value["$regex"], str) and value.get("$options", "") in ("", "i")):
            if not probe.typed(key) or probe.holds(key, ("array",)):
                return False
        elif string_range(value):
            if not probe.typed(key) or probe.holds(key):   # a number or a date there would compare otherwise
                return False
        else:
            return False
        if probe.typed(key) and not probe.holds(key, ("array",)):
            fields.add(key)     # served by its index; other fields by a scan that also looks into arrays
            if not probe.holds(key, ("object",)):
                fields.add(SCALAR + key)    # only scalars there: the index answers alone, no type check
                if not probe.holds(key):
                    fields.add(TEXT + key)  # only strings (or null): a regex reads the index alone too
    return True


def exact_sort(sort: Any, probe: Probe) -> bool:
    if not sort:
        return True
    if not isinstance(sort, dict):
        return False
    for key, direction in sort.items():
        if direction not in (1, -1) or not PLAIN_FIELD.match(key) or key == "id":
            return False
        if not probe.typed(key) or probe.holds(key):
            return False
    return True


def patch_switches() -> None:
    """neosqlite's force-fallback flag read per thread, its filter rewriting (for its SQL) off and its SQL sort
    and datetime processor skipped while the command is to be answered in Python."""
    from neosqlite.collection import type_correction
    from neosqlite.collection.query_helper import utils
    from neosqlite.collection.query_helper._sql_query_builder import SqlQueryBuilderMixin
    from neosqlite.collection.sql_translator_unified import SQLTranslator

    if getattr(SQLTranslator.translate_match, "_calipso_patched", False):
        return
    # every module imported the same function object: its code now also reads this thread's switch
    utils._calipso_forced = forced
    namespace: dict = {}
    exec("def get_force_fallback():\n    return _FORCE_FALLBACK or _calipso_forced()\n", utils.__dict__, namespace)
    utils.get_force_fallback.__code__ = namespace["get_force_fallback"].__code__
    # neosqlite rewrites filters for its own SQL (ObjectIds to their hex text, {"id": <24 hex digits>} to `_id`,
    # "5" to 5 for `id`): wrong for MongoDB, and not needed by the SQL of embedded_sql
    normalize = type_correction.normalize_id_query_for_db
    type_correction._calipso_guarded = guarded
    type_correction._calipso_normalize = types.FunctionType(normalize.__code__, normalize.__globals__)
    exec("def normalize_id_query_for_db(query):\n"
         "    return query if _calipso_guarded() else _calipso_normalize(query)\n", type_correction.__dict__, namespace)
    normalize.__code__ = namespace["normalize_id_query_for_db"].__code__

    original_translate = SQLTranslator.translate_match

    def translate_match(self: Any, match_spec: Any, context: str = "direct") -> tuple:
        if forced():
            return None, []
        return original_translate(self, match_spec, context)

    original_sort = SqlQueryBuilderMixin._build_sort_clause

    def build_sort_clause(self: Any, sort: Any, collation: Any = None) -> str:
        if forced() or collation:
            return ""
        return original_sort(self, sort, collation)

    from neosqlite.collection.cursor import Cursor

    original_dates = Cursor._contains_datetime_operations

    def contains_datetime_operations(self: Any, query: Any) -> bool:
        return False if forced() else original_dates(self, query)   # its own processor compared to the second

    translate_match._calipso_patched = True  # type: ignore[attr-defined]
    SQLTranslator.translate_match = translate_match
    Cursor._contains_datetime_operations = contains_datetime_operations
    SqlQueryBuilderMixin._build_sort_clause = build_sort_clause


def patch_type_indexes() -> None:
    """Every index created through the store gets a companion partial index on `json_type(data, path)` per
    plain field, which the probes above read (hidden from listIndexes, app.store.embedded_guard)."""
    from neosqlite.collection.index_manager import IndexManager
    from neosqlite.sql_utils import quote_table_name

    original = IndexManager.create_index
    if getattr(original, "_calipso_patched", False):
        return

    def create_index(self: Any, key: Any, *args: Any, **kwargs: Any) -> Any:
        name = original(self, key, *args, **kwargs)
        fields = [key] if isinstance(key, str) else [k[0] if isinstance(k, tuple) else k for k in key]
        if kwargs.get("fts"):
            return name
        coll = self.collection.name
        for field in fields:
            if isinstance(field, str) and PLAIN_FIELD.match(field) and field != "_id" and PLAIN_FIELD.match(coll):
                self.collection.db.execute(
                    f'CREATE INDEX IF NOT EXISTS "{type_index_name(coll, field)}" '
                    f"ON {quote_table_name(coll)}(json_type(data, '$.{field}')) WHERE {_other_than_text(field)}")
        return name

    def drop_index(self: Any, index: Any) -> Any:
        """Also drops the companions of fields no index is left on (else writes keep paying for them, and the
        probes would take the field for an indexed one)."""
        result = original_drop(self, index)
        coll = self.collection.name
        kept = {k for info in self.index_information().values() for k in (info.get("key") or {})}
        for (name,) in self.collection.db.execute(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=? AND name LIKE 'calipso_type_%'",
                (coll,)).fetchall():
            field = name[len(type_index_name(coll, "")):]
            if field not in kept:
                self.collection.db.execute(f'DROP INDEX IF EXISTS "{name}"')
        return result

    original_drop = IndexManager.drop_index
    create_index._calipso_patched = True  # type: ignore[attr-defined]
    IndexManager.create_index = create_index
    IndexManager.drop_index = drop_index
