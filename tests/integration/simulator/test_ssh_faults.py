"""`--fault` and `--latency` as an SSH client sees them."""

from __future__ import annotations

import socket
import time

import paramiko
import pytest

from simulator.faults import Conditions
from simulator.model import Params, build_model
from tests.integration.simulator.sshkit import client, openssh, run, start_ssh

WRAP = "ssh -q -o StrictHostKeyChecking=no"


@pytest.fixture(scope="module")
def model():
    return build_model(Params(computes=3, instances=3, seed=5))


def _started(model, tmp_path, **faults) -> tuple:
    conditions = Conditions(latency=faults.pop("latency", {}),
                            faults={h.replace("_", "-"): {k} for h, k in faults.items()})
    server = start_ssh(model, tmp_path, conditions)
    return server, server.config_section()


def test_down_master_refuses_connections(model, tmp_path):
    server, section = _started(model, tmp_path, ctl_1="down")
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((section["host"], section["port"]), timeout=2)
        assert openssh(section, "uname -n").status == 255
    finally:
        server.stop()


def test_down_host_hop_fails_like_openssh(model, tmp_path):
    server, section = _started(model, tmp_path, cmp_2="down")
    try:
        c = client(section)
        r = run(c, "ssh cmp-2 uname -n")
        assert r.status == 255 and r.err == "ssh: connect to host cmp-2 port 22: Connection refused\n"
        assert run(c, f"{WRAP} cmp-2 uname -n").status == 255
        assert run(c, f"{WRAP} cmp-1 uname -n").out == "cmp-1\n"
        with pytest.raises(paramiko.ChannelException):
            c.get_transport().open_channel("direct-tcpip", ("cmp-2", 22), ("127.0.0.2", 40000))
        c.close()
    finally:
        server.stop()


def test_auth_fault_fails_authentication_with_right_credentials(model, tmp_path):
    server, section = _started(model, tmp_path, ctl_1="auth", cmp_1="auth")
    try:
        with pytest.raises(paramiko.AuthenticationException):
            client(section)
        with pytest.raises(paramiko.AuthenticationException):
            client(section, key=True)
        r = openssh(section, "uname -n")
        assert r.status == 255 and "Permission denied" in r.err
    finally:
        server.stop()
    server, section = _started(model, tmp_path, cmp_1="auth")
    try:
        c = client(section)
        r = run(c, "ssh cmp-1 uname -n")
        assert r.status == 255 and "Permission denied (publickey,password)." in r.err
        c.close()
    finally:
        server.stop()


def test_garbage_fault_gives_malformed_output(model, tmp_path):
    clean, section = _started(model, tmp_path)
    try:
        c = client(section)
        good = run(c, f"{WRAP} cmp-1 sudo ovs-vsctl show").out
        c.close()
    finally:
        clean.stop()
    server, section = _started(model, tmp_path, cmp_1="garbage")
    try:
        c = client(section)
        bad = run(c, f"{WRAP} cmp-1 sudo ovs-vsctl show").out
        assert bad != good and "    Bridge br-int" not in bad.splitlines()
        assert run(c, f"{WRAP} cmp-2 sudo ovs-vsctl show").out.count("    Bridge br-int\n") == 1
        c.close()
    finally:
        server.stop()


def test_latency_and_slow_add_time_to_each_command(model, tmp_path):
    server, section = _started(model, tmp_path, latency={"ssh": 0.15}, cmp_1="slow")
    try:
        c = client(section)
        t = time.perf_counter()
        run(c, "uname -n")
        assert time.perf_counter() - t >= 0.15
        t = time.perf_counter()
        run(c, f"{WRAP} cmp-1 uname -n")
        assert time.perf_counter() - t >= 2.0
        c.close()
    finally:
        server.stop()
