"""`calipso demo`: Calipso on this machine, end to end, with the embedded store and a simulated cloud.

It starts a small simulated cloud, registers it as environment `demo`, scans it, serves the REST
API and (once built) the event listener, says how to reach everything, and runs until Ctrl-C
(or `--duration`). Each part joins only if its command is installed in this build.
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
from pathlib import Path

from app.cli.commands import COMMANDS
from app.envconfig.repository import EnvironmentConfigs
from app.errors import CalipsoError
from app.store.embedded import free_port, port_is_free
from app.store.store import calipso_home, open_store, redact_uri

HELP = "run Calipso on this machine: embedded store, simulated cloud, scan, API (until Ctrl-C)"
ENV = "demo"
log = logging.getLogger("calipso.demo")


def add_parser(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common], help=HELP, description=HELP)
    p.add_argument("--hosts", type=int, default=4, help="compute hosts of the simulated cloud (default 4)")
    p.add_argument("--mechanism-driver", default="ovs", help="ovs, linuxbridge or vpp (default ovs)")
    p.add_argument("--type-driver", default="vxlan", help="vxlan, vlan, gre or flat (default vxlan)")
    p.add_argument("--api-port", type=int, default=8747, help="API port (default 8747, or a free one if taken)")
    p.add_argument("--churn", type=float, default=8.0,
                   help="the simulated cloud changes every this many seconds, for the listener to follow "
                        "(default 8; 0 for a still cloud)")
    p.add_argument("--duration", type=float, default=None,
                   help="stop after this many seconds (default: run until Ctrl-C)")
    p.set_defaults(run=run, default_loglevel="WARNING")


class Demo:
    """The parts started so far, stopped in reverse order whatever happens."""

    def __init__(self):
        self.stops: list = []

    def add_stop(self, fn) -> None:
        self.stops.append(fn)

    def stop(self) -> None:
        while self.stops:
            try:
                self.stops.pop()()
            except Exception as e:  # keep stopping the others
                log.warning("stopping a demo part failed: %s", e)


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _calipso(*args: str, log_file: Path) -> subprocess.Popen:
    out = open(log_file, "ab")
    return subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], stdin=subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy())


def start_sim(demo: Demo, state_dir: Path, args) -> dict:
    config = state_dir / "environment_config.json"
    config.unlink(missing_ok=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    churn = ["--churn", str(args.churn)] if args.churn and "listen" in COMMANDS else []
    proc = _calipso("sim", "--state-dir", str(state_dir), "--name", ENV, "--hosts", str(args.hosts),
                    "--mechanism-driver", args.mechanism_driver, "--type-driver", args.type_driver, *churn,
                    log_file=state_dir / "sim.log")
    demo.add_stop(lambda: _stop_process(proc))
    deadline = time.monotonic() + 120
    while not config.exists():
        if proc.poll() is not None:
            raise CalipsoError(f"the simulated cloud stopped at start-up; see {state_dir / 'sim.log'}")
        if time.monotonic() > deadline:
            raise CalipsoError(f"the simulated cloud was not ready within 120 s; see {state_dir / 'sim.log'}")
        time.sleep(0.2)
    return json.loads(config.read_text())


def register(store, env: dict) -> None:
    envs = EnvironmentConfigs(store)
    if envs.find(ENV):
        envs.replace(ENV, env)
    else:
        envs.add(env)


def scan(store) -> str:
    from scan.controller import ScanController, ScanOptions

    result = ScanController(store, ScanOptions(env=ENV)).run()
    counts = {key: sum(result.report.get(key, {}).values()) for key in ("objects", "links", "cliques")}
    if result.status == "failed":
        return f"failed: {result.reason}"
    errors = sum(len(v) if isinstance(v, (list, dict)) else 1 for v in result.report.get("errors", {}).values())
    return (f"{result.status}: {counts['objects']} objects, {counts['links']} links, {counts['cliques']} cliques"
            + (f", {errors} errors (see the scan report)" if errors else ""))


def start_api(demo: Demo, store_uri: str, port: int):
    from api.server import start_background

    if not port_is_free(port):
        port = free_port()
    api = start_background(store_uri, bind=f"127.0.0.1:{port}")
    demo.add_stop(api.stop)
    try:
        urllib.request.urlopen(f"{api.url}/health", timeout=10).close()
    except urllib.error.HTTPError:
        pass  # it answers: that is all the demo needs to know
    return api


def _counts(store) -> tuple[int, int, int, int]:
    from app.inventory import Inventory

    inv = Inventory(store)
    return (inv.count(ENV), inv.count(ENV, "instance"), inv.count(ENV, "port"),
            store.db.command("count", store.names("links"), query={"environment": ENV})["n"])


def watch(store, stop_event: threading.Event, duration: float | None) -> None:
    """Print the demo environment's inventory counts whenever they change."""
    deadline = None if duration is None else time.monotonic() + duration
    last = None
    while not stop_event.is_set():
        counts = _counts(store)
        if counts != last:
            print(f"  {time.strftime('%H:%M:%S')}  inventory: {counts[0]} objects ({counts[1]} instances, "
                  f"{counts[2]} ports), {counts[3]} links", flush=True)
            last = counts
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        stop_event.wait(2.0 if remaining is None else min(2.0, remaining))


def run(args) -> int:
    store = open_store(args.mongo_config)
    home = calipso_home()
    demo = Demo()
    stop_event = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_event.set())
    print("Calipso demo")
    print(f"  store:        {redact_uri(store.location.uri)} ({store.location.source})")
    try:
        if "sim" in COMMANDS:
            env = start_sim(demo, home / "demo-sim", args)
            register(store, env)
            print(f"  cloud:        simulated, {args.hosts} compute hosts, {args.mechanism_driver}/{args.type_driver};"
                  f" Keystone at http://{env['configuration'][0]['host']}:{env['configuration'][0]['port']}/v3")
            print(f"  environment:  {ENV} (calipso env show {ENV})")
        if "sim" in COMMANDS and "scan" in COMMANDS:
            print(f"  scan:         {scan(store)}")
        if "api" in COMMANDS:
            api = start_api(demo, store.location.uri, args.api_port)
            password = api.admin_password or "(unchanged: printed when it was created; reset it with " \
                                              "'calipso user set-password admin')"
            print(f"  API:          {api.url}  (user {api.admin_user}, password {password})")
            print(f"                try: curl -u {api.admin_user}:PASSWORD '{api.url}/inventory?env_name={ENV}&page_size=5'")
        if "listen" in COMMANDS:
            proc = _calipso("listen", log_file=home / "demo-listen.log")
            demo.add_stop(lambda: _stop_process(proc))
            print(f"  listener:     following the cloud's notifications (log {home / 'demo-listen.log'})")
            if args.churn:
                print(f"                the cloud changes every {args.churn:g} s (a server boots or goes, a port "
                      "comes or goes); the inventory follows:")
        print("  try:          .venv/bin/calipso env list; .venv/bin/calipso store status")
        print("Running; Ctrl-C stops the demo." if args.duration is None else f"Running for {args.duration:g} s.",
              flush=True)
        watch(store, stop_event, args.duration)
    finally:
        demo.stop()
    print("demo stopped")
    return 0
