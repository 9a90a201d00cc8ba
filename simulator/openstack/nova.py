"""Nova (compute API 2.1 shapes): AZs, hypervisors, hosts, servers and their actions, flavors, images."""

from __future__ import annotations

from simulator.model.errors import Conflict, ModelError, NotFound
from simulator.openstack import views
from simulator.openstack.http import Call, HttpError, Service

#: every Nova path may come as /v2/<project>/x, /v2/x, /v2.1/x or /v2.1/<project>/x (vim-contract §2.1)
P = r"/v2(?:\.1)?(?:/(?P<tenant>[0-9a-f]{32}))?"
MAX_MICROVERSION = "2.93"


def _fault(status: int, message: str) -> dict:
    key = {400: "badRequest", 403: "forbidden", 404: "itemNotFound", 405: "HTTPMethodNotAllowed",
           409: "conflictingRequest", 500: "computeFault"}.get(status, "computeFault")
    return {key: {"code": status, "message": message}}


def _bad(message: str) -> HttpError:
    return HttpError(400, _fault(400, message))


class Nova(Service):
    name = "nova"

    def __init__(self, model, tokens, conditions, region: str):
        self.model, self.region = model, region
        self.release = model.params.release
        routes = [
            ("GET", r"/", self.root),
            ("GET", r"/v2(?:\.1)?", self.version),
            ("GET", P + r"/os-availability-zone(?P<detail>/detail)?", self.availability_zones),
            ("GET", P + r"/os-hypervisors(?P<detail>/detail)?", self.hypervisors),
            ("GET", P + r"/os-hypervisors/(?P<hid>\d+|[0-9a-f-]{36})", self.hypervisor),
            ("GET", P + r"/os-hypervisors/(?P<pattern>[^/]+)/servers", self.hypervisor_servers),
            ("GET", P + r"/os-hypervisors/(?P<pattern>[^/]+)/search", self.hypervisor_search),
            ("GET", P + r"/os-hosts", self.os_hosts),
            ("GET", P + r"/os-hosts/(?P<host>[^/]+)", self.os_host),
            ("GET", P + r"/os-services", self.os_services),
            ("GET", P + r"/os-aggregates", self.aggregates),
            ("GET", P + r"/servers(?P<detail>/detail)?", self.servers),
            ("POST", P + r"/servers", self.create_server),
            ("GET", P + r"/servers/(?P<sid>[0-9a-f-]{36})", self.server),
            ("PUT", P + r"/servers/(?P<sid>[0-9a-f-]{36})", self.update_server),
            ("DELETE", P + r"/servers/(?P<sid>[0-9a-f-]{36})", self.delete_server),
            ("POST", P + r"/servers/(?P<sid>[0-9a-f-]{36})/action", self.server_action),
            ("GET", P + r"/servers/(?P<sid>[0-9a-f-]{36})/os-interface", self.server_interfaces),
            ("GET", P + r"/flavors(?P<detail>/detail)?", self.flavors),
            ("GET", P + r"/flavors/(?P<fid>[^/]+)", self.flavor),
            ("GET", P + r"/images(?P<detail>/detail)?", self.images),
            ("GET", P + r"/images/(?P<iid>[^/]+)", self.image),
            ("GET", P + r"/os-quota-sets/(?P<pid>[^/]+)(?P<detail>/detail)?", self.quota_set),
            ("GET", P + r"/os-keypairs", lambda call, **_: (200, {"keypairs": []})),
            ("GET", P + r"/limits", self.limits),
        ]
        super().__init__(routes, tokens, conditions, model.lock)

    def needs_token(self, method: str, path: str) -> bool:
        return path not in ("/", "/v2", "/v2.1", "/v2/", "/v2.1/")

    def error_body(self, status: int, message: str, exc=None) -> dict:
        if isinstance(exc, NotFound):
            message = {"Server": f"Instance {exc.ident} could not be found.",
                       "Flavor": f"Flavor {exc.ident} could not be found.",
                       "Image": f"Image {exc.ident} could not be found.",
                       "Network": f"Network {exc.ident} could not be found."}.get(exc.kind, message)
        return _fault(status, message)

    def extra_headers(self, call: Call) -> dict:
        v = "%d.%d" % call.microversion
        return {"OpenStack-API-Version": f"compute {v}", "X-OpenStack-Nova-API-Version": v,
                "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version"}

    @property
    def base(self) -> str:
        return self.base_url + "/v2.1"

    # ---------------------------------------------------------------- versions
    def _versions(self) -> list[dict]:
        return [{"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
                 "updated": "2011-01-21T11:33:21Z", "links": [{"rel": "self", "href": f"{self.base_url}/v2/"}]},
                {"id": "v2.1", "status": "CURRENT", "version": MAX_MICROVERSION if self.release != "old" else "2.25",
                 "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
                 "links": [{"rel": "self", "href": f"{self.base_url}/v2.1/"}]}]

    def root(self, call: Call):
        return 200, {"versions": self._versions()}

    def version(self, call: Call):
        v = self._versions()[1 if call.path.startswith("/v2.1") else 0]
        v = dict(v, **{"media-types": [{"base": "application/json",
                                        "type": "application/vnd.openstack.compute+json;version=2.1"}]})
        return 200, {"version": v}

    # ---------------------------------------------------------------- hosts
    def _hosts(self):
        return [h for h in self.model.hosts.values() if h.region == self.region]

    def availability_zones(self, call: Call, detail=None, **_):
        m = self.model
        zones: dict[str, dict] = {}
        for svc in m.services:
            host = m.hosts.get(svc.host)
            if host is None or host.region != self.region:
                continue
            zone = zones.setdefault(svc.zone, {})
            zone.setdefault(svc.host, {})[svc.binary] = {
                "available": svc.state == "up", "active": svc.status == "enabled",
                "updated_at": svc.updated_at.replace("Z", ".000000")}
        out = []
        for name in sorted(zones, key=lambda z: (z != "internal", z)):
            if not detail and name == "internal":
                continue
            out.append({"zoneName": name, "zoneState": {"available": True},
                        "hosts": zones[name] if detail else None})
        return 200, {"availabilityZoneInfo": out}

    def _hypervisor(self, h, detail: bool, call: Call) -> dict:
        new_ids = call.microversion >= (2, 53)
        d = {"id": h.hypervisor_uuid if new_ids else h.hypervisor_id, "hypervisor_hostname": h.hypervisor_hostname,
             "state": "up", "status": "enabled"}
        if detail:
            insts = self.model.instances_on_host(h.name)
            used_ram = sum(self.model.flavors[i.flavor_id].ram for i in insts if i.flavor_id in self.model.flavors)
            used_cpu = sum(self.model.flavors[i.flavor_id].vcpus for i in insts if i.flavor_id in self.model.flavors)
            used_disk = sum(self.model.flavors[i.flavor_id].disk for i in insts if i.flavor_id in self.model.flavors)
            d.update({"hypervisor_type": "QEMU", "hypervisor_version": 7002022, "host_ip": h.ip,
                      "service": {"id": next((s.id for s in self.model.services if s.host == h.name
                                              and s.binary == "nova-compute"), 0),
                                  "host": h.name, "disabled_reason": None}})
            if not new_ids or call.microversion < (2, 88):
                d.update({"vcpus": h.vcpus, "memory_mb": h.memory_mb, "local_gb": h.disk_gb,
                          "vcpus_used": used_cpu, "memory_mb_used": used_ram + 512, "local_gb_used": used_disk,
                          "free_ram_mb": h.memory_mb - used_ram - 512, "free_disk_gb": h.disk_gb - used_disk,
                          "current_workload": 0, "running_vms": len(insts), "disk_available_least": h.disk_gb,
                          "cpu_info": '{"arch": "x86_64", "model": "kvm64", "vendor": "AMD"}'})
        return d

    def _computes(self):
        return [h for h in self._hosts() if h.is_compute]

    def hypervisors(self, call: Call, detail=None, **_):
        return 200, {"hypervisors": [self._hypervisor(h, bool(detail), call) for h in self._computes()]}

    def hypervisor(self, call: Call, hid: str, **_):
        h = next((h for h in self._computes() if str(h.hypervisor_id) == hid or h.hypervisor_uuid == hid), None)
        if h is None:
            raise HttpError(404, _fault(404, f"Hypervisor {hid} could not be found."))
        return 200, {"hypervisor": self._hypervisor(h, True, call)}

    def _matching(self, pattern: str):
        found = [h for h in self._computes() if pattern in (h.hypervisor_hostname or "")]
        if not found:
            raise HttpError(404, _fault(404, f"No hypervisor matching '{pattern}' could be found."))
        return found

    def hypervisor_servers(self, call: Call, pattern: str, **_):
        out = []
        for h in self._matching(pattern):
            d = self._hypervisor(h, False, call)
            servers = [{"name": i.domain_name, "uuid": i.id}
                       for i in sorted(self.model.instances_on_host(h.name), key=lambda i: i.index)]
            if servers:
                d["servers"] = servers
            out.append(d)
        return 200, {"hypervisors": out}

    def hypervisor_search(self, call: Call, pattern: str, **_):
        return 200, {"hypervisors": [self._hypervisor(h, False, call) for h in self._matching(pattern)]}

    def os_hosts(self, call: Call, **_):
        hosts = []
        for s in self.model.services:
            if s.host in self.model.hosts and self.model.hosts[s.host].region == self.region:
                hosts.append({"host_name": s.host, "service": s.binary.replace("nova-", ""), "zone": s.zone})
        return 200, {"hosts": hosts}

    def os_host(self, call: Call, host: str, **_):
        h = self.model.hosts.get(host)
        if h is None or h.region != self.region:
            raise HttpError(404, _fault(404, f"Compute host {host} could not be found."))
        insts = self.model.instances_on_host(host)
        fl = self.model.flavors

        def usage(items):
            return (sum(fl[i.flavor_id].vcpus for i in items if i.flavor_id in fl),
                    sum(fl[i.flavor_id].ram for i in items if i.flavor_id in fl),
                    sum(fl[i.flavor_id].disk for i in items if i.flavor_id in fl))
        rows = [("(total)", (h.vcpus, h.memory_mb, h.disk_gb))]
        cpu, ram, disk = usage(insts)
        rows += [("(used_now)", (cpu, ram + 512, disk)), ("(used_max)", (cpu, ram, disk))]
        for pid in sorted({i.project_id for i in insts}):
            rows.append((pid, usage([i for i in insts if i.project_id == pid])))
        return 200, {"host": [{"resource": {"host": host, "project": p, "cpu": c, "memory_mb": r, "disk_gb": d}}
                              for p, (c, r, d) in rows]}

    def os_services(self, call: Call, **_):
        return 200, {"services": [
            {"id": s.id, "binary": s.binary, "disabled_reason": None, "host": s.host, "zone": s.zone,
             "status": s.status, "state": s.state, "updated_at": s.updated_at.replace("Z", ".000000"),
             "forced_down": False} for s in self.model.services
            if s.host in self.model.hosts and self.model.hosts[s.host].region == self.region]}

    def aggregates(self, call: Call, **_):
        return 200, {"aggregates": [
            {"name": a.name, "availability_zone": a.availability_zone, "deleted": False,
             "created_at": a.created_at.replace("Z", ".000000"), "updated_at": None, "deleted_at": None,
             "id": a.id, "hosts": list(a.hosts), "metadata": dict(a.metadata)}
            for a in self.model.aggregates.values() if a.region == self.region]}

    # ---------------------------------------------------------------- servers
    def _visible(self, call: Call):
        all_tenants = call.params.get("all_tenants") not in (None, "0", "false", "False")
        pid = call.token["project"].id if call.token and call.token["project"] else None
        m = self.model
        out = []
        for i in m.instances.values():
            if m.hosts[i.host].region != self.region:
                continue
            if not all_tenants and i.project_id != pid:
                continue
            out.append(i)
        return out

    def servers(self, call: Call, detail=None, **_):
        items = self._visible(call)
        for key, attr in (("name", "name"), ("host", "host"), ("status", "status")):
            if key in call.params:
                want = call.params[key]
                items = [i for i in items if str(getattr(i, attr)) == want or
                         (key == "name" and want in i.name)]
        if detail:
            return 200, {"servers": [views.server(i, self.model, self.base, self.release) for i in items]}
        return 200, {"servers": [{"id": i.id, "name": i.name,
                                  "links": views._links(self.base, "servers", i.id)} for i in items]}

    def server(self, call: Call, sid: str, **_):
        inst = self.model.get("server", sid)
        return 200, {"server": views.server(inst, self.model, self.base, self.release)}

    def server_interfaces(self, call: Call, sid: str, **_):
        inst = self.model.get("server", sid)
        out = []
        for pid in inst.port_ids:
            p = self.model.ports.get(pid)
            if p:
                out.append({"port_state": p.status, "fixed_ips": [dict(f) for f in p.fixed_ips], "port_id": p.id,
                            "net_id": p.network_id, "mac_addr": p.mac_address})
        return 200, {"interfaceAttachments": out}

    def create_server(self, call: Call, **_):
        body = call.json(_bad)
        spec = body.get("server")
        if not isinstance(spec, dict):
            raise _bad("Invalid input for field/attribute server. Value: None. 'server' is a required property")
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _bad("Invalid input for field/attribute name. Value: None. None is not of type 'string'")
        flavor_ref = spec.get("flavorRef")
        if not flavor_ref:
            raise _bad("Invalid input for field/attribute flavorRef. Value: None. None is not of type "
                       "'string', 'integer'")
        flavor_id = str(flavor_ref).rstrip("/").rsplit("/", 1)[-1]
        flavor = self.model.flavors.get(flavor_id) or next(
            (f for f in self.model.flavors.values() if f.name == flavor_id), None)
        if flavor is None:
            raise _bad(f"Flavor {flavor_id} could not be found.")
        image_id = str(spec.get("imageRef") or "").rstrip("/").rsplit("/", 1)[-1] or None
        if image_id and image_id not in self.model.images:
            raise _bad("Can not find requested image")
        networks, ports = [], []
        req_nets = spec.get("networks", "auto")
        if isinstance(req_nets, list):
            for n in req_nets:
                if not isinstance(n, dict):
                    raise _bad("Bad networks format")
                if n.get("port"):
                    if n["port"] not in self.model.ports:
                        raise _bad(f"Port {n['port']} could not be found.")
                    ports.append(n["port"])
                elif n.get("uuid"):
                    if n["uuid"] not in self.model.networks:
                        raise _bad(f"Network {n['uuid']} could not be found.")
                    networks.append(n["uuid"])
        elif req_nets == "auto":
            pid = call.token["project"].id
            own = [n for n in self.model.networks.values() if not n.external and n.region == self.region
                   and (n.project_id == pid or n.shared)]
            if len(own) > 1:
                raise HttpError(409, _fault(409, "Multiple possible networks found, use a Network ID to be "
                                                 "more specific."))
            networks = [own[0].id] if own else []
        az = spec.get("availability_zone")
        host = None
        if az and ":" in az:
            az, host = az.split(":", 1)[0] or None, az.split(":", 1)[1] or None
        try:
            inst = self.model.create_server(name, networks=networks, ports=ports, flavor_id=flavor.id,
                                            image_id=image_id, project_id=call.token["project"].id, host=host,
                                            availability_zone=az, key_name=spec.get("key_name"),
                                            region=self.region, metadata=spec.get("metadata"),
                                            user_id=call.token["user"].id)
        except NotFound as e:
            raise _bad(str(e)) from None
        except Conflict as e:
            raise HttpError(409, _fault(409, str(e))) from None
        return 202, {"server": {"security_groups": [{"name": "default"}], "OS-DCF:diskConfig": "MANUAL",
                                "id": inst.id, "links": views._links(self.base, "servers", inst.id),
                                "adminPass": "Xq9" + inst.id.replace("-", "")[:9]}}, {
            "Location": f"{self.base}/servers/{inst.id}"}

    def update_server(self, call: Call, sid: str, **_):
        body = call.json(_bad)
        spec = body.get("server")
        if not isinstance(spec, dict):
            raise _bad("Invalid input for field/attribute server.")
        inst = self.model.get("server", sid)
        if "name" in spec:
            inst = self.model.rename_server(sid, str(spec["name"]))
        return 200, {"server": views.server(inst, self.model, self.base, self.release)}

    def delete_server(self, call: Call, sid: str, **_):
        self.model.delete_server(sid)
        return 204, None

    ACTIONS = {"os-stop": "stop_server", "os-start": "start_server", "suspend": "suspend_server",
               "resume": "resume_server"}

    def server_action(self, call: Call, sid: str, **_):
        body = call.json(_bad)
        if len(body) != 1:
            raise _bad("Malformed request body")
        action = next(iter(body))
        method = self.ACTIONS.get(action)
        if method is None:
            raise _bad(f"There is no such action: {action}")
        try:
            getattr(self.model, method)(sid)
        except Conflict:
            inst = self.model.get("server", sid)
            raise HttpError(409, _fault(409, f"Cannot '{action}' instance {sid} while it is in vm_state "
                                             f"{inst.vm_state}")) from None
        return 202, None

    # ---------------------------------------------------------------- flavors, images, quotas
    def flavors(self, call: Call, detail=None, **_):
        fl = list(self.model.flavors.values())
        if detail:
            return 200, {"flavors": [views.flavor(f, self.base) for f in fl]}
        return 200, {"flavors": [{"id": f.id, "name": f.name, "links": views._links(self.base, "flavors", f.id)}
                                 for f in fl]}

    def flavor(self, call: Call, fid: str, **_):
        f = self.model.flavors.get(fid)
        if f is None:
            raise HttpError(404, _fault(404, f"Flavor {fid} could not be found."))
        return 200, {"flavor": views.flavor(f, self.base)}

    def images(self, call: Call, detail=None, **_):
        return 200, {"images": [views.image(i, self.base) for i in self.model.images.values()]}

    def image(self, call: Call, iid: str, **_):
        i = self.model.images.get(iid)
        if i is None:
            raise HttpError(404, _fault(404, "Image not found."))
        return 200, {"image": views.image(i, self.base)}

    def quota_set(self, call: Call, pid: str, detail=None, **_):
        used = [i for i in self.model.instances.values() if i.project_id == pid]
        limits = {"cores": 20, "instances": 10, "ram": 51200, "key_pairs": 100, "metadata_items": 128,
                  "server_groups": 10, "server_group_members": 10}
        if detail:
            fl = self.model.flavors
            in_use = {"cores": sum(fl[i.flavor_id].vcpus for i in used if i.flavor_id in fl),
                      "instances": len(used), "ram": sum(fl[i.flavor_id].ram for i in used if i.flavor_id in fl)}
            qs = {k: {"limit": v, "in_use": in_use.get(k, 0), "reserved": 0} for k, v in limits.items()}
        else:
            qs = dict(limits)
        return 200, {"quota_set": {"id": pid, **qs}}

    def limits(self, call: Call, **_):
        return 200, {"limits": {"rate": [], "absolute": {"maxTotalCores": 20, "maxTotalInstances": 10,
                                                         "maxTotalRAMSize": 51200}}}


__all__ = ["Nova", "ModelError"]
