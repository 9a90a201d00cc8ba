"""Sensu 1.x clients on the simulated hosts: a host whose `sensu-client` was (re)started runs every
check of its deployed `/etc/sensu/conf.d/*.json` at the check's interval (times a scale, for tests),
by executing the deployed check script itself against the host's own simulated shell, and publishes
each result as a Sensu 1.x client does: `{"client": <name>, "check": {...}}` to the direct exchange
`results`.

The script is the file deployed to `/etc/sensu/plugins` (not our source tree): its `check(args, run)`
is called with a `run` that executes commands on the simulated host. Imports of sibling plugin
modules resolve to the host's deployed files too.
"""

from __future__ import annotations

import builtins
import hashlib
import heapq
import json
import logging
import posixpath
import random
import shlex
import threading
import time
import types
from dataclasses import dataclass

from simulator.sensu.state import HostLocal, SensuState

log = logging.getLogger(__name__)

CONF_DIR = "/etc/sensu/conf.d"
PLUGINS = "/etc/sensu/plugins"


def merged_config(local: HostLocal) -> dict:
    """All JSON files of conf.d deep-merged, as Sensu loads them (files in name order)."""
    out: dict = {}
    for name in local.listdir(CONF_DIR) or []:
        f = local.read(posixpath.join(CONF_DIR, name))
        if f is None or not name.endswith(".json"):
            continue
        try:
            _merge(out, json.loads(f.data))
        except ValueError as e:
            log.warning("%s: %s/%s is not JSON (%s); ignored as sensu-client would refuse it", local.name,
                        CONF_DIR, name, e)
    return out


def _merge(into: dict, more: dict) -> None:
    for k, v in more.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


class ScriptLoader:
    """Compiles deployed plugin files once per content; imports of sibling plugins come from the host."""

    def __init__(self):
        self._code: dict[str, object] = {}
        self._lock = threading.Lock()

    def _compiled(self, name: str, data: bytes):
        key = hashlib.sha1(data).hexdigest()
        with self._lock:
            code = self._code.get(key)
            if code is None:
                code = self._code[key] = compile(data, f"{PLUGINS}/{name}", "exec")
            return code

    def load(self, local: HostLocal, filename: str) -> dict:
        modules: dict[str, dict] = {}

        def load_one(name: str) -> dict:
            f = local.read(posixpath.join(PLUGINS, name))
            if f is None:
                raise FileNotFoundError(f"{PLUGINS}/{name}: No such file or directory")
            ns = {"__name__": name[:-3], "__file__": f"{PLUGINS}/{name}", "__builtins__": sandbox}
            modules[name[:-3]] = ns
            exec(self._compiled(name, f.data), ns)
            return ns

        def plugin_import(name, globals=None, locals=None, fromlist=(), level=0):
            if level == 0 and local.read(posixpath.join(PLUGINS, name + ".py")) is not None:
                ns = modules.get(name) or load_one(name + ".py")
                module = types.ModuleType(name)
                module.__dict__.update(ns)
                return module
            return builtins.__import__(name, globals, locals, fromlist, level)

        sandbox = dict(vars(builtins), __import__=plugin_import)
        return load_one(filename)


@dataclass(order=True)
class _Due:
    at: float
    host: str
    name: str
    generation: int


class SensuClients:
    """The simulated hosts' sensu-client processes; `publish(body_bytes)` sends one result."""

    def __init__(self, state: SensuState, shell, publish, scale: float = 1.0, seed: int = 1):
        self.state, self.shell, self.publish = state, shell, publish
        self.scale = scale
        self.loader = ScriptLoader()
        self.rng = random.Random(seed)
        self._heap: list[_Due] = []
        self._checks: dict[str, tuple[int, str, dict]] = {}     # host -> (generation, client name, checks)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.executed = 0
        state.restart_listeners.append(self.restart)

    def restart(self, host: str) -> None:
        """(Re)read the host's configuration and schedule its standalone checks, first run within one interval."""
        config = merged_config(self.state.host(host))
        client = (config.get("client") or {}).get("name") or host
        checks = {n: c for n, c in (config.get("checks") or {}).items()
                  if isinstance(c, dict) and c.get("standalone") and c.get("command")}
        with self._cond:
            generation = self._checks.get(host, (0,))[0] + 1
            self._checks[host] = (generation, client, checks)
            now = time.monotonic()
            for name, check in checks.items():
                interval = max(0.05, float(check.get("interval") or 60) * self.scale)
                heapq.heappush(self._heap, _Due(now + self.rng.uniform(0, interval), host, name, generation))
            self._cond.notify_all()
        log.info("sensu-client on %s (%s) restarted: %d checks", host, client, len(checks))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sim-sensu-clients", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._stop.is_set() and (not self._heap or self._heap[0].at > time.monotonic()):
                    self._cond.wait(timeout=(self._heap[0].at - time.monotonic()) if self._heap else 1.0)
                if self._stop.is_set():
                    return
                due = heapq.heappop(self._heap)
                generation, client, checks = self._checks.get(due.host, (0, "", {}))
                if due.generation != generation or due.name not in checks:
                    continue   # superseded by a restart
                check = checks[due.name]
                interval = max(0.05, float(check.get("interval") or 60) * self.scale)
                heapq.heappush(self._heap, _Due(max(due.at + interval, time.monotonic()), due.host, due.name,
                                                generation))
            try:
                self.publish(json.dumps(self.execute(due.host, client, due.name, check)).encode())
                self.executed += 1
            except Exception as e:   # a broker hiccup must not stop the clients
                log.warning("sensu-client on %s: could not publish %s: %s", due.host, due.name, e)

    def execute(self, host: str, client: str, name: str, check: dict) -> dict:
        """Run one check as sensu-client would; the result in the Sensu 1.x client format."""
        started = time.time()
        status, output = self._run_script(host, str(check["command"]))
        return {"client": client, "check": {**check, "name": name, "issued": int(started),
                                            "executed": int(started), "duration": round(time.time() - started, 3),
                                            "output": output, "status": status}}

    def _run_script(self, host: str, command: str) -> tuple[int, str]:
        try:
            words = shlex.split(command)
        except ValueError as e:
            return 3, f"sh: cannot parse the command: {e}"
        while words and "=" in words[0] and not words[0].startswith(("/", ".")):
            words.pop(0)   # VAR=value assignments
        if not words:
            return 3, "empty command"
        local = self.state.host(host)
        script = posixpath.basename(words[0])
        if local.read(posixpath.join(PLUGINS, script)) is None:
            return 127, f"sh: 1: {words[0]}: not found"

        def run(argv: list[str]) -> tuple[int, str, str]:
            r = self.shell.run(host, shlex.join(argv), True)
            return r.status, r.out, r.err
        try:
            ns = self.loader.load(local, script)
            status, text = ns["check"](words[1:], run)
        except Exception as e:   # UsageError and bugs alike: unknown, as main_of reports them
            return 3, f"{type(e).__name__}: {e}"
        return int(status), str(text)
