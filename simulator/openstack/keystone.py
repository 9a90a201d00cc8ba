"""Keystone: version discovery, v3 (and, for the old release, v2.0) password tokens, catalog, projects."""

from __future__ import annotations

from typing import Callable

from simulator.openstack.http import UNAUTHORIZED, Call, HttpError, Service
from simulator.openstack.tokens import iso

_NOT_FOUND_HTML = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                   "<p>The requested URL was not found on the server. If you entered the URL manually please "
                   "check your spelling and try again.</p>\n")
_BAD_JSON = ("Expecting to find valid JSON in request body. The server could not comply with the request "
             "since it is either malformed or otherwise incorrect. The client is assumed to be in error.")


def _bad_request(message: str) -> HttpError:
    return HttpError(400, {"error": {"code": 400, "title": "Bad Request", "message": message}})


class Keystone(Service):
    name = "keystone"

    def __init__(self, model, tokens, conditions, catalog_urls: Callable[[], dict[str, dict[str, str]]]):
        self.model = model
        self.old = model.params.release == "old"
        self.catalog_urls = catalog_urls
        routes = [
            ("GET", r"/", self.root),
            ("GET", r"/v3", self.v3),
            ("POST", r"/v3/auth/tokens", self.v3_token),
            ("GET", r"/v3/auth/tokens", self.v3_validate),
            ("HEAD", r"/v3/auth/tokens", self.v3_validate),
            ("DELETE", r"/v3/auth/tokens", self.v3_revoke),
            ("GET", r"/v3/auth/catalog", self.v3_catalog),
            ("GET", r"/v3/auth/projects", self.v3_projects),
            ("GET", r"/v3/projects", self.v3_projects),
            ("GET", r"/v3/projects/(?P<pid>[^/]+)", self.v3_project),
            ("GET", r"/v3/regions", self.v3_regions),
            ("GET", r"/v3/domains", self.v3_domains),
        ]
        if self.old:
            routes += [("GET", r"/v2.0", self.v2),
                       ("POST", r"/v2.0/tokens", self.v2_token),
                       ("GET", r"/v2.0/tenants", self.v2_tenants)]
        else:
            routes += [("GET", r"/v2.0(/.*)?", self.gone), ("POST", r"/v2.0(/.*)?", self.gone)]
        super().__init__(routes, tokens, conditions, model.lock)

    def needs_token(self, method: str, path: str) -> bool:
        return path not in ("/", "/v3", "/v2.0", "/v3/auth/tokens", "/v2.0/tokens") or (
            method != "POST" and path == "/v3/auth/tokens")

    def error_body(self, status: int, message: str, exc=None) -> dict:
        titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
        return {"error": {"code": status, "title": titles.get(status, "Error"), "message": message}}

    # ------------------------------------------------------------ discovery
    def _v3_version(self) -> dict:
        return {"id": "v3.14" if not self.old else "v3.6", "status": "stable",
                "updated": "2020-04-07T00:00:00Z" if not self.old else "2016-04-04T00:00:00Z",
                "links": [{"rel": "self", "href": f"{self.base_url}/v3/"}],
                "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}

    def _v2_version(self) -> dict:
        return {"id": "v2.0", "status": "stable", "updated": "2014-04-17T00:00:00Z",
                "links": [{"rel": "self", "href": f"{self.base_url}/v2.0/"},
                          {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
                "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v2.0+json"}]}

    def root(self, call: Call):
        values = [self._v3_version()] + ([self._v2_version()] if self.old else [])
        return 300, {"versions": {"values": values}}, {"Location": f"{self.base_url}/v3/"}

    def v3(self, call: Call):
        return 200, {"version": self._v3_version()}

    def v2(self, call: Call):
        return 200, {"version": self._v2_version()}

    def gone(self, call: Call, **_):
        raise HttpError(404, _NOT_FOUND_HTML)

    # ------------------------------------------------------------ tokens
    def _auth_failed(self):
        raise HttpError(401, UNAUTHORIZED, {"WWW-Authenticate": f'Keystone uri="{self.base_url}"'})

    def _scope(self, project_ref: dict | None, user):
        m = self.model
        if not project_ref:
            return m.projects.get(user.default_project_id) if user.default_project_id else None
        if project_ref.get("id"):
            project = m.projects.get(project_ref["id"])
        else:
            project = m.project_by_name(project_ref.get("name", ""))
        if project is None:
            self._auth_failed()
        return project

    def v3_token(self, call: Call):
        body = call.json(lambda msg: _bad_request(_BAD_JSON))
        auth = body.get("auth")
        if not isinstance(auth, dict) or not isinstance(auth.get("identity"), dict):
            raise _bad_request("Invalid input for field 'identity': 'identity' is a required property")
        identity = auth["identity"]
        methods = identity.get("methods")
        if not isinstance(methods, list) or not methods:
            raise _bad_request("Invalid input for field 'identity/methods': 'methods' is a required property")
        if "password" not in methods:
            self._auth_failed()
        user_ref = (identity.get("password") or {}).get("user") or {}
        if not isinstance(user_ref, dict) or "password" not in user_ref:
            raise _bad_request("Invalid input for field 'identity/password/user': 'password' is a required "
                               "property")
        domain = (user_ref.get("domain") or {}).get("id") or "default"
        if self.conditions.has("keystone", "auth"):
            self._auth_failed()
        with self.model.lock:
            user = self.model.authenticate(user_ref.get("name", ""), user_ref.get("password", ""), domain)
            if user is None and user_ref.get("id"):
                user = next((u for u in self.model.users.values() if u.id == user_ref["id"]
                             and u.password == user_ref.get("password")), None)
            if user is None:
                self._auth_failed()
            scope = auth.get("scope") if isinstance(auth.get("scope"), dict) else {}
            project = self._scope(scope.get("project"), user)
            token = self.tokens.issue(user, project)
            body = {"token": self._v3_token_body(token, with_catalog="nocatalog" not in call.params)}
        return 201, body, {"X-Subject-Token": token["id"]}

    def _v3_token_body(self, token: dict, with_catalog: bool = True) -> dict:
        user, project = token["user"], token["project"]
        body = {"methods": ["password"],
                "user": {"domain": {"id": user.domain_id, "name": "Default"}, "id": user.id, "name": user.name,
                         "password_expires_at": None},
                "audit_ids": [token["id"][-22:]], "expires_at": iso(token["expires_at"]),
                "issued_at": iso(token["issued_at"])}
        if project is not None:
            body["project"] = {"domain": {"id": project.domain_id, "name": "Default"}, "id": project.id,
                               "name": project.name}
            body["is_domain"] = False
            body["roles"] = [{"id": "a5e6e26f23b744b29b9d9e530d628c10", "name": "reader"},
                             {"id": "eb92618ca96446a9a6831f56699b9b6a", "name": "member"},
                             {"id": "886098b5ab534306810f4ebeeab55ee3", "name": "admin"}]
            if with_catalog:
                body["catalog"] = self.v3_catalog_list()
        return body

    def v3_validate(self, call: Call):
        subject = self.tokens.check(call.headers.get("X-SUBJECT-TOKEN"))
        if subject is None:
            raise HttpError(404, self.error_body(404, "Could not find token: "
                                                 f"{call.headers.get('X-SUBJECT-TOKEN', '')}."))
        return 200, {"token": self._v3_token_body(subject)}, {"X-Subject-Token": subject["id"]}

    def v3_revoke(self, call: Call):
        self.tokens.revoke(call.headers.get("X-SUBJECT-TOKEN", ""))
        return 204, None

    def v2_token(self, call: Call):
        body = call.json(lambda msg: _bad_request(_BAD_JSON))
        auth = body.get("auth")
        creds = auth.get("passwordCredentials") if isinstance(auth, dict) else None
        if not isinstance(creds, dict):
            raise _bad_request("Expecting to find passwordCredentials in auth. The server could not comply "
                               "with the request since it is either malformed or otherwise incorrect. "
                               "The client is assumed to be in error.")
        if self.conditions.has("keystone", "auth"):
            self._auth_failed()
        with self.model.lock:
            user = self.model.authenticate(creds.get("username", ""), creds.get("password", ""))
            if user is None:
                self._auth_failed()
            ref = {"name": auth["tenantName"]} if auth.get("tenantName") else (
                {"id": auth["tenantId"]} if auth.get("tenantId") else None)
            project = self._scope(ref, user)
            token = self.tokens.issue(user, project)
            access = {"token": {"issued_at": iso(token["issued_at"]), "expires": iso(token["expires_at"], False),
                                "id": token["id"], "audit_ids": [token["id"][-22:]]},
                      "serviceCatalog": self.v2_catalog_list(project.id if project else ""),
                      "user": {"username": user.name, "roles_links": [], "id": user.id,
                               "roles": [{"name": "admin"}], "name": user.name},
                      "metadata": {"is_admin": 0, "roles": ["886098b5ab534306810f4ebeeab55ee3"]}}
            if project is not None:
                access["token"]["tenant"] = {"description": project.description, "enabled": project.enabled,
                                             "id": project.id, "name": project.name}
        return 200, {"access": access}

    # ------------------------------------------------------------ catalog
    def v3_catalog_list(self) -> list[dict]:
        services: dict[str, dict] = {}
        n = 0
        for region, urls in self.catalog_urls().items():
            for stype, sname in (("identity", "keystone"), ("compute", "nova"), ("network", "neutron")):
                url = urls[stype]
                svc = services.setdefault(sname, {"endpoints": [], "id": f"{n:02d}" + "a" * 30, "type": stype,
                                                  "name": sname})
                n += 1
                order = ("public", "internal", "admin") if stype == "identity" else ("admin", "internal", "public")
                for interface in order:
                    svc["endpoints"].append({"id": f"{len(svc['endpoints']):02d}{sname[:2]}{region}"[:32],
                                             "interface": interface, "region_id": region, "url": url,
                                             "region": region})
        return list(services.values())

    def v2_catalog_list(self, tenant_id: str) -> list[dict]:
        out: dict[str, dict] = {}
        for region, urls in self.catalog_urls().items():
            for stype, sname in (("compute", "nova"), ("network", "neutron"), ("identity", "keystone")):
                url = urls[stype].replace("%(tenant_id)s", tenant_id)
                if stype == "identity":
                    admin, public = urls["identity_v2_admin"], urls["identity_v2"]
                else:
                    admin = public = url
                svc = out.setdefault(sname, {"name": sname, "type": stype, "endpoints_links": [], "endpoints": []})
                svc["endpoints"].append({"id": f"{sname}-{region}", "region": region, "adminURL": admin,
                                         "internalURL": public, "publicURL": public})
        return list(out.values())

    def v3_catalog(self, call: Call):
        return 200, {"catalog": self.v3_catalog_list(), "links": {"self": f"{self.base_url}/v3/auth/catalog",
                                                                  "previous": None, "next": None}}

    # ------------------------------------------------------------ projects, regions
    def _project_dict(self, p) -> dict:
        return {"id": p.id, "name": p.name, "domain_id": p.domain_id, "description": p.description,
                "enabled": p.enabled, "parent_id": p.parent_id, "is_domain": p.is_domain, "tags": [],
                "options": {}, "links": {"self": f"{self.base_url}/v3/projects/{p.id}"}}

    def v3_projects(self, call: Call):
        projects = sorted(self.model.projects.values(), key=lambda p: p.id)
        if "name" in call.params:
            projects = [p for p in projects if p.name == call.params["name"]]
        return 200, {"projects": [self._project_dict(p) for p in projects],
                     "links": {"next": None, "self": f"{self.base_url}/v3/projects", "previous": None}}

    def v3_project(self, call: Call, pid: str):
        p = self.model.projects.get(pid)
        if p is None:
            raise HttpError(404, self.error_body(404, f"Could not find project: {pid}."))
        return 200, {"project": self._project_dict(p)}

    def v2_tenants(self, call: Call):
        return 200, {"tenants_links": [], "tenants": [
            {"id": p.id, "name": p.name, "description": p.description, "enabled": p.enabled,
             "domain_id": p.domain_id} for p in sorted(self.model.projects.values(), key=lambda p: p.id)]}

    def v3_regions(self, call: Call):
        return 200, {"regions": [{"id": r, "description": "", "links": {"self": f"{self.base_url}/v3/regions/{r}"},
                                  "parent_region_id": None} for r in self.model.regions],
                     "links": {"self": f"{self.base_url}/v3/regions", "previous": None, "next": None}}

    def v3_domains(self, call: Call):
        return 200, {"domains": [{"id": "default", "name": "Default", "description": "The default domain",
                                  "enabled": True, "tags": [], "options": {},
                                  "links": {"self": f"{self.base_url}/v3/domains/default"}}],
                     "links": {"self": f"{self.base_url}/v3/domains", "previous": None, "next": None}}
