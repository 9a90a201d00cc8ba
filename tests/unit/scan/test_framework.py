"""The scanner's framework pieces: hierarchy validation, conditions, translation, catalog, calls."""

from __future__ import annotations

import threading
import time

import pytest

from scan.access.calls import Caller, CallStats, Limiter, Policy, RemoteError
from scan.access.rest import regions_from_catalog, strip_version
from scan.access.ssh import Cli, Raw
from scan.access.translate import Translator
from scan.conditions import matches
from scan.hierarchy import SCANNERS, Entry, HierarchyError, load


def test_shipped_hierarchy_loads_and_every_fetcher_resolves():
    h = load()
    assert "ApiFetchHosts" in h.fetchers and "CliFetchHostPnics" in h.fetchers


def test_unknown_fetcher_fails_at_start_with_a_hint():
    bad = dict(SCANNERS)
    bad["ScanRegion"] = bad["ScanRegion"] + (Entry("port", "ApiFetchPortz"),)
    with pytest.raises(HierarchyError, match=r"ApiFetchPortz.*did you mean 'ApiFetchPorts'"):
        load(bad)


def test_bad_children_and_after_are_reported_together():
    bad = {"ScanEnvironment": (Entry("region", "ApiFetchRegions", "ScanRegoin"),
                               Entry("host", "ApiFetchHosts", after=("network",)))}
    with pytest.raises(HierarchyError) as e:
        load(bad)
    assert "ScanRegoin" in str(e.value) and "'after' names 'network'" in str(e.value)


def test_conditions_any_overlap_and_booleans():
    env = {"mechanism_drivers": ["OVS", "SRIOV"], "type_drivers": "vxlan", "aci_enabled": False}
    assert matches({"mechanism_drivers": ["OVS", "LXB"]}, env)
    assert not matches({"mechanism_drivers": ["VPP"]}, env)
    assert matches({"type_drivers": ["vxlan", "gre"]}, env)
    assert not matches({"aci_enabled": True}, env)
    assert matches({"environment_type": "OpenStack"}, {})


def test_distribution_translation_table():
    mercury = Translator("Mercury", "10239", ["OVS"])
    assert mercury(("brctl", "show")) == [("docker", "exec", "--user", "root", "ovs_vswitch_10239", "brctl", "show")]
    assert [a[4] for a in mercury(("ip", "netns", "list"))] == ["neutron_l3_agent_10239", "neutron_dhcp_agent_10239"]
    assert mercury(("ip", "netns", "exec", "qdhcp-x", "ip", "a"))[0][4] == "neutron_dhcp_agent_10239"
    assert Translator("Mercury", "27747", ["OVS"])(("virsh", "list"))[0][4:6] == ("--workdir", "/root")
    assert Translator("Kolla", "zed", ["OVS"])(("brctl", "show")) == [("brctl", "show")]
    assert Translator("Debian", "zed", ["OVS"])(("ovs-vsctl", "show")) == [("ovs-vsctl", "show")]


def test_commands_are_quoted_and_wrapped_for_other_hosts():
    cli = Cli({"host": "10.0.0.1", "user": "calipso", "pwd": "x", "host_access": "hop"}, Caller(), pool=None)
    cli._master_name = "ctl-1"
    texts = cli.quote(("ip", "netns", "exec", "qdhcp-$(reboot); x", "ip", "address", "show"))
    assert texts == ["sudo ip netns exec 'qdhcp-$(reboot); x' ip address show"]
    ep, wire = cli._route("cmp 1", texts[0])
    assert wire.startswith("ssh -q -o StrictHostKeyChecking=yes -o BatchMode=yes 'cmp 1' ")
    import shlex
    assert shlex.split(shlex.split(wire)[-1]) == ["sudo", "ip", "netns", "exec", "qdhcp-$(reboot); x", "ip", "address", "show"]
    assert cli._route("ctl-1", "uname -n") == (cli.master, "uname -n")
    assert cli.quote(Raw("ls -1 /proc/net/bonding/ 2>&1")) == ["sudo ls -1 /proc/net/bonding/ 2>&1"]


def test_catalog_v3_prefers_admin_and_v2_shapes():
    v3 = [{"name": "nova", "type": "compute", "endpoints": [
        {"interface": "public", "region": "R1", "url": "http://pub:8774/v2.1"},
        {"interface": "admin", "region": "R1", "url": "http://adm:8774/v2.1"}]}]
    assert regions_from_catalog(v3)["R1"].endpoints["nova"]["url"] == "http://adm:8774/v2.1"
    v2 = [{"name": "neutron", "type": "network", "endpoints": [
        {"publicURL": "http://p:9696", "adminURL": "http://a:9696", "internalURL": "http://i:9696"}]}]
    assert regions_from_catalog(v2)["No-Region"].endpoints["neutron"]["url"] == "http://a:9696"
    assert strip_version("http://h:5000/v3/") == "http://h:5000"
    assert strip_version("http://h:8774/v2/abc") == "http://h:8774"
    assert strip_version("http://h:9696") == "http://h:9696"


def test_transient_errors_are_retried_a_bounded_number_of_times_and_counted():
    stats = CallStats()
    caller = Caller(Limiter(4, 2), stats, {"REST": Policy(attempts=3, wait_min=0, wait_max=0)}, sleep=lambda s: None)
    tries = []

    def flaky():
        tries.append(1)
        raise RemoteError("REST", "h", "GET x", "HTTP 500", transient=True)

    with pytest.raises(RemoteError, match="h: GET x: HTTP 500"):
        caller("REST", "h", "GET x", flaky)
    assert len(tries) == 3
    tries.clear()
    with pytest.raises(RemoteError):
        caller("REST", "h", "GET y", lambda: (tries.append(1), (_ for _ in ()).throw(
            RemoteError("REST", "h", "GET y", "HTTP 404")))[1])
    assert len(tries) == 1
    assert stats.as_dict()["REST"]["calls"] == 2 and stats.as_dict()["REST"]["failures"] == 2


def test_limiter_bounds_calls_per_host_and_in_total():
    limiter = Limiter(total=3, per_host=1)
    active: dict[str, int] = {}
    peak = {"total": 0, "host": 0}
    lock = threading.Lock()

    def work(host):
        with limiter.slot(host):
            with lock:
                active[host] = active.get(host, 0) + 1
                peak["host"] = max(peak["host"], active[host])
                peak["total"] = max(peak["total"], sum(active.values()))
            time.sleep(0.01)
            with lock:
                active[host] -= 1

    threads = [threading.Thread(target=work, args=(f"h{i % 5}",)) for i in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert peak["host"] == 1 and peak["total"] <= 3
