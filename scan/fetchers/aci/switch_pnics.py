"""Leaf switch ports facing a host pNIC, found by the pNIC's MAC on the APIC (C1-C3)."""

from __future__ import annotations

from scan.access.aci import unwrap
from scan.fetchers.aci.common import SWITCH_PATH, encode, switch_doc


class AciFetchSwitchPnic:
    source = "ACI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        mac = (parent.get("mac_address") or "").upper()
        if not mac or ctx.aci is None:
            return []
        flt = f'and(eq(epmMacEp.addr,"{mac}"),wcard(epmMacEp.ifId,"eth|po"))'
        eps = unwrap(ctx.aci.get("class/epmMacEp.json", {"query-target-filter": flt}), "epmMacEp")
        out = []
        for ep in eps:
            if "ip" not in (ep.get("flags") or "ip"):
                continue
            m = SWITCH_PATH.match(ep.get("dn", ""))
            if not m or not ep.get("ifId"):
                continue
            switch = switch_doc(ctx, m.group(1))
            if switch is None:
                continue
            out.append(switch)
            out.append({"id": f"{switch['id']}-{encode(ep['ifId'])}-{mac.lower()}", "name": ep["ifId"],
                        "object_name": ep["ifId"], "role": "hostlink", "mac_address": mac.lower(),
                        "switch": switch["id"], "parent_id": switch["id"], "parent_type": "switch",
                        "host": parent.get("host"), "aci_document": ep})
        return out
