"""instance-vnic (spec §4.4): each instance vNIC to its instance; the vNIC learns its network."""

from __future__ import annotations

from scan.links.base import LinkIndex


class FindLinksForInstanceVnics:
    def find(self, idx: LinkIndex) -> None:
        for vnic in idx.of_type("vnic"):
            if vnic.get("vnic_type") != "instance_vnic":
                continue
            instance = idx.get("instance", vnic.get("instance_id"))
            if instance is None:
                continue
            entry = None
            for e in instance.get("network_info") or []:
                if not isinstance(e, dict):
                    continue
                if f"{vnic.get('host')}-{e.get('devname')}" == vnic["id"] or \
                        (e.get("address") or "").lower() == (vnic.get("mac_address") or "").lower():
                    entry = e
                    break
            attrs, name = {}, None
            if entry and (entry.get("network") or {}).get("id"):
                net_id = entry["network"]["id"]
                idx.annotate(vnic, "network", net_id)
                attrs = {"network": net_id}
                name = entry["network"].get("label")
            idx.link(instance, vnic, link_name=name or vnic.get("name"), host=vnic.get("host"), attributes=attrs)
