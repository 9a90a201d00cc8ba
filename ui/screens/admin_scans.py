"""Scanning: `/new-scanning` (scan now or schedule), `/scans-list` with live status, `/scan/<env>/<id>` report.

A scan asked for here is a document in `scans` that a running `calipso scan-manager` picks up;
the list follows its status without a reload (its script asks the API through the read relay).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timezone

from ui.apiclient import NotFound
from ui.screens.admin_base import AdminScreen, checked, field_problems, form_of, one

FINAL = ("completed", "completed_with_errors", "failed", "aborted")
WHAT = (("full", "Full scan"), ("scan_only_inventory", "Inventory only"), ("scan_only_links", "Links only"),
        ("scan_only_cliques", "Cliques only"))
RECURRENCES = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def scan_options(form: dict) -> dict:
    """The scan options of the form, as the API takes them (one `what` at most)."""
    what = one(form, "what", "full")
    body = {"log_level": one(form, "log_level", "warning"), "clear": checked(form, "clear"),
            "implicit_links": checked(form, "implicit_links")}
    for key, _ in WHAT[1:]:
        body[key] = what == key
    if one(form, "object_id"):
        body["object_id"] = one(form, "object_id")
    return body


def until(value) -> str:
    """'in 5 minutes' for a future time (the next run of a schedule)."""
    try:
        d = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "—")
    d = d if d.tzinfo else d.replace(tzinfo=timezone.utc)
    s = int((d - datetime.now(timezone.utc)).total_seconds())
    if s <= 0:
        return "due now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if s >= size:
            n = s // size
            return f"in {n} {unit}{'s' if n > 1 else ''}"
    return f"in {s} seconds"


class NewScan(AdminScreen):
    def show(self, req, resp, env: str, tab: str = "now", values: dict | None = None, problems=None, general=None,
             status: int = 200):
        levels = [d["value"] for d in self.api(req, "/constants", {"name": "log_levels"}).get("data") or []]
        self.render(req, resp, "admin/new_scan.html", status=status, env=env, envs=self.editable(req), tab=tab,
                    values=values or {"log_level": "warning", "clear": True, "what": "full", "recurrence": "WEEKLY"},
                    problems=problems or {}, general=general or [], levels=levels, what=WHAT,
                    recurrences=RECURRENCES, current_env=env or None,
                    time_zone=self.settings(req).get("time_zone", "UTC"))

    def on_get(self, req, resp):
        self.show(req, resp, req.get_param("env") or "", req.get_param("tab") or "now")

    def on_post(self, req, resp):
        form = form_of(req)
        env, action = one(form, "env"), one(form, "action", "scan")
        body = {"env_name": env, **scan_options(form)}
        values = {k: one(form, k) for k in form if k != "csrf_token"}
        values.update(clear=checked(form, "clear"), implicit_links=checked(form, "implicit_links"),
                      distributed=checked(form, "distributed"))
        if action == "schedule":
            body["recurrence"] = one(form, "recurrence")
            if one(form, "scheduled_timestamp"):
                body["scheduled_timestamp"] = to_utc(one(form, "scheduled_timestamp"),
                                                     self.settings(req).get("time_zone", "UTC"))
            answer, err = self.attempt(req, "POST", "/scheduled_scans", body)
            if err is None:
                self.redirect(self.href("/scheduled-scans-list", {"env": env, "added": answer.get("id")}))
        else:
            if values["distributed"]:      # scheduled scans are local: only a scan run now may be spread
                body["distributed"] = True
            busy = self.api(req, "/scans", {"env_name": env, "status": "running"}).get("scans", []) + \
                self.api(req, "/scans", {"env_name": env, "status": "pending"}).get("scans", []) if env else []
            if busy:
                return self.show(req, resp, env, "now", values, general=["There is already a scan in progress for "
                                                                         f"{env}: wait for it to finish."], status=409)
            answer, err = self.attempt(req, "POST", "/scans", body)
            if err is None:
                self.redirect(self.href("/scans-list", {"env": env, "added": answer.get("id")}))
        problems, general = field_problems(err, lambda p: "env" if p == "env_name" else p)
        self.show(req, resp, env, "schedule" if action == "schedule" else "now", values, problems, general, err.status)


def to_utc(local: str, zone: str) -> str:
    """A date and time typed in the user's time zone (their setting) as ISO 8601 UTC; the API
    says what is wrong with anything else."""
    try:
        d = datetime.fromisoformat(local)
        tz = zoneinfo.ZoneInfo(zone or "UTC")
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return local
    return (d if d.tzinfo else d.replace(tzinfo=tz)).astimezone(timezone.utc).isoformat()


class ScansList(AdminScreen):
    def on_get(self, req, resp):
        env = req.get_param("env") or ""
        size, page = self.page_size(req), self.page_number(req)
        names = [env] if env else self.env_names(req)
        rows: list[dict] = []
        for name in names:
            rows += self.api(req, "/scans", {"env_name": name, "page_size": size * (page + 1)}).get("scans", [])
        rows.sort(key=lambda r: str(r.get("submit_timestamp") or ""), reverse=True)
        shown = rows[page * size:(page + 1) * size]
        self.render(req, resp, "admin/scans_list.html", rows=shown, env=env, envs=self.env_names(req), page=page,
                    editable=self.editable(req),
                    more=len(rows) > (page + 1) * size, final=FINAL, added=req.get_param("added"),
                    prev_href=self.href("/scans-list", {"env": env, "page": page - 1}) if page else None,
                    next_href=self.href("/scans-list", {"env": env, "page": page + 1}))


class ScanView(AdminScreen):
    def on_get(self, req, resp, env: str, id: str):
        scan = self.api(req, "/scans", {"env_name": env, "id": id})
        if not scan:
            raise NotFound(f"no scan {id} in {env}")
        self.render(req, resp, "admin/scan_view.html", scan=scan, report=scan.get("report") or {}, env=env,
                    final=FINAL, current_env=env)


def routes(console):
    console.templates.filters.setdefault("until", until)
    return [("/new-scanning", NewScan(console)), ("/scans-list", ScansList(console)),
            ("/scan/{env}/{id}", ScanView(console))]
