"""OTEPs of a vEdge (Q10): the tunnel endpoint row of the vEdge's host, and the interface
holding the tunnelling IP (`ip address show`): a Linux bridge there is the OTEP's vConnector,
and the devices under it (`underlay`) are the NICs that carry the overlay."""

from __future__ import annotations

from scan.access.calls import RemoteError
from scan.fetchers.db.tunnel_endpoints import endpoints
from scan.fetchers.host_commands import ADDRESSES
from scan.parsers import ParseError
from scan.parsers.ip import tunnel_underlay

DEFAULT_UDP = {"vxlan": 4789, "geneve": 6081}


class DbFetchOteps:
    source = "DB"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = parent.get("host")
        config = parent.get("configurations") if isinstance(parent.get("configurations"), dict) else {}
        types = config.get("tunnel_types") or []
        if parent.get("agent_type") == "VPP" and not types and ctx.type_driver in ("vxlan", "gre", "geneve"):
            types = [ctx.type_driver]
        if not types or not host:
            return []
        tunnel = str(types[0]).lower()
        if tunnel not in ("vxlan", "gre", "geneve"):
            return []
        rows = endpoints(ctx, tunnel)
        out = []
        for row in rows.get(host, []):
            doc = dict(row)
            doc.update({"id": f"{host}-otep", "name": f"{host}-otep", "host": host, "overlay_type": tunnel,
                        "l2_population": bool(config.get("l2_population")),
                        "udp_port": row.get("udp_port") or DEFAULT_UDP.get(tunnel, 0)})
            if isinstance(parent.get("tunnels"), dict):   # the vEdge's ports, as the mesh's difference
                doc["tunnels"] = parent["tunnels"]
            else:
                doc["ports"] = parent.get("tunnel_ports") or []
            try:
                where = tunnel_underlay(ctx.cli.run(host, ADDRESSES), row.get("ip_address"))
            except (RemoteError, ParseError) as e:
                ctx.errors.add(host, f"OTEP interface: {e}")
                where = None
            if where:
                doc["interface"] = where["interface"]
                doc["underlay"] = where["underlay"]
                if where["bridge"]:   # only a Linux bridge is a vConnector (never `<host>-lo`)
                    doc["vconnector"] = f"{host}-{where['interface']}"
            out.append(doc)
        return out
