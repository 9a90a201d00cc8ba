"""Collection names, with the original's `-y/--inventory NAME` rule.

With `-y NAME` the scan's own outputs (inventory, links, cliques, monitoring_config, tunnel_meshes) move
to companion collections: if NAME starts with `inventory`, that prefix is replaced
(`inventory_dev` -> `links_dev`), otherwise `NAME_<collection>` (`RDO` -> `RDO_links`).
Unlike the original, configuration and bookkeeping collections (environments_config,
scans, messages, constants, ...) are never derived, so a test inventory does not need
a duplicated environment config.
"""

from __future__ import annotations

DERIVED = ("inventory", "links", "cliques", "monitoring_config", "tunnel_meshes")


class CollectionNames:
    def __init__(self, inventory: str = "inventory"):
        if not inventory or "$" in inventory or "\0" in inventory or inventory.startswith("system."):
            raise ValueError(f"invalid inventory collection name {inventory!r}")
        self.inventory_name = inventory

    def __call__(self, collection: str) -> str:
        if collection not in DERIVED or self.inventory_name == "inventory":
            return collection
        if collection == "inventory":
            return self.inventory_name
        name = self.inventory_name
        if name.startswith("inventory"):
            return collection + name[len("inventory"):]
        return f"{name}_{collection}"
