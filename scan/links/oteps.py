"""vedge-otep / vconnector-otep, otep-vconnector and otep-host_pnic (spec §4.4).

The first link's type follows the OTEP's real parent (the original always said `vedge-otep`)."""

from __future__ import annotations

from scan.links.base import LinkIndex, real_name


class FindLinksForOteps:
    def find(self, idx: LinkIndex) -> None:
        by_segment = {f"{n.get('provider:network_type')}-{n.get('provider:segmentation_id')}": n["id"]
                      for n in idx.of_type("network")}
        for otep in idx.of_type("otep"):
            host = otep.get("host")
            # an LXB OTEP is one network's vxlan-<vni> device: its links belong to that network
            net = by_segment.get(otep.get("tunnel_interface") or "")
            attrs = {"network": net} if net else {}
            parent = idx.get(otep.get("parent_type"), otep.get("parent_id"))
            if parent is not None and parent.get("type") in ("vedge", "vconnector"):
                idx.link(parent, otep, link_name=f"{parent.get('name')}-otep", host=host, attributes=attrs)
            if otep.get("vconnector") and not (parent and parent.get("type") == "vconnector"):
                vc = next((v for v in idx.on_host(host, "vconnector") if v.get("name") == otep["vconnector"]), None)
                idx.link(otep, vc, link_name=f"{otep.get('name')}-{otep['vconnector']}", host=host)
            for pnic in self._carriers(idx, host, otep):
                idx.link(otep, pnic, link_name=f"{host}-pnic-{pnic.get('name')}", host=host, attributes=dict(attrs))

    @staticmethod
    def _carriers(idx: LinkIndex, host: str, otep: dict) -> list[dict]:
        """The NICs the overlay leaves by: the devices under the interface holding the tunnel IP
        (itself, a Linux bridge's members, a VLAN sub-interface's parent; none for `lo`)."""
        pnics = idx.on_host(host, "host_pnic")
        if "underlay" in otep:
            names = {n.split(".")[0] for n in otep.get("underlay") or []}
            return [p for p in pnics if real_name(p) in names]
        if otep.get("ip_address"):
            found = [p for p in pnics if p.get("IP Address") == otep["ip_address"]]
            if found or not otep.get("interface"):
                return found
            bridge = next((v for v in idx.on_host(host, "vconnector") if v.get("name") == f"{host}-{otep['interface']}"),
                          None)
            members = {n.split(".")[0] for n in (bridge or {}).get("interfaces_names") or []}
            return [p for p in pnics if real_name(p) in members]
        return []
