"""Provisioning on the simulated cloud: Deploy puts exactly the checks spec §4.5 implies on every host
(read back over SSH with cat/ls, as an operator would), Files writes only locally, DB only stores,
and a host refusing SSH is named in the scan's errors while the others are still deployed."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from pathlib import Path

import paramiko
import pytest

from monitoring import config_store
from app.tunnel_mesh import with_all_ports
from monitoring.generate import secret_ref
from monitoring.ids import decode_id
from scan.controller import ScanController, ScanOptions
from tests.integration.monitoring.support import start

CHECK_SCRIPTS = sorted(p.name for p in (Path(__file__).resolve().parents[3] / "monitoring" / "checks").glob("*.py")
                       if not p.name.startswith("_"))


def ssh(loop, host: str, command: str) -> str:
    cli = next(s for s in loop.env["configuration"] if s["name"] == "CLI")
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect(cli["host"], port=int(cli["port"]), username=cli["user"], password=cli["pwd"], allow_agent=False,
              look_for_keys=False)
    try:
        line = command if host == "ctl-1" else shlex.join(["ssh", host, command])
        _, out, _ = c.exec_command(line)
        text = out.read().decode()
        out.channel.recv_exit_status()   # let the server finish the channel before we hang up
        return text
    finally:
        c.close()


def expected_checks(store, env: str) -> dict[str, Counter]:
    """Per host, check type -> count, from the inventory as spec §4.5 describes it."""
    inv = list(store["inventory"].find({"environment": env}))
    out: dict[str, Counter] = {}
    dhcp = {}
    for d in inv:
        if d["type"] == "vservice" and d.get("service_type") == "dhcp":
            for n in d.get("network") or []:
                dhcp.setdefault(n, d["host"])
    for d in sorted(inv, key=lambda d: d["id"]):
        host, t = d.get("host"), d["type"]
        add = []
        if t in ("vedge",):
            add = ["vedge"]
        elif t in ("host_pnic", "vconnector", "vservice"):
            add = [t]
        elif t == "instance":
            add = ["instance"]
        elif t == "otep":
            ports = d.get("ports") or with_all_ports(store, [d])[0].get("ports") or []
            add = ["otep"] * len([p for p in ports if p.get("type") == "vxlan"])
        elif t == "vnic" and d.get("vnic_type") == "instance_vnic":
            host, add = dhcp.get(d.get("network")), ["vnic"]
        for a in add:
            out.setdefault(host, Counter())[a] += 1
    for link in store["links"].find({"environment": env, "link_type": "vnic-vconnector"}):
        out.setdefault(link["host"], Counter())["link"] += 1
    return out


def kinds(checks: dict) -> Counter:
    return Counter(name.split("_")[0] if not name.startswith("host_pnic") else "host_pnic" for name in checks)


@pytest.fixture
def deployed(initialized_store, tmp_path, rabbitmq):
    loop = start(initialized_store, tmp_path, rabbitmq)
    yield loop
    loop.close()


def test_every_host_holds_exactly_its_checks_and_the_scripts(deployed):
    loop, store = deployed, deployed.store
    assert loop.scan.status == "completed", loop.scan.report.get("errors")
    report = loop.scan.report["monitoring"]
    assert report["provision"] == "Deploy" and report["deployed"] == report["hosts"] == 3
    expected = expected_checks(store, loop.name)
    for host in ("ctl-1", "cmp-1", "cmp-2"):
        assert "client.json" in ssh(loop, host, "ls /etc/sensu/conf.d").split()
        client = json.loads(ssh(loop, host, "cat /etc/sensu/conf.d/client.json"))
        assert client["client"]["name"] == f"{loop.name}-{host}"
        assert kinds(client["checks"]) == expected.get(host, Counter()), host
        assert ssh(loop, host, "ls /etc/sensu/plugins").split() == CHECK_SCRIPTS
        for name, check in client["checks"].items():
            assert check["interval"] == 15 and check["standalone"] is True
    stored = {d["host"]: d for d in config_store.load(store, loop.name) if d["type"] == "client.json"}
    assert set(stored) >= {"ctl-1", "cmp-1", "cmp-2"}


def test_check_names_name_real_objects(deployed):
    from monitoring.results.processor import Processor
    p = Processor(deployed.store)
    from monitoring.results.names import decode
    inv = {(d["type"], d["id"]) for d in deployed.store["inventory"].find({"environment": deployed.name})}
    links = {(l["link_type"], l["source_id"], l["target_id"])
             for l in deployed.store["links"].find({"environment": deployed.name})}
    for d in config_store.load(deployed.store, deployed.name):
        for name in (d["config"].get("checks") or {}):
            t = decode(name, p.object_types, p.link_types)
            if t.kind == "link":
                assert (t.type, t.id, t.target_id) in links
            else:
                assert (t.type, t.id) in inv, name
    for _, i in inv:
        assert decode_id(__import__("monitoring.ids").ids.encode_id(i)) == i


def test_files_level_writes_locally_only(initialized_store, tmp_path, rabbitmq):
    loop = start(initialized_store, tmp_path, rabbitmq, provision="Files")
    try:
        folder = tmp_path / "sensu_config"
        assert (folder / "server" / "rabbitmq.json").exists()
        assert sorted(p.name for p in (folder / "host" / "cmp-1").iterdir()) == \
            ["client.json", "rabbitmq.json", "transport.json"]
        assert oct((folder / "host" / "cmp-1" / "rabbitmq.json").stat().st_mode & 0o777) == "0o600"
        # the files hold the broker password; monitoring_config only a reference to the environment's own
        section = next(s for s in loop.env["configuration"] if s["name"] == "Monitoring")
        written = json.loads((folder / "host" / "cmp-1" / "rabbitmq.json").read_text())
        assert written["rabbitmq"]["password"] == section["rabbitmq_pass"]
        stored = [d["config"]["rabbitmq"]["password"] for d in config_store.load(initialized_store, loop.name)
                  if d["type"] == "rabbitmq.json"]
        assert len(stored) == 4 and set(stored) == {secret_ref("rabbitmq_pass")}
        assert ssh(loop, "cmp-1", "ls /etc/sensu/conf.d") == ""
        assert loop.scan.report["monitoring"]["deployed"] == 0
    finally:
        loop.close()


def test_db_level_only_stores(initialized_store, tmp_path, rabbitmq):
    loop = start(initialized_store, tmp_path, rabbitmq, provision="DB")
    try:
        assert not (tmp_path / "sensu_config").exists()
        docs = config_store.load(initialized_store, loop.name)
        assert {d["type"] for d in docs if d["side"] == "client"} == {"client.json", "rabbitmq.json", "transport.json"}
        assert ssh(loop, "cmp-1", "ls /etc/sensu/conf.d") == ""
        env = initialized_store["environments_config"].find_one({"name": loop.name})
        assert env["monitoring_setup_done"] is True
    finally:
        loop.close()


def test_a_host_refusing_ssh_is_named_and_the_others_are_deployed(initialized_store, tmp_path, rabbitmq):
    loop = start(initialized_store, tmp_path, rabbitmq)
    try:
        loop.conditions.add("cmp-2", "down")
        result = ScanController(initialized_store, ScanOptions(env=loop.name, monitoring_setup_only=True)).run()
        assert result.status == "completed_with_errors"
        assert list(result.report["errors"]) == ["cmp-2"]
        assert "monitoring deployment" in result.report["errors"]["cmp-2"][0]
        assert result.report["monitoring"]["deployed"] == 2
        msgs = list(initialized_store["messages"].find({"environment": loop.name, "level": "error"}))
        assert any("cmp-2" in m["message"] for m in msgs)
    finally:
        loop.close()
