"""Users (admin): `/user-list`, `/user-new`, `/user/<name>`: rights per environment, password reset,
disable, delete. The API refuses anyone else, and never disables or deletes the first admin."""

from __future__ import annotations

from ui.screens.admin_base import AdminScreen, checked, field_problems, form_of, many, one


class UsersList(AdminScreen):
    def on_get(self, req, resp):
        users = self.api(req, "/users", {"page_size": 1000})["users"]
        self.render(req, resp, "admin/users_list.html", users=users)


class UserForm(AdminScreen):
    def show(self, req, resp, user: dict | None, values: dict, problems=None, general=None, status=200, done=None):
        self.render(req, resp, "admin/user_form.html", status=status, account=user, values=values,
                    problems=problems or {}, general=general or [], envs=self.all_env_names(req), done=done,
                    me=self.session(req).username)

    def all_env_names(self, req) -> list[str]:
        return [e["name"] for e in self.api(req, "/environment_configs", {"page_size": 1000})["environment_configs"]]

    def on_get(self, req, resp, name: str | None = None):
        if name is None:
            return self.show(req, resp, None, {"view_envs": [], "edit_envs": []})
        user = self.api(req, f"/users/{name}")
        self.show(req, resp, user, user, done=req.get_param("saved"))

    def on_post(self, req, resp, name: str | None = None):
        form = form_of(req)
        rights = {"view_envs": many(form, "view_envs"), "edit_envs": many(form, "edit_envs")}
        if name is None:
            body = {"username": one(form, "username"), "password": one(form, "password"),
                    "admin": checked(form, "admin"), **rights}
            _, err = self.attempt(req, "POST", "/users", body)
            target = body["username"]
        elif one(form, "action") == "delete":
            self.send(req, "DELETE", f"/users/{name}")
            self.redirect("/user-list")
        else:
            body = {**rights}
            if one(form, "password"):
                body["password"] = one(form, "password")
            if name != self.session(req).username:
                body.update(admin=checked(form, "admin"), disabled=checked(form, "disabled"))
            _, err = self.attempt(req, "PUT", f"/users/{name}", body)
            target = name
        if err is None:
            self.redirect(f"/user/{target}?saved=1")
        problems, general = field_problems(err)
        values = {**rights, "username": one(form, "username") or name, "admin": checked(form, "admin"),
                  "disabled": checked(form, "disabled")}
        self.show(req, resp, self.api(req, f"/users/{name}") if name else None, values, problems, general, err.status)


def routes(console):
    form = UserForm(console)
    return [("/user-list", UsersList(console)), ("/user-new", form), ("/user/{name}", form)]
