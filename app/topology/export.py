"""A topology (clique, path or diff) as a file other tools open: JSON, GraphML (yEd), DOT (Graphviz), draw.io.

The input is one neutral shape, {"name", "nodes": [{"id", "name", "type", "host", "status", ...}],
"links": [{"id", "source", "target", "link_type", "link_name", "status", ...}]}, made from each
view by `from_clique`, `from_path` and `from_diff`. Text is escaped for each format; node ids
are opaque strings (ObjectIds, inventory ids). draw.io gets positions: rows by object type, the
VM on top and the wire at the bottom, as in the console.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from app.plain import plain
from app.topology.graph import layer

FORMATS = {"json": "application/json", "graphml": "application/graphml+xml", "dot": "text/vnd.graphviz",
           "drawio": "application/vnd.jgraph.mxfile"}
EXTENSIONS = {"json": "json", "graphml": "graphml", "dot": "gv", "drawio": "drawio"}
NODE_KEYS = ("name", "type", "object_id", "host", "status", "change")
LINK_KEYS = ("link_type", "link_name", "host", "status", "change", "network", "segment")
COLORS = {"OK": "#2e7d32", "Warning": "#ef6c00", "Error": "#c62828"}
CHANGE_COLORS = {"added": "#2e7d32", "removed": "#9e9e9e", "changed": "#f9a825"}


def _text(v) -> str:
    return "" if v is None else str(v)


def _edge_label(l: dict) -> str:
    """A link's label: its name (or type) and, on a path, the network and segment it carries."""
    label = _text(l.get("link_name") or l.get("link_type"))
    where = ", ".join(_text(l[k]) for k in ("network", "segment") if l.get(k))
    return f"{label}\n{where}" if where else label


def from_clique(graph: dict) -> dict:
    fp = graph.get("focal_point") or {}
    return {"name": f"clique of {fp.get('type')} {fp.get('name')}", "nodes": graph["nodes"], "links": graph["links"]}


def from_path(path: dict) -> dict:
    """One node per object (a path may pass one twice, in two networks), one edge per hop."""
    links = [{"id": f"{i}|{h.get('link_id') or h['from'] + '>' + h['to']}", "source": h["from"], "target": h["to"],
              "link_type": h["link_type"], "link_name": h.get("link_name"), "host": h.get("host"),
              "status": h.get("status"), "network": h.get("network"), "segment": h.get("segment")}
             for i, h in enumerate(path.get("hops", []))]
    nodes = list({n["id"]: n for n in path.get("nodes", [])}.values())
    return {"name": f"path {path['source']['name']} to {path['target']['name']}", "nodes": nodes, "links": links}


def from_diff(diff: dict) -> dict:
    """Changed objects as nodes, changed links as edges (ends not in the diff become plain nodes)."""
    nodes: dict[str, dict] = {}
    for change in ("added", "changed", "removed"):
        for o in diff["objects"][change]:
            nodes[o["id"]] = {"id": o["id"], "object_id": o["id"], "name": o.get("name") or o["id"],
                              "type": o.get("type"), "change": change}
    links = []
    for change in ("added", "changed", "removed"):
        for l in diff["links"][change]:
            for end in ("source_id", "target_id"):
                nodes.setdefault(l[end], {"id": l[end], "object_id": l[end], "name": l[end],
                                          "type": l.get("link_type", "-").split("-")[0 if end == "source_id" else -1]})
            links.append({"id": f"{l['link_type']}|{l['source_id']}|{l['target_id']}", "source": l["source_id"],
                          "target": l["target_id"], "link_type": l.get("link_type"), "link_name": l.get("link_name"),
                          "change": change})
    return {"name": f"changes in {diff.get('environment')}", "nodes": list(nodes.values()), "links": links}


