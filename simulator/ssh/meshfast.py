"""The scanner's three summaries of a host's tunnel mesh (scan.fetchers.host_commands: the interface
templates with counts, the digest of the tunnels, `ovs-vsctl show` without them), answered without
rendering each tunnel when the host's tunnels are the lazy kind (simulator.model.mesh).

Without l2population a host of a 10,000-host cloud has 10,000 tunnel ports; listing them is ~2 MB a host
and 10^8 ports a scan. Each answer here is the generic path's, byte for byte and status for status: the
pipeline's own tail runs, as any command, on the host's other interfaces and on sample tunnels, and
what every tunnel adds is derived from what all of them share:

* templates: a tunnel's line, with its name cut and its remote address starred, is the same for every
  tunnel of the host (kind, local address and the fixed options of `vswitch._tunnel_port`): checked on
  the first and the last, counted `len(tunnels)` times;
* digest: the sorted "name type remote_ip" lines of all endpoints are built once per shared endpoint
  list (and OVS version), and hashed per host as slices, less the host's skipped endpoints;
* lean show: `ovs-vsctl show` of the host without its lazy ports, through the grep; each tunnel port's
  lines are dropped whole by that grep (checked on the first and last tunnel).

Any other pipeline, host or tunnel form gets None and runs the generic path.
"""

from __future__ import annotations

import hashlib
import logging
import shlex
import threading
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from simulator.hostview import Ovs, OvsBridge, OvsPort
from simulator.model.mesh import Mapped, Tunnel, Tunnels
from simulator.render.ovs import INTERFACE_COLUMNS, Quoted, csv_row, vsctl_show
from simulator.ssh.result import Ctx, Result
from simulator.ssh.textutils import counted, md5_line

log = logging.getLogger(__name__)

Run = Callable[[list[str], str], Result]   # one simple command of the pipeline on a text (the shell's own)

_LIST = "ovs-vsctl --no-headings --format=csv --columns=name,type,options,error list Interface"
TEMPLATES = _LIST + (" | sed -e 's/remote_ip=\"\"[^\"]*\"\"/remote_ip=\"\"*\"\"/' -e 's/^[^,]*,//'"
                     " | LC_ALL=C sort | uniq -c")
DIGEST = _LIST + (" | sed -n 's/^\\([^,]*\\),\\([^,]*\\),.*remote_ip=\"\"\\([^\"]*\\)\"\".*$/\\1 \\2 \\3/p'"
                  " | LC_ALL=C sort | md5sum")
LEAN_SHOW = ("ovs-vsctl show | grep -v -E '^ {8}Port \"?(vxlan|gre|geneve|stt)-[0-9a-f]{8}\"?$"
             "|^ {12}Interface \"?(vxlan|gre|geneve|stt)-[0-9a-f]{8}\"?$"
             "|^ {16}type: (vxlan|gre|geneve|stt)$|^ {16}options: \\{.*remote_ip='")


