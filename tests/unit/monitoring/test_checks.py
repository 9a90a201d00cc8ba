"""Check scripts: parsers on recorded real outputs, verdicts, strict argv, and no shell anywhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).resolve().parents[3] / "monitoring" / "checks"
from tests.scan_support.zed import ZED as ZED_ROOT  # noqa: E402

ZED = ZED_ROOT / "cli"
sys.path.insert(0, str(CHECKS))

import check_instance_vnic  # noqa: E402
import check_ping  # noqa: E402
import check_pnic_ovs  # noqa: E402
import check_pnic_vpp  # noqa: E402
import check_vconnector  # noqa: E402
import check_vedge_ovs  # noqa: E402
import check_vedge_vpp  # noqa: E402
import check_vm  # noqa: E402
import check_vnic_vconnector  # noqa: E402
import check_vservice  # noqa: E402


def zed(name: str) -> str:
    path = ZED / name
    if not path.exists():
        pytest.skip(f"reference output {name} not present")
    return path.read_text()


def runner(outputs: dict[tuple, tuple[int, str, str]]):
    calls = []

    def run(argv):
        calls.append(list(argv))
        return outputs.get(tuple(argv), (127, "", f"{argv[0]}: command not found\n"))
    run.calls = calls
    return run


def test_pnic_on_the_recorded_zed_ip_link_show():
    text = zed("ip_link_show.txt")
    assert check_pnic_ovs.parse(text, "eth0") == (0, "eth0 is UP")
    status, msg = check_pnic_ovs.parse(text, "br-int")
    assert status == 2 and "DOWN" in msg
    assert check_pnic_ovs.parse(text, "eth9")[0] == 2


def test_pnic_runs_ip_link_show_of_that_interface_only():
    run = runner({("ip", "link", "show", "eth0"): (0, zed("ip_link_show.txt"), "")})
    assert check_pnic_ovs.check(["eth0"], run)[0] == 0
    assert run.calls == [["ip", "link", "show", "eth0"]]
    run = runner({("ip", "link", "show", "eth7"): (1, "", 'Device "eth7" does not exist.\n')})
    assert check_pnic_ovs.check(["eth7"], run) == (2, 'eth7: Device "eth7" does not exist.')


def test_vnic_vconnector_on_the_recorded_zed_showmacs():
    text = zed("brctl_showmacs_qbr28fb3371-d1.txt")
    assert check_vnic_vconnector.parse(text, "qbr28fb3371-d1", "fe:16:3e:41:77:bf")[0] == 0
    # the VM's MAC: its tap (fe:...) counts while the VM's own MAC is not learned yet
    assert check_vnic_vconnector.parse(text, "qbr28fb3371-d1", "fa:16:3e:41:77:bf")[0] == 0
    assert check_vnic_vconnector.parse(text, "qbr28fb3371-d1", "fa:16:3e:00:00:01")[0] == 1
    assert len(check_vconnector.macs(text)) == 2


def test_vconnector_missing_bridge_is_critical():
    run = runner({("brctl", "showmacs", "qbrX"): (1, "", "read of forward table failed: No such device\n")})
    assert check_vconnector.check(["qbrX"], run)[0] == 2


def test_vm_state_on_recorded_domstate():
    assert check_vm.judge(zed("virsh_domstate_instance-00000001.txt"), "instance-00000001")[0] == 0
    assert check_vm.judge("shut off\n\n", "i")[0] == 1
    assert check_vm.judge("paused\n", "i")[0] == 2
    run = runner({("sudo", "virsh", "domstate", "nope"): (1, "", "error: failed to get domain 'nope'\n")})
    assert check_vm.check(["nope"], run) == (2, "nope: error: failed to get domain 'nope'")


PING_OK = """PING 172.16.0.3 (172.16.0.3) from 172.16.0.2 : 256(284) bytes of data.
264 bytes from 172.16.0.3: icmp_seq=1 ttl=64 time=0.412 ms

--- 172.16.0.3 ping statistics ---
10 packets transmitted, 10 received, 0% packet loss, time 4506ms
rtt min/avg/max/mdev = 0.301/0.402/0.513/0.061 ms
"""
PING_LOST = """PING 172.16.0.9 (172.16.0.9) from 172.16.0.2 : 256(284) bytes of data.

--- 172.16.0.9 ping statistics ---
10 packets transmitted, 0 received, 100% packet loss, time 9210ms