def render(topo: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(plain(topo), ensure_ascii=False, indent=1)
    return {"graphml": graphml, "dot": dot, "drawio": drawio}[fmt](topo)


def graphml(topo: dict) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    for k in NODE_KEYS:
        out.append(f'  <key id="n_{k}" for="node" attr.name="{k}" attr.type="string"/>')
    for k in LINK_KEYS:
        out.append(f'  <key id="e_{k}" for="edge" attr.name="{k}" attr.type="string"/>')
    out.append(f'  <graph id={quoteattr(_text(topo.get("name")) or "topology")} edgedefault="directed">')
    for n in topo["nodes"]:
        out.append(f"    <node id={quoteattr(_text(n['id']))}>")
        out += [f'      <data key="n_{k}">{escape(_text(n.get(k)))}</data>' for k in NODE_KEYS if n.get(k) is not None]
        out.append("    </node>")
    for l in topo["links"]:
        out.append(f"    <edge id={quoteattr(_text(l['id']))} source={quoteattr(_text(l['source']))} "
                   f"target={quoteattr(_text(l['target']))}>")
        out += [f'      <data key="e_{k}">{escape(_text(l.get(k)))}</data>' for k in LINK_KEYS if l.get(k) is not None]
        out.append("    </edge>")
    out += ["  </graph>", "</graphml>"]
    return "\n".join(out) + "\n"


def _dq(s) -> str:
    """A DOT double-quoted string."""
    return '"' + _text(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def dot(topo: dict) -> str:
    out = [f"digraph {_dq(topo.get('name') or 'topology')} {{", "  rankdir=TB;",
           '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=8, arrowhead=none];']
    hosts: dict[str, list[dict]] = {}
    for n in topo["nodes"]:
        hosts.setdefault(n.get("host") or "", []).append(n)
    for i, (host, nodes) in enumerate(sorted(hosts.items())):
        indent = "  "
        if host:
            out += [f"  subgraph {_dq('cluster_' + str(i))} {{", f"    label={_dq(host)};", '    style="rounded";',
                    '    color="#64b5f6";']
            indent = "    "
        for n in nodes:
            color = COLORS.get(n.get("status")) or CHANGE_COLORS.get(n.get("change")) or "#9aa0a6"
            label = f"{_text(n.get('name'))}\n{_text(n.get('type'))}"
            out.append(f"{indent}{_dq(n['id'])} [label={_dq(label)}, color={_dq(color)}, penwidth=2];")
        if host:
            out.append("  }")
    for l in topo["links"]:
        color = COLORS.get(l.get("status")) or CHANGE_COLORS.get(l.get("change")) or "#9aa0a6"
        out.append(f"  {_dq(l['source'])} -> {_dq(l['target'])} [label={_dq(_edge_label(l))}, "
                   f"color={_dq(color)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def drawio(topo: dict) -> str:
    """draw.io's uncompressed mxfile: one vertex per node (rows by object type), one edge per link."""
    rows: dict[int, list[dict]] = {}
    for n in topo["nodes"]:
        rows.setdefault(layer(n.get("type") or ""), []).append(n)
    cells = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>']
    ids: dict[str, str] = {}
    for r, (_, nodes) in enumerate(sorted(rows.items())):
        for c, n in enumerate(sorted(nodes, key=lambda n: (_text(n.get("host")), _text(n.get("name"))))):
            cid = f"n{len(ids) + 2}"
            ids[_text(n["id"])] = cid
            color = COLORS.get(n.get("status")) or CHANGE_COLORS.get(n.get("change")) or "#9aa0a6"
            label = f"{_text(n.get('name'))} ({_text(n.get('type'))})" + (f" @ {n['host']}" if n.get("host") else "")
            style = f"rounded=1;whiteSpace=wrap;html=0;strokeColor={color};strokeWidth=2;fillColor=#ffffff;"
            cells.append(f'<mxCell id="{cid}" value={quoteattr(label)} style="{style}" vertex="1" parent="1">'
                         f'<mxGeometry x="{40 + c * 200}" y="{40 + r * 110}" width="170" height="50" as="geometry"/>'
                         "</mxCell>")
    for i, l in enumerate(topo["links"]):
        s, t = ids.get(_text(l["source"])), ids.get(_text(l["target"]))
        if s is None or t is None:
            continue
        color = COLORS.get(l.get("status")) or CHANGE_COLORS.get(l.get("change")) or "#9aa0a6"
        cells.append(f'<mxCell id="e{i}" value={quoteattr(_edge_label(l))} '
                     f'style="endArrow=none;html=0;strokeColor={color};" edge="1" parent="1" source="{s}" target="{t}">'
                     '<mxGeometry relative="1" as="geometry"/></mxCell>')
    name = quoteattr(_text(topo.get("name")) or "topology")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<mxfile host="calipso">'
            f'<diagram id="calipso" name={name}><mxGraphModel dx="1200" dy="800" grid="1" gridSize="10" guides="1" '
            'tooltips="1" connect="1" arrows="1" fold="1" page="0" pageScale="1" math="0" shadow="0"><root>'
            + "".join(cells) + "</root></mxGraphModel></diagram></mxfile>\n")
