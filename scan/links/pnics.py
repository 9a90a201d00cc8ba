"""host_pnic-switch_pnic, switch-switch_pnic, switch_pnic-switch_pnic (spec §4.4).

(host_pnic-network is drawn by `scan.links.networks` from the datapath, not from every pNIC.)"""

from __future__ import annotations

from scan.links.base import LinkIndex, pnic_state


class FindLinksForPnics:
    def find(self, idx: LinkIndex) -> None:
        switch_pnics_by_mac = {}
        for sp in idx.of_type("switch_pnic"):
            if sp.get("mac_address"):
                switch_pnics_by_mac.setdefault(sp["mac_address"].lower(), []).append(sp)
        for pnic in idx.of_type("host_pnic"):
            host = pnic.get("host")
            for sp in switch_pnics_by_mac.get((pnic.get("mac_address") or "").lower(), []):
                idx.link(pnic, sp, link_name=f"{host}-{sp.get('parent_id')}", host=host, state=pnic_state(pnic))
        for sp in idx.of_type("switch_pnic"):
            switch = idx.get("switch", sp.get("parent_id"))
            if switch is not None:
                idx.link(switch, sp, link_type="switch-switch_pnic", link_name=f"{switch.get('object_name')}-{sp.get('object_name')}",
                         switch=switch["id"])
            if sp.get("role") == "uplink" and sp.get("connected_to"):
                idx.link(sp, idx.get("switch_pnic", sp["connected_to"]), link_name=sp.get("object_name"),
                         switch=sp.get("switch"))
