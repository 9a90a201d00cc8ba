"""`/environment/<name>`: the navigation tree, a breadcrumb, and the selected object's data or graph.

`?selectedNodeId=<inventory id>` selects an object (the original's parameter, so links read the
same); the tree opens along its `id_path`. `?view=graph|data` picks the main area; a focal object
(`clique: true`) opens on its graph. Every piece comes from the API: /summary, /tree, /tree/path,
/inventory. An environment or object the user may not view is the 404 page.
"""

from __future__ import annotations

from pathlib import Path

from ui.apiclient import NotFound
from ui.console import Screen
from ui.screens.node_views import data_view

GRAPH_DIR = Path(__file__).resolve().parents[1] / "static" / "graph"


def graph_scripts() -> list[str]:
    """ui-graph's scripts, loaded in name order after the graph panel."""
    return sorted(p.name for p in GRAPH_DIR.glob("*.js")) if GRAPH_DIR.is_dir() else []


def _open_along(tree: list[dict], chain: list[dict], children_of) -> None:
    """Expand `tree` along `chain` (root side first), fetching each level's children."""
    level = tree
    for node in chain:
        found = next((n for n in level if n["id"] == node["id"]), None)
        if found is None:
            found = dict(node)
            level.append(found)
        if not found.get("has_children"):
            break
        found["open"] = True
        found["children"] = children_of(found["id"])
        level = found["children"]


class Environment(Screen):
    def on_get(self, req, resp, name: str):
        summary = self.api(req, "/summary", {"env_name": name})["environments"][0]
        selected = req.get_param("selectedNodeId") or req.get_param("id")
        chain: list[dict] = []
        obj: dict = {}
        if selected:
            chain = self.api(req, "/tree/path", {"env_name": name, "id": selected})["path"]
            obj = self.api(req, "/inventory", {"env_name": name, "id": selected})
            if not obj:
                raise NotFound(f"no object {selected} in {name}")

        def children_of(parent_id: str) -> list[dict]:
            return self.api(req, "/tree", {"env_name": name, "parent_id": parent_id})["children"]

        root = self.api(req, "/tree", {"env_name": name})
        tree = root["children"]
        _open_along(tree, chain, children_of)
        view = req.get_param("view")
        if view not in ("graph", "data"):
            view = "graph" if obj.get("clique") else "data"
        children = next((c.get("children", []) for c in _flatten(tree) if obj and c["id"] == obj.get("id")), [])
        self.render(req, resp, "environment.html", env=summary, current_env=name, tree=tree, tree_more=root["more"],
                    chain=chain, obj=obj, view=view, selected=selected,
                    data=data_view(self, req, summary, obj, children), graph_scripts=graph_scripts())


def _flatten(nodes: list[dict]):
    for n in nodes:
        yield n
        yield from _flatten(n.get("children") or [])


def routes(console):
    return [("/environment/{name}", Environment(console))]
