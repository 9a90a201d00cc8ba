"""Open vSwitch command-line tools; they talk to root-owned sockets, so they need root."""

from __future__ import annotations

from dataclasses import replace

from simulator.render import ovs as render
from simulator.ssh.result import Ctx, Handler, Result, fail

_DB_DENIED = "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (Permission denied)\n"


_VALUED = {"--format": "format", "-f": "format", "--columns": "columns", "--data": "data", "-d": "data",
           "--timeout": "timeout", "-t": "timeout", "--db": "db"}


def _options(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """ovs-vsctl's global options (`--format=csv`, `--format csv`, `--no-headings`, ...) and the command words."""
    opts: dict[str, str] = {}
    words: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        name, eq, value = a.partition("=")
        if a.startswith("-") and name in _VALUED:
            if not eq and i + 1 < len(args):
                value, i = args[i + 1], i + 1
            opts[_VALUED[name]] = value
        elif a.startswith("--"):
            opts[a[2:]] = ""
        else:
            words.append(a)
        i += 1
    return opts, words


def _list(sw, opts: dict[str, str], words: list[str]) -> Result:
    """`list Interface [name...]` in the csv or the default list format."""
    if len(words) < 2:
        return fail("ovs-vsctl: 'list' command requires at least 1 arguments\n")
    if words[1].lower() != "interface":
        return fail(f'ovs-vsctl: unknown table "{words[1]}"\n')
    columns = tuple(c for c in opts.get("columns", ",".join(render.INTERFACE_COLUMNS)).split(",") if c)
    unknown = next((c for c in columns if c not in render.INTERFACE_COLUMNS), None)
    if unknown is not None:
        return fail(f'ovs-vsctl: Interface does not contain a column whose name matches "{unknown}"\n')
    if len(words) > 2:
        names = {p.name for p in render.interfaces(sw)}
        missing = next((n for n in words[2:] if n not in names), None)
        if missing is not None:
            return fail(f'ovs-vsctl: no row "{missing}" in table Interface\n')
        sw = replace(sw, bridges=[replace(b, ports=[p for p in b.ports if p.name in words[2:]]) for b in sw.bridges])
    headings = "no-headings" not in opts
    fmt = opts.get("format", "list")
    if fmt == "csv":
        return Result(render.list_interface_csv(sw, columns, headings))
    if fmt == "list":
        return Result(render.list_interface_records(sw, columns, headings))
    return fail(f'ovs-vsctl: unknown output format "{fmt}"\n')


def vsctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    sw = ctx.view.ovs
    if not ctx.root:
        return fail(_DB_DENIED)
    opts, args = _options(args)
    if not args or args[0] == "show":
        return Result(render.vsctl_show(sw))
    if args[0] == "list":
        return _list(sw, opts, args)
    if args[0] == "list-br":
        return Result(render.list_br(sw))
    if args[0] in ("list-ports", "list-ifaces") and len(args) == 2:
        br = sw.bridge(args[1])
        if br is None:
            return fail(render.no_bridge(args[1]))
        return Result(render.list_ports(br) if args[0] == "list-ports" else render.list_ifaces(br))
    return fail(f"ovs-vsctl: unknown command '{args[0]}'; use --help for help\n")


def dpctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    sw = ctx.view.ovs
    if not ctx.root:
        return fail("ovs-dpctl: opening datapath (Operation not permitted)\n")
    if args[:1] not in ([], ["show"]):
        return fail(f"ovs-dpctl: unknown command '{args[0]}'; use --help for help\n")
    if sw.datapath == "netdev":
        return fail(render.dpctl_failure())
    return Result(render.dpctl_show(sw))


def appctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if not ctx.root:
        return fail("2026-01-01T00:00:00Z|00001|unixctl|WARN|failed to connect to "
                    "/var/run/openvswitch/ovs-vswitchd.ctl\novs-appctl: cannot connect to "
                    "\"/var/run/openvswitch/ovs-vswitchd.ctl\" (Permission denied)\n")
    if args[:1] == ["dpctl/show"]:
        return Result(render.appctl_dpctl_show(ctx.view.ovs))
    return fail(f"\"{args[0] if args else ''}\" is not a valid command\novs-appctl: ovs-vswitchd: server returned an error\n", 2)


def ofctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if not ctx.root:
        return fail("ovs-ofctl: br-int is not a bridge or a socket\n")
    if len(args) == 2 and args[0] == "dump-flows":
        br = ctx.view.ovs.bridge(args[1])
        if br is None:
            return fail(f"ovs-ofctl: {args[1]} is not a bridge or a socket\n")
        return Result(render.dump_flows(br))
    return fail(f"ovs-ofctl: unknown command '{args[0] if args else ''}'; use --help for help\n")


HANDLERS: dict[str, Handler] = {"ovs-vsctl": vsctl, "ovs-dpctl": dpctl, "ovs-appctl": appctl, "ovs-ofctl": ofctl}
