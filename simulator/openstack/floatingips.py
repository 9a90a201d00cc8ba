"""Neutron's floating IPs (`/v2.0/floatingips`), served by the Neutron facade (simulator.model.floating)."""

from __future__ import annotations

from simulator.model import floating
from simulator.openstack.http import Call, HttpError

UUID = r"[0-9a-f-]{36}"


def routes(neutron) -> list[tuple]:
    """The routes to add to the Neutron service `neutron` (its model, region, release and helpers)."""
    model = neutron.model

    def bad(message: str) -> HttpError:
        return HttpError(400, {"NeutronError": {"type": "HTTPBadRequest", "message": message, "detail": ""}})

    def show(fip) -> dict:
        return floating.view(model, fip, neutron.release)

    def listing(call: Call, **_):
        docs = [show(f) for f in model.floating_ips.values() if f.region == neutron.region]
        return 200, {"floatingips": [d for d in docs if neutron._matches(d, call.params)]}

    def one(call: Call, ident: str):
        return 200, {"floatingip": show(floating._get(model, ident))}

    def create(call: Call):
        spec = neutron._body(call, "floatingip")
        if not spec.get("floating_network_id"):
            raise bad("Failed to parse request. Required attribute 'floating_network_id' not specified")
        fip = model.create_floating_ip(spec["floating_network_id"], port_id=spec.get("port_id"),
                                       fixed_ip_address=spec.get("fixed_ip_address"),
                                       project_id=neutron._project(call, spec),
                                       floating_ip_address=spec.get("floating_ip_address"),
                                       description=str(spec.get("description", "")))
        return 201, {"floatingip": show(fip)}

    def update(call: Call, ident: str):
        fip = model.update_floating_ip(ident, **neutron._body(call, "floatingip"))
        return 200, {"floatingip": show(fip)}

    def delete(call: Call, ident: str):
        model.delete_floating_ip(ident)
        return 204, None

    return [("GET", r"/v2.0/floatingips", listing), ("POST", r"/v2.0/floatingips", create),
            ("GET", rf"/v2.0/floatingips/(?P<ident>{UUID})", one),
            ("PUT", rf"/v2.0/floatingips/(?P<ident>{UUID})", update),
            ("DELETE", rf"/v2.0/floatingips/(?P<ident>{UUID})", delete)]
