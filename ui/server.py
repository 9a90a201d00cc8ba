"""Serving the console: one worker process (the live hub is in its memory; sessions are in the store, so
replicas share them) whose threads answer pages; each open page's event stream holds one of them."""

from __future__ import annotations

from app.gunicorn_app import serve as launch
from app.http_limits import Limits


def serve(settings, binds: list[str], threads: int, loglevel: str = "INFO",
          cert_file: str | None = None, key_file: str | None = None, limits: Limits | None = None) -> None:
    def factory():
        from ui.app import create_app
        return create_app(settings)

    limits = limits or Limits(max_body=settings.max_body_bytes, threads=threads)
    launch("calipso-ui", factory, binds, 1, limits, loglevel, cert_file, key_file, graceful_timeout=5,
           gate=signs_in)


def signs_in(scope: dict) -> bool:
    """A sign-in: it waits on the API's password check, so sign-ins enter the console a few at a time."""
    return scope["method"] == "POST" and scope["path"].rstrip("/") == "/login"
