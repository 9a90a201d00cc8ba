"""Rough edges a first real user hit (issue 14): release spellings, per-host SSH entries, exit codes,
where the tunnel IP lives, and the status words of power events."""

from __future__ import annotations

from app.envconfig.catalog import Catalog
from app.envconfig.cli_hosts import host_entries
from app.instance_status import api_status
from app.releases import aliases, release_in, same_release
from scan.controller import ScanResult
from scan.layers import failed_layers
from scan.parsers.ip import tunnel_underlay

ENV = {"distribution": "Debian", "mechanism_drivers": ["OVS"], "type_drivers": "vxlan"}


def test_release_names_and_numbers_are_one_release():
    assert same_release("zed", "Zed") and same_release("ZED", "2022.2") and same_release("2023.1", "Antelope")
    assert not same_release("zed", "yoga") and same_release("27747", "27747")
    assert release_in("2022.2", ["queens", "zed"]) and aliases("Zed") == ["zed", "Zed", "2022.2"]
    catalog = Catalog.from_seed()
    for version in ("zed", "Zed", "2022.2", "antelope"):
        assert catalog.supports({**ENV, "distribution_version": version}, "scanning") == (True, ""), version
    assert catalog.supports({**ENV, "distribution_version": "Zeta"}, "scanning")[0] is False


def test_a_per_host_entry_inherits_the_sections_credentials():
    section = {"host": "10.0.0.1", "user": "root", "key": "/keys/id", "pwd": "p", "port": 2222,
               "hosts": {"compute1": {"host": "127.0.0.1"}, "c2": {"host": "10.0.0.9", "user": "admin", "port": 22}}}
    entries = host_entries(section)
    assert entries["compute1"] == {"host": "127.0.0.1", "user": "root", "key": "/keys/id", "pwd": "p", "port": 2222}
    assert entries["c2"]["user"] == "admin" and entries["c2"]["port"] == 22 and entries["c2"]["key"] == "/keys/id"


def test_exit_codes_and_the_layer_that_failed():
    assert ScanResult("completed").exit_code == 0
    assert ScanResult("failed").exit_code == 1
    assert ScanResult("completed_with_errors").exit_code == 3
    errors = {"compute1": ["CliFetchHostPnics under pnics_folder x: SSH compute1: ls: exit status 255",
                           "DbFetchVedgesOvs under vedges_folder y: malformed output: ..."],
              "(cloud)": ["ApiFetchHosts under region r: 500"]}
    assert failed_layers(errors) == {"API": 1, "CLI": 1, "DB": 1}


IP = """1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
    inet 172.16.0.9/32 scope global lo
2: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq master br-mesh state UP group default qlen 1000
    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff
3: br-mesh: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff
    inet 172.16.0.2/16 scope global br-mesh
4: eth2.200@eth2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether 52:54:00:00:00:02 brd ff:ff:ff:ff:ff:ff
    inet 10.200.0.2/24 scope global eth2.200
"""


def test_the_nics_under_the_tunnel_ip():
    assert tunnel_underlay(IP, "172.16.0.9") == {"interface": "lo", "bridge": False, "underlay": []}
    assert tunnel_underlay(IP, "172.16.0.2") == {"interface": "br-mesh", "bridge": True, "underlay": ["eth1"]}
    assert tunnel_underlay(IP, "10.200.0.2") == {"interface": "eth2.200", "bridge": False, "underlay": ["eth2"]}
    assert tunnel_underlay(IP, "192.0.2.1") is None


def test_power_events_use_the_api_status_words():
    assert api_status("stopped") == "SHUTOFF" and api_status("active") == "ACTIVE"
    assert api_status("suspended") == "SUSPENDED" and api_status("SHUTOFF") == "SHUTOFF"
