"""Serving a falcon app under gunicorn from inside our own process: the one launcher of the API and the
console. gunicorn's arbiter keeps the worker processes; each worker is uvicorn's event loop
(app.http_worker) in front of the WSGI app (app.http_front), so slow or many clients cost sockets,
not the threads that answer everyone else."""

from __future__ import annotations

import logging
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from app.errors import CalipsoError
from app.http_limits import Limits
from app.http_worker import GuardedWorker
from app.logs import LOG_FORMAT, SecretFilter


class MaskedLogger(GunicornLogger):
    """gunicorn's logger, in our format and with secrets masked."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for h in logger.handlers:
                h.addFilter(SecretFilter())
                h.setFormatter(logging.Formatter(LOG_FORMAT))


class FactoryApp(BaseApplication):
    """gunicorn running the WSGI app `factory()` builds in each worker (after the fork: no pymongo client
    crosses it), with `options` as its settings and `limits` for what one client may hold."""

    def __init__(self, factory: Callable, options: dict, limits: Limits | None = None,
                 gate: Callable[[dict], bool] | None = None):
        self.factory, self.options, self.limits, self.gate = factory, options, limits or Limits(), gate
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # options of newer gunicorns are skipped on older ones
                self.cfg.set(key, value)

    def load(self):
        from app.http_front import BufferedWsgi

        return BufferedWsgi(self.factory(), self.limits.threads, self.limits.max_body, self.limits.body_timeout,
                            self.gate, self.limits.password_gate, self.limits.tarpit)


def serve(name: str, factory: Callable, binds: list[str], workers: int, limits: Limits, loglevel: str = "INFO",
          cert_file: str | None = None, key_file: str | None = None, graceful_timeout: int = 3,
          gate: Callable[[dict], bool] | None = None) -> None:
    """Serve `factory()`'s WSGI app on `binds` until stopped; `name` is the process title (calipso-api...);
    `gate(scope)` tells the requests that carry a password (see app.http_front)."""
    options = {"bind": binds, "workers": workers, "worker_class": GuardedWorker, "logger_class": MaskedLogger,
               "loglevel": loglevel.lower(), "accesslog": None, "timeout": 60, "graceful_timeout": graceful_timeout,
               "keepalive": 5, "proc_name": name, "control_socket_disable": True}
    if cert_file:
        options.update(certfile=cert_file, keyfile=key_file)
    try:
        FactoryApp(factory, options, limits, gate).run()
    except SystemExit as e:
        if e.code not in (0, None):
            raise CalipsoError(f"{name} stopped (gunicorn exit code {e.code}); see the log above") from None
