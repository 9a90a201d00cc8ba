"""VPP bridge domains as vConnectors (`vppctl show mode` + `show hardware-interfaces`)."""

from __future__ import annotations

from scan.fetchers.base import host_of, host_types
from scan.fetchers.host_commands import VPP_HARDWARE, VPP_MODE
from scan.parsers.vpp import hardware_interfaces, show_mode


class CliFetchVconnectorsVpp:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not {"Network", "Compute"} & set(host_types(ctx, host)):
            return []
        hw = hardware_interfaces(ctx.cli.run(host, VPP_HARDWARE))
        domains: dict[str, list[str]] = {}
        for m in show_mode(ctx.cli.run(host, VPP_MODE)):
            domains.setdefault(m["bd_id"], []).append(m["interface"])
        out = []
        for bd, names in domains.items():
            out.append({"id": f"{host}-vconnector-{bd}", "name": f"bridge-domain-{bd}",
                        "object_name": f"{host}-VPP-bridge-domain-{bd}", "host": host, "bd_id": bd,
                        "interfaces_names": names,
                        "interfaces": [{"name": n, **{k: v for k, v in (hw.get(n.split(".")[0]) or {}).items()
                                                      if k != "name"}} for n in names]})
        return out
