"""vNICs of an instance on VPP (vhost-user interfaces): `<instance name>-<type>-<mac>`."""

from __future__ import annotations

from scan.fetchers.cli.instance_vnics import instance_vnics


def _vpp_vnic(instance: dict, iface: dict) -> dict:
    mac = ((iface.get("mac") or {}).get("@address") or "").lower()
    name = f"{instance.get('name') or instance['id']}-{iface.get('@type')}-{mac}"
    doc = dict(iface)
    doc.update({"id": f"{instance['host']}-{name}", "name": name, "host": instance["host"],
                "vnic_type": "instance_vnic", "instance_id": instance["id"], "mac_address": mac,
                "source_path": (iface.get("source") or {}).get("@path")})
    return doc


class CliFetchInstanceVnicsVpp:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        return instance_vnics(ctx, parent, _vpp_vnic)
