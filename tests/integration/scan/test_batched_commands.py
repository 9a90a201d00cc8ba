"""Several host commands in one SSH call (`Cli.run_each`): the libvirt domains of a host's instances
are read in one call per host, each name quoted so that a real shell executes nothing extra, and a
domain the batch could not read is asked for alone, so the inventory is the same."""

from __future__ import annotations

import subprocess
import uuid

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.access.calls import Caller, CallStats, Limiter
from scan.access.ssh import Cli
from scan.access.ssh_pool import Result
from scan.clients import build_clients
from scan.controller import ScanController, ScanOptions
from tests.scan_support.sim import start_in_process

DOMAIN = "<domain type='kvm'><name>{0}</name><uuid>u-{0}</uuid></domain>"
FAKE_VIRSH = ("virsh() { if [ \"$2\" = good ] || [ \"$2\" = other ]; then printf \"" + DOMAIN.replace("{0}", "%s")
              + "\\n\" \"$2\" \"$2\"; else echo \"error: failed to get domain '$2'\" >&2; return 1; fi; }; ")


class BashPool:
    """Runs what the scanner sends in a real bash (virsh replaced by a shell function) in `cwd`."""

    def __init__(self, cwd):
        self.cwd, self.sent = cwd, []

    def exec(self, ep, text, timeout):
        self.sent.append(text)
        p = subprocess.run(["bash", "-c", FAKE_VIRSH + text], cwd=self.cwd, capture_output=True, text=True,
                           timeout=10)
        return Result(p.stdout, p.stderr, p.returncode)


def _cli(pool, user="root") -> Cli:
    return Cli({"host": "master", "user": user, "key": "/nonexistent", "hosts": {"cmp-1": {"host": "10.0.0.1"}}},
               Caller(Limiter(4, 4), CallStats()), pool)


def test_one_call_answers_each_command_and_a_failed_one_with_none(tmp_path):
    evil = "it's; touch pwned $(touch pwned2) `touch pwned3`"
    pool = BashPool(tmp_path)
    outs = _cli(pool).run_each("cmp-1", [("virsh", "dumpxml", "good"), ("virsh", "dumpxml", evil),
                                         ("virsh", "dumpxml", "other")])
    assert len(pool.sent) == 1
    assert outs[0].strip() == DOMAIN.format("good") and outs[2].strip() == DOMAIN.format("other")
    assert outs[1] is None
    assert not any(tmp_path.iterdir())            # the hostile name was an argument, never a command


def test_a_non_root_user_runs_every_command_of_the_batch_with_sudo(tmp_path):
    pool = BashPool(tmp_path)
    _cli(pool, user="calipso").run_each("cmp-1", [("virsh", "dumpxml", "a"), ("virsh", "dumpxml", "b")])
    assert pool.sent[0].count("sudo virsh dumpxml") == 2
    assert "sudo sudo" not in pool.sent[0]


def _scan_recording_calls(store_uri, tmp_path, monkeypatch, computes: int, instances: int):
    """A full scan of a simulated cloud; (store, env name, [(host, text sent)], sim)."""
    name = f"b{uuid.uuid4().hex[:6]}"
    sim = start_in_process(name, tmp_path / name, computes=computes, instances=instances)
    sent: list[tuple[str, str]] = []
    real_once = Cli._once

    def once(self, host, text, call):
        sent.append((host, text))
        return real_once(self, host, text, call)

    monkeypatch.setattr(Cli, "_once", once)
    for s in sim.env["configuration"]:
        if s["name"] == "CLI":
            s["host_key_policy"] = "accept-any"
    store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
    init_db(store)
    EnvironmentConfigs(store).add(sim.env)
    try:
        res = ScanController(store, ScanOptions(env=name), clients_factory=build_clients).run()
    finally:
        sim.stop()
    assert res.status == "completed", res.report["errors"]
    return store, name, sent


def test_a_scan_reads_the_domains_of_each_host_in_one_call(store_uri, tmp_path, monkeypatch):
    store, name, sent = _scan_recording_calls(store_uri, tmp_path, monkeypatch, computes=2, instances=6)
    dumps = [(h, t) for h, t in sent if "virsh dumpxml" in t]
    hosts = {i["host"] for i in Inventory(store).of_type(name, "instance")}
    assert len(hosts) == 2 and sorted(h for h, _ in dumps) == sorted(hosts)   # one call per host
    assert sum(t.count("virsh dumpxml") for _, t in dumps) == 6
    vnics = list(Inventory(store).of_type(name, "vnic"))
    assert len([v for v in vnics if v.get("vnic_type") == "instance_vnic"]) == 6


