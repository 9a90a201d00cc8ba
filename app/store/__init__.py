"""The MongoDB store: where it is, how to reach it, indexes, seed data, and bulk writes.

Rules every writer follows so the code runs the same on MongoDB and on the embedded store
(nx-27017 on SQLite), each shown by tests/integration/store/test_store_contract.py:

- Update and delete filters other than `_id` scan the whole collection on the embedded store
  (~160 upserts/s at 10k documents, against ~20k/s by `_id`): write by `_id`
  (app.store.keys.stable_id derives one from a natural key; app.store.bulk.upsert_by_id).
- Reads go through one single-field index (`_id` or a synthetic `_key`/`_env_*` field);
  compound indexes are not used for queries, and an index on a field named `id` is not created.
- ObjectId fields other than `_id`, and elements of indexed array fields, match only with `$in`
  (app.store.keys.oid_match); an upserted `_id` may come back as a hex string (as_object_id).
- Datetimes compare to the whole second: decide staleness by scan id, not by time.
- Regexes as `{"$regex": s, "$options": o}`, never compiled; no `$not`; no dotted projections;
  count with the `count` command, not `count_documents`.
"""
