"""iproute2 (`ip`), `ethtool`, `brctl` and `bridge`, with the privileges the real tools need."""

from __future__ import annotations

from simulator.render import bridge, ethtool as ethtool_render, ip as ip_render
from simulator.ssh.result import Ctx, Handler, Result, fail

_IP_OBJECTS = {"address": "address", "addr": "address", "a": "address", "link": "link", "l": "link",
               "netns": "netns"}


def _ip_usage() -> Result:
    return fail('Object "help" is unknown, try "ip help".\n', 255)


def ip(ctx: Ctx, args: list[str], stdin: str) -> Result:
    detail = json = False
    while args and args[0].startswith("-"):
        opt = args.pop(0)
        detail |= opt in ("-d", "-details", "--details")
        json |= opt in ("-j", "-json", "--json")
    if not args:
        return fail("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n", 255)
    obj = _IP_OBJECTS.get(args[0])
    if obj is None:
        return fail(f'Object "{args[0]}" is unknown, try "ip help".\n', 255)
    rest = args[1:]
    if obj == "netns":
        return _netns(ctx, rest)
    if rest and rest[0] not in ("show", "list", "sh", "s", "ls"):
        return fail("RTNETLINK answers: Operation not permitted\n" if not ctx.root else
                    f'Command "{rest[0]}" is unknown, try "ip {args[0]} help".\n', 2 if not ctx.root else 255)
    names = [w for w in rest[1:] if w != "dev"]
    name = names[0] if names else None
    if name is not None and not any(l.name == name for l in ctx.links):
        return fail(ip_render.device_missing(name), 1)
    if obj == "address":
        return Result(ip_render.address_show(ctx.links, name, ctx.view.style))
    if json:
        chosen = [l for l in ctx.links if name is None or l.name == name]
        return Result(ip_render.link_show_json(chosen))
    return Result(ip_render.link_show(ctx.links, name, detail=detail))


def _netns(ctx: Ctx, rest: list[str]) -> Result:
    if not rest or rest[0] in ("list", "show"):
        return Result(ip_render.netns_list(ctx.view.namespaces))
    if rest[0] == "exec" and len(rest) >= 3:
        ns = ctx.view.namespace(rest[1])
        if ns is None:
            return fail(f'Cannot open network namespace "{rest[1]}": No such file or directory\n', 1)
        if not ctx.root:
            return fail(f'setting the network namespace "{rest[1]}" failed: Operation not permitted\n', 1)
        return ctx.run(" ".join(_quote(w) for w in rest[2:]), ctx.in_namespace(ns.name, ns.links))
    if rest[0] == "pid" and len(rest) == 2:
        ns = ctx.view.namespace(rest[1])
        return Result(f"{4000 + ns.nsid}\n") if ns else fail(f'Cannot open network namespace "{rest[1]}"\n', 1)
    return fail(f'Command "{rest[0]}" is unknown, try "ip netns help".\n', 255)


def _quote(word: str) -> str:
    import shlex
    return shlex.quote(word)


def ethtool(ctx: Ctx, args: list[str], stdin: str) -> Result:
    names = [a for a in args if not a.startswith("-")]
    if not names:
        return fail("ethtool: bad command line argument(s)\nFor more information run ethtool -h\n", 1)
    link = next((l for l in ctx.links if l.name == names[0]), None)
    if link is None:
        return fail(ethtool_render.no_device(names[0]), 75)
    return Result(ethtool_render.ethtool(link))


def brctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if not args or args[0] == "show":
        return Result(bridge.brctl_show(ctx.view.bridges if ctx.namespace is None else []))
    if args[0] == "showmacs" and len(args) == 2:
        br = next((b for b in ctx.view.bridges if b.name == args[1]), None)
        if br is None:
            return fail(bridge.no_such_bridge(args[1]))
        return Result(bridge.brctl_showmacs(br, ctx.view.links))
    return fail(f"never heard of command [{args[0]}]\n")


def bridge_cmd(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if args[:2] in (["fdb", "show"], ["fdb"]):
        return Result(bridge.fdb_show(ctx.links))
    return fail(f'Object "{args[0] if args else ""}" is unknown, try "bridge help".\n', 255)


HANDLERS: dict[str, Handler] = {"ip": ip, "ethtool": ethtool, "brctl": brctl, "bridge": bridge_cmd}
