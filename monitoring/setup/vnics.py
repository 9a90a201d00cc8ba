"""Checks of vNICs: on VPP the interface state on its host; on OVS/LXB an instance vNIC is seen in the
ARP table of its network's DHCP namespace (on the DHCP host); and the vNIC-vConnector link."""

from __future__ import annotations

from typing import Iterator

from monitoring.ids import encode_id
from monitoring.setup.context import Check, SetupContext


def vnic(obj: dict, ctx: SetupContext) -> Iterator[Check]:
    if ctx.has("vnic"):   # VPP
        yield Check(obj["host"], "vnic", {"objid": encode_id(obj["id"]), "vnictype": obj.get("vnic_type") or "",
                                          "local_name": obj.get("name") or obj["id"]})
        return
    if not ctx.has("instance_vnic") or obj.get("vnic_type") != "instance_vnic" or not obj.get("mac_address"):
        return
    network = obj.get("network")
    dhcp = ctx.dhcp_of_network(network[0] if isinstance(network, list) and network else network)
    if dhcp is None or not dhcp.get("host"):
        return
    yield Check(dhcp["host"], "instance_vnic", {"objid": encode_id(obj["id"]),
                                                "local_service_id": dhcp["local_service_id"],
                                                "mac_address": obj["mac_address"]})


def link_vnic_vconnector(link: dict, ctx: SetupContext) -> Iterator[Check]:
    if not ctx.has("link_vnic-vconnector"):
        return
    vnic_doc = ctx.get("vnic", link["source_id"])
    vconn = ctx.get("vconnector", link["target_id"])
    if vnic_doc is None or vconn is None or not vnic_doc.get("mac_address"):
        return
    yield Check(link.get("host") or vconn["host"], "link_vnic-vconnector",
                {"linktype": link["link_type"], "fromobjid": encode_id(link["source_id"]),
                 "toobjid": encode_id(link["target_id"]),
                 "bridge": vconn.get("bridge_name") or vconn.get("name"), "mac_address": vnic_doc["mac_address"]})
