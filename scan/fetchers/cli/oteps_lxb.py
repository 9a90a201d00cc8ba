"""Linux-bridge OTEPs (vim-contract §4.5.14): a vConnector's `<tunnel type>-…` interfaces.

Its UDP port is the device's own (`dstport` in `ip -d link show`: Linux's 8472 unless set); the
`ml2_vxlan_endpoints` table the Linux bridge agent leaves at 0 is read only when the device says none.
Each OTEP's tunnels (`ports`, in the shape of OVS's tunnel ports, read by app.topology.tunnels) are
its device's flood entries in `bridge fdb show`: one remote VTEP each."""

from __future__ import annotations

import re

from scan.access.calls import RemoteError
from scan.fetchers.db.common import neutron_db, rows_by_host
from scan.fetchers.host_commands import ADDRESSES, FDB, LINK_DETAILS
from scan.parsers import ParseError
from scan.parsers.ip import detailed_section, fdb_dst, fdb_remotes, tunnel_underlay


DSTPORT = re.compile(r"\bdstport (\d+)")


class CliFetchOtepsLxb:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = parent["host"]
        config = parent.get("configurations") if isinstance(parent.get("configurations"), dict) else {}
        types = config.get("tunnel_types") or [ctx.type_driver]
        tunnel = str(types[0]).lower()
        ifnames = [n for n in parent.get("interfaces_names") or [] if n.startswith(f"{tunnel}-")]
        if not ifnames:
            return []
        details = ctx.cli.run(host, LINK_DETAILS)
        fdb = ctx.cli.run(host, FDB)
        udp = 0
        if tunnel == "vxlan":
            rows = rows_by_host(ctx, ("endpoints", "vxlan"), f"SELECT * FROM {neutron_db(ctx)}.ml2_vxlan_endpoints",
                                "SELECT ml2_vxlan_endpoints").get(host) or []
            udp = rows[0].get("udp_port") if rows else 0
        where = None
        if config.get("tunneling_ip"):
            try:
                where = tunnel_underlay(ctx.cli.run(host, ADDRESSES), config["tunneling_ip"])
            except (RemoteError, ParseError) as e:
                ctx.errors.add(host, f"OTEP interface: {e}")
        holder = {"interface": where["interface"], "underlay": where["underlay"]} if where else {}
        out = []
        for name in ifnames:
            sec = detailed_section(details, name) or {}
            port = DSTPORT.search(sec.get("data") or "")
            out.append({"id": f"{host}-otep-{name}", "name": f"{host}-otep-{name}", "host": host,
                        "ip_address": config.get("tunneling_ip"), "vconnector": parent.get("name"),
                        "overlay_type": tunnel, "udp_port": int(port.group(1)) if port else udp,
                        "bridge dst": fdb_dst(fdb, name), "tunnel_interface": name, **holder, **sec,
                        "ports": [tunnel_port(name, tunnel, config.get("tunneling_ip"), ip)
                                  for ip in fdb_remotes(fdb, name)]})
        return out


def tunnel_port(device: str, tunnel: str, local_ip: str | None, remote_ip: str) -> dict:
    """One remote VTEP of a VXLAN device as a tunnel port, named per remote as OVS names its own
    (`vxlan-521-c0a8de02`: device and remote IP in hex), so monitoring checks each tunnel on its own."""
    try:
        suffix = "".join(f"{int(b):02x}" for b in remote_ip.split("."))
    except ValueError:
        suffix = remote_ip
    return {"name": f"{device}-{suffix}", "interface": device, "type": tunnel,
            "options": {"local_ip": local_ip, "remote_ip": remote_ip}}
