"""The simulated MySQL over pymysql: every query of vim-contract §3.2, answered from the model, warning-free;
MySQL's own errors for bad logins and bad SQL; faults; and the same tables loaded into a real MariaDB."""

from __future__ import annotations

import json
import socket
import time
import uuid
from datetime import datetime

import pymysql
import pytest

from simulator.faults import Conditions
from simulator.model import Params, build_model
from simulator.model.ids import dev_name
from simulator.mysql.server import MySQLServer
from simulator.options import SimOptions
from tests.fixtures import ZED

QUERIES = ZED / "mysql" / "queries"


def start(model, tmp_path, release="current", conditions=None, **extra) -> MySQLServer:
    server = MySQLServer(model, SimOptions(state_dir=tmp_path, conditions=conditions or Conditions(),
                                           extra={"release": release, **extra}))
    server.start()
    return server


def connect(section: dict, **kw) -> pymysql.Connection:
    args = {"host": section["host"], "port": section["port"], "user": section["user"], "password": section["pwd"],
            "database": section.get("schema", "nova"), "cursorclass": pymysql.cursors.DictCursor} | kw
    return pymysql.connect(**args)


@pytest.fixture(scope="module", params=["current", "old"])
def cloud(request, tmp_path_factory):
    model = build_model(Params(computes=3, instances=4, networks=2, routers=1, seed=21, release=request.param))
    server = start(model, tmp_path_factory.mktemp("mysql"), release=request.param)
    conn = connect(server.config_section())
    yield model, conn, request.param
    conn.close()
    server.stop()


def q(conn, sql: str, *params) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(sql, params or None)
        rows = cur.fetchall()
        cur.execute("SHOW WARNINGS")
        assert cur.fetchall() == ()  # the scanner connects with raise_on_warnings=True
    conn.commit()
    return list(rows)


def test_q0_exactly_one_neutron_database(cloud):
    _, conn, _ = cloud
    names = [r["Database"] for r in q(conn, "SHOW DATABASES")]
    assert [n for n in names if "neutron" in n] == ["neutron"] and {"nova", "keystone"} <= set(names)


def test_q1_q2_q9_agents(cloud):
    model, conn, _ = cloud
    rows = q(conn, "SELECT DISTINCT host, host AS id, configurations FROM neutron.agents "
                   "WHERE agent_type IN ('Metadata agent', 'DHCP agent', 'L3 agent')")
    assert {r["host"] for r in rows} == {h.name for h in model.hosts.values() if h.is_network}
    for host in model.hosts:
        rows = q(conn, "SELECT * FROM neutron.agents WHERE host = %s", host)
        assert {r["id"] for r in rows} == {a.id for a in model.agents_on_host(host)}
        for r in rows:
            assert isinstance(r["created_at"], datetime) and r["admin_state_up"] == 1
            assert json.loads(r["configurations"]) == model.agents[r["id"]].configurations
        ovs = q(conn, "SELECT * FROM neutron.agents WHERE host = %s AND agent_type = 'Open vSwitch agent'", host)
        expect = [a for a in model.agents_on_host(host) if a.agent_type == "Open vSwitch agent"]
        assert [r["id"] for r in ovs] == [a.id for a in expect]


def test_q3_compute_node_ip(cloud):
    model, conn, _ = cloud
    for h in model.computes():
        rows = q(conn, "SELECT host_ip AS ip_address FROM nova.compute_nodes WHERE hypervisor_hostname = %s",
                 h.hypervisor_hostname)
        assert rows == [{"ip_address": h.ip}]


@pytest.mark.parametrize("variant", ["Q04", "Q04cvim"])
def test_q4_instances_join_their_caches_projects_and_nodes(cloud, variant):
    model, conn, _ = cloud
    rows = q(conn, (QUERIES / f"{variant}.sql").read_text())
    assert {r["id"] for r in rows} == set(model.instances)
    for r in rows:
        inst = model.instances[r["id"]]
        assert (r["name"], r["host"], r["project_id"]) == (inst.name, inst.host, inst.project_id)
        assert r["project"] == model.projects[inst.project_id].name
        assert r.get("ip_address", r.get("host_ip_address")) == model.hosts[inst.host].ip
        vifs = json.loads(r["network_info"])
        assert [v["id"] for v in vifs] == inst.port_ids
        for v in vifs:
            port = model.ports[v["id"]]
            net = model.networks[port.network_id]
            assert v["address"] == port.mac_address and v["devname"] == dev_name("tap", port.id)
            assert (v["network"]["id"], v["network"]["label"]) == (net.id, net.name)
            assert v["network"]["subnets"][0]["ips"][0]["address"] == port.fixed_ips[0]["ip_address"]


