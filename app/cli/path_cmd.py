"""`calipso path -e ENV SOURCE TARGET [--format text|json|graphml|dot|drawio]`: how one object reaches another."""

from __future__ import annotations

import json
import sys

from app.envconfig.repository import EnvironmentConfigs
from app.errors import CalipsoError
from app.plain import plain
from app.store.opening import open_store
from app.topology.export import FORMATS, from_path, render as render_file
from app.topology.ends import UnknownObject
from app.topology.neighbours import path_between

HELP = ("the chain of links a packet could take between two objects (inside one network, across routers), "
        "hop by hop, with networks, segments and statuses")


def add_parser(sub, common) -> None:
    p = sub.add_parser("path", parents=[common], help=HELP, description=HELP)
    p.add_argument("-e", "--env", required=True, help="environment name")
    p.add_argument("source", help="inventory id or name of the first object (instance, vNIC, port, host, pNIC, "
                                  "switch port...); a name that several objects share is refused, with them listed")
    p.add_argument("target", help="inventory id or name of the second object")
    p.add_argument("--format", choices=("text", *FORMATS), default="text",
                   help="text (default), json, or a file for yEd (graphml), Graphviz (dot) or draw.io (drawio)")
    p.set_defaults(run=run)


def _obj(n: dict) -> str:
    where = f" on {n['host']}" if n.get("host") else ""
    status = f" [{n['status']}]" if n.get("status") else ""
    return f"{n.get('type')} {n.get('name')}{where}{status}" + (" (stale)" if n.get("stale") else "")


def render(out: dict) -> str:
    head = f"{out['environment']}: {_obj(out['source'])} -> {_obj(out['target'])}"
    if not out["found"]:
        lines = [head, "no path: " + out.get("reason", "the two sides never meet")]
        for side, stop in zip(("source", "target"), out["stops"]):
            lines.append(f"  from the {side}: {stop['reached']} objects reached; it stops at "
                         + (", ".join(_obj(n) for n in stop["farthest"]) or "itself (no links)"))
        return "\n".join(lines)
    lines = [head, f"{len(out['hops'])} hops, worst status {out['worst_status'] or 'none (not monitored)'}",
             f"   {_obj(out['nodes'][0])}"]
    for hop, node in zip(out["hops"], out["nodes"][1:]):
        via = hop["link_type"] + (f" '{hop['link_name']}'" if hop.get("link_name") else "")
        if hop.get("segment"):
            via += " (" + (f"{hop['network']}, " if hop.get("network") else "") + f"{hop['segment']})"
        status = f" [{hop['status']}]" if hop.get("status") else ""
        lines.append(f"   --{via}{status}--> {_obj(node)}")
    lines += [f"note: {n}" for n in out.get("notes", [])]
    return "\n".join(lines)


def run(args) -> int:
    store = open_store(args.mongo_config)
    env = EnvironmentConfigs(store).get(args.env)["name"]   # an unknown environment lists the known ones
    try:
        out = path_between(store, env, args.source, args.target)
    except UnknownObject as e:
        raise CalipsoError(f"{e.which}: {e}") from None
    if args.format == "text":
        print(render(out))
    elif args.format == "json":
        print(json.dumps(plain(out), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_file(from_path(out), args.format))
    return 0 if out["found"] else 1
