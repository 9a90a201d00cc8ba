"""A stalled or killed store takes no service down: the API, the console, the scan manager, the listener
and the monitoring reader run on an embedded store that is frozen (SIGSTOP) for 30 s, then killed
(SIGKILL); every one is still running afterwards and serving again (the API answers, the console signs
in, a Sensu result published after the outage is applied). How soon is a bench figure; here the bound
is generous."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid

import pytest
import requests
from kombu import Connection, Exchange, Producer

from app.store.embedded import EmbeddedStore
from app.store.store import Store, StoreLocation
from tests.adversarial.conftest import USERS, console_session, new_stack, wait_until
from tests.integration.monitoring.test_handler_stdin import ENV, seed, sensu1_event
from tests.ports import spare_port

FREEZE = 30.0
BACK_WITHIN = 60.0     # seconds (the goal, 10 s, is checked by the bench on a quiet machine)


@pytest.fixture
def services(tmp_path, rabbitmq):
    stack = new_stack(tmp_path)
    exchange = f"adv-freeze-{uuid.uuid4().hex[:8]}"
    store = Store.connect(StoreLocation(EmbeddedStore(tmp_path).ensure_running(), "freeze"))
    try:
        seed(store)
        store["environments_config"].insert_one({"name": ENV, "enable_monitoring": True, "configuration": [
            {"name": "Monitoring", "transport_url": rabbitmq}]})
    finally:
        store.close()
    api_port, ui_port = spare_port(), spare_port()
    stack.start("api", "api", "--bind", f"127.0.0.1:{api_port}", "--workers", "2")
    stack.start("ui", "ui", "--bind", f"127.0.0.1:{ui_port}", "--api-url", f"http://127.0.0.1:{api_port}")
    stack.start("scan-manager", "scan-manager")
    stack.start("listen", "listen")
    stack.start("monitoring", "monitoring", "run", "--queue", f"{exchange}-q", "--exchange", exchange,
                "--rescan-configs", "1")
    stack.api, stack.ui = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    stack.exchange = exchange
    try:
        yield stack
    finally:
        if stack.procs:
            try:
                os.kill(stack.store_pid(), signal.SIGCONT)
            except (OSError, AttributeError):
                pass
        stack.stop_all()
        EmbeddedStore(stack.home).stop()
        with Connection(rabbitmq) as conn:
            ch = conn.channel()
            ch.queue_delete(f"{exchange}-q")
            ch.exchange_delete(exchange)


def _publish(rabbitmq: str, exchange: str, status: int) -> None:
    with Connection(rabbitmq) as conn:
        Producer(conn.channel(), exchange=Exchange(exchange, type="direct", durable=False)).publish(
            json.dumps(sensu1_event("vedge_v-1", status, f"status {status}", int(time.time()))).encode(),
            routing_key="", content_type="application/octet-stream")


def _serving(stack, rabbitmq: str, status: int, within: float) -> None:
    for name, proc in stack.procs.items():
        assert proc.poll() is None, f"{name} exited ({proc.returncode}): {stack.log(name)}"
    auth = ("admin", USERS["admin"])
    wait_until(lambda: requests.get(f"{stack.api}/environment_configs", auth=auth, timeout=10).status_code == 200,
               within, "the API serves")
    wait_until(lambda: console_session(stack), within, "the console signs in")

    def applied() -> bool:
        _publish(rabbitmq, stack.exchange, status)
        store = Store.connect(StoreLocation(EmbeddedStore(stack.home).ensure_running(), "check"))
        try:
            doc = store["inventory"].find_one({"environment": ENV, "type": "vedge"}) or {}
            return doc.get("status_value") == status
        finally:
            store.close()
    wait_until(applied, within, "a Sensu result is applied", interval=2.0)


def test_every_service_outlives_a_frozen_then_killed_store(services, rabbitmq):
    stack = services
    wait_until(lambda: "reading Sensu results" in stack.log("monitoring"), 90, "monitoring reads its results")
    _serving(stack, rabbitmq, 1, 90)

    pid = stack.store_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(FREEZE)
    finally:
        os.kill(pid, signal.SIGCONT)
    _serving(stack, rabbitmq, 2, BACK_WITHIN)

    os.kill(stack.store_pid(), signal.SIGKILL)
    time.sleep(3)
    _serving(stack, rabbitmq, 0, BACK_WITHIN)
    for name in ("scan-manager", "listen", "monitoring"):
        assert stack.procs[name].poll() is None, stack.log(name)
