"""Serving the console under gunicorn: one worker process (sessions and the live hub are in its
memory) with many threads (each open page holds one for its event stream)."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from app.errors import CalipsoError
from app.logs import LOG_FORMAT, SecretFilter

log = logging.getLogger(__name__)


class _Logger(GunicornLogger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for h in logger.handlers:
                h.addFilter(SecretFilter())
                h.setFormatter(logging.Formatter(LOG_FORMAT))


class _Server(BaseApplication):
    def __init__(self, factory, options: dict):
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return self.factory()


def serve(settings, binds: list[str], threads: int, loglevel: str = "INFO",
          cert_file: str | None = None, key_file: str | None = None) -> None:
    def factory():
        from ui.app import create_app
        return create_app(settings)

    options = {"bind": binds, "workers": 1, "worker_class": "gthread", "threads": threads,
               "logger_class": _Logger, "loglevel": loglevel.lower(), "accesslog": None, "timeout": 60,
               "graceful_timeout": 5, "proc_name": "calipso-ui", "control_socket_disable": True,
               "keepalive": 5}
    if cert_file:
        options.update(certfile=cert_file, keyfile=key_file)
    try:
        _Server(factory, options).run()
    except SystemExit as e:
        if e.code not in (0, None):
            raise CalipsoError(f"the console stopped (gunicorn exit code {e.code}); see the log above") from None
