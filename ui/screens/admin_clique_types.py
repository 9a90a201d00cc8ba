"""Clique types: `/clique-types-list`, `/clique-type` (new), `/clique-type/<id>`, and `/clique-type-preview`
(what the type being edited would draw for one focal object, computed by the API, nothing saved)."""

from __future__ import annotations

import falcon

from ui.apiclient import NotFound, Refused
from ui.console import Screen
from ui.screens.admin_base import checked, many, one
from ui.screens.admin_catalogue import CatalogueForm, CatalogueList

SLOTS = 8   # link types are chosen in order, one per row
CONFIG = ("environment_type", "distribution", "distribution_version", "mechanism_drivers", "type_drivers")


class CliqueTypesList(CatalogueList):
    api_path, key, template = "/clique_types", "clique_types", "admin/clique_types_list.html"


class CliqueTypeForm(CatalogueForm):
    api_path, list_path, template = "/clique_types", "/clique-types-list", "admin/clique_type_form.html"
    form_path = "/clique-type"

    def context(self, req) -> dict:
        names = lambda n: [d["value"] for d in self.api(req, "/constants", {"name": n}).get("data") or []]  # noqa: E731
        link_types = sorted(d["type"] for d in self.api(req, "/link_types", {"page_size": 1000})["link_types"])
        return {"link_types": link_types, "types": names("object_types"), "envs": self.env_names(req), "slots": SLOTS,
                "options": {n: names(n) for n in ("environment_types", "distributions", "mechanism_drivers",
                                                  "type_drivers")}}

    def body(self, req, form: dict) -> dict:
        body = {"name": one(form, "name"), "focal_point_type": one(form, "focal_point_type"),
                "link_types": [lt for lt in many(form, "link_types") if lt],
                "use_implicit_links": checked(form, "use_implicit_links")}
        for key in ("environment", *CONFIG):
            if one(form, key):
                body[key] = one(form, key)
        return body


class Preview(Screen):
    json = True

    def on_post(self, req, resp):
        body = req.get_media(default_when_empty={})
        try:
            answer = self.console.api.send("POST", self.session(req).token, "/clique_types/preview",
                                           body if isinstance(body, dict) else {})
        except (Refused, NotFound) as e:
            resp.status = falcon.code_to_http_status(getattr(e, "status", 404))
            problems = "; ".join(f"{p.get('parameter')}: {p.get('reason')}" for p in getattr(e, "problems", []))
            resp.media = {"error": {"message": problems or str(getattr(e, "message", e))}}
            return
        resp.media = answer


def routes(console):
    form = CliqueTypeForm(console)
    return [("/clique-types-list", CliqueTypesList(console)), ("/clique-type", form), ("/clique-type/{id}", form),
            ("/clique-type-preview", Preview(console))]
