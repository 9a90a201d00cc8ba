"""app.topology: the bounded graph, the path search and the export formats, on small graphs made here."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import networkx

from app.topology.export import render
from app.topology.path import CONTAINMENT, Step, shortest

HOSTILE = ['<script>alert(1)</script>', 'a "quoted" \\ name', "{{7*7}} & ]]> --", "line\nbreak"]


def topo() -> dict:
    nodes = [{"id": f"n{i}", "name": name, "type": "vnic", "host": "h<1>", "status": "Error" if i == 0 else None}
             for i, name in enumerate(HOSTILE)]
    links = [{"id": f"l{i}", "source": f"n{i}", "target": f"n{i + 1}", "link_type": "vnic-vconnector",
              "link_name": HOSTILE[i]} for i in range(len(HOSTILE) - 1)]
    return {"name": 'a "graph" <x>', "nodes": nodes, "links": links}


def test_graphml_keeps_hostile_text_exactly(tmp_path):
    f = tmp_path / "t.graphml"
    f.write_text(render(topo(), "graphml"))
    g = networkx.read_graphml(f)
    assert [g.nodes[f"n{i}"]["name"] for i in range(len(HOSTILE))] == HOSTILE
    assert g.edges["n0", "n1"]["link_name"] == HOSTILE[0] and g.nodes["n0"]["status"] == "Error"


def test_drawio_is_xml_with_a_vertex_per_node_and_an_edge_per_link():
    root = ET.fromstring(render(topo(), "drawio"))
    cells = root.findall(".//mxCell")
    assert sorted(c.get("value").split(" (")[0] for c in cells if c.get("vertex")) == sorted(HOSTILE)
    assert sum(1 for c in cells if c.get("edge")) == 3


def test_dot_quotes_every_string():
    text = render(topo(), "dot")
    assert '\\"quoted\\" \\\\ name' in text and "line\\nbreak" in text and "<script>" in text
    assert text.count("->") == 3


def test_shortest_prefers_cheap_links_and_reports_where_sides_stop():
    # a - b - c - d by links (cost 1 each), a - d by one containment step (cost 5): the links win (3 < 5)
    edges = {("a", "b"): 1, ("b", "c"): 1, ("c", "d"): 1, ("a", "d"): CONTAINMENT, ("x", "y"): 1}
    def neighbours(batch):
        out = {}
        for (s, t), w in edges.items():
            kind = "containment" if w == CONTAINMENT else "link"
            if s in batch:
                out.setdefault(s, []).append(Step(t, w, kind, f"{s}-{t}"))
            if t in batch:
                out.setdefault(t, []).append(Step(s, w, kind, f"{s}-{t}", None, False))
        return out
    r = shortest("a", "d", neighbours)
    assert r["found"] and [n for n, _ in r["chain"]] == ["a", "b", "c", "d"] and r["cost"] == 3
    edges[("b", "c")] = 9
    r = shortest("a", "d", neighbours)
    assert [n for n, _ in r["chain"]] == ["a", "d"] and r["chain"][1][1].kind == "containment"
    none = shortest("a", "x", neighbours)
    assert not none["found"] and none["stops"][1]["reached"] == 2 and none["stops"][1]["farthest"] == ["y"]
