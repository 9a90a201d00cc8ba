"""`ovs-vsctl show` with the tunnel ports of one bridge set apart, the plainly printed ones read cheaply.

With a full tunnel mesh `br-tun` has a port per other host, each four lines printed alike:

        Port vxlan-ac10000a
            Interface vxlan-ac10000a
                type: vxlan
                options: {df_default="true", in_key=flow, local_ip="172.16.0.3", out_key=flow, remote_ip="172.16.0.10"}

Read line by line, with a dict of options each, they cost 8 µs a port, most of a host's parse at
100 hosts and growing with the cloud. Here one regular expression finds the ports of exactly that
shape and each becomes an `app.tunnel_mesh.ShownPort` (name, remote_ip, and the host's options
layout shared by every port whose options differ only in remote_ip, parsed once). Every other line,
and any port of another shape, goes through the line parser (`scan.parsers.ovs.read_lines`) in
order, so the result is what `vsctl_show` gives with the tunnel ports as `ShownPort`s; where anything
is out of the ordinary (the bridge twice, a port named twice) the whole text is read line by line.
"""

from __future__ import annotations

import re

from app.tunnel_mesh import Layout, ShownPort
from scan.parsers import parser
from scan.parsers.ovs import Merged, options, read_lines, vsctl_show

TUNNEL_TYPES = ("vxlan", "gre", "geneve", "stt")

_PORT = re.compile(   # spaces written out, not counted: the search then skips to each "\n        Port "
    r'\n        Port (?P<q>"?)(?P<name>[A-Za-z0-9_.-]+)(?P=q)\n'
    r'            Interface (?P=q)(?P=name)(?P=q)\n'
    r'                type: (?P<type>' + "|".join(TUNNEL_TYPES) + r')\n'
    r'                options: \{(?P<pre>[^\n]*, |)remote_ip=(?P<rq>"?)(?P<ip>[0-9A-Fa-f.:]+)(?P=rq)'
    r'(?P<post>(?:, [^\n]*)?)\}'
    r'(?=\n    \S|\n        \S|\n?\Z)')   # nothing more of the port: a bridge's or a port's line, or the end
# the options around remote_ip, of the plain kind: quotes only around a value, no comma, space, brace,
# `=` or escape in one (so they read alike whatever the address); checked once for each layout
_ITEM = r'[A-Za-z0-9_-]+=(?:"[^"\\\s,{}=]*"|[^"\\\s,{}=]+)'
_PRE = re.compile(rf"(?:{_ITEM}, )*")
_POST = re.compile(rf"(?:, {_ITEM})*")
_BRIDGE_END = re.compile(r"\n {4}[^ ]")   # the next line at a bridge's depth (or one the line parser might take so)
_NOT_BLANK = re.compile(r"\S")


class _Odd(Exception):
    """The text is not of the ordinary shape the fast read relies on: read it line by line."""


@parser
def vsctl_show_split(text: str, bridge: str = "br-tun") -> tuple[dict[str, dict], list]:
    """({bridge: {port: port}} as `vsctl_show`, [tunnel port]): the ports of `bridge` whose type is a
    tunnel's, in printed order, taken out of it; each a `ShownPort` or, of any other shape, a dict."""
    try:
        bridges = _fast(text, bridge)
    except (_Odd, Merged):
        bridges = vsctl_show(text)
    ports = bridges.get(bridge)
    if not ports:
        return bridges, []
    tunnels = [p for p in ports.values() if p.__class__ is ShownPort or p.get("type") in TUNNEL_TYPES]
    if tunnels:
        bridges[bridge] = {name: p for name, p in ports.items()
                           if p.__class__ is not ShownPort and p.get("type") not in TUNNEL_TYPES}
    return bridges, tunnels


def _fast(text: str, name: str) -> dict[str, dict]:
    heads = list(re.finditer(rf'\n {{4}}Bridge (?:{re.escape(name)}|"{re.escape(name)}")\n', text))
    if len(heads) != 1 or not _NOT_BLANK.search(text, 0, heads[0].start()):
        raise _Odd()     # no such bridge, twice, or its line is the first (the line parser skips that one)
    start = heads[0].end()
    end = _BRIDGE_END.search(text, start - 1)
    end = end.start() + 1 if end else len(text)
    lines = text[:start].splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    bridges: dict[str, dict] = {}
    bridge, port, versioned = read_lines(lines[first + 1:], bridges, None, None, False)
    tun = bridges.get(name)
    if tun is None or bridge is not tun:
        raise _Odd()
    layouts: dict[tuple, Layout | None] = {}
    pos = start - 1      # each port read here starts at the newline before it
    new = tuple.__new__   # a ShownPort without the Python-level __new__ of a NamedTuple: a port a call
    for m in _PORT.finditer(text, pos):
        at = m.start()
        if at >= end:
            break
        _, port_name, kind, pre, rq, ip, post = m.groups()
        shape = (kind, pre, rq, post)
        layout = layouts.get(shape, False)
        if layout is False:
            layout = layouts[shape] = _layout(kind, pre, post, m.group(0).partition("options: ")[2], ip)
        if layout is None:   # options of another kind: left to the line parser, with the lines around
            continue
        if at != pos:
            bridge, port, versioned = read_lines(text[pos:at].splitlines(), bridges, bridge, port, versioned)
            if bridge is not tun:
                raise _Odd()
        if port_name in tun:
            raise _Odd()
        tun[port_name] = new(ShownPort, (port_name, ip, layout))
        port = None      # the next line is a port's or a bridge's: the line parser would start afresh too
        pos = m.end()
    read_lines(text[pos:].splitlines(), bridges, bridge, port, versioned)
    return bridges


def _layout(kind: str, pre: str, post: str, printed: str, ip: str) -> Layout | None:
    """The options of a port printed as `printed` but remote_ip, read by the line parser's own reader;
    None unless they are of the plain kind and remote_ip reads back as `ip`."""
    if not _PRE.fullmatch(pre) or not _POST.fullmatch(post):
        return None
    parsed = options(printed)
    if parsed.get("remote_ip") != ip:
        return None
    rest = tuple((k, v) for k, v in parsed.items() if k != "remote_ip")
    return Layout((kind, rest), list(parsed).index("remote_ip"))
