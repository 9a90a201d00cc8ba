"""Every index Calipso uses, as one table. Created idempotently at start-up.

Hot lookups go through the synthetic keys of app.store.keys (one indexed string each), which both stores
serve from one index; unique indexes guard the upsert keys. The embedded store answers a filter from its
indexes when it is a conjunction of equalities or `$in`s of strings or ObjectIds on indexed fields that hold
no arrays (app.store.embedded_exact), so the compound (environment, name) index serves name searches in one
environment in name order, as it does on MongoDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pymongo.collection import Collection


@dataclass(frozen=True)
class Index:
    collection: str
    field: str | tuple[str, ...]
    unique: bool = False
    options: dict = field(default_factory=dict)
    arrays: bool = False    # the field holds arrays: a multikey index on MongoDB, none on the embedded store

    @property
    def keys(self) -> list[tuple[str, int]]:
        return [(f, 1) for f in ((self.field,) if isinstance(self.field, str) else self.field)]

    @property
    def name(self) -> str:
        return "calipso_" + "_".join(f for f, _ in self.keys)


INDEXES: tuple[Index, ...] = (
    Index("inventory", "_key", unique=True),
    Index("inventory", "_env_id"),
    Index("inventory", "_env_type"),
    Index("inventory", "_env_parent"),
    Index("inventory", "environment"),
    Index("inventory", "status_value"),
    Index("inventory", "status"),         # what fails now, on the embedded store (app.topology.summary)
    Index("inventory", "name"),
    Index("inventory", ("environment", "name")),
    Index("inventory", ("environment", "_name_lc")),   # name prefixes (search suggestions), in name order
    Index("inventory", ("environment", "id_path")),    # an object's subtree: a range of id_paths
    Index("links", "_key", unique=True),
    Index("links", "_env_type"),
    Index("links", "_env_source_id"),
    Index("links", "_env_target_id"),
    Index("links", "source"),
    Index("links", "target"),
    Index("links", "environment"),
    Index("links", "status_value"),
    Index("links", "status"),
    Index("cliques", "_key", unique=True),
    Index("cliques", "_nodes", arrays=True),
    Index("cliques", "_links", arrays=True),
    Index("cliques", "environment"),
    Index("clique_summaries", "environment"),
    Index("clique_summary_marks", "environment"),
    Index("clique_places", "clique"),
    Index("clique_places", "environment"),
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
    Index("console_sessions", "expires", options={"expireAfterSeconds": 0}),   # MongoDB deletes what expired
    Index("console_sessions", "username"),
)

SEEDED = ("constants", "link_types", "clique_types", "clique_constraints", "supported_environments",
          "monitoring_config_templates", "attributes_for_hover_on_data", "network_agent_types")


def ensure_indexes(get_collection, embedded: bool = False) -> None:
    """Create every index (idempotent). `get_collection(name)` applies the `-y` naming rule.

    On the embedded store an index of a field that holds arrays is not made, and dropped where an older version
    made it: SQLite's expression index keys each document by the whole array's text (a network clique's 1,166
    ids, twice), which no query can use (app.store.embedded_exact answers such fields by a scan that looks into
    arrays), and keeping it cost 4 % of the store's CPU in a 1,000-host first scan."""
    for ix in INDEXES:
        coll: Collection = get_collection(ix.collection)
        if ix.arrays and embedded:
            for name in [n for n, info in coll.index_information().items() if info.get("key") == ix.keys]:
                coll.drop_index(name)     # named by the store, not by us
            continue
        coll.create_index(ix.keys, unique=ix.unique, name=ix.name, **ix.options)
    for name in SEEDED:
        # sparse: entries an administrator adds carry no `_seed`, and a plain unique index would let only one
        # of them exist on MongoDB (missing counts as null); an older non-sparse index is replaced
        coll = get_collection(name)
        old = coll.index_information().get("calipso__seed")
        if old is not None and not old.get("sparse"):
            coll.drop_index("calipso__seed")
        coll.create_index("_seed", unique=True, sparse=True, name="calipso__seed")
