"""Every mechanism driver the simulator offers: the shipped templates render without an error for its
scanned objects, the right variant of each check is chosen, and every id it produced survives the
check-name encoding."""

from __future__ import annotations

import pytest

from monitoring import config_store
from monitoring.ids import decode_id, encode_id
from monitoring.results.names import decode
from monitoring.results.processor import Processor
from tests.integration.monitoring.support import start

SCRIPTS = {"ovs": {"check_vedge_ovs.py", "check_pnic_ovs.py", "check_vconnector.py", "check_vservice.py",
                   "check_vm.py", "check_ping.py", "check_vnic_vconnector.py", "check_instance_vnic.py"},
           "linuxbridge": {"check_pnic_ovs.py", "check_vconnector.py", "check_vservice.py", "check_vm.py",
                           "check_vnic_vconnector.py", "check_instance_vnic.py"},
           "vpp": {"check_vedge_vpp.py", "check_pnic_vpp.py", "check_vnic_vpp.py", "check_vm.py"}}


@pytest.mark.parametrize("driver", ["ovs", "linuxbridge", "vpp"])
def test_templates_render_for_each_variant(initialized_store, tmp_path, driver):
    loop = start(initialized_store, tmp_path, None, provision="DB", driver=driver)
    try:
        assert loop.scan.status == "completed", loop.scan.report.get("errors")
        report = loop.scan.report["monitoring"]
        assert report["errors"] == 0 and report["hosts"] == 3
        docs = config_store.load(initialized_store, loop.name)
        commands = [c["command"] for d in docs for c in (d["config"].get("checks") or {}).values()]
        used = {w.rsplit("/", 1)[-1] for cmd in commands for w in cmd.split() if w.endswith(".py")}
        assert SCRIPTS[driver] <= used, used
        p = Processor(initialized_store)
        inv = {(d["type"], d["id"]) for d in initialized_store["inventory"].find({"environment": loop.name})}
        for d in docs:
            for name in d["config"].get("checks") or {}:
                t = decode(name, p.object_types, p.link_types)
                assert t.kind == "link" or (t.type, t.id) in inv, name
        for _, i in inv:
            assert decode_id(encode_id(i)) == i and decode_id(encode_id(i, part=False)) == i
    finally:
        loop.close()
