"""`calipso diff -e ENV --from SCAN|TIME [--to SCAN|TIME] [--type T] [--id-path P]`: what changed."""

from __future__ import annotations

import json

from app.changediff import DEFAULT_LIMIT, diff
from app.changelog import ChangeLog
from app.envconfig.repository import EnvironmentConfigs
from app.store.opening import open_store

HELP = "objects and links added, removed and changed between two scans or times (from the change log)"


def add_parser(sub, common) -> None:
    p = sub.add_parser("diff", parents=[common], help=HELP, description=HELP)
    p.add_argument("-e", "--env", required=True, help="environment name")
    p.add_argument("--from", dest="start", required=True, metavar="SCAN|TIME",
                   help="scan id, or ISO 8601 time (e.g. 2026-05-01T10:00:00Z): the state right after it")
    p.add_argument("--to", dest="end", metavar="SCAN|TIME", help="scan id or ISO 8601 time (default: now)")
    p.add_argument("--type", action="append", default=[], help="only this object or link type (repeatable)")
    p.add_argument("--id-path", help="only objects under this id_path, and links with an end under it")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="most rows per list (counts stay complete)")
    p.add_argument("--format", choices=("text", "json", "graphml", "dot", "drawio"), default="text",
                   help="text (default), json, or a file for yEd (graphml), Graphviz (dot) or draw.io (drawio)")
    p.set_defaults(run=run)


def _name(r: dict) -> str:
    if "link_type" in r:
        return f"{r['link_type']} {r.get('source_id')} -> {r.get('target_id')}"
    return f"{r.get('type')} {r.get('id')}" + (f" ({r['name']})" if r.get("name") and r["name"] != r.get("id") else "")


def _short(value) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def render(out: dict) -> str:
    lines = [f"{out['environment']}: changes from {out['from'].get('scan_id') or out['from']['time']} "
             f"to {out['to'].get('scan_id') or out['to']['time']} ({out['entries']} change log entries)"]
    if not out["complete"]:
        lines.append("  note: the change log was pruned after 'from'; older changes are not included")
    for part in ("objects", "links"):
        c = out["counts"][part]
        lines.append(f"{part}: {c['added']} added, {c['changed']} changed, {c['removed']} removed")
        for op, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
            for r in out[part][op]:
                lines.append(f"  {sign} {_name(r)}" + (" (removed and added again)" if r.get("recreated") else ""))
                for f, ba in (r.get("fields") or {}).items():
                    lines.append(f"      {f}: {_short(ba['before'])} -> {_short(ba['after'])}")
    if out.get("truncated"):
        lines.append("(lists cut at the limit; counts are complete)")
    return "\n".join(lines)


def run(args) -> int:
    store = open_store(args.mongo_config)
    env = EnvironmentConfigs(store).get(args.env)["name"]   # an unknown environment lists the known ones
    out = diff(ChangeLog(store), env, args.start, args.end, args.type, args.id_path, max(1, args.limit), store=store)
    if args.format == "json":
        print(json.dumps(out, default=str, indent=2, ensure_ascii=False))
    elif args.format != "text":
        from app.plain import plain
        from app.topology.export import from_diff, render as render_file
        print(render_file(from_diff(plain(out)), args.format), end="")
    else:
        print(render(out))
    return 0
