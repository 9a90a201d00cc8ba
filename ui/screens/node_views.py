"""The data view of a selected node, by type (spec §2.6): which template, which counters.

One table: a type (or `*_folder`) maps to a template under templates/nodes/ and the object
types counted under it. Anything else gets the generic detail card.
"""

from __future__ import annotations

from dataclasses import dataclass

from ui.apiclient import ApiDown, NotFound

SUBTREE_CAP = 5000


@dataclass(frozen=True)
class NodeView:
    template: str
    cubes: tuple[tuple[str, str], ...] = ()


ENV_CUBES = (("instance", "Instances"), ("vservice", "vServices"), ("host", "Hosts"), ("vconnector", "vConnectors"),
             ("vedge", "vEdges"), ("network", "Networks"), ("otep", "OTEPs"))
ZONE_CUBES = (("instance", "Instances"), ("vservice", "vServices"), ("host", "Hosts"), ("vconnector", "vConnectors"),
              ("vedge", "vEdges"))
VIEWS: dict[str, NodeView] = {
    "environment": NodeView("nodes/environment.html", ENV_CUBES),
    "region": NodeView("nodes/container.html", ZONE_CUBES),
    "availability_zone": NodeView("nodes/container.html", ZONE_CUBES),
    "aggregate": NodeView("nodes/container.html", ZONE_CUBES),
    "project": NodeView("nodes/container.html", (("network", "Networks"), ("port", "Ports"), ("instance", "Instances"))),
    "host": NodeView("nodes/container.html", (("instance", "Instances"), ("vservice", "vServices"),
                                              ("vconnector", "vConnectors"), ("port", "Ports"),
                                              ("network_agent", "Agents"), ("host_pnic", "pNICs"),
                                              ("vedge", "vEdges"))),
}
FOLDER = NodeView("nodes/folder.html")
GENERIC = NodeView("nodes/generic.html")
HIGHLIGHTS = ("id", "type", "environment", "host", "parent_id", "parent_type", "status", "state", "admin_state_up",
              "agent_type", "mac_address", "ip_address", "network", "project", "last_scanned", "last_seen",
              "stale_since")


# fields never holding another object's id: not looked up (the rest of the object's strings are)
NOT_REFERENCES = frozenset(("id", "_id", "name", "object_name", "type", "parent_type", "environment", "status",
                            "status_text", "status_value", "state", "last_scanned", "last_seen", "stale_since",
                            "show_in_tree", "mac_address", "ip_address", "description", "clique"))
NAMES_MAX = 200          # ids named per page at most (the API's cap: app.topology.cards.MAX_REFS)
QUERY_MAX = 3000         # characters of ids per /names request (the API's request line is read up to 4 KB)


def _id_strings(value) -> list[str]:
    """The strings of a field's value that could be ids: the value itself, or a list's strings."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def references(obj: dict) -> dict[str, list[str]]:
    """{field: its id-like strings} for the fields of `obj` that may name other objects (its own id left out)."""
    own = obj.get("id")
    out: dict[str, list[str]] = {}
    for field, value in obj.items():
        if field in NOT_REFERENCES or field.endswith("_path") or field.startswith("_"):
            continue
        ids = [s for s in _id_strings(value) if s != own and not s.startswith("$") and "\0" not in s and len(s) <= 256]
        if ids:
            out[field] = ids
    return out


def _batches(ids: list[str]) -> list[list[str]]:
    """`ids` cut so each request's query stays short (one batch for any ordinary object)."""
    out: list[list[str]] = [[]]
    size = 0
    for i in ids:
        if out[-1] and size + len(i) + 4 > QUERY_MAX:
            out.append([])
            size = 0
        out[-1].append(i)
        size += len(i) + 4
    return out if out[0] else []


def names(screen, req, env: str, ids: list[str]) -> dict[str, dict]:
    """{id: {name, type}} for those of `ids` that name an object of `env`: one /names read per page."""
    wanted = list(dict.fromkeys(ids))[:NAMES_MAX]

    def lookup(batch: list[str]) -> dict:
        try:
            return screen.api(req, "/names", {"env_name": env, "id": batch}).get("names", {})
        except (NotFound, ApiDown):     # not named (or not in time): the ids are shown as they are
            return {}
    out: dict[str, dict] = {}
    for found in map(lookup, _batches(wanted)):
        out.update(found)
    return out


def _subtree_counts(screen, req, env: str, obj: dict) -> tuple[dict, bool]:
    rows = screen.api(req, "/inventory", {"env_name": env, "parent_path": obj["id_path"], "sub_tree": "true",
                                          "projection": "type", "page_size": SUBTREE_CAP}).get("objects", [])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("type")] = counts.get(r.get("type"), 0) + 1
    return counts, len(rows) >= SUBTREE_CAP


def data_view(screen, req, summary: dict, obj: dict, pool=None) -> dict:
    """What the data view template needs for this node (its children are the tree's, added by the page)."""
    if not obj:
        view = VIEWS["environment"]
        return {"template": view.template, "cubes": [(t, label, summary["counts"].get(t, 0)) for t, label in view.cubes],
                "capped": False, "named": {}, "related": []}
    obj_type = str(obj.get("type") or "")
    view = VIEWS.get(obj_type) or (FOLDER if obj_type.endswith("_folder") else GENERIC)
    cubes, capped = [], False
    counted = None
    if view.cubes and obj.get("id_path"):
        counted = pool.submit(_subtree_counts, screen, req, summary["name"], obj) if pool else None
    refs = references(obj)     # named in one read, beside the counts (the pool runs single API calls only)
    ids = [i for v in refs.values() for i in v]
    asked_names = pool.submit(names, screen, req, summary["name"], ids) if pool else None
    partial = None
    if view.cubes and obj.get("id_path"):
        try:
            counts, capped = counted.result() if counted else _subtree_counts(screen, req, summary["name"], obj)
            cubes = [(t, label, counts.get(t, 0)) for t, label in view.cubes]
        except ApiDown:     # the rest of the page is worth showing without the counts
            partial = "The API did not count what this object holds in time; reload the page to try again."
    highlights = [(f, obj[f]) for f in HIGHLIGHTS if obj.get(f) not in (None, "", [], {})]
    named = asked_names.result() if asked_names else names(screen, req, summary["name"], ids)
    # the other fields that name objects: shown under the highlights as links, not only in "All fields"
    related = [(f, obj[f]) for f in refs if f not in HIGHLIGHTS and any(i in named for i in refs[f])]
    return {"template": view.template, "cubes": cubes, "capped": capped, "highlights": highlights, "named": named,
            "related": related, "partial": partial}
