"""Neutron (v2.0): networks, subnets, ports, routers (+ interfaces), security groups, agents, AZs."""

from __future__ import annotations

from simulator.model.errors import BadRequest, Conflict, NotFound
from simulator.openstack import views
from simulator.openstack.floatingips import routes as floatingip_routes
from simulator.openstack.http import Call, HttpError, Service

UUID = r"[0-9a-f-]{36}"


def _error(status: int, kind: str, message: str) -> dict:
    return {"NeutronError": {"type": kind, "message": message, "detail": ""}}


def _bad(message: str) -> HttpError:
    return HttpError(400, _error(400, "HTTPBadRequest", message))


def _bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad(f"Invalid input for {field}. Reason: '{value}' is not a valid boolean value.")


class Neutron(Service):
    name = "neutron"

    def __init__(self, model, tokens, conditions, region: str):
        self.model, self.region = model, region
        self.release = model.params.release
        routes = [("GET", r"/", self.root), ("GET", r"/v2.0", self.v2),
                  ("GET", r"/v2.0/extensions", self.extensions),
                  ("GET", r"/v2.0/agents", self.agents),
                  ("GET", r"/v2.0/availability_zones", self.availability_zones),
                  ("GET", r"/v2.0/security-groups", self.security_groups),
                  ("GET", r"/v2.0/security-groups/(?P<ident>" + UUID + ")", self.security_group)]
        for plural, kind in (("networks", "network"), ("subnets", "subnet"), ("ports", "port"),
                             ("routers", "router")):
            routes += [("GET", rf"/v2.0/{plural}", self._lister(kind)),
                       ("POST", rf"/v2.0/{plural}", getattr(self, f"create_{kind}")),
                       ("GET", rf"/v2.0/{plural}/(?P<ident>{UUID})", self._shower(kind)),
                       ("PUT", rf"/v2.0/{plural}/(?P<ident>{UUID})", getattr(self, f"update_{kind}")),
                       ("DELETE", rf"/v2.0/{plural}/(?P<ident>{UUID})", self._deleter(kind))]
        routes += [("PUT", rf"/v2.0/routers/(?P<ident>{UUID})/add_router_interface", self.add_interface),
                   ("PUT", rf"/v2.0/routers/(?P<ident>{UUID})/remove_router_interface", self.remove_interface)]
        routes += floatingip_routes(self)
        super().__init__(routes, tokens, conditions, model.lock)

    def needs_token(self, method: str, path: str) -> bool:
        return path != "/"

    def error_body(self, status: int, message: str, exc=None) -> dict:
        if isinstance(exc, NotFound):
            kind = exc.kind.replace(" ", "")
            return _error(404, f"{kind}NotFound", f"{exc.kind} {exc.ident} could not be found.")
        if isinstance(exc, Conflict):
            return _error(409, "Conflict", str(exc))
        if isinstance(exc, BadRequest):
            return _error(400, "BadRequest", str(exc))
        kinds = {404: "HTTPNotFound", 405: "HTTPMethodNotAllowed", 500: "HTTPInternalServerError"}
        return _error(status, kinds.get(status, "HTTPBadRequest"), message)

    # ---------------------------------------------------------------- discovery
    def root(self, call: Call):
        return 200, {"versions": [{"id": "v2.0", "status": "CURRENT",
                                   "links": [{"rel": "self", "href": f"{self.base_url}/v2.0/"}]}]}

    def v2(self, call: Call):
        return 200, {"resources": [{"name": n, "collection": n + "s",
                                    "links": [{"rel": "self", "href": f"{self.base_url}/v2.0/{n}s"}]}
                                   for n in ("network", "subnet", "port", "router")]}

    def extensions(self, call: Call):
        names = ["agent", "binding", "external-net", "router", "provider", "security-group", "quotas",
                 "availability_zone", "port-security", "standard-attr-revisions", "standard-attr-timestamp"]
        return 200, {"extensions": [{"alias": n, "name": n, "description": "", "updated": "2013-01-01T00:00:00-00:00",
                                     "links": []} for n in names]}

    # ---------------------------------------------------------------- generic list/show/delete
    def _objects(self, kind: str) -> list:
        m = self.model
        if kind == "network":
            return [n for n in m.networks.values() if n.region == self.region]
        if kind == "subnet":
            return [s for s in m.subnets.values() if m.networks[s.network_id].region == self.region]
        if kind == "port":
            return [p for p in m.ports.values() if m.networks[p.network_id].region == self.region]
        return [r for r in m.routers.values() if r.region == self.region]

    def _view(self, kind: str, obj) -> dict:
        if kind == "router":
            return views.router(obj, self.model, self.release)
        return getattr(views, kind)(obj, self.release)

    @staticmethod
    def _matches(doc: dict, params: dict) -> bool:
        for key, want in params.items():
            if key in ("fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"):
                continue
            if key == "fixed_ips":
                continue
            if key not in doc:
                continue
            have = doc[key]
            wants = want if isinstance(want, list) else [want]
            text = "true" if have is True else "false" if have is False else "" if have is None else str(have)
            if text not in [str(w) for w in wants]:
                return False
        return True

    def _lister(self, kind: str):
        def handler(call: Call, **_):
            docs = [self._view(kind, o) for o in self._objects(kind)]
            docs = [d for d in docs if self._matches(d, call.params)]
            fields = call.params.get("fields")
            if fields:
                keep = set(fields if isinstance(fields, list) else [fields])
                docs = [{k: v for k, v in d.items() if k in keep} for d in docs]
            return 200, {kind + "s": docs}
        return handler

    def _shower(self, kind: str):
        def handler(call: Call, ident: str):
            obj = self.model.get(kind, ident)
            return 200, {kind: self._view(kind, obj)}
        return handler

    def _deleter(self, kind: str):
        def handler(call: Call, ident: str):
            getattr(self.model, f"delete_{kind}")(ident)
            return 204, None
        return handler

    def _body(self, call: Call, kind: str) -> dict:
        doc = call.json(_bad)
        spec = doc.get(kind)
        if not isinstance(spec, dict):
            raise _bad("Resource body required")
        return spec

    def _project(self, call: Call, spec: dict) -> str | None:
        pid = spec.get("project_id") or spec.get("tenant_id")
        if pid and pid not in self.model.projects:
            raise _bad(f"Invalid input for project_id. Reason: project {pid} does not exist.")
        return pid or (call.token["project"].id if call.token and call.token["project"] else None)

    # ---------------------------------------------------------------- networks
    def create_network(self, call: Call):
        spec = self._body(call, "network")
        seg = spec.get("provider:segmentation_id")
        net = self.model.create_network(
            name=str(spec.get("name", "")), project_id=self._project(call, spec), region=self.region,
            network_type=spec.get("provider:network_type"), segmentation_id=int(seg) if seg is not None else None,
            physical_network=spec.get("provider:physical_network"),
            external=_bool(spec.get("router:external", False), "router:external"),
            shared=_bool(spec.get("shared", False), "shared"),
            admin_state_up=_bool(spec.get("admin_state_up", True), "admin_state_up"), mtu=spec.get("mtu"),
            description=str(spec.get("description", "")))
        return 201, {"network": views.network(net, self.release)}

    def update_network(self, call: Call, ident: str):
        spec = self._body(call, "network")
        changes = {}
        for key, attr in (("name", "name"), ("admin_state_up", "admin_state_up"), ("shared", "shared"),
                          ("description", "description"), ("mtu", "mtu"), ("router:external", "external"),
                          ("port_security_enabled", "port_security_enabled")):
            if key in spec:
                changes[attr] = spec[key]
        unknown = set(spec) - {"name", "admin_state_up", "shared", "description", "mtu", "router:external",
                               "port_security_enabled"}
        if unknown:
            raise _bad(f"Cannot update read-only attribute {sorted(unknown)[0]}")
        net = self.model.update_network(ident, **changes)
        return 200, {"network": views.network(net, self.release)}

    # ---------------------------------------------------------------- subnets
    def create_subnet(self, call: Call):
        spec = self._body(call, "subnet")
        if not spec.get("network_id"):
            raise _bad("Failed to parse request. Required attribute 'network_id' not specified")
        if not spec.get("cidr"):
            raise _bad("Bad subnets request: a subnetpool must be specified in the absence of a cidr.")
        if int(spec.get("ip_version", 4)) != 4:
            raise _bad("Only IPv4 subnets are supported by this cloud.")
        sub = self.model.create_subnet(
            spec["network_id"], spec["cidr"], name=str(spec.get("name", "")),
            gateway_ip=spec.get("gateway_ip", "auto"), enable_dhcp=_bool(spec.get("enable_dhcp", True),
                                                                         "enable_dhcp"),
            project_id=self._project(call, spec), allocation_pools=spec.get("allocation_pools"),
            dns_nameservers=spec.get("dns_nameservers"), description=str(spec.get("description", "")))
        return 201, {"subnet": views.subnet(sub, self.release)}

    def update_subnet(self, call: Call, ident: str):
        spec = self._body(call, "subnet")
        sub = self.model.update_subnet(ident, **spec)
        return 200, {"subnet": views.subnet(sub, self.release)}

    # ---------------------------------------------------------------- ports
    def create_port(self, call: Call):
        spec = self._body(call, "port")
        if not spec.get("network_id"):
            raise _bad("Failed to parse request. Required attribute 'network_id' not specified")
        port = self.model.create_port(
            spec["network_id"], name=str(spec.get("name", "")), project_id=self._project(call, spec),
            fixed_ips=spec.get("fixed_ips"), mac_address=spec.get("mac_address"),
            device_owner=str(spec.get("device_owner", "")), device_id=str(spec.get("device_id", "")),
            host=str(spec.get("binding:host_id", "")), admin_state_up=_bool(spec.get("admin_state_up", True),
                                                                           "admin_state_up"),
            vnic_type=spec.get("binding:vnic_type", "normal"), security_groups=spec.get("security_groups"),
            description=str(spec.get("description", "")))
        return 201, {"port": views.port(port, self.release)}

    def update_port(self, call: Call, ident: str):
        spec = self._body(call, "port")
        mapping = {"name": "name", "admin_state_up": "admin_state_up", "description": "description",
                   "device_owner": "device_owner", "device_id": "device_id", "binding:host_id": "host",
                   "security_groups": "security_groups", "binding:vnic_type": "vnic_type"}
        unknown = set(spec) - set(mapping)
        if unknown:
            raise _bad(f"Cannot update read-only attribute {sorted(unknown)[0]}")
        port = self.model.update_port(ident, **{mapping[k]: v for k, v in spec.items()})
        return 200, {"port": views.port(port, self.release)}

    # ---------------------------------------------------------------- routers
    def create_router(self, call: Call):
        spec = self._body(call, "router")
        gw = spec.get("external_gateway_info") or {}
        router = self.model.create_router(
            str(spec.get("name", "")), project_id=self._project(call, spec),
            external_network_id=gw.get("network_id"), enable_snat=gw.get("enable_snat", True),
            admin_state_up=_bool(spec.get("admin_state_up", True), "admin_state_up"), region=self.region,
            description=str(spec.get("description", "")))
        return 201, {"router": views.router(router, self.model, self.release)}

    def update_router(self, call: Call, ident: str):
        spec = self._body(call, "router")
        router = self.model.update_router(ident, **spec)
        return 200, {"router": views.router(router, self.model, self.release)}

    def add_interface(self, call: Call, ident: str):
        spec = call.json(_bad)
        return 200, self.model.add_router_interface(ident, subnet_id=spec.get("subnet_id"),
                                                    port_id=spec.get("port_id"))

    def remove_interface(self, call: Call, ident: str):
        spec = call.json(_bad)
        return 200, self.model.remove_router_interface(ident, subnet_id=spec.get("subnet_id"),
                                                       port_id=spec.get("port_id"))

    # ---------------------------------------------------------------- read-only collections
    def security_groups(self, call: Call):
        return 200, {"security_groups": [views.security_group(g, self.release)
                                         for g in self.model.security_groups.values()]}

    def security_group(self, call: Call, ident: str):
        return 200, {"security_group": views.security_group(self.model.get("security_group", ident), self.release)}

    def agents(self, call: Call):
        docs = [views.agent(a, self.release) for a in self.model.agents.values()
                if self.model.hosts[a.host].region == self.region]
        return 200, {"agents": [d for d in docs if self._matches(d, call.params)]}

    def availability_zones(self, call: Call):
        return 200, {"availability_zones": [{"name": "nova", "resource": r, "state": "available"}
                                            for r in ("network", "router")]}
