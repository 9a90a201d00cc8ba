"""vedge-otep / vconnector-otep, otep-vconnector and otep-host_pnic (spec §4.4).

The first link's type follows the OTEP's real parent (the original always said `vedge-otep`)."""

from __future__ import annotations

from scan.links.base import LinkIndex, real_name


class FindLinksForOteps:
    def find(self, idx: LinkIndex) -> None:
        for otep in idx.of_type("otep"):
            host = otep.get("host")
            parent = idx.get(otep.get("parent_type"), otep.get("parent_id"))
            if parent is not None and parent.get("type") in ("vedge", "vconnector"):
                idx.link(parent, otep, link_name=f"{parent.get('name')}-otep", host=host)
            if otep.get("vconnector") and not (parent and parent.get("type") == "vconnector"):
                vc = next((v for v in idx.on_host(host, "vconnector") if v.get("name") == otep["vconnector"]), None)
                idx.link(otep, vc, link_name=f"{otep.get('name')}-{otep['vconnector']}", host=host)
            if otep.get("ip_address"):
                pnics = [p for p in idx.on_host(host, "host_pnic") if p.get("IP Address") == otep["ip_address"]]
                if not pnics and otep.get("interface"):
                    pnics = self._under_bridge(idx, host, otep["interface"])
                for pnic in pnics:
                    idx.link(otep, pnic, link_name=f"{host}-pnic-{pnic.get('name')}", host=host)

    @staticmethod
    def _under_bridge(idx: LinkIndex, host: str, iface: str) -> list[dict]:
        """The tunnel IP sits on a Linux bridge (style A): the tunnel leaves by that bridge's pNICs."""
        bridge = next((v for v in idx.on_host(host, "vconnector") if v.get("name") == f"{host}-{iface}"), None)
        if bridge is None:
            return []
        members = {n.split(".")[0] for n in bridge.get("interfaces_names") or []}
        return [p for p in idx.on_host(host, "host_pnic") if real_name(p) in members]
