"""Provider bridges of an OVS vEdge: the bridges its agent maps physical networks to.

The agent's `bridge_mappings` (`physnet1:br-phys`, `external:br-ex`) say which bridge carries
each physical network; `ovs-vsctl show` says how the bridge is wired: the patch (or, on old
releases, veth) pair to the integration bridge and the ports that leave the host. A bridge with
no such port is recorded too: that network's traffic then ends on this host.
"""

from __future__ import annotations

from scan.fetchers.base import host_of
from scan.fetchers.cli.ovs_show import TUNNEL_TYPES, ovs_bridges


def bridge_mappings(config: dict) -> dict[str, str]:
    """physnet -> bridge, from an agent's configurations (a dict, or the `a:b,c:d` text of old agents)."""
    mappings = config.get("bridge_mappings") or {}
    if isinstance(mappings, str):
        mappings = dict(m.strip().split(":", 1) for m in mappings.split(",") if ":" in m)
    return {str(k): str(v) for k, v in mappings.items()} if isinstance(mappings, dict) else {}


def _is_patch(port: dict) -> bool:
    name = port.get("name", "")
    return port.get("type") == "patch" or name.startswith(("int-br-", "phy-br-"))


def provider_bridge_id(host: str, bridge: str) -> str:
    return f"{host}-{bridge}"


class CliFetchProviderBridgesOvs:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        config = parent.get("configurations") if isinstance(parent.get("configurations"), dict) else {}
        mappings = bridge_mappings(config)
        if not mappings:
            return []
        bridges = ovs_bridges(ctx, host)
        integration = config.get("integration_bridge") or "br-int"
        out = []
        for physnet, bridge in sorted(mappings.items()):
            ports = bridges.get(bridge)
            if ports is None:
                ctx.errors.add(host, f"provider bridge {bridge} of {physnet} is mapped but not in 'ovs-vsctl show'")
                continue
            patches = [p for p in ports.values() if _is_patch(p)]
            uplinks = sorted(name for name, p in ports.items()
                             if name != bridge and p.get("type") not in ("internal",) + TUNNEL_TYPES and not _is_patch(p))
            peer = next((p.get("options", {}).get("peer") for p in patches if p.get("options", {}).get("peer")), None)
            out.append({"id": provider_bridge_id(host, bridge), "name": bridge, "object_name": bridge, "host": host,
                        "physical_network": physnet, "bridge": bridge, "integration_bridge": integration,
                        "patch_ports": sorted(p["name"] for p in patches),
                        "integration_port": peer or f"int-{bridge}", "uplinks": uplinks,
                        "datapath_type": config.get("datapath_type") or "system", "vedge": parent.get("id")})
        return out