def test_q5_q6_aggregates_where_each_release_keeps_them(cloud):
    model, conn, release = cloud
    legacy = q(conn, "SELECT id, name FROM nova.aggregates WHERE deleted = 0")
    agg = next(iter(model.aggregates.values()))
    if release == "old":
        assert legacy == [{"id": agg.id, "name": agg.name}]
        hosts = q(conn, "SELECT CONCAT('aggregate-', a.name, '-', host) AS id, host AS name FROM nova.aggregate_hosts ah "
                        "JOIN nova.aggregates a ON a.id = ah.aggregate_id WHERE ah.deleted = 0 AND aggregate_id = %s",
                  str(agg.id))
    else:  # Zed: the legacy tables are empty, nova_api holds them and has no `deleted` column
        assert legacy == []
        with pytest.raises(pymysql.err.OperationalError) as e:
            q(conn, "SELECT id, name FROM nova_api.aggregates WHERE deleted = 0")
        assert e.value.args[0] == 1054
        hosts = q(conn, "SELECT CONCAT('aggregate-', a.name, '-', host) AS id, host AS name FROM nova_api.aggregate_hosts ah "
                        "JOIN nova_api.aggregates a ON a.id = ah.aggregate_id WHERE aggregate_id = %s", str(agg.id))
    assert {r["name"] for r in hosts} == set(agg.hosts)
    assert {r["id"] for r in hosts} == {f"aggregate-{agg.name}-{h}" for h in agg.hosts}


def test_q7_q8_namespace_lookups(cloud):
    model, conn, release = cloud
    for net in model.networks.values():
        assert q(conn, "SELECT name FROM neutron.networks WHERE id = %s", net.id) == [{"name": net.name}]
    owner = "tenant_id" if release == "old" else "project_id"
    for router in model.routers.values():
        (row,) = q(conn, "SELECT * FROM neutron.routers WHERE id = %s", router.id)
        assert (row["name"], row["gw_port_id"], row[owner], row["enable_snat"]) == (
            router.name, router.gw_port_id, router.project_id, 1)


def test_q10_q12_tunnel_endpoints(cloud):
    model, conn, _ = cloud
    for h in model.hosts.values():
        rows = q(conn, "SELECT * FROM neutron.ml2_vxlan_endpoints WHERE host = %s", h.name)
        expect = [{"ip_address": h.tunnel_ip, "udp_port": 4789, "host": h.name}] if (
            h.tunnel_ip and (h.is_compute or h.is_network)) else []
        assert rows == expect
        assert q(conn, "SELECT udp_port FROM neutron.ml2_vxlan_endpoints WHERE host = %s", h.name) == [
            {"udp_port": r["udp_port"]} for r in expect]
    assert q(conn, 'SELECT configurations FROM neutron.agents WHERE agent_type="Linux bridge agent" AND host = %s',
             "cmp-1") == []


def test_q13_q15_ports_of_a_network_in_key_order(cloud):
    model, conn, _ = cloud
    net = next(n for n in model.networks.values() if not n.external)
    ports = model.ports_of_network(net.id)
    assert {r["id"] for r in q(conn, "SELECT * FROM neutron.ports where network_id = %s", net.id)} == {p.id for p in ports}
    assert [r["id"] for r in q(conn, "SELECT id FROM neutron.ports where network_id = %s", net.id)] == sorted(
        p.id for p in ports)
    dhcp = q(conn, 'SELECT id FROM neutron.ports where network_id = %s AND device_owner LIKE "%%dhcp"', net.id)
    assert dhcp == [{"id": p.id} for p in ports if p.device_owner == "network:dhcp"]


def test_q16_q17(cloud):
    model, conn, _ = cloud
    rows = q(conn, "SELECT DISTINCT availability_zone, availability_zone AS id, COUNT(DISTINCT host) AS descendants "
                   "FROM nova.instances WHERE availability_zone IS NOT NULL GROUP BY availability_zone")
    assert rows == [{"availability_zone": "nova", "id": "nova",
                     "descendants": len({i.host for i in model.instances.values()})}]
    meta = q(conn, "SELECT DISTINCT host, host AS id, configurations FROM neutron.agents WHERE agent_type = 'Metadata agent'")
    assert {r["host"] for r in meta} == {h.name for h in model.hosts.values() if h.is_network}


def test_unqualified_tables_use_the_current_database(cloud):
    model, conn, _ = cloud
    assert len(q(conn, "SELECT uuid FROM instances WHERE deleted = 0")) == len(model.instances)
    conn.select_db("neutron")
    assert len(q(conn, "SELECT id FROM networks")) == len(model.networks)
    conn.select_db("nova")


def test_a_mutation_is_visible_to_the_next_query(cloud):
    model, conn, _ = cloud
    net = model.create_network("sql-probe")
    try:
        assert q(conn, "SELECT name FROM neutron.networks WHERE id = %s", net.id) == [{"name": "sql-probe"}]
    finally:
        model.delete_network(net.id)
    assert q(conn, "SELECT name FROM neutron.networks WHERE id = %s", net.id) == []


def test_bad_sql_gets_mysql_errors(cloud):
    _, conn, _ = cloud
    for sql, code in (("SELECT nope FROM nova.instances", 1054), ("SELECT * FROM nova.nothere", 1146),
                      ("SELECT * FROM nodb.instances", 1049)):
        with pytest.raises(pymysql.err.MySQLError) as e:
            q(conn, sql)
        assert e.value.args[0] == code
        conn.rollback()


