"""The original scan.py options (spec §6.8), shared by `calipso scan` and `python3 scan/scan.py`,
and how a scan request document maps onto them (spec §7.2)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from app.errors import CalipsoError
from scan.cliques import DEFAULT_MAX_NODES


@dataclass
class ScanOptions:
    env: str
    inventory: str = "inventory"
    object_type: str = ""
    object_id: str = ""
    parent_id: str = ""
    parent_type: str = ""
    id_field: str = "id"
    scan_self: bool = False
    inventory_only: bool = False
    links_only: bool = False
    cliques_only: bool = False
    clear: bool = False
    implicit_links: bool = False
    max_calls: int = 32
    per_host: int = 4
    max_clique_nodes: int = DEFAULT_MAX_NODES
    serial: bool = False
    origin_type: str = "manual scan"
    monitoring_setup_only: bool = False
    distributed: bool = False      # the hosts' subtrees scanned by `calipso scan-worker`s (scan.distributed)

    def __post_init__(self):
        if sum([self.inventory_only, self.links_only, self.cliques_only, self.monitoring_setup_only]) > 1:
            raise CalipsoError("choose at most one of --inventory_only, --links_only, --cliques_only, "
                               "--monitoring_setup_only")
        if self.distributed and (self.partial or not (self.run_all or self.inventory_only)):
            raise CalipsoError("--distributed spreads the inventory of a whole environment over scan workers: "
                               "it goes with a full or --inventory_only scan, not with -i/-t or the other *_only options")

    @property
    def run_all(self) -> bool:
        return not (self.inventory_only or self.links_only or self.cliques_only or self.monitoring_setup_only)

    @property
    def partial(self) -> bool:
        return bool(self.object_id) or (bool(self.object_type) and self.object_type != "environment")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() and int(value) > 0 else default


def add_scan_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-e", "--env", default="", help="environment name")
    p.add_argument("-t", "--type", default="", help="type of the object to scan (default: the whole environment)")
    p.add_argument("-y", "--inventory", default="inventory", help="inventory collection name (default inventory)")
    p.add_argument("-s", "--scan_self", action="store_true", help="scan a specific object (with -i)")
    p.add_argument("-i", "--id", default="", help="id of the object to scan")
    p.add_argument("-p", "--parent_id", default="", help="parent id of the object (when it is not stored yet)")
    p.add_argument("-a", "--parent_type", default="", help="parent type of the object")
    p.add_argument("-f", "--id_field", default="id", help="accepted for compatibility; fetchers get the whole parent")
    only = p.add_mutually_exclusive_group()
    only.add_argument("--inventory_only", action="store_true", help="only the inventory phase")
    only.add_argument("--links_only", action="store_true", help="only the links phase")
    only.add_argument("--cliques_only", action="store_true", help="only the cliques phase")
    only.add_argument("--monitoring_setup_only", action="store_true",
                      help="no discovery: generate the Sensu configuration from the stored inventory and provision it")
    p.add_argument("--clear", action="store_true",
                   help="delete this environment's data first (after the environment checked out)")
    p.add_argument("--implicit_links", action="store_true", help="also compute implicit links")
    p.add_argument("--max-calls", type=int, default=_env_int("CALIPSO_SCAN_MAX_CALLS", 32), metavar="N",
                   help="remote calls in flight at once (default 32, env CALIPSO_SCAN_MAX_CALLS)")
    p.add_argument("--per-host", type=int, default=_env_int("CALIPSO_SCAN_PER_HOST", 4), metavar="N",
                   help="remote calls in flight per host (default 4, env CALIPSO_SCAN_PER_HOST)")
    p.add_argument("--distributed", action="store_true",
                   help="spread the hosts over the running 'calipso scan-worker's (RabbitMQ for work, the store for results)")
    p.add_argument("--broker", default=None, metavar="URL",
                   help="the broker of scan work (default $CALIPSO_BROKER_URL, else amqp://guest:guest@127.0.0.1:5672//)")
    p.add_argument("--work-queue", default=None, metavar="NAME",
                   help="the queue scan workers consume (default $CALIPSO_WORK_QUEUE, else calipso-scan-work)")
    p.add_argument("--max-clique-nodes", type=int, default=_env_int("CALIPSO_MAX_CLIQUE_NODES", DEFAULT_MAX_NODES),
                   metavar="N", help=f"cut a clique at N nodes (default {DEFAULT_MAX_NODES})")


def options_from_args(args) -> ScanOptions:
    return ScanOptions(env=args.env, inventory=args.inventory, object_type=args.type, object_id=args.id,
                       parent_id=args.parent_id, parent_type=args.parent_type, id_field=args.id_field,
                       scan_self=args.scan_self, inventory_only=args.inventory_only, links_only=args.links_only,
                       cliques_only=args.cliques_only, monitoring_setup_only=args.monitoring_setup_only,
                       clear=args.clear, implicit_links=args.implicit_links,
                       max_calls=args.max_calls, per_host=args.per_host, max_clique_nodes=args.max_clique_nodes,
                       distributed=args.distributed)


def options_from_request(req: dict, **defaults) -> ScanOptions:
    """A `scans` document as scan options (the original copied only truthy values)."""
    return ScanOptions(env=req["environment"], inventory=req.get("inventory") or "inventory",
                       object_id=str(req.get("object_id") or ""),
                       inventory_only=bool(req.get("scan_only_inventory")), links_only=bool(req.get("scan_only_links")),
                       cliques_only=bool(req.get("scan_only_cliques")), clear=bool(req.get("clear")),
                       monitoring_setup_only=bool(req.get("monitoring_setup_only")),
                       implicit_links=bool(req.get("implicit_links")), distributed=bool(req.get("distributed")),
                       origin_type="scheduled scan" if (req.get("interval") or req.get("origin") == "scheduled scan")
                       else "manual scan", **defaults)
