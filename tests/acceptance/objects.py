"""Objects missing from the store, or there with nothing real behind them (phantom), by type, on every host."""

from __future__ import annotations

import json

from tests.acceptance.cloud import Cloud
from tests.acceptance.datapath import HostFacts, bridges
from tests.acceptance.table import Row

#: bridges an OpenStack agent makes (hybrid-plug qbr, Linux bridge brq); a container runtime's are not vConnectors
AGENT_BRIDGES = ("qbr", "brq")


def expected(cloud: Cloud, hosts: dict[str, HostFacts]) -> dict[str, set]:
    defined = cloud.defined()
    return {
        "instance": {s["id"] for s in cloud.servers},
        "network": set(cloud.networks),
        "port": {p["id"] for p in cloud.ports},
        "host": set(hosts),
        "vservice": {f"{h}-{ns}" for h, f in hosts.items() for ns in f.namespaces if ns.startswith(("qdhcp-", "qrouter-"))},
        "vnic (by MAC)": {p["mac"] for p in cloud.ports if p["host"] in hosts and (
            p["device_owner"].startswith("network:") and p["device_owner"] != "network:floatingip"
            or p["device_owner"].startswith("compute:") and p["device_id"] in defined)},
        "vconnector (host, bridge)": {(h, b) for h, f in hosts.items() for b in bridges(f) if b.startswith(AGENT_BRIDGES)},
        "provider_bridge": {f"{h}-{b}" for h in hosts for b in cloud.bridge_mappings(h).values()},
        "otep": set().union(*[oteps(cloud, h, f) for h, f in hosts.items()]),
    }


def oteps(cloud: Cloud, host: str, facts: HostFacts) -> set[str]:
    """Open vSwitch: the host's one OTEP when its agent tunnels; Linux bridge: one per VXLAN device it has."""
    if cloud.linux_bridge(host):
        return {f"{host}-otep-{l['ifname']}" for l in json.loads(facts.links_json or "[]")
                if l.get("linkinfo", {}).get("info_kind") == "vxlan"}
    return {f"{host}-otep"} if cloud.tunnels(host) else set()


def found(docs: list[dict]) -> dict[str, set]:
    of = lambda t: [d for d in docs if d["type"] == t]  # noqa: E731
    return {
        "instance": {d["id"] for d in of("instance")},
        "network": {d["id"] for d in of("network")},
        "port": {d["id"] for d in of("port")},
        "host": {d["id"] for d in of("host")},
        "vservice": {d["id"] for d in of("vservice")},
        "vnic (by MAC)": {d.get("mac_address") for d in of("vnic")},
        "vconnector (host, bridge)": {(d.get("host"), d.get("bridge_name") or (d.get("name") or "").removeprefix(
            f"{d.get('host')}-")) for d in of("vconnector")},
        "provider_bridge": {d["id"] for d in of("provider_bridge")},
        "otep": {d["id"] for d in of("otep")},
    }


def compare(want: dict[str, set], have: dict[str, set]) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    for t in want:
        miss, phantom = want[t] - have.get(t, set()), have.get(t, set()) - want[t]
        rows.append(Row("objects", f"{t}: missing / phantom (of {len(want[t])})", f"{len(miss)} / {len(phantom)}",
                        not miss and not phantom))
        if miss or phantom:
            notes.append(f"{t}: missing {sorted(map(str, miss))[:5]} phantom {sorted(map(str, phantom))[:5]}")
    return rows, notes
