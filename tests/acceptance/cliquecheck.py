"""Cliques right by focal type: each holds what the cloud says the focal object's traffic goes through.

An instance's or a vService's clique holds its vNICs, their networks, and what carries each network off its
host (the host's OTEP for a tunnel network, the provider bridge of its physical network otherwise, and no OTEP
when none of its networks is a tunnel); a network's clique reaches every vNIC the datapath holds on it.
"""

from __future__ import annotations

from tests.acceptance.cloud import Cloud
from tests.acceptance.linkcheck import TUNNELS
from tests.acceptance.table import Row


def _needs(cloud: Cloud, host: str, ports: list[dict], vnic_by_mac: dict) -> tuple[set, bool]:
    """(type, id) the clique of what owns `ports` must hold; whether the ports are all found at all."""
    need, complete = set(), True
    for p in ports:
        net = cloud.networks.get(p["network_id"]) or {}
        vnic = vnic_by_mac.get(p["mac"])
        complete &= vnic is not None
        if vnic is not None:
            need.add(("vnic", vnic["id"]))
        need.add(("network", p["network_id"]))
        if net.get("provider:network_type") in TUNNELS:
            need.add(("otep", cloud.otep_for(host, net)))
        elif net.get("provider:physical_network"):
            bridge = cloud.bridge_mappings(host).get(net["provider:physical_network"])
            if bridge:
                need.add(("provider_bridge", f"{host}-{bridge}"))
    return need, complete


def check(cloud: Cloud, docs: list[dict], cliques: list[dict]) -> tuple[list[Row], list[str]]:
    by_oid = {d["_id"]: d for d in docs}
    by_focal = {c["focal_point_object_id"]: c for c in cliques}
    vnic_by_mac = {d.get("mac_address"): d for d in docs if d["type"] == "vnic"}
    plumbed = cloud.plumbed()
    notes, rows = [], []

    def nodes(focal_id: str) -> set:
        c = by_focal.get(focal_id)
        return {(by_oid[n]["type"], by_oid[n]["id"]) for n in (c or {}).get("nodes", []) if n in by_oid}

    right = total = 0
    for s in cloud.servers:
        if s["status"] != "ACTIVE":
            continue
        total += 1
        ports = [p for p in plumbed if p["device_id"] == s["id"]]
        need, complete = _needs(cloud, s["host"], ports, vnic_by_mac)
        have = nodes(s["id"])
        tunnel_net = any((cloud.networks.get(p["network_id"]) or {}).get("provider:network_type") in TUNNELS for p in ports)
        ok = complete and need <= have and (tunnel_net or not any(t == "otep" for t, _ in have))
        right += ok
        if not ok:
            notes.append(f"instance {s['name']} clique misses {sorted(need - have)[:5]}")
    rows.append(Row("cliques", "instance: right / all", f"{right}/{total}", right == total))

    right = total = 0
    for d in docs:
        if d["type"] != "vservice":
            continue
        total += 1
        macs = {v.get("mac_address") for v in docs if v["type"] == "vnic" and v.get("vservice_id") == d["id"]}
        ports = [p for p in plumbed if p["mac"] in macs and p["host"] == d.get("host")]
        need, complete = _needs(cloud, d["host"], ports, vnic_by_mac)
        have = nodes(d["id"])
        ok = bool(ports) and complete and need <= have
        right += ok
        if not ok:
            notes.append(f"vservice {d.get('name')} on {d.get('host')} clique misses {sorted(need - have)[:5]}")
    rows.append(Row("cliques", "vservice: right / all", f"{right}/{total}", right == total))

    right = total = 0
    for net_id in sorted({p["network_id"] for p in plumbed}):
        total += 1
        have = {i for t, i in nodes(net_id) if t == "vnic"}
        unreached = [f"{p['device_owner']} {p['mac']} on {p['host']}" for p in plumbed if p["network_id"] == net_id
                     and not (p["mac"] in vnic_by_mac and vnic_by_mac[p["mac"]]["id"] in have)]
        right += not unreached
        if unreached:
            notes.append(f"network {cloud.networks.get(net_id, {}).get('name')} clique misses {unreached[:5]}")
    rows.append(Row("cliques", "network: reaching all its vNICs / all", f"{right}/{total}", right == total))
    return rows, notes
