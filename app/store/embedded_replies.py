"""A startup patch for the embedded store's cursor batches: each document is turned into BSON once.

nx-27017 0.8.1 measures every document of a batch with `BSON.encode` to keep the batch under 16 MB, and then
encodes the reply again on the event loop after converting its ObjectIds (nx_27017.utils
`convert_neo_to_bson_objectids`). The measuring encode fails on every document that has an `_id` (neosqlite's
ObjectId is not BSON's), and each such document was then measured by its `repr`: a 1,000-row page paid a
`repr`, a conversion and an encode per row, ~30 % of the store's CPU for that find. Here the batch is measured
on the documents as the reply carries them: converted the same way and encoded once, kept as
`RawBSONDocument`s, which the reply's encoder copies as they are (and the conversion passes over). A document
that cannot be encoded stays as it was and is measured as nx-27017 measured it (its reply then fails as
before).
"""

from __future__ import annotations

from typing import Any


def patch_batches() -> None:
    from bson import encode
    from bson.raw_bson import RawBSONDocument
    from nx_27017 import handler as nx_handler
    from nx_27017.utils import convert_neo_to_bson_objectids

    cls = nx_handler.NeoSQLiteHandler
    if getattr(cls._fit_bson_budget, "_calipso_patched", False):
        return

    def converted(doc: Any) -> Any:
        """convert_neo_to_bson_objectids(doc), strings passed over (they convert to themselves, and a string is
        never the `id == 0` it turns into an Int64)."""
        if type(doc) is not dict:
            return convert_neo_to_bson_objectids(doc)
        return {key: value if type(value) is str else convert_neo_to_bson_objectids({key: value})[key]
                for key, value in doc.items()}

    def fit_bson_budget(docs: list, limit: int = nx_handler.MAX_BSON_DOCUMENT_SIZE) -> tuple[list, list]:
        head: list = []
        used = 0
        for doc in docs:
            try:
                item = RawBSONDocument(encode(converted(doc)))
                size = len(item.raw)
            except Exception:
                item, size = doc, len(repr(doc))
            if head and used + size > limit:
                break
            head.append(item)
            used += size
        return head, docs[len(head):]

    fit_bson_budget._calipso_patched = True  # type: ignore[attr-defined]
    cls._fit_bson_budget = staticmethod(fit_bson_budget)
