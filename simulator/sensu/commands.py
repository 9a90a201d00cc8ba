"""Shell commands of the monitored hosts: files (cat, ls, mkdir, chmod, chown, cp, scp), services
(service/systemctl restart sensu-client), and what the checks run (ps, ping, arp, vppctl show runtime,
`ip netns pid` of a dead DHCP). Each wraps the general simulator command it extends, so everything
else behaves as before. Registered in simulator.ssh.shell's table."""

from __future__ import annotations

import base64
import posixpath
import shlex

from simulator.ssh import coreutils, nettools, virttools
from simulator.ssh.result import Ctx, Handler, Result, fail

SENSU_SERVICES = ("sensu-client", "sensu-server", "sensu-api", "uchiwa")
PUT = "__calipso_sim_put"   # internal: how scp writes on the target host, through the real ssh hop


def _local(ctx: Ctx):
    return ctx.view.local


def _flags(args: list[str]) -> tuple[str, list[str]]:
    flags = "".join(a[1:] for a in args if a.startswith("-") and len(a) > 1)
    return flags, [a for a in args if not (a.startswith("-") and len(a) > 1)]


def cat(ctx: Ctx, args: list[str], stdin: str) -> Result:
    local = _local(ctx)
    _, paths = _flags(args)
    if local is None or not paths or not any(local.read(p) or local.is_dir(p) for p in paths):
        return coreutils.cat(ctx, args, stdin)
    out, err, status = [], [], 0
    for p in paths:
        f = local.read(p)
        if f is not None:
            out.append(f.data.decode("utf-8", "replace"))
        elif local.is_dir(p):
            err.append(f"cat: {p}: Is a directory\n")
            status = 1
        else:
            r = coreutils.cat(ctx, [p], stdin)
            out.append(r.out)
            err.append(r.err)
            status = status or r.status
    return Result("".join(out), "".join(err), status)


def ls(ctx: Ctx, args: list[str], stdin: str) -> Result:
    local = _local(ctx)
    flags, paths = _flags(args)
    if local is None or not paths:
        return coreutils.ls(ctx, args, stdin)
    path = paths[0]
    names = local.listdir(path)
    if names is None:
        f = local.read(path)
        if f is None:
            return coreutils.ls(ctx, args, stdin)
        names, path = [posixpath.basename(path)], posixpath.dirname(path)
    if "l" in flags:
        lines = []
        for n in names:
            f = local.read(posixpath.join(path, n))
            mode = _mode_text(f.mode) if f else "drwxr-xr-x"
            lines.append(f"{mode} 1 root root {len(f.data) if f else 4096:>6} Jan  1 00:00 {n}")
        return Result("".join(l + "\n" for l in lines))
    return Result("".join(n + "\n" for n in names))


def _mode_text(mode: int) -> str:
    bits = "rwxrwxrwx"
    return "-" + "".join(b if mode & (1 << (8 - i)) else "-" for i, b in enumerate(bits))


def mkdir(ctx: Ctx, args: list[str], stdin: str) -> Result:
    _, paths = _flags(args)
    return Result() if paths else fail("mkdir: missing operand\n")


def chown(ctx: Ctx, args: list[str], stdin: str) -> Result:
    _, rest = _flags(args)
    if not ctx.root:
        return fail(f"chown: changing ownership of '{rest[-1] if rest else ''}': Operation not permitted\n")
    return Result() if len(rest) >= 2 else fail("chown: missing operand\n")


def chmod(ctx: Ctx, args: list[str], stdin: str) -> Result:
    _, rest = _flags(args)
    local = _local(ctx)
    if len(rest) < 2 or local is None:
        return fail("chmod: missing operand\n")
    try:
        mode = int(rest[0], 8)
    except ValueError:
        return fail(f"chmod: invalid mode: '{rest[0]}'\n")
    missing = [p for p in rest[1:] if not local.chmod(p, mode)]
    return fail("".join(f"chmod: cannot access '{p}': No such file or directory\n" for p in missing)) if missing \
        else Result()


def _copy_targets(local, sources: list[str], dest: str) -> tuple[list[tuple[str, object]], str]:
    pairs, err = [], ""
    for src in sources:
        f = local.read(src)
        if f is None:
            err += f"cp: cannot stat '{src}': No such file or directory\n"
            continue
        target = posixpath.join(dest, posixpath.basename(src)) if dest.endswith("/") or len(sources) > 1 \
            or local.is_dir(dest) else dest
        pairs.append((target, f))
    return pairs, err


