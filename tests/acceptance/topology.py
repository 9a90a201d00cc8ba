"""The acceptance topology, made through openstacksdk as an operator would, colliding with nothing already there.

Every name starts with this run's prefix (`acc-<6 hex>-`); every subnet takes a /24 that overlaps no existing
subnet; the VLAN network (Open vSwitch only) takes a segment no network uses; an external network already
there is reused (a flat physical network takes one network only), else one is made. On top: two tenant
networks on a router, a twin of the first (same CIDR, isolated), servers on one or two NICs, on each compute
host, one stopped, and a floating IP. Earlier runs' leftovers (the `acc-` prefix) are removed first.
"""

from __future__ import annotations

import ipaddress
import time
import uuid
from collections.abc import Iterable

PREFIX = "acc-"
POOL = "10.0.0.0/8"
EXTERNAL_POOL = "172.16.0.0/12"
VLAN_RANGE = (100, 200)            # the bed's physnet1:100:200


def run_prefix() -> str:
    return f"{PREFIX}{uuid.uuid4().hex[:6]}-"


def free_cidrs(taken: Iterable[str], count: int, pool: str = POOL, prefix: int = 24) -> list[str]:
    """`count` subnets of the pool overlapping none of `taken` (nor each other), lowest first."""
    used = [ipaddress.ip_network(c, strict=False) for c in taken]
    out = []
    for net in ipaddress.ip_network(pool).subnets(new_prefix=prefix):
        if not any(net.overlaps(u) for u in used):
            out.append(str(net))
            used.append(net)
            if len(out) == count:
                return out
    raise RuntimeError(f"no {count} free /{prefix} in {pool}: {len(out)} found")


def free_segment(taken: Iterable[int | None], lo: int = VLAN_RANGE[0], hi: int = VLAN_RANGE[1]) -> int:
    used = {t for t in taken if t is not None}
    for seg in range(lo, hi + 1):
        if seg not in used:
            return seg
    raise RuntimeError(f"every VLAN segment {lo}-{hi} is in use")


def plan(prefix: str, driver: str, hosts: list[str]) -> list[dict]:
    """The servers: name, networks (topology keys), host, and whether it is stopped afterwards."""
    first = hosts[0]
    servers = [{"name": f"{prefix}a1", "nets": ["a"], "host": first},
               {"name": f"{prefix}ab", "nets": ["a", "b"], "host": first},
               {"name": f"{prefix}t1", "nets": ["twin"], "host": first},
               {"name": f"{prefix}stopped", "nets": ["a"], "host": first, "stop": True}]
    if driver == "ovs":
        servers.append({"name": f"{prefix}v1", "nets": ["vlan"], "host": first})
    for other in hosts[1:]:
        servers += [{"name": f"{prefix}a2", "nets": ["a"], "host": other},
                    {"name": f"{prefix}b2", "nets": ["b"], "host": other}]
        if driver == "ovs":
            servers.append({"name": f"{prefix}v2", "nets": ["vlan"], "host": other})
    return servers


