"""/users and /users/{name}: API users (admin); a user may read themself and change their own password."""

from __future__ import annotations

import falcon

from api import jsonio
from api.auth.users import UserError, public_user
from api.errors import ApiError, bad_request, forbidden, not_found
from api.params import Param
from api.resources.base import Resource
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem

USER = obj({"username": STR, "admin": {"type": "boolean"}, "backend": STR}, required=("username", "admin"))
BODY = (Param("username", required=True), Param("password", secret=True),
        Param("admin", "bool", default=False, convert=False), Param("backend", default="local", choices=("local", "ldap")))
PUT_BODY = (Param("password", secret=True), Param("admin", "bool", convert=False))


class UsersList(Resource):
    operations = {
        "GET": Operation("API users (admin)", query=PAGING, auth="admin", tags=("users",),
                         response=listing("users", ("username", "admin", "backend"))),
        "POST": Operation("Add a user (admin)", body=BODY, auth="admin", status=201, response=MESSAGE, tags=("users",)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        skip, limit, applied = self.page(v, resp)
        docs = self.store["users"].find({}, skip=skip, limit=limit).sort([("username", 1)])
        body = {"users": [jsonio.plain(public_user(d)) for d in docs]}
        if applied is not None:
            body["page_size_applied"] = applied
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        if b["backend"] == "local" and "password" not in b:
            raise bad_request([Problem("password", "is required for a local user")])
        try:
            self.deps.extra["users"].add(b["username"], b.get("password"), admin=b["admin"], backend=b["backend"])
        except UserError as e:
            raise ApiError(409 if "already exists" in str(e) else 400, str(e),
                           [Problem("username" if "name" in str(e) or "exists" in str(e) else "password", str(e))]) from None
        self.created(resp, f"Created user {b['username']}")


class User(Resource):
    operations = {
        "GET": Operation("One user (admin, or the user themself)", tags=("users",), response=USER),
        "PUT": Operation("Change a user's password (admin or themself) or admin flag (admin)", body=PUT_BODY,
                         write=True, response=MESSAGE, tags=("users",)),
        "DELETE": Operation("Delete a user and revoke their tokens (admin)", auth="admin", response=MESSAGE,
                            tags=("users",)),
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
        resp.media = jsonio.plain(public_user(self._user(req, name)))

    def on_put(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        self._user(req, name)
        b = self.body(req)
        users = self.deps.extra["users"]
        if "admin" in b:
            if not self.caller(req).admin:
                raise forbidden("Only an admin may change the admin flag")
            if not b["admin"] and name == self.caller(req).username:
                raise bad_request([Problem("admin", "an admin cannot take their own admin rights away")])
            users.set_admin(name, b["admin"])
        if "password" in b:
            if not isinstance(b["password"], str):
                raise bad_request([Problem("password", "must be a string")])
            try:
                users.set_password(name, b["password"])
            except UserError as e:
                raise bad_request([Problem("password", str(e))]) from None
            self.deps.extra["tokens"].revoke_user(name)
        resp.media = {"message": f"Updated user {name}"}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        if name == self.caller(req).username:
            raise bad_request([Problem("name", "you cannot delete yourself")])
        if not self.deps.extra["users"].delete(name):
            raise not_found(f"no user {name}")
        self.deps.extra["tokens"].revoke_user(name)
        resp.media = {"message": f"Deleted user {name}"}


def routes(deps):
    return [("/users", UsersList(deps)), ("/users/{name}", User(deps))]
