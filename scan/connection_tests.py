"""Answers to `connection_tests` requests (spec §8.6): one clear result per configuration section.

Unlike the original, the environment's `operational` flag is left alone (§9.35).
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from typing import Callable

from app.clock import Clock, utcnow
from app.envconfig.secrets import drop_secrets
from app.store.store import Store
from scan.access.aci import Aci
from scan.access.calls import Caller, Limiter, Policy, RemoteError
from scan.access.mysql import Database
from scan.access.rest import OpenStackApi
from scan.access.ssh import Cli, SshPool

QUICK = {s: Policy(timeout=5.0, attempts=1) for s in ("REST", "MySQL", "SSH", "ACI")}


def _caller() -> Caller:
    return Caller(Limiter(4, 4), policies=QUICK)


def check_openstack(section: dict) -> str:
    api = OpenStackApi(section, _caller())
    tok = api.token()
    return f"Keystone {tok.version} accepted user {section.get('user')!r}; regions: {', '.join(api.regions()) or 'none'}"


def check_mysql(section: dict) -> str:
    db = Database(section, _caller(), pool_size=1)
    try:
        schemas = db.schemas()
    finally:
        db.close()
    return f"connected; {len(schemas)} databases"


def check_cli(section: dict) -> str:
    pool = SshPool(section.get("host_key_policy") or "known_hosts", timeout=5.0,
                   extra_known_hosts=[section["known_hosts"]] if section.get("known_hosts") else None)
    try:
        name = Cli(section, _caller(), pool, sudo=False).master_name()
    finally:
        pool.close()
    return f"logged in; the master host is {name!r}"


def check_amqp(section: dict) -> str:
    import kombu

    url = section.get("url") or (f"amqp://{section['user']}:{section['pwd']}@{section['host']}:"
                                 f"{section.get('port') or 5672}/{(section.get('vhost') or '/').lstrip('/')}")
    with kombu.Connection(url, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=1)
    return "connected to the broker"


def check_monitoring(section: dict) -> str:
    """Logs in to the Sensu transport (what `calipso monitoring` reads and the clients publish to), and
    over SSH to the Sensu server when the section names a user for it; the Sensu API is optional."""
    from app.bus import connection, sensu_transport_url

    url = sensu_transport_url(section)
    with connection(url, connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=1)
    said = [f"logged in to the Sensu transport as {section.get('rabbitmq_user')!r}" if "://" in url and
            not url.startswith(("filesystem:", "memory:")) else "the Sensu transport is reachable"]
    host = section["server_ip"]
    if section.get("ssh_user"):
        pool = SshPool("accept-new", timeout=5.0)
        try:
            name = Cli({"host": host, "port": section.get("ssh_port") or 22, "user": section["ssh_user"],
                        "pwd": section.get("ssh_password")}, _caller(), pool, sudo=False).master_name()
        finally:
            pool.close()
        said.append(f"SSH to the Sensu server {name!r} as {section['ssh_user']!r}")
    try:
        with socket.create_connection((host, int(section.get("api_port") or 4567)), timeout=3):
            said.append("Sensu API reachable")
    except OSError:
        said.append("no Sensu API (not needed: calipso monitoring reads the transport itself)")
    return "; ".join(said)


def check_aci(section: dict) -> str:
    Aci(section, _caller()).login()
    return "APIC accepted the login"


CHECKS: dict[str, Callable[[dict], str]] = {
    "OpenStack": check_openstack, "mysql": check_mysql, "CLI": check_cli, "AMQP": check_amqp,
    "Monitoring": check_monitoring, "ACI": check_aci,
}


def run_checks(targets: list[str], sections: dict[str, dict]) -> tuple[dict, dict, dict]:
    results, errors, details = {}, {}, {}
    for target in targets:
        results[target] = False
        section = sections.get(target)
        check = CHECKS.get(target)
        if check is None:
            errors[target] = f"no connection test for {target!r} (known: {', '.join(CHECKS)})"
            continue
        if section is None:
            errors[target] = f"no {target} configuration given"
            continue
        try:
            details[target] = check(section)
            results[target] = True
        except RemoteError as e:
            errors[target] = str(e)
        except (KeyError, ValueError) as e:
            errors[target] = f"configuration incomplete: {e}"
        except Exception as e:  # network libraries raise many kinds; the user needs the text
            errors[target] = f"{type(e).__name__}: {e}"
    return results, errors, details


class ConnectionTests:
    """The secrets a request carries are kept only while it waits: an answer (or giving up on an old
    request no manager took) stores the sections without them."""

    def __init__(self, store: Store, clock: Clock = utcnow, max_wait: timedelta = timedelta(minutes=10)):
        self.coll = store["connection_tests"]
        self.envs = store["environments_config"]
        self.clock = clock
        self.max_wait = max_wait

    def expire_waiting(self) -> int:
        """Requests left waiting longer than `max_wait` (no manager was running) are answered as such."""
        count = 0
        for req in self.coll.find({"status": "request", "submit_timestamp": {"$lt": self.clock() - self.max_wait}}):
            errors = {t: f"no scan manager answered within {self.max_wait}; run 'calipso scan-manager' and test again"
                      for t in req.get("test_targets") or [] if isinstance(t, str)}
            res = self.coll.update_one({"_id": req["_id"], "status": "request"}, {"$set": {
                "status": "response", "test_results": {t: False for t in errors}, "errors": errors, "details": {},
                "response_timestamp": self.clock(),
                "targets_configuration": drop_secrets(req.get("targets_configuration"))}})
            count += res.modified_count
        return count

    def answer_next(self, owner: str) -> dict | None:
        req = self.coll.find_one_and_update({"status": "request"}, {"$set": {"status": "testing", "owner": owner}},
                                            sort=[("submit_timestamp", 1)])
        if req is None:
            return None
        started = time.perf_counter()
        sections = {s.get("name"): s for s in req.get("targets_configuration") or [] if isinstance(s, dict)}
        env = self.envs.find_one({"name": req.get("environment")}) if req.get("environment") else None
        for s in (env or {}).get("configuration") or []:
            sections.setdefault(s.get("name"), s)
        results, errors, details = run_checks(list(req.get("test_targets") or []), sections)
        elapsed = time.perf_counter() - started
        update = {"status": "response", "test_results": results, "errors": errors, "details": details,
                  "response_timestamp": self.clock(), "response_time": str(timedelta(seconds=round(elapsed, 3))),
                  "targets_configuration": drop_secrets(req.get("targets_configuration"))}
        self.coll.update_one({"_id": req["_id"]}, {"$set": update})
        return {**req, **update}
