"""/users and /users/{name}: API users (admin); every user reads themself and changes their own password.

Rights per environment live where the RBAC reads them, in each environment's `auth` lists;
`view_envs`/`edit_envs` here are a user's view of those lists (edit implies view). The first
admin (`admin`) can be neither disabled nor deleted, so an installation cannot lock itself out.
"""

from __future__ import annotations

import falcon

from api import jsonio
from api.auth.users import FIRST_ADMIN, UserError, check_password, public_user
from api.errors import ApiError, bad_request, forbidden, not_found
from api.params import Param
from api.resources.base import Resource
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem

ENVS = {"type": "array", "items": STR}
USER = obj({"username": STR, "admin": {"type": "boolean"}, "backend": STR, "disabled": {"type": "boolean"},
            "view_envs": ENVS, "edit_envs": ENVS}, required=("username", "admin"))
USER_FIELDS = ("username", "admin", "backend", "disabled", "view_envs", "edit_envs")
BODY = (Param("username", required=True), Param("password", secret=True),
        Param("admin", "bool", default=False, convert=False), Param("backend", default="local", choices=("local", "ldap")),
        Param("view_envs", "list", may_be_empty=True, doc="environments this user may view"),
        Param("edit_envs", "list", may_be_empty=True, doc="environments this user may change (implies view)"))
PUT_BODY = (Param("password", secret=True), Param("current_password", secret=True,
                                                  doc="required when changing one's own password"),
            Param("admin", "bool", convert=False), Param("disabled", "bool", convert=False),
            Param("view_envs", "list", may_be_empty=True, doc="replaces the environments this user may view"),
            Param("edit_envs", "list", may_be_empty=True, doc="replaces the environments this user may change"))


def _toggle(names: list[str], username: str, member: bool) -> None:
    if member and username not in names:
        names.append(username)
    elif not member and username in names:
        names.remove(username)


class EnvRights:
    """A user's rights as stored in environments' `auth` lists."""

    def __init__(self, store):
        self.coll = store["environments_config"]

    def of(self, docs: list[dict]) -> dict[str, dict[str, list[str]]]:
        out = {d["username"]: {"view_envs": [], "edit_envs": []} for d in docs}
        for env in self.coll.find({}, {"name": 1, "auth": 1}).sort([("name", 1)]):
            auth = env.get("auth") or {}
            for name, rights in out.items():
                if name in (auth.get("edit-env") or []):
                    rights["edit_envs"].append(env["name"])
                if name in (auth.get("view-env") or []) or name in (auth.get("edit-env") or []):
                    rights["view_envs"].append(env["name"])
        return out

    def check(self, b: dict) -> list[Problem]:
        known = {d["name"] for d in self.coll.find({}, {"name": 1})}
        return [Problem(f, f"unknown environment {e!r}") for f in ("view_envs", "edit_envs") for e in b.get(f) or []
                if e not in known]

    def set(self, username: str, view: list[str] | None, edit: list[str] | None) -> None:
        """Put `username` in exactly these environments' lists (None: leave that list alone)."""
        if view is None and edit is None:
            return
        for env in self.coll.find({}, {"name": 1, "auth": 1}):
            auth = {k: list(v or []) for k, v in (env.get("auth") or {}).items()}
            auth.setdefault("view-env", [])
            auth.setdefault("edit-env", [])
            before = {k: list(v) for k, v in auth.items()}
            name = env["name"]
            if edit is not None:
                _toggle(auth["edit-env"], username, name in edit)
            if view is not None:
                _toggle(auth["view-env"], username, name in view or name in (edit or []))
            elif edit is not None and name in edit:
                _toggle(auth["view-env"], username, True)
            if auth != before:
                self.coll.update_one({"_id": env["_id"]}, {"$set": {"auth": auth}})

    def forget(self, username: str) -> None:
        self.set(username, [], [])


def _shown(doc: dict, rights: dict) -> dict:
    return jsonio.plain({**public_user(doc), **rights.get(doc["username"], {})})


