"""`make acceptance`: Calipso against a real OpenStack (../shared/testbed), compared with the cloud itself.

It INSTALLS PACKAGES AND CHANGES THIS MACHINE (OpenStack services, /etc files, an SSH key, sshd on
127.0.0.1:22, users on the running MariaDB and RabbitMQ): it runs only with CALIPSO_ACCEPTANCE=1.
Then: the test bed up with a mixed topology (vxlan tenant networks, a vlan provider network, a flat
external one), a scan, and a comparison of objects, links and cliques with what openstacksdk and the
host's own commands say; then the listener driven through creates, deletes, a router interface and a
rename, compared with a fresh scan. It prints a table and exits 1 if a goal is missed.
`./openstack-testbed.sh down` stops the test bed afterwards.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
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
    from tests.acceptance import checks, testbed
    testbed.ensure_up(log)
    sdk = testbed.connect()
    testbed.wait_agents(sdk, log)
    testbed.mixed_topology(sdk, log)
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import open_store
    store = open_store(None, inventory="inventory")
    init_db(store)
    for old in EnvironmentConfigs(store).names():   # an earlier run's listener would compete for the events
        if old.startswith("testbed-"):
            store["environments_config"].delete_one({"name": old})
    name = f"testbed-{uuid.uuid4().hex[:6]}"
    EnvironmentConfigs(store).add(testbed.environment_config(name))
    log(f"scanning {name}")
    rows = checks.scan_and_compare(store, name, sdk, log)
    try:
        rows += checks.listener(store, name, sdk, log)
    except Exception as e:   # the table of what was measured is still printed
        rows.append(("listener", "run", f"stopped: {type(e).__name__}: {str(e)[:60]}", False))
    checks.print_table(rows)
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