"""


@pytest.mark.parametrize("text,expected", [(PING_OK, 0), (PING_LOST, 2),
                                           (PING_OK.replace(" 0% packet loss", " 5% packet loss"), 1),
                                           (PING_OK.replace("0.402/0.513", "400.2/500.1"), 1)])
def test_ping_thresholds(text, expected):
    stats = check_ping.statistics(text)
    assert check_ping.judge(stats, (1.0, 300.0, 600.0), (10.0, 1000.0, 2000.0)) == expected


def test_ping_failing_to_run_is_critical_not_a_crash():
    run = runner({})
    status, text = check_ping.check(["-f", "10.0.0.1", "-t", "10.0.0.2"], run)
    assert status == 2 and "command not found" in text
    assert run.calls[0][:1] == ["ping"] and run.calls[0][-3:] == ["-I", "10.0.0.1", "10.0.0.2"]


@pytest.mark.parametrize("module,args", [
    (check_pnic_ovs, []), (check_pnic_ovs, ["eth0", "eth1"]), (check_pnic_ovs, ["-eth0"]),
    (check_vm, ["--all"]), (check_vservice, ["dhcp"]), (check_vnic_vconnector, ["br"]),
    (check_ping, ["-f", "10.0.0.1"]), (check_ping, ["-f", "10.0.0.1", "-t", "x;rm"]),
    (check_ping, ["-f", "1.1.1.1", "-t", "2.2.2.2", "-W", "1/2/3"]), (check_vedge_ovs, ["x"]),
])
def test_wrong_arguments_are_unknown(module, args):
    from calipso_plugin import UsageError
    with pytest.raises(UsageError):
        module.check(args, runner({}))


def test_vedge_ovs_needs_both_daemons():
    healthy = ("ovsdb-server: monitoring pid 811 (healthy)\novsdb-server /etc/openvswitch/conf.db -vconsole:emer\n"
               "ovs-vswitchd: monitoring pid 870 (healthy)\novs-vswitchd unix:/var/run/openvswitch/db.sock\n")
    assert check_vedge_ovs.parse(healthy)[0] == 0
    assert check_vedge_ovs.parse("/usr/sbin/ovsdb-server /etc/openvswitch/conf.db\n/usr/sbin/ovs-vswitchd unix:x\n")[0] == 0
    assert check_vedge_ovs.parse("ovsdb-server /etc/openvswitch/conf.db\n")[0] == 2
    assert check_vedge_ovs.parse(healthy.replace("870 (healthy)", "870 (crashed, restarting)"))[0] == 2
    assert check_vedge_ovs.parse("bash\n")[0] == 2


def test_vservice_dhcp_needs_a_running_dnsmasq():
    ns = "qdhcp-4d4e5e39-c473-4970-853b-5d8651ceceb5"
    ps = "4201 S    dnsmasq --no-hosts --no-resolv --pid-file=/var/lib/neutron/dhcp/x/pid\n"
    run = runner({("sudo", "ip", "netns", "pid", ns): (0, "4201\n", ""),
                  ("ps", "-o", "pid=,stat=,args=", "-p", "4201"): (0, ps, "")})
    assert check_vservice.check(["dhcp", ns], run)[0] == 0
    run = runner({("sudo", "ip", "netns", "pid", ns): (0, "", "")})
    assert check_vservice.check(["dhcp", ns], run)[0] == 2
    assert check_vservice.judge([("1", "Z", "dnsmasq")], "dhcp", ns)[0] == 2


def test_instance_vnic_arp():
    arp = ("Address                  HWtype  HWaddress           Flags Mask            Iface\n"
           "10.0.0.5                 ether   fa:16:3e:21:84:c7   C                     ns-7d5c8dfc-5e\n")
    assert check_instance_vnic.arp_entry(arp, "FA:16:3E:21:84:C7")[0] == 0
    assert check_instance_vnic.arp_entry(arp, "fa:16:3e:00:00:00")[0] == 2


def test_vpp_interfaces_and_runtime():
    hw = ("              Name                Idx   Link  Hardware\n"
          "TenGigabitEthernet5/0/0           1     up   TenGigabitEthernet5/0/0\n"
          "  Ethernet address 00:25:b5:99:00:5c\n"
          "VirtualEthernet0/0/0              2    down  VirtualEthernet0/0/0\n")
    assert check_pnic_vpp.interface_state(hw, None, "GigabitEthernet")[0] == 0
    assert check_pnic_vpp.interface_state(hw, None, "Virtual")[0] == 2
    assert check_pnic_vpp.interface_state(hw, "nope", "Virtual")[0] == 2
    assert check_vedge_vpp.parse("Time 12.3\n  startup-config-process  done  1  0  0  0\n")[0] == 0
    assert check_vedge_vpp.parse("Time 12.3\n  startup-config-process  any wait  0\n")[0] == 1


@pytest.mark.parametrize("script", sorted(p.name for p in CHECKS.glob("check_*.py")))
def test_scripts_run_standalone_with_the_standard_library_only(script):
    """As Sensu runs them: a plain python3 with only the plugins directory on the path."""
    p = subprocess.run([sys.executable, "-S", str(CHECKS / script), "--bogus"], capture_output=True,
                       text=True, cwd="/", timeout=30, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(CHECKS)})
    assert p.returncode == 3, (p.stdout, p.stderr)
    assert p.stdout.startswith("usage") and not p.stderr