class UsersList(Resource):
    operations = {
        "GET": Operation("API users with their rights per environment (admin)", query=PAGING, auth="admin",
                         tags=("users",), response=listing("users", USER_FIELDS)),
        "POST": Operation("Add a user (admin)", body=BODY, auth="admin", status=201, response=MESSAGE, tags=("users",),
                          errors=(409,)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        skip, limit, applied = self.page(v, resp)
        docs = list(self.store["users"].find({}, skip=skip, limit=limit).sort([("username", 1)]))
        rights = EnvRights(self.store).of(docs)
        body = {"users": [_shown(d, rights) for d in docs]}
        if applied is not None:
            body["page_size_applied"] = applied
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        if b["backend"] == "local" and "password" not in b:
            raise bad_request([Problem("password", "is required for a local user")])
        envs = EnvRights(self.store)
        problems = envs.check(b)
        if problems:
            raise bad_request(problems)
        try:
            self.deps.extra["users"].add(b["username"], b.get("password"), admin=b["admin"], backend=b["backend"])
        except UserError as e:
            raise ApiError(409 if "already exists" in str(e) else 400, str(e),
                           [Problem("username" if "name" in str(e) or "exists" in str(e) else "password", str(e))]) from None
        envs.set(b["username"], b.get("view_envs"), b.get("edit_envs"))
        self.created(resp, f"Created user {b['username']}")


class User(Resource):
    operations = {
        "GET": Operation("One user (admin, or the user themself)", tags=("users",), response=USER),
        "PUT": Operation("Change a user: own password (with current_password), or as admin: password reset, "
                         "admin flag, disabled, rights per environment", body=PUT_BODY,
                         write=True, response=MESSAGE, tags=("users",)),
        "DELETE": Operation("Delete a user, revoke their tokens and rights (admin; not the first admin)",
                            auth="admin", response=MESSAGE, tags=("users",)),
    }

    def _user(self, req: falcon.Request, name: str) -> dict:
        caller = self.caller(req)
        if not caller.admin and caller.username != name:
            raise not_found(f"no user {name}")
        doc = self.deps.extra["users"].get(name)
        if doc is None:
            raise not_found(f"no user {name}")
        return doc

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        doc = self._user(req, name)
        resp.media = _shown(doc, EnvRights(self.store).of([doc]))

    def on_put(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        self._user(req, name)
        b = self.body(req)
        caller = self.caller(req)
        users = self.deps.extra["users"]
        admin_only = [f for f in ("admin", "disabled", "view_envs", "edit_envs") if f in b]
        if admin_only and not caller.admin:
            raise forbidden(f"Only an admin may change {', '.join(admin_only)}")
        problems = EnvRights(self.store).check(b)
        if b.get("disabled") and name in (FIRST_ADMIN, caller.username):
            problems.append(Problem("disabled", f"the {name} user cannot be disabled"))
        if "admin" in b and not b["admin"] and name == caller.username:
            problems.append(Problem("admin", "an admin cannot take their own admin rights away"))
        if "password" in b and name == caller.username:
            if "current_password" not in b or users.verify(name, b["current_password"]) is None:
                problems.append(Problem("current_password", "is required to change your own password, and must be right"))
        if "password" in b:
            try:
                check_password(b["password"])
            except UserError as e:
                problems.append(Problem("password", str(e)))
        if problems:
            raise bad_request(problems)
        if "admin" in b:
            users.set_admin(name, b["admin"])
        if "disabled" in b:
            users.set_disabled(name, b["disabled"])
            if b["disabled"]:
                self.deps.extra["tokens"].revoke_user(name)
        EnvRights(self.store).set(name, b.get("view_envs"), b.get("edit_envs"))
        if "password" in b:
            users.set_password(name, b["password"])
            self.deps.extra["tokens"].revoke_user(name)
        resp.media = {"message": f"Updated user {name}"}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        if name == self.caller(req).username:
            raise bad_request([Problem("name", "you cannot delete yourself")])
        if name == FIRST_ADMIN:
            raise bad_request([Problem("name", f"the {FIRST_ADMIN} user cannot be deleted")])
        if not self.deps.extra["users"].delete(name):
            raise not_found(f"no user {name}")
        self.deps.extra["tokens"].revoke_user(name)
        EnvRights(self.store).forget(name)
        self.store["user_settings"].delete_many({"username": name})
        resp.media = {"message": f"Deleted user {name}"}


def routes(deps):
    return [("/users", UsersList(deps)), ("/users/{name}", User(deps))]