def cp(ctx: Ctx, args: list[str], stdin: str) -> Result:
    _, rest = _flags(args)
    local = _local(ctx)
    if len(rest) < 2 or local is None:
        return fail("cp: missing destination file operand\n")
    pairs, err = _copy_targets(local, rest[:-1], rest[-1])
    for target, f in pairs:
        local.write(target, f.data, f.mode)
    return fail(err) if err else Result()


def scp(ctx: Ctx, args: list[str], stdin: str) -> Result:
    """`scp [-p -q -r -o OPT] SRC... HOST:DEST`: local files to another host, over the ssh hop."""
    words, i = [], 0
    while i < len(args):
        if args[i] in ("-o", "-P", "-i", "-F", "-S", "-l", "-c"):
            i += 2
            continue
        if not args[i].startswith("-"):
            words.append(args[i])
        i += 1
    if len(words) < 2 or ":" not in words[-1]:
        return fail("usage: scp [-346ABCOpqRrsTv] source ... target\n")
    host, _, dest = words[-1].partition(":")
    local = _local(ctx)
    pairs, err = _copy_targets(local, words[:-1], dest if dest.endswith("/") or len(words) > 2 else dest)
    if err:
        return fail(err.replace("cp: cannot stat", "scp:").replace("'", ""))
    for target, f in pairs:
        line = shlex.join([PUT, target, oct(f.mode), base64.b64encode(f.data).decode()])
        r = ctx.hop(host.rsplit("@", 1)[-1], line, False)
        if r.status != 0:
            return fail(r.err + "lost connection\n", 1)
    return Result()


def put(ctx: Ctx, args: list[str], stdin: str) -> Result:
    local = _local(ctx)
    if len(args) != 3 or local is None:
        return fail("scp: protocol error\n")
    local.write(args[0], base64.b64decode(args[2]), int(args[1], 8))
    return Result()


def service(ctx: Ctx, args: list[str], stdin: str) -> Result:
    """`service NAME restart|start|stop|status`; a (re)started sensu-client runs its deployed checks."""
    if len(args) < 2:
        return fail("Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n")
    return _service(ctx, args[0], args[1], via_systemctl=False)


def _service(ctx: Ctx, name: str, action: str, via_systemctl: bool) -> Result:
    if name.removesuffix(".service") not in SENSU_SERVICES:
        return fail(f"{name}: unrecognized service\n", 1)
    if not ctx.root:
        return fail("Failed to restart: Access denied\n" if via_systemctl else "sudo required\n", 4)
    local = _local(ctx)
    if action in ("restart", "start") and local is not None and name.startswith("sensu-client") \
            and local.on_restart is not None:
        local.on_restart(local.name)
    return Result("" if via_systemctl else
                  f"Redirecting to /bin/systemctl {action} {name}.service\n" if action != "status" else "")


def systemctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if len(args) >= 2 and args[0] in ("restart", "start", "stop"):
        return _service(ctx, args[1], args[0], via_systemctl=True)
    return coreutils.systemctl(ctx, args, stdin)


def _processes(ctx: Ctx) -> list[tuple[int, str, str]]:
    """(pid, stat, args) of the processes a check looks for."""
    view, faults = ctx.view, (_local(ctx).faults if _local(ctx) else frozenset())
    procs = [(1, "Ss", "/sbin/init")]
    if view.ovs is not None and "ovs-down" not in faults:
        procs += [(811, "S<s", "ovsdb-server: monitoring pid 812 (healthy)"),
                  (812, "S<", "ovsdb-server /etc/openvswitch/conf.db -vconsole:emer -vsyslog:err --pidfile --detach"),
                  (869, "S<s", "ovs-vswitchd: monitoring pid 870 (healthy)"),
                  (870, "S<Ll", "ovs-vswitchd unix:/var/run/openvswitch/db.sock -vconsole:emer --pidfile --detach")]
    for ns in view.namespaces:
        pid = 4000 + ns.nsid
        if ns.name.startswith("qdhcp-"):
            if "dhcp-down" not in faults:
                procs.append((pid, "S", f"dnsmasq --no-hosts --no-resolv --pid-file=/var/lib/neutron/dhcp/"
                                        f"{ns.name[6:]}/pid --interface=tap --dhcp-range=set:subnet"))
        else:
            procs.append((pid, "S", f"haproxy -f /var/lib/neutron/ns-metadata-proxy/{ns.name.split('-', 1)[-1]}.conf"))
    return procs


