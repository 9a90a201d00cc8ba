"""What the cloud itself says (openstacksdk, as an operator sees it), as plain dicts the checks can compare."""

from __future__ import annotations

from dataclasses import dataclass, field

L2_AGENTS = ("Open vSwitch agent", "Linux bridge agent")


@dataclass
class Cloud:
    servers: list[dict] = field(default_factory=list)     # id, name, status, host
    ports: list[dict] = field(default_factory=list)       # id, network_id, mac, device_owner, device_id, host, status
    networks: dict[str, dict] = field(default_factory=dict)   # id -> id, name, provider:*, router:external
    routers: list[dict] = field(default_factory=list)     # id, name
    agents: list[dict] = field(default_factory=list)      # agent_type, host, alive, configurations

    def l2_agent(self, host: str) -> dict | None:
        return next((a for a in self.agents if a["host"] == host and a["agent_type"] in L2_AGENTS), None)

    def bridge_mappings(self, host: str) -> dict[str, str]:
        """physnet -> OVS bridge on the host (Open vSwitch agents only)."""
        agent = self.l2_agent(host) or {}
        m = (agent.get("configurations") or {}).get("bridge_mappings") or {}
        return dict(x.split(":", 1) for x in m.split(",")) if isinstance(m, str) else dict(m)

    def tunnels(self, host: str) -> bool:
        agent = self.l2_agent(host) or {}
        conf = agent.get("configurations") or {}
        return bool(conf.get("tunnel_types") or conf.get("tunneling_ip"))

    def linux_bridge(self, host: str) -> bool:
        return (self.l2_agent(host) or {}).get("agent_type") == "Linux bridge agent"

    def otep_for(self, host: str, network: dict) -> str:
        """The OTEP carrying a tunnel network off the host: Open vSwitch has one per host (br-tun); Linux bridge
        one per VXLAN device, `vxlan-<VNI>` (the spec's `<host>-otep-<ifname>`)."""
        if self.linux_bridge(host):
            return f"{host}-otep-vxlan-{network.get('provider:segmentation_id')}"
        return f"{host}-otep"

    def defined(self) -> set[str]:
        """Servers with a libvirt domain (a stopped one keeps it)."""
        return {s["id"] for s in self.servers if s["status"] in ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")}

    def active(self) -> set[str]:
        return {s["id"] for s in self.servers if s["status"] == "ACTIVE"}

    def plumbed(self) -> list[dict]:
        """Ports the datapath holds: the network's own (DHCP, router) and active servers' bound ports."""
        active = self.active()
        return [p for p in self.ports if p["host"] and (p["device_owner"].startswith("network:") or
                (p["device_owner"].startswith("compute:") and p["device_id"] in active))]


def from_sdk(sdk) -> Cloud:
    """The cloud read once through openstacksdk (admin: every project)."""
    servers = [{"id": s.id, "name": s.name, "status": s.status, "host": s.compute_host or s.hypervisor_hostname}
               for s in sdk.compute.servers(all_projects=True)]
    ports = [{"id": p.id, "network_id": p.network_id, "mac": p.mac_address, "device_owner": p.device_owner or "",
              "device_id": p.device_id or "", "host": p.binding_host_id or "", "status": p.status,
              "ips": [ip["ip_address"] for ip in p.fixed_ips or []]} for p in sdk.network.ports()]
    networks = {n.id: {"id": n.id, "name": n.name, "provider:network_type": n.provider_network_type,
                       "provider:physical_network": n.provider_physical_network,
                       "provider:segmentation_id": n.provider_segmentation_id,
                       "router:external": bool(n.is_router_external)} for n in sdk.network.networks()}
    routers = [{"id": r.id, "name": r.name} for r in sdk.network.routers()]
    agents = [{"agent_type": a.agent_type, "host": a.host, "alive": a.is_alive, "configurations": a.configuration or {}}
              for a in sdk.network.agents()]
    return Cloud(servers, ports, networks, routers, agents)