def build(sdk, prefix: str, driver: str, hosts: list[str], log) -> dict:
    """Make the topology; returns its parts (networks by key, router, servers by name, floating IP)."""
    taken = [s.cidr for s in sdk.network.subnets()]
    a_cidr, b_cidr, v_cidr = free_cidrs(taken, 3)
    nets = {}

    def network(key: str, cidr: str | None, **kw):
        net = sdk.network.create_network(name=f"{prefix}{key}", **kw)
        if cidr:
            sdk.network.create_subnet(network_id=net.id, cidr=cidr, ip_version=4, name=f"{prefix}{key}-sub")
        nets[key] = net
        return net

    network("a", a_cidr)
    network("b", b_cidr)
    network("twin", a_cidr)                          # the same CIDR again, as projects number alike
    if driver == "ovs":
        seg = free_segment(n.provider_segmentation_id for n in sdk.network.networks()
                           if n.provider_network_type == "vlan" and n.provider_physical_network == "physnet1")
        network("vlan", v_cidr, provider_network_type="vlan", provider_physical_network="physnet1",
                provider_segmentation_id=seg)
    ext = next((n for n in sdk.network.networks() if n.is_router_external), None)
    if ext is None:
        ext = network("ext", None, is_router_external=True, provider_network_type="flat",
                      provider_physical_network="external")
        sdk.network.create_subnet(network_id=ext.id, cidr=free_cidrs(taken + [a_cidr, b_cidr, v_cidr], 1,
                                  EXTERNAL_POOL)[0], ip_version=4, is_dhcp_enabled=False, name=f"{prefix}ext-sub")
    else:
        log(f"reusing the external network {ext.name} ({ext.id})")
    nets.setdefault("ext", ext)
    router = sdk.network.create_router(name=f"{prefix}router", external_gateway_info={"network_id": ext.id})
    for key in ("a", "b"):
        sub = next(iter(sdk.network.subnets(network_id=nets[key].id)))
        sdk.network.add_interface_to_router(router, subnet_id=sub.id)
    image, flavor = _image(sdk, prefix), sdk.compute.create_flavor(name=f"{prefix}tiny", ram=64, vcpus=1, disk=1)
    servers = {}
    for s in plan(prefix, driver, hosts):
        log(f"booting {s['name']} on {', '.join(s['nets'])} ({s['host']})")
        servers[s["name"]] = sdk.compute.create_server(
            name=s["name"], flavor_id=flavor.id, image_id=image.id, availability_zone=f"nova:{s['host']}",
            networks=[{"uuid": nets[k].id} for k in s["nets"]])
    for s in plan(prefix, driver, hosts):
        servers[s["name"]] = sdk.compute.wait_for_server(servers[s["name"]], wait=600, interval=3)
        if s.get("stop"):
            sdk.compute.stop_server(servers[s["name"]])
            servers[s["name"]] = sdk.compute.wait_for_server(servers[s["name"]], status="SHUTOFF", wait=300, interval=3)
    return {"networks": nets, "router": router, "servers": servers, "external": ext}


def _image(sdk, prefix: str):
    image = sdk.image.create_image(name=f"{prefix}blank", disk_format="raw", container_format="bare",
                                   data=b"\0" * 1048576, visibility="public")
    deadline = time.monotonic() + 120
    while sdk.image.get_image(image.id).status != "active" and time.monotonic() < deadline:
        time.sleep(1)
    return image


def teardown(sdk, log, prefix: str = PREFIX) -> None:
    """Remove what runs made (everything named with `prefix`), servers first, networks last."""
    doomed = [s for s in sdk.compute.servers(all_projects=True) if s.name.startswith(prefix)]
    for s in doomed:                 # all deletions asked at once, then waited for
        sdk.compute.delete_server(s)
    for s in doomed:
        sdk.compute.wait_for_delete(s, wait=300)
    for ip in sdk.network.ips():
        if (ip.description or "").startswith(prefix):
            sdk.network.delete_ip(ip)
    for r in sdk.network.routers():
        if r.name.startswith(prefix):
            for p in sdk.network.ports(device_id=r.id, device_owner="network:router_interface"):
                sdk.network.remove_interface_from_router(r, port_id=p.id)
            sdk.network.delete_router(r)
    for n in sdk.network.networks():
        if n.name.startswith(prefix):
            for p in sdk.network.ports(network_id=n.id):
                if not p.device_owner.startswith("network:"):
                    sdk.network.delete_port(p)
            sdk.network.delete_network(n)
    for f in sdk.compute.flavors():
        if f.name.startswith(prefix):
            sdk.compute.delete_flavor(f)
    for i in sdk.image.images():
        if i.name.startswith(prefix):
            sdk.image.delete_image(i)
    log(f"removed what earlier runs left ({prefix}*)")
