"""Open a kombu connection from an AMQP URL, including the broker-less `filesystem:///DIR` bus.

kombu's filesystem transport takes its folders as transport options, not in the URL; the
convention here (shared by `calipso sim` and `calipso listen`) is that the URL path is the bus
directory, holding `data/` (messages) and `control/` (exchange bindings, so topic routing works
across processes). A message is written under a name no reader takes, then renamed (`_WholeMessages`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from time import monotonic
from typing import Callable
from urllib.parse import quote

from kombu import Connection
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class _WholeMessages(filesystem.Channel):
    """kombu's filesystem channel creates a message's file, then writes it: a reader in another process that
    takes the file in between reads it empty, fails on it, and has already removed it, so the message is lost
    (a listener missed a late DHCP port's event this way, under load). Here the file is written under a name
    that is not a message's (readers take only `<...>.<queue>.msg`) and renamed when whole: a rename in one
    directory is atomic."""

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f"writing-{name}.part")
        with open(partial, "wb") as f:
            f.write(str_to_bytes(dumps(payload)))
        os.replace(partial, final)


class _Transport(filesystem.Transport):
    Channel = _WholeMessages


def filesystem_options(directory: str | Path) -> dict:
    d = Path(directory)
    for sub in ("data", "control"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    return {"data_folder_in": str(d / "data"), "data_folder_out": str(d / "data"),
            "control_folder": str(d / "control"), "store_processed": False}


def connection(url: str, **kwargs) -> Connection:
    """A kombu Connection for `url`; `filesystem:///DIR` gets its folders under DIR."""
    if url.startswith("filesystem://"):
        directory = url[len("filesystem://"):].split("?", 1)[0]
        if not directory or directory == "/":
            raise ValueError(f"{url!r}: a filesystem bus URL needs a directory, e.g. filesystem:///var/lib/bus")
        return Connection("filesystem://", transport=_Transport, transport_options=filesystem_options(directory),
                          **kwargs)
    return Connection(url, **kwargs)


def amqp_url(section: dict) -> str:
    """The broker URL of an environment's AMQP section (`url`, or host/port/user/pwd/vhost)."""
    if section.get("url"):
        return str(section["url"])
    user = quote(str(section.get("user") or "guest"), safe="")
    pwd = quote(str(section.get("pwd") or ""), safe="")
    vhost = str(section.get("vhost") or "/")
    vpath = "/" if vhost == "/" else quote(vhost, safe="")
    return f"amqp://{user}:{pwd}@{section.get('host') or '127.0.0.1'}:{int(section.get('port') or 5672)}/{vpath}"


def sensu_transport_url(section: dict) -> str:
    """The Sensu transport of a Monitoring section: `transport_url`, else RabbitMQ at server_ip with
    rabbitmq_port/user/pass and rabbitmq_vhost (default /sensu)."""
    return amqp_url({"url": section.get("transport_url"), "host": section.get("server_ip"),
                     "port": section.get("rabbitmq_port"), "user": section.get("rabbitmq_user"),
                     "pwd": section.get("rabbitmq_pass"), "vhost": section.get("rabbitmq_vhost") or "/sensu"})


def drain_in_batches(conn: Connection, pending: Callable[[], list], take: Callable[[], list],
                     handle: Callable[[list], None], stop, idle: float, batch_wait: float, batch_max: int) -> None:
    """Consume until `stop`: wait up to `idle` for a message, then gather more for up to `batch_wait`
    (at most `batch_max`), and hand what came (`take()` empties the consumer's list) to `handle`."""
    import socket
    import time

    while not stop.is_set():
        try:
            conn.drain_events(timeout=idle)
        except socket.timeout:
            pass
        deadline = time.monotonic() + batch_wait
        while pending() and len(pending()) < batch_max and time.monotonic() < deadline:
            try:
                conn.drain_events(timeout=max(0.001, deadline - time.monotonic()))
            except socket.timeout:
                break
        if pending():
            handle(take())
