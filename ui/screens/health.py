"""`/health`: what is in error or warning now, across the environments the user may view.

Environments worst first (errors, then warnings); in each, hosts worst first, then object types,
rows newest first. Each row links to its object and to a graph with the failing object and the
way to it highlighted: its host's graph when it has a host, else its own clique. The page
refreshes its table when the console's event stream says an environment changed (health.js).
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode, quote

from ui.console import Screen
from ui.screens.node_views import names

NO_HOST = ""


def graph_link(row: dict) -> str | None:
    """Where the row's graph is: the host's graph with the object highlighted, or the object's own clique."""
    env = quote(row["environment"], safe="")
    target = row["id"] if row["kind"] == "object" else row.get("source_id")
    if not target:
        return None
    host = row.get("host") if row["kind"] == "link" or row.get("type") != "host" else row["id"]
    if host:
        return f"/environment/{env}?" + urlencode({"selectedNodeId": host, "view": "graph", "highlight": target})
    if row["kind"] == "object" and row.get("clique"):
        return f"/environment/{env}?" + urlencode({"selectedNodeId": target, "view": "graph"})
    return None


def grouped(rows: list[dict]) -> list[dict]:
    """[{environment, counts, hosts: [{host, counts, types: [{type, rows}]}]}], worst first."""
    envs: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in rows:
        r["graph"] = graph_link(r)
        envs[r["environment"]][r.get("host") or r.get("switch") or NO_HOST][r["type"] or "object"].append(r)

    def counts(rs: list[dict]) -> dict:
        return {"Error": sum(r["status"] == "Error" for r in rs), "Warning": sum(r["status"] != "Error" for r in rs)}

    def worst_first(item: dict) -> tuple:
        return -item["counts"]["Error"], -item["counts"]["Warning"], item["name"]

    out = []
    for env, hosts in envs.items():
        host_items = []
        for host, types in hosts.items():
            type_items = [{"type": t, "rows": sorted(rs, key=lambda r: str(r.get("status_timestamp") or ""), reverse=True)}
                          for t, rs in sorted(types.items())]
            every = [r for t in type_items for r in t["rows"]]
            host_items.append({"name": host, "counts": counts(every), "types": type_items})
        host_items.sort(key=worst_first)
        every = [r for h in host_items for t in h["types"] for r in t["rows"]]
        out.append({"name": env, "counts": counts(every), "hosts": host_items})
    out.sort(key=worst_first)
    return out


def name_sources(screen, req, rows: list[dict]) -> None:
    """Link rows name their ends: `source_name`, and a name made of ids ("a → b", a link without a name of its
    own) made of the ends' names; one /names read per environment."""
    by_env: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r.get("kind") == "link":
            ends = (r.get("source_id"), r.get("target_id"))
            by_env[r["environment"]] += [i for i in ends if isinstance(i, str) and i]
    named = {env: names(screen, req, env, ids) for env, ids in by_env.items()}
    for r in rows:
        if r.get("kind") != "link":
            continue
        known = named.get(r["environment"], {})
        source, target = (known.get(r.get(f"{end}_id"), {}).get("name") for end in ("source", "target"))
        r["source_name"] = source
        if r.get("name") == f"{r.get('source_id')} → {r.get('target_id')}" and (source or target):
            r["name"] = f"{source or r.get('source_id')} → {target or r.get('target_id')}"


class Health(Screen):
    def on_get(self, req, resp):
        env = req.get_param("env") or None
        params = {"limit": 2000, **({"env_name": env} if env else {})}
        p = self.api(req, "/problems", params)
        name_sources(self, req, p["problems"])
        self.render(req, resp, "health.html", title="Health", groups=grouped(p["problems"]), total=p["total"],
                    shown=p.get("shown", len(p["problems"])), counts=p["counts"], env_filter=env)


def routes(console):
    return [("/health", Health(console))]