class CountingBash(BashPool):
    """A real bash on which `ovs-vsctl show` prints a lot and `ovs-dpctl show` fails."""

    def exec(self, ep, text, timeout):
        text = ("ovs-vsctl() { python3 -c 'print(\"x\" * 40000)'; }; ovs-dpctl() { echo 'dpctl: no datapath' >&2; "
                "return 1; }; empty() { :; }; " + text)
        return super().exec(ep, text, timeout)


def test_a_hosts_first_command_prefetches_its_list_in_one_call_and_each_asker_gets_its_own_answer(tmp_path):
    from scan.access.calls import RemoteError

    pool = CountingBash(tmp_path)
    cli = _cli(pool)
    cli.host_commands = lambda host: [("ovs-vsctl", "show"), ("ovs-dpctl", "show"), ("empty",),
                                      ("echo", "it's $(touch pwned)")]
    assert cli.run("cmp-1", ("empty",)) == ""                          # served by the batch, though empty
    assert len(pool.sent) == 1 and pool.sent[0].count("__calipso_end_of_output__") == 4
    assert cli.run("cmp-1", ("echo", "it's $(touch pwned)")).strip() == "it's $(touch pwned)"
    assert cli.run("cmp-1", ("ovs-vsctl", "show")).strip() == "x" * 40000
    assert len(pool.sent) == 1                                         # no further call so far
    assert cli.run("cmp-1", ("ovs-vsctl", "show")).strip() == "x" * 40000   # a large output is kept once only
    assert len(pool.sent) == 2
    try:                                                               # a failed one is asked alone: its own error
        cli.run("cmp-1", ("ovs-dpctl", "show"))
        raise AssertionError("ovs-dpctl show should have failed")
    except RemoteError as e:
        assert "dpctl: no datapath" in str(e) and "exit status 1" in str(e)
    assert len(pool.sent) == 3 and pool.sent[2].endswith("; ovs-dpctl show")
    assert cli.run("cmp-1", ("ovs-dpctl", "show"), ok_status=(0, 1)) == ""   # a status its asker accepts
    assert not any(tmp_path.iterdir())


def test_after_the_fetch_the_kept_outputs_are_dropped_and_a_later_asker_runs_its_own_command(tmp_path):
    pool = CountingBash(tmp_path)
    cli = _cli(pool)
    cli.host_commands = lambda host: [("ovs-vsctl", "show"), ("empty",)]
    cli.run("cmp-1", ("empty",))
    cli.forget()
    assert cli.run("cmp-1", ("empty",)) == "" and len(pool.sent) == 2 and pool.sent[1].endswith("}; empty")


def test_a_batch_whose_markers_a_shell_mangled_is_not_kept_and_each_command_is_asked_alone(tmp_path):
    class Mangling(BashPool):
        def exec(self, ep, text, timeout):
            res = super().exec(ep, text, timeout)
            return Result(res.out.replace("__calipso_end_of_output__ 0", "", 1), res.err, res.status)

    pool = Mangling(tmp_path)
    cli = _cli(pool)
    cli.host_commands = lambda host: [("echo", "a"), ("echo", "b")]
    assert cli.run("cmp-1", ("echo", "b")).strip() == "b"
    assert [t.split("; ")[-1] for t in pool.sent[1:]] == ["echo b"]


def test_a_full_scan_asks_each_host_its_facts_in_one_call(store_uri, tmp_path, monkeypatch):
    from scan.fetchers.host_commands import ADDRESSES, OVS_SHOW

    store, name, sent = _scan_recording_calls(store_uri, tmp_path, monkeypatch, computes=3, instances=6)
    hosts = {h["id"] for h in Inventory(store).of_type(name, "host")}
    alone = [(h, t) for h, t in sent if t.removeprefix("sudo ") in (" ".join(ADDRESSES), " ".join(OVS_SHOW))]
    assert alone == []                                  # never asked alone: the batch answered
    batches = [h for h, t in sent if t.count("__calipso_end_of_output__") >= 5]
    assert sorted(batches) == sorted(hosts)             # one batch per host
    pnics = list(Inventory(store).of_type(name, "host_pnic"))
    assert len(pnics) >= 2 * len(hosts)
    assert all(p.get("Speed") for p in pnics)              # ethtool read for each, from the batch
    ethtools = [(h, t.count("ethtool ")) for h, t in sent if "ethtool " in t]
    assert all(n >= 2 for _, n in ethtools)              # every interface's ethtool of a host in one call
    assert len(ethtools) == len({h for h, _ in ethtools}) and sum(n for _, n in ethtools) >= len(pnics)
