"""`/status`: whether the console reaches the API (public; pages shown while the API was down poll it)."""

from __future__ import annotations

from ui.console import Screen


class Status(Screen):
    public = True
    json = True

    def on_get(self, req, resp):
        resp.media = {"console": "up", "api": "up" if self.console.api.ping() else "down",
                      "version": self.console.settings.version}


def routes(console):
    return [("/status", Status(console))]
