"""How the scanner reaches the hosts behind the master (CLI.host_access), against the simulated cloud:
jump connections (direct-tcpip through the master, as ProxyJump) and the hop through the master's ssh,
with host keys checked either way, and a master that refuses forwarding."""

from __future__ import annotations

import logging
import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.clients import build_clients
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.faults")
from simulator.faults import Conditions  # noqa: E402
from tests.scan_support.sim import start_in_process  # noqa: E402


@pytest.fixture
def scan_sim(store_uri, tmp_path, monkeypatch):
    """scan(faults, cli={...CLI section overrides}, forwarding=True) -> (result, clients, sim, store)."""
    monkeypatch.setenv("CALIPSO_HOME", str(tmp_path / "home"))   # Calipso's own known_hosts goes here
    started = []

    def scan(faults=None, cli=None, forwarding=True):
        name = f"j{uuid.uuid4().hex[:6]}"
        sim = start_in_process(name, tmp_path / name, computes=3, instances=3,
                               conditions=Conditions(faults=faults or {}), extra={"ssh_forwarding": forwarding})
        started.append(sim)
        for s in sim.env["configuration"]:
            if s["name"] == "CLI":
                s["host_key_policy"] = "known_hosts"     # the sim publishes every host's key in its known_hosts
                s.update(cli or {})
                s.update({k: None for k, v in (cli or {}).items() if v is None})
                for k in [k for k, v in s.items() if v is None]:
                    del s[k]
        store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        made = []

        def factory(env, caller):
            made.append(build_clients(env, caller))
            return made[-1]

        res = ScanController(store, ScanOptions(env=name), clients_factory=factory).run()
        return res, made[0], sim, store

    yield scan
    for s in started:
        s.stop()


def _jumped(clients) -> set[str]:
    return clients.pool.jumped


def _computes(sim) -> set[str]:
    return {h["name"] for h in sim.model["hosts"] if h["name"].startswith("cmp-")}


def test_jump_connections_reach_every_host_with_its_key_checked(scan_sim):
    res, clients, sim, _ = scan_sim()
    assert res.status == "completed", res.report["errors"]
    assert not clients.cli.hopping
    # one SSH session per host behind the master, each through a direct-tcpip channel on the master
    assert _jumped(clients) >= _computes(sim)
    assert res.report["objects"]["vnic"] >= 3 and res.report["objects"]["vedge"] >= 3
    assert res.report["ssh_connections"] <= len(sim.model["hosts"]) + 4 < res.report["remote_calls"]["SSH"]["calls"]


def test_jump_to_a_host_whose_key_changed_is_refused_and_named(scan_sim):
    res, _, sim, store = scan_sim({"cmp-2": {"hostkey"}})
    assert res.status == "completed_with_errors"
    assert list(res.report["errors"]) == ["cmp-2"]
    assert any("cmp-2" in e and "does not match" in e for e in res.report["errors"]["cmp-2"])
    assert res.report["remote_calls"]["SSH"]["failures"] <= 4          # refused once, then known down
    vedges = {d["host"] for d in store["inventory"].find({"environment": sim.env["name"], "type": "vedge"})}
    assert "cmp-2" not in vedges and {"cmp-1", "cmp-3"} <= vedges


def test_unknown_host_keys_are_refused_unless_accept_new_which_records_them(scan_sim, tmp_path):
    res, _, sim, _ = scan_sim(cli={"known_hosts": None})
    assert res.status == "failed" and "known_hosts" in res.reason     # the master itself is unknown
    res, _, sim, _ = scan_sim(cli={"known_hosts": None, "host_key_policy": "accept-new"})
    assert res.status == "completed", res.report["errors"]
    recorded = (tmp_path / "home" / "known_hosts").read_text()
    assert all(f"\n{h} ecdsa-sha2-nistp256 " in "\n" + recorded for h in _computes(sim))


def test_hop_mode_runs_ssh_on_the_master_which_checks_host_keys(scan_sim):
    res, clients, sim, _ = scan_sim(cli={"host_access": "hop"})
    assert res.status == "completed", res.report["errors"]
    assert clients.cli.hopping and not _jumped(clients)
    res, clients, _, _ = scan_sim({"cmp-2": {"hostkey"}}, cli={"host_access": "hop"})
    assert list(res.report["errors"]) == ["cmp-2"]
    assert any("Host key verification failed" in e for e in res.report["errors"]["cmp-2"])


def test_hop_mode_with_accept_any_does_not_check(scan_sim):
    res, _, _, _ = scan_sim({"cmp-2": {"hostkey"}}, cli={"host_access": "hop", "host_key_policy": "accept-any"})
    assert res.status == "completed", res.report["errors"]


