"""Link types: `/link-types-list`, `/link-type` (new) and `/link-type/<id>` (edit, delete)."""

from __future__ import annotations

from ui.screens.admin_base import one
from ui.screens.admin_catalogue import CatalogueForm, CatalogueList


class LinkTypesList(CatalogueList):
    api_path, key, template = "/link_types", "link_types", "admin/link_types_list.html"


class LinkTypeForm(CatalogueForm):
    api_path, list_path, template = "/link_types", "/link-types-list", "admin/link_type_form.html"
    form_path = "/link-type"

    def context(self, req) -> dict:
        return {"ends": [d["value"] for d in self.api(req, "/constants", {"name": "object_types_for_links"}).get("data") or []]}

    def body(self, req, form: dict) -> dict:
        body = {"endPointA": one(form, "endPointA"), "endPointB": one(form, "endPointB")}
        if one(form, "description"):
            body["description"] = one(form, "description")
        return body


def routes(console):
    form = LinkTypeForm(console)
    return [("/link-types-list", LinkTypesList(console)), ("/link-type", form), ("/link-type/{id}", form)]
