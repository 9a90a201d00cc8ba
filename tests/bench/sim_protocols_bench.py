"""Requests per second of the simulator's SSH, MySQL and APIC servers, and the cost of a host view.

SSH: one paramiko session (TCP_NODELAY on the client, as a scanner should set it), exec of a command on
the master and through the `ssh <host>` wrapper; also 8 sessions in parallel. MySQL: pymysql running
vim-contract Q2 and Q4. APIC: the epmMacEp lookup. Host view: building a network node's view (every
command's first step after a change) for clouds of 10, 100 and 1,000 compute hosts.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import paramiko
import pymysql
import requests

from simulator.apic.server import APICServer
from simulator.faults import Conditions
from simulator.hostview_build import build
from simulator.model import Params, build_model
from simulator.mysql.server import MySQLServer
from simulator.options import SimOptions
from simulator.ssh.service import SSHServer

Q4 = ('SELECT DISTINCT i.uuid AS id, i.display_name AS name, i.host AS host, host_ip AS ip_address, network_info, '
      'project_id, IF(p.name IS NULL, "Unknown", p.name) AS project FROM nova.instances i LEFT JOIN keystone.project p '
      'ON p.id = i.project_id JOIN nova.instance_info_caches ic ON i.uuid = ic.instance_uuid '
      'JOIN nova.compute_nodes cn ON i.node = cn.hypervisor_hostname WHERE i.deleted = 0')


def _ssh_client(section: dict, nodelay: bool = True) -> paramiko.SSHClient:
    sock = socket.create_connection((section["host"], section["port"]))
    if nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect(section["host"], section["port"], section["user"], password=section["pwd"], sock=sock,
              look_for_keys=False, allow_agent=False)
    return c


def _exec(c: paramiko.SSHClient, command: str) -> None:
    _, out, _ = c.exec_command(command)
    out.read()
    out.channel.recv_exit_status()


def _rate(fn, seconds: float = 2.0) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def _parallel_rate(make, work, threads: int = 8, seconds: float = 2.0) -> float:
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def loop(k: int) -> None:
        ctx = make()
        while time.perf_counter() < stop:
            work(ctx)
            counts[k] += 1

    ts = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def run() -> None:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        model = build_model(Params(computes=10, instances=100, networks=4, routers=1, seed=1))
        opts = SimOptions(state_dir=Path(tmp), conditions=Conditions(), aci=True)
        ssh, db, apic = SSHServer(model, opts), MySQLServer(model, opts), APICServer(model, opts)
        for s in (ssh, db, apic):
            s.start()
        try:
            cli = ssh.config_section()
            c = _ssh_client(cli)
            rows.append(("ssh exec `uname -n` (master)", f"{_rate(lambda: _exec(c, 'uname -n')):,.0f}/s"))
            rows.append(("ssh exec `ovs-vsctl show` via `ssh cmp-1`",
                         f"{_rate(lambda: _exec(c, 'ssh -q -o StrictHostKeyChecking=no cmp-1 sudo ovs-vsctl show')):,.0f}/s"))
            rows.append(("ssh exec `virsh dumpxml 1` via `ssh cmp-1`",
                         f"{_rate(lambda: _exec(c, 'ssh -q -o StrictHostKeyChecking=no cmp-1 sudo virsh dumpxml 1')):,.0f}/s"))
            slow = _ssh_client(cli, nodelay=False)
            rows.append(("ssh exec `uname -n`, client without TCP_NODELAY",
                         f"{_rate(lambda: _exec(slow, 'uname -n'), 1.0):,.0f}/s"))
            rows.append(("ssh exec, 8 sessions in parallel",
                         f"{_parallel_rate(lambda: _ssh_client(cli), lambda cc: _exec(cc, 'uname -n')):,.0f}/s"))
            c.close()
            slow.close()
            sec = db.config_section()
            conn = pymysql.connect(host=sec["host"], port=sec["port"], user=sec["user"], password=sec["pwd"],
                                   database="nova")

            def query(sql: str, *args) -> None:
                with conn.cursor() as cur:
                    cur.execute(sql, args or None)
                    cur.fetchall()

            rows.append(("mysql Q2 agents of a host",
                         f"{_rate(lambda: query('SELECT * FROM neutron.agents WHERE host = %s', 'ctl-1')):,.0f}/s"))
            rows.append(("mysql Q4 instances (100 rows, 3-way join)", f"{_rate(lambda: query(Q4)):,.0f}/s"))
            net = next(n for n in model.networks.values() if not n.external)
            start = time.perf_counter()
            model.update_network(net.id, name="renamed")
            query("SELECT name FROM neutron.networks WHERE id = %s", net.id)
            rows.append(("mysql first query after a change (rebuild)", f"{(time.perf_counter() - start) * 1000:.1f} ms"))
            conn.close()
            a = apic.config_section()
            base = f"http://{a['host']}:{a['port']}/api"
            s = requests.Session()
            s.post(f"{base}/aaaLogin.json", json={"aaaUser": {"attributes": {"name": a["user"], "pwd": a["pwd"]}}})
            mac = model.hosts["cmp-1"].pnics[0].mac
            flt = f'and(eq(epmMacEp.addr,"{mac}"),wcard(epmMacEp.ifId,"eth"))'
            rows.append(("apic epmMacEp lookup",
                         f"{_rate(lambda: s.get(f'{base}/class/epmMacEp.json', params={'query-target-filter': flt})):,.0f}/s"))
        finally:
            for srv in (apic, db, ssh):
                srv.stop()
    for computes in (10, 100, 1000):
        m = build_model(Params(computes=computes, instances=10 * computes, networks=computes // 20 + 2, routers=2,
                               seed=1))
        start = time.perf_counter()
        build(m, "ctl-1")
        net_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        build(m, "cmp-1")
        cmp_ms = (time.perf_counter() - start) * 1000
        rows.append((f"host view, {computes} computes: network node / compute", f"{net_ms:.1f} ms / {cmp_ms:.1f} ms"))
        start = time.perf_counter()
        from simulator.mysql.engine import Snapshot
        from simulator.mysql.schema import Names
        Snapshot(m, "current", Names())
        rows.append((f"mysql tables built, {computes} computes x 10 instances",
                     f"{(time.perf_counter() - start) * 1000:.0f} ms"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
