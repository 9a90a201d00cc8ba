"""The `format` parameter shared by /clique_graph, /path and /diff: JSON as usual, or a file for yEd, Graphviz, draw.io."""

from __future__ import annotations

import re

import falcon

from api.params import Param
from app.topology.export import EXTENSIONS, FORMATS, render

FORMAT = Param("format", choices=tuple(FORMATS), default="json",
               doc="json (default), graphml (yEd, networkx), dot (Graphviz) or drawio (draw.io); "
                   "other than json the answer is a file to save")


def send(resp: falcon.Response, fmt: str, body: dict, topology, filename: str) -> None:
    """`body` as JSON, or `topology()` (the neutral shape of app.topology.export) rendered as a file."""
    if fmt == "json":
        resp.media = body
        return
    resp.content_type = FORMATS[fmt]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)[:120] or "topology"
    resp.set_header("Content-Disposition", f'attachment; filename="{safe}.{EXTENSIONS[fmt]}"')
    resp.text = render(topology(), fmt)
