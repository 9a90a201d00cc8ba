"""instance-vnic (spec §4.4): each instance vNIC to its instance, labelled with its network.

The vNIC's network is found when the vNIC is fetched (from the instance's Nova network info);
Nova's network info is read here only for vNICs that do not have it."""

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
            net_id = vnic.get("network") if isinstance(vnic.get("network"), str) else None
            name = None
            if not net_id:
                for e in instance.get("network_info") or []:
                    if isinstance(e, dict) and (f"{vnic.get('host')}-{e.get('devname')}" == vnic["id"] or
                                                (e.get("address") or "").lower() == (vnic.get("mac_address") or "").lower()):
                        net_id = (e.get("network") or {}).get("id")
                        name = (e.get("network") or {}).get("label")
                        if net_id:
                            idx.annotate(vnic, "network", net_id)
                        break
            if net_id and name is None:
                net = idx.get("network", net_id)
                name = net.get("name") if net else None
            idx.link(instance, vnic, link_name=name or vnic.get("name"), host=vnic.get("host"),
                     state="down" if vnic.get("absent") else "up", attributes={"network": net_id} if net_id else {})
