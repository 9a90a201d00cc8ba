"""Clique type selection and construction (spec §5), on in-memory graphs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bson import ObjectId

from scan.cliques import LinkGraph, build_clique, score, select_clique_types, select_constraints

ENV = {"name": "e1", "distribution": "Kolla", "distribution_version": "zed", "mechanism_drivers": ["OVS"],
       "type_drivers": "vxlan"}


def test_environment_specific_beats_configuration_beats_any():
    types = [{"name": "any", "focal_point_type": "instance", "environment": "ANY"},
             {"name": "kolla", "focal_point_type": "instance", "environment": "", "distribution": "Kolla"},
             {"name": "mine", "focal_point_type": "instance", "environment": "e1"},
             {"name": "other", "focal_point_type": "network", "environment": "e2"},
             {"name": "lxb", "focal_point_type": "network", "environment": "", "mechanism_drivers": "LXB"}]
    chosen = select_clique_types(types, ENV)
    assert chosen["instance"]["name"] == "mine"
    assert "network" not in chosen
    assert select_clique_types(types[:2], ENV)["instance"]["name"] == "kolla"
    assert score({"environment": "", "distribution": "Mercury", "distribution_version": "27747"},
                 {**ENV, "distribution": "Mercury", "distribution_version": "30000"}) == 48
    assert score({"environment": ""}, ENV) == 2


def test_constraints_env_document_wins():
    docs = [{"focal_point_type": "instance", "constraints": ["network"], "environment": ""},
            {"focal_point_type": "instance", "constraints": [], "environment": "e1"}]
    assert select_constraints(docs, ENV) == {"instance": []}
    assert select_constraints(docs[:1], ENV) == {"instance": ["network"]}


def _node(t):
    return {"_id": ObjectId(), "type": t, "id": f"{t}-{ObjectId()}", "environment": "e1"}


def _link(a, b, net=None):
    return {"_id": ObjectId(), "link_type": f"{a['type']}-{b['type']}", "source": a["_id"], "target": b["_id"],
            "source_id": a["id"], "target_id": b["id"], "attributes": {"network": net} if net else {}}


def test_walk_follows_both_directions_skips_gaps_and_applies_constraints():
    inst, vnic, vc, vedge, pnic, net1, net2 = (_node(t) for t in
                                               ("instance", "vnic", "vconnector", "vedge", "host_pnic", "network", "network"))
    inst["network"] = [net1["id"]]
    links = [_link(inst, vnic, net1["id"]), _link(vnic, vc, net1["id"]), _link(vedge, vc),  # stored reversed
             _link(pnic, net1, net1["id"]), _link(pnic, net2, net2["id"]), _link(vedge, pnic)]
    ct = {"link_types": ["instance-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-otep", "otep-vconnector",
                         "vedge-host_pnic", "host_pnic-network"]}
    clique = build_clique(inst, ct, ["network"], LinkGraph.build(links, False))
    assert set(clique["nodes"]) == {inst["_id"], vnic["_id"], vc["_id"], vedge["_id"], pnic["_id"], net1["_id"]}
    assert net2["_id"] not in clique["nodes"] and clique["truncated"] is False


def test_clique_is_bounded_and_says_so():
    net = _node("network")
    net["network"] = net["id"]
    pnics = [_node("host_pnic") for _ in range(50)]
    links = [_link(p, net, net["id"]) for p in pnics]
    clique = build_clique(net, {"link_types": ["network-host_pnic"]}, ["network"], LinkGraph.build(links, False),
                          max_nodes=10)
    assert len(clique["nodes"]) == 10 and clique["truncated"] is True


def test_no_links_no_clique():
    lonely = _node("instance")
    assert build_clique(lonely, {"link_types": ["instance-vnic"]}, [], LinkGraph.build([], False)) is None


_FAN_OUT = """
import json, random, sys
from bson import ObjectId
from scan.cliques import LinkGraph, build_clique
def node(t, i):
    return {"_id": ObjectId(("%02d" % i) * 12), "type": t, "id": f"{t}-{i}", "environment": "e1"}
def link(a, b, i):
    return {"_id": ObjectId(("%02d" % (50 + i)) * 12), "link_type": f"{a['type']}-{b['type']}", "source": a["_id"],
            "target": b["_id"], "source_id": a["id"], "target_id": b["id"], "attributes": {}}
net = node("network", 0)
pnics = [node("host_pnic", i) for i in range(1, 13)]
vedges = [node("vedge", i) for i in range(13, 25)]
links = [link(p, net, i) for i, p in enumerate(pnics)]
links += [link(v, p, 20 + i) for i, (v, p) in enumerate(zip(vedges, pnics))]
random.Random(int(sys.argv[1])).shuffle(links)
ct = {"link_types": ["network-host_pnic", "host_pnic-vedge"]}
c = build_clique(net, ct, [], LinkGraph.build(links, False), max_nodes=int(sys.argv[2]))
print(json.dumps({"nodes": [str(n) for n in c["nodes"]], "links": [str(l) for l in c["links"]], "cut": c["truncated"]}))
"""


def test_the_same_cloud_gives_the_same_clique_in_any_process_whatever_order_its_links_come_in():
    """A rescan of an unchanged cloud (a new process: another hash seed) rewrites no clique: node and link
    order, and which nodes a cut keeps, depend on the graph only."""
    root = Path(__file__).resolve().parents[3]
    outs = set()
    for seed, order in (("1", 1), ("2", 2), ("3", 3), ("4", 1)):
        for max_nodes in ("100", "9"):
            p = subprocess.run([sys.executable, "-c", _FAN_OUT, str(order), max_nodes], cwd=root, text=True,
                               capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
            outs.add((max_nodes, p.stdout))
    assert len(outs) == 2          # one clique per bound, whatever the seed and the order of the links
    cut = next(o for m, o in outs if m == "9")
    assert '"cut": true' in cut
