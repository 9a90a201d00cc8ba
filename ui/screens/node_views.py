"""The data view of a selected node, by type (spec §2.6): which template, which counters.

One table: a type (or `*_folder`) maps to a template under templates/nodes/ and the object
types counted under it. Anything else gets the generic detail card.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _subtree_counts(screen, req, env: str, obj: dict) -> tuple[dict, bool]:
    rows = screen.api(req, "/inventory", {"env_name": env, "parent_path": obj["id_path"], "sub_tree": "true",
                                          "projection": "type", "page_size": SUBTREE_CAP}).get("objects", [])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("type")] = counts.get(r.get("type"), 0) + 1
    return counts, len(rows) >= SUBTREE_CAP


def data_view(screen, req, summary: dict, obj: dict, children: list[dict]) -> dict:
    """What the data view template needs for this node."""
    if not obj:
        view = VIEWS["environment"]
        return {"template": view.template, "cubes": [(t, label, summary["counts"].get(t, 0)) for t, label in view.cubes],
                "capped": False}
    obj_type = str(obj.get("type") or "")
    view = VIEWS.get(obj_type) or (FOLDER if obj_type.endswith("_folder") else GENERIC)
    cubes, capped = [], False
    if view.cubes and obj.get("id_path"):
        counts, capped = _subtree_counts(screen, req, summary["name"], obj)
        cubes = [(t, label, counts.get(t, 0)) for t, label in view.cubes]
    highlights = [(f, obj[f]) for f in HIGHLIGHTS if obj.get(f) not in (None, "", [], {})]
    return {"template": view.template, "cubes": cubes, "capped": capped, "highlights": highlights,
            "children": children}
