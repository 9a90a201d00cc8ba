"""Open vSwitch command-line tools; they talk to root-owned sockets, so they need root."""

from __future__ import annotations

from simulator.render import ovs as render
from simulator.ssh.result import Ctx, Handler, Result, fail

_DB_DENIED = "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (Permission denied)\n"


def vsctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    sw = ctx.view.ovs
    if not ctx.root:
        return fail(_DB_DENIED)
    args = [a for a in args if not a.startswith("--")]
    if not args or args[0] == "show":
        return Result(render.vsctl_show(sw))
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
