"""`/environment-delete/<name>`: asks first, then deletes an environment (optionally with its inventory)."""

from __future__ import annotations

from ui.screens.admin_base import AdminScreen, checked, form_of


class DeleteEnvironment(AdminScreen):
    def on_get(self, req, resp, name: str):
        env = self.api(req, f"/environment_configs/{name}")
        self.render(req, resp, "admin/env_delete.html", env=env, name=name, current_env=name)

    def on_post(self, req, resp, name: str):
        purge = checked(form_of(req), "purge")
        answer = self.send(req, "DELETE", f"/environment_configs/{name}", params={"purge": str(purge).lower()})
        self.session(req).data.pop("nav", None)
        removed = answer.get("deleted") or {}
        self.render(req, resp, "admin/env_deleted.html", name=name, removed=removed, purge=purge)


def routes(console):
    return [("/environment-delete/{name}", DeleteEnvironment(console))]
