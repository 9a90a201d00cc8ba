"""Configuration generation from inventory documents: hostile names reach no shell unquoted, a
broken object is reported without stopping the others, and per-host counts follow the objects."""

from __future__ import annotations

import json
import subprocess

from app.store.seed import load_seed
from monitoring.generate import generate, secret_ref, with_secrets
from monitoring.templates import from_document

ENV = {"name": "e1", "mechanism_drivers": ["OVS"], "type_drivers": "vxlan", "enable_monitoring": True,
       "configuration": [{"name": "Monitoring", "server_ip": "10.0.0.9", "rabbitmq_port": 5671,
                          "rabbitmq_user": "sensu", "rabbitmq_pass": "s3cret", "provision": "DB",
                          "config_folder": "/tmp/x", "server_name": "sensu", "env_type": "production",
                          "api_port": 4567, "type": "Sensu"}]}
HOSTILE = ["br0; touch /tmp/calipso-pwned", "$(touch /tmp/calipso-pwned)", "`touch /tmp/calipso-pwned`",
           "a'b\"c", "x && reboot"]


def templates():
    return [from_document(d) for d in load_seed("monitoring_config_templates")]


def objects(name: str) -> list[dict]:
    return [{"type": "host", "id": "node-1", "ip_address": "10.0.0.1"},
            {"type": "vconnector", "id": "node-1-vc", "host": "node-1", "name": name, "bridge_name": name},
            {"type": "host_pnic", "id": "eth1-aa:bb", "host": "node-1", "name": name, "local_name": name},
            {"type": "instance", "id": "i-1", "host": "node-1", "local_name": name, "name": name},
            {"type": "vservice", "id": "node-1-qdhcp", "host": "node-1", "service_type": "dhcp",
             "local_service_id": name, "network": ["n1"]},
            {"type": "vnic", "id": "tap1", "host": "node-1", "vnic_type": "instance_vnic", "mac_address": name,
             "network": "n1"}]


def test_hostile_names_are_single_quoted_arguments(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    for script in ("check_vconnector.py", "check_pnic_ovs.py", "check_vm.py", "check_vservice.py",
                   "check_instance_vnic.py"):
        p = plugins / script
        p.write_text("#!/bin/sh\nprintf '%s\\n' \"$@\"\n")
        p.chmod(0o755)
    for name in HOSTILE:
        gen = generate(ENV, objects(name), [], templates())
        assert not gen.errors, gen.errors
        checks = gen.hosts["node-1"]["client.json"]["checks"]
        assert len(checks) == 5
        for check in checks.values():
            command = check["command"].replace("/etc/sensu/plugins", str(plugins))
            out = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=10, cwd=tmp_path)
            assert name in out.stdout.splitlines(), (command, out.stdout, out.stderr)
        assert not (tmp_path / "calipso-pwned").exists()
    assert not __import__("os").path.exists("/tmp/calipso-pwned")


def test_secrets_and_clients_per_host():
    gen = generate(ENV, objects("br0"), [], templates())
    # what is generated (and stored in monitoring_config) refers to the password, never copies it
    assert "s3cret" not in json.dumps([gen.server, gen.hosts])
    assert gen.hosts["node-1"]["rabbitmq.json"]["rabbitmq"]["password"] == secret_ref("rabbitmq_pass")
    files = with_secrets(gen.hosts, ENV["configuration"][0])
    assert files["node-1"]["rabbitmq.json"]["rabbitmq"]["password"] == "s3cret"
    assert with_secrets(gen.server, ENV["configuration"][0])["rabbitmq.json"]["rabbitmq"]["password"] == "s3cret"
    assert gen.hosts["node-1"]["rabbitmq.json"]["rabbitmq"]["port"] == 5671   # a number, not "5671"
    assert gen.hosts["node-1"]["client.json"]["client"]["name"] == "e1-node-1"
    assert gen.checks["node-1"] == {"vconnector_ovs": 1, "host_pnic_ovs": 1, "instance_vm": 1, "vservice": 1,
                                    "instance_vnic": 1}
    assert set(gen.server) >= {"rabbitmq.json", "handlers.json", "client.json", "filters.json"}
    json.dumps(gen.hosts)   # serialisable as files


def test_a_broken_object_is_reported_and_the_others_generated():
    objs = objects("br0") + [{"type": "otep", "id": "o1", "host": "node-2",
                              "ports": [{"name": "vxlan-1", "type": "vxlan", "options": {"remote_ip": "10.1.1.2"}}]}]
    gen = generate(ENV, objs, [], templates())
    assert "node-2" in gen.errors and "otep_src_ip" in gen.errors["node-2"][0]
    assert len(gen.hosts["node-1"]["client.json"]["checks"]) == 5


def test_vpp_and_lxb_select_their_templates():
    vpp = dict(ENV, mechanism_drivers=["VPP"])
    objs = [{"type": "vedge", "id": "v1", "host": "n"}, {"type": "host_pnic", "id": "p1", "host": "n",
                                                         "local_name": "TenGigabitEthernet5/0/0"},
            {"type": "vnic", "id": "VirtualEthernet0/0/1", "host": "n", "name": "VirtualEthernet0/0/1",
             "vnic_type": "instance_vnic"},
            {"type": "vconnector", "id": "bd1", "host": "n", "name": "bd1"}]
    gen = generate(vpp, objs, [], templates())
    checks = gen.hosts["n"]["client.json"]["checks"]
    assert "check_vedge_vpp.py" in checks["vedge_v1"]["command"]
    assert "check_pnic_vpp.py" in checks["host_pnic_p1"]["command"]
    assert any("check_vnic_vpp.py" in c["command"] for c in checks.values())
    assert not any(n.startswith("vconnector_") for n in checks)   # no VPP vconnector check
    lxb = generate(dict(ENV, mechanism_drivers=["LXB"]), objs, [], templates())
    assert not any(n.startswith("vedge_") for n in lxb.hosts["n"]["client.json"]["checks"])
