"""vNICs inside a host's namespaces (vim-contract §4.5.10); each finds its network and adds it to
its vService's `network` list.

The network comes from what identifies it, not from the address alone: a DHCP namespace is named
after its network, a router's interface is the router's port with that MAC (or named after the
port id). Only what neither settles falls back to the CIDR, and only when one network has it:
networks of different projects (or left over from earlier runs) often share a CIDR, and the first
one found was given every such vNIC (real Zed test bed: two networks on 10.9.9.0/24)."""

from __future__ import annotations

from scan.fetchers.base import folder, host_of, host_types
from scan.fetchers.cli.vservices import host_namespaces
from scan.parsers.ip import cidr, netmask, parse_addresses


class CliFetchVserviceVnics:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if "Network" not in host_types(ctx, host):
            return []
        by_cidr, router_ports = ctx.memo.once("vservice-vnic-indexes", lambda: _indexes(ctx))
        out = []
        for ns, text in zip(nss := host_namespaces(ctx, host),
                            ctx.parallel(lambda n: ctx.cli.run(host, ("ip", "netns", "exec", n, "ip", "address", "show")), nss)):
            vservice_id = f"{host}-{ns}"
            vservice = ctx.found.get(vservice_id, "vservice")
            for i in parse_addresses(text):
                if i["name"] == "lo":
                    continue
                doc = {"id": f"{host}-{i['name']}", "name": i["name"], "host": host, "vnic_type": "vservice_vnic",
                       "mac_address": i["mac_address"], "data": "\n".join(i["lines"]), "vservice_id": vservice_id}
                v4 = [(a, p) for a, p in i["ipv4"] if not a.startswith("169.254.")]
                if v4:
                    ip, plen = v4[0]
                    doc.update({"IP Address": ip, "netmask": netmask(plen), "cidr": cidr(ip, plen)})
                    if ns.startswith("qdhcp-"):   # named after its network (none if that is deleted)
                        net = ctx.found.get(ns[len("qdhcp-"):], "network")
                    else:
                        net = _router_network(ctx, ns, i, router_ports) or _only(by_cidr.get(doc["cidr"]))
                    if net:
                        doc["network"] = net["id"]
                        if vservice:
                            ctx.found.append_unique(vservice, "network", net["id"])
                if i["ipv6_global"]:
                    doc["IPv6 Address"] = i["ipv6_global"][0]
                doc["_folder"] = folder(vservice_id, "vservice", f"{vservice_id}-vnics", "vnics_folder", "vNICs",
                                        host=host)
                out.append(doc)
        return out


def _indexes(ctx) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Networks by CIDR and the network-owned ports by device, built once per scan for every network host."""
    by_cidr: dict[str, list[dict]] = {}
    for net in ctx.found.of_type("network"):
        for c in net.get("cidrs") or []:
            by_cidr.setdefault(c, []).append(net)
    router_ports: dict[str, list[dict]] = {}
    for p in ctx.found.of_type("port"):
        if str(p.get("device_owner") or "").startswith("network:"):
            router_ports.setdefault(p.get("device_id") or "", []).append(p)
    return by_cidr, router_ports


def _router_network(ctx, ns: str, iface: dict, router_ports: dict[str, list[dict]]) -> dict | None:
    """The network of a router's interface: that of the router's port with its MAC or port id."""
    if not ns.startswith("qrouter-"):
        return None
    mac, tail = (iface.get("mac_address") or "").lower(), iface["name"][3:]
    for p in router_ports.get(ns[len("qrouter-"):], ()):
        if (mac and (p.get("mac_address") or "").lower() == mac) or (len(tail) >= 11 and p["id"].startswith(tail)):
            return ctx.found.get(p.get("network_id") or "", "network")
    return None


def _only(nets: list[dict] | None) -> dict | None:
    return nets[0] if nets and len(nets) == 1 else None
