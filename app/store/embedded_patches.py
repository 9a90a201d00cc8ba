"""Startup patches that make the embedded store's writes and projected reads cheap, without changing what it
stores or answers.

A scan sends ~13,000 documents in insert commands of 1,000. nx-27017 0.8.1 inserted them one `insert_one` at
a time, each its own SQLite transaction, each document copied four times on the way (the handler's ObjectId
conversion, neosqlite's deepcopy and bytes conversion) and checked by a `json_valid` round trip, after an
f-string had formatted the whole batch for a debug line nobody logs. Updates paid a commit per document and a
deepcopy of each; a projected find deep-copied every document before picking its fields. The patches:

- `patch_insert_command`: a plain insert command (not GridFS, not in a client transaction) runs in ONE SQLite
  transaction, each document stored as neosqlite's `_internal_insert` stored it (the same JSON values, written
  compactly by orjson; the same `_id` column), the conversions done inside the JSON encoder, before the
  database's lock is taken (one command's documents encoded while another's go into SQLite). A duplicate key
  is still a writeErrors entry with its index (SQLite undoes the failed statement alone), ordered inserts
  stop at the first error, unordered ones go on, the documents before an error are written. A crash
  mid-command leaves none of the command's documents (WAL, one transaction), never a corrupt file.
- `patch_write_transactions`: update and delete commands likewise in one transaction;
  `patch_busy_while_in_transaction` keeps nx-27017 from closing a connection in the middle of one.
- `patch_update_copy`: the Python update path copies the loaded document with a JSON-shaped copy.
- `embedded_projection`: projected finds read only the projected fields (its own module).
- `embedded_probes`: the planning probes' answers kept until the database changes; `embedded_replies`: each
  document of a cursor batch encoded to BSON once.
- `embedded_guard`: every query, update and aggregation answered as MongoDB does or refused with MongoDB's
  error (with app.store.embedded_exact, embedded_sql, embedded_match, embedded_aggregate, embedded_dotted).

Each is checked by tests/integration/store/test_embedded_patches.py, which also runs the same commands
against a store started with CALIPSO_STORE_PATCHES=0 and compares the SQLite rows (JSON texts by value). The patches
refuse library versions other than `PATCHED_FOR` (the store then does not start, saying so): a version bump
must re-read the replaced code. CALIPSO_STORE_PATCHES=0 leaves the libraries as they are.
"""

from __future__ import annotations

import json
import logging
import os
from importlib.metadata import version
from typing import Any

from app.store import (embedded_guard, embedded_pages, embedded_probes, embedded_projection, embedded_replies,
                       embedded_sql)
from app.store.embedded_json import fast_encoder

log = logging.getLogger(__name__)

PATCHED_FOR = {"nx-27017": "0.8.1", "neosqlite": "1.17.2"}


class PatchMismatch(RuntimeError):
    """The installed libraries are not the ones the patches were written against."""


def check_versions() -> None:
    found = {name: version(name) for name in PATCHED_FOR}
    if found != PATCHED_FOR:
        raise PatchMismatch(
            f"app/store/embedded_patches.py was written for {PATCHED_FOR}, found {found}: re-check each patch "
            "against the new code and update PATCHED_FOR (or start with CALIPSO_STORE_PATCHES=0)")


