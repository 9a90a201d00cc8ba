"""Bonds of a host (vim-contract §4.5.7); members found earlier are flagged as EtherChannel."""

from __future__ import annotations

from scan.fetchers.base import host_of, host_types
from scan.fetchers.cli.host_pnics import ROLES, pnic_id
from scan.fetchers.host_commands import BONDS
from scan.parsers.host import bond_names, bonding
from scan.parsers.ip import link_state


def _pnics_by_host(ctx) -> dict[str, dict[str, dict]]:
    """Every host's NICs by name, made once when the first bond is asked for: the engine places every host's NICs
    before any bond (`after`). Each host passing over every NIC of the cloud was 8 s of a 10,000-host scan."""
    by_host: dict[str, dict[str, dict]] = {}
    for p in ctx.found.of_type("host_pnic"):
        by_host.setdefault(p.get("host"), {})[p["name"]] = p
    return by_host


class CliFetchBondHostPnics:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not ROLES & set(host_types(ctx, host)):
            return []
        names = bond_names(ctx.cli.run(host, BONDS, ok_status=(0, 1, 2)))
        if not names:
            return []
        pnics = ctx.memo.once(("host_pnics by host",), lambda: _pnics_by_host(ctx)).get(host, {})
        out = []
        for bond in names:
            info = bonding(ctx.cli.run(host, ("cat", f"/proc/net/bonding/{bond}")))
            link, mac = link_state(ctx.cli.run(host, ("ip", "link", "show", bond)))
            bond_id = pnic_id(host, bond, mac)
            members = []
            for name, m in info.pop("members").items():
                member = dict(m)
                p = pnics.get(name)
                if p:
                    member.update({"id": p["id"], "mac_address": p.get("mac_address")})
                    ctx.found.update(p, {"EtherChannel": True, "EtherChannel Master": bond_id})
                members.append(member)
            doc = {"id": bond_id, "name": bond, "local_name": bond, "host": host, "mac_address": mac,
                   "Link detected": link, "EtherChannel": True, "members": members}
            doc.update({k: v for k, v in info.items() if k not in doc})
            out.append(doc)
        return out
