"""Reading one host's tunnel mesh: `ovs-vsctl show` of a host with 100 and 1,000 tunnel ports (l2population
off, rendered by the simulator), to the stored `tunnels` field.

Rows: the line parser (scan.parsers.ovs.vsctl_show, a dict per port, as every port was read before
scan.parsers.ovs_tunnels) and the scanner's read (vsctl_show_split: plain tunnel ports without a dict),
each alone and then with app.tunnel_mesh.compact; and the host's summary (scan.fetchers.cli.tunnel_summary:
its template lines, its digest and `ovs-vsctl show` without the tunnel ports, answered by the simulator's
shell), which the scanner reads instead wherever a host's ports are the mesh. CPU ms per host and µs per
tunnel port, best of 5: with a full mesh listing reads hosts x hosts ports, so this is what grows with the
cloud's size.
"""

from __future__ import annotations

import time

from app.tunnel_mesh import Mesh, compact
from scan.parsers.ovs import vsctl_show
from scan.parsers.ovs_tunnels import TUNNEL_TYPES, vsctl_show_split

SIZES = (100, 1000, 10000)
ROUNDS = 5


def _host(n: int) -> tuple[str, Mesh]:
    from simulator.hostview_build import build
    from simulator.model import Params, build_model
    from simulator.render.ovs import vsctl_show as render

    m = build_model(Params(computes=n, instances=0, l2_population=False))
    mesh = Mesh("vxlan", [(h.tunnel_ip, name) for name, h in m.hosts.items()
                          if h.tunnel_ip and (h.is_compute or h.is_network)])
    return render(build(m, "cmp-1").ovs), mesh


def _summary(n: int) -> tuple[list[str], Mesh]:
    """The three outputs the scanner reads from a host whose ports are the mesh."""
    from scan.fetchers.host_commands import OVS_SHOW_LEAN, TUNNEL_DIGEST, TUNNEL_TEMPLATES
    from simulator.hostview_build import build
    from simulator.model import Params, build_model
    from simulator.ssh.shell import Shell

    m = build_model(Params(computes=n, instances=0, l2_population=False))
    mesh = Mesh("vxlan", [(h.tunnel_ip, name) for name, h in m.hosts.items()
                          if h.tunnel_ip and (h.is_compute or h.is_network)])
    view = build(m, "cmp-1")
    shell = Shell(lambda name: view)
    return [shell.run("cmp-1", str(c), True).out for c in (TUNNEL_TEMPLATES, TUNNEL_DIGEST, OVS_SHOW_LEAN)], mesh


def _read_summary(outputs: list[str], expected, own: str | None) -> tuple:
    from scan.fetchers.cli.tunnel_summary import template_of

    found = template_of(outputs[0], outputs[1], expected, own)
    assert found is not None
    return found, vsctl_show_split(outputs[2])


def _line_parser(text: str, mesh: Mesh) -> dict:
    ports = vsctl_show(text).get("br-tun") or {}
    return compact([p for p in ports.values() if p.get("type") in TUNNEL_TYPES], mesh, None, False)


def _split(text: str, mesh: Mesh) -> dict:
    return compact(vsctl_show_split(text)[1], mesh, None, False)


def _cpu_ms(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(reps):
            fn()
        best = min(best, (time.process_time() - started) / reps)
    return best * 1000


def run() -> None:
    print(f"{'ports':>6} {'read':>28} {'KB':>6} {'parse ms':>9} {'µs/port':>8} {'+compact ms':>11} {'µs/port':>8}")
    from scan.fetchers.cli.tunnel_summary import Expected

    for n in SIZES:
        outputs, mesh = _summary(n)
        expected = Expected(mesh)
        own = next(ip for ip, host in zip(mesh.ips, mesh.hosts) if host == "cmp-1")
        p = _cpu_ms(lambda: _read_summary(outputs, expected, own), 20)
        print(f"{len(mesh) - 1:>6} {'summary (not listed)':>28} {sum(map(len, outputs)) / 1000:>6.1f} {p:>9.3f} "
              f"{1000 * p / (len(mesh) - 1):>8.2f} {'':>11} {'':>8}", flush=True)
        if n > 1000:   # listing 10,000 ports a host is what the summary is for
            continue
        text, mesh = _host(n)
        ports = text.count("\n                type: vxlan")
        reps = max(3, 20000 // ports)
        assert _line_parser(text, mesh) == _split(text, mesh)
        for label, parse, whole in (("line parser (a dict a port)", vsctl_show, _line_parser),
                                    ("vsctl_show_split", vsctl_show_split, _split)):
            p = _cpu_ms(lambda: parse(text), reps)
            w = _cpu_ms(lambda: whole(text, mesh), reps)
            print(f"{ports:>6} {label:>28} {len(text) / 1000:>6.1f} {p:>9.3f} {1000 * p / ports:>8.2f} "
                  f"{w:>11.3f} {1000 * w / ports:>8.2f}", flush=True)


if __name__ == "__main__":
    run()
