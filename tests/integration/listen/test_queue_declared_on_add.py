"""No event lost before the first listen: adding an environment with `listen: true` declares its durable
queue, so an event the cloud publishes before `calipso listen` ever ran is there for the first listener."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from kombu import Connection

from app.listener_queue import queue_name
from listen.consumer import Consumer

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "environment_config.json"


class Recorder:
    """Stands in for the Processor: what the consumer hands over, acknowledged."""

    def __init__(self):
        self.bodies, self.got = [], threading.Event()

    def handle(self, batch):
        for d in batch:
            self.bodies.append(d.body)
            d.ack()
        self.got.set()


def test_an_event_sent_between_env_add_and_the_first_listen_is_kept(cli_env, rabbitmq, tmp_path):
    name = f"q{uuid.uuid4().hex[:10]}"
    doc = json.loads(FIXTURE.read_text())
    doc["name"] = name
    for s in doc["configuration"]:
        if s["name"] == "AMQP":
            s.update(host="127.0.0.1", port=5672, user="guest", pwd="guest")
    path = tmp_path / "env.json"
    path.write_text(json.dumps(doc))
    res = subprocess.run([sys.executable, "-m", "app.cli.main", "env", "add", str(path)], env=cli_env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert f"queue {queue_name(name)} declared" in res.stdout
    event = json.dumps({"event_type": "port.create.end", "payload": {"port": {"id": name}}})
    try:
        with Connection(rabbitmq) as conn:   # straight to the queue: other tests' queues on the shared
            conn.Producer().publish(event, exchange="", routing_key=queue_name(name))  # broker see nothing
        recorder = Recorder()
        stop = threading.Event()
        consumer = Consumer(name, rabbitmq, recorder)
        t = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
        t.start()
        assert recorder.got.wait(60), "the first listener found nothing waiting"
        stop.set()
        t.join(20)
        assert [json.loads(b) for b in recorder.bodies] == [json.loads(event)]
    finally:
        with Connection(rabbitmq) as conn:
            conn.default_channel.queue_delete(queue_name(name))
