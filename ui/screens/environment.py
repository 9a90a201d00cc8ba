"""`/environment/<name>`: the navigation tree, a breadcrumb, and the selected object's data or graph.

`?selectedNodeId=<inventory id>` selects an object (the original's parameter, so links read the
same); the tree opens along its `id_path`. `?view=graph|data` picks the main area; a focal object
(`clique: true`) opens on its graph. A host's graph is everything on the host (/host_graph); an
object with no clique of its own but a host shows its host's graph with itself highlighted
(`?highlight=<inventory id>` highlights any object and the way to it). The original console's
URLs named the environment and the object by ObjectId: those are resolved (/original_ids) and
redirected to the same page. Every piece comes from the API: /summary, /tree, /tree/path,
/inventory. An environment or object the user may not view is the 404 page.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

from ui.apiclient import NotFound
from ui.console import Screen
from ui.screens.node_views import data_view

GRAPH_DIR = Path(__file__).resolve().parents[1] / "static" / "graph"
OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")


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


def graph_source(env: str, obj: dict, highlight: str | None) -> tuple[str | None, str]:
    """(the graph's API URL when it is not the object's clique, the object to highlight)."""
    base = "/ui-api/host_graph?" + urlencode({"env_name": env, "host": obj.get("id") if obj.get("type") == "host"
                                               else obj.get("host") or ""})
    if obj.get("type") == "host":
        return base, highlight or ""
    if not obj.get("clique") and isinstance(obj.get("host"), str) and obj.get("host"):
        return base, highlight or obj.get("id") or ""
    return None, highlight or ""


class Environment(Screen):
    """The page asks the API a dozen questions; those that do not depend on each other are asked at once."""

    def __init__(self, console):
        super().__init__(console)
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="env-page")

    def _original(self, req, oid: str) -> dict | None:
        """What an ObjectId of the original console's URLs names, or None."""
        if not OBJECT_ID.match(oid or ""):
            return None
        try:
            return self.api(req, "/original_ids", {"oid": oid})
        except NotFound:
            return None

    def _moved(self, req, env: str, selected: str | None) -> None:
        params = {k: v for k, v in req.params.items() if k not in ("selectedNodeId", "id")}
        if selected:
            params = {"selectedNodeId": selected, **params}
        self.redirect(f"/environment/{quote(env, safe='')}" + ("?" + urlencode(params, doseq=True) if params else ""))

    def on_get(self, req, resp, name: str):
        selected = req.get_param("selectedNodeId") or req.get_param("id")
        # the object and its chain are asked beside the summary, not after it (each is a round trip to the API)
        asked_chain = self.pool.submit(self.api, req, "/tree/path", {"env_name": name, "id": selected}) if selected else None
        asked_obj = self.pool.submit(self.api, req, "/inventory", {"env_name": name, "id": selected}) if selected else None
        try:
            summary = self.api(req, "/summary", {"env_name": name})["environments"][0]
        except NotFound:
            for asked in (asked_chain, asked_obj):   # asked of an environment that is not there: not waited for
                if asked is not None:
                    asked.cancel()
            found = self._original(req, name)
            if found is None:
                raise
            if found["kind"] == "object":
                self._moved(req, found["environment"], found["id"])
            original = self._original(req, selected) if selected else None
            self._moved(req, found["environment"], original["id"] if original and original["kind"] == "object" else selected)
        chain: list[dict] = []
        obj: dict = {}
        if selected:
            try:
                obj = asked_obj.result()
            except NotFound:
                obj = {}
            if not obj:
                asked_chain.cancel()
                found = self._original(req, selected)
                if found and found["kind"] == "object":
                    self._moved(req, found["environment"], found["id"])
                raise NotFound(f"no object {selected} in {name}")
            chain = asked_chain.result()["path"]

        def children_of(parent_id: str) -> list[dict]:
            return self.api(req, "/tree", {"env_name": name, "parent_id": parent_id})["children"]

        asked_root = self.pool.submit(self.api, req, "/tree", {"env_name": name})
        asked = {n["id"]: self.pool.submit(children_of, n["id"]) for n in chain if n.get("has_children")}
        view_data = data_view(self, req, summary, obj, self.pool)   # here: the pool only runs single API calls
        root = asked_root.result()
        tree = root["children"]
        _open_along(tree, chain, lambda i: asked[i].result() if i in asked else children_of(i))
        view = req.get_param("view")
        if view not in ("graph", "data"):
            view = "graph" if obj.get("clique") else "data"
        children = next((c.get("children", []) for c in _flatten(tree) if obj and c["id"] == obj.get("id")), [])
        data = {**view_data, "children": children}
        graph_url, highlight = graph_source(name, obj, req.get_param("highlight")) if obj else (None, "")
        self.render(req, resp, "environment.html", env=summary, current_env=name, tree=tree, tree_more=root["more"],
                    chain=chain, obj=obj, view=view, selected=selected, graph_url=graph_url, highlight=highlight,
                    group="none" if graph_url else "auto",
                    data=data, graph_scripts=graph_scripts())


def _flatten(nodes: list[dict]):
    for n in nodes:
        yield n
        yield from _flatten(n.get("children") or [])


def routes(console):
    return [("/environment/{name}", Environment(console))]
