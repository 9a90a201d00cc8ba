"""`/search?q=`: objects by part of their name in every environment the user may view.

The top bar's suggestions come from the same API route through /ui-api/search/inventory.
"""

from __future__ import annotations

from ui.console import Screen

LIMIT = 100


class Search(Screen):
    def on_get(self, req, resp):
        q = (req.get_param("q") or "").strip()
        env = req.get_param("env") or None
        results = []
        if q:
            params = {"query": q, "limit": LIMIT}
            if env:
                params["env_name"] = env
            results = self.api(req, "/search/inventory", params).get("objects", [])
        self.render(req, resp, "search.html", q=q, env=env, results=results, limit=LIMIT)


def routes(console):
    return [("/search", Search(console))]
