"""Clique constraints: `/clique-constraints-list`, `/clique-constraint` (new) and `/clique-constraint/<id>`."""

from __future__ import annotations

from ui.screens.admin_base import many, one
from ui.screens.admin_catalogue import CatalogueForm, CatalogueList


class ConstraintsList(CatalogueList):
    api_path, key, template = "/clique_constraints", "clique_constraints", "admin/clique_constraints_list.html"


class ConstraintForm(CatalogueForm):
    api_path, list_path, template = "/clique_constraints", "/clique-constraints-list", "admin/clique_constraint_form.html"
    form_path = "/clique-constraint"

    def context(self, req) -> dict:
        names = lambda n: [d["value"] for d in self.api(req, "/constants", {"name": n}).get("data") or []]  # noqa: E731
        return {"types": names("object_types"), "constraints": names("constraints"), "envs": self.env_names(req)}

    def body(self, req, form: dict) -> dict:
        body = {"focal_point_type": one(form, "focal_point_type"), "constraints": many(form, "constraints")}
        if one(form, "environment"):
            body["environment"] = one(form, "environment")
        return body


def routes(console):
    form = ConstraintForm(console)
    return [("/clique-constraints-list", ConstraintsList(console)), ("/clique-constraint", form),
            ("/clique-constraint/{id}", form)]
