"""Helpers for the SSH tests: start the simulated master, run commands with paramiko or OpenSSH."""

from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import paramiko

from simulator.faults import Conditions
from simulator.options import SimOptions
from simulator.ssh.service import SSHServer


def start_ssh(model, state_dir: Path, conditions: Conditions | None = None) -> SSHServer:
    server = SSHServer(model, SimOptions(state_dir=state_dir, conditions=conditions or Conditions()))
    server.start()
    return server


def client(section: dict, password: str | None = None, key: bool = False) -> paramiko.SSHClient:
    sock = socket.create_connection((section["host"], section["port"]), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    kwargs = {"pkey": paramiko.RSAKey.from_private_key_file(section["key"])} if key else {
        "password": password if password is not None else section["pwd"]}
    c.connect(section["host"], section["port"], section["user"], sock=sock, look_for_keys=False,
              allow_agent=False, timeout=5, **kwargs)
    return c


@dataclass
class Run:
    out: str
    err: str
    status: int


def run(c: paramiko.SSHClient, command: str) -> Run:
    _, out, err = c.exec_command(command, timeout=10)
    o, e = out.read().decode(), err.read().decode()
    return Run(o, e, out.channel.recv_exit_status())


def openssh(section: dict, command: str, extra: list[str] | None = None) -> Run:
    """The real OpenSSH client, with the generated key, as a scanner host would run it."""
    argv = ["/usr/bin/ssh", "-i", section["key"], "-p", str(section["port"]), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=5", *(extra or []), f"{section['user']}@{section['host']}", command]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    return Run(p.stdout, p.stderr, p.returncode)
