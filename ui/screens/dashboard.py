"""`/Dashboard`: one card per environment the user may view, with counters that stay current."""

from __future__ import annotations

from ui.console import Screen

CUBES = (("instance", "Instances"), ("vservice", "vServices"), ("host", "Hosts"), ("vconnector", "vConnectors"))


class Dashboard(Screen):
    def on_get(self, req, resp):
        summary = self.api(req, "/summary")
        self.render(req, resp, "dashboard.html", summary=summary, cubes=CUBES)


def routes(console):
    return [("/Dashboard", Dashboard(console)), ("/dashboard", Dashboard(console))]
