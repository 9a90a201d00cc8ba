"""`calipso sim`: run a simulated OpenStack cloud in the foreground until SIGTERM/SIGINT."""

from __future__ import annotations

import gc
import logging
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from app.errors import CalipsoError
from simulator.churn import Churn
from simulator.faults import Conditions, parse_faults, parse_latency
from simulator.heartbeats import Heartbeats
from simulator.model import BadRequest, Params, build_model
from simulator.model.build import add_compute
from simulator.options import SimOptions
from simulator.runner import CONFIG_FILE, Simulation, write_model

HELP = "run a simulated OpenStack cloud (Keystone, Nova, Neutron, MySQL, SSH, AMQP, APIC)"
log = logging.getLogger("calipso.sim")

_DRIVER_ALIASES = {"ovs": "ovs", "openvswitch": "ovs", "linuxbridge": "linuxbridge", "lxb": "linuxbridge",
                   "vpp": "vpp"}
PORT_NAMES = ("keystone", "nova", "neutron", "mysql", "ssh", "apic")
_NUMBERS = {"hosts": 4, "controllers": 1, "network_nodes": 1, "instances": None, "networks": 2, "routers": 1,
            "projects": 2, "regions": 1, "seed": 1}


def add_parser(sub, common) -> None:
    p = sub.add_parser("sim", parents=[common], help=HELP, description=HELP + ". Writes DIR/" + CONFIG_FILE +
                       " once every endpoint answers.")
    p.add_argument("--state-dir", metavar="DIR", help="where keys, the AMQP bus and the environment config go")
    for name, default in _NUMBERS.items():
        flag = "--" + name.replace("_", "-")
        what = {"hosts": "compute hosts", "instances": "instances (default: 2 per compute host, at most 8)",
                "seed": "random seed: the same seed gives the same cloud, identifiers included"}.get(
            name, name.replace("_", " "))
        p.add_argument(flag, dest=name, metavar="N", default=None, help=f"{what} (default {default})"
                       if default is not None else what)
    p.add_argument("--mechanism-driver", default="ovs", help="ovs, linuxbridge or vpp (default ovs)")
    p.add_argument("--type-driver", default="vxlan", help="vxlan, vlan, gre or flat (default vxlan)")
    p.add_argument("--sriov", action="store_true", help="add SR-IOV (NIC Switch agents) on the computes")
    p.add_argument("--distribution", default="Devstack", help="distribution in the environment config")
    p.add_argument("--distribution-version", default="", help="default: zed (current) / Mitaka (old)")
    p.add_argument("--release", default="current",
                   help="current (Zed: no Keystone v2.0, Zed field names) or old (the spec's Mitaka era: "
                        "Keystone v2.0, older field names)")
    p.add_argument("--tunnel-style", default="A",
                   help="A: tunnel IP on Linux bridge br-mesh (default); B: on eth1; lo: on the loopback; "
                        "veth: on a veth whose peer is in another namespace (as on a two-node test bed)")
    p.add_argument("--mixed-networks", action="store_true",
                   help="add a VLAN provider network (physnet1 on eth3) next to the vxlan/gre tenant networks")
    p.add_argument("--datapath", default="system", choices=("system", "netdev"),
                   help="OVS datapath: system (kernel) or netdev (userspace: ovs-dpctl show fails)")
    p.add_argument("--no-ethtool", action="store_true",
                   help="hosts without ethtool (`command not found`; /sys/class/net has speed and duplex)")
    p.add_argument("--container-bridges", action="store_true",
                   help="compute hosts also have container runtimes' bridges (cni-podman0, docker0)")
    p.add_argument("--l2-population", default="on", choices=("on", "off"),
                   help="on: tunnels only to hosts sharing a network (default); off: a full mesh, a tunnel to "
                        "every endpoint")
    p.add_argument("--machine-names", action="store_true",
                   help="hosts' own names (uname -n) differ from their Nova/Neutron host ids")
    p.add_argument("--agent-delay", metavar="SECONDS", type=float, default=None,
                   help="seconds between a notification and the host's plumbing (default 0, 3 with --churn)")
    p.add_argument("--dhcp-port-events", default="update", choices=("update", "none"),
                   help="with --agent-delay, the DHCP agent's port: update (made unbound with the subnet, bound "
                        "later with port.update.end; default) or none (made by the agent later, bound, with no "
                        "notification at all): both seen on real two-node clouds")
    p.add_argument("--name", default="", help="environment name (default sim-<mechanism driver>)")
    p.add_argument("--latency", metavar="api=MS,db=MS,ssh=MS", help="added delay per call and protocol")
    p.add_argument("--fault", action="append", metavar="HOST:KIND",
                   help="down|auth|slow|garbage|hostkey on a host id or a service (keystone, nova, neutron, api, mysql, "
                        "ssh, amqp, apic); repeatable")
    p.add_argument("--amqp-url", default=os.environ.get("CALIPSO_SIM_AMQP_URL"),
                   help="publish to this broker (amqp://user:pwd@host:port//) instead of the filesystem bus under "
                        "DIR (default $CALIPSO_SIM_AMQP_URL)")
    p.add_argument("--mysql-url", help="load the tables into this MariaDB (mysql://user:pwd@host:port) "
                                       "instead of the embedded MySQL server")
    p.add_argument("--aci", action="store_true", help="also simulate a Cisco APIC")
    p.add_argument("--ssh-no-forwarding", action="store_true",
                   help="the SSH master refuses direct-tcpip forwarding (sshd's AllowTcpForwarding no)")
    p.add_argument("--monitoring", action="store_true", help="hosts run the Sensu checks deployed to them and "
                   "publish results (enables monitoring in the environment config)")
    p.add_argument("--check-interval-scale", type=float, default=1.0, metavar="X",
                   help="run deployed checks every interval*X seconds (default 1)")
    p.add_argument("--standard-ports", action="store_true",
                   help="Keystone on 5000, Nova on 8774, Neutron on 9696 (what the original scanner assumes)")
    p.add_argument("--keystone-port", metavar="PORT", help="Keystone port (default: a free one)")
    p.add_argument("--port", action="append", metavar="NAME=PORT", default=[],
                   help="fixed port for one server: " + ", ".join(PORT_NAMES) + " (default: free ports); "
                        "repeatable, e.g. in a container whose ports are published")
    p.add_argument("--bind", default="127.0.0.1", help="address the servers listen on (default 127.0.0.1; "
                                                       "0.0.0.0 in a container)")
    p.add_argument("--advertise", default="", metavar="HOST",
                   help="host name clients are given in the environment config and the Keystone catalog "
                        "(default: the --bind address), e.g. the simulator's service name in a compose stack")
    p.add_argument("--register", action="store_true",
                   help="also add (or update) the environment in the store once the cloud answers, keeping "
                        "the rights already given on it")
    p.add_argument("--churn", metavar="SECONDS", type=float, default=0,
                   help="change the cloud every SECONDS (boot/delete a server, add/remove a port), for demos")
    p.add_argument("--heartbeat", metavar="SECONDS", type=float, default=0,
                   help="agents' heartbeat_timestamp and services' updated_at move every SECONDS, as on a real "
                        "cloud at rest (default: never)")
    p.add_argument("--dump-model", metavar="FILE",
                   help="write the model as JSON (ground truth for tests) at start and again at stop; "
                        "without --state-dir, only write it and exit")
    p.set_defaults(run=run, default_loglevel="INFO")


