"""What the catalogue screens (link types, clique types, clique constraints) share: a list page and a
form page per catalogue, each entry changed through `/<api path>/{id}` (admin; the API refuses others)."""

from __future__ import annotations

from ui.apiclient import NotFound
from ui.screens.admin_base import AdminScreen, field_problems, form_of, one


class CatalogueList(AdminScreen):
    api_path = ""
    key = ""
    template = ""

    def on_get(self, req, resp):
        rows = self.api(req, self.api_path, {"page_size": 1000})[self.key]
        self.render(req, resp, self.template, rows=rows, admin_user=self.session(req).admin)


class CatalogueForm(AdminScreen):
    """GET shows the entry (or an empty form), POST creates, saves or (action=delete) deletes it."""

    api_path = ""
    list_path = ""
    form_path = ""
    template = ""

    def body(self, req, form: dict) -> dict:
        raise NotImplementedError

    def context(self, req) -> dict:
        return {}

    def show(self, req, resp, id, values, problems=None, general=None, status=200, done=None):
        self.render(req, resp, self.template, status=status, id=id, values=values, problems=problems or {},
                    general=general or [], done=done, admin_user=self.session(req).admin, **self.context(req))

    def on_get(self, req, resp, id: str | None = None):
        values = {}
        if id:
            values = self.api(req, f"{self.api_path}/{id}")
            if not values:
                raise NotFound(f"no entry {id}")
        self.show(req, resp, id, values, done=req.get_param("saved"))

    def on_post(self, req, resp, id: str | None = None):
        form = form_of(req)
        if id and one(form, "action") == "delete":
            _, err = self.attempt(req, "DELETE", f"{self.api_path}/{id}")
            if err is None:
                self.redirect(self.list_path)
            return self.show(req, resp, id, self.api(req, f"{self.api_path}/{id}"), general=[err.message],
                             status=err.status)
        body = self.body(req, form)
        answer, err = self.attempt(req, "PUT" if id else "POST", f"{self.api_path}/{id}" if id else self.api_path, body)
        if err is None:
            self.redirect(f"{self.form_path}/{answer.get('id') or id}?saved=1")
        problems, general = field_problems(err)
        self.show(req, resp, id, body, problems, general, err.status)
