"""`/wizard-test`: one wizard tab's connection test, queued through the API for the scan manager.

The page's script posts the tab's fields (blank secrets of an existing environment are taken
from its stored configuration by the API), then follows the test document through the read
relay until the scan manager answers or the page gives up.
"""

from __future__ import annotations

import falcon

from ui.apiclient import Refused
from ui.console import Screen


class ConnectionTest(Screen):
    json = True

    def on_post(self, req, resp):
        body = req.get_media(default_when_empty={})
        section = body.get("section") if isinstance(body, dict) else None
        env = body.get("environment") if isinstance(body, dict) else None
        if not isinstance(section, dict) or not isinstance(env, str) or not env or not section.get("name"):
            resp.status = falcon.HTTP_400
            resp.media = {"error": {"code": "400", "message": "give an environment name and a section"}}
            return
        try:
            answer = self.console.api.send("POST", self.session(req).token, "/connection_tests", {
                "environment": env, "test_targets": [section["name"]], "targets_configuration": [section]})
        except Refused as e:
            resp.status = falcon.code_to_http_status(e.status)
            reasons = "; ".join(f"{p.get('parameter')}: {p.get('reason')}" for p in e.problems) or e.message
            resp.media = {"error": {"code": str(e.status), "message": reasons}}
            return
        resp.status = falcon.HTTP_201
        resp.media = {"id": answer.get("id"), "environment": env}


def routes(console):
    return [("/wizard-test", ConnectionTest(console))]