def _int(args, name: str, minimum: int = 0) -> int | None:
    raw = getattr(args, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise CalipsoError(f"--{name.replace('_', '-')}: {raw!r} is not a whole number") from None
    if value < minimum:
        raise CalipsoError(f"--{name.replace('_', '-')} must be at least {minimum}")
    return value


def _register(args, doc: dict) -> None:
    from app.store.opening import open_store
    from simulator.register import register

    store = open_store(getattr(args, "mongo_config", None))
    try:
        print(f"calipso sim: environment {doc['name']} {register(store, doc)} in the store", file=sys.stderr,
              flush=True)
    finally:
        store.close()


def params_from_args(args) -> Params:
    n = {name: _int(args, name) for name in _NUMBERS}
    computes = n["hosts"] if n["hosts"] is not None else 4
    instances = n["instances"] if n["instances"] is not None else min(2 * computes, 8)
    driver = _DRIVER_ALIASES.get(str(args.mechanism_driver).lower())
    if driver is None:
        raise CalipsoError(f"--mechanism-driver: unknown driver {args.mechanism_driver!r} "
                           f"(choose from ovs, linuxbridge, vpp)")
    return Params(
        computes=computes,
        controllers=n["controllers"] if n["controllers"] is not None else 1,
        network_nodes=n["network_nodes"] if n["network_nodes"] is not None else 1,
        instances=instances,
        networks=n["networks"] if n["networks"] is not None else 2,
        routers=n["routers"] if n["routers"] is not None else 1,
        projects=n["projects"] if n["projects"] is not None else 2,
        regions=n["regions"] if n["regions"] is not None else 1,
        mechanism_driver=driver, type_driver=str(args.type_driver).lower(), sriov=args.sriov,
        distribution=args.distribution, distribution_version=args.distribution_version,
        release=args.release, seed=n["seed"] if n["seed"] is not None else 1, aci=args.aci,
        # per run, like the SSH and MySQL ones, and in the written config; or the operator's choice
        admin_password=os.environ.get("CALIPSO_SIM_ADMIN_PASSWORD") or secrets.token_urlsafe(12),
        tunnel_style=(str(args.tunnel_style).lower() if str(args.tunnel_style).lower() in ("lo", "veth")
                      else str(args.tunnel_style).upper()),
        mixed_networks=bool(getattr(args, "mixed_networks", False)), datapath=getattr(args, "datapath", "system"),
        machine_names=bool(getattr(args, "machine_names", False)),
        ethtool=not getattr(args, "no_ethtool", False),
        container_bridges=bool(getattr(args, "container_bridges", False)),
        l2_population=getattr(args, "l2_population", "on") != "off",
        agent_delay=args.agent_delay if getattr(args, "agent_delay", None) is not None else (
            3.0 if getattr(args, "churn", 0) else 0.0),
        dhcp_port_events=getattr(args, "dhcp_port_events", "update"))


def _ports(args) -> dict[str, int]:
    ports: dict[str, int] = {}
    for item in args.port:
        name, _, raw = str(item).partition("=")
        if name not in PORT_NAMES or not raw.isdigit() or not 0 < int(raw) < 65536:
            raise CalipsoError(f"--port {item!r}: expected NAME=PORT with NAME one of {', '.join(PORT_NAMES)} "
                               f"and PORT in 1-65535")
        ports[name] = int(raw)
    return ports


def run(args) -> int:
    try:
        params = params_from_args(args)
        model = build_model(params)
        conditions = Conditions(parse_latency(args.latency), parse_faults(args.fault, set(model.hosts)))
        for host, kinds in conditions.faults.items():
            if "tunnel-lost" in kinds:
                model.hosts[host].tunnel_lost = True
    except BadRequest as e:
        raise CalipsoError(str(e)) from None
    if args.dump_model:
        write_model(model, Path(args.dump_model))
        if not args.state_dir:
            return 0
    if not args.state_dir:
        raise CalipsoError("--state-dir DIR is required to run the simulator")
    if args.heartbeat and args.heartbeat < 0.1:
        raise CalipsoError("--heartbeat must be at least 0.1 seconds")
    keystone_port = _int(args, "keystone_port", 1) if args.keystone_port else 0
    ports = _ports(args)
    standard = {"keystone": 5000, "nova": 8774, "neutron": 9696} if args.standard_ports else {}
    port = {**standard, **({"keystone": keystone_port} if keystone_port else {}), **ports}
    options = SimOptions(state_dir=Path(args.state_dir), conditions=conditions, name=args.name, aci=args.aci,
                         monitoring=args.monitoring,
                         amqp_url=args.amqp_url, mysql_url=args.mysql_url, bind=args.bind, advertise=args.advertise,
                         keystone_port=port.get("keystone", 0), nova_port=port.get("nova", 0),
                         neutron_port=port.get("neutron", 0),
                         extra={"release": params.release, "ssh_forwarding": not args.ssh_no_forwarding,
                                "sensu_scale": args.check_interval_scale,
                                **{f"{name}_port": port[name] for name in ("ssh", "mysql", "apic") if name in port}})
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    joining = threading.Semaphore(0)   # SIGUSR1: a compute host joins (benchmarks: "one host added")
    previous[signal.SIGUSR1] = signal.signal(signal.SIGUSR1, lambda *_: joining.release())
    sim = Simulation(model, options)
    try:
        doc = sim.start()
        gc.freeze()   # the model and the servers live as long as the process: the collector need not walk them
        # a thread per SSH connection, as in the scanner (scan.interpreter.coarse_switching): threads waiting for the
        # GIL would wake every 5 ms; the simulated latencies are sleeps, which give the GIL up anyway
        sys.setswitchinterval(0.05)
        if args.register:
            _register(args, doc)
        print(f"calipso sim: {doc['name']} ready ({params.computes} computes, {len(model.instances)} instances); "
              f"environment config in {options.state_dir / CONFIG_FILE}", file=sys.stderr, flush=True)
        if args.churn:
            if args.churn < 0.1:
                raise CalipsoError("--churn must be at least 0.1 seconds")
            churn = Churn(model, seed=params.seed, conditions=conditions if args.monitoring else None)
            threading.Thread(target=churn.run, args=(args.churn, stop),
                             name="churn", daemon=True).start()
        if args.heartbeat:
            threading.Thread(target=Heartbeats(model).run, args=(args.heartbeat, stop), name="heartbeat",
                             daemon=True).start()
        while not stop.wait(0.2):
            while joining.acquire(blocking=False):
                host = add_compute(model)
                print(f"calipso sim: {host.name} joined ({host.tunnel_ip or 'no tunnel'})", file=sys.stderr,
                      flush=True)
    finally:
        sim.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if args.dump_model:
            write_model(model, Path(args.dump_model))
    log.info("simulator stopped")
    return 0
