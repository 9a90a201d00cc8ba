"""Shell safety: names and device names with spaces, quotes, `;` and `$()` are scanned as data,
and every command that reaches a host is quoted so that a real shell executes nothing extra."""

from __future__ import annotations

import shlex
import subprocess
import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions
from tests.scan_support.zed import ENV, ZedPool, zed_clients

WEIRD = "it's a \"net\"; $(touch pwned) `touch pwned2` & x"


def test_weird_names_in_the_simulated_cloud_are_scanned_as_data(store_uri, tmp_path):
    pytest.importorskip("simulator.model.build")
    from tests.scan_support.sim import start_in_process

    sim = start_in_process("weird", tmp_path / "sim", computes=1, instances=0, networks=1, routers=0)
    m = sim.live_model
    try:
        net = m.create_network(WEIRD)
        m.create_subnet(net.id, "10.77.0.0/24", name=WEIRD + " sub")
        router = m.create_router("r " + WEIRD)
        m.add_router_interface(router.id, subnet_id=m.networks[net.id].subnets[0]
                               if isinstance(m.networks[net.id].subnets[0], str) else m.networks[net.id].subnets[0].id)
        vm = m.create_server("vm " + WEIRD, networks=[net.id])
        store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        res = ScanController(store, ScanOptions(env="weird")).run()
        assert res.status == "completed", (res.reason, res.report.get("errors"))
        inv = Inventory(store)
        assert inv.get("weird", net.id, "network")["name"] == WEIRD
        doc = inv.get("weird", vm.id, "instance")
        assert doc["name"] == "vm " + WEIRD and doc["name_path"].endswith("/vm " + WEIRD)
        vs = [d for d in store["inventory"].find({"environment": "weird", "type": "vservice"})
              if d["id"].endswith(router.id)]
        assert vs and vs[0]["name"] == "router-r " + WEIRD
        links = {(l["link_type"], l["source_id"]) for l in store["links"].find({"environment": "weird"})}
        assert ("instance-vnic", vm.id) in links
    finally:
        sim.stop()
    assert not (tmp_path / "pwned").exists()


def test_device_names_from_host_output_never_reach_a_shell_raw(initialized_store, tmp_path):
    """A host whose interface list contains hostile names: the commands built from them,
    run by a real bash (with the program replaced by printf), print the names as data."""
    evil = ["eth0;touch pwned", "eth1$(touch pwned)", "eth2`touch pwned`", "eth 3'\"x"]
    pool = ZedPool()
    rc, text = pool.outputs["ls -l /sys/class/net | grep ^l"]
    for i, name in enumerate(evil):
        text += f"lrwxrwxrwx 1 root root 0 Nov 24 16:53 {name} -> ../../devices/pci0000:00/0000:00:0{i + 5}.0/net/{name}\n"
    pool.outputs["ls -l /sys/class/net | grep ^l"] = (rc, text)
    EnvironmentConfigs(initialized_store).add(dict(ENV))
    ScanController(initialized_store, ScanOptions(env="zed", serial=True), clients_factory=zed_clients(pool=pool)).run()
    def target_argv(wire):
        outer = shlex.split(wire)
        return shlex.split(outer[-1] if outer[0] == "ssh" else wire)

    sent = [c for c in pool.commands if target_argv(c)[-1] in evil]
    assert {target_argv(c)[-1] for c in sent} == set(evil)
    for wire in sent:
        outer = shlex.split(wire)
        inner = outer[-1] if outer[0] == "ssh" else wire       # what the target host's shell gets
        argv = shlex.split(inner)
        probe = "printf '%s\\n' " + inner.split(" ", 1)[1]     # same arguments, harmless program
        out = subprocess.run(["bash", "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=10)
        assert out.stdout.splitlines() == argv[1:]
        assert argv[-1] in evil
    assert not any(tmp_path.iterdir())                          # nothing was executed
