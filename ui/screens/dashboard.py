"""`/Dashboard`: one card per environment the user may view, with counters that stay current, and how
many of its objects are in error or warning now (linking to the health page)."""

from __future__ import annotations

from ui.apiclient import ApiDown
from ui.console import Screen

CUBES = (("instance", "Instances"), ("vservice", "vServices"), ("host", "Hosts"), ("vconnector", "vConnectors"))


class Dashboard(Screen):
    def on_get(self, req, resp):
        summary = self.api(req, "/summary")
        try:
            health = self.api(req, "/problems", {"limit": 1})["counts"]
        except ApiDown:     # the cards without their health line, rather than no dashboard (health.js fills it later)
            health = {}
        self.render(req, resp, "dashboard.html", summary=summary, cubes=CUBES, health=health)


def routes(console):
    return [("/Dashboard", Dashboard(console)), ("/dashboard", Dashboard(console))]