def enabled(environ: dict[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("CALIPSO_STORE_PATCHES", "1") != "0"


# -- one document, as neosqlite's _internal_insert stores it --------------------------------------------------

def _encoder() -> json.JSONEncoder:
    """neosqlite's JSON encoder, also taking BSON ObjectIds and raw bytes (converted as nx-27017 and neosqlite
    would have beforehand), strict about NaN so that every text it returns is valid JSON without asking SQLite."""
    from datetime import datetime

    from bson import ObjectId as BsonObjectId
    from neosqlite.binary import Binary
    from neosqlite.collection.json_helpers import NeoSQLiteJSONEncoder
    from neosqlite.objectid import ObjectId

    class WireDocumentEncoder(NeoSQLiteJSONEncoder):
        def default(self, obj: Any) -> Any:
            # the two types of nearly every call first, written as neosqlite writes them (a clique's document
            # holds thousands of ids: making a neosqlite ObjectId of each was most of an insert's CPU)
            if type(obj) is BsonObjectId:
                return {"__neosqlite_objectid__": True, "id": obj.binary.hex()}   # ObjectId.encode_for_storage
            if type(obj) is datetime:
                return {"$date": obj.isoformat()}   # NeoSQLiteJSONEncoder.default, without its per-call import
            if isinstance(obj, BsonObjectId):
                obj = ObjectId(obj.binary)          # nx_27017.utils.convert_bson_to_neo_objectids
            elif isinstance(obj, bytes) and not isinstance(obj, Binary):
                obj = Binary(obj)                   # neosqlite ..query_helper.utils._convert_bytes_to_binary
            return super().default(obj)

    return WireDocumentEncoder(allow_nan=False)


def make_document_inserter():
    """(prepare, insert): `prepare(document)` -> what `insert(collection, prepared)` stores, as neosqlite 1.17.2's
    `_internal_insert` stores a document just decoded from BSON (nobody else holds it: no deepcopy), in
    whatever transaction is open. Preparing (the JSON text, most of the Python work) needs no database, so
    the insert command does it before it takes the database's lock: while one command's rows go into SQLite
    (which lets the GIL go), the next command's documents are encoded."""
    from neosqlite.collection.query_helper.crud_operations import CRUDOperationsMixin
    from neosqlite.exceptions import MalformedDocument
    from neosqlite.objectid import ObjectId
    from neosqlite.sql_utils import quote_table_name
    from neosqlite._sqlite import sqlite3
    from nx_27017.utils import convert_bson_to_neo_objectids

    original = CRUDOperationsMixin._internal_insert
    encode = fast_encoder(_encoder())   # the same values as neosqlite's text (app.store.embedded_json)
    statements: dict[str, str] = {}

    def prepare(document: Any) -> tuple[Any, str | None, Any]:
        """(_id, JSON text, None), or (None, None, the document) for neosqlite's own path, or (None, None,
        the error) for a document that is not one."""
        if not isinstance(document, dict):
            return None, None, MalformedDocument(f"document must be a dictionary, not a {type(document)}")
        doc = dict(document)    # only the top-level _id is ever set on it
        doc["_id"] = ObjectId() if doc.get("_id") is None else convert_bson_to_neo_objectids(doc["_id"])
        try:
            return doc["_id"], encode(doc), None
        except ValueError:
            # NaN or Infinity: neosqlite's own path, with its json_valid verdict
            return None, None, document

    def insert(collection: Any, prepared: tuple[Any, str | None, Any]) -> Any:
        oid, text, other = prepared
        if text is None:
            if isinstance(other, Exception):
                raise other
            return original(collection.query_engine.helpers, convert_bson_to_neo_objectids(other))
        sql = statements.get(collection.name)
        if sql is None:
            sql = f"INSERT INTO {quote_table_name(collection.name)}(data, _id) VALUES (?, ?)"
            statements[collection.name] = sql
        cursor = collection.db.execute(sql, (text, str(oid)))
        if cursor.lastrowid is None:
            raise sqlite3.Error("Failed to get last row id.")
        return oid

    return prepare, insert


# -- the insert command ------------------------------------------------------------------------------------

def _plain_insert(handler: Any, msg: dict) -> tuple[dict, str, list] | None:
    """(command, collection name, documents) of an insert the fast path takes, else None (left to nx-27017)."""
    command, payload = None, []
    for kind, doc in msg.get("sections", ()):
        if kind == "body":
            command = doc
        elif kind == "payload_docs":
            payload.extend(doc)
        elif kind == "payload":
            for value in doc.values():
                if isinstance(value, list):
                    payload.extend(value)
                elif isinstance(value, dict):
                    payload.append(value)
    if not isinstance(command, dict):
        return None
    name = command.get("insert")
    if not isinstance(name, str) or not name or handler._is_gridfs_collection(name):
        return None
    if "startTransaction" in command or command.get("autocommit") is False:
        return None     # a client transaction: its session owns the SQLite transaction
    if set(command) - {"insert", "documents", "ordered", "writeConcern", "lsid", "$db"} - {
            k for k in command if k.startswith("$")}:
        return None     # fields nx-27017 would read as documents
    documents = command.get("documents")
    if documents is not None and not isinstance(documents, list):
        return None
    return command, name, payload + (documents or [])


def patch_insert_command() -> None:
    """nx-27017's insert command, for plain inserts: one transaction, one encoding per document (module doc)."""
    from nx_27017 import handler as nx_handler

    from neosqlite.collection.type_utils import validate_session

    cls = nx_handler.NeoSQLiteHandler
    original = cls.handle_insert
    if getattr(original, "_calipso_patched", False):
        return
    prepare, insert = make_document_inserter()

    def handle_insert(self: Any, msg: dict) -> tuple[int, dict]:
        plan = _plain_insert(self, msg)
        if plan is None:
            return original(self, msg)
        command, coll_name, documents = plan
        return locked_insert(self, msg, command, coll_name, [prepare(doc) for doc in documents])   # before the lock

    @nx_handler._serialize
    def locked_insert(self: Any, msg: dict, command: dict, coll_name: str, prepared: list) -> tuple[int, dict]:
        db_name = command.get("$db", "test")
        db = self.get_database(db_name)
        session = self._get_or_create_session(command, db, db_name)
        coll = db[coll_name]
        if coll_name not in db.list_collection_names():
            coll.create()
        self._apply_write_concern(db, db_name, command.get("writeConcern"))
        if not prepared:
            return msg["request_id"], {"ok": 1, "n": 0}
        try:    # what neosqlite's insert_one checks for every document
            validate_session(session, coll._database)
            session_error = None
        except Exception as exc:
            session_error = exc
        ordered = command.get("ordered", True)
        inserted_ids: list[Any] = []
        write_errors: list[dict] = []
        conn = db.db
        own_transaction = not conn.in_transaction   # else a session's transaction is open: join it
        if own_transaction:
            conn.execute("BEGIN IMMEDIATE")
        try:
            for idx, doc in enumerate(prepared):
                try:
                    if session_error is not None:
                        raise session_error
                    inserted_ids.append(insert(coll, doc))
                except Exception as exc:
                    if own_transaction and not conn.in_transaction:
                        # SQLite undid the whole transaction (disk full, I/O error): the documents before
                        # this one are gone too, so the command fails rather than report them written
                        raise RuntimeError(f"insert into {coll_name} failed at document {idx}, none of the "
                                           f"command's documents were written: {exc}") from exc
                    write_errors.append(nx_handler._bulk_write_error(exc, idx))
                    if ordered:
                        break
            if own_transaction:
                conn.execute("COMMIT")
        except BaseException:
            if own_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        response: dict[str, Any] = {"ok": 1, "n": len(inserted_ids), "insertedIds": inserted_ids}
        if write_errors:
            response["writeErrors"] = write_errors
        return msg["request_id"], response

    handle_insert._calipso_patched = True  # type: ignore[attr-defined]
    cls.handle_insert = handle_insert


# -- the copy an update works on ----------------------------------------------------------------------------

def make_document_copy():
    """deepcopy for a document neosqlite just loaded from its JSON text: dicts and lists copied, immutable
    leaves shared (such a document holds no other containers and no shared references, which is all that
    deepcopy's memo adds). Anything else goes to deepcopy itself."""
    from copy import deepcopy
    from datetime import date, datetime

    from neosqlite.binary import Binary
    from neosqlite.objectid import ObjectId

    atoms = (str, int, float, bool, type(None), datetime, date, bytes, Binary, ObjectId)

    def document_copy(obj: Any, memo: dict | None = None) -> Any:
        if memo is not None:
            return deepcopy(obj, memo)
        kind = type(obj)
        if kind is dict:
            return {k: document_copy(v) for k, v in obj.items()}
        if kind is list:
            return [document_copy(v) for v in obj]
        if kind in atoms:
            return obj
        return deepcopy(obj)

    return document_copy


def patch_update_copy() -> None:
    """neosqlite's Python update path (every `$set` of a datetime or boolean, see patch_datetime_set) starts
    with deepcopy(original document): 17 % of the store's CPU in a bulk_write of UpdateOne by _id."""
    from neosqlite.collection.query_helper import update_operations

    if getattr(update_operations.deepcopy, "_calipso_patched", False):
        return
    copy = make_document_copy()
    copy._calipso_patched = True  # type: ignore[attr-defined]
    update_operations.deepcopy = copy


# -- update and delete commands -----------------------------------------------------------------------------

_PLAIN_FIELDS = {"update": {"update", "updates", "ordered", "writeConcern", "lsid"},
                 "delete": {"delete", "deletes", "ordered", "writeConcern", "lsid"}}


def _plain_write(handler: Any, msg: dict) -> tuple[dict, str] | None:
    """(command, collection name) of an update or delete command on an existing collection, outside any
    client transaction, with no field the transaction wrapper does not know; else None."""
    command = next((doc for kind, doc in msg.get("sections", ()) if kind == "body"), None)
    if not isinstance(command, dict) or not command:
        return None
    verb = next(iter(command))
    name = command[verb]
    if verb not in _PLAIN_FIELDS or not isinstance(name, str) or not name or handler._is_gridfs_collection(name):
        return None
    if {k for k in command if not k.startswith("$")} - _PLAIN_FIELDS[verb]:
        return None
    return command, name


def patch_write_transactions() -> None:
    """An update or delete command's operations in ONE SQLite transaction instead of one per statement.

    nx-27017 runs each operation (and neosqlite each matched document) as its own autocommit statement, so
    an update_many of 1,000 ids or a bulk_write of 1,000 UpdateOne paid 1,000 commits. Inside one
    transaction a failing operation still undoes only its own statement and becomes a writeErrors entry as
    before; the work of the operations before it is committed with the command. Commands in a client
    transaction, on GridFS or on a collection that does not exist yet take nx-27017's path unchanged.
    """
    from nx_27017 import handler as nx_handler

    cls = nx_handler.NeoSQLiteHandler
    original = cls.handle_command
    if getattr(original, "_calipso_patched", False):
        return

    def handle_command(self: Any, msg: dict) -> tuple[int, dict]:
        plan = _plain_write(self, msg)
        if plan is None:
            return original(self, msg)
        command, coll_name = plan
        db_name = command.get("$db", "test")
        db = self.get_database(db_name)
        conn = db.db
        if conn.in_transaction or coll_name not in db.list_collection_names():
            return original(self, msg)
        # applied before BEGIN: SQLite refuses to change `synchronous` inside a transaction; nx-27017's own
        # call for the same concern is then a no-op
        self._apply_write_concern(db, db_name, command.get("writeConcern"))
        conn.execute("BEGIN IMMEDIATE")
        try:
            request_id, response = original(self, msg)
            if not conn.in_transaction:
                raise RuntimeError(f"the store lost the transaction of a {next(iter(command))} on {coll_name} "
                                   "(disk full or I/O error?): writes before the failure were undone, "
                                   "the command's outcome is unknown")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return request_id, response

    handle_command._calipso_patched = True  # type: ignore[attr-defined]
    cls.handle_command = nx_handler._serialize(handle_command)


def patch_busy_while_in_transaction() -> None:
    """A database whose connection has a SQLite transaction open is busy: nx-27017 evicts the least recently
    used of more than 100 open databases, checking client transactions and change streams but not the lock
    of the command running on it, and closing a connection commits what its transaction holds so far. With
    a command's writes in one transaction (above), that would commit half a command."""
    from nx_27017 import handler as nx_handler

    cls = nx_handler.NeoSQLiteHandler
    original = cls._conn_is_busy
    if getattr(original, "_calipso_patched", False):
        return

    def conn_is_busy(self: Any, db_name: str) -> bool:
        conn = self._conns.get(db_name)
        try:
            if conn is not None and conn.db.in_transaction:
                return True
        except Exception:   # a closed connection: nothing of ours to protect
            pass
        return original(self, db_name)

    conn_is_busy._calipso_patched = True  # type: ignore[attr-defined]
    cls._conn_is_busy = conn_is_busy


def apply_all() -> None:
    """Apply every patch, or none when CALIPSO_STORE_PATCHES=0; raises PatchMismatch on other library versions."""
    if not enabled():
        log.warning("embedded store patches disabled (CALIPSO_STORE_PATCHES=0)")
        return
    check_versions()
    patch_insert_command()
    patch_write_transactions()
    patch_busy_while_in_transaction()
    patch_update_copy()
    embedded_projection.patch_find_projection()
    embedded_projection.patch_find_projection_sql()
    embedded_sql.patch_where()
    embedded_probes.patch_collection_names()
    embedded_replies.patch_batches()
    embedded_pages.patch_page_cache()
    embedded_guard.patch_guard()    # last: it wraps the command handler the patches above left
