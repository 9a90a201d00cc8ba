"""APIC helpers: dn encoding in ids, and switch objects (vim-contract §5.3)."""

from __future__ import annotations

import re

from scan.access.aci import unwrap
from scan.fetchers.base import folder

SWITCH_PATH = re.compile(r"^topology/(pod-\d+/node-\d+)/")


def encode(dn_part: str) -> str:
    return dn_part.replace("/", "__")


def switch_doc(ctx, switch_path: str) -> dict | None:
    def load():
        systems = unwrap(ctx.aci.get(f"mo/topology/{switch_path}/sys.json"), "topSystem")
        return systems[0] if systems else None
    sys_attrs = ctx.memo.once(("aci-switch", switch_path), load)
    if not sys_attrs:
        return None
    role = sys_attrs.get("role", "")
    sid = f"switch-{encode(switch_path)}-{role}"
    return {"_as_type": "switch", "id": sid, "name": sys_attrs.get("name") or sid, "switch": sid,
            "role": role, "ip_address": sys_attrs.get("address"), "aci_document": sys_attrs,
            "_folder": folder(ctx.name, "environment", f"{ctx.name}-switches", "switches_folder", "Switches")}
