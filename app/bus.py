"""Open a kombu connection from an AMQP URL, including the broker-less `filesystem:///DIR` bus.

kombu's filesystem transport takes its folders as transport options, not in the URL; the
convention here (shared by `calipso sim` and `calipso listen`) is that the URL path is the bus
directory, holding `data/` (messages) and `control/` (exchange bindings, so topic routing works
across processes).
"""

from __future__ import annotations

from pathlib import Path

from kombu import Connection


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
        return Connection("filesystem://", transport_options=filesystem_options(directory), **kwargs)
    return Connection(url, **kwargs)


def sensu_transport_url(section: dict) -> str:
    """The Sensu transport of a Monitoring section: `transport_url`, else RabbitMQ at server_ip with
    rabbitmq_port/user/pass and rabbitmq_vhost (default /sensu)."""
    from app.listener_queue import amqp_url

    return amqp_url({"url": section.get("transport_url"), "host": section.get("server_ip"),
                     "port": section.get("rabbitmq_port"), "user": section.get("rabbitmq_user"),
                     "pwd": section.get("rabbitmq_pass"), "vhost": section.get("rabbitmq_vhost") or "/sensu"})
