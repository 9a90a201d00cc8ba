"""Serving a falcon app under gunicorn from inside our own process, as the API and the console both do."""

from __future__ import annotations

import logging
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

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
    crosses it), with `options` as its settings."""

    def __init__(self, factory: Callable, options: dict):
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # options of newer gunicorns are skipped on older ones
                self.cfg.set(key, value)

    def load(self):
        return self.factory()
