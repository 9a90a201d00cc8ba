"""A scanned simulated cloud with monitoring on: the simulator's hosts run the deployed checks."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from app.envconfig.repository import EnvironmentConfigs
from monitoring.consumer import ResultsConsumer, results_url
from monitoring.generate import monitoring_section
from monitoring.results.processor import Processor
from scan.controller import ScanController, ScanOptions
from simulator.faults import Conditions
from tests.scan_support.sim import start_in_process

SCALE = 0.1          # checks every 15 s * 0.1 = 1.5 s
INTERVAL = 15 * SCALE


@dataclass
class Loop:
    name: str
    env: dict
    store: object
    sim: object
    conditions: Conditions
    scan: object = None
    consumer: ResultsConsumer | None = None
    stop: threading.Event | None = None

    def consume(self) -> ResultsConsumer:
        self.stop = threading.Event()
        self.consumer = ResultsConsumer(results_url(monitoring_section(self.env)), Processor(self.store),
                                        queue=f"t-{uuid.uuid4().hex[:10]}")
        threading.Thread(target=self.consumer.run, args=(self.stop,), daemon=True).start()
        assert self.consumer.connected.wait(15), "the results consumer did not connect"
        return self.consumer

    def close(self) -> None:
        if self.stop:
            self.stop.set()
        self.sim.stop()


def start(store, tmp_path, amqp_url: str | None, provision: str = "Deploy", driver: str = "ovs",
          computes: int = 2, conditions: Conditions | None = None, scan: bool = True) -> Loop:
    name = f"mon-{uuid.uuid4().hex[:8]}"
    conditions = conditions or Conditions()
    sim = start_in_process(name, tmp_path / "sim", computes=computes, instances=3, networks=2,
                           mechanism_driver=driver, type_driver="vxlan", monitoring=True, amqp_url=amqp_url,
                           extra={"sensu_scale": SCALE}, conditions=conditions)
    env = dict(sim.env, enable_monitoring=True)
    for s in env["configuration"]:
        if s["name"] == "Monitoring":
            s["provision"] = provision
            s["config_folder"] = str(tmp_path / "sensu_config")
    EnvironmentConfigs(store).add(env)
    loop = Loop(name, env, store, sim, conditions)
    if scan:
        loop.scan = ScanController(store, ScanOptions(env=name)).run()
    return loop


def wait_for(predicate, timeout: float, what: str, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(step)
