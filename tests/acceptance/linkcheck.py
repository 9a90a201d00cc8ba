"""Calipso's links checked against the datapath, by link type: each stored link between two things the datapath
shows must join them there (directly, or through plumbing no inventory object stands for: veth peers, patch
ports, OVS ports); each such adjacency of a kind Calipso draws must be a stored link. Links to a network are
checked against the cloud: the network's type and physical network must be what the end carries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tests.acceptance.datapath import Datapath
from tests.acceptance.table import Row

TUNNELS = ("vxlan", "gre", "geneve")
#: the datapath adjacencies Calipso draws as links ("a-b" either way round)
DRAWN = {"instance-vnic", "vservice-vnic", "vnic-vconnector", "vnic-vedge", "vconnector-vedge", "vconnector-host_pnic",
         "vedge-host_pnic", "vedge-otep", "vedge-provider_bridge", "provider_bridge-host_pnic", "otep-vconnector",
         "otep-host_pnic"}
MAX_PLUMBING = 6


def nodes_of(doc: dict, dp: Datapath) -> list[str]:
    """The datapath nodes an inventory object stands for (none: a logical object, like a network or a port)."""
    host, t = doc.get("host"), doc.get("type")
    name = doc.get("local_name") or doc.get("name") or ""
    if not host:
        return []
    if t == "instance":
        found = [f"{host}:dom:{doc['id']}"]
    elif t == "vnic" and doc.get("vnic_type") == "vservice_vnic":
        ns = str(doc.get("vservice_id") or "").removeprefix(f"{host}-")
        found = [f"{host}:ns:{ns}:dev:{name}"]
    elif t == "vnic":
        found = [f"{host}:dev:{name}"]
    elif t == "vservice":
        found = [f"{host}:ns:{doc.get('local_service_id')}"]
    elif t == "vconnector":
        found = [f"{host}:dev:{doc.get('bridge_name') or name.removeprefix(f'{host}-')}"]
    elif t == "vedge":
        found = [f"{host}:dev:br-int"] if doc.get("vedge_type") == "OVS" else []
    elif t == "otep":     # Open vSwitch: br-tun; Linux bridge: its own vxlan-<VNI> device (`<host>-otep-<ifname>`)
        device = str(doc.get("id") or "").removeprefix(f"{host}-otep-")
        found = [f"{host}:dev:br-tun"] if dp.has(f"{host}:dev:br-tun") else (
            [f"{host}:dev:{device}"] if device.startswith("vxlan-") else dp.nodes_like(f"{host}:dev:vxlan-"))
    elif t == "provider_bridge":
        found = [f"{host}:dev:{doc.get('bridge') or name}"]
    elif t == "host_pnic":
        found = [f"{host}:dev:{name}"]
    else:
        found = []
    return [n for n in found if dp.has(n)]


def mapped(docs: Iterable[dict], dp: Datapath) -> dict[str, dict]:
    """Datapath node -> the inventory object standing for it."""
    out = {}
    for d in docs:
        for n in nodes_of(d, dp):
            out.setdefault(n, d)
    return out


def reach(dp: Datapath, start: str, owners: dict[str, dict], limit: int = MAX_PLUMBING) -> set[str]:
    """The object nodes one step away from `start` through plumbing only (nodes no object stands for)."""
    seen, frontier, found = {start}, [start], set()
    for _ in range(limit + 1):
        nxt = []
        for node in frontier:
            for other in dp.neighbours(node):
                if other in seen:
                    continue
                seen.add(other)
                if other in owners:
                    found.add(other)
                else:
                    nxt.append(other)
        frontier = nxt
    return found


def adjacent(dp: Datapath, a: list[str], b: list[str], owners: dict[str, dict]) -> bool:
    targets = set(b)
    return any(reach(dp, n, owners) & targets for n in a)


def _carried(end: dict, net: dict, agents: dict[str, dict]) -> bool:
    """A link to a network: the end (OTEP, provider bridge, pNIC, vConnector) is what carries that network."""
    kind, physnet = net.get("provider:network_type"), net.get("provider:physical_network")
    t = end.get("type")
    if t == "otep":
        return kind in TUNNELS
    if t == "provider_bridge":
        return kind not in TUNNELS and end.get("physical_network") == physnet
    if t == "vconnector":     # Linux bridge: a flat or VLAN network's own bridge, brq + its id's first 11
        bridge = end.get("bridge_name") or str(end.get("name") or "").removeprefix(f"{end.get('host')}-")
        return kind not in TUNNELS and bridge == f"brq{net['id'][:11]}"
    mappings = agents.get(end.get("host") or "", {})
    if t == "host_pnic":
        name = end.get("local_name") or end.get("name")
        return (kind in TUNNELS and name in mappings.get("tunnel_devices", ())) or \
            (kind not in TUNNELS and name in mappings.get("uplinks", {}).get(physnet, ()))
    return False


def check(docs: list[dict], links: list[dict], dp: Datapath,
          agents: dict[str, dict] | None = None) -> tuple[list[Row], list[str]]:
    """Rows by link type (real / not real / not checkable, and missing), and what was wrong, for the log."""
    agents = agents or {}
    by_id = {(d["type"], d["id"]): d for d in docs}
    owners = mapped(docs, dp)
    real, unreal, unchecked, missing = Counter(), Counter(), Counter(), Counter()
    notes = []
    drawn_pairs = set()
    for l in links:
        lt = l["link_type"]
        st, tt = lt.split("-", 1)
        src, dst = by_id.get((st, l["source_id"])), by_id.get((tt, l["target_id"]))
        if src is None or dst is None:
            unreal[lt] += 1
            notes.append(f"{lt} {l['source_id']} -> {l['target_id']}: an end is not in the inventory")
            continue
        drawn_pairs.add(frozenset(((st, l["source_id"]), (tt, l["target_id"]))))
        if "network" in (st, tt):
            net, end = (dst, src) if tt == "network" else (src, dst)
            if net.get("provider:network_type") is None:
                unchecked[lt] += 1
            elif _carried(end, net, agents):
                real[lt] += 1
            else:
                unreal[lt] += 1
                notes.append(f"{lt} {end.get('name')} -> network {net.get('name')}: it does not carry that network")
            continue
        a, b = nodes_of(src, dp), nodes_of(dst, dp)
        if not a or not b:
            unchecked[lt] += 1
        elif adjacent(dp, a, b, owners):
            real[lt] += 1
        else:
            unreal[lt] += 1
            notes.append(f"{lt} {src.get('name')} ({src.get('host')}) -> {dst.get('name')} ({dst.get('host')}): "
                         "not joined in the datapath")
    for node, doc in owners.items():
        for other in reach(dp, node, owners):
            peer = owners[other]
            pair = f"{doc['type']}-{peer['type']}"
            if pair not in DRAWN or peer is doc:
                continue
            if frozenset(((doc["type"], doc["id"]), (peer["type"], peer["id"]))) not in drawn_pairs:
                missing[pair] += 1
                notes.append(f"missing {pair}: {doc.get('name')} -> {peer.get('name')} on {doc.get('host')}")
    rows = []
    for lt in sorted(set(real) | set(unreal) | set(unchecked) | set(missing)):
        total = real[lt] + unreal[lt] + unchecked[lt]
        rows.append(Row("links", f"{lt}: not real / missing (of {total}; {unchecked[lt]} not checkable)",
                        f"{unreal[lt]} / {missing[lt]}", unreal[lt] == 0 and missing[lt] == 0))
    return rows, notes
