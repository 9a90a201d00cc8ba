"""Where a one-object rescan starts (spec §6.7): the object's scanning parent, then that entry only."""

from __future__ import annotations

from app.errors import CalipsoError
from app.inventory import Inventory
from app.paths import root as env_root
from scan.engine import Task
from scan.fetchers.base import ScanContext
from scan.hierarchy import Hierarchy


class ScanFailed(CalipsoError):
    """A scan that cannot go on: nothing more is fetched or written (exit code 1)."""

    exit_code = 1


def start_tasks(o, inv: Inventory, ctx: ScanContext, hierarchy: Hierarchy) -> list[Task]:
    """The tasks of a partial scan by `o` (ScanOptions). The stored inventory is loaded into `ctx.found`
    first, so fetchers find the parents and neighbours a full scan would have found."""
    for d in inv.live(o.env):
        d.pop("_id", None)
        ctx.found.add(d)
    obj_type, parent_id, parent_type = o.object_type, o.parent_id, o.parent_type
    if o.object_id:
        obj = inv.get(o.env, o.object_id, obj_type or None)
        if obj is None and not (parent_id and obj_type):
            raise ScanFailed(f"object {o.object_id!r} is not in the inventory of {o.env}; "
                             "give its type and parent (-t, -p, -a) to scan it anyway")
        if obj is not None:
            obj_type = obj_type or obj["type"]
            sp = obj.get("_scan_parent") or [obj.get("parent_type"), obj.get("parent_id")]
            parent_type, parent_id = parent_type or sp[0], parent_id or sp[1]
    if not obj_type:
        raise ScanFailed("a partial scan needs an object id (-i) or type (-t)")
    if parent_type in (None, "", "environment") or parent_id in (None, "", o.env):
        parent = env_root(o.env)
    else:
        parent = ctx.found.get(parent_id, parent_type) or inv.get(o.env, parent_id, parent_type)
        if parent is None:
            raise ScanFailed(f"parent {parent_type} {parent_id!r} of the object is not in the inventory")
        parent.pop("_id", None)
    scanners = hierarchy.scanner_for(parent["type"], obj_type)
    if not scanners:
        raise ScanFailed(f"nothing fetches a {obj_type} under a {parent['type']}")
    return [Task(s, parent, only_id=o.object_id or None, only_type=obj_type) for s in scanners]
