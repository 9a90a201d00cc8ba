"""vServices of a Network host (vim-contract §4.5.9): DHCP and router namespaces, named from
the networks found earlier and the routers table, in per-kind dynamic folders."""

from __future__ import annotations

from scan.fetchers.base import folder, host_of, host_types
from scan.fetchers.db.common import neutron_db
from scan.parsers.netns import namespaces

KINDS = {"qdhcp-": "dhcp", "qrouter-": "router"}
FOLDER_TEXT = {"dhcp": "DHCP servers", "router": "Gateways"}


def host_namespaces(ctx, host: str) -> list[str]:
    return [ns for ns in namespaces(ctx.cli.run(host, ("ip", "netns", "list")))
            if any(ns.startswith(p) for p in KINDS)]


def routers(ctx) -> dict[str, dict]:
    def load():
        rows = ctx.db.query(f"SELECT * FROM {neutron_db(ctx)}.routers", what="SELECT neutron.routers")
        return {r["id"]: r for r in rows}
    return ctx.memo.once("routers", load, cloud=True)


class CliFetchHostVservices:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if "Network" not in host_types(ctx, host):
            return []
        out = []
        for ns in host_namespaces(ctx, host):
            prefix = next(p for p in KINDS if ns.startswith(p))
            kind, ref = KINDS[prefix], ns[len(prefix):]
            doc = {"id": f"{host}-{ns}", "host": host, "local_service_id": ns, "service_type": kind}
            if kind == "dhcp":
                net = ctx.found.get(ref, "network")
                doc["name"] = f"dhcp-{net['name'] if net else ref}"
            else:
                row = routers(ctx).get(ref) if ctx.db else None
                if row:
                    doc.update({k: v for k, v in row.items() if k not in ("id", "name")})
                    doc["router_id"] = ref
                doc["name"] = f"router-{(row or {}).get('name') or ref}"
            doc["_folder"] = folder(f"{host}-vservices", "vservices_folder", f"{host}-vservices-{kind}s",
                                    f"vservice_{kind}s_folder", FOLDER_TEXT[kind], host=host)
            out.append(doc)
        return out
