"""Every index Calipso uses, as one table. Created idempotently at start-up.

Only single-field indexes serve queries on the embedded store, so hot lookups go through
the synthetic keys of app.store.keys; unique indexes guard the upsert keys. Fields holding
ObjectIds other than `_id` are queried with `$in` (see app.store.keys.oid_match).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pymongo.collection import Collection


@dataclass(frozen=True)
class Index:
    collection: str
    field: str
    unique: bool = False
    options: dict = field(default_factory=dict)


INDEXES: tuple[Index, ...] = (
    Index("inventory", "_key", unique=True),
    Index("inventory", "_env_id"),
    Index("inventory", "_env_type"),
    Index("inventory", "_env_parent"),
    Index("inventory", "environment"),
    Index("inventory", "status_value"),
    Index("links", "_key", unique=True),
    Index("links", "_env_type"),
    Index("links", "_env_source_id"),
    Index("links", "_env_target_id"),
    Index("links", "source"),
    Index("links", "target"),
    Index("links", "environment"),
    Index("links", "status_value"),
    Index("cliques", "_key", unique=True),
    Index("cliques", "_nodes"),
    Index("cliques", "_links"),
    Index("cliques", "environment"),
    Index("monitoring_config", "_key", unique=True),
    Index("messages", "environment"),
    Index("messages", "timestamp"),
    Index("scans", "status"),
    Index("scans", "environment"),
    Index("scheduled_scans", "environment"),
    Index("environments_config", "name", unique=True),
    Index("constants", "name", unique=True),
    Index("link_types", "type", unique=True),
    Index("clique_types", "focal_point_type"),
    Index("connection_tests", "status"),
    Index("failed_events", "environment"),
    Index("changes", "environment"),
    Index("changes", "_env_seq", unique=True),
    Index("changes", "_env_scan"),
    Index("changes_records", "_env_seq"),
    Index("changes_records", "environment"),
    Index("users", "username", unique=True),
    Index("user_settings", "username", unique=True),
    Index("api_tokens", "token", unique=True),
)

SEEDED = ("constants", "link_types", "clique_types", "clique_constraints", "supported_environments",
          "monitoring_config_templates", "attributes_for_hover_on_data", "network_agent_types")


def ensure_indexes(get_collection) -> None:
    """Create every index (idempotent). `get_collection(name)` applies the `-y` naming rule."""
    for ix in INDEXES:
        coll: Collection = get_collection(ix.collection)
        coll.create_index(ix.field, unique=ix.unique, name=f"calipso_{ix.field}", **ix.options)
    for name in SEEDED:
        # sparse: entries an administrator adds carry no `_seed`, and a plain unique index would let only one
        # of them exist on MongoDB (missing counts as null); an older non-sparse index is replaced
        coll = get_collection(name)
        old = coll.index_information().get("calipso__seed")
        if old is not None and not old.get("sparse"):
            coll.drop_index("calipso__seed")
        coll.create_index("_seed", unique=True, sparse=True, name="calipso__seed")
