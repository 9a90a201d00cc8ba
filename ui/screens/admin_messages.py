"""Messages: `/messages-list` (filters, counters by level, paging, marking viewed) and `/message/<env>/<id>`.

Levels are grouped as the top bar counts them (error, warning, info); the list reaches back as
far as the user's setting says unless a start time is given. Times typed in the filters are in
the user's time zone.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from ui.apiclient import NotFound
from ui.screens.admin_base import AdminScreen, form_of, many, one
from ui.screens.admin_scans import to_utc
from ui.screens.node_views import names

GROUPS = {"error": ("panic", "alert", "crit", "error"), "warning": ("warn",), "info": ("notice", "info")}
GROUP_OF = {lvl: g for g, lvls in GROUPS.items() for lvl in lvls}


def text_of(message) -> str:
    """A message's payload as one line of text (OpenStack payloads are objects)."""
    if isinstance(message, str):
        return message
    return json.dumps(message, ensure_ascii=False, sort_keys=True, default=str)


def name_related(screen, req, rows: list[dict]) -> None:
    """Each row's `related_name`: the name of its related object (one /names read per environment shown)."""
    by_env: dict[str, list[str]] = {}
    for r in rows:
        if isinstance(r.get("related_object"), str) and r["related_object"] and isinstance(r.get("environment"), str):
            by_env.setdefault(r["environment"], []).append(r["related_object"])
    named = {env: names(screen, req, env, ids) for env, ids in by_env.items()}
    for r in rows:
        r["related_name"] = named.get(r.get("environment"), {}).get(r.get("related_object"), {}).get("name")


class MessagesList(AdminScreen):
    def filters(self, req) -> dict:
        level = req.get_param("level") or ""
        level = "warning" if level == "warn" else level
        return {"level": level if level in GROUPS else "", "env": req.get_param("env") or "",
                "source_system": req.get_param("source_system") or "", "related_object":
                req.get_param("related_object") or "", "start": req.get_param("start") or "",
                "end": req.get_param("end") or "", "viewed": req.get_param("viewed") or ""}

    def query(self, req, f: dict) -> dict:
        zone = self.settings(req).get("time_zone", "UTC")
        q: dict = {}
        if f["env"]:
            q["env_name"] = f["env"]
        for key in ("source_system", "related_object"):
            if f[key]:
                q[key] = f[key]
        if f["start"]:
            q["start_time"] = to_utc(f["start"], zone)
        else:
            days = int(self.settings(req).get("messages_backward_days") or 14)
            q["start_time"] = (datetime.now(timezone.utc) - timedelta(days=days)).replace(microsecond=0).isoformat()
        if f["end"]:
            q["end_time"] = to_utc(f["end"], zone)
        if f["viewed"] in ("true", "false"):
            q["viewed"] = f["viewed"]
        return q

    def on_get(self, req, resp):
        f = self.filters(req)
        q = self.query(req, f)
        levels = self.api(req, "/messages/counts", q)["levels"]
        tiles = {g: sum(levels.get(lvl, 0) for lvl in lvls) for g, lvls in GROUPS.items()}
        tiles["all"] = sum(levels.values())
        size, page = self.page_size(req), self.page_number(req)
        listed = {**q, "page": page, "page_size": size}
        if f["level"]:
            listed["level"] = list(GROUPS[f["level"]])
        rows = self.api(req, "/messages", listed)["messages"]
        for r in rows:
            r["text"] = text_of(r.get("message"))
            r["group"] = GROUP_OF.get(r.get("level"), "info")
        name_related(self, req, rows)
        sources = [d["value"] for d in self.api(req, "/constants", {"name": "message_source_systems"}).get("data") or []]
        base = {k: v for k, v in f.items() if v}
        self.render(req, resp, "admin/messages_list.html", rows=rows, f=f, tiles=tiles, envs=self.env_names(req),
                    sources=sources, page=page, since=q.get("start_time"),
                    tile_href=lambda g: self.href("/messages-list", {**base, "level": g if g != "all" else ""}),
                    prev_href=self.href("/messages-list", {**base, "page": page - 1}) if page else None,
                    next_href=self.href("/messages-list", {**base, "page": page + 1}) if len(rows) == size else None,
                    back=req.relative_uri)


class MessageView(AdminScreen):
    def on_get(self, req, resp, env: str, id: str):
        msg = self.api(req, "/messages", {"env_name": env, "id": id})
        if not msg:
            raise NotFound(f"no message {id} in {env}")
        name_related(self, req, [msg])
        self.render(req, resp, "admin/message_view.html", msg=msg, env=env, text=text_of(msg.get("message")),
                    payload=msg.get("message"), group=GROUP_OF.get(msg.get("level"), "info"), current_env=env)


class MarkViewed(AdminScreen):
    """POST: mark the chosen messages viewed (values are `<environment>|<message id>`), then go back."""

    def on_post(self, req, resp):
        form = form_of(req)
        by_env: dict[str, list[str]] = {}
        for value in many(form, "ids"):
            env, _, mid = value.partition("|")
            if env and mid:
                by_env.setdefault(env, []).append(mid)
        viewed = one(form, "viewed", "true") != "false"
        for env, ids in by_env.items():
            self.send(req, "POST", "/messages/viewed", {"env_name": env, "ids": ids, "viewed": viewed})
        back = one(form, "back")
        self.redirect(back if back.startswith("/") and not back.startswith("//") else "/messages-list")


def routes(console):
    return [("/messages-list", MessagesList(console)), ("/message/{env}/{id}", MessageView(console)),
            ("/messages-viewed", MarkViewed(console))]
