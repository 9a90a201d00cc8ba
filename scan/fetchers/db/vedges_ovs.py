"""OVS vEdges (Q9 + `ovs-vsctl show` + `ovs-dpctl show`, vim-contract §4.5.11).

With the userspace datapath `ovs-dpctl show` fails (Zed reference); `ovs-appctl dpctl/show`
then gives the same port list. Without a tunnelling IP (VLAN/flat) the physical NIC of the
bridge-mapped bridges is recorded as `pnic`.
"""

from __future__ import annotations

from scan.access.calls import RemoteError
from scan.fetchers.base import host_of, host_types
from scan.fetchers.cli.ovs_show import ovs_bridges, tunnels as tunnels_of
from scan.fetchers.db.common import agents_on
from scan.fetchers.host_commands import NET_CLASS, OVS_DATAPATH
from scan.parsers import ParseError
from scan.parsers.host import physical_interfaces
from scan.parsers.ovs import dpctl_show, list_ifaces


def datapath_ports(ctx, host: str) -> list[dict]:
    try:
        text = ctx.cli.run(host, OVS_DATAPATH)
        if text.strip():
            return dpctl_show(text)
    except RemoteError:
        pass
    return dpctl_show(ctx.cli.run(host, ("ovs-appctl", "dpctl/show")))


class DbFetchVedgesOvs:
    source = "DB"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not {"Network", "Compute"} & set(host_types(ctx, host)):
            return []
        rows = agents_on(ctx, host, "Open vSwitch agent")
        if not rows:
            return []
        bridges = ovs_bridges(ctx, host)
        dp = datapath_ports(ctx, host)
        tags = {name: port.get("tag") for br in bridges.values() for name, port in br.items()}
        ports = []
        for p in dp:
            port = dict(p)
            if tags.get(p["name"]):
                port["tag"] = tags[p["name"]]
            ports.append(port)
        out = []
        for row in rows:
            doc = {k: v for k, v in row.items()}
            doc["agent_id"] = row["id"]
            doc.update({"name": f"{host}-OVS", "host": host, "ports": ports, "vedge_type": "OVS"})
            config = row.get("configurations") if isinstance(row.get("configurations"), dict) else {}
            tunnels = tunnels_of(ctx, host, config)
            if tunnels is not None:   # the original's `tunnel_ports`, kept as the mesh's difference
                doc["tunnels"] = tunnels
            else:                     # no tunnelling: as the original had it
                doc["tunnel_ports"] = []
            if not config.get("tunneling_ip"):
                pnic = self._bridge_pnic(ctx, host, config)
                if pnic:
                    doc["pnic"] = pnic
            out.append(doc)
        return out

    @staticmethod
    def _bridge_pnic(ctx, host: str, config: dict) -> str | None:
        try:
            physical = set(physical_interfaces(ctx.cli.run(host, NET_CLASS)))
        except (RemoteError, ParseError):
            physical = set()
        mappings = config.get("bridge_mappings") or {}
        if isinstance(mappings, str):
            mappings = dict(m.split(":", 1) for m in mappings.split(",") if ":" in m)
        for bridge in mappings.values():
            for name in list_ifaces(ctx.cli.run(host, ("ovs-vsctl", "list-ifaces", bridge))):
                if "--br-" in name:
                    name = name.split("--br-", 1)[1]
                if name in physical:
                    return name
        return None
