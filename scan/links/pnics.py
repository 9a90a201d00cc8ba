"""host_pnic-network, host_pnic-switch_pnic, switch-switch_pnic, switch_pnic-switch_pnic (spec §4.4).

A pNIC links to every network with a port bound to its host (VLAN: only pNICs a vEdge uses);
a port whose network is unknown is skipped, not fatal to the pNIC's other networks (§9.25)."""

from __future__ import annotations

from scan.links.base import LinkIndex, pnic_state, real_name


class FindLinksForPnics:
    def find(self, idx: LinkIndex) -> None:
        nets_by_host: dict[str, set[str]] = {}
        for port in idx.of_type("port"):
            if port.get("binding:host_id") and port.get("network_id"):
                nets_by_host.setdefault(port["binding:host_id"], set()).add(port["network_id"])
        vlan = idx.env.get("type_drivers") == "vlan"
        # VLAN: the pNICs that carry the segments: in an OVS provider bridge, or (Linux bridge)
        # under a VLAN sub-interface bridge
        vedge_pnics = {l["target_id"] for l in idx.links if l["link_type"] in ("vedge-host_pnic", "vconnector-host_pnic")}
        port_ids = {}
        for vedge in idx.of_type("vedge"):
            ports = vedge.get("ports") or []
            for p in (ports.values() if isinstance(ports, dict) else ports):
                port_ids[(vedge.get("host"), p.get("name"))] = p.get("id")
        switch_pnics_by_mac = {}
        for sp in idx.of_type("switch_pnic"):
            if sp.get("mac_address"):
                switch_pnics_by_mac.setdefault(sp["mac_address"].lower(), []).append(sp)
        for pnic in idx.of_type("host_pnic"):
            host = pnic.get("host")
            if not (vlan and pnic["id"] not in vedge_pnics):
                port_id = pnic.get("port_id") or port_ids.get((host, real_name(pnic)))
                for net_id in sorted(nets_by_host.get(host, ())):
                    net = idx.get("network", net_id)
                    if net is None:
                        continue
                    attrs = {"network": net_id}
                    if port_id is not None:
                        attrs["source_label"] = f"port-{port_id}"
                    idx.link(pnic, net, link_name=f"Segment-{net.get('provider:segmentation_id')}", host=host,
                             state=pnic_state(pnic), attributes=attrs)
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
