"""The embedded store: one nx-27017 server per $CALIPSO_HOME, shared by every Calipso process.

A state file records the server's pid and port. A file lock serialises starts, so when
several processes need the store at once exactly one server results. The server runs
detached (double fork), with its own pid and log files under $CALIPSO_HOME/store, and
keeps its data in SQLite files there, so it survives a stop/start and a `kill -9`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import filelock

from app.errors import StoreError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


def default_home(environ: dict[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get("CALIPSO_HOME") or Path.home() / ".calipso").expanduser()


@dataclass
class StoreState:
    pid: int
    port: int
    started: str

    @property
    def uri(self) -> str:
        return f"mongodb://{HOST}:{self.port}/"


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on the port now. SO_REUSEADDR as servers set it (nx-27017 does): the
    connections of a killed server linger in TIME_WAIT, and must not make its own port look taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_store_process(pid: int) -> bool:
    """Guard against pid reuse: only signal a process that is an nx-27017 server."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return pid_alive(pid)  # no /proc: trust the pid
    return b"embedded_server" in cmdline or b"nx" in cmdline


def answers(port: int, timeout: float = 1.0) -> bool:
    """Whether a MongoDB wire-protocol server answers a ping on this port."""
    import pymongo

    try:    # a refused connection is known at once; pymongo would retry it for the whole timeout
        socket.create_connection((HOST, port), timeout=timeout).close()
    except OSError:
        return False

    client = pymongo.MongoClient(
        HOST, port, serverSelectionTimeoutMS=int(timeout * 1000), connectTimeoutMS=int(timeout * 1000),
        directConnection=True,
    )
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False
    finally:
        client.close()