def stages(line: str) -> tuple[tuple[str, ...], ...]:
    """A pipeline's simple commands, split as the shell splits them."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    out: list[list[str]] = [[]]
    for token in lexer:
        if token == "|":
            out.append([])
        else:
            out[-1].append(token)
    return tuple(tuple(s) for s in out)


def _heads(ovs: Ovs) -> list[OvsPort]:
    """Every interface that is not a lazy tunnel, bridge by bridge."""
    return [p for b in ovs.bridges for p in (b.ports.head if isinstance(b.ports, Mapped) else b.ports)]


def _ends(tunnels: Tunnels) -> list[Tunnel]:
    """The first and the last tunnel (one if there is one), made as Tunnels makes them."""
    skip = tunnels.skip
    first = next((p for p in tunnels.peers if p[1] not in skip), None)
    last = next((p for p in reversed(tunnels.peers) if p[1] not in skip), None)
    kept = [] if first is None else [first] if first is last else [first, last]
    return list(Tunnels(tunnels.kind, tunnels.local_ip, kept))


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def templates(ovs: Ovs, lazy: list[Mapped], tail: list[list[str]], run: Run) -> Result | None:
    sed = tail[0]
    q = Quoted(ovs.version).__getitem__
    r = run(sed, _text([csv_row(p, INTERFACE_COLUMNS, q) for p in _heads(ovs)]))
    if r.status or r.err:
        return None
    counts = Counter(r.out.splitlines())
    for m in lazy:
        ends = _ends(m.base)
        if not ends:
            continue
        s = run(sed, _text([csv_row(m.fn(t), INTERFACE_COLUMNS, q) for t in ends]))
        lines = s.out.splitlines()
        if s.status or s.err or len(lines) != len(ends) or len(set(lines)) != 1:
            log.debug("tunnels of %s differ after the templates' sed: listed one by one", m.base.local_ip)
            return None
        counts[lines[0]] += len(m.base)
    return Result("".join(counted(n, line) for line, n in sorted(counts.items())))


@dataclass
class _Sorted:
    """The digest lines of every endpoint of one shared list, sorted, as one block of bytes."""

    peers: Sequence[tuple[str, str]]   # held, so its id names it while this is kept
    size: int
    first: tuple[str, str]
    last: tuple[str, str]
    lines: list[str]
    blob: bytes
    offsets: list[int]                 # byte offset of each line, and the end
    index: dict[str, list[int]]        # endpoint host -> its line(s)


_CACHE: OrderedDict[tuple, _Sorted] = OrderedDict()
_CACHE_SIZE = 4
_LOCK = threading.Lock()


def _endpoint_lines(m: Mapped, version: str | None, sed: list[str], run: Run) -> _Sorted | None:
    """The shared endpoint list's sorted digest lines, made once per (list, kind, OVS version) and kept
    with the list itself: a changed model makes a new list (mesh_endpoints), so a kept entry is never stale."""
    t: Tunnels = m.base
    peers = t.peers
    if not peers:
        return None
    key = (id(peers), t.kind, version, tuple(sed))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit.peers is peers and hit.size == len(peers) \
                and hit.first == peers[0] and hit.last == peers[-1]:
            _CACHE.move_to_end(key)
            return hit
        q = Quoted(version).__getitem__
        every = Tunnels(t.kind, t.local_ip, peers)
        r = run(sed, _text([csv_row(m.fn(x), INTERFACE_COLUMNS, q) for x in every]))
        raw = r.out.splitlines()
        if r.status or r.err or len(raw) != len(peers):
            log.debug("the digest's sed kept %d lines of %d tunnels: listed one by one", len(raw), len(peers))
            return None
        order = sorted(range(len(raw)), key=raw.__getitem__)
        lines = [raw[i] for i in order]
        index: dict[str, list[int]] = {}
        offsets = [0]
        for rank, i in enumerate(order):
            index.setdefault(peers[i][1], []).append(rank)
            offsets.append(offsets[-1] + len(lines[rank].encode()) + 1)
        entry = _Sorted(peers, len(peers), peers[0], peers[-1], lines, _text(lines).encode(), offsets, index)
        _CACHE[key] = entry
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return entry


def digest(ovs: Ovs, lazy: list[Mapped], tail: list[list[str]], run: Run) -> Result | None:
    sed = tail[0]
    if len(lazy) != 1:
        return None
    m = lazy[0]
    q = Quoted(ovs.version).__getitem__
    r = run(sed, _text([csv_row(p, INTERFACE_COLUMNS, q) for p in _heads(ovs)]))
    table = _endpoint_lines(m, ovs.version, sed, run)
    if r.status or r.err or table is None:
        return None
    dropped = sorted({i for name in m.base.skip for i in table.index.get(name, ())})
    events = sorted([(bisect_left(table.lines, line), 0, line) for line in r.out.splitlines()]
                    + [(i, 1, "") for i in dropped])
    h, blob, off, pos = hashlib.md5(), memoryview(table.blob), table.offsets, 0
    for i, kind, line in events:
        h.update(blob[off[pos]:off[i]])
        if kind == 0:
            h.update((line + "\n").encode())
            pos = i
        else:
            pos = i + 1
    h.update(blob[off[pos]:])
    return Result(md5_line(h.hexdigest()))


def _tunnel_lines(ovs: Ovs, ports: list[OvsPort]) -> list[str]:
    """The lines `ovs-vsctl show` prints for `ports` (as a bridge's last ports)."""
    def show(p: list[OvsPort]) -> list[str]:
        one = OvsBridge("probe", p, controller=None, fail_mode=None)
        return vsctl_show(replace(ovs, manager=None, bridges=[one])).splitlines()
    without, with_ = show([]), show(ports)
    after = 1 if ovs.version else 0
    return with_[len(without) - after:len(with_) - after]


def lean_show(ovs: Ovs, lazy: list[Mapped], tail: list[list[str]], run: Run) -> Result | None:
    grep = tail[0]
    for m in lazy:
        ends = _ends(m.base)
        if ends:
            probe = run(grep, _text(_tunnel_lines(ovs, [m.fn(t) for t in ends])))
            if probe.out or probe.err or probe.status != 1:   # a line of theirs would be kept
                log.debug("the lean show's grep keeps a tunnel line (%r): shown whole", probe.out)
                return None
    lean = replace(ovs, bridges=[replace(b, ports=list(b.ports.head)) if isinstance(b.ports, Mapped) else b
                                 for b in ovs.bridges])
    return run(grep, vsctl_show(lean))


PIPELINES: dict[tuple[tuple[str, ...], ...], Callable[..., Result | None]] = {
    stages(TEMPLATES): templates, stages(DIGEST): digest, stages(LEAN_SHOW): lean_show}


def _unwrap(words: list[str], ctx: Ctx) -> tuple[list[str], bool]:
    """The command under `sudo [-n -E -H]` and `docker exec [opts] <container>`, and whether it runs as root."""
    root = ctx.root
    while True:
        if words[:1] == ["sudo"]:
            words, root = words[1:], True
            while words[:1] and words[0] in ("-n", "-E", "-H"):
                words = words[1:]
        elif words[:2] == ["docker", "exec"] and "docker" in ctx.view.tools:
            i = 2
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in ("--user", "-u", "--workdir", "-w", "-e", "--env") else 1
            words, root = words[i + 1:], True
        else:
            return words, root


def _lazy(ovs: Ovs) -> list[Mapped] | None:
    """The bridges' lazy tunnel ports, or None if there are none or ports of a form not known here."""
    out = []
    for b in ovs.bridges:
        if isinstance(b.ports, Mapped):
            if not isinstance(b.ports.base, Tunnels):
                return None
            out.append(b.ports)
        elif not isinstance(b.ports, list):
            return None
    return out or None


def answer(pipeline: list[list[str]], ctx: Ctx, run: Run) -> Result | None:
    """The result of `pipeline` (its last command's redirections taken off) if it is one of the three
    and the host's tunnels are lazy; else None, for the generic path."""
    first, root = _unwrap(pipeline[0], ctx)
    handler = PIPELINES.get((tuple(first), *(tuple(s) for s in pipeline[1:])))
    if handler is None or not root or ctx.view.ovs is None:
        return None
    lazy = _lazy(ctx.view.ovs)
    if lazy is None:
        return None
    return handler(ctx.view.ovs, lazy, [list(s) for s in pipeline[1:]], run)
