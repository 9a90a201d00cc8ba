"""`calipso listen`: one consumer thread per environment with `listen: true` and `scanned: true`.

Every `interval` seconds the manager reads `environments_config`, starts consumers for newly
eligible environments, stops those no longer eligible (or whose AMQP settings changed, which
restarts them with the new ones), and writes each environment's `operational` field
(running / error / stopped). No restart of the process is needed.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

from app.clock import Clock, utcnow
from app.envconfig.repository import EnvironmentConfigs
from app.store.keeper import StoreKeeper, is_unavailable
from app.store.store import Store
from listen.apply import Applier
from listen.consumer import Backoff, Consumer, amqp_url
from listen.events import load as load_table
from listen.processor import Processor, RetryPolicy
from scan.clients import section

log = logging.getLogger(__name__)


def eligible(env: dict) -> bool:
    return bool(env.get("listen")) and bool(env.get("scanned")) and section(env, "AMQP") is not None


def _fingerprint(env: dict) -> str:
    """What a running consumer depends on: a change restarts it."""
    keys = ("mechanism_drivers", "type_drivers", "distribution", "distribution_version", "configuration")
    return json.dumps({k: env.get(k) for k in keys}, sort_keys=True, default=str)


@dataclass
class Running:
    env: str
    fingerprint: str
    consumer: Consumer
    applier: Applier
    thread: threading.Thread
    stop: threading.Event
    state: dict = field(default_factory=lambda: {"state": "starting", "reason": ""})


ConsumerFactory = Callable[[Store, dict, Callable[[str, str], None]], tuple[Consumer, Applier]]


def default_consumer(store: Store, env: dict, on_state, table=None, retry: RetryPolicy | None = None,
                     backoff: Backoff | None = None) -> tuple[Consumer, Applier]:
    applier = Applier(store, env)
    processor = Processor(store, env["name"], table or load_table(), applier, retry)
    url = amqp_url(section(env, "AMQP") or {})
    return Consumer(env["name"], url, processor, backoff=backoff, on_state=on_state), applier


class Manager:
    def __init__(self, store: Store, interval: float = 2.0, clock: Clock = utcnow,
                 consumer_factory: ConsumerFactory | None = None, keeper: StoreKeeper | None = None):
        self.store = store
        self.keeper = keeper or StoreKeeper(store)
        self.envs = EnvironmentConfigs(store)
        self.interval = interval
        self.clock = clock
        self.factory = consumer_factory or default_consumer
        self.table = load_table()   # fail at start-up, not at the first event
        self.running: dict[str, Running] = {}

    def _set_operational(self, name: str, state: str) -> None:
        if not self.keeper.up:
            return      # nowhere to write it; the next poll after the outage does
        try:
            self.envs.set_fields(name, {"operational": state})
        except Exception as e:
            if is_unavailable(e):
                self.keeper.mark_down(e)
            log.warning("could not record %s as %s: %s", name, state, e)

    def poll(self) -> None:
        wanted = {}
        for env in self.envs.list():
            if eligible(env):
                wanted[env["name"]] = env
        for name in list(self.running):
            r = self.running[name]
            if name not in wanted or _fingerprint(wanted[name]) != r.fingerprint or not r.thread.is_alive():
                why = "no longer listening" if name not in wanted else (
                    "its configuration changed" if r.thread.is_alive() else "its consumer stopped")
                log.info("stopping the listener of %s: %s", name, why)
                self._stop(name, "stopped" if name not in wanted else "error")
        for name, env in wanted.items():
            if name not in self.running:
                self._start(env)
        for name, r in self.running.items():
            self._set_operational(name, "running" if r.state["state"] == "running" else
                                  "error" if r.state["state"] == "error" else "stopped")

    def _start(self, env: dict) -> None:
        name = env["name"]
        state = {"state": "starting", "reason": ""}

        def on_state(s: str, reason: str) -> None:
            state.update(state=s, reason=reason)

        try:
            consumer, applier = self.factory(self.store, env, on_state)
        except Exception as e:
            log.error("cannot start the listener of %s: %s", name, e)
            self._set_operational(name, "error")
            return
        stop = threading.Event()
        thread = threading.Thread(target=self._run, args=(name, consumer, stop, state), name=f"listen-{name}", daemon=True)
        self.running[name] = Running(name, _fingerprint(env), consumer, applier, thread, stop, state)
        thread.start()
        log.info("listener of %s started (queue %s)", name, consumer.queue_name)

    @staticmethod
    def _run(name: str, consumer: Consumer, stop: threading.Event, state: dict) -> None:
        try:
            consumer.run(stop)
            state.update(state="stopped")
        except Exception as e:
            log.exception("listener of %s crashed", name)
            state.update(state="error", reason=str(e))

    def _stop(self, name: str, final: str, join: float = 15.0) -> None:
        r = self.running.pop(name)
        r.stop.set()
        r.thread.join(timeout=join)
        r.applier.close()
        self._set_operational(name, final if r.state["state"] != "error" else "error")

    def run(self, stop: threading.Event) -> None:
        log.info("listener manager polling environments every %.1f s", self.interval)
        try:
            while not stop.is_set():
                if not self.keeper.up and not self.keeper.wait_until_up(stop):
                    break
                try:
                    self.poll()
                except Exception as e:
                    if is_unavailable(e):    # the keeper says so, waits and retries
                        self.keeper.mark_down(e)
                        continue
                    log.warning("listener manager poll failed: %s", e)
                stop.wait(self.interval)
        finally:
            for r in self.running.values():     # all at once: each may be waiting out a timeout
                r.stop.set()
            for name in list(self.running):
                self._stop(name, "stopped", join=2.0)