class EmbeddedStore:
    def __init__(self, home: Path, port: int | None = None, python: str = sys.executable):
        self.home = Path(home)
        self.dir = self.home / "store"
        self.data_dir = self.dir / "data"
        self.state_file = self.dir / "state.json"
        self.lock_file = self.dir / "store.lock"
        self.pid_file = self.dir / "nx-27017.pid"
        self.log_file = self.dir / "nx-27017.log"
        self.requested_port = port
        self.python = python

    # -- state file ---------------------------------------------------------------------------
    def read_state(self) -> StoreState | None:
        try:
            raw = self.state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StoreError(f"cannot read store state file {self.state_file}: {e.strerror}") from None
        try:
            data = json.loads(raw)
            state = StoreState(pid=int(data["pid"]), port=int(data["port"]), started=str(data["started"]))
            if not (0 < state.port < 65536 and state.pid > 0):
                raise ValueError("pid or port out of range")
            return state
        except (ValueError, KeyError, TypeError) as e:
            raise StoreError(
                f"store state file {self.state_file} is corrupt ({type(e).__name__}: {e}); "
                "run 'calipso store stop' to reset it"
            ) from None

    def _write_state(self, state: StoreState) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state.__dict__), encoding="utf-8")
        os.replace(tmp, self.state_file)

    # -- checks -------------------------------------------------------------------------------
    def _prepare_dirs(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # a probe of its own: callers starting together must not delete each other's
            with tempfile.TemporaryFile(dir=self.dir):
                pass
        except OSError as e:
            raise StoreError(
                f"store directory {self.dir} (under CALIPSO_HOME {self.home}) is not writable: {e.strerror or e}"
            ) from None

    def _lock(self, timeout: float) -> filelock.FileLock:
        return filelock.FileLock(str(self.lock_file), timeout=timeout)

    def running_state(self) -> StoreState | None:
        """The recorded server, if its process is alive and answers."""
        state = self.read_state()
        if state and pid_alive(state.pid) and answers(state.port, timeout=3.0):
            return state
        return None

    # -- lifecycle ------------------------------------------------------------------------------
    def ensure_running(self, timeout: float = 30.0) -> str:
        """The URI of the running server, starting one if there is none."""
        self._prepare_dirs()
        try:
            with self._lock(timeout):
                state = self.running_state()
                if state:
                    if self.requested_port and state.port != self.requested_port:
                        raise StoreError(
                            f"the embedded store already runs on port {state.port}, not {self.requested_port}; "
                            "run 'calipso store stop' first to move it"
                        )
                    return state.uri
                return self._start(timeout).uri
        except filelock.Timeout:
            raise StoreError(f"timed out after {timeout:.0f}s waiting for the store lock {self.lock_file}") from None

    def _start(self, timeout: float) -> StoreState:
        old = self.read_state()
        if old and pid_alive(old.pid) and _is_store_process(old.pid):
            # the recorded server lives but did not answer: on a loaded machine it may just be slow,
            # so give it the whole start timeout before replacing it
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and pid_alive(old.pid):
                if answers(old.port, timeout=2.0):
                    return old
                time.sleep(0.2)
            self._kill(old.pid)
        attempts = 1 if self.requested_port else 3
        # back on the port it had, so running services (which keep its address) reconnect by themselves
        ports = [self.requested_port] if self.requested_port else (
            [old.port] if old and port_is_free(old.port) else []) + [free_port() for _ in range(attempts)]
        last_error = ""
        for port in ports[:attempts]:
            if not port_is_free(port):
                raise StoreError(f"port {port} on {HOST} is already in use; choose another with --port or CALIPSO_STORE_PORT")
            self.pid_file.unlink(missing_ok=True)
            proc = subprocess.run(
                [self.python, "-m", "app.store.embedded_server", "--daemon",
                 "--data-dir", str(self.data_dir), "--host", HOST, "--port", str(port),
                 "--pid-file", str(self.pid_file), "--log-file", str(self.log_file)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                cwd=str(self.dir), env={**os.environ, "PYTHONPATH": _package_root()},
                timeout=timeout,
            )
            if proc.returncode != 0:
                last_error = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["exit code %d" % proc.returncode]
                last_error = last_error[0]
                continue
            state = self._wait_until_up(port, timeout)
            if state:
                self._write_state(state)
                log.info("embedded store started on %s:%d (pid %d, data in %s)", HOST, port, state.pid, self.data_dir)
                return state
            last_error = self._log_tail() or "it did not answer in time"
        raise StoreError(f"the embedded store did not start: {last_error} (log: {self.log_file})")

    def _wait_until_up(self, port: int, timeout: float) -> StoreState | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self._pid_from_file()
            if pid and not pid_alive(pid):
                return None
            if pid and answers(port, timeout=0.5):
                return StoreState(pid=pid, port=port, started=datetime.now(timezone.utc).isoformat())
            time.sleep(0.1)
        pid = self._pid_from_file()
        if pid:
            self._kill(pid)
        return None

    def _pid_from_file(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _log_tail(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if "ERROR" in ln or "Error" in ln]
        except OSError:
            return ""
        return lines[-1].strip() if lines else ""

    @staticmethod
    def _kill(pid: int, grace: float = 10.0) -> None:
        if not _is_store_process(pid):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.05)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the server; also resets a corrupt state file. True if a server was stopped."""
        if not self.dir.exists():
            return False
        try:
            with self._lock(timeout):
                try:
                    state = self.read_state()
                except StoreError:
                    state = None
                pids = {p for p in (state.pid if state else None, self._pid_from_file()) if p}
                stopped = False
                for pid in pids:
                    if pid_alive(pid) and _is_store_process(pid):
                        self._kill(pid)
                        stopped = True
                self.state_file.unlink(missing_ok=True)
                self.pid_file.unlink(missing_ok=True)
                return stopped
        except filelock.Timeout:
            raise StoreError(f"timed out after {timeout:.0f}s waiting for the store lock {self.lock_file}") from None

    def status(self) -> dict:
        state = self.read_state()
        info = {"home": str(self.home), "data_dir": str(self.data_dir), "running": False}
        if state:
            info.update(pid=state.pid, port=state.port, started=state.started, uri=state.uri)
            info["running"] = pid_alive(state.pid) and answers(state.port)
        if self.data_dir.exists():
            info["data_bytes"] = sum(f.stat().st_size for f in self.data_dir.iterdir() if f.is_file())
        return info


def _package_root() -> str:
    root = str(Path(__file__).resolve().parents[2])
    existing = os.environ.get("PYTHONPATH")
    return root + (os.pathsep + existing if existing else "")
