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


# fields whose value is another object's inventory id: shown as that object's name, linked to its page
REFERENCES = ("parent_id", "network", "host", "switch", "master_parent_id", "project_id")


def _named(screen, req, env: str, obj: dict, pool=None) -> dict:
    """{field: {"id", "name", "type"}} for the reference fields of `obj` that name an object of `env`."""
    refs = {f: obj[f] for f in REFERENCES if isinstance(obj.get(f), str) and obj[f] and obj[f] != obj.get("id")}

    def lookup(ref: str) -> dict:
        try:
            return screen.api(req, "/inventory", {"env_name": env, "id": ref})
        except (NotFound, ApiDown):     # a name not found (or not in time) leaves the id shown as it is
            return {}
    found = dict(zip(refs, (pool.map if pool else map)(lookup, refs.values())))
    return {f: {"id": refs[f], "name": str(d.get("object_name") or d.get("name") or refs[f]), "type": d.get("type")}
            for f, d in found.items() if d}


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
                "capped": False, "named": {}}
    obj_type = str(obj.get("type") or "")
    view = VIEWS.get(obj_type) or (FOLDER if obj_type.endswith("_folder") else GENERIC)
    cubes, capped = [], False
    counted = None
    if view.cubes and obj.get("id_path"):
        counted = pool.submit(_subtree_counts, screen, req, summary["name"], obj) if pool else None
    named = _named(screen, req, summary["name"], obj, pool)
    partial = None
    if view.cubes and obj.get("id_path"):
        try:
            counts, capped = counted.result() if counted else _subtree_counts(screen, req, summary["name"], obj)
            cubes = [(t, label, counts.get(t, 0)) for t, label in view.cubes]
        except ApiDown:     # the rest of the page is worth showing without the counts
            partial = "The API did not count what this object holds in time; reload the page to try again."
    highlights = [(f, obj[f]) for f in HIGHLIGHTS if obj.get(f) not in (None, "", [], {})]
    return {"template": view.template, "cubes": cubes, "capped": capped, "highlights": highlights, "named": named,
            "partial": partial}
