"""vnic-vedge, vconnector-vedge and vedge-host_pnic (spec §4.4).

A vEdge port named like a vNIC of its host is that vNIC's port; Zed's DHCP ports, whose
namespace side is `ns-<port>` while OVS holds `tap<port>`, are matched by the port-id part
of the name. Hybrid-plugged instance ports (`qvo<port>`) meet their `qvb<port>` in a bridge.
"""

from __future__ import annotations

from scan.links.base import LinkIndex, net_attrs, pnic_state, real_name


class FindLinksForVedges:
    def find(self, idx: LinkIndex) -> None:
        vpp = "VPP" in (idx.env.get("mechanism_drivers") or [])
        for vedge in idx.of_type("vedge"):
            host = vedge.get("host")
            ports = vedge.get("ports") or []
            if isinstance(ports, dict):
                ports = list(ports.values())
            svc_vnics = {v["name"][3:]: v for v in idx.on_host(host, "vnic")
                         if v.get("vnic_type") == "vservice_vnic" and len(v.get("name", "")) > 3}
            by_iface = {}
            for vc in idx.on_host(host, "vconnector"):
                for n in vc.get("interfaces_names") or []:
                    by_iface.setdefault(n, vc)
            pnics = {real_name(p): p for p in idx.on_host(host, "host_pnic")}
            by_mac = {(v.get("mac_address") or "").lower(): v for v in idx.on_host(host, "vnic")}
            for p in ports:
                pname, pid, tag = p.get("name", ""), str(p.get("id", "")), p.get("tag")
                for vf in p.get("VFs") or []:   # SR-IOV: a VF carrying a vNIC's MAC
                    vnic = by_mac.get((vf.get("mac_address") or "").lower())
                    if vnic is not None and vf.get("mac_address") != "00:00:00:00:00:00":
                        idx.link(vnic, vedge, link_name=f"{vnic.get('name')}-{vedge.get('name')}", host=host,
                                 attributes={"source_label": vnic.get("mac_address") or "",
                                             "target_label": f"port_{pid}-vlan_{vf.get('vlan')}-vf_{vf.get('vf')}",
                                             **net_attrs(vnic)})
                suffix = f"-{tag}" if tag else ""
                vnic = idx.get("vnic", f"{host}-{pname}")
                if vnic is None and pname.startswith("tap"):
                    vnic = svc_vnics.get(pname[3:])
                if vnic is not None and vnic.get("absent"):   # a stopped server's tap is not on the host
                    continue
                if vnic is not None:
                    idx.link(vnic, vedge, link_name=f"{vnic.get('name')}-{vedge.get('name')}{suffix}", host=host,
                             attributes={"source_label": vnic.get("mac_address") or "", "target_label": pid,
                                         **net_attrs(vnic)})
                    continue
                iface = pname if vpp else (f"qvb{pname[3:]}" if pname.startswith("qv") else None)
                vc = by_iface.get(iface) if iface else None
                if vc is not None:
                    mac = next((i.get("mac_address") for i in vc.get("interfaces") or []
                                if isinstance(i, dict) and i.get("name") == iface), None)
                    idx.link(vc, vedge, link_name=f"port-{pid}{suffix}", host=host,
                             attributes={"mac_address": mac or "Unknown", "source_label": iface,
                                         "target_label": pname, **net_attrs(vc)})
                    continue
                if vedge.get("pnic") and pname != vedge["pnic"]:
                    continue
                pnic = pnics.get(pname)
                if pnic is not None:
                    idx.link(vedge, pnic, link_name=f"Port-{pid}", host=host, state=pnic_state(pnic))
