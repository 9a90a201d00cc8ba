"""vNICs of an instance (OVS, Linux bridge), from its libvirt domain XML (vim-contract §4.5.15).

The domain is asked for by its name (Nova's `local_name`), one call per instance; only when
that fails is the host's domain list read and searched by uuid, as the original did.
"""

from __future__ import annotations

from scan.access.calls import RemoteError
from scan.parsers import ParseError
from scan.parsers.virsh import dumpxml, interfaces, virsh_list


def instance_domain(ctx, instance: dict) -> dict | None:
    host = instance["host"]
    name = instance.get("local_name")
    if name:
        try:
            dom = dumpxml(ctx.cli.run(host, ("virsh", "dumpxml", name)))
            if dom.get("uuid") == instance["id"]:
                return dom
        except (RemoteError, ParseError):
            pass
    domains = ctx.memo.once(("domains", host), lambda: virsh_list(ctx.cli.run(host, ("virsh", "list", "--all"))))
    for d in domains:
        dom = dumpxml(ctx.cli.run(host, ("virsh", "dumpxml", d["name"])))
        if dom.get("uuid") == instance["id"]:
            return dom
    return None


def the_instance(ctx, parent: dict) -> dict | None:
    return ctx.found.get(parent.get("parent_id", ""), "instance")


class CliFetchInstanceVnics:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        instance = the_instance(ctx, parent)
        if instance is None:
            return []
        dom = instance_domain(ctx, instance)
        if dom is None:
            ctx.errors.add(instance["host"], f"instance {instance['id']}: no libvirt domain with this uuid")
            return []
        out = []
        for iface in interfaces(dom):
            dev = (iface.get("target") or {}).get("@dev")
            mac = (iface.get("mac") or {}).get("@address")
            if not dev and iface.get("@type") == "hostdev" and mac:   # an SR-IOV VF passed through
                dev = f"{instance.get('local_name') or instance['id']}-hostdev-{mac.lower()}"
            if not dev:
                continue
            doc = dict(iface)
            doc.update({"id": f"{instance['host']}-{dev}", "name": dev, "host": instance["host"],
                        "vnic_type": "instance_vnic", "instance_id": instance["id"],
                        "mac_address": (mac or "").lower(),
                        "source_bridge": (iface.get("source") or {}).get("@bridge")})
            net = network_of(instance, doc)
            if net:
                doc["network"] = net
            out.append(doc)
        if out:
            ctx.found.update(instance, {"mac_address": out[-1]["mac_address"]})
        return out


def network_of(instance: dict, vnic: dict) -> str | None:
    """The network of a vNIC from the instance's Nova network info (by device name, else MAC)."""
    for e in instance.get("network_info") or []:
        if isinstance(e, dict) and (e.get("devname") == vnic["name"] or
                                    (e.get("address") or "").lower() == vnic["mac_address"]):
            return (e.get("network") or {}).get("id")
    return None
