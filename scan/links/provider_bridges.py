"""vedge-provider_bridge and provider_bridge-host_pnic: the path of VLAN and flat traffic.

The integration bridge reaches a provider bridge through their patch (or veth) pair; the
provider bridge leaves the host through its physical ports. Both links carry the physical
network, so a clique following one network stays on its own bridge."""

from __future__ import annotations

from scan.links.base import LinkIndex, pnic_state, real_name


class FindLinksForProviderBridges:
    def find(self, idx: LinkIndex) -> None:
        for br in idx.of_type("provider_bridge"):
            host = br.get("host")
            physnet = {"physical_network": br.get("physical_network")}
            vedge = idx.get("vedge", br.get("vedge") or br.get("parent_id"))
            idx.link(vedge, br, link_name=f"{br.get('integration_port')}-{br.get('name')}", host=host,
                     attributes={**physnet, "source_label": br.get("integration_port") or "",
                                 "target_label": next(iter(br.get("patch_ports") or []), "")})
            pnics = {real_name(p): p for p in idx.on_host(host, "host_pnic")}
            for name in br.get("uplinks") or []:
                pnic = pnics.get(name)
                if pnic is not None:
                    idx.link(br, pnic, link_name=f"{br.get('name')}-{name}", host=host, state=pnic_state(pnic),
                             attributes=physnet)