def test_master_refusing_forwarding_auto_falls_back_to_hop(scan_sim, caplog):
    with caplog.at_level(logging.WARNING, logger="scan.access.ssh"):
        res, clients, sim, _ = scan_sim(forwarding=False)
    assert res.status == "completed", res.report["errors"]
    assert clients.cli.hopping and not _jumped(clients)
    assert sum("refuses TCP forwarding" in r.getMessage() for r in caplog.records) == 1


def test_master_refusing_forwarding_with_jump_required_names_the_fix(scan_sim):
    res, _, sim, _ = scan_sim(forwarding=False, cli={"host_access": "jump"})
    assert res.status == "completed_with_errors"
    assert _computes(sim) <= set(res.report["errors"])
    msgs = [e for h in _computes(sim) for e in res.report["errors"][h]]
    assert all("refuses TCP forwarding" in e and "CLI.host_access" in e for e in msgs)


def test_host_access_is_validated_also_against_a_store_seeded_before_it_existed(store):
    from app.envconfig.catalog import Catalog
    from app.envconfig.validate import validate_environment
    from app.errors import ValidationFailed
    from app.store.seed import load_seed
    store["constants"].insert_many([c for c in load_seed("constants") if c["name"] != "ssh_host_access"])
    store["supported_environments"].insert_many(load_seed("supported_environments"))
    env = {"name": "x", "distribution": "Devstack", "distribution_version": "zed", "mechanism_drivers": ["OVS"],
           "type_drivers": "vxlan", "configuration": [
               {"name": "OpenStack", "host": "10.0.0.1", "port": 5000, "user": "admin", "pwd": "p"},
               {"name": "mysql", "host": "10.0.0.1", "port": 3306, "user": "root", "pwd": "p"},
               {"name": "CLI", "host": "10.0.0.1", "user": "root", "pwd": "p", "host_access": "proxyjump"}]}
    catalog = Catalog.from_store(store)
    with pytest.raises(ValidationFailed) as e:
        validate_environment(env, catalog)
    assert "configuration[CLI].host_access" in str(e.value) and "'proxyjump' is not one of auto, jump, hop" in str(e.value)
    env["configuration"][2]["host_access"] = "hop"
    assert validate_environment(env, catalog)["configuration"][2]["host_access"] == "hop"
    del env["configuration"][2]["host_access"]
    assert validate_environment(env, catalog)["configuration"][2]["host_access"] == "auto"


def test_connections_prefer_aes_gcm_and_keep_the_other_ciphers_as_fallback(tmp_path):
    """GCM authenticates in one call per packet; chacha20-poly1305 (asyncssh's first choice) takes three."""
    from scan.access.ssh_pool import Endpoint, SshPool, prefer_aead

    assert prefer_aead(("aes128-ctr", "aes256-ctr", "aes128-gcm@openssh.com")) == (
        "aes128-gcm@openssh.com", "aes128-ctr", "aes256-ctr")
    assert prefer_aead(("aes128-ctr",)) == ("aes128-ctr",)     # a server without GCM still gets a cipher
    sim = start_in_process("gcm", tmp_path / "gcm", computes=1, instances=0)
    try:
        cli = next(s for s in sim.env["configuration"] if s["name"] == "CLI")
        pool = SshPool("accept-any")
        ep = Endpoint(cli["host"], int(cli.get("port") or 22), cli["user"], cli.get("pwd"), cli.get("key"))
        assert pool.exec(ep, "uname -n", 10).status == 0
        (conn,) = pool._conns[ep]
        info = conn.conn.get_extra_info
        assert info("send_cipher") == info("recv_cipher") == "aes128-gcm@openssh.com"
        pool.close()
    finally:
        sim.stop()


def test_no_ssh_connection_idles_through_the_phases_that_need_no_host(scan_sim, monkeypatch):
    """Each connection is a session on the master and a socket here; after the inventory none is
    kept, nor its memory (about 100 KB each: 100 MB at 1,000 hosts), nor the pool's event loop."""
    import threading
    import weakref

    from scan.access.ssh_pool import SshPool

    seen, opened = {}, []
    real_links, real_client = ScanController._links, SshPool._client

    async def client(self, ep):
        conn = await real_client(self, ep)
        opened.append(weakref.ref(conn.conn))
        return conn

    def links(self, env):
        seen["open"] = len([r for r in opened if r() is not None and not r().is_closed()])
        seen["loops"] = [t.name for t in threading.enumerate() if t.name == "ssh-pool"]
        return real_links(self, env)

    monkeypatch.setattr(SshPool, "_client", client)
    monkeypatch.setattr(ScanController, "_links", links)
    res, clients, sim, _ = scan_sim()
    assert res.status == "completed", res.report["errors"]
    assert res.report["ssh_connections"] == len(opened) > len(_computes(sim))   # the inventory reached every host...
    assert seen == {"open": 0, "loops": []}                          # ...and let go of them before the links


