"""vnic-vconnector and vconnector-host_pnic (spec §4.4); the vConnector learns its network."""

from __future__ import annotations

from scan.links.base import LinkIndex, net_attrs, real_name


class FindLinksForVconnectors:
    def find(self, idx: LinkIndex) -> None:
        for vc in idx.of_type("vconnector"):
            host = vc.get("host")
            vnics_by_mac = {}
            for v in idx.on_host(host, "vnic"):
                if v.get("mac_address"):
                    vnics_by_mac.setdefault(v["mac_address"].lower(), v)
            pnics = {real_name(p): p for p in idx.on_host(host, "host_pnic")}
            svc_vnics = {v["name"][3:]: v for v in idx.on_host(host, "vnic")
                         if v.get("vnic_type") == "vservice_vnic" and len(v.get("name", "")) > 3}
            macs = {i.get("name"): (i.get("mac_address") or "").lower() for i in vc.get("interfaces") or []
                    if isinstance(i, dict)}
            uplinks = []
            for name in vc.get("interfaces_names") or []:
                vnic = idx.get("vnic", f"{host}-{name}")
                if vnic is None and name.startswith("tap"):   # namespace side named ns-/qr-/qg-<port>
                    vnic = svc_vnics.get(name[3:])
                if vnic is None and macs.get(name) and "VPP" in (idx.env.get("mechanism_drivers") or []):
                    vnic = vnics_by_mac.get(macs[name])
                if vnic is not None and vnic.get("absent"):   # a stopped server's tap is not on the host
                    continue
                if vnic is not None:
                    attrs = net_attrs(vnic)
                    if attrs:
                        idx.annotate(vc, "network", attrs["network"])
                    idx.link(vnic, vc, link_name=vnic.get("mac_address"), host=vnic.get("host"), attributes=attrs)
                    continue
                pnic = pnics.get(name.split(".")[0])
                if pnic is not None:
                    uplinks.append(pnic)
            for pnic in uplinks:   # after the vNICs: the bridge knows its network by then (LXB)
                idx.link(vc, pnic, link_name=pnic.get("name"), host=host, attributes=net_attrs(vc))
