"""Where each network leaves each host: host_pnic-network, else otep-network / provider_bridge-network
/ vconnector-network.

A network is linked only where its traffic can flow (the original linked every pNIC of a host to
every network bound there, §9.25, which drew NICs that carry nothing):
* vxlan/gre/geneve: the NICs under the interface holding the tunnel IP (`otep-host_pnic`); with
  the tunnel IP on a device no NIC carries (`lo`), the OTEP itself is where the network ends;
* vlan/flat: the NICs of the provider bridge mapped to its physical network (OVS), the NIC the
  Linux bridge of the network holds (LXB, `vconnector-host_pnic`), the VPP uplinks (VPP); a
  provider bridge without a physical port is where the network ends.
Runs after the OTEP, vConnector, vEdge and provider-bridge finders, whose links it reads.
"""

from __future__ import annotations

from scan.links.base import LinkIndex, pnic_state, real_name

TUNNELS = ("vxlan", "gre", "geneve")
PHYSICAL = ("vlan", "flat")


def network_type(net: dict, env: dict) -> str:
    t = net.get("provider:network_type")
    if t:
        return str(t).lower()
    return str(env.get("type_drivers") or "").lower()


class FindLinksForNetworks:
    def find(self, idx: LinkIndex) -> None:
        nets_by_host: dict[str, set[str]] = {}
        for port in idx.of_type("port"):
            if port.get("binding:host_id") and port.get("network_id"):
                nets_by_host.setdefault(port["binding:host_id"], set()).add(port["network_id"])
        by_source: dict[tuple[str, str], list[dict]] = {}
        for l in idx.links:
            by_source.setdefault((l["link_type"], l["source_id"]), []).append(l)
        self.by_source = by_source
        for host, net_ids in sorted(nets_by_host.items()):
            for net_id in sorted(net_ids):
                net = idx.get("network", net_id)
                if net is not None:
                    self._link(idx, host, net)

    def targets(self, idx: LinkIndex, link_type: str, source: dict) -> list[dict]:
        obj_type = link_type.split("-", 1)[1]
        return [d for l in self.by_source.get((link_type, source["id"]), [])
                if (d := idx.get(obj_type, l["target_id"])) is not None]

    def _link(self, idx: LinkIndex, host: str, net: dict) -> None:
        ntype = network_type(net, idx.env)
        physnet = net.get("provider:physical_network")
        seg = net.get("provider:segmentation_id")
        name = f"Segment-{seg}"
        attrs = {"network": net["id"]}
        drivers = idx.env.get("mechanism_drivers") or []
        ends: list[dict] = []      # the last virtual element on the path, when no NIC carries it
        pnics: list[dict] = []
        if ntype in TUNNELS:
            for otep in idx.on_host(host, "otep"):
                if otep.get("tunnel_interface") and seg is not None and otep["tunnel_interface"] != f"{ntype}-{seg}":
                    continue       # LXB: one OTEP per network (its vxlan-<vni> device)
                if otep.get("overlay_type") and otep["overlay_type"] != ntype:
                    continue
                found = self.targets(idx, "otep-host_pnic", otep)
                pnics += found
                if not found:
                    ends.append(otep)
        elif ntype in PHYSICAL:
            for br in idx.on_host(host, "provider_bridge"):
                if br.get("physical_network") != physnet:
                    continue
                found = self.targets(idx, "provider_bridge-host_pnic", br)
                pnics += found
                if not found:
                    ends.append(br)
            for vc in idx.on_host(host, "vconnector") if "LXB" in drivers else ():
                if vc.get("network") == net["id"]:   # LXB: the network's own bridge
                    found = self.targets(idx, "vconnector-host_pnic", vc)
                    pnics += found
                    if not found:
                        ends.append(vc)
        if "VPP" in drivers:   # VPP's uplinks carry its tunnels and VLANs
            for vedge in idx.on_host(host, "vedge"):
                pnics += self.targets(idx, "vedge-host_pnic", vedge)
        for vedge in idx.on_host(host, "vedge"):   # SR-IOV: the PFs mapped to the network's physical network
            if vedge.get("vedge_type") == "SRIOV" and physnet:
                pfs = {p.get("name") for p in vedge.get("ports") or [] if isinstance(p, dict) and p.get("id") == physnet}
                pnics += [p for p in self.targets(idx, "vedge-host_pnic", vedge) if real_name(p) in pfs]
        seen = set()
        for pnic in pnics:
            if pnic["id"] in seen:
                continue
            seen.add(pnic["id"])
            a = dict(attrs)
            if pnic.get("port_id") is not None:
                a["source_label"] = f"port-{pnic['port_id']}"
            idx.link(pnic, net, link_name=name, host=host, state=pnic_state(pnic), attributes=a)
        if not pnics:
            for end in ends:
                idx.link(end, net, link_name=name, host=host, attributes=dict(attrs))
