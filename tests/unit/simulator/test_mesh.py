"""The simulated agents' tunnels: a full mesh without l2population, rendered from one shared endpoint
list (never held per host), a lost tunnel, and a compute joining."""

from __future__ import annotations

from simulator.hostview_build import build
from simulator.model import Params, build_model
from simulator.model.build import add_compute
from simulator.model.plumbing import plumbing
from simulator.render.ovs import vsctl_show


def endpoints(m) -> set[str]:
    return {h.tunnel_ip for h in m.hosts.values() if h.tunnel_ip and (h.is_compute or h.is_network)}


def test_without_l2population_every_host_tunnels_to_every_other_endpoint():
    m = build_model(Params(computes=6, instances=0, l2_population=False))
    for name in ("cmp-1", "cmp-6", "ctl-1"):
        mine = m.hosts[name].tunnel_ip
        assert {t.remote_ip for t in plumbing(m, name).tunnels} == endpoints(m) - {mine}
        shown = vsctl_show(build(m, name).ovs)
        assert shown.count("type: vxlan") == len(endpoints(m)) - 1 and f'remote_ip="{mine}"' not in shown
    assert not any(a.configurations["l2_population"] for a in m.agents.values() if "l2_population" in a.configurations)


def test_the_hosts_share_one_endpoint_list_and_hold_no_tunnel():
    m = build_model(Params(computes=40, instances=0, l2_population=False))
    a, b = plumbing(m, "cmp-1").tunnels, plumbing(m, "cmp-2").tunnels
    assert a.peers is b.peers and len(a) == len(b) == 40
    bridge = next(br for br in build(m, "cmp-1").ovs.bridges if br.name == "br-tun")
    assert not isinstance(bridge.ports, list) and len(bridge.ports) == 42     # made as rendered


def test_a_lost_tunnel_and_a_joining_compute():
    m = build_model(Params(computes=4, instances=0, l2_population=False))
    m.hosts["cmp-2"].tunnel_lost = True
    assert len(plumbing(m, "cmp-2").tunnels) == len(endpoints(m)) - 2
    joined = add_compute(m)
    assert joined.name == "cmp-5" and joined.tunnel_ip in endpoints(m)
    assert joined.tunnel_ip in {t.remote_ip for t in plumbing(m, "cmp-1").tunnels}
    assert {t.remote_ip for t in plumbing(m, "cmp-5").tunnels} == endpoints(m) - {joined.tunnel_ip}
