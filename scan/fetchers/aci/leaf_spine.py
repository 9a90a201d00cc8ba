"""Leaf uplinks and spine downlinks from the leaf's LLDP adjacencies (C5, C6)."""

from __future__ import annotations

import re

from scan.access.aci import unwrap
from scan.fetchers.aci.common import encode, switch_doc

BRACKET = re.compile(r"\[([^\]]+)\]")
LEAF = re.compile(r"^switch-(.+?)-leaf$")


class AciFetchLeafToSpinePnics:
    source = "ACI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        m = LEAF.match(parent.get("switch") or "")
        if not m or ctx.aci is None:
            return []
        leaf_path = m.group(1).replace("__", "/")
        spines = ctx.memo.once("aci-spines", lambda: unwrap(ctx.aci.get(
            "class/fabricNode.json", {"query-target-filter": 'eq(fabricNode.role, "spine")'}), "fabricNode"))
        adjs = ctx.memo.once(("aci-lldp", leaf_path), lambda: unwrap(ctx.aci.get(
            f"mo/topology/{leaf_path}/sys.json",
            {"query-target": "subtree", "target-subtree-class": "lldpAdjEp"}), "lldpAdjEp"))
        out = []
        for adj in adjs:
            spine = next((s for s in spines if s.get("name") == adj.get("sysName")), None)
            up, down = BRACKET.search(adj.get("dn", "")), BRACKET.search(adj.get("portDesc", ""))
            if not spine or not up or not down:
                continue
            spine_path = spine["dn"].split("topology/", 1)[-1]
            sw = switch_doc(ctx, spine_path)
            if sw is None:
                continue
            up_id = f"{parent['switch']}-{encode(up.group(1))}"
            down_id = f"{sw['id']}-{encode(down.group(1))}"
            out.append(sw)
            out.append({"id": down_id, "name": down.group(1), "object_name": down.group(1), "role": "downlink",
                        "switch": sw["id"], "connected_to": up_id, "parent_id": sw["id"], "parent_type": "switch"})
            out.append({"id": up_id, "name": up.group(1), "object_name": up.group(1), "role": "uplink",
                        "switch": parent["switch"], "connected_to": down_id, "parent_id": parent["switch"],
                        "parent_type": "switch"})
        return out
