"""`/getstarted`: how to add a cloud, scan it and read what Calipso shows."""

from __future__ import annotations

from ui.console import Screen


class GetStarted(Screen):
    def on_get(self, req, resp):
        self.render(req, resp, "getstarted.html")


def routes(console):
    return [("/getstarted", GetStarted(console))]
