"""The few coreutils-like commands the scanner pipes through: cat, ls, echo, grep, head, tail, wc, sort,
uname, hostname, arch, true, false, systemctl."""

from __future__ import annotations

import re

from simulator.render import sysfs, system
from simulator.ssh.result import Ctx, Handler, Result, fail


def _cat_file(ctx: Ctx, path: str) -> Result:
    view = ctx.view
    if path == "/etc/os-release":
        return Result(system.os_release(view))
    if path == "/etc/hostname":
        return Result(system.hostname(view))
    if path.startswith("/proc/net/bonding/"):
        bond = view.bond(path.rsplit("/", 1)[1])
        if bond:
            return Result(sysfs.cat_bond(bond, view.links))
    if path.startswith("/sys/class/net/") and path.endswith("/address"):
        link = view.link(path.split("/")[4])
        if link:
            return Result(link.mac + "\n")
    if path.startswith("/sys/class/net/") and path.rsplit("/", 1)[-1] in ("speed", "duplex"):
        link = view.link(path.split("/")[4])
        if link:
            value = sysfs.link_attribute(link, path.rsplit("/", 1)[-1])
            return Result(value + "\n") if value is not None else fail(f"cat: {path}: Invalid argument\n")
    if path in ("/proc/net/bonding", "/proc/net/bonding/", "/sys/class/net", "/sys/class/net/"):
        return fail(f"cat: {path}: Is a directory\n")
    return fail(f"cat: {path}: No such file or directory\n")


def cat(ctx: Ctx, args: list[str], stdin: str) -> Result:
    files = [a for a in args if not a.startswith("-")]
    if not files:
        return Result(stdin)
    out, err, status = [], [], 0
    for f in files:
        r = _cat_file(ctx, f)
        out.append(r.out)
        err.append(r.err)
        status = status or r.status
    return Result("".join(out), "".join(err), status)


def ls(ctx: Ctx, args: list[str], stdin: str) -> Result:
    flags = "".join(a[1:] for a in args if a.startswith("-"))
    paths = [a for a in args if not a.startswith("-")] or ["."]
    path = paths[0].rstrip("/") or "/"
    links = ctx.links
    if path == "/sys/class/net":
        return Result(sysfs.ls_l_class_net(links) if "l" in flags else sysfs.ls_class_net(links))
    if path == "/proc/net/bonding":
        out, err, status = sysfs.ls_bonding(ctx.view.bonds)
        if err:
            err = err.replace("'/proc/net/bonding/'", f"'{paths[0]}'")
        return Result(out, err, status)
    return fail(f"ls: cannot access '{paths[0]}': No such file or directory\n", 2)


def echo(ctx: Ctx, args: list[str], stdin: str) -> Result:
    newline = "\n"
    if args and args[0] == "-n":
        args, newline = args[1:], ""
    return Result(" ".join(args) + newline)


_CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
            "space": " \\t\\n\\r\\f\\v", "blank": " \\t", "xdigit": "0-9A-Fa-f"}


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """A POSIX bracket expression from `[` at `i`, in Python's syntax (its backslashes are literal,
    `]` first is a member, `[:class:]` a class), and the index after it; unterminated: kept as is."""
    j = i + 1
    out = ["["]
    if pattern[j:j + 1] == "^":
        out.append("^")
        j += 1
    if pattern[j:j + 1] == "]":
        out.append("\\]")
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        if pattern.startswith("[:", j) and ":]" in pattern[j + 2:]:
            end = pattern.index(":]", j + 2)
            out.append(_CLASSES.get(pattern[j + 2:end], ""))
            j = end + 2
            continue
        out.append("\\" + pattern[j] if pattern[j] in "\\[&~|" else pattern[j])
        j += 1
    if j >= len(pattern):
        return "[", i + 1   # Python reports it unterminated, as POSIX does
    return "".join(out) + "]", j + 1


