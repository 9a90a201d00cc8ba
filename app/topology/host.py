"""Everything on one host as a graph: what sits below the host in the tree, and what its links reach.

The host's subtree (instances, their vNICs, vServices, vConnectors, vEdges, OTEPs, pNICs) is read
level by level through the parent index; its links are read by source and target; the objects at
the far end of those links (networks, switch ports, other hosts' OTEPs) come along one hop out, so
the page shows where the host connects. The result is the same shape as a clique's (app.topology.graph).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.inventory import Inventory
from app.links import Links
from app.store.store import Store


@dataclass
class HostData:
    host: dict
    objects: dict          # _id -> inventory document
    links: list[dict]
    on_host: int           # objects below the host in the tree (the host included, its folders not)


def load_host(store: Store, env: str, host_id: str) -> HostData | None:
    """The host's objects and links; None when `host_id` names no host of `env`."""
    inv = Inventory(store)
    host = inv.get(env, host_id, "host")
    if host is None:
        return None
    # the tree's folders ("vEdges", "Instances") group objects for reading; on a graph they are noise
    below = [d["_id"] for d in inv.subtree(env, host_id) if not str(d.get("type") or "").endswith("_folder")]
    links_by_id: dict = {}
    for link in Links(store).from_nodes(below) + Links(store).to_nodes(below):
        if link.get("environment") == env:
            links_by_id[link["_id"]] = link
    links = list(links_by_id.values())
    oids = set(below)
    for link in links:
        oids.update((link["source"], link["target"]))
    objects = {d["_id"]: d for d in inv.by_object_ids(oids)}
    return HostData(host, objects, links, len(below))
