"""Agents and services that report while nothing changes: the churn a real cloud has at rest.

Every Neutron agent writes its `heartbeat_timestamp` (report_interval, 30 s) and every Nova service
its `updated_at` (10 s) whether or not the network changed, with no notification. A scanner that
takes them for changes writes on every rescan of an unchanged cloud (a real two-node Zed: 12
documents per rescan); with `calipso sim --heartbeat SECONDS` the simulated cloud does the same.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Heartbeats:
    def __init__(self, model):
        self.model = model

    def beat(self, now: str | None = None) -> str:
        """Every live agent and running service reports now (or at `now`, an API time); no event."""
        with self.model.lock:
            now = now or self.model.now()
            for a in self.model.agents.values():
                if a.alive:
                    a.heartbeat_timestamp = now
            for s in self.model.services:
                if s.state == "up":
                    s.updated_at = now
            self.model._changed()   # the tables and answers show it; hosts' outputs stay as they are
        return now

    def run(self, interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            try:
                self.beat()
            except Exception as e:   # a failed beat must not stop the simulator
                log.warning("heartbeat failed: %s", e)
