"""The simulated APIC over HTTP with `requests`, as both Calipso generations call it (vim-contract §5)."""

from __future__ import annotations

import re

import pytest
import requests

from simulator.apic.server import APICServer
from simulator.faults import Conditions
from simulator.model import Params, build_model
from simulator.options import SimOptions


@pytest.fixture(scope="module")
def apic(tmp_path_factory):
    model = build_model(Params(computes=20, instances=4, seed=4, aci=True))
    server = APICServer(model, SimOptions(state_dir=tmp_path_factory.mktemp("apic"), aci=True))
    server.start()
    section = server.config_section()
    yield model, section, f"http://{section['host']}:{section['port']}/api"
    server.stop()


def login(base: str, section: dict) -> requests.Session:
    s = requests.Session()
    r = s.post(f"{base}/aaaLogin.json?gui-token-request=yes",
               json={"aaaUser": {"attributes": {"name": section["user"], "pwd": section["pwd"]}}}, timeout=5)
    assert r.status_code == 200
    attrs = r.json()["imdata"][0]["aaaLogin"]["attributes"]
    s.headers["APIC-Challenge"] = attrs["urlToken"]
    assert s.cookies.get("APIC-cookie") == attrs["token"]
    return s


def test_login_errors_and_token_checks(apic):
    model, section, base = apic
    bad = requests.post(f"{base}/aaaLogin.json", json={"aaaUser": {"attributes": {"name": "admin", "pwd": "x"}}}, timeout=5)
    assert bad.status_code == 401 and bad.json()["imdata"][0]["error"]["attributes"]["code"] == "401"
    assert requests.post(f"{base}/aaaLogin.json", data="{not json", timeout=5).status_code == 400
    assert requests.get(f"{base}/aaaRefresh.json", timeout=5).status_code == 403  # v2017 refresh: no credentials
    s = login(base, section)
    assert s.get(f"{base}/aaaRefresh.json", timeout=5).status_code == 200
    cookie_only = requests.get(f"{base}/class/fabricNode.json", cookies={"APIC-cookie": s.cookies["APIC-cookie"]},
                               timeout=5)
    assert cookie_only.status_code == 200


def test_every_host_pnic_mac_is_an_endpoint_on_a_leaf_port(apic):
    model, section, base = apic
    s = login(base, section)
    seen_switches = set()
    for host in list(model.hosts.values())[:6]:
        for nic in host.pnics:
            for wildcard in ("eth", "eth|po"):
                flt = f'and(eq(epmMacEp.addr,"{nic.mac}"),wcard(epmMacEp.ifId,"{wildcard}"))'
                (ep,) = s.get(f"{base}/class/epmMacEp.json", params={"query-target-filter": flt}, timeout=5).json()["imdata"]
                attrs = ep["epmMacEp"]["attributes"]
                assert attrs["addr"].lower() == nic.mac and "ip" in attrs["flags"].split(",")
                m = re.match(r"topology/(pod-1/node-\d+)/sys", attrs["dn"])
                seen_switches.add(m.group(1))
            system = s.get(f"{base}/mo/topology/{m.group(1)}/sys.json", timeout=5).json()["imdata"][0]["topSystem"]
            assert system["attributes"]["role"] == "leaf"
            phys = s.get(f"{base}/mo/topology/{m.group(1)}/sys/phys-[{attrs['ifId']}].json", timeout=5).json()
            assert phys["imdata"][0]["l1PhysIf"]["attributes"]["id"] == attrs["ifId"]
            cep = s.get(f"{base}/class/fvCEp.json", params={"rsp-subtree": "children",
                                                            "query-target-filter": f'eq(fvCEp.mac,"{nic.mac}")'},
                        timeout=5).json()["imdata"][0]["fvCEp"]
            assert cep["children"][0]["fvRsCEpToPathEp"]["attributes"]["tDn"].endswith(f"[{attrs['ifId']}]")
    assert len(seen_switches) == 1  # 6 hosts fit on one leaf
    unknown = s.get(f"{base}/class/epmMacEp.json",
                    params={"query-target-filter": 'and(eq(epmMacEp.addr,"00:11:22:33:44:55"),wcard(epmMacEp.ifId,"eth"))'},
                    timeout=5).json()
    assert unknown == {"totalCount": "0", "imdata": []}


def test_spines_and_lldp_adjacencies_connect_every_leaf(apic):
    model, section, base = apic
    s = login(base, section)
    spines = s.get(f"{base}/class/fabricNode.json",
                   params={"query-target-filter": 'eq(fabricNode.role, "spine")'}, timeout=5).json()["imdata"]
    names = {n["fabricNode"]["attributes"]["name"] for n in spines}
    assert names and all(n["fabricNode"]["attributes"]["role"] == "spine" for n in spines)
    leaves = {re.search(r"node-(\d+)", e["epmMacEp"]["attributes"]["dn"]).group(1)
              for e in s.get(f"{base}/class/epmMacEp.json", timeout=5).json()["imdata"]}
    assert len(leaves) == 2  # 21 hosts, 16 per leaf
    for leaf in leaves:
        adj = s.get(f"{base}/mo/topology/pod-1/node-{leaf}/sys.json",
                    params={"query-target": "subtree", "target-subtree-class": "lldpAdjEp"}, timeout=5).json()["imdata"]
        assert {a["lldpAdjEp"]["attributes"]["sysName"] for a in adj} == names
        assert all(list(a) == ["lldpAdjEp"] for a in adj)


def test_apic_faults(tmp_path):
    model = build_model(Params(computes=1, instances=0, seed=4))
    for kind, check in (("auth", lambda base, sec: requests.post(
            f"{base}/aaaLogin.json", json={"aaaUser": {"attributes": {"name": sec["user"], "pwd": sec["pwd"]}}},
            timeout=5).status_code == 401),
                        ("garbage", lambda base, sec: _not_json(requests.post(
                            f"{base}/aaaLogin.json", json={"aaaUser": {"attributes": {"name": sec["user"],
                                                                                       "pwd": sec["pwd"]}}},
                            timeout=5))),
                        ("down", lambda base, sec: _refused(base))):
        server = APICServer(model, SimOptions(state_dir=tmp_path, aci=True,
                                              conditions=Conditions(faults={"apic": {kind}})))
        server.start()
        sec = server.config_section()
        try:
            assert check(f"http://{sec['host']}:{sec['port']}/api", sec), kind
        finally:
            server.stop()


def _not_json(r: requests.Response) -> bool:
    try:
        r.json()
    except ValueError:
        return True
    return False


def _refused(base: str) -> bool:
    try:
        requests.get(f"{base}/class/fabricNode.json", timeout=2)
    except requests.ConnectionError:
        return True
    return False
