"""Open vSwitch: `ovs-vsctl show`, `ovs-dpctl show` / `ovs-appctl dpctl/show`, `list-ifaces` (§4.5.11).

Parsed by indentation depth rather than exact column counts, so OVS 3.x output (unquoted
names, `datapath_type` lines) parses like the 2.x output the original expected.
"""

from __future__ import annotations

import re
import sys

from scan.parsers import ParseError, parser

DP_PORT = re.compile(r"^\s*port (\d+): (\S+)(?: \(([^)]*)\))?\s*$")


_OPTION = re.compile(r'\s*([^=,\s]+)=("[^"]*"|[^,]*)')


def _unquote(s: str) -> str:
    s = s.strip()
    return sys.intern(s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s)


def options(text: str) -> dict:
    """`{k=v, k="v"}`; names and values interned: a full mesh of tunnels repeats them on every host."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    intern = sys.intern
    return {intern(k): intern(v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v.rstrip())
            for k, v in _OPTION.findall(text)}


class Merged(Exception):
    """A port named twice in a bridge met a port read another way (`ovs_tunnels`)."""


@parser
def vsctl_show(text: str) -> dict:
    """{bridge: {port: {name, tag, interface, type, options}}}."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ParseError("empty 'ovs-vsctl show' output")
    bridges: dict[str, dict] = {}
    versioned = read_lines(lines[first + 1:], bridges, None, None, False)[2]
    if not bridges and not versioned:
        raise ParseError("no bridge found in 'ovs-vsctl show' output")
    return bridges


def read_lines(lines: list[str], bridges: dict[str, dict], bridge: dict | None, port: dict | None,
               versioned: bool) -> tuple[dict | None, dict | None, bool]:
    """Read `lines` into `bridges` from the state (bridge, port, versioned) the lines before left, and
    give the state they leave: `ovs_tunnels` reads a text in parts around the tunnel ports it reads itself.

    One pass over the lines with no call per line but the string methods."""
    intern = sys.intern
    for line in lines:
        body = line.lstrip(" ")
        if not body:
            continue
        ind = len(line) - len(body)
        body = body.rstrip()
        if not body:
            continue
        if ind == 4:
            bridge = port = None
            if body.startswith("Bridge "):
                bridge = bridges.setdefault(_unquote(body[7:]), {})
            elif body.startswith("ovs_version"):
                versioned = True
        elif bridge is None:
            continue
        elif ind == 8:
            port = None
            if body.startswith("Port "):
                name = _unquote(body[5:])
                port = bridge.setdefault(name, {"name": name})
                if port.__class__ is not dict:
                    raise Merged(name)
        elif port is None:
            continue
        elif ind == 12:
            if body.startswith("tag: "):
                port["tag"] = body[5:].strip()
            elif body.startswith("Interface "):
                port["interface"] = _unquote(body[10:])
        elif ind >= 16:
            key, sep, value = body.partition(": ")
            if sep:
                port[intern(key)] = options(value) if key == "options" else _unquote(value)
    return bridge, port, versioned


@parser
def dpctl_show(text: str) -> list[dict]:
    """Datapath ports: {id, name, internal}; ports with other details (tunnel vports) are skipped."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].rstrip().endswith(":"):
        raise ParseError("'dpctl show' output does not start with a datapath name")
    ports = []
    for line in lines:
        m = DP_PORT.match(line)
        if not m:
            continue
        detail = m.group(3)
        if detail not in (None, "internal", "tap"):
            continue
        ports.append({"id": m.group(1), "name": m.group(2), "internal": detail in ("internal", "tap")})
    return ports


@parser
def list_ifaces(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
