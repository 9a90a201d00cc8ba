"""An unchanged real cloud rescanned writes nothing: the recorded Zed cloud scanned again after its
agents reported, its Nova services reported and Nova's info cache flipped a VIF's "active" flag
(what made 12 documents and a change-log entry per rescan of a real two-node cloud, 30 s apart).

The moved fields are still stored when a document changes for a real reason, and a real change
next to them (an agent's configuration) is still one."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.volatile import VOLATILE
from scan.controller import ScanController, ScanOptions
from tests.scan_support.zed import ENV, ZedDb, ZedSession, zed_clients


class TickingDb(ZedDb):
    """The recorded tables, `tick` report intervals later: heartbeats moved, "active" flipped."""

    def __init__(self, tick: int, changes: dict | None = None):
        super().__init__()
        self.tick, self.changes = tick, changes or {}

    def query(self, sql: str, params: tuple = (), what: str | None = None) -> list[dict]:
        rows = super().query(sql, params, what)
        for r in rows:
            if r.get("heartbeat_timestamp"):
                r["heartbeat_timestamp"] = _later(r["heartbeat_timestamp"], 30 * self.tick)
            if r.get("network_info") and self.tick % 2:
                r["network_info"] = r["network_info"].replace('"active": true', '"active": false')
            r.update(self.changes.get(r.get("id") or r.get("uuid"), {}))
        return rows


class TickingSession(ZedSession):
    """The recorded REST answers, with every Nova service's `updated_at` moved on."""

    def __init__(self, tick: int):
        super().__init__()
        self.tick = tick

    def _answer(self, method: str, url: str):
        response = super()._answer(method, url)
        if "os-availability-zone" in url and isinstance(response._body, dict):
            text = json.dumps(response._body)
            response._body = json.loads(re.sub(r'"updated_at": "([^"]+)"',
                                               lambda m: f'"updated_at": "{_later(m.group(1), 10 * self.tick)}"',
                                               text))
        return response


def _later(stamp: str, seconds: int) -> str:
    """A recorded time (`2026-11-24 17:40:49` or `…T17:37:21.000000`) `seconds` later, same form."""
    sep = "T" if "T" in stamp else " "
    head, dot, frac = stamp.partition(".")
    t = datetime.strptime(head, f"%Y-%m-%d{sep}%H:%M:%S") + timedelta(seconds=seconds)
    return t.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + (dot + frac if dot else "")


@pytest.fixture
def zed_store(initialized_store):
    EnvironmentConfigs(initialized_store).add(dict(ENV))
    return initialized_store


def scan(store, tick: int, changes: dict | None = None):
    factory = zed_clients(TickingSession(tick), None, TickingDb(tick, changes))
    c = ScanController(store, ScanOptions(env="zed", serial=True), clients_factory=factory)
    res = c.run()
    assert res.status == "completed", res.reason
    return c


def test_a_rescan_of_an_unchanged_cloud_whose_agents_reported_writes_nothing(zed_store, monkeypatch):
    scan(zed_store, 0)
    entries = zed_store["changes"].count_documents({"environment": "zed"})
    for tick in (1, 2, 3):
        again = scan(zed_store, tick)
        assert sum(again.report["store_writes"].values()) == 0, again.report["store_writes"]
        assert again.report["changes"]["objects"] == {"added": 0, "changed": 0, "removed": 0}
    # one checkpoint per rescan, with nothing in it
    logged = list(zed_store["changes"].find({"environment": "zed"}).sort("seq", 1))[entries:]
    assert len(logged) == 3 and all(not e.get("counts") or not any(
        n for part in e["counts"].values() for n in part.values()) for e in logged)
    # without the list, the same rescan writes what moved: the agents, hosts, zones and instances
    monkeypatch.setattr("app.volatile.VOLATILE", {})
    loud = scan(zed_store, 5)
    assert loud.report["store_writes"]["inventory"] >= 3 + 1 + 2 + 2, loud.report["store_writes"]


def test_a_real_change_beside_them_is_a_change_and_stores_the_current_heartbeat(zed_store):
    scan(zed_store, 0)
    agents = {d["agent_id"]: d for d in Inventory(zed_store).of_type("zed", "network_agent")}
    dhcp = next(a for a in agents.values() if a["agent_type"] == "DHCP agent")
    config = dict(dhcp["configurations"], networks=3)
    again = scan(zed_store, 1, {dhcp["agent_id"]: {"configurations": json.dumps(config)}})
    assert again.report["changes"]["objects"]["changed"] == 2   # the agent, and its host's `config`
    stored = Inventory(zed_store).get("zed", dhcp["id"], "network_agent")
    assert stored["configurations"]["networks"] == 3
    assert str(stored["heartbeat_timestamp"]) != str(dhcp["heartbeat_timestamp"])   # written whole
    entry = zed_store["changes"].find_one({"environment": "zed"}, sort=[("seq", -1)])
    assert "heartbeat_timestamp" not in json.dumps(entry, default=str)


def test_every_volatile_type_is_one_the_scanner_stores(zed_store):
    scan(zed_store, 0)
    stored = {d["type"] for d in zed_store["inventory"].find({"environment": "zed"}, {"type": 1})}
    assert set(VOLATILE) - {"vedge"} <= stored
