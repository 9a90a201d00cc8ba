"""vNICs of an instance (OVS, Linux bridge), from its libvirt domain XML (vim-contract §4.5.15).

The domains of all the host's instances are asked for by name (Nova's `local_name`) in one
call per host (`Cli.run_each`, up to BATCH at a time); a domain missing from that answer is
asked for alone, and only when that fails too is the host's domain list read and searched by
uuid, as the original did.

A domain that is not running (a stopped server keeps it: no `id` on <domain>) has no tap on the
host: its vNICs are kept, marked `absent`, and get no datapath links. The instance learns every
vNIC's MAC (`mac_addresses`; `mac_address` stays the original's one).
"""

from __future__ import annotations

from typing import Callable

from scan.access.calls import RemoteError
from scan.parsers import ParseError
from scan.parsers.virsh import dumpxml, interfaces, virsh_list


BATCH = 50


def _instances_by_host(ctx) -> dict[str, list[str]]:
    by_host: dict[str, list[str]] = {}
    for inst in ctx.found.of_type("instance"):
        if inst.get("host") and inst.get("local_name"):
            by_host.setdefault(inst["host"], []).append(str(inst["local_name"]))
    return by_host


def host_domains(ctx, host: str) -> dict[str, dict]:
    """The libvirt domains of the host's instances by name, read in batched calls."""
    run_each = getattr(ctx.cli, "run_each", None)
    if run_each is None:
        return {}

    def read() -> dict[str, dict]:
        names = sorted(set(ctx.memo.once(("instances-by-host",), lambda: _instances_by_host(ctx)).get(host, [])))
        doms: dict[str, dict] = {}
        for start in range(0, len(names), BATCH):
            chunk = names[start:start + BATCH]
            try:
                outs = run_each(host, [("virsh", "dumpxml", n) for n in chunk])
            except RemoteError:
                continue            # asked for one by one below
            for name, out in zip(chunk, outs):
                if out is None:
                    continue
                try:
                    dom = dumpxml(out)
                except ParseError:
                    continue
                doms[name] = {"uuid": dom.get("uuid"), "@id": dom.get("@id"),   # what vNICs need
                              "devices": {"interface": interfaces(dom)}}
        return doms
    return ctx.memo.once(("domains", "xml", host), read)


def instance_domain(ctx, instance: dict) -> dict | None:
    host = instance["host"]
    name = instance.get("local_name")
    if name:
        dom = host_domains(ctx, host).get(str(name))
        if dom is not None and dom.get("uuid") == instance["id"]:
            return dom
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


def instance_vnics(ctx, parent: dict, make: Callable[[dict, dict], dict | None]) -> list[dict]:
    """vNIC documents of the instance owning this vNICs folder, one per domain interface `make` keeps.

    Shared by every driver's vNIC fetcher: a missing libvirt domain is reported as an error of
    the instance's host, and the instance learns the MAC of its vNIC, whatever the driver.
    """
    instance = the_instance(ctx, parent)
    if instance is None:
        return []
    dom = instance_domain(ctx, instance)
    if dom is None:
        ctx.errors.add(instance["host"], f"instance {instance['id']}: no libvirt domain with this uuid")
        return []
    out = []
    running = dom.get("@id") not in (None, "", "-1")
    for iface in interfaces(dom):
        doc = make(instance, iface)
        if doc is None:
            continue
        net = network_of(instance, doc)
        if net:
            doc["network"] = net
        if not running:
            doc["absent"] = True
        out.append(doc)
    if out:
        ctx.found.update(instance, {"mac_address": out[-1]["mac_address"],
                                    "mac_addresses": [d["mac_address"] for d in out]})
    return out


def _ovs_vnic(instance: dict, iface: dict) -> dict | None:
    """A tap device (OVS, Linux bridge) or an SR-IOV VF passed through as a hostdev."""
    dev = (iface.get("target") or {}).get("@dev")
    mac = (iface.get("mac") or {}).get("@address")
    if not dev and iface.get("@type") == "hostdev" and mac:
        dev = f"{instance.get('local_name') or instance['id']}-hostdev-{mac.lower()}"
    if not dev:
        return None
    doc = dict(iface)
    doc.update({"id": f"{instance['host']}-{dev}", "name": dev, "host": instance["host"],
                "vnic_type": "instance_vnic", "instance_id": instance["id"],
                "mac_address": (mac or "").lower(),
                "source_bridge": (iface.get("source") or {}).get("@bridge")})
    return doc


class CliFetchInstanceVnics:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        return instance_vnics(ctx, parent, _ovs_vnic)


def network_of(instance: dict, vnic: dict) -> str | None:
    """The network of a vNIC from the instance's Nova network info (by device name, else MAC)."""
    for e in instance.get("network_info") or []:
        if isinstance(e, dict) and (e.get("devname") == vnic["name"] or
                                    (e.get("address") or "").lower() == vnic["mac_address"]):
            return (e.get("network") or {}).get("id")
    return None
