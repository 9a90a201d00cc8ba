"""The listener against the real cloud: how long after each kind of change the store shows it (by event type),
and whether the store then equals a fresh scan of the cloud (objects, links and cliques)."""

from __future__ import annotations

import threading
import time
import uuid

from app.volatile import steady
from tests.acceptance.table import Row
from tests.acceptance.topology import free_cidrs

GOAL_SECONDS = 10.0
#: agents' own counters and heartbeats, refreshed by scans only (no notification carries them)
AGENT_STATUS = {"heartbeat_timestamp", "load", "configurations", "config", "services", "hosts"}


def wait(cond, timeout: float = 120.0) -> float | None:
    """Seconds until `cond()` held (polled every 0.25 s), None if it never did within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if cond():
                return time.monotonic() - start
        except (KeyError, TypeError, StopIteration):
            pass
        time.sleep(0.25)
    return None


def latency_row(event: str, seconds: float | None, goal: float = GOAL_SECONDS, detail: str = "") -> Row:
    value = "never" if seconds is None else f"{seconds:.1f} s"
    return Row("listener", f"{event}: in the store after", value + (f" ({detail})" if detail else ""),
               seconds is not None and seconds <= goal)


def notified(store, env: str, event: str, since: float, timeout: float = 15.0) -> float | None:
    """When the cloud sent the first `event` notification at or after `since` (the event's own timestamp, as the
    listener recorded it; its message is written just after the change it made, so it is waited for)."""
    from datetime import datetime, timezone
    query = {"environment": env, "event_type": event,
             "timestamp": {"$gte": datetime.fromtimestamp(since - 1, timezone.utc)}}
    deadline = time.monotonic() + timeout
    while True:
        found = store["messages"].find_one(query, sort=[("timestamp", 1)])
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    if not found:
        return None
    ts = found["timestamp"]
    return (ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)).timestamp()


def run(store, env: str, sdk, topo: dict, prefix: str, log) -> list[Row]:
    """Drive the cloud through one change of each kind while `calipso listen` (its manager) runs in this process."""
    from app.envconfig.repository import EnvironmentConfigs
    from app.inventory import Inventory
    from listen.manager import Manager
    manager = Manager(store, interval=0.5)
    stop = threading.Event()
    thread = threading.Thread(target=manager.run, args=(stop,), daemon=True)
    thread.start()
    inv, rows = Inventory(store), []

    def step(event: str, change, cond) -> None:
        """The goal counts from the notification (Neutron's own timestamp, as the listener recorded it): a
        loaded bed's API can take 10-16 s to answer and notify, which is the cloud's time, not Calipso's."""
        started, wall = time.monotonic(), time.time()
        change()
        t = wait(cond, 180)
        if t is None:
            rows.append(latency_row(event, None))
            return
        done = wall + (time.monotonic() - started)
        sent = notified(store, env, event.split(" ")[0], wall)
        after_call = f"{done - wall:.1f} s after the API call"
        rows.append(latency_row(event, done - sent if sent else None, detail=after_call if sent else
                                after_call + ", no notification recorded"))

    try:
        if wait(lambda: EnvironmentConfigs(store).get(env).get("operational") == "running", 60) is None:
            return [Row("listener", "started", "no", False)]
        made: dict = {}
        step("network.create.end", lambda: made.update(net=sdk.network.create_network(name=f"{prefix}l-net")),
             lambda: inv.get(env, made["net"].id, "network") is not None)
        cidr = free_cidrs([s.cidr for s in sdk.network.subnets()], 1)[0]
        subnet_asked = time.time()
        step("subnet.create.end", lambda: made.update(sub=sdk.network.create_subnet(
            network_id=made["net"].id, cidr=cidr, ip_version=4, name=f"{prefix}l-sub")),
             lambda: made["sub"].id in (inv.get(env, made["net"].id, "network") or {}).get("subnet_ids", []))
        # Neutron sends no notification for the DHCP agent's port (made over RPC ~2 s after the subnet, bound,
        # ACTIVE ~2 s later, on two-node Zed): the only event is the subnet's, so the time counts from it
        dhcp = lambda: next(iter(sdk.network.ports(network_id=made["net"].id, device_owner="network:dhcp")))  # noqa: E731
        seen = wait(lambda: any(v.get("mac_address") == dhcp().mac_address and v.get("IP Address")
                                for v in inv.of_type(env, "vnic")), 90)
        done, sent = time.time(), notified(store, env, "subnet.create.end", subnet_asked)
        rows.append(latency_row("DHCP port (no event of its own): vNIC with IP, from subnet.create.end",
                                None if seen is None or not sent else done - sent))
        step("port.create.end", lambda: made.update(port=sdk.network.create_port(network_id=made["net"].id,
                                                                                 name=f"{prefix}l-port")),
             lambda: inv.get(env, made["port"].id, "port") is not None)
        router = topo["router"]
        step("router.interface.create", lambda: sdk.network.add_interface_to_router(router, subnet_id=made["sub"].id),
             lambda: any(v.get("mac_address") == _router_port(sdk, router, made["net"]).mac_address
                         for v in inv.of_type(env, "vnic")))
        server = next(s for n, s in topo["servers"].items() if n.endswith("a1"))
        target = next(iter(sdk.network.ports(device_id=server.id)))
        step("floatingip.create.end", lambda: made.update(fip=sdk.network.create_ip(
            floating_network_id=topo["external"].id, port_id=target.id, description=f"{prefix}fip")),
             lambda: inv.get(env, _fip_port(sdk, made["fip"]).id, "port") is not None)
        fip_port = _fip_port(sdk, made["fip"])
        step("floatingip.delete.end", lambda: sdk.network.delete_ip(made["fip"]),
             lambda: inv.get(env, fip_port.id, "port") is None)
        step("network.update.end", lambda: sdk.network.update_network(made["net"], name=f"{prefix}l-renamed"),
             lambda: inv.get(env, made["net"].id, "network")["name"] == f"{prefix}l-renamed")
        time.sleep(3)
        rows.append(compare_with_fresh_scan(store, env, "after the creates", log))
        step("router.interface.delete", lambda: sdk.network.remove_interface_from_router(router, subnet_id=made["sub"].id),
             lambda: not any(v.get("IP Address") == made["sub"].gateway_ip for v in inv.of_type(env, "vnic")))
        step("port.delete.end", lambda: sdk.network.delete_port(made["port"]),
             lambda: inv.get(env, made["port"].id, "port") is None)
        step("network.delete.end", lambda: (sdk.network.delete_subnet(made["sub"]), sdk.network.delete_network(made["net"])),
             lambda: inv.get(env, made["net"].id, "network") is None)
        time.sleep(3)
        rows.append(compare_with_fresh_scan(store, env, "after the deletes", log))
    finally:
        stop.set()
        thread.join(30)
    return rows


def _router_port(sdk, router, net):
    return next(p for p in sdk.network.ports(device_id=router.id) if p.network_id == net.id)


def _fip_port(sdk, fip):
    return next(iter(sdk.network.ports(device_id=fip.id, device_owner="network:floatingip")))


def stable(snap: dict) -> dict:
    """The snapshot without what moves while the network stands still: the fields the product itself treats so
    (app.volatile: heartbeats, services' updated_at, Nova's network_info "active"), and agents' counters."""
    for key, doc in list(snap["inventory"].items()):
        doc = snap["inventory"][key] = steady(doc)
        if key[0] in ("network_agent", "host", "availability_zone", "vedge"):   # a vEdge is its L2 agent
            for f in AGENT_STATUS:
                doc.pop(f, None)
    return snap


def differences(d: dict) -> int:
    return sum(len(v.get("only_listener", [])) + len(v.get("only_scan", [])) + len(v.get("changed", {}))
               for v in d.values())


def compare_with_fresh_scan(store, env: str, when: str, log) -> Row:
    """The store the listener kept against a fresh scan of the same cloud into a new database."""
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from scan.clients import build_clients
    from tests.integration.listen.support import diff, full_scan, snapshot
    host, port = store.client.address
    fresh = Store.connect(StoreLocation(f"mongodb://{host}:{port}/acc_{uuid.uuid4().hex[:8]}", "fresh", embedded=True))
    try:
        init_db(fresh)
        cfg = EnvironmentConfigs(store).get(env)
        EnvironmentConfigs(fresh).add({k: v for k, v in cfg.items() if not k.startswith("_") and k not in (
            "scanned", "last_scanned", "operational", "listen")} | {"listen": False})
        full_scan(fresh, env, build_clients)
        d = diff(stable(snapshot(store, env)), stable(snapshot(fresh, env)))
        if d:
            log(f"listener vs fresh scan {when}: {d}")
        n = differences(d)
        return Row("listener", f"store = fresh scan {when}: differences", n, n == 0)
    finally:
        fresh.client.drop_database(fresh.db.name)
        fresh.close()