def _bre_to_python(pattern: str) -> str:
    """POSIX basic regex: \\| \\+ \\( \\) \\{ \\} are operators, the bare characters are literals,
    and so is a `*` that starts the expression or a group."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            n = pattern[i + 1]
            out.append(n if n in "|+(){}?" else "\\" + n)
            i += 2
            continue
        if c == "[":
            text, i = _bracket(pattern, i)
            out.append(text)
            continue
        if c == "*" and (not out or out[-1] in ("(", "^", "|")):
            out.append("\\*")
        else:
            out.append("\\" + c if c in "|+(){}?" else c)
        i += 1
    return "".join(out)


def grep(ctx: Ctx, args: list[str], stdin: str) -> Result:
    invert = ignore = extended = fixed = count = False
    pattern = None
    rest: list[str] = []
    for a in args:
        if a.startswith("-") and pattern is None and len(a) > 1:
            invert |= "v" in a
            ignore |= "i" in a
            extended |= "E" in a
            fixed |= "F" in a
            count |= "c" in a
        elif pattern is None:
            pattern = a
        else:
            rest.append(a)
    if pattern is None:
        return fail("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2)
    if fixed:
        regex = re.escape(pattern)
    elif extended:
        regex = pattern
    else:
        regex = _bre_to_python(pattern)
    try:
        rx = re.compile(regex, re.IGNORECASE if ignore else 0)
    except re.error:
        return fail("grep: Unmatched ( or \\(\n", 2)
    lines = [l for l in stdin.splitlines() if bool(rx.search(l)) != invert]
    if count:
        return Result(f"{len(lines)}\n", status=0 if lines else 1)
    return Result("".join(l + "\n" for l in lines), status=0 if lines else 1)


def _count_arg(args: list[str], default: int = 10) -> int:
    for i, a in enumerate(args):
        if a == "-n" and i + 1 < len(args):
            return int(args[i + 1])
        if re.fullmatch(r"-n?\d+", a):
            return int(a.lstrip("-n"))
    return default


def head(ctx: Ctx, args: list[str], stdin: str) -> Result:
    return Result("".join(l + "\n" for l in stdin.splitlines()[:_count_arg(args)]))


def tail(ctx: Ctx, args: list[str], stdin: str) -> Result:
    n = _count_arg(args)
    return Result("".join(l + "\n" for l in stdin.splitlines()[-n:] if n))


def wc(ctx: Ctx, args: list[str], stdin: str) -> Result:
    if "-l" in args:
        return Result(f"{stdin.count(chr(10))}\n")
    return Result(f"{stdin.count(chr(10)):7d} {len(stdin.split()):7d} {len(stdin.encode()):7d}\n")


def sort(ctx: Ctx, args: list[str], stdin: str) -> Result:
    lines = sorted(stdin.splitlines(), reverse="-r" in args)
    return Result("".join(l + "\n" for l in lines))


def uname(ctx: Ctx, args: list[str], stdin: str) -> Result:
    flags = "".join(a.lstrip("-") for a in args)
    return Result(system.uname(ctx.view, flags))


def hostname(ctx: Ctx, args: list[str], stdin: str) -> Result:
    return Result(system.hostname(ctx.view))


def arch(ctx: Ctx, args: list[str], stdin: str) -> Result:
    return Result(ctx.view.arch + "\n")


def true(ctx: Ctx, args: list[str], stdin: str) -> Result:
    return Result()


def false(ctx: Ctx, args: list[str], stdin: str) -> Result:
    return Result(status=1)


def systemctl(ctx: Ctx, args: list[str], stdin: str) -> Result:
    """Only `systemctl list-units <pattern>`: no teamd units on simulated hosts."""
    if args[:1] == ["list-units"]:
        return Result("0 loaded units listed. Pass --all to see loaded but inactive units, too.\n"
                      "To show all installed unit files use 'systemctl list-unit-files'.\n")
    return fail(f"Unknown command verb {args[0] if args else ''}.\n")


def lsblk(ctx: Ctx, args: list[str], stdin: str) -> Result:
    """One local disk per host (no Ceph partitions): `-d` lists disks, otherwise disks and partitions."""
    cols = next((args[i + 1] for i, a in enumerate(args) if a == "-o" and i + 1 < len(args)),
                "NAME,MAJ:MIN,RM,SIZE,RO,TYPE,MOUNTPOINT").split(",")
    disk = {"KNAME": "sda", "NAME": "sda", "STATE": "running", "SIZE": "558.9G", "SERIAL": "PDNLH0BRH8R0KP",
            "VENDOR": "HP", "HCTL": "0:1:0:0", "REV": "1.34", "WWN": "0x600508b1001c5a8e", "MODEL": "LOGICAL VOLUME",
            "PKNAME": "", "PARTLABEL": "", "MOUNTPOINT": "", "TYPE": "disk", "MAJ:MIN": "8:0", "RM": "0", "RO": "0"}
    part = dict(disk, KNAME="sda1", NAME="sda1", PKNAME="sda", SIZE="558.9G", TYPE="part", MOUNTPOINT="/",
                STATE="", SERIAL="", VENDOR="", HCTL="", REV="", WWN="", MODEL="", **{"MAJ:MIN": "8:1"})
    rows = [disk] if "-d" in args else [disk, part]
    lines = [" ".join(r.get(c, "") for c in cols).rstrip() for r in rows]
    if "-n" not in args:
        lines.insert(0, " ".join(cols))
    return Result("".join(l + "\n" for l in lines))


HANDLERS: dict[str, Handler] = {
    "lsblk": lsblk,
    "cat": cat, "ls": ls, "echo": echo, "grep": grep, "head": head, "tail": tail, "wc": wc, "sort": sort,
    "uname": uname, "hostname": hostname, "arch": arch, "true": true, "false": false, "systemctl": systemctl,
}
