"""The simulated cloud for scanner tests and benchmarks.

`calipso sim --state-dir DIR` as a subprocess when the command exists (the environment_config
it writes is added to the store); otherwise the simulator's protocol servers in this process,
through its documented server table (simulator.servers), with the same environment_config.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

DRIVERS = {"ovs": "OVS", "linuxbridge": "LXB", "vpp": "VPP"}


def sim_command_available() -> bool:
    from app.cli.commands import COMMANDS
    return "sim" in COMMANDS


@dataclass
class Sim:
    env: dict
    model: dict | None = None
    stop_fn: object = None
    live_model: object = None
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.stop_fn:
            self.stop_fn()


def env_config(name: str, params, sections: list[dict]) -> dict:
    secs = []
    for s in sections:
        s = dict(s)
        if s.get("name") == "CLI":
            s.setdefault("host_key_policy", "accept-any")
        secs.append(s)
    return {"name": name, "type": "environment", "environment_type": "OpenStack",
            "distribution": params.distribution, "distribution_version": params.distribution_version or "zed",
            "mechanism_drivers": [DRIVERS[params.mechanism_driver]], "type_drivers": params.type_driver,
            "listen": False, "aci_enabled": bool(params.aci), "configuration": secs}


def start_in_process(name: str, state_dir: Path, **params) -> Sim:
    from simulator.model.build import build_model
    from simulator.model.entities import Params
    from simulator.options import SimOptions
    from simulator.servers import OPTIONAL, SECTION_NAMES, SERVERS

    conditions = params.pop("conditions", None)
    option_fields = {k: params.pop(k) for k in ("monitoring", "amqp_url", "extra") if k in params}
    p = Params(**params)   # extra: protocol settings, e.g. {"ssh_forwarding": False}
    model = build_model(p)
    opts = SimOptions(state_dir=state_dir, aci=p.aci, **option_fields)
    if conditions is not None:
        opts.conditions = conditions
    started, sections = [], []
    for key, ref in SERVERS.items():
        if key in OPTIONAL and not getattr(opts, OPTIONAL[key]):
            continue
        module, _, cls = ref.partition(":")
        try:
            server_cls = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError):
            continue
        server = server_cls(model, opts)
        server.start()
        started.append(server)
    for key, server in zip([k for k in SERVERS if not (k in OPTIONAL and not getattr(opts, OPTIONAL[k]))], started):
        section = server.config_section()
        if section:
            sections.append({"name": SECTION_NAMES[key], **{k: v for k, v in section.items() if k != "name"}})

    def stop():
        for s in reversed(started):
            try:
                s.stop()
            except Exception:
                pass

    return Sim(env_config(name, p, sections), model.to_json(), stop, live_model=model)


def start_subprocess(name: str, state_dir: Path, env: dict | None = None, args: list[str] | None = None,
                     timeout: float = 60) -> Sim:
    """`calipso sim` in its own process. Its log goes to `state_dir/sim.log`, not to a pipe: a pipe no one reads
    fills (64 kB: a few thousand lines of a 10,000-host scan's disconnects) and the simulator's next log line then
    blocks whichever of its threads writes it, with the logging lock held, so every server of it stops."""
    cmd = [sys.executable, "-m", "app.cli.main", "sim", "--state-dir", str(state_dir), *(args or [])]
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "sim.log"
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen(cmd, env=env or os.environ.copy(), stdout=subprocess.DEVNULL, stderr=log_file,
                                start_new_session=True)
    cfg = state_dir / "environment_config.json"
    deadline = time.monotonic() + timeout
    while not cfg.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"calipso sim exited with {proc.returncode}: "
                               f"{log_path.read_text(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("calipso sim did not write environment_config.json in time")
        time.sleep(0.1)
    time.sleep(0.2)
    env_doc = json.loads(cfg.read_text())
    env_doc["name"] = name

    def stop():
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            proc.kill()

    return Sim(env_doc, None, stop, extra={"proc": proc})
