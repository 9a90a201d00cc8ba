"""vservice-vnic (spec §4.4)."""

from __future__ import annotations

from scan.links.base import LinkIndex, net_attrs


class FindLinksForVserviceVnics:
    def find(self, idx: LinkIndex) -> None:
        for vnic in idx.of_type("vnic"):
            if vnic.get("vnic_type") != "vservice_vnic":
                continue
            vs_id = vnic.get("vservice_id") or (vnic.get("parent_id") or "").rsplit("-", 1)[0]
            vservice = idx.get("vservice", vs_id)
            if vservice is None:
                continue
            net = idx.get("network", vnic.get("network"))
            name = net.get("name") if net else f"{vservice.get('object_name')}-{vnic.get('object_name')}"
            idx.link(vservice, vnic, link_name=name, host=vnic.get("host"), attributes=net_attrs(vnic))
