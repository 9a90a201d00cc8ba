"""The simulated cloud at rest: agents and services report, which the API and the tables show."""

from __future__ import annotations

from simulator.heartbeats import Heartbeats
from simulator.model import Params, build_model
from simulator.mysql.rows import build_rows
from simulator.openstack.views import agent


def test_a_beat_moves_every_live_agent_and_running_service_and_nothing_else():
    m = build_model(Params(computes=2, instances=2))
    m._building = False
    events = []
    m.subscribe(events.append)
    dead = next(iter(m.agents.values()))
    dead.alive = False
    generation, before = m.generation, m.to_json()
    Heartbeats(m).beat("2031-02-03T04:05:06Z")
    assert m.generation == generation + 1 and events == []   # the facades refresh; no notification
    rows = {r["id"]: r for r in build_rows(m, "current")[("neutron", "agents")]}
    for a in m.agents.values():
        moved = a is not dead
        assert (agent(a)["heartbeat_timestamp"] == "2031-02-03 04:05:06") is moved
        assert (str(rows[a.id]["heartbeat_timestamp"]) == "2031-02-03 04:05:06") is moved
    assert {s.updated_at for s in m.services} == {"2031-02-03T04:05:06Z"}
    after = m.to_json()
    for part in ("networks", "ports", "instances", "routers"):
        assert after[part] == before[part]
