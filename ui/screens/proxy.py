"""`/ui-api/<API path>`: the API's GET routes for the page's own scripts, with the session's token.

Read-only (GET); the browser never sees the token, and the API applies the user's rights as for
any call. Auth routes are not relayed. A session the API no longer accepts answers 401 with the
sign-in URL, so a script can send the user there.
"""

from __future__ import annotations

import re

import falcon

from ui.console import Screen
from ui.security import SignInNeeded

PREFIX = "/ui-api"
PATH_RE = re.compile(r"^/[A-Za-z0-9_\-/.]{1,200}$")


class Proxy(Screen):
    json = True

    def __call__(self, req: falcon.Request, resp: falcon.Response, **_) -> None:
        if req.method != "GET":
            raise falcon.HTTPMethodNotAllowed(["GET"])
        if not self.session(req).signed_in:
            raise SignInNeeded()
        path = req.path[len(PREFIX):]
        if not PATH_RE.match(path) or ".." in path or path.startswith("/auth"):
            raise falcon.HTTPNotFound()
        status, body = self.console.api.passthrough(self.session(req).token, path, req.query_string)
        if status == 401:
            from ui.apiclient import SessionExpired
            raise SessionExpired()
        resp.status = falcon.code_to_http_status(status)
        resp.content_type = falcon.MEDIA_JSON
        resp.data = body


def routes(console):
    return [(PREFIX + "/*", Proxy(console))]
