"""vNICs of an instance on VPP (vhost-user interfaces): `<instance name>-<type>-<mac>`."""

from __future__ import annotations

from scan.fetchers.cli.instance_vnics import instance_domain, network_of, the_instance
from scan.parsers.virsh import interfaces


class CliFetchInstanceVnicsVpp:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        instance = the_instance(ctx, parent)
        if instance is None:
            return []
        dom = instance_domain(ctx, instance)
        if dom is None:
            return []
        out = []
        for iface in interfaces(dom):
            mac = ((iface.get("mac") or {}).get("@address") or "").lower()
            name = f"{instance.get('name') or instance['id']}-{iface.get('@type')}-{mac}"
            doc = dict(iface)
            doc.update({"id": f"{instance['host']}-{name}", "name": name, "host": instance["host"],
                        "vnic_type": "instance_vnic", "instance_id": instance["id"], "mac_address": mac,
                        "source_path": (iface.get("source") or {}).get("@path")})
            if network_of(instance, doc):
                doc["network"] = network_of(instance, doc)
            out.append(doc)
        if out:
            ctx.found.update(instance, {"mac_address": out[-1]["mac_address"]})
        return out
