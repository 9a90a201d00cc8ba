"""Scheduled scans: `/scheduled-scans-list` (with each one's next run) and `/scheduled-scan/<env>/<id>`
(change it in place, or delete it)."""

from __future__ import annotations

from ui.apiclient import NotFound
from ui.screens.admin_base import AdminScreen, field_problems, form_of, one
from ui.screens.admin_scans import RECURRENCES, WHAT, scan_options, to_utc


def what_of(doc: dict) -> str:
    return next((key for key, _ in WHAT[1:] if doc.get(key)), "full")


class SchedulesList(AdminScreen):
    def on_get(self, req, resp):
        env = req.get_param("env") or ""
        rows: list[dict] = []
        for name in [env] if env else self.env_names(req):
            for s in self.api(req, "/scheduled_scans", {"env_name": name, "page_size": 1000}).get("scheduled_scans", []):
                rows.append({**self.api(req, "/scheduled_scans", {"env_name": name, "id": s["id"]}), "id": s["id"]})
        rows.sort(key=lambda r: str(r.get("scheduled_timestamp") or ""))
        self.render(req, resp, "admin/schedules_list.html", rows=rows, env=env, envs=self.env_names(req),
                    added=req.get_param("added"), labels=dict(WHAT), what_of=what_of, editable=self.editable(req))


class ScheduleEdit(AdminScreen):
    def doc(self, req, env: str, id: str) -> dict:
        doc = self.api(req, "/scheduled_scans", {"env_name": env, "id": id})
        if not doc:
            raise NotFound(f"no scheduled scan {id} in {env}")
        return doc

    def show(self, req, resp, env, id, values, problems=None, general=None, status=200):
        levels = [d["value"] for d in self.api(req, "/constants", {"name": "log_levels"}).get("data") or []]
        self.render(req, resp, "admin/schedule_edit.html", status=status, env=env, id=id, values=values,
                    problems=problems or {}, general=general or [], levels=levels, what=WHAT, recurrences=RECURRENCES,
                    current_env=env, time_zone=self.settings(req).get("time_zone", "UTC"))

    def on_get(self, req, resp, env: str, id: str):
        doc = self.doc(req, env, id)
        self.show(req, resp, env, id, {**doc, "what": what_of(doc), "scheduled_timestamp": ""})

    def on_post(self, req, resp, env: str, id: str):
        form = form_of(req)
        if one(form, "action") == "delete":
            self.send(req, "DELETE", f"/scheduled_scans/{id}")
            self.redirect(self.href("/scheduled-scans-list", {"env": env}))
        body = {"env_name": env, "recurrence": one(form, "recurrence"), **scan_options(form)}
        if one(form, "scheduled_timestamp"):
            body["scheduled_timestamp"] = to_utc(one(form, "scheduled_timestamp"), self.settings(req).get("time_zone", "UTC"))
        _, err = self.attempt(req, "PUT", f"/scheduled_scans/{id}", body)
        if err is None:
            self.redirect(self.href("/scheduled-scans-list", {"env": env}))
        problems, general = field_problems(err)
        self.show(req, resp, env, id, {k: one(form, k) for k in form}, problems, general, err.status)


def routes(console):
    return [("/scheduled-scans-list", SchedulesList(console)), ("/scheduled-scan/{env}/{id}", ScheduleEdit(console))]
