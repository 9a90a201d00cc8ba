"""Serving the API: gunicorn embedded through its BaseApplication, and a background start for the demo."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable


from app.env_secret import env_secret
from app.errors import CalipsoError
from app.gunicorn_app import serve as launch
from app.http_limits import Limits

log = logging.getLogger(__name__)


def initial_admin_password(environ=None) -> str | None:
    """The operator's choice of first admin password: CALIPSO_ADMIN_PASSWORD_FILE (a mounted secret) or
    CALIPSO_ADMIN_PASSWORD; None for a random one."""
    password, path = env_secret("CALIPSO_ADMIN_PASSWORD", environ)
    if path and not password:
        raise CalipsoError(f"CALIPSO_ADMIN_PASSWORD_FILE: {path} is empty")
    return password


def bootstrap_admin(mongo_config: str | None, inventory: str = "inventory", environ=None) -> str | None:
    """With no users yet, create `admin` and return its password if it was made up here (to print once);
    a password the operator chose is never printed."""
    from api.auth.users import Users
    from app.store.opening import open_store

    chosen = initial_admin_password(environ)
    store = open_store(mongo_config, inventory, environ=environ)
    try:
        password = Users(store).ensure_admin(chosen)
    finally:
        store.close()
    return None if chosen else password


def serve(mongo_config: str | None, inventory: str, settings, binds: list[str], workers: int,
          loglevel: str = "INFO", cert_file: str | None = None, key_file: str | None = None,
          limits: Limits | None = None) -> None:
    def factory():
        # runs in each worker, after the fork: pymongo clients must not cross a fork
        from api.app import create_app
        from app.store.keeper import StoreKeeper
        from app.store.opening import open_store
        from app.store.store import SERVING

        # a request on a frozen or dead store is a 503 within about 2-3 s (app.store.store.Patience)
        store = open_store(mongo_config, inventory, patience=SERVING)
        keeper = StoreKeeper(store, probe_timeout=SERVING.select)
        keeper.start()      # notices an outage, brings an embedded store back, tells /health
        return create_app(store, settings, keeper=keeper)

    limits = limits or Limits(max_body=settings.max_body_bytes)
    launch("calipso-api", factory, binds, workers, limits, loglevel, cert_file, key_file, gate=carries_password)


def carries_password(scope: dict) -> bool:
    """A request whose answer needs a password check: a token request, or Basic credentials."""
    if scope["method"] == "POST" and scope["path"].rstrip("/") == "/auth/tokens":
        return True
    return any(k == b"authorization" and v[:6].lower() == b"basic " for k, v in scope["headers"])


@dataclass
class BackgroundApi:
    url: str
    admin_user: str
    admin_password: str | None
    process: subprocess.Popen
    stop: Callable[[], None]


def _wait_listening(host: str, port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CalipsoError(f"the API server exited at start-up (code {proc.returncode})")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise CalipsoError(f"the API server did not listen on {host}:{port} within {timeout:.0f} s")


def start_background(store_uri: str, bind: str = "127.0.0.1:8747", reset_admin_password: bool = False,
                     workers: int = 1, timeout: float = 30.0, extra_args: list[str] | None = None,
                     embedded_home: str | None = None) -> BackgroundApi:
    """Serve the API in a child process on the store at `store_uri` (for `calipso demo`).

    With `embedded_home`, the child finds the embedded store there as any calipso command does (and
    starts it again if it dies) instead of by its URI.
    Returns the URL, the admin user and, when it was just created (or reset, with
    `reset_admin_password`), its password; `stop()` ends the child and waits for it.
    """
    import secrets

    from api.auth.users import Users
    from app.store.store import Store, StoreLocation

    store = Store.connect(StoreLocation(store_uri, "demo store"))
    try:
        from app.store.init import init_db
        init_db(store)
        users = Users(store)
        password = users.ensure_admin()
        if password is None and reset_admin_password:
            password = secrets.token_urlsafe(18)
            if users.get("admin") is None:
                users.add("admin", password, admin=True)
            else:
                users.set_password("admin", password)
                users.set_admin("admin", True)
    finally:
        store.close()
    host, _, port = bind.rpartition(":")
    if embedded_home:
        env = {k: v for k, v in os.environ.items() if k != "CALIPSO_MONGO_URI"}
        env["CALIPSO_HOME"] = embedded_home
    else:
        env = {**os.environ, "CALIPSO_MONGO_URI": store_uri}
    cmd = [sys.executable, "-m", "app.cli.main", "api", "--bind", bind, "--workers", str(workers), *(extra_args or [])]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    try:
        _wait_listening(host or "127.0.0.1", int(port), proc, timeout)
    except Exception:
        stop()
        raise
    return BackgroundApi(f"http://{host or '127.0.0.1'}:{port}", "admin", password, proc, stop)