def test_a_channel_that_times_out_leaves_the_master_connection_and_its_other_hosts_alone(tmp_path, monkeypatch):
    import asyncio

    from scan.access.ssh_pool import ConnectFailed, Endpoint, SshPool

    sim = start_in_process("slowopen", tmp_path / "slowopen", computes=2, instances=0)
    try:
        cli = next(s for s in sim.env["configuration"] if s["name"] == "CLI")
        master = Endpoint(cli["host"], int(cli.get("port") or 22), cli["user"], cli.get("pwd"), cli.get("key"))
        a, b = (Endpoint(h, 22, master.user, master.pwd, master.key, via=master) for h in sorted(_computes(sim)))
        pool = SshPool("accept-any", timeout=1)
        assert pool.exec(a, "uname -n", 10).status == 0
        (carrier,) = pool._conns[master]
        real_open = carrier.conn.create_connection

        async def slow_open(*args, **kw):
            await asyncio.sleep(30)      # the master does not answer the channel open

        monkeypatch.setattr(carrier.conn, "create_connection", slow_open)
        with pytest.raises(ConnectFailed, match="no SSH session within 1 s through") as caught:
            pool.exec(b, "uname -n", 10)
        assert caught.value.transient
        monkeypatch.setattr(carrier.conn, "create_connection", real_open)
        opened = pool.opened
        assert pool.exec(a, "uname -n", 10).status == 0          # the host already riding on it still answers
        assert pool.exec(b, "uname -n", 10).status == 0          # and the next try of the slow one goes through
        assert pool._conns[master] == [carrier] and pool.opened == opened + 1   # only b's own session is new
        pool.close()
    finally:
        sim.stop()


def test_a_login_that_times_out_is_tried_again_not_reported_as_bad_credentials():
    """A host that accepts the TCP connection and then says nothing (overloaded, or its sshd stuck) is a
    transient failure (the call is retried), not 'authentication failed'."""
    import socket

    from scan.access.calls import AuthError
    from scan.access.ssh_pool import ConnectFailed, Endpoint, SshPool

    silent = socket.create_server(("127.0.0.1", 0))
    try:
        pool = SshPool("accept-any", timeout=1)
        ep = Endpoint("127.0.0.1", silent.getsockname()[1], "root", "secret", None)
        with pytest.raises(ConnectFailed, match="no SSH session within 1 s") as caught:
            pool.exec(ep, "uname -n", 10)
        assert caught.value.transient and not isinstance(caught.value, AuthError)
        pool.close()
    finally:
        silent.close()


def test_wrong_credentials_are_still_reported_as_such(tmp_path):
    from scan.access.calls import AuthError
    from scan.access.ssh_pool import Endpoint, SshPool

    sim = start_in_process("badlogin", tmp_path / "badlogin", computes=1, instances=0)
    try:
        cli = next(s for s in sim.env["configuration"] if s["name"] == "CLI")
        master = Endpoint(cli["host"], int(cli.get("port") or 22), cli["user"], cli.get("pwd"), cli.get("key"))
        (host,) = sorted(_computes(sim))
        pool = SshPool("accept-any")
        assert pool.exec(master, "uname -n", 10).status == 0
        with pytest.raises(AuthError, match="authentication failed for user 'root'$") as caught:
            pool.exec(Endpoint(master.host, master.port, "root", "wrong", None), "uname -n", 10)
        assert not caught.value.transient
        # a jump connection logs in to the host with the master's user and key: without a key it is refused
        with pytest.raises(AuthError, match="authentication failed for user 'root' through .*set CLI.host_access"):
            pool.exec(Endpoint(host, 22, "root", "wrong", None, via=master), "uname -n", 10)
        pool.close()
    finally:
        sim.stop()


def test_a_key_named_from_the_home_directory_logs_in_and_a_missing_one_says_which(tmp_path, monkeypatch):
    """CLI.key is a path as an operator writes it (`~/.ssh/id_rsa`); one that cannot be read is named."""
    import shutil

    from scan.access.calls import AuthError
    from scan.access.ssh_pool import Endpoint, SshPool

    sim = start_in_process("homekey", tmp_path / "homekey", computes=1, instances=0)
    try:
        cli = next(s for s in sim.env["configuration"] if s["name"] == "CLI")
        home = tmp_path / "home"
        (home / ".ssh").mkdir(parents=True)
        shutil.copy(cli["key"], home / ".ssh" / "id_rsa")
        monkeypatch.setenv("HOME", str(home))
        pool = SshPool("accept-any")
        ep = Endpoint(cli["host"], int(cli.get("port") or 22), cli["user"], None, "~/.ssh/id_rsa")
        assert pool.exec(ep, "uname -n", 10).status == 0
        with pytest.raises(AuthError, match=r"cannot read the private key ~/.ssh/absent: No such file"):
            pool.exec(Endpoint(ep.host, ep.port, ep.user, None, "~/.ssh/absent"), "uname -n", 10)
        pool.close()
    finally:
        sim.stop()
