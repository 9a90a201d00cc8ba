"""`virsh` (libvirt) and `vppctl` (VPP); both need root to reach their daemons' sockets."""

from __future__ import annotations

from simulator.render import virsh as vr, vpp as vp
from simulator.ssh.result import Ctx, Handler, Result, fail


def virsh(ctx: Ctx, args: list[str], stdin: str) -> Result:
    style = ctx.view.style
    domains = ctx.view.domains if ctx.root else []  # non-root sees qemu:///session, which is empty
    if not args:
        return fail("error: no command given\n")
    cmd, rest = args[0], args[1:]
    if cmd == "list":
        return Result(vr.virsh_list(domains, show_all="--all" in rest, style=style))
    if cmd in ("dumpxml", "domstate") and rest:
        dom = next((d for d in domains if rest[0] in (d.name, d.uuid) or (d.id is not None and rest[0] == str(d.id))), None)
        if dom is None:
            return fail(vr.no_domain(rest[0]))
        return Result(vr.dumpxml(dom, style) if cmd == "dumpxml" else vr.domstate(dom))
    return fail(f"error: unknown command: '{cmd}'\n")


def vppctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    vpp = ctx.view.vpp
    if not ctx.root:
        return fail("clib_socket_init: connect (fd 3, '/run/vpp/cli.sock'): Permission denied\n")
    words = list(args)
    if words[:1] != ["show"] or len(words) < 2:
        return Result(vp.unknown_command(words))
    what, rest = words[1], words[2:]
    if what in ("ver", "version"):
        return Result(vp.show_version(vpp))
    if what in ("int", "interface", "interfaces") and rest[:1] in (["addr"], ["address"]):
        return Result(vp.show_int_addr(vpp))
    if what in ("int", "interface", "interfaces"):
        return Result(vp.show_int(vpp))
    if what == "mode":
        return Result(vp.show_mode(vpp))
    if what.startswith("hardware") or what == "hardware-int":
        name = rest[0].split(".")[0] if rest else None
        text = vp.show_hardware(vpp, name)
        return Result(text) if text is not None else Result(f"show hardware-interfaces: unknown input `{rest[0]}'\n")
    if what == "bond":
        return Result(vp.show_bond(vpp))
    if what == "lacp":
        return Result("")
    return Result(vp.unknown_command(words))


HANDLERS: dict[str, Handler] = {"virsh": virsh, "vppctl": vppctl}
