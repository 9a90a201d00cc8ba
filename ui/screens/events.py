"""`/events`: the page's server-sent event stream (see ui.live for what it carries)."""

from __future__ import annotations

import falcon

from app.http_front import client_gone
from ui.console import Screen
from ui.live import sse_frames


class Events(Screen):
    json = True

    def on_get(self, req, resp):
        hub = self.console.hub
        sub = hub.subscribe(self.session(req))
        if sub is None:
            resp.status = falcon.HTTP_503
            resp.set_header("Retry-After", "10")
            resp.media = {"error": {"code": "503", "message": "too many open pages; retrying"}}
            return
        resp.content_type = "text/event-stream"
        resp.set_header("Cache-Control", "no-store")
        resp.set_header("X-Accel-Buffering", "no")
        resp.stream = sse_frames(hub, sub, self.console.settings.sse_lifetime, gone=client_gone(req.env))


def routes(console):
    return [("/events", Events(console))]
