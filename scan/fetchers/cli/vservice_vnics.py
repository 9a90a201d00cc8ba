"""vNICs inside a host's namespaces (vim-contract §4.5.10); each finds its network by CIDR and
adds it to its vService's `network` list."""

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
        by_cidr = {}
        for net in ctx.found.of_type("network"):
            for c in net.get("cidrs") or []:
                by_cidr.setdefault(c, net)
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
                    net = by_cidr.get(doc["cidr"])
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
