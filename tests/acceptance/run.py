"""`make acceptance`: Calipso against a real OpenStack (the project's own test bed, tests/acceptance/testbed/).

It INSTALLS PACKAGES AND CHANGES THIS MACHINE (OpenStack services, /etc files, an SSH key, sshd on
127.0.0.1:22, users on the running MariaDB and RabbitMQ; with ACCEPTANCE_NODES=2 a second compute node in
namespaces): it runs only with CALIPSO_ACCEPTANCE=1, as root, on a throw-away Debian 12 machine.
Then: the bed up (ACCEPTANCE_NODES=1|2, ACCEPTANCE_DRIVER=ovs|linuxbridge), a topology of its own that
collides with nothing there, a scan compared with the cloud and with the hosts' datapath (objects by type,
links by type, cliques by focal type, paths between every pair of instances), an unchanged rescan, and the
listener driven through one change of each kind, compared with a fresh scan. It prints a table and exits 1
if a goal is missed. What it made is removed at the end (ACCEPTANCE_KEEP=1 keeps it); the bed keeps running
(`tests/acceptance/testbed/openstack-testbed.sh down` stops it).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid

WARNING = __doc__.split("\n\n")[1]


def log(text: str) -> None:
    print(f"[acceptance {time.strftime('%H:%M:%S')}] {text}", flush=True)


def main() -> int:
    if os.environ.get("CALIPSO_ACCEPTANCE") != "1":
        print("make acceptance: refused.\n" + WARNING + "\nRun it on a throw-away machine as root with "
              "CALIPSO_ACCEPTANCE=1 make acceptance", file=sys.stderr)
        return 2
    own_home = "CALIPSO_HOME" not in os.environ
    os.environ.setdefault("CALIPSO_HOME", tempfile.mkdtemp(prefix="calipso-acceptance-"))
    try:
        return _run()
    finally:
        if own_home:   # its temporary home's embedded store stops with it (each run left one running)
            from app.store.embedded import EmbeddedStore, default_home
            EmbeddedStore(default_home()).stop()


def _run() -> int:
    import logging
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("listen.processor").setLevel(logging.INFO)   # events applied, hosts caught up
    from tests.acceptance import cliquecheck, cloud, datapath, linkcheck, listener, objects, pathcheck, scanning
    from tests.acceptance import testbed, topology
    from tests.acceptance.table import Row, format_table
    bed = testbed.from_environment()
    testbed.ensure_up(bed, log)
    sdk = testbed.connect()
    testbed.wait_agents(bed, sdk)
    topology.teardown(sdk, log)
    prefix = topology.run_prefix()
    topo = topology.build(sdk, prefix, bed.driver, bed.hosts, log)
    time.sleep(10)                                    # agents finish plumbing after the API answers
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.opening import open_store
    store = open_store(None, inventory="inventory")
    init_db(store)
    for old in EnvironmentConfigs(store).names():   # an earlier run's listener would compete for the events
        if old.startswith("testbed-"):
            store["environments_config"].delete_one({"name": old})
    env = f"testbed-{uuid.uuid4().hex[:6]}"
    EnvironmentConfigs(store).add(testbed.environment_config(env, bed))
    rows: list[Row] = [Row("bed", "nodes, mechanism driver", f"{bed.nodes}, {bed.driver}", True)]
    notes: list[str] = []
    try:
        log(f"scanning {env}")
        row, _ = scanning.scan(store, env, log)
        rows.append(row)
        facts = {h: datapath.collect(h, bed.runner(h), bed.local_ip(h)) for h in bed.hosts}
        dp, seen = datapath.build(list(facts.values())), cloud.from_sdk(sdk)
        docs = list(store["inventory"].find({"environment": env}))
        for part in (objects.compare(objects.expected(seen, facts), objects.found(docs)),
                     linkcheck.check(docs, list(store["links"].find({"environment": env})), dp, _carriers(seen, bed)),
                     cliquecheck.check(seen, docs, list(store["cliques"].find({"environment": env}))),
                     pathcheck.check(seen, dp, docs, scanning.path_answers(env, sorted(seen.active())))):
            rows += part[0]
            notes += part[1]
        _, report = scanning.scan(store, env, log)
        rows += scanning.rescan_rows(report)
        rows += listener.run(store, env, sdk, topo, prefix, log)
    except Exception as e:   # the table of what was measured is still printed
        rows.append(Row("run", "stopped", f"{type(e).__name__}: {str(e)[:60]}", False))
    finally:
        for note in notes:
            log(note)
        print("\n" + format_table(rows), flush=True)   # before the clean-up, which a loaded bed can fail
    if os.environ.get("ACCEPTANCE_KEEP") != "1":
        try:
            topology.teardown(sdk, log, prefix)
        except Exception as e:   # what is left is named with the run's prefix; the next run removes it first
            log(f"clean-up stopped ({type(e).__name__}: {str(e)[:200]}); the next run removes what is left")
    return 0 if all(r.ok for r in rows) else 1


def _carriers(seen, bed) -> dict[str, dict]:
    """Per host: the devices carrying tunnels and the physical networks' uplinks, from the hosts themselves."""
    out = {}
    for host in bed.hosts:
        run = bed.runner(host)
        ip = bed.local_ip(host)
        tunnel = [line.split()[1] for line in run(["ip", "-o", "-4", "address", "show"]).splitlines()
                  if f" {ip}/" in line]
        uplinks = {}
        for physnet, bridge in seen.bridge_mappings(host).items():
            uplinks[physnet] = [p for p in run(["ovs-vsctl", "--timeout=5", "list-ports", bridge]).split()
                                if not p.startswith(("phy-", "int-", "patch-"))]
        out[host] = {"tunnel_devices": tunnel, "uplinks": uplinks}
    return out


if __name__ == "__main__":
    sys.exit(main())