def test_wrong_credentials_get_access_denied(cloud, tmp_path):
    model, conn, _ = cloud
    server = start(model, tmp_path)
    section = server.config_section()
    try:
        for user, pwd in ((section["user"], "wrong"), ("intruder", section["pwd"])):
            with pytest.raises(pymysql.err.OperationalError) as e:
                connect(section, user=user, password=pwd)
            assert e.value.args == (1045, f"Access denied for user '{user}'@'127.0.0.1' (using password: YES)")
    finally:
        server.stop()


def test_faults_down_auth_garbage_and_latency(tmp_path):
    model = build_model(Params(computes=1, instances=1, seed=3))
    down = start(model, tmp_path, conditions=Conditions(faults={"mysql": {"down"}}))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", down.config_section()["port"]), timeout=2)
    down.stop()
    auth = start(model, tmp_path, conditions=Conditions(faults={"mysql": {"auth"}}))
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(auth.config_section())
    assert e.value.args[0] == 1045
    auth.stop()
    sql = "SELECT id, name FROM neutron.networks"
    clean = start(model, tmp_path)
    good = q(connect(clean.config_section()), sql)
    clean.stop()
    bad_server = start(model, tmp_path, conditions=Conditions(faults={"db": {"garbage"}}, latency={"db": 0.1}))
    conn = connect(bad_server.config_section())
    t = time.perf_counter()
    bad = q(conn, sql)
    assert time.perf_counter() - t >= 0.1
    assert bad != good and len(bad) == len(good)
    conn.close()
    bad_server.stop()


@pytest.mark.mariadb
def test_tables_loaded_into_mariadb(mariadb, tmp_path):
    model = build_model(Params(computes=2, instances=2, seed=9))
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    user = mariadb["user"]
    url = f"mysql://{user}@{mariadb['host']}:{mariadb['port']}/{prefix}"
    server = MySQLServer(model, SimOptions(state_dir=tmp_path, mysql_url=url))
    server.start()
    try:
        section = server.config_section()
        assert (section["host"], section["port"], section["schema"]) == (mariadb["host"], mariadb["port"], f"{prefix}nova")
        conn = connect(section, password=mariadb["password"])
        sql = (QUERIES / "Q04.sql").read_text().replace("nova.", f"{prefix}nova.").replace("keystone.", f"{prefix}keystone.")
        assert {r["id"] for r in q(conn, sql)} == set(model.instances)
        inst = model.create_server("maria-probe", networks=[next(n.id for n in model.networks.values() if not n.external)])
        assert inst.id in {r["id"] for r in q(conn, sql)}
        conn.close()
    finally:
        server.stop()
        from simulator.mysql.mariadb import MariaDBTables
        MariaDBTables(model, url, "current").drop()


def test_connector_start_up_statements_and_server_identity(cloud):
    _, conn, release = cloud
    for sql in ("SET NAMES utf8mb4", "SET @@session.autocommit = OFF", "START TRANSACTION", "COMMIT", "ROLLBACK"):
        q(conn, sql)
    (row,) = q(conn, "SELECT VERSION() AS v")
    assert "MariaDB" in row["v"] and (row["v"].startswith("10.11") == (release == "current"))
    conn.ping(reconnect=False)  # COM_PING


def test_clients_are_greeted_while_the_tables_are_made_again(tmp_path, monkeypatch):
    """After a change the next query makes the tables again (a 10,000-host cloud: ~10 s); meanwhile another
    client connecting must still be greeted (the scanner gives a greeting 10 s), and its query waits for the
    new tables rather than reading the old ones."""
    import threading

    from simulator.mysql import server as mysql_server

    model = build_model(Params(computes=2, instances=2, networks=1, seed=5))
    server = start(model, tmp_path)
    first = connect(server.config_section())
    made = threading.Event()

    class SlowSnapshot(mysql_server.Snapshot):
        def __init__(self, *args):
            made.set()
            time.sleep(3)
            super().__init__(*args)

    monkeypatch.setattr(mysql_server, "Snapshot", SlowSnapshot)
    net = model.create_network("made-again")
    answers: list = []
    asking = threading.Thread(target=lambda: answers.append(
        q(first, "SELECT name FROM neutron.networks WHERE id = %s", net.id)))
    try:
        asking.start()
        assert made.wait(5)
        started = time.monotonic()
        second = connect(server.config_section(), connect_timeout=2, read_timeout=20)
        greeted = time.monotonic() - started
        assert greeted < 1.5, f"a client waited {greeted:.1f} s to be greeted while the tables were made"
        assert q(second, "SELECT name FROM neutron.networks WHERE id = %s", net.id) == [{"name": "made-again"}]
        asking.join(20)
        assert answers == [[{"name": "made-again"}]]
        second.close()
    finally:
        first.close()
        server.stop()
