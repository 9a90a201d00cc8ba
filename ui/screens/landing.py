"""`/`: what Calipso is, for someone not signed in; the dashboard for someone who is."""

from __future__ import annotations

from ui.console import Screen


class Landing(Screen):
    public = True

    def on_get(self, req, resp):
        if self.session(req).signed_in:
            self.redirect("/Dashboard")
        self.render(req, resp, "landing.html")


def routes(console):
    return [("/", Landing(console))]
