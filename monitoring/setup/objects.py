"""Checks of objects watched on their own host: OTEP tunnels, vEdges, pNICs, vConnectors, vServices,
instances (spec §4.5; the V2 instance check is the VM's libvirt state)."""

from __future__ import annotations

from typing import Iterator

from monitoring.ids import encode_id
from monitoring.setup.context import Check, SetupContext

TUNNEL_TYPES = ("vxlan", "gre", "geneve")


def otep(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    if not ctx.has("otep"):
        return
    for port in obj.get("ports") or []:
        opts = port.get("options") or {}
        if port.get("type") not in TUNNEL_TYPES or not opts.get("remote_ip"):
            continue
        yield Check(obj["host"], "otep", {"objid": encode_id(obj["id"]), "portid": encode_id(port["name"]),
                                          "otep_src_ip": opts.get("local_ip") or obj.get("ip_address"),
                                          "otep_dest_ip": opts["remote_ip"]})


def vedge(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    check_type = "vedge_vpp" if ctx.vpp else "vedge_ovs"
    if ctx.has(check_type):
        yield Check(obj["host"], check_type, {"objid": encode_id(obj["id"])})


def host_pnic(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    check_type = "host_pnic_vpp" if ctx.vpp else "host_pnic_ovs"
    if ctx.has(check_type):
        yield Check(obj["host"], check_type, {"objid": encode_id(obj["id"]),
                                              "local_name": obj.get("local_name") or obj["name"]})


def vconnector(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    if ctx.has("vconnector_ovs"):
        yield Check(obj["host"], "vconnector_ovs", {"objid": encode_id(obj["id"]), "name": obj.get("name"),
                                                    "bridge": obj.get("bridge_name") or obj.get("name")})


def vservice(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    if ctx.has("vservice") and obj.get("local_service_id"):
        yield Check(obj["host"], "vservice", {"objid": encode_id(obj["id"]),
                                              "service_type": obj.get("service_type") or "unknown",
                                              "local_service_id": obj["local_service_id"]})


def instance(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    if ctx.has("instance_vm") and obj.get("local_name"):
        yield Check(obj["host"], "instance_vm", {"objid": encode_id(obj["id"]), "local_name": obj["local_name"],
                                                 "instance_name": obj.get("name") or obj["local_name"]})
