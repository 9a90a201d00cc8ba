"""`calipso demo`: Calipso on this machine, end to end, with the embedded store and a simulated cloud.

What it runs is the table SERVICES below, started in order: a simulated cloud registered as
environment `demo`, a first scan, the REST API, the scan manager, the listener... A part joins only
if the `calipso` commands it needs are installed in this build; a new service is one line in the
table (see `background`). It runs until Ctrl-C (or `--duration`), stops what it started, and says
what it leaves running (the store, with the demo's inventory) and how to stop that.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from app.cli.commands import COMMANDS
from app.envconfig.repository import EnvironmentConfigs
from app.errors import CalipsoError
from app.listener_queue import declare_for
from app.store.embedded import free_port, port_is_free
from app.store.opening import open_store
from app.store.store import calipso_home, redact_uri

HELP = "run Calipso on this machine: embedded store, simulated cloud, scan, API, scan manager, listener (until Ctrl-C)"
ENV = "demo"
log = logging.getLogger("calipso.demo")


def add_parser(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common], help=HELP, description=HELP)
    p.add_argument("--hosts", type=int, default=4, help="compute hosts of the simulated cloud (default 4)")
    p.add_argument("--mechanism-driver", default="ovs", help="ovs, linuxbridge or vpp (default ovs)")
    p.add_argument("--type-driver", default="vxlan", help="vxlan, vlan, gre or flat (default vxlan)")
    p.add_argument("--api-port", type=int, default=8747, help="API port (default 8747, or a free one if taken)")
    p.add_argument("--ui-port", type=int, default=8080, help="web console port (default 8080, or a free one if taken)")
    p.add_argument("--churn", type=float, default=8.0,
                   help="the simulated cloud changes every this many seconds, for the listener to follow "
                        "(default 8; 0 for a still cloud)")
    p.add_argument("--duration", type=float, default=None,
                   help="stop after this many seconds (default: run until Ctrl-C)")
    p.set_defaults(run=run, default_loglevel="WARNING")


@dataclass
class Demo:
    """What the parts share: options, store, where logs go, facts one part tells the next (the API's URL...),
    and the stops of what was started, run in reverse order whatever happens."""

    args: object
    store: object
    home: Path
    facts: dict = field(default_factory=dict)
    stops: list = field(default_factory=list)
    children: dict = field(default_factory=dict)   # label -> (process, log file), watched while running

    def add_stop(self, fn: Callable[[], None]) -> None:
        self.stops.append(fn)

    def stop(self) -> None:
        while self.stops:
            try:
                self.stops.pop()()
            except Exception as e:  # keep stopping the others
                log.warning("stopping a demo part failed: %s", e)

    def child_env(self) -> dict:
        """Children use the demo's store: the embedded one they find (and restart if need be) by $CALIPSO_HOME,
        another by its URI."""
        if self.store.location.embedded:
            return {**os.environ, "CALIPSO_HOME": str(self.home)}
        return {**os.environ, "CALIPSO_MONGO_URI": self.store.location.uri}


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _calipso(demo: Demo, *args: str, log_file: Path) -> subprocess.Popen:
    out = open(log_file, "ab")
    return subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], stdin=subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.STDOUT, env=demo.child_env())


# -- the parts ------------------------------------------------------------------------------------------
def start_cloud(demo: Demo) -> list[str]:
    args = demo.args
    state_dir = demo.home / "demo-sim"
    config = state_dir / "environment_config.json"
    config.unlink(missing_ok=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    churn = ["--churn", str(args.churn)] if args.churn and "listen" in COMMANDS else []
    churn += ["--monitoring", "--check-interval-scale", "0.5"] if "monitoring" in COMMANDS else []
    proc = _calipso(demo, "sim", "--state-dir", str(state_dir), "--name", ENV, "--hosts", str(args.hosts),
                    "--mechanism-driver", args.mechanism_driver, "--type-driver", args.type_driver, *churn,
                    log_file=state_dir / "sim.log")
    demo.add_stop(lambda: _stop_process(proc))
    demo.children["simulated cloud"] = (proc, state_dir / "sim.log")
    deadline = time.monotonic() + 120
    while not config.exists():
        if proc.poll() is not None:
            raise CalipsoError(f"the simulated cloud stopped at start-up; see {state_dir / 'sim.log'}")
        if time.monotonic() > deadline:
            raise CalipsoError(f"the simulated cloud was not ready within 120 s; see {state_dir / 'sim.log'}")
        time.sleep(0.2)
    env = json.loads(config.read_text())
    register(demo.store, env)
    keystone = env["configuration"][0]
    return [f"simulated, {args.hosts} compute hosts, {args.mechanism_driver}/{args.type_driver}; "
            f"Keystone at http://{keystone['host']}:{keystone['port']}/v3",
            f"environment {ENV!r} (calipso env show {ENV})"]


def register(store, env: dict) -> None:
    """Add the demo environment, or refresh it, keeping the rights (`auth`) given on it since."""
    envs = EnvironmentConfigs(store)
    old = envs.find(ENV)
    if old is None:
        env = envs.add(env)
    else:
        env = envs.replace(ENV, {**env, "auth": old["auth"]} if old.get("auth") else env)
    declare_for(env)


def first_scan(demo: Demo) -> list[str]:
    from scan.controller import ScanController, ScanOptions

    result = ScanController(demo.store, ScanOptions(env=ENV)).run()
    counts = {key: sum(result.report.get(key, {}).values()) for key in ("objects", "links", "cliques")}
    if result.status == "failed":
        return [f"failed: {result.reason}"]
    errors = sum(len(v) if isinstance(v, (list, dict)) else 1 for v in result.report.get("errors", {}).values())
    return [f"{result.status}: {counts['objects']} objects, {counts['links']} links, {counts['cliques']} cliques"
            + (f", {errors} errors (see the scan report)" if errors else "")]


def start_api(demo: Demo) -> list[str]:
    from api.server import start_background

    port = demo.args.api_port
    if not port_is_free(port):
        port = free_port()
    location = demo.store.location
    api = start_background(location.uri, bind=f"127.0.0.1:{port}",
                           embedded_home=str(demo.home) if location.embedded else None)
    demo.add_stop(api.stop)
    demo.children["API"] = (api.process, None)
    try:
        urllib.request.urlopen(f"{api.url}/health", timeout=10).close()
    except urllib.error.HTTPError:
        pass  # it answers: that is all the demo needs to know
    demo.facts.update(api_url=api.url, api_user=api.admin_user, api_password=api.admin_password)
    password = api.admin_password or "(unchanged: printed when it was created; reset it with " \
                                     "'calipso user set-password admin')"
    return [f"{api.url}  (user {api.admin_user}, password {password})",
            f"try: curl -u {api.admin_user}:PASSWORD '{api.url}/inventory?env_name={ENV}&page_size=5'"]


def background(command: str, about: str, args: Callable[[Demo], list[str]] | None = None) -> Callable[[Demo], list[str]]:
    """A part that is a long-running `calipso COMMAND [args]` child, logging to $CALIPSO_HOME/demo-COMMAND.log.

    `args` may read what earlier parts found (e.g. `lambda demo: ["--api", demo.facts["api_url"]]`).
    """
    def start(demo: Demo) -> list[str]:
        log_file = demo.home / f"demo-{command}.log"
        proc = _calipso(demo, command, *(args(demo) if args else []), log_file=log_file)
        demo.add_stop(lambda: _stop_process(proc))
        demo.children[command] = (proc, log_file)
        return [f"{about} (log {log_file})"]
    return start


def start_console(demo: Demo) -> list[str]:
    port = demo.args.ui_port if port_is_free(demo.args.ui_port) else free_port()
    background("ui", "web console", lambda d: ["--bind", f"127.0.0.1:{port}", "--api-url", d.facts["api_url"]])(demo)
    deadline = time.monotonic() + 30
    while port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    password = demo.facts.get("api_password") or "as above"
    return [f"http://127.0.0.1:{port}  (sign in as {demo.facts.get('api_user', 'admin')}, password {password})"]


def _churn_note(demo: Demo) -> list[str]:
    if not demo.args.churn or "sim" not in COMMANDS:
        return []
    return [f"the cloud changes every {demo.args.churn:g} s (a server boots or goes, a port comes or goes); "
            "the inventory follows:"]


def _listener(demo: Demo) -> list[str]:
    return background("listen", "following the cloud's notifications")(demo) + _churn_note(demo)


@dataclass(frozen=True)
class Service:
    label: str
    needs: tuple[str, ...]                 # `calipso` commands this part needs installed
    start: Callable[[Demo], list[str]]     # starts it (registering its stop); returns the lines to print


SERVICES: list[Service] = [
    Service("cloud", ("sim",), start_cloud),
    Service("scan", ("sim", "scan"), first_scan),
    Service("API", ("api",), start_api),
    Service("scan manager", ("scan-manager",), background("scan-manager", "runs the scans and connection tests "
                                                          "requested through the API")),
    Service("listener", ("listen",), _listener),
    Service("monitoring", ("monitoring",), background("monitoring", "hosts run Sensu checks every 7.5 s; their "
                                                      "results colour the inventory (status); the churn breaks and "
                                                      "repairs a host now and then")),
    Service("console", ("api", "ui"), start_console),
]


# -- running ----------------------------------------------------------------------------------------------
def _counts(store) -> tuple[int, int, int, int]:
    from app.inventory import Inventory

    inv = Inventory(store)
    return (inv.count(ENV), inv.count(ENV, "instance"), inv.count(ENV, "port"),
            store.db.command("count", store.names("links"), query={"environment": ENV})["n"])


def watch(demo: Demo, stop_event: threading.Event, duration: float | None) -> None:
    """Print the demo environment's inventory counts whenever they change, and any part that stops."""
    deadline = None if duration is None else time.monotonic() + duration
    last = None
    while not stop_event.is_set():
        try:
            counts = _counts(demo.store)
        except Exception as e:  # the store may be restarting: say so and keep watching
            counts = f"the store does not answer ({type(e).__name__}); waiting for it"
        if counts != last:
            line = counts if isinstance(counts, str) else (
                f"inventory: {counts[0]} objects ({counts[1]} instances, {counts[2]} ports), {counts[3]} links")
            print(f"  {time.strftime('%H:%M:%S')}  {line}", flush=True)
            last = counts
        for label, (proc, log_file) in list(demo.children.items()):
            if proc.poll() is not None:
                print(f"  {time.strftime('%H:%M:%S')}  {label} stopped (exit code {proc.returncode})"
                      + (f"; see {log_file}" if log_file else ""), flush=True)
                del demo.children[label]
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        stop_event.wait(2.0 if remaining is None else min(2.0, remaining))


def left_running(store) -> list[str]:
    """What the demo leaves behind on purpose, and how to stop it."""
    location = store.location
    if not location.embedded:
        return [f"the store at {redact_uri(location.uri)} was not started by the demo; the environment "
                f"{ENV!r} stays in it"]
    from app.store.embedded import EmbeddedStore, default_home

    state = EmbeddedStore(default_home()).read_state()
    where = f"{redact_uri(location.uri)}" + (f", pid {state.pid}" if state else "")
    return [f"the embedded store ({where}) keeps running with the demo's inventory, shared by every calipso "
            "command on this machine",
            f"stop it with: {Path(sys.executable).parent / 'calipso'} store stop"]


def run(args) -> int:
    import secrets
    # the API and the console it starts share a secret, so the API counts sign-ins per browser
    os.environ.setdefault("CALIPSO_CONSOLE_SECRET", secrets.token_urlsafe(24))
    store = open_store(args.mongo_config)
    demo = Demo(args, store, calipso_home())
    stop_event = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_event.set())
    print("Calipso demo")
    print(f"  {'store:':<14}{redact_uri(store.location.uri)} ({store.location.source})")
    try:
        for service in SERVICES:
            if stop_event.is_set():
                break
            if not all(cmd in COMMANDS for cmd in service.needs):
                continue
            lines = service.start(demo)
            for i, line in enumerate(lines):
                print(f"  {(service.label + ':') if i == 0 else '':<14}{line}", flush=True)
        print(f"  {'try:':<14}.venv/bin/calipso env list; .venv/bin/calipso store status")
        print("Running; Ctrl-C stops the demo." if args.duration is None else f"Running for {args.duration:g} s.",
              flush=True)
        watch(demo, stop_event, args.duration)
    finally:
        demo.stop()
    print("demo stopped; left running:")
    for line in left_running(store):
        print(f"  {line}")
    return 0