def ps(ctx: Ctx, args: list[str], stdin: str) -> Result:
    """`ps -e -o args=` and `ps -o pid=,stat=,args= -p PID[,PID]`."""
    fmt = next((args[i + 1] for i, a in enumerate(args) if a == "-o" and i + 1 < len(args)), "pid,stat,args")
    pids = next((args[i + 1] for i, a in enumerate(args) if a == "-p" and i + 1 < len(args)), None)
    procs = _processes(ctx)
    if pids is not None:
        wanted = {p for p in pids.split(",") if p}
        procs = [p for p in procs if str(p[0]) in wanted]
    cols = [c.rstrip("=") for c in fmt.split(",")]
    header = not fmt.endswith("=")
    rows = [" ".join({"pid": f"{pid:>5}", "stat": f"{stat:<4}", "args": a}.get(c, "?") for c in cols)
            for pid, stat, a in procs]
    if header:
        rows.insert(0, " ".join({"pid": "  PID", "stat": "STAT", "args": "COMMAND"}.get(c, c.upper()) for c in cols))
    return Result("".join(r + "\n" for r in rows), status=0 if procs else 1)


def _reachable(ctx: Ctx, source: str | None, target: str) -> bool:
    """The source address is on a link that is up, and some host holds the target on a link that is up."""
    if source:
        here = [l for l in ctx.links if any(i.address == source for i in l.inet)]
        if not here or not all(l.state in ("UP", "UNKNOWN") for l in here):
            return False
    local = _local(ctx)
    return bool(local is not None and local.peer_up is not None and local.peer_up(target))


def ping(ctx: Ctx, args: list[str], stdin: str) -> Result:
    opts, rest, i = {}, [], 0
    while i < len(args):
        if args[i] in ("-c", "-i", "-p", "-w", "-s", "-I", "-W") and i + 1 < len(args):
            opts[args[i]] = args[i + 1]
            i += 2
            continue
        rest.append(args[i])
        i += 1
    if not rest:
        return fail("ping: usage error: Destination address required\n", 2)
    target, count, size = rest[-1], int(opts.get("-c", "4")), int(opts.get("-s", "56"))
    source = opts.get("-I")
    ok = _reachable(ctx, source, target)
    head = f"PING {target} ({target}) " + (f"from {source} " if source else "") + f": {size}({size + 28}) bytes of data.\n"
    if ok:
        lines = "".join(f"{size + 8} bytes from {target}: icmp_seq={n} ttl=64 time=0.{300 + n} ms\n"
                        for n in range(1, count + 1))
        return Result(head + lines + f"\n--- {target} ping statistics ---\n{count} packets transmitted, {count} "
                      f"received, 0% packet loss, time {count * 500}ms\nrtt min/avg/max/mdev = "
                      f"0.301/0.305/0.310/0.003 ms\n")
    return Result(head + f"\n--- {target} ping statistics ---\n{count} packets transmitted, 0 received, "
                  f"100% packet loss, time {count * 500}ms\n\n", status=1)


def arp(ctx: Ctx, args: list[str], stdin: str) -> Result:
    """`arp -n` in a namespace: the running instances of its network answered recently."""
    lines = ["Address                  HWtype  HWaddress           Flags Mask            Iface"]
    if ctx.namespace:
        ns_link = next((l for l in ctx.links if l.inet and l.kind != "loopback"), None)
        if ns_link is not None:
            answering = ctx.view.local.neighbours if ctx.view.local is not None else None
            for ip, mac in (answering(ctx.namespace) if answering else []):
                lines.append(f"{ip:<25}ether   {mac:<20}C                     {ns_link.name}")
    return Result("".join(l + "\n" for l in lines))


def ip(ctx: Ctx, args: list[str], stdin: str) -> Result:
    local = _local(ctx)
    if args[:2] == ["netns", "pid"] and len(args) == 3 and local is not None and "dhcp-down" in local.faults \
            and args[2].startswith("qdhcp-") and ctx.view.namespace(args[2]):
        return Result("")
    return nettools.ip(ctx, args, stdin)


def vppctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if args[:2] == ["show", "runtime"] and ctx.view.vpp is not None and ctx.root:
        return Result("Time 3605.1, average vectors/node 0.00, last 128 main loops 0.00 per node 0.00\n"
                      "  vector rates in 0.0000e0, out 0.0000e0, drop 0.0000e0, punt 0.0000e0\n"
                      "             Name                 State         Calls          Vectors        Suspends\n"
                      "startup-config-process          done                 1               0               1\n")
    return virttools.vppctl(ctx, args, stdin)


HANDLERS: dict[str, Handler] = {
    "cat": cat, "ls": ls, "mkdir": mkdir, "chmod": chmod, "chown": chown, "cp": cp, "scp": scp,
    PUT: put, "service": service, "systemctl": systemctl, "ps": ps, "ping": ping, "arp": arp, "ip": ip,
    "vppctl": vppctl,
}
