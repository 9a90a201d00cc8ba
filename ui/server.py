"""Serving the console under gunicorn: one worker process (the live hub is in its memory; sessions are in
the store, so replicas share them) with many threads (each open page holds one for its event stream)."""

from __future__ import annotations

import logging

from app.errors import CalipsoError
from app.gunicorn_app import FactoryApp, MaskedLogger

log = logging.getLogger(__name__)


def serve(settings, binds: list[str], threads: int, loglevel: str = "INFO",
          cert_file: str | None = None, key_file: str | None = None) -> None:
    def factory():
        from ui.app import create_app
        return create_app(settings)

    options = {"bind": binds, "workers": 1, "worker_class": "gthread", "threads": threads,
               "logger_class": MaskedLogger, "loglevel": loglevel.lower(), "accesslog": None, "timeout": 60,
               "graceful_timeout": 5, "proc_name": "calipso-ui", "control_socket_disable": True,
               "keepalive": 5}
    if cert_file:
        options.update(certfile=cert_file, keyfile=key_file)
    try:
        FactoryApp(factory, options).run()
    except SystemExit as e:
        if e.code not in (0, None):
            raise CalipsoError(f"the console stopped (gunicorn exit code {e.code}); see the log above") from None
